package coach

import (
	"regexp"
	"strings"

	"github.com/stagecoach/stagecoach/playbook"
)

// noQuestionsRE finds a note saying the customer asked nothing at a demo.
var noQuestionsRE = regexp.MustCompile(`(?i)\bno (more )?questions?\b|\bnobody asked\b|\bno one asked\b|没有(人)?提问|没人提问|无人提问|没有问题|没提问题|没有人问`)

// NoQuestions reports whether text says the customer asked no questions.
func NoQuestions(text string) bool { return noQuestionsRE.MatchString(text) }

// priceRangeRE finds a range ("1-2m", "100k~150k", "50 to 80万", "50至80万").
var priceRangeRE = regexp.MustCompile(`\d\s*[kKmMwW万亿]?\s*(-|–|—|~|～|to|至|到)\s*\d`)

// priceKey reports whether an info, form or edit field holds a price.
func priceKey(field string) bool {
	f := strings.ToLower(field)
	return strings.Contains(f, "price") || strings.Contains(f, "quote")
}

// ChangeTips returns coaching tips for a change that was just stored
// (Change.Before is the deal before it): a single price given before stage
// 3 is completed (give a range, s3.s2); a note that a demo drew no
// questions on a deal at stage 4 (demo.d7).
func ChangeTips(pb *playbook.Playbook, ch Change) []Tip {
	if ch.Before == nil || len(ch.Events) == 0 {
		return nil
	}
	p := Evaluate(pb, ch.Before)
	var tips []Tip
	seen := map[string]bool{}
	add := func(t Tip) {
		if !seen[t.Key] {
			seen[t.Key] = true
			tips = append(tips, t)
		}
	}
	for _, e := range ch.Events {
		switch {
		case (e.Kind == "info" || e.Kind == "form") && priceKey(e.Field) && e.After != "" && p.Completed < 3 && !priceRangeRE.MatchString(e.After):
			add(Tip{Key: "tip.price_range", Ref: "s3.s2"})
		case e.Kind == "edit" && e.Field == "value" && p.Active == 3:
			add(Tip{Key: "tip.price_range", Ref: "s3.s2"})
		case e.Kind == "note" && NoQuestions(e.After) && (p.Active == 4 || p.Reached == 4):
			add(Tip{Key: "tip.demo_no_questions", Ref: "demo.d7"})
		}
	}
	return tips
}
