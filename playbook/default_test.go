package playbook

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The complete id list of playbook-spec.md §1–§4. Ids are stable: a change
// here is a change of the spec.
var specStageIDs = []string{
	"s1", "s1.m1", "s1.m2", "s1.m3", "s1.s1", "s1.s2", "s1.r1", "s1.i1", "s1.i2", "s1.e1", "s1.e2", "s1.e3",
	"s1.t1", "s1.t2", "s1.t3", "s1.t4", "s1.p1", "s1.p2", "s1.p3", "s1.p4", "s1.p5",
	"s2", "s2.m1", "s2.m2", "s2.s1", "s2.s2", "s2.s3", "s2.s4", "s2.s5", "s2.r1", "s2.i1", "s2.i2", "s2.e1",
	"s2.e2", "s2.e3", "s2.t1", "s2.t2", "s2.t3", "s2.t4", "s2.t5", "s2.t6", "s2.t7", "s2.t8", "s2.p1", "s2.p2",
	"s2.p3", "s2.p4", "s2.p5", "s2.p6", "s2.p7", "s2.p8",
	"s3", "s3.m1", "s3.m2", "s3.s1", "s3.s2", "s3.s3", "s3.s4", "s3.r1", "s3.i1", "s3.i2", "s3.i3", "s3.i4",
	"s3.i5", "s3.i6", "s3.e1", "s3.e2", "s3.e3", "s3.e4", "s3.t1", "s3.t2", "s3.p1", "s3.p2", "s3.p3", "s3.p4",
	"s3.p5", "s3.p6", "s3.p7",
	"s4", "s4.m1", "s4.m2", "s4.s1", "s4.s2", "s4.s3", "s4.s4", "s4.r1", "s4.i1", "s4.i2", "s4.i3", "s4.e1",
	"s4.e2", "s4.e3", "s4.t1", "s4.t2", "s4.t3", "s4.t4", "s4.p1", "s4.p2", "s4.p3", "s4.p4",
	"s5", "s5.m1", "s5.m2", "s5.s1", "s5.s2", "s5.s3", "s5.s4", "s5.r1", "s5.i1", "s5.i2", "s5.i3", "s5.i4",
	"s5.e1", "s5.e2", "s5.e3", "s5.t1", "s5.t2", "s5.t3",
	"s6", "s6.m1", "s6.m2", "s6.s1", "s6.s2", "s6.s3", "s6.r1", "s6.i1", "s6.i2", "s6.i3", "s6.i4", "s6.e1",
	"s6.e2", "s6.e3", "s6.t1", "s6.t2", "s6.t3",
	"s7", "s7.m1", "s7.m2", "s7.s1", "s7.s2", "s7.s3", "s7.r1", "s7.i1", "s7.i2", "s7.i3", "s7.i4", "s7.e1",
	"s7.e2", "s7.t1", "s7.t2", "s7.t3",
	"s8", "s8.m1", "s8.s1", "s8.s2", "s8.s3", "s8.r1", "s8.i1", "s8.i2", "s8.i3", "s8.i4", "s8.e1", "s8.e2",
	"s8.e3", "s8.t1", "s8.t2",
}

var specTechniqueIDs = []string{
	"g.1", "g.2", "g.3", "g.4", "g.5", "g.6", "g.7", "g.8",
	"q.open", "q.control", "q.confirm", "q.fallback",
	"nd.1", "nd.2", "nd.2a", "nd.2b", "nd.2c", "nd.2d", "nd.2e", "nd.2f", "nd.2g", "nd.3",
	"bp.1", "bp.2", "bp.3", "pp.1", "pp.2", "pp.3", "pp.4", "ph.1", "ph.2", "ph.3",
	"phr.1", "phr.2", "phr.3", "phr.4", "phr.5", "prep.1", "prep.2", "prep.3", "prep.4", "prep.5", "prep.6",
	"vr.1", "vr.2", "vr.3", "vr.4", "vr.5", "vr.6", "vr.7", "vr.8", "vr.9", "case.1", "case.2", "case.3",
	"case.4", "case.5", "case.6",
	"hq.1", "hq.2", "hq.3", "hq.4", "hq.5", "hq.6", "hq.7", "hq.8", "hq.9", "hq.10", "hq.11", "hq.12", "hq.13",
	"hq.14", "hq.15",
	"demo.b1", "demo.b2", "demo.b3", "demo.b4", "demo.d1", "demo.d2", "demo.d3", "demo.d4", "demo.d5",
	"demo.d6", "demo.d7", "demo.d8", "demo.d9", "demo.d10", "demo.d11",
	"demo.r1", "demo.r2", "demo.r3", "demo.c1", "demo.c2", "demo.c3",
}

