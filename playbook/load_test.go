package playbook

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// wants reads the "# want: msg | msg" annotations of a fixture: each names a
// problem expected on that line (msg is a substring of the message).
func wants(tb testing.TB, data []byte) map[int][]string {
	tb.Helper()
	out := map[int][]string{}
	for i, line := range strings.Split(string(data), "\n") {
		_, w, ok := strings.Cut(line, "# want: ")
		if !ok {
			continue
		}
		for _, m := range strings.Split(w, "|") {
			out[i+1] = append(out[i+1], strings.TrimSpace(m))
		}
	}
	return out
}

func problems(tb testing.TB, err error) []Problem {
	tb.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	if len(ve.Problems) == 0 {
		tb.Fatal("ValidationError without problems")
	}
	return ve.Problems
}

// TestInvalidFixtures loads every testdata/invalid file and checks that
// exactly the annotated problems are reported, each on its line.
func TestInvalidFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := wants(t, data)
			if len(want) == 0 {
				t.Fatal("fixture has no # want: annotations")
			}
			p, err := Load(file, data)
			if p != nil || err == nil {
				t.Fatal("invalid fixture loaded")
			}
			got := map[int][]string{}
			for _, pr := range problems(t, err) {
				if pr.File != file {
					t.Errorf("problem file %q, want %q", pr.File, file)
				}
				got[pr.Line] = append(got[pr.Line], pr.Msg)
			}
			for line, msgs := range want {
				for _, w := range msgs {
					i := slices.IndexFunc(got[line], func(m string) bool { return strings.Contains(m, w) })
					if i < 0 {
						t.Errorf("line %d: no problem containing %q; got %q", line, w, got[line])
						continue
					}
					got[line] = slices.Delete(got[line], i, i+1)
				}
			}
			for line, msgs := range got {
				for _, m := range msgs {
					t.Errorf("line %d: unexpected problem %q", line, m)
				}
			}
		})
	}
}

func TestValidFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if _, err := LoadFile(file); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFullFixture(t *testing.T) {
	p, err := LoadFile("testdata/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Stages) != 2 || p.Version != "2" {
		t.Fatalf("stages %d, version %q", len(p.Stages), p.Version)
	}
	s2 := p.Stage(2)
	// s2 merges s1 (<<: *s1) and overrides some keys.
	if s2.ID != "s2" || s2.Name.EN != "Stage one" || s2.StallDays != 16 || len(s2.Tools) != 0 || s2.Number != 2 {
		t.Errorf("merged stage wrong: %+v", s2)
	}
	if s2.Line <= p.Stage(1).Line {
		t.Errorf("stage lines %d, %d", p.Stage(1).Line, s2.Line)
	}
	tl, ok := p.Tool("S1.T1")
	if !ok || tl.Fields[1].Labels[1].In(ZH) != "乙类" || tl.Fields[0].Info != "s1.i1.size" || !tl.Fields[0].Required {
		t.Errorf("tool s1.t1 = %+v", tl)
	}
	if it, ok := p.Item("s1.r1"); !ok || it.Kind != KindRelationship || it.Stage != 1 || it.Class != "R" {
		t.Errorf("s1.r1 = %+v", it)
	}
	if got := p.Stage(1).ItemIDs(); !slices.Equal(got, []string{"s1.m1", "s1.s1", "s1.r1"}) {
		t.Errorf("ItemIDs = %v", got)
	}
	if got := p.Stage(1).Checklist(); len(got) != 2 || got[0].ID != "s1.m1" || got[1].ID != "s1.s1" {
		t.Errorf("Checklist = %v", got)
	}
	for subject, want := range map[string][]string{
		"s1": {"oq.s1.1"}, "oq.s1": {"oq.s1.1"}, "q.open": {"oq.q.open.1"}, "nd": {"oq.nd.1"}, "q": nil, "s2": nil,
	} {
		var got []string
		for _, q := range p.QuestionsFor(subject) {
			got = append(got, q.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("QuestionsFor(%q) = %v, want %v", subject, got, want)
		}
	}
	if _, ok := p.Question("OQ.S1.1"); !ok {
		t.Error("Question is not case-insensitive")
	}
	if p.Stage(0) != nil || p.Stage(3) != nil {
		t.Error("Stage out of range is not nil")
	}
	if got := p.TechniquesWithPrefix("nd."); len(got) != 1 || got[0].ID != "nd.2a" {
		t.Errorf("TechniquesWithPrefix = %v", got)
	}
}

func TestTooManyStages(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: {zh: 测试, en: Test}\nstages:\n")
	line := 3
	var tenth int
	for n := 1; n <= 10; n++ {
		if n == 10 {
			tenth = line
		}
		fmt.Fprintf(&b, "  - {id: s%d, name: {zh: 阶段, en: Stage}, buyer_stage: {zh: 买方, en: Buyer}, goal: {zh: 目标, en: Goal},"+
			" end_signal: {zh: 信号, en: Signal}, milestone_name: {zh: 里程碑, en: Milestone}, success_name: {zh: 成功, en: Success},"+
			" win_probability: %d, stall_days: 7, source: drafted,"+
			" milestone: [{id: s%d.m1, class: P, text: {zh: 甲, en: A}, source: drafted}],"+
			" success: [{id: s%d.s1, class: P, text: {zh: 乙, en: B}, source: drafted}]}\n", n, n*10, n, n)
		line++
	}
	_, err := Load("ten.yaml", []byte(b.String()))
	probs := problems(t, err)
	var found bool
	for _, p := range probs {
		if p.Line == tenth && strings.Contains(p.Msg, "more than 9 stages") {
			found = true
		}
	}
	if !found {
		t.Errorf("no 'more than 9 stages' at line %d: %v", tenth, err)
	}
	// Nine stages are fine.
	nine := strings.Join(strings.Split(b.String(), "\n")[:11], "\n")
	if _, err := Load("nine.yaml", []byte(nine)); err != nil {
		t.Errorf("nine stages: %v", err)
	}
}

func TestLoadEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line       int
		msg        string
	}{
		{"empty", "", 1, "empty playbook"},
		{"comment only", "# nothing here\n", 1, "empty playbook"},
		{"null document", "---\n~\n", 1, "empty playbook"},
		{"list", "- a\n- b\n", 1, "playbook: expected a mapping, got a list"},
		{"scalar", "hello\n", 1, `playbook: expected a mapping, got "hello"`},
		{"no stages", "name: {zh: 测试, en: Test}\n", 1, "playbook has no stages"},
		{"tab indent", "name:\n\t zh: x\n", 2, "yaml: "},
		{"duplicate key", "name: {zh: a, en: b}\nname: {zh: a, en: b}\n", 2, `playbook: duplicate key "name" (first at line 1)`},
		{"flow not closed", "a: 1\nname: {zh: a, en: b\nstages: []\n", 2, "yaml: did not find expected ',' or '}'"},
		{"unclosed on line 1", "{name: 1", 1, "yaml: did not find expected ',' or '}'"},
		{"unknown anchor", "name: {zh: a, en: b}\nstages: *nope\n", 2, "yaml: unknown anchor 'nope' referenced"},
		{"block not closed", "name: 1\n- a\n", 2, "yaml: did not find expected key"},
		{"key not a string", "? [a]\n: b\n", 1, "keys must be plain strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("x.yaml", []byte(tc.data))
			if err == nil {
				t.Fatal("no error")
			}
			probs := problems(t, err)
			if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Line == tc.line && strings.Contains(p.Msg, tc.msg) }) {
				t.Errorf("want line %d %q, got:\n%v", tc.line, tc.msg, err)
			}
		})
	}
}

