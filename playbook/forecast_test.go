package playbook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/playbook"
)

func TestForecastAndFocusValidation(t *testing.T) {
	base := string(playbook.DefaultYAML())
	tests := []struct {
		name, old, new, want string
	}{
		{"commit out of range", "commit_stage: 6", "commit_stage: 12", "commit_stage 12 is not a stage"},
		{"best case after commit", "best_case_stage: 4", "best_case_stage: 7", "best_case_stage 7 is after commit_stage 6"},
		{"forecast source", "  best_case_stage: 4\n  source: drafted", "  best_case_stage: 4\n  source: guess", `source "guess"`},
		{"bad rule id", "id: f.meeting", "id: meeting", `malformed focus rule id "meeting"`},
		{"duplicate rule", "id: f.interest", "id: f.meeting", "duplicate focus rule f.meeting"},
		{"unknown technique", "techniques: [ph.3, phr.1]", "techniques: [ph.9]", `unknown technique "ph.9"`},
		{"no techniques", "techniques: [bp.3]", "techniques: []", "f.budget: no techniques"},
		{"item of another stage", "missing: [s1.s1]", "missing: [s2.s1]", "s2.s1 is not an item of stage 1"},
		{"not an item", "missing: [s1.s1]", "missing: [s1.x1]", `"s1.x1" is not a milestone or success item`},
		{"no condition", "  - id: f.budget\n    stage: 7", "  - id: f.budget", "f.budget: needs stage, buyer_from or flag"},
		{"unknown flag", "flag: no_supporter", "flag: grumpy", `flag "grumpy" is not one of`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("default playbook lacks %q", tc.old)
			}
			_, err := playbook.Load("x.yaml", []byte(strings.Replace(base, tc.old, tc.new, 1)))
			var ve *playbook.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestForecastDefaults(t *testing.T) {
	pb := playbook.Default()
	if pb.Commit() != 6 || pb.BestCase() != 4 {
		t.Fatalf("commit %d best %d", pb.Commit(), pb.BestCase())
	}
	// Without a forecast section the documented defaults apply.
	base := string(playbook.DefaultYAML())
	i := strings.Index(base, "\nforecast:")
	j := strings.Index(base, "\nfocus:")
	p, err := playbook.Load("x.yaml", []byte(base[:i]+base[j:]))
	if err != nil {
		t.Fatal(err)
	}
	if p.Commit() != playbook.DefaultCommitStage || p.BestCase() != playbook.DefaultBestCaseStage {
		t.Fatalf("defaults: commit %d best %d", p.Commit(), p.BestCase())
	}
}

func TestFocusFor(t *testing.T) {
	pb := playbook.Default()
	tests := []struct {
		name           string
		flags          []string
		active         int
		open           []string
		buyer, reached int
		want           string
	}{
		{"no meeting booked", []string{"stalled"}, 1, []string{"s1.s1", "s1.s2"}, 0, 1, "f.meeting"},
		{"no interest yet", []string{"stalled"}, 1, []string{"s1.m3"}, 0, 0, "f.interest"},
		{"buyer ahead at C4", []string{"catch_up", "no_decision_maker"}, 3, []string{"s3.s1"}, 4, 2, "f.buyer_ahead"},
		{"no decision-maker", []string{"no_decision_maker", "no_supporter"}, 5, []string{"s5.m1"}, 0, 4, "f.decision_maker"},
		{"no supporter", []string{"no_supporter"}, 5, []string{"s5.m1"}, 0, 4, "f.supporter"},
		{"buyer at C4 but we are there too", []string{"stalled"}, 5, []string{"s5.m1"}, 4, 4, "f.needs"},
		{"criteria", []string{"success_overdue"}, 4, []string{"s4.s3", "s4.s4"}, 0, 4, "f.criteria"},
		{"no rule for stage 8", []string{"stalled"}, 8, []string{"s8.s1"}, 0, 8, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := pb.FocusFor(tc.flags, tc.active, tc.open, tc.buyer, tc.reached)
			if got := r.ID; got != tc.want || ok != (tc.want != "") {
				t.Fatalf("got %q %v, want %q", got, ok, tc.want)
			}
		})
	}
}