// allIDs returns every id defined in p, in file order.
func allIDs(p *Playbook) []string {
	var ids []string
	for _, s := range p.Stages {
		ids = append(ids, s.ID)
		ids = append(ids, s.ItemIDs()...)
		for _, g := range s.Info {
			ids = append(ids, g.ID)
		}
		for _, e := range s.Evaluation {
			ids = append(ids, e.ID)
		}
		for _, t := range s.Tools {
			ids = append(ids, t.ID)
		}
		for _, pr := range s.Processes {
			ids = append(ids, pr.ID)
		}
	}
	for _, t := range p.Techniques {
		ids = append(ids, t.ID)
	}
	return ids
}

func TestDefaultHasExactlyTheSpecIDs(t *testing.T) {
	p := Default()
	got := allIDs(p)
	want := append(slices.Clone(specStageIDs), specTechniqueIDs...)
	slices.Sort(got)
	slices.Sort(want)
	for _, id := range want {
		if _, ok := slices.BinarySearch(got, id); !ok {
			t.Errorf("spec id %s missing from the default playbook", id)
		}
	}
	for _, id := range got {
		if _, ok := slices.BinarySearch(want, id); !ok {
			t.Errorf("id %s is not in the spec", id)
		}
	}
}

func TestDefaultLookups(t *testing.T) {
	p := Default()
	for _, id := range specStageIDs {
		var found bool
		switch {
		case !strings.Contains(id, "."):
			found = p.Stage(StageOf(id+".x")) != nil && p.Stage(StageOf(id+".x")).ID == id
		case KindOf(id) != "":
			it, ok := p.Item(id)
			found = ok && it.ID == id && it.Kind == KindOf(id) && it.Stage == StageOf(id) && it.Line > 0
		case id[3] == 'i':
			_, found = p.InfoGroup(id)
		case id[3] == 't':
			_, found = p.Tool(id)
		default:
			found = true // evaluation items and processes have no lookup
		}
		if !found {
			t.Errorf("lookup of %s failed", id)
		}
	}
	for _, id := range specTechniqueIDs {
		if tq, ok := p.Technique(strings.ToUpper(id)); !ok || tq.ID != id {
			t.Errorf("Technique(%q) failed", id)
		}
	}
}

func TestDefaultStages(t *testing.T) {
	p := Default()
	win := []int{5, 10, 20, 30, 45, 60, 80, 95}
	stall := []int{14, 21, 21, 30, 30, 21, 14, 14}
	for i, s := range p.Stages {
		if s.Number != i+1 || s.WinProbability != win[i] || s.StallDays != stall[i] {
			t.Errorf("%s: number %d, win %d, stall %d; want %d, %d, %d", s.ID, s.Number, s.WinProbability, s.StallDays, i+1, win[i], stall[i])
		}
		if want := "C" + string(rune('1'+i)) + " "; !strings.HasPrefix(s.BuyerStage.ZH, want) || !strings.HasPrefix(s.BuyerStage.EN, want) {
			t.Errorf("%s: buyer_stage %q does not start with %q", s.ID, s.BuyerStage, want)
		}
	}
}

func keys(fields []Field) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Key)
	}
	return out
}