// TestAliasBomb checks that a small file expanding to billions of nodes is
// rejected instead of being decoded.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: {zh: 测试, en: Test}\nlabel: &l0 {zh: 甲, en: A}\n")
	// labels (50) × fields (50) × tools (50) × stages (50) = 6 250 000 labels.
	b.WriteString("x: &f {key: a, name: {zh: 甲, en: A}, type: choice, choices: [a], labels: [" + strings.Repeat("*l0, ", 49) + "*l0]}\n")
	b.WriteString("y: &t {id: s1.t1, name: {zh: 甲, en: A}, source: seed, fields: [" + strings.Repeat("*f, ", 49) + "*f]}\n")
	b.WriteString("z: &s {id: s1, tools: [" + strings.Repeat("*t, ", 49) + "*t]}\n")
	b.WriteString("stages: [" + strings.Repeat("*s, ", 49) + "*s]\n")
	_, err := Load("bomb.yaml", []byte(b.String()))
	probs := problems(t, err)
	if !slices.ContainsFunc(probs, func(p Problem) bool { return strings.Contains(p.Msg, "document too large") }) {
		t.Errorf("no 'document too large' problem: %d problems, first %v", len(probs), probs[0])
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(path, DefaultYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := LoadFile(path)
	if err != nil || len(p.Stages) != 8 {
		t.Fatalf("LoadFile: %v", err)
	}
	if p == Default() {
		t.Error("LoadFile returned the shared default")
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: {zh: 测试, en: Test}\nstages: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(bad)
	if want := bad + ":2: playbook has no stages"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestDefaultShared(t *testing.T) {
	if a, b := Default(), Default(); a != b {
		t.Error("Default is parsed more than once")
	}
	c := DefaultYAML()
	c[0] = 'X'
	if DefaultYAML()[0] == 'X' {
		t.Error("DefaultYAML returns the embedded bytes")
	}
}

func TestValidationErrorFormat(t *testing.T) {
	e := &ValidationError{Problems: []Problem{
		{File: "a.yaml", Line: 3, Msg: "one"},
		{File: "a.yaml", Msg: "two"},
	}}
	if got, want := e.Error(), "a.yaml:3: one\na.yaml: two"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTextIn(t *testing.T) {
	for _, tc := range []struct {
		t    Text
		l    Lang
		want string
	}{
		{Text{"中", "en"}, ZH, "中"},
		{Text{"中", "en"}, EN, "en"},
		{Text{"", "en"}, ZH, "en"},
		{Text{"中", ""}, EN, "中"},
	} {
		if got := tc.t.In(tc.l); got != tc.want {
			t.Errorf("%v.In(%s) = %q, want %q", tc.t, tc.l, got, tc.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"zh": ZH, " zh-CN ": ZH, "中文": ZH, "EN": EN, "en_us": EN, "英语": EN, "fr": "", "": ""} {
		got, ok := ParseLang(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestIDHelpers(t *testing.T) {
	for _, tc := range []struct {
		id    string
		kind  string
		stage int
	}{
		{"s2.m1", KindMilestone, 2}, {"s8.s3", KindSuccess, 8}, {"s3.r1", KindRelationship, 3},
		{"s1.i1", "", 1}, {"created", "", 0}, {"s", "", 0}, {"s0.m1", KindMilestone, 0}, {"vr.5", "", 0},
	} {
		if got := KindOf(tc.id); got != tc.kind {
			t.Errorf("KindOf(%q) = %q, want %q", tc.id, got, tc.kind)
		}
		if got := StageOf(tc.id); got != tc.stage {
			t.Errorf("StageOf(%q) = %d, want %d", tc.id, got, tc.stage)
		}
	}
	if got := InfoKey("s1.i1", "size"); got != "s1.i1.size" {
		t.Errorf("InfoKey = %q", got)
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(defaultYAML)))
	for b.Loop() {
		if _, err := Load(DefaultFile, defaultYAML); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLoad checks that no input makes Load panic and that its result is
// consistent: a playbook with working indexes, or a ValidationError whose
// problems name the file. The seed corpus (testdata/fuzz/FuzzLoad) holds the
// default playbook and every fixture. The default seed is large, so limit
// minimisation or the fuzzer spends its time there:
//
//	go test -run '^$' -fuzz FuzzLoad -fuzztime 2m -fuzzminimizetime 1x ./playbook/
func FuzzLoad(f *testing.F) {
	f.Add(defaultYAML)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load("fuzz.yaml", data)
		if err != nil {
			if p != nil {
				t.Fatal("both a playbook and an error")
			}
			for _, pr := range problems(t, err) {
				if pr.File != "fuzz.yaml" || pr.Line < 0 || pr.Msg == "" {
					t.Fatalf("bad problem %+v", pr)
				}
			}
			return
		}
		if len(p.Stages) == 0 || len(p.Stages) > MaxStages {
			t.Fatalf("%d stages", len(p.Stages))
		}
		for _, s := range p.Stages {
			for _, id := range s.ItemIDs() {
				if it, ok := p.Item(id); !ok || it.Stage != s.Number {
					t.Fatalf("item %s not indexed", id)
				}
			}
		}
	})
}
