// Package playbook holds the project-sales method as data: the eight stages
// with their milestone and success-criteria checklists, information fields,
// evaluation items, tools (forms) and key processes, plus the questioning
// techniques and general rules. Every user-facing string exists in Chinese
// and English. The default playbook is embedded; a team may load its own
// file, which is validated before use.
package playbook

import (
	"fmt"
	"strings"
)

// Lang is a user-facing language.
type Lang string

// Supported languages.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// ParseLang returns the language named by s ("zh", "en", "zh-CN", "中文", …).
func ParseLang(s string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "zh", "zh-cn", "zh_cn", "zh-hans", "cn", "chinese", "中文", "汉语":
		return ZH, true
	case "en", "en-us", "en_us", "en-gb", "english", "英文", "英语":
		return EN, true
	}
	return "", false
}

// Text is a string in both languages.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang, falling back to the other language.
func (t Text) In(l Lang) string {
	if l == ZH && t.ZH != "" {
		return t.ZH
	}
	if t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// Source tags say where an item comes from (spec §0).
const (
	SourceSeed        = "seed"    // stated in the seed, or our grouping of it
	SourceRelated     = "related" // related public text, not the seed
	SourceDrafted     = "drafted" // ours; review before use
	SourceSeedGrouped = "seed*"   // from the seed, our grouping/wording
)

// Item kinds within a stage checklist.
const (
	KindMilestone    = "milestone"    // sN.m*
	KindSuccess      = "success"      // sN.s*
	KindRelationship = "relationship" // sN.r*
)

// Item is one checklist requirement of a stage.
type Item struct {
	ID     string `yaml:"id" json:"id"`         // "s2.m1"
	Kind   string `yaml:"-" json:"kind"`        // KindMilestone, KindSuccess, KindRelationship (derived from the id)
	Class  string `yaml:"class" json:"class"`   // P sales process, R relationship, I information
	Text   Text   `yaml:"text" json:"text"`     // the requirement, short
	Detail Text   `yaml:"detail" json:"detail"` // optional longer explanation
	Source string `yaml:"source" json:"source"`
	// Tips are the coaching tips ticking the item may trigger.
	Tips  []ItemTip `yaml:"tips,omitempty" json:"tips,omitempty"`
	Stage int       `yaml:"-" json:"stage"` // 1..8, derived
	Line  int       `yaml:"-" json:"-"`     // line in the playbook file, for validation messages
}

// TipWhenNoQuestions is the ItemTip condition "a note of the deal says
// the customer asked no questions".
const TipWhenNoQuestions = "notes_no_questions"

// ItemTip is a coaching tip given when an item is ticked.
type ItemTip struct {
	Code string `yaml:"code" json:"code"` // snake_case; the tip's text is the bot's "tip.<code>"
	Ref  string `yaml:"ref" json:"ref"`   // the technique or process the tip quotes
	// Unless: only while this checklist item is not ticked yet.
	Unless string `yaml:"unless,omitempty" json:"unless,omitempty"`
	// When: "" (always) or TipWhenNoQuestions.
	When string `yaml:"when,omitempty" json:"when,omitempty"`
}

// Field is one named value of an information group or a form.
type Field struct {
	Key     string   `yaml:"key" json:"key"` // "size"; unique within its group or form
	Name    Text     `yaml:"name" json:"name"`
	Type    string   `yaml:"type,omitempty" json:"type,omitempty"` // "", "text", "long", "date", "number", "choice"
	Choices []string `yaml:"choices,omitempty" json:"choices,omitempty"`
	// Labels, when given, are the display names of Choices, one per choice
	// in the same order; without them a choice is shown as its code.
	Labels   []Text `yaml:"labels,omitempty" json:"labels,omitempty"`
	Required bool   `yaml:"required,omitempty" json:"required,omitempty"`
	// Info names the info field (full key "sN.iK.key") this form field
	// fills, so a filled form can satisfy an information requirement.
	Info string `yaml:"info,omitempty" json:"info,omitempty"`
}

// InfoGroup is one information requirement (sN.iK) and its fields.
type InfoGroup struct {
	ID     string  `yaml:"id" json:"id"` // "s1.i1"
	Name   Text    `yaml:"name" json:"name"`
	Fields []Field `yaml:"fields" json:"fields"`
	Source string  `yaml:"source" json:"source"`
	Line   int     `yaml:"-" json:"-"`
}

// EvalItem is one process-evaluation item (sN.eK) with its evidence.
type EvalItem struct {
	ID       string `yaml:"id" json:"id"`
	Text     Text   `yaml:"text" json:"text"`
	Evidence Text   `yaml:"evidence" json:"evidence"`
	// Items are the checklist ids whose ticking counts as this evaluation
	// item being achieved (used by scorecards).
	Items  []string `yaml:"items" json:"items"`
	Source string   `yaml:"source" json:"source"`
	Line   int      `yaml:"-" json:"-"`
}

// Tool is a form (sN.tK) attached to a deal.
type Tool struct {
	ID     string  `yaml:"id" json:"id"`
	Name   Text    `yaml:"name" json:"name"`
	Fields []Field `yaml:"fields" json:"fields"`
	// Log marks a tool whose fill is one entry of a list (a call log, an
	// objection log, one row per person): every fill adds an entry instead
	// of replacing the form. A log needs at least one required field.
	Log    bool   `yaml:"log,omitempty" json:"log,omitempty"`
	Source string `yaml:"source" json:"source"`
	Line   int    `yaml:"-" json:"-"`
}

// Process is a key process (sN.pK), optionally referring to techniques.
type Process struct {
	ID     string   `yaml:"id" json:"id"`
	Name   Text     `yaml:"name" json:"name"`
	Text   Text     `yaml:"text" json:"text"`
	Refs   []string `yaml:"refs,omitempty" json:"refs,omitempty"` // technique ids, e.g. "vr.5", "nd.1"
	Source string   `yaml:"source" json:"source"`
	Line   int      `yaml:"-" json:"-"`
}

// Stage is one of the eight stages of the sales process.
type Stage struct {
	ID             string `yaml:"id" json:"id"` // "s1".."s8"
	Number         int    `yaml:"-" json:"number"`
	Name           Text   `yaml:"name" json:"name"`
	BuyerStage     Text   `yaml:"buyer_stage" json:"buyer_stage"` // the paired customer buying stage C1..C8
	Goal           Text   `yaml:"goal" json:"goal"`
	EndSignal      Text   `yaml:"end_signal" json:"end_signal"`
	MilestoneName  Text   `yaml:"milestone_name" json:"milestone_name"`
	SuccessName    Text   `yaml:"success_name" json:"success_name"`
	WinProbability int    `yaml:"win_probability" json:"win_probability"` // percent, applies once reached
	StallDays      int    `yaml:"stall_days" json:"stall_days"`           // default stall threshold
	Source         string `yaml:"source" json:"source"`

	Milestone    []Item      `yaml:"milestone" json:"milestone"`
	Success      []Item      `yaml:"success" json:"success"`
	Relationship []Item      `yaml:"relationship" json:"relationship"`
	Info         []InfoGroup `yaml:"info" json:"info"`
	Evaluation   []EvalItem  `yaml:"evaluation" json:"evaluation"`
	Tools        []Tool      `yaml:"tools" json:"tools"`
	Processes    []Process   `yaml:"processes" json:"processes"`
	Line         int         `yaml:"-" json:"-"`
}

// Technique is a questioning or selling technique, a rule or a checklist
// line of the method (q.*, nd.*, bp.*, pp.*, ph.*, phr.*, prep.*, vr.*,
// case.*, hq.*, demo.*, g.*).
type Technique struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"` // short title
	Text   Text   `yaml:"text" json:"text"` // the full wording
	Source string `yaml:"source" json:"source"`
	// Reminders are the rules (technique ids) to keep in mind while a
	// guided session is at this step, e.g. the phone rules phr.*.
	Reminders []string `yaml:"reminders,omitempty" json:"reminders,omitempty"`
	Line      int      `yaml:"-" json:"-"`
}

