package coach_test

import (
	"slices"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func TestFitSessions(t *testing.T) {
	pb := playbook.Default()
	reached := func(n int, extra ...string) *coach.Deal {
		ids := completedThrough(pb, n-1)
		if n > 0 {
			ids = append(ids, stageItems(pb, n, "m")...)
		}
		return dealWith(append(ids, extra...)...)
	}
	withInfo := func(d *coach.Deal, kv ...string) *coach.Deal {
		d.Info = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			d.Info[kv[i]] = kv[i+1]
		}
		return d
	}
	for _, tc := range []struct {
		name string
		d    *coach.Deal
		want []string
	}{
		{"new deal: phone invitation", reached(0), []string{coach.SessionPhone}},
		{"stage 1 reached: phone invitation", reached(1), []string{coach.SessionPhone}},
		{"stage 2: needs, budget and process open", reached(2), []string{coach.SessionNeeds, coach.SessionBudget, coach.SessionProcess}},
		{"stage 2, budget known", withInfo(reached(2), "s2.i2.budget_range", "1m"), []string{coach.SessionNeeds, coach.SessionProcess}},
		{"stage 2, budget and process known", withInfo(reached(2, "s2.s3"), "s2.i2.budget_range", "1m", "s2.i1.decision_process", "board",
			"s2.i1.key_people", "CFO", "s2.i2.schedule", "Q1"), []string{coach.SessionNeeds}},
		{"stage 4, budget open", withInfo(reached(4), "s2.i1.decision_process", "board", "s2.i1.key_people", "CFO", "s2.i2.schedule", "Q1"), []string{coach.SessionBudget}},
		{"stage 4, all known: needs as the fallback", withInfo(reached(4), "s2.i2.budget_range", "1m", "s2.i1.decision_process", "board",
			"s2.i1.key_people", "CFO", "s2.i2.schedule", "Q1"), []string{coach.SessionNeeds}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := coach.FitSessions(pb, tc.d); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
