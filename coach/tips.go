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

// Tip is a coaching remark triggered by an action: Code names it (the
// bot's text is "tip.<code>"), Ref is the playbook id it quotes.
type Tip struct {
	Code string
	Ref  string
}

// Tip codes given by coach rules; the playbook's item tips add their own
// (playbook.ItemTip.Code).
const (
	TipPriceRange      = "price_range"       // a single price before stage 3 is completed (s3.s2)
	TipDemoNoQuestions = "demo_no_questions" // a demo drew no questions (demo.d7)
	TipNoDecisionMaker = "no_decision_maker" // no decision-maker among the contacts yet
	TipNoSupporter     = "no_supporter"      // no supporter among the contacts yet
	TipPriceCut        = "price_cut"         // lost on price: next time, cut scope, not price
)

// TipCodes lists the codes of coach's own rules, for catalog tests.
var TipCodes = []string{TipPriceRange, TipDemoNoQuestions, TipNoDecisionMaker, TipNoSupporter, TipPriceCut}

// CheckTips returns the coaching tips for items just ticked on a deal (as
// it was before the tick), from the playbook's item tips: e.g. a proposal
// submitted before the needs are understood (s3.m2 unless s2.s1). Each tip
// is given once per tick.
func CheckTips(pb *playbook.Playbook, before *Deal, applied []string) []Tip {
	var tips []Tip
	seen := map[string]bool{}
	for _, id := range applied {
		it, ok := pb.Item(id)
		if !ok {
			continue
		}
		for _, t := range it.Tips {
			if seen[t.Code] || (t.Unless != "" && before.IsChecked(t.Unless)) {
				continue
			}
			if t.When == playbook.TipWhenNoQuestions && !notesSayNoQuestions(before) {
				continue
			}
			seen[t.Code] = true
			tips = append(tips, Tip{Code: t.Code, Ref: t.Ref})
		}
	}
	return tips
}

// notesSayNoQuestions: a note of d says the customer asked nothing (a
// demo without questions may mean no intent to buy).
func notesSayNoQuestions(d *Deal) bool {
	for _, n := range d.Notes {
		if NoQuestions(n.Text) {
			return true
		}
	}
	return false
}

// StakeholderTips names who is missing among a deal's contacts: no
// decision-maker, no supporter.
func StakeholderTips(d *Deal) []Tip {
	var dm, sup bool
	for _, p := range d.Stakeholders {
		dm = dm || p.Role == RoleDecisionMaker
		sup = sup || p.Attitude == AttitudeSupporter
	}
	var tips []Tip
	if !dm {
		tips = append(tips, Tip{Code: TipNoDecisionMaker})
	}
	if !sup {
		tips = append(tips, Tip{Code: TipNoSupporter})
	}
	return tips
}

// priceWords say a deal was lost on price, in English and Chinese.
var priceWords = []string{"price", "cost", "expensive", "cheap", "discount", "价格", "价钱", "贵", "便宜", "报价", "降价", "折扣"}

// StatusTips returns the tips for closing a deal with status st and the
// given reason: lost on price → cut scope, not price.
func StatusTips(st Status, reason string) []Tip {
	if st != StatusLost {
		return nil
	}
	r := strings.ToLower(reason)
	for _, w := range priceWords {
		if strings.Contains(r, w) {
			return []Tip{{Code: TipPriceCut}}
		}
	}
	return nil
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
		if !seen[t.Code] {
			seen[t.Code] = true
			tips = append(tips, t)
		}
	}
	for _, e := range ch.Events {
		switch {
		case (e.Kind == "info" || e.Kind == "form") && priceKey(e.Field) && e.After != "" && p.Completed < 3 && !priceRangeRE.MatchString(e.After):
			add(Tip{Code: TipPriceRange, Ref: "s3.s2"})
		case e.Kind == "edit" && e.Field == "value" && p.Active == 3:
			add(Tip{Code: TipPriceRange, Ref: "s3.s2"})
		case e.Kind == "note" && NoQuestions(e.After) && (p.Active == 4 || p.Reached == 4):
			add(Tip{Code: TipDemoNoQuestions, Ref: "demo.d7"})
		}
	}
	return tips
}
