package coach_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
)

func TestMatchCasesWholeWords(t *testing.T) {
	tests := []struct {
		name     string
		deal     coach.Deal
		cs       coach.Case
		industry bool
		tags     []string
	}{
		{"IT is not utilities", coach.Deal{Industry: "IT"}, coach.Case{Industry: "utilities"}, false, nil},
		{"utilities is not IT", coach.Deal{Industry: "utilities"}, coach.Case{Industry: "IT"}, false, nil},
		{"IT matches IT services", coach.Deal{Industry: "it"}, coach.Case{Industry: "IT services"}, true, nil},
		{"discrete manufacturing matches manufacturing", coach.Deal{Industry: "Discrete manufacturing"}, coach.Case{Industry: "manufacturing"}, true, nil},
		{"different words", coach.Deal{Industry: "retail banking"}, coach.Case{Industry: "investment banking"}, false, nil},
		{"Han containment", coach.Deal{Industry: "汽车制造业"}, coach.Case{Industry: "制造业"}, true, nil},
		{"one Han character is not enough", coach.Deal{Industry: "制"}, coach.Case{Industry: "制造业"}, false, nil},
		{"empty industry", coach.Deal{}, coach.Case{Industry: "retail"}, false, nil},
		{"tag as a whole word", coach.Deal{Name: "Acme ERP rollout"}, coach.Case{Tags: []string{"erp"}}, false, []string{"erp"}},
		{"tag inside a word does not match", coach.Deal{Name: "Interpret Ltd"}, coach.Case{Tags: []string{"erp"}}, false, nil},
		{"tag it inside utilities", coach.Deal{Notes: []coach.Note{{Text: "utilities company"}}}, coach.Case{Tags: []string{"it"}}, false, nil},
		{"multi-word tag in order", coach.Deal{Info: map[string]string{"x": "needs supply-chain planning"}}, coach.Case{Tags: []string{"supply chain"}}, false, []string{"supply chain"}},
		{"Han tag in Han text", coach.Deal{Name: "华东汽车零部件MES项目"}, coach.Case{Tags: []string{"零部件", "mes"}}, false, []string{"零部件", "mes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cs
			c.ID = "C-1"
			ms := coach.MatchCases([]*coach.Case{&c}, &tc.deal, 0)
			if !tc.industry && len(tc.tags) == 0 {
				if len(ms) != 0 {
					t.Fatalf("matched: %+v", ms[0])
				}
				return
			}
			if len(ms) != 1 || ms[0].Industry != tc.industry || strings.Join(ms[0].Tags, ",") != strings.Join(tc.tags, ",") {
				t.Fatalf("matches %+v", ms)
			}
		})
	}
}

// FuzzMatchCases: matching never panics, a case always matches a deal
// of its own industry, and a tag found is one of the case's tags.
func FuzzMatchCases(f *testing.F) {
	for _, s := range [][2]string{{"IT", "utilities"}, {"汽车制造业", "制造"}, {"supply-chain", "supply chain"}, {"", ""}, {"a\u00e9b", "É"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, industry, tag string) {
		if !utf8.ValidString(industry) || !utf8.ValidString(tag) {
			return
		}
		c := &coach.Case{ID: "C-1", Industry: industry, Tags: []string{tag}}
		d := &coach.Deal{Name: tag, Industry: industry}
		ms := coach.MatchCases([]*coach.Case{c}, d, 0)
		if strings.ContainsFunc(industry, func(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) {
			if len(ms) != 1 || !ms[0].Industry {
				t.Fatalf("industry %q does not match itself: %+v", industry, ms)
			}
		}
		for _, m := range ms {
			for _, x := range m.Tags {
				if x != tag {
					t.Fatalf("tag %q found, not the case's", x)
				}
			}
		}
	})
}