// Playbook is the whole method.
type Playbook struct {
	Version    string      `yaml:"version" json:"version"`
	Name       Text        `yaml:"name" json:"name"`
	Stages     []Stage     `yaml:"stages" json:"stages"`
	Techniques []Technique `yaml:"techniques" json:"techniques"`
	// Questions are ready-made open questions (ids "oq.<subject>.<n>", the
	// subject being a stage id such as "s1" or a technique id or family such
	// as "nd.1" or "bp") that coaching features can suggest.
	Questions []Technique `yaml:"questions" json:"questions"`
	// Forecast and Focus: see forecast.go.
	Forecast Forecast    `yaml:"forecast" json:"forecast"`
	Focus    []FocusRule `yaml:"focus" json:"focus"`
	// Evidence holds the note reader's phrases (evidence.go).
	Evidence Evidence `yaml:"evidence" json:"evidence"`

	// Indexes built by Load; not part of the file.
	items      map[string]*Item
	techniques map[string]*Technique
	tools      map[string]*Tool
	infos      map[string]*InfoGroup
	questions  map[string]*Technique
}

// Stage returns stage n (1..8), or nil.
func (p *Playbook) Stage(n int) *Stage {
	if n < 1 || n > len(p.Stages) {
		return nil
	}
	return &p.Stages[n-1]
}