func TestDefaultSpecDetails(t *testing.T) {
	p := Default()
	t.Run("info keys", func(t *testing.T) {
		for id, want := range map[string][]string{
			"s1.i1": {"size", "industry_position", "profitability", "investment", "credit", "project_scale", "project_value", "project_priority"},
			"s1.i2": {"title", "responsibilities", "personality", "interests"},
			"s2.i1": {"steps", "decision_process", "key_people", "project_owner"},
			"s2.i2": {"basic_requirements", "value", "competitors", "scale_budget", "decision_process", "schedule",
				"causes", "impact", "departments", "conditions", "budget_range"},
		} {
			g, ok := p.InfoGroup(id)
			if !ok {
				t.Fatalf("no %s", id)
			}
			if got := keys(g.Fields); !slices.Equal(got, want) {
				t.Errorf("%s keys = %v, want %v", id, got, want)
			}
		}
	})
	t.Run("evaluation items", func(t *testing.T) {
		want := map[string][]string{
			"s1.e1": {"created"}, "s1.e2": {"s1.m2"}, "s1.e3": {"s1.s1"},
			"s2.e1": {"s2.m2"}, "s2.e2": {"s2.s1"}, "s2.e3": {"s2.s5"},
			"s3.e1": {"s3.m1"}, "s3.e2": {"s3.s1"}, "s3.e3": {"s3.s3"}, "s3.e4": {"s3.s3"},
			"s4.e1": {"s4.m1", "s4.m2"},
		}
		seen := 0
		for _, s := range p.Stages {
			for _, e := range s.Evaluation {
				if w, ok := want[e.ID]; ok {
					seen++
					if !slices.Equal(e.Items, w) {
						t.Errorf("%s items = %v, want %v", e.ID, e.Items, w)
					}
				}
			}
		}
		if seen != len(want) {
			t.Errorf("found %d of %d evaluation items", seen, len(want))
		}
	})
	t.Run("process refs", func(t *testing.T) {
		want := map[string][]string{
			"s1.p5": {"ph.1", "ph.2", "ph.3", "phr.1", "phr.2", "phr.3", "phr.4", "phr.5"},
			"s2.p1": {"vr.5", "vr.6", "vr.7", "vr.8", "vr.9"},
			"s2.p2": {"prep.1", "prep.2", "prep.3", "prep.4", "prep.5", "prep.6"},
			"s2.p4": {"case.1", "case.2", "case.3", "case.4", "case.5", "case.6"},
			"s2.p5": {"vr.1", "vr.2", "vr.3", "vr.4"},
			"s2.p6": {"nd.1", "nd.2", "nd.3"},
			"s2.p7": {"bp.1", "bp.2", "bp.3"},
			"s2.p8": {"pp.1", "pp.2", "pp.3", "pp.4"},
			"s4.p3": {"demo.r1", "demo.r2", "demo.r3"},
			"s4.p4": {"demo.c1", "demo.c2", "demo.c3"},
		}
		for _, s := range p.Stages {
			for _, pr := range s.Processes {
				if w, ok := want[pr.ID]; ok && !slices.Equal(pr.Refs, w) {
					t.Errorf("%s refs = %v, want %v", pr.ID, pr.Refs, w)
				}
			}
		}
	})
	t.Run("form links", func(t *testing.T) {
		links := map[string]string{}
		for _, s := range p.Stages {
			for _, tl := range s.Tools {
				for _, f := range tl.Fields {
					if f.Info != "" {
						links[tl.ID+"."+f.Key] = f.Info
					}
				}
			}
		}
		for form, info := range map[string]string{
			"s1.t2.size": "s1.i1.size", "s1.t2.project_priority": "s1.i1.project_priority",
			"s1.t3.title": "s1.i2.title", "s1.t3.interests": "s1.i2.interests",
			"s2.t1.cause": "s2.i2.causes", "s2.t1.impact": "s2.i2.impact",
		} {
			if links[form] != info {
				t.Errorf("%s links to %q, want %q", form, links[form], info)
			}
		}
		// Every s1.i1 and s1.i2 field can be filled from a form.
		filled := map[string]bool{}
		for _, info := range links {
			filled[info] = true
		}
		for _, id := range []string{"s1.i1", "s1.i2"} {
			g, _ := p.InfoGroup(id)
			for _, f := range g.Fields {
				if !filled[InfoKey(id, f.Key)] {
					t.Errorf("no form fills %s", InfoKey(id, f.Key))
				}
			}
		}
	})
	t.Run("forms", func(t *testing.T) {
		for id, want := range map[string][]string{
			"s2.t1": {"attendees", "pain", "cause", "impact", "next_step"},
			"s2.t6": {"name", "title", "role", "attitude", "concerns"},
			"s2.t7": {"person", "l1_product", "l1_company", "l2_product", "l2_company", "l3_product", "l3_company"},
			"s2.t8": {"person", "target_level", "actions"},
		} {
			tl, _ := p.Tool(id)
			got := keys(tl.Fields)
			for _, k := range want {
				if !slices.Contains(got, k) {
					t.Errorf("%s has no field %s (has %v)", id, k, got)
				}
			}
		}
		tl, _ := p.Tool("s1.t4")
		i := slices.IndexFunc(tl.Fields, func(f Field) bool { return f.Key == "class" })
		if i < 0 || tl.Fields[i].Type != "choice" || !slices.Equal(tl.Fields[i].Choices, []string{"A", "B", "C"}) || !tl.Fields[i].Required {
			t.Errorf("s1.t4 class field wrong: %+v", tl.Fields)
		}
		for _, s := range p.Stages {
			for _, tl := range s.Tools {
				if !slices.ContainsFunc(tl.Fields, func(f Field) bool { return f.Required }) {
					t.Errorf("%s has no required field", tl.ID)
				}
			}
		}
	})
	t.Run("sources", func(t *testing.T) {
		for id, want := range map[string]string{
			"s1.m1": SourceSeedGrouped, "s3.s4": SourceSeedGrouped, "s4.m1": SourceDrafted, "s4.s1": SourceSeedGrouped,
			"s5.m1": SourceSeed, "s5.s2": SourceDrafted, "s7.s1": SourceRelated, "s8.m1": SourceRelated,
			"s8.s3": SourceDrafted,
		} {
			if it, _ := p.Item(id); it.Source != want {
				t.Errorf("%s source %q, want %q", id, it.Source, want)
			}
		}
		for id, want := range map[string]string{"g.1": SourceSeed, "g.8": SourceDrafted, "nd.2g": SourceSeed} {
			if tq, _ := p.Technique(id); tq.Source != want {
				t.Errorf("%s source %q, want %q", id, tq.Source, want)
			}
		}
	})
	t.Run("questions", func(t *testing.T) {
		subjects := []string{"nd.1", "nd.2", "nd.3", "bp", "pp", "ph.2"}
		for _, s := range p.Stages {
			subjects = append(subjects, s.ID)
		}
		for _, subj := range subjects {
			qs := p.QuestionsFor(subj)
			if len(qs) < 2 || len(qs) > 3 {
				t.Errorf("QuestionsFor(%q) = %d questions, want 2–3", subj, len(qs))
			}
			for _, q := range qs {
				if got, ok := p.Question(q.ID); !ok || got.Text != q.Text || q.Source != SourceDrafted {
					t.Errorf("Question(%q) = %v, %v", q.ID, got, ok)
				}
			}
		}
	})
}

