package playbook

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MaxStages is the most stages a playbook may have (ids s1..s9).
const MaxStages = 9

// CreatedID is the pseudo checklist id an evaluation item may name to count
// the creation of a deal (s1.e1 "new prospects developed").
const CreatedID = "created"

// Field types a form or information field may declare.
var fieldTypes = map[string]bool{"": true, "text": true, "long": true, "date": true, "number": true, "choice": true}

var (
	stageIDRE     = regexp.MustCompile(`^s([1-9])$`)
	stagePartRE   = regexp.MustCompile(`^s([0-9]+)\.([a-z])([0-9]+)$`)
	techniqueIDRE = regexp.MustCompile(`^[a-z][a-z0-9]*(\.[a-z0-9]+)+$`)
	questionIDRE  = regexp.MustCompile(`^oq((?:\.[a-z0-9]+)+)\.[1-9][0-9]*$`)
	snakeRE       = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	infoLinkRE    = regexp.MustCompile(`^(s[1-9]\.i[1-9][0-9]*)\.([^.]+)$`)
)

var sources = map[string]bool{SourceSeed: true, SourceSeedGrouped: true, SourceRelated: true, SourceDrafted: true}

var kindLetter = map[string]byte{KindMilestone: 'm', KindSuccess: 's', KindRelationship: 'r'}

// validator collects every problem of a decoded playbook.
type validator struct {
	file  string
	pos   positions
	probs []Problem
	ids   map[string]int // every defined id -> line
	infos map[string]map[string]bool
	techs map[string]bool
	// families are the prefixes of technique ids ("nd", "demo"), which
	// questions may name as their subject.
	families map[string]bool
}

