package playbook

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Stakeholder roles and attitudes the method names (spec s2.t6, s4.i2).
// Evidence phrases are keyed by these ids; coach uses the same strings.
var (
	EvidenceRoles     = []string{"decision-maker", "handler", "influencer", "user", "purchasing-group", "other"}
	EvidenceAttitudes = []string{"supporter", "neutral", "opponent"}
)

// Value kinds of an information field's evidence: what the reader takes as
// the field's value once a phrase is found.
const (
	ValueText  = "text"  // the rest of the clause after the phrase
	ValueMoney = "money" // an amount or a range in the clause
	ValueDate  = "date"  // a date in the clause (YYYY-MM-DD)
)

// MaxPhraseLen bounds one evidence phrase, in runes.
const MaxPhraseLen = 60

// Gap is the wildcard of an evidence phrase: "held … demo" matches "held
// the product demo" (up to MaxGap runes in between, within one clause).
const Gap = "…"

// MaxGap is the most runes a Gap may stand for.
const MaxGap = 24

// Phrases are the words that evidence one fact, per language.
type Phrases struct {
	// ID names what the phrases evidence: a checklist item id ("s2.m1"),
	// a role, an attitude, an information field ("s2.i2.budget_range").
	ID string `yaml:"id" json:"id"`
	// Stage is the customer's buying stage (1..8) of a buyer_stages entry.
	Stage int `yaml:"stage,omitempty" json:"stage,omitempty"`
	// Value is the value kind of an info entry: text, money or date.
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	// Agreement marks an item that is an agreement about something ahead
	// ("agreed to a demo on the 8th"): a future date does not keep the
	// reader from proposing it (a planned or hypothetical one still does).
	Agreement bool `yaml:"agreement,omitempty" json:"agreement,omitempty"`
	// Customer marks an item said of the customer as a whole ("the
	// customer approves our proposal"): said of one named person
	// ("杨总很认可我们的方案") it is that person's attitude, not the item.
	Customer bool     `yaml:"customer,omitempty" json:"customer,omitempty"`
	ZH       []string `yaml:"zh" json:"zh"`
	EN       []string `yaml:"en" json:"en"`
	Line     int      `yaml:"-" json:"-"`
}

// In returns the phrases of one language.
func (p *Phrases) In(l Lang) []string {
	if l == ZH {
		return p.ZH
	}
	return p.EN
}

// Evidence is what the note reader looks for in a rep's words: phrases
// for each checklist item, stakeholder role and attitude, customer buying
// stage and information field. A phrase is matched case-insensitively in
// one clause; Gap stands for a few words in between.
type Evidence struct {
	Items       []Phrases `yaml:"items" json:"items"`
	Roles       []Phrases `yaml:"roles" json:"roles"`
	Attitudes   []Phrases `yaml:"attitudes" json:"attitudes"`
	BuyerStages []Phrases `yaml:"buyer_stages" json:"buyer_stages"`
	Info        []Phrases `yaml:"info" json:"info"`
	Line        int       `yaml:"-" json:"-"`
}

// ItemEvidence returns the phrases of a checklist item, if any.
func (p *Playbook) ItemEvidence(id string) (*Phrases, bool) {
	for i := range p.Evidence.Items {
		if p.Evidence.Items[i].ID == id {
			return &p.Evidence.Items[i], true
		}
	}
	return nil, false
}

// evidence validates the evidence section: known ids, both languages,
// no empty, overlong or duplicate phrases.
func (v *validator) evidence(p *Playbook) {
	e := &p.Evidence
	infoKeys := map[string]bool{}
	for g, keys := range v.infos {
		for k := range keys {
			infoKeys[InfoKey(g, k)] = true
		}
	}
	lists := []struct {
		name  string
		list  []Phrases
		known func(ph *Phrases) string // "" when the entry names something real
	}{
		{"items", e.Items, func(ph *Phrases) string {
			if _, ok := v.ids[ph.ID]; ok && KindOf(ph.ID) != "" && StageOf(ph.ID) > 0 {
				return ""
			}
			return "is not a checklist item id"
		}},
		{"roles", e.Roles, func(ph *Phrases) string {
			if slices.Contains(EvidenceRoles, ph.ID) {
				return ""
			}
			return "is not a role (" + strings.Join(EvidenceRoles, ", ") + ")"
		}},
		{"attitudes", e.Attitudes, func(ph *Phrases) string {
			if slices.Contains(EvidenceAttitudes, ph.ID) {
				return ""
			}
			return "is not an attitude (" + strings.Join(EvidenceAttitudes, ", ") + ")"
		}},
		{"buyer_stages", e.BuyerStages, func(ph *Phrases) string {
			if ph.Stage < 1 || ph.Stage > len(p.Stages) {
				return fmt.Sprintf("stage %d is not a buying stage 1..%d", ph.Stage, len(p.Stages))
			}
			return ""
		}},
		{"info", e.Info, func(ph *Phrases) string {
			if !infoKeys[ph.ID] {
				return "is not an information field (sN.iK.key)"
			}
			switch ph.Value {
			case ValueText, ValueMoney, ValueDate:
				return ""
			}
			return fmt.Sprintf("value %q is not text, money or date", ph.Value)
		}},
	}
	for _, l := range lists {
		seen := map[string]int{}
		for i := range l.list {
			ph := &l.list[i]
			who := "evidence " + l.name + " " + ph.ID
			if l.name == "buyer_stages" {
				who = fmt.Sprintf("evidence buyer_stages %d", ph.Stage)
				ph.ID = fmt.Sprintf("c%d", ph.Stage)
			}
			if ph.ID == "" {
				v.errorf(v.pos.at(ph, ""), "evidence %s: entry without id", l.name)
				continue
			}
			if msg := l.known(ph); msg != "" {
				key := "id"
				if l.name == "buyer_stages" {
					key = "stage"
				} else if strings.HasPrefix(msg, "value") {
					key = "value"
				}
				v.errorf(v.pos.at(ph, key), "%s: %q %s", who, ph.ID, msg)
			}
			if first, dup := seen[ph.ID]; dup {
				v.errorf(v.pos.at(ph, ""), "%s: listed twice (first at line %d)", who, first)
			}
			seen[ph.ID] = v.pos.at(ph, "")
			v.phrases(ph, "zh", ph.ZH, who)
			v.phrases(ph, "en", ph.EN, who)
		}
	}
}

func (v *validator) phrases(owner *Phrases, lang string, list []string, who string) {
	line := v.pos.at(owner, lang)
	if len(list) == 0 {
		v.errorf(line, "%s: no %s phrases", who, lang)
		return
	}
	seen := map[string]bool{}
	for _, s := range list {
		t := strings.TrimSpace(strings.ReplaceAll(s, Gap, ""))
		switch {
		case t == "":
			v.errorf(line, "%s: empty %s phrase", who, lang)
		case utf8.RuneCountInString(s) > MaxPhraseLen:
			v.errorf(line, "%s: %s phrase %q is longer than %d characters", who, lang, s, MaxPhraseLen)
		case strings.HasPrefix(strings.TrimSpace(s), Gap) || strings.HasSuffix(strings.TrimSpace(s), Gap):
			v.errorf(line, "%s: %s phrase %q starts or ends with %s", who, lang, s, Gap)
		case seen[strings.ToLower(s)]:
			v.errorf(line, "%s: duplicate %s phrase %q", who, lang, s)
		}
		seen[strings.ToLower(s)] = true
	}
}