// Item returns the checklist item with the given id (case-insensitive).
func (p *Playbook) Item(id string) (*Item, bool) {
	it, ok := p.items[strings.ToLower(id)]
	return it, ok
}

// Technique returns the technique with the given id.
func (p *Playbook) Technique(id string) (*Technique, bool) {
	t, ok := p.techniques[strings.ToLower(id)]
	return t, ok
}

// Tool returns the tool (form) with the given id.
func (p *Playbook) Tool(id string) (*Tool, bool) {
	t, ok := p.tools[strings.ToLower(id)]
	return t, ok
}

// InfoGroup returns the information group with the given id ("s1.i1").
func (p *Playbook) InfoGroup(id string) (*InfoGroup, bool) {
	g, ok := p.infos[strings.ToLower(id)]
	return g, ok
}

// Question returns the open question with the given id ("oq.nd.1.1").
func (p *Playbook) Question(id string) (*Technique, bool) {
	q, ok := p.questions[strings.ToLower(id)]
	return q, ok
}

// QuestionsFor returns, in file order, the open questions for a subject: a
// stage id ("s1"), a technique id ("nd.1", "ph.2") or a technique family
// ("bp", "pp"). The "oq." prefix may be included. Questions of a narrower
// subject are not included: QuestionsFor("nd") does not return oq.nd.1.*.
func (p *Playbook) QuestionsFor(subject string) []Technique {
	subject = strings.TrimPrefix(strings.ToLower(subject), "oq.")
	var out []Technique
	for _, q := range p.Questions {
		rest, ok := strings.CutPrefix(q.ID, "oq."+subject+".")
		if ok && rest != "" && !strings.Contains(rest, ".") {
			out = append(out, q)
		}
	}
	return out
}

// TechniquesWithPrefix returns the techniques whose id starts with prefix
// (e.g. "vr." or "nd.2"), in file order.
func (p *Playbook) TechniquesWithPrefix(prefix string) []Technique {
	var out []Technique
	for _, t := range p.Techniques {
		if strings.HasPrefix(t.ID, prefix) {
			out = append(out, t)
		}
	}
	return out
}

// Checklist returns the milestone and success items of a stage, in order.
func (s *Stage) Checklist() []Item {
	out := make([]Item, 0, len(s.Milestone)+len(s.Success))
	out = append(out, s.Milestone...)
	return append(out, s.Success...)
}

// ItemIDs returns the ids of every milestone, success and relationship item
// of the stage.
func (s *Stage) ItemIDs() []string {
	var ids []string
	for _, list := range [][]Item{s.Milestone, s.Success, s.Relationship} {
		for _, it := range list {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// index builds the lookup maps. It is called by Load after validation.
func (p *Playbook) index() {
	p.items = map[string]*Item{}
	p.techniques = map[string]*Technique{}
	p.tools = map[string]*Tool{}
	p.infos = map[string]*InfoGroup{}
	for si := range p.Stages {
		s := &p.Stages[si]
		s.Number = si + 1
		for _, list := range []*[]Item{&s.Milestone, &s.Success, &s.Relationship} {
			for i := range *list {
				it := &(*list)[i]
				it.Stage = s.Number
				it.Kind = KindOf(it.ID)
				p.items[strings.ToLower(it.ID)] = it
			}
		}
		for i := range s.Tools {
			p.tools[strings.ToLower(s.Tools[i].ID)] = &s.Tools[i]
		}
		for i := range s.Info {
			p.infos[strings.ToLower(s.Info[i].ID)] = &s.Info[i]
		}
	}
	for i := range p.Techniques {
		p.techniques[strings.ToLower(p.Techniques[i].ID)] = &p.Techniques[i]
	}
	p.questions = map[string]*Technique{}
	for i := range p.Questions {
		p.questions[strings.ToLower(p.Questions[i].ID)] = &p.Questions[i]
	}
}

// KindOf derives an item's kind from its id: "s2.m1" → milestone.
func KindOf(id string) string {
	dot := strings.IndexByte(id, '.')
	if dot < 0 || dot+1 >= len(id) {
		return ""
	}
	switch id[dot+1] {
	case 'm':
		return KindMilestone
	case 's':
		return KindSuccess
	case 'r':
		return KindRelationship
	}
	return ""
}

// StageOf returns the stage number encoded in an id like "s3.m2" (0 if none).
func StageOf(id string) int {
	if len(id) < 3 || (id[0] != 's' && id[0] != 'S') || id[2] != '.' {
		return 0
	}
	n := int(id[1] - '0')
	if n < 1 || n > 9 {
		return 0
	}
	return n
}

// InfoKey is the full key of an information field: "s1.i1.size".
func InfoKey(group, field string) string { return fmt.Sprintf("%s.%s", group, field) }
