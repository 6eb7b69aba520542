package coach_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func dealWith(ids ...string) *coach.Deal {
	d := &coach.Deal{Status: coach.StatusOpen, Checked: map[string]coach.Check{}}
	for _, id := range ids {
		d.Checked[id] = coach.Check{By: "u", At: time.Unix(0, 0)}
	}
	return d
}

func stageItems(pb *playbook.Playbook, n int, kinds ...string) []string {
	var out []string
	st := pb.Stage(n)
	for _, k := range kinds {
		var items []playbook.Item
		switch k {
		case "m":
			items = st.Milestone
		case "s":
			items = st.Success
		case "r":
			items = st.Relationship
		}
		for _, it := range items {
			out = append(out, it.ID)
		}
	}
	return out
}

// completedThrough returns the ids that complete stages 1..n.
func completedThrough(pb *playbook.Playbook, n int) []string {
	var ids []string
	for i := 1; i <= n; i++ {
		ids = append(ids, stageItems(pb, i, "m", "s")...)
	}
	return ids
}

func TestEvaluate(t *testing.T) {
	pb := playbook.Default()
	s1m, s1s := stageItems(pb, 1, "m"), stageItems(pb, 1, "s")
	s2m, s2s := stageItems(pb, 2, "m"), stageItems(pb, 2, "s")
	tests := []struct {
		name                       string
		checked                    []string
		reached, completed, active int
		missing, pending           []string
		win                        int
	}{
		{name: "empty", active: 1, missing: s1m},
		{name: "one milestone action missing stays in previous stage", checked: s1m[:len(s1m)-1], active: 1, missing: s1m[len(s1m)-1:]},
		{name: "milestone reached", checked: s1m, reached: 1, active: 1, missing: s1s, win: 5},
		{name: "stage 1 completed", checked: completedThrough(pb, 1), reached: 1, completed: 1, active: 2, missing: s2m, win: 5},
		{name: "later milestone ticked out of order is pending", checked: append(slices.Clone(s1m), s2m...), reached: 1, active: 1, missing: s1s, pending: s2m, win: 5},
		{name: "success before milestone is pending", checked: append(completedThrough(pb, 1), s2s[0]), reached: 1, completed: 1, active: 2, missing: s2m, pending: s2s[:1], win: 5},
		{name: "stage 2 needs stage 1 completed", checked: append(slices.Clone(s1m), append(s2m, s2s...)...), reached: 1, active: 1, missing: s1s, pending: append(slices.Clone(s2m), s2s...), win: 5},
		{name: "stage 2 reached", checked: append(completedThrough(pb, 1), s2m...), reached: 2, completed: 1, active: 2, missing: s2s, win: 10},
		{name: "all completed", checked: completedThrough(pb, 8), reached: 8, completed: 8, active: 0, win: pb.Stage(8).WinProbability},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := coach.Evaluate(pb, dealWith(tt.checked...))
			if p.Reached != tt.reached || p.Completed != tt.completed || p.Active != tt.active {
				t.Fatalf("reached/completed/active = %d/%d/%d, want %d/%d/%d", p.Reached, p.Completed, p.Active, tt.reached, tt.completed, tt.active)
			}
			if !slices.Equal(p.Missing, tt.missing) {
				t.Errorf("missing = %v, want %v", p.Missing, tt.missing)
			}
			if !slices.Equal(p.Pending, tt.pending) {
				t.Errorf("pending = %v, want %v", p.Pending, tt.pending)
			}
			if p.WinProbability != tt.win {
				t.Errorf("win = %d, want %d", p.WinProbability, tt.win)
			}
		})
	}
}

func TestEvaluateStatusOverridesWin(t *testing.T) {
	pb := playbook.Default()
	d := dealWith(completedThrough(pb, 3)...)
	d.Status = coach.StatusWon
	if p := coach.Evaluate(pb, d); p.WinProbability != 100 {
		t.Fatalf("won: %d", p.WinProbability)
	}
	d.Status = coach.StatusLost
	if p := coach.Evaluate(pb, d); p.WinProbability != 0 {
		t.Fatalf("lost: %d", p.WinProbability)
	}
}

func TestBuyerSync(t *testing.T) {
	pb := playbook.Default()
	tests := []struct {
		name    string
		checked []string
		buyer   int
		want    string
	}{
		{"unknown", completedThrough(pb, 1), 0, coach.SyncUnknown},
		{"equal", append(completedThrough(pb, 1), stageItems(pb, 2, "m")...), 2, coach.SyncInSync},
		{"customer one ahead", completedThrough(pb, 1), 2, coach.SyncCatchUp},
		{"customer two ahead", completedThrough(pb, 1), 3, coach.SyncConsiderGivingUp},
		{"criteria set without us", append(completedThrough(pb, 3), stageItems(pb, 4, "m")...)[:len(completedThrough(pb, 3))-1], 5, coach.SyncConsiderGivingUp},
		{"we ahead", append(completedThrough(pb, 3), stageItems(pb, 4, "m")...), 2, coach.SyncAhead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := coach.Evaluate(pb, dealWith(tt.checked...))
			if got := coach.BuyerSync(p, tt.buyer); got.Verdict != tt.want {
				t.Fatalf("BuyerSync(reached %d/completed %d, C%d) = %s (%s), want %s", p.Reached, p.Completed, tt.buyer, got.Verdict, got.Reason, tt.want)
			}
		})
	}
}

func TestPipeline(t *testing.T) {
	pb := playbook.Default()
	a := dealWith(stageItems(pb, 1, "m")...)
	a.Value = 1000
	b := dealWith(append(completedThrough(pb, 1), stageItems(pb, 2, "m")...)...)
	b.Value = 2000
	c := dealWith()
	c.Value = 500
	c.Status = coach.StatusLost
	st := coach.Pipeline(pb, []*coach.Deal{a, b, c})
	if st[1].Count != 1 || st[1].Weighted != 50 || st[2].Count != 1 || st[2].Weighted != 200 || st[0].Count != 0 {
		t.Fatalf("pipeline = %+v", st)
	}
}

// BenchmarkEvaluate: stage computation for one deal at stage 4 with an
// out-of-order tick (target ≤ 2 µs per deal).
func BenchmarkEvaluate(b *testing.B) {
	pb := playbook.Default()
	d := dealWith(append(completedThrough(pb, 3), stageItems(pb, 4, "m")[0], stageItems(pb, 6, "m")[0])...)
	b.ReportAllocs()
	for b.Loop() {
		coach.Evaluate(pb, d)
	}
}

func TestNormalizeDealID(t *testing.T) {
	for in, want := range map[string]string{"D-3": "D-3", "d3": "D-3", "#3": "D-3", "3": "D-3", "d-03": "D-3"} {
		if got, ok := coach.NormalizeDealID(in); !ok || got != want {
			t.Errorf("%q → %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "D-", "acme", "D-0", "-1", "99999999999"} {
		if got, ok := coach.NormalizeDealID(in); ok {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}
