package coach_test

import (
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func tipKeys(ts []coach.Tip) []string {
	var out []string
	for _, t := range ts {
		out = append(out, "tip."+t.Code+"@"+t.Ref)
	}
	return out
}

func TestCheckTips(t *testing.T) {
	pb := playbook.Default()
	withNote := dealAt(pb, 3)
	withNote.Notes = []coach.Note{{Text: "demo went fine, no questions from the group"}}
	tests := []struct {
		name    string
		before  *coach.Deal
		applied []string
		want    []string
	}{
		{"proposal before needs", dealAt(pb, 2), []string{"s3.m2"}, []string{"tip.proposal_before_needs@s3.p5"}},
		{"proposal after needs", func() *coach.Deal { d := dealAt(pb, 2); d.Checked["s2.s1"] = coach.Check{}; return d }(), []string{"s3.m2"}, nil},
		{"demo without questions", withNote, []string{"s4.m1", "s4.m2"}, []string{"tip.demo_before_handler@demo.b3", "tip.demo_no_questions@demo.d7"}},
		{"nothing to say", dealAt(pb, 1), []string{"s1.s1"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tipKeys(coach.CheckTips(pb, tc.before, tc.applied))
			if len(got) != len(tc.want) {
				t.Fatalf("tips %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("tips %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestChangeTips(t *testing.T) {
	pb := playbook.Default()
	tests := []struct {
		name  string
		stage int
		ev    coach.Event
		want  string
	}{
		{"single price before s3 completed", 3, coach.Event{Kind: "info", Field: "s6.i3.prices", After: "1200000"}, "tip.price_range@s3.s2"},
		{"price range is fine", 3, coach.Event{Kind: "info", Field: "s6.i3.prices", After: "1-1.5m"}, ""},
		{"price after s3", 5, coach.Event{Kind: "info", Field: "s6.i3.prices", After: "1200000"}, ""},
		{"form price", 2, coach.Event{Kind: "form", Field: "s7.t2.quoted_price", After: "900000"}, "tip.price_range@s3.s2"},
		{"edit value at s3", 3, coach.Event{Kind: "edit", Field: "value", After: "900000"}, "tip.price_range@s3.s2"},
		{"edit value at s2", 2, coach.Event{Kind: "edit", Field: "value", After: "900000"}, ""},
		{"demo note at s4", 4, coach.Event{Kind: "note", After: "Demo done, nobody asked anything — no questions"}, "tip.demo_no_questions@demo.d7"},
		{"demo note zh", 4, coach.Event{Kind: "note", After: "演示时没有人提问"}, "tip.demo_no_questions@demo.d7"},
		{"note at s2", 2, coach.Event{Kind: "note", After: "no questions"}, ""},
		{"plain note at s4", 4, coach.Event{Kind: "note", After: "great questions from IT"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tipKeys(coach.ChangeTips(pb, coach.Change{Before: dealAt(pb, tc.stage), Events: []coach.Event{tc.ev}}))
			if (tc.want == "" && len(got) != 0) || (tc.want != "" && (len(got) != 1 || got[0] != tc.want)) {
				t.Fatalf("tips %v, want %q", got, tc.want)
			}
		})
	}
}