var han = func(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// The seed's spun synonyms that spec §0 normalises; they must not reappear
// in zh text (stage names keep the seed's form).
var unnormalised = []string{"用户", "造访", "爱好", "供给商", "决议", "统计", "发觉", "评定", "功效", "购置", "团体"}

// eachText calls fn for every Text reachable from v, with a path for
// messages. Stage names are marked so the caller can exempt them.
func eachText(v reflect.Value, path string, fn func(path string, t Text)) {
	switch v.Kind() {
	case reflect.Pointer:
		eachText(v.Elem(), path, fn)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Text]() {
			fn(path, v.Interface().(Text))
			return
		}
		name := path
		if f := v.FieldByName("ID"); f.IsValid() && f.String() != "" {
			name = f.String()
		} else if f := v.FieldByName("Key"); f.IsValid() && f.String() != "" {
			name = path + "." + f.String()
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				eachText(v.Field(i), name+"/"+v.Type().Field(i).Name, fn)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			eachText(v.Index(i), path, fn)
		}
	}
}

func TestDefaultParity(t *testing.T) {
	n := 0
	eachText(reflect.ValueOf(Default()), "playbook", func(path string, tx Text) {
		n++
		zh, en := strings.TrimSpace(tx.ZH), strings.TrimSpace(tx.EN)
		if (zh == "") != (en == "") {
			t.Errorf("%s: only one language: %q / %q", path, tx.ZH, tx.EN)
		}
		if zh != "" && !han(zh) {
			t.Errorf("%s: zh text has no Chinese: %q", path, zh)
		}
		if han(en) {
			t.Errorf("%s: en text contains Chinese: %q", path, en)
		}
		if strings.ContainsAny(zh, ",;") || strings.Contains(zh, ": ") {
			t.Errorf("%s: zh text uses ASCII punctuation: %q", path, zh)
		}
		if strings.HasSuffix(path, "/Name") && strings.Count(path, "/") == 1 && strings.HasPrefix(path, "s") {
			return // stage names keep the seed's form
		}
		for _, w := range unnormalised {
			if strings.Contains(zh, w) {
				t.Errorf("%s: zh text has un-normalised %q: %q", path, w, zh)
			}
		}
	})
	if n < 800 {
		t.Errorf("only %d texts visited; the walk is broken", n)
	}
}

// TestDefaultLogTools: the tools that list one entry per call, person or
// objection are logs (spec tools: call log, roles and attitudes, the
// relationship grid and plan per person, customer feedback, question and
// demand log, evaluator roles, objection log); the others are forms.
func TestDefaultLogTools(t *testing.T) {
	want := map[string]bool{"s1.t1": true, "s2.t6": true, "s2.t7": true, "s2.t8": true, "s3.t2": true, "s4.t2": true, "s6.t2": true, "s6.t3": true}
	pb := Default()
	for _, st := range pb.Stages {
		for _, tl := range st.Tools {
			if tl.Log != want[tl.ID] {
				t.Errorf("%s: log = %v, want %v", tl.ID, tl.Log, want[tl.ID])
			}
		}
	}
}
