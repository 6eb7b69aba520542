package coach_test

import (
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// TestReaderPrecisionRules: readings that must not be proposed (each a
// general rule, found on the fresh4 notes).
func TestReaderPrecisionRules(t *testing.T) {
	tests := []struct {
		name string
		text string
		bad  func(coach.Proposal) bool
	}{
		{"sign-off is no signing", "The needs analysis is written up; we'll send it to them tomorrow for sign-off.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeCloseDate }},
		{"an opening capital is no name", "Word is we're the first-ranked bidder, but nothing is official yet.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact }},
		{"coordinated with a company is a company", "We're up against Manhattan and Blue Yonder.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact }},
		{"time of day is no place", "Signing is on December 15 in the afternoon at their office.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeBookMeeting && p.Place != "office" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range read(t, tc.text, nil) {
				if tc.bad(p) {
					t.Errorf("%q proposed %+v", tc.text, p)
				}
			}
		})
	}
}
