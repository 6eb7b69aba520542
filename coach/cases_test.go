package coach_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

func TestCaseLibrary(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.AddCase(ctx, actor("bob"), coach.NewCase{}); !isCode(err, coach.CodeMissingArg) {
		t.Fatalf("no title: %v", err)
	}
	c1, err := svc.AddCase(ctx, actor("bob"), coach.NewCase{Title: "Steel MES", Industry: "manufacturing", Tags: coach.SplitTags("MES, erp，mes")})
	if err != nil || c1.ID != "C-1" || !slices.Equal(c1.Tags, []string{"mes", "erp"}) {
		t.Fatalf("add: %v %+v", err, c1)
	}
	c2, _ := svc.AddCase(ctx, actor("alice"), coach.NewCase{Title: "Bank CRM", Industry: "banking"})
	tests := []struct {
		ref, want, code string
	}{
		{"C-1", "C-1", ""}, {"c2", "C-2", ""}, {"#1", "C-1", ""}, {"steel", "C-1", ""}, {"bank crm", "C-2", ""},
		{"C-9", "", coach.CodeUnknownCase}, {"zzz", "", coach.CodeUnknownCase}, {"", "", coach.CodeMissingArg},
	}
	for _, tc := range tests {
		t.Run("find "+tc.ref, func(t *testing.T) {
			c, err := svc.FindCase(ctx, actor("bob"), tc.ref)
			if tc.code != "" {
				if !isCode(err, tc.code) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || c.ID != tc.want {
				t.Fatalf("%v %v", c, err)
			}
		})
	}
	// a rep may remove only their own cases; an admin any
	if _, err := svc.RemoveCase(ctx, actor("bob"), team, c2.ID); !isCode(err, coach.CodeForbidden) {
		t.Fatalf("bob removes alice's case: %v", err)
	}
	if _, err := svc.RemoveCase(ctx, actor("bob"), team, c1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RemoveCase(ctx, actor("alice"), team, c2.ID); err != nil {
		t.Fatal(err)
	}
	if cs, _ := svc.Cases(ctx, actor("bob")); len(cs) != 0 {
		t.Fatalf("left %v", cs)
	}
}

func TestMatchCases(t *testing.T) {
	cases := []*coach.Case{
		{ID: "C-1", Title: "tags only 1", Tags: []string{"erp"}},
		{ID: "C-2", Title: "other industry", Industry: "banking", Tags: []string{"crm"}},
		{ID: "C-3", Title: "same industry", Industry: "Manufacturing"},
		{ID: "C-4", Title: "tags 2", Tags: []string{"erp", "month-end"}},
		{ID: "C-5", Title: "same industry with tag", Industry: "manufacturing", Tags: []string{"erp"}},
		{ID: "C-6", Title: "t6", Tags: []string{"erp"}}, {ID: "C-7", Title: "t7", Tags: []string{"erp"}},
		{ID: "C-8", Title: "t8", Tags: []string{"erp"}}, {ID: "C-9", Title: "t9", Tags: []string{"erp"}},
	}
	d := &coach.Deal{Name: "Acme ERP", Industry: "manufacturing", Info: map[string]string{"s2.i2.causes": "slow month-end close"}}
	got := coach.MatchCases(cases, d, 0)
	var ids []string
	for _, m := range got {
		ids = append(ids, m.Case.ID)
	}
	// same industry first, then by tag hits (library order among equals), at most six
	if want := []string{"C-5", "C-3", "C-4", "C-1", "C-6", "C-7"}; !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
	if !got[1].Industry || !slices.Equal(got[2].Tags, []string{"erp", "month-end"}) {
		t.Fatalf("why: %+v %+v", got[0], got[2])
	}
	if m := coach.MatchCases(cases, &coach.Deal{Name: "x"}, 3); len(m) != 0 {
		t.Fatalf("unrelated deal matched %v", m)
	}
}
