package coach_test

import (
	"slices"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// TestTickSelection: a clicked checklist ticks the selected items shown
// and unticks the others shown, as far as they differ from the deal; one
// read of the deal and one update (none when nothing differs).
func TestTickSelection(t *testing.T) {
	svc, rc := newReadCounter(t)
	ctx := t.Context()
	admin := coach.Actor{Team: "T", User: "U1"}
	team, _, err := svc.Join(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Join(ctx, coach.Actor{Team: "T", User: "U2"}); err != nil {
		t.Fatal(err)
	}
	d, err := svc.CreateDeal(ctx, admin, team, coach.NewDeal{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Tick(ctx, admin, team, d.ID, []string{"s1.m1"}, nil); err != nil {
		t.Fatal(err)
	}
	shown := []string{"s1.m1", "s1.m2", "s1.m3"}
	for _, tc := range []struct {
		name     string
		actor    coach.Actor
		options  []string
		selected []string
		code     string
		applied  []string
		checked  []string // of shown, after
		calls    string
	}{
		{"tick one, keep one", admin, shown, []string{"s1.m1", "s1.m2"}, "", []string{"s1.m2"}, []string{"s1.m1", "s1.m2"}, "GetDeal UpdateDeal"},
		{"untick one", admin, shown, []string{"s1.m2"}, "", []string{"s1.m1"}, []string{"s1.m2"}, "GetDeal UpdateDeal"},
		{"nothing differs: no write", admin, shown, []string{"s1.m2"}, "", nil, []string{"s1.m2"}, "GetDeal"},
		{"selected but not shown is ignored", admin, []string{"s1.m2"}, []string{"s1.m2", "s1.m3"}, "", nil, []string{"s1.m2"}, "GetDeal"},
		{"unknown item shown", admin, []string{"s1.m2", "s9.zz"}, []string{"s9.zz"}, string(coach.CodeUnknownItem), nil, []string{"s1.m2"}, "GetDeal"},
		{"rep cannot tick another's deal", coach.Actor{Team: "T", User: "U2"}, shown, shown, string(coach.CodeUnknownDeal), nil, []string{"s1.m2"}, "GetDeal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team, _, _ := svc.Join(ctx, tc.actor)
			rc.take()
			res, err := svc.TickSelection(ctx, tc.actor, team, d.ID, tc.options, tc.selected)
			calls := rc.take()
			if ce, ok := coach.AsError(err); ok || err != nil {
				if !ok || string(ce.Code) != tc.code {
					t.Fatalf("TickSelection: %v, want %q", err, tc.code)
				}
			} else if tc.code != "" {
				t.Fatalf("TickSelection: ok, want %s", tc.code)
			}
			if !slices.Equal(res.Applied, tc.applied) {
				t.Errorf("applied %v, want %v", res.Applied, tc.applied)
			}
			if calls != tc.calls {
				t.Errorf("store calls %q, want %q", calls, tc.calls)
			}
			cur, err := svc.Resolve(ctx, admin, team, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, id := range shown {
				if cur.IsChecked(id) {
					got = append(got, id)
				}
			}
			if !slices.Equal(got, tc.checked) {
				t.Errorf("checked after: %v, want %v", got, tc.checked)
			}
		})
	}
}