func (v *validator) errorf(line int, format string, args ...any) {
	v.probs = append(v.probs, Problem{File: v.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// validate checks p as decoded from file; pos gives the lines.
func validate(file string, p *Playbook, pos positions) []Problem {
	v := &validator{file: file, pos: pos, ids: map[string]int{}, infos: map[string]map[string]bool{}, techs: map[string]bool{}, families: map[string]bool{}}
	v.collect(p)
	v.text(p, "name", p.Name, "playbook", true)
	if len(p.Stages) == 0 {
		v.errorf(pos.at(p, "stages"), "playbook has no stages")
	}
	if len(p.Stages) > MaxStages {
		v.errorf(pos.at(&p.Stages[MaxStages], ""), "more than %d stages", MaxStages)
	}
	prevWin := 0
	for i := range p.Stages {
		s := &p.Stages[i]
		v.stage(s, i+1)
		if s.WinProbability < prevWin {
			v.errorf(pos.at(s, "win_probability"), "%s: win_probability %d is lower than the previous stage's %d", s.ID, s.WinProbability, prevWin)
		}
		prevWin = max(prevWin, s.WinProbability)
	}
	for i := range p.Techniques {
		t := &p.Techniques[i]
		v.technique(t)
	}
	for i := range p.Questions {
		v.question(&p.Questions[i])
	}
	v.validateForecast(p)
	v.evidence(p)
	return v.probs
}

// collect records every id (reporting missing and duplicate ones) so that
// references can be checked regardless of order.
func (v *validator) collect(p *Playbook) {
	add := func(owner any, id, what string) {
		line := v.pos.at(owner, "id")
		if strings.TrimSpace(id) == "" {
			v.errorf(line, "%s without id", what)
			return
		}
		if id == CreatedID {
			v.errorf(line, "%q is reserved and cannot be used as an id", id)
			return
		}
		if first, dup := v.ids[id]; dup {
			v.errorf(line, "duplicate id %s (first defined at line %d)", id, first)
			return
		}
		v.ids[id] = line
	}
	for i := range p.Stages {
		s := &p.Stages[i]
		add(s, s.ID, "stage")
		for _, list := range [][]Item{s.Milestone, s.Success, s.Relationship} {
			for j := range list {
				add(&list[j], list[j].ID, "item")
			}
		}
		for j := range s.Info {
			g := &s.Info[j]
			add(g, g.ID, "info group")
			keys := map[string]bool{}
			for _, f := range g.Fields {
				keys[f.Key] = true
			}
			v.infos[g.ID] = keys
		}
		for j := range s.Evaluation {
			add(&s.Evaluation[j], s.Evaluation[j].ID, "evaluation item")
		}
		for j := range s.Tools {
			add(&s.Tools[j], s.Tools[j].ID, "tool")
		}
		for j := range s.Processes {
			add(&s.Processes[j], s.Processes[j].ID, "process")
		}
	}
	for i := range p.Techniques {
		id := p.Techniques[i].ID
		add(&p.Techniques[i], id, "technique")
		v.techs[id] = true
		// Every proper dotted prefix is a family: "demo.b1" -> "demo".
		for j := strings.IndexByte(id, '.'); j > 0; {
			v.families[id[:j]] = true
			k := strings.IndexByte(id[j+1:], '.')
			if k < 0 {
				break
			}
			j += 1 + k
		}
	}
	for i := range p.Questions {
		add(&p.Questions[i], p.Questions[i].ID, "question")
	}
}

// text checks a bilingual text: required texts need both languages,
// optional ones both or neither.
func (v *validator) text(owner any, key string, t Text, who string, required bool) {
	zh, en := strings.TrimSpace(t.ZH) != "", strings.TrimSpace(t.EN) != ""
	line := v.pos.at(owner, key)
	switch {
	case zh && en:
	case !zh && !en:
		if required {
			v.errorf(line, "%s: missing %s (zh and en)", who, key)
		}
	case !zh:
		v.errorf(line, "%s: %s has no zh text", who, key)
	default:
		v.errorf(line, "%s: %s has no en text", who, key)
	}
}

func (v *validator) source(owner any, src, who string) {
	if !sources[src] {
		if src == "" {
			v.errorf(v.pos.at(owner, ""), "%s: missing source (seed, seed*, related or drafted)", who)
		} else {
			v.errorf(v.pos.at(owner, "source"), "%s: source %q is not one of seed, seed*, related, drafted", who, src)
		}
	}
}

// partID checks an id of the form sN.<letter>K that must belong to stage n.
func (v *validator) partID(owner any, id string, n int, letter byte, what string) bool {
	if id == "" || id == CreatedID {
		return false // reported by collect
	}
	line := v.pos.at(owner, "id")
	m := stagePartRE.FindStringSubmatch(id)
	if m == nil || m[1][0] == '0' || m[3][0] == '0' {
		v.errorf(line, "malformed %s id %q (want s%d.%c<number>)", what, id, n, letter)
		return false
	}
	ok := true
	if m[2][0] != letter {
		v.errorf(line, "%s: wrong kind for %s (want s%d.%c<number>)", id, what, n, letter)
		ok = false
	}
	if sn, _ := strconv.Atoi(m[1]); sn != n {
		v.errorf(line, "%s: belongs to stage s%d but is listed in s%d", id, sn, n)
		ok = false
	}
	return ok
}

func (v *validator) stage(s *Stage, n int) {
	who := s.ID
	if who == "" {
		who = fmt.Sprintf("stage %d", n)
	}
	line := v.pos.at(s, "id")
	if s.ID != "" {
		if m := stageIDRE.FindStringSubmatch(s.ID); m == nil {
			v.errorf(line, "malformed stage id %q (want s1..s%d)", s.ID, MaxStages)
		} else if want := fmt.Sprintf("s%d", n); s.ID != want {
			v.errorf(line, "stage %s out of order or a stage is missing: stage %d must be %s", s.ID, n, want)
		}
	}
	v.text(s, "name", s.Name, who, true)
	v.text(s, "buyer_stage", s.BuyerStage, who, true)
	v.text(s, "goal", s.Goal, who, true)
	v.text(s, "end_signal", s.EndSignal, who, true)
	v.text(s, "milestone_name", s.MilestoneName, who, true)
	v.text(s, "success_name", s.SuccessName, who, true)
	if s.WinProbability < 0 || s.WinProbability > 100 {
		v.errorf(v.pos.at(s, "win_probability"), "%s: win_probability %d is not within 0..100", who, s.WinProbability)
	}
	if s.StallDays <= 0 {
		v.errorf(v.pos.at(s, "stall_days"), "%s: stall_days must be greater than 0", who)
	}
	v.source(s, s.Source, who)
	if len(s.Milestone) == 0 {
		v.errorf(v.pos.at(s, "milestone"), "%s: needs at least one milestone item", who)
	}
	if len(s.Success) == 0 {
		v.errorf(v.pos.at(s, "success"), "%s: needs at least one success item", who)
	}
	for _, l := range []struct {
		kind  string
		items []Item
	}{{KindMilestone, s.Milestone}, {KindSuccess, s.Success}, {KindRelationship, s.Relationship}} {
		for i := range l.items {
			v.item(&l.items[i], n, l.kind)
		}
	}
	for i := range s.Info {
		g := &s.Info[i]
		v.partID(g, g.ID, n, 'i', "info group")
		v.text(g, "name", g.Name, g.ID, true)
		v.fields(g, g.ID, g.Fields)
		v.source(g, g.Source, g.ID)
	}
	for i := range s.Evaluation {
		e := &s.Evaluation[i]
		v.partID(e, e.ID, n, 'e', "evaluation item")
		v.text(e, "text", e.Text, e.ID, true)
		v.text(e, "evidence", e.Evidence, e.ID, false)
		if len(e.Items) == 0 {
			v.errorf(v.pos.at(e, "items"), "%s: items must name at least one checklist id", e.ID)
		}
		for _, ref := range e.Items {
			if ref == CreatedID {
				continue
			}
			if _, ok := v.ids[ref]; !ok || KindOf(ref) == "" || StageOf(ref) == 0 {
				v.errorf(v.pos.at(e, "items"), "%s: items: %q is not a checklist item id", e.ID, ref)
			}
		}
		v.source(e, e.Source, e.ID)
	}
	for i := range s.Tools {
		t := &s.Tools[i]
		v.partID(t, t.ID, n, 't', "tool")
		v.text(t, "name", t.Name, t.ID, true)
		v.fields(t, t.ID, t.Fields)
		if t.Log && !slices.ContainsFunc(t.Fields, func(f Field) bool { return f.Required }) {
			v.errorf(v.pos.at(t, "log"), "%s: a log needs a required field (an entry must say something)", t.ID)
		}
		v.source(t, t.Source, t.ID)
	}
	for i := range s.Processes {
		pr := &s.Processes[i]
		v.partID(pr, pr.ID, n, 'p', "process")
		v.text(pr, "name", pr.Name, pr.ID, true)
		v.text(pr, "text", pr.Text, pr.ID, true)
		for _, ref := range pr.Refs {
			if !v.techs[ref] {
				v.errorf(v.pos.at(pr, "refs"), "%s: refs: %q is not a technique id", pr.ID, ref)
			}
		}
		v.source(pr, pr.Source, pr.ID)
	}
}

func (v *validator) item(it *Item, n int, kind string) {
	v.partID(it, it.ID, n, kindLetter[kind], kind+" item")
	who := it.ID
	if who == "" {
		who = kind + " item"
	}
	switch it.Class {
	case "P", "R", "I":
	case "":
		v.errorf(v.pos.at(it, ""), "%s: missing class (P, R or I)", who)
	default:
		v.errorf(v.pos.at(it, "class"), "%s: class %q is not P, R or I", who, it.Class)
	}
	v.text(it, "text", it.Text, who, true)
	v.text(it, "detail", it.Detail, who, false)
	v.source(it, it.Source, who)
	for i := range it.Tips {
		tip := &it.Tips[i]
		if !snakeRE.MatchString(tip.Code) {
			v.errorf(v.pos.at(tip, "code"), "%s: tip code %q is not snake_case", who, tip.Code)
		}
		if _, ok := v.ids[tip.Ref]; !ok && !v.techs[tip.Ref] {
			v.errorf(v.pos.at(tip, "ref"), "%s: tip %s: ref %q is not a technique or process id", who, tip.Code, tip.Ref)
		}
		if tip.Unless != "" {
			if _, ok := v.ids[tip.Unless]; !ok || KindOf(tip.Unless) == "" {
				v.errorf(v.pos.at(tip, "unless"), "%s: tip %s: unless %q is not a checklist item id", who, tip.Code, tip.Unless)
			}
		}
		if tip.When != "" && tip.When != TipWhenNoQuestions {
			v.errorf(v.pos.at(tip, "when"), "%s: tip %s: when %q is not %q", who, tip.Code, tip.When, TipWhenNoQuestions)
		}
	}
}

func (v *validator) fields(owner any, who string, fields []Field) {
	if len(fields) == 0 {
		v.errorf(v.pos.at(owner, "fields"), "%s: needs at least one field", who)
	}
	seen := map[string]bool{}
	for i := range fields {
		f := &fields[i]
		line := v.pos.at(f, "key")
		fwho := who + "." + f.Key
		switch {
		case f.Key == "":
			v.errorf(line, "%s: field without key", who)
			fwho = who + " field"
		case !snakeRE.MatchString(f.Key):
			v.errorf(line, "%s: field key %q is not snake_case", who, f.Key)
		case seen[f.Key]:
			v.errorf(line, "%s: duplicate field key %q", who, f.Key)
		}
		seen[f.Key] = true
		v.text(f, "name", f.Name, fwho, true)
		if !fieldTypes[f.Type] {
			v.errorf(v.pos.at(f, "type"), "%s: unknown type %q (text, long, date, number, choice)", fwho, f.Type)
		}
		if f.Type == "choice" && len(f.Choices) == 0 {
			v.errorf(v.pos.at(f, "type"), "%s: a choice field needs choices", fwho)
		}
		if f.Type != "choice" && len(f.Choices) > 0 {
			v.errorf(v.pos.at(f, "choices"), "%s: choices given but type is not choice", fwho)
		}
		seenChoice := map[string]bool{}
		for _, c := range f.Choices {
			if strings.TrimSpace(c) == "" || seenChoice[c] {
				v.errorf(v.pos.at(f, "choices"), "%s: empty or duplicate choice %q", fwho, c)
			}
			seenChoice[c] = true
		}
		if len(f.Labels) > 0 {
			if len(f.Labels) != len(f.Choices) {
				v.errorf(v.pos.at(f, "labels"), "%s: %d labels for %d choices", fwho, len(f.Labels), len(f.Choices))
			}
			for _, l := range f.Labels {
				v.text(f, "labels", l, fwho, true)
			}
		}
		if f.Info != "" {
			m := infoLinkRE.FindStringSubmatch(f.Info)
			if m == nil || !v.infos[m[1]][m[2]] {
				v.errorf(v.pos.at(f, "info"), "%s: info %q is not an information field (sN.iK.key)", fwho, f.Info)
			}
		}
	}
}

func (v *validator) technique(t *Technique) {
	if t.ID != "" && t.ID != CreatedID {
		line := v.pos.at(t, "id")
		switch {
		case !techniqueIDRE.MatchString(t.ID):
			v.errorf(line, "malformed technique id %q (want e.g. q.open, nd.2a, vr.5)", t.ID)
		case stagePartRE.MatchString(t.ID) || strings.HasPrefix(t.ID, "oq."):
			v.errorf(line, "%s: wrong kind: stage parts and questions do not belong in techniques", t.ID)
		}
	}
	who := t.ID
	if who == "" {
		who = "technique"
	}
	v.text(t, "name", t.Name, who, true)
	v.text(t, "text", t.Text, who, true)
	v.source(t, t.Source, who)
	for _, ref := range t.Reminders {
		if !v.techs[ref] {
			v.errorf(v.pos.at(t, "reminders"), "%s: reminders: %q is not a technique id", who, ref)
		}
	}
}

func (v *validator) question(q *Technique) {
	who := q.ID
	if who == "" {
		who = "question"
	}
	if q.ID != "" && q.ID != CreatedID {
		line := v.pos.at(q, "id")
		if m := questionIDRE.FindStringSubmatch(q.ID); m == nil {
			v.errorf(line, "malformed question id %q (want oq.<stage or technique>.<number>, e.g. oq.nd.1.1)", q.ID)
		} else if subject := m[1][1:]; !v.questionSubject(subject) {
			v.errorf(line, "%s: %q is neither a stage, a technique nor a technique family", q.ID, subject)
		}
	}
	v.text(q, "name", q.Name, who, false)
	v.text(q, "text", q.Text, who, true)
	v.source(q, q.Source, who)
}

func (v *validator) questionSubject(s string) bool {
	if stageIDRE.MatchString(s) {
		_, ok := v.ids[s]
		return ok
	}
	return v.techs[s] || v.families[s]
}
