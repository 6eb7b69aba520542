package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// TestCoachingKeys: every message key the coaching files use exists in the
// catalog (T would show a missing key as the key itself), including the
// keys built from kinds, phases and steps.
func TestCoachingKeys(t *testing.T) {
	files, _ := filepath.Glob("*.go") // every file of the package, not only the coaching ones
	re := regexp.MustCompile(`q\.T\("([a-z_.]+)"`)
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				keys[m[1]] = true
			}
		}
	}
	for _, k := range coach.SessionKinds {
		keys["session.kind."+k], keys["session.kinddesc."+k] = true, true
	}
	for _, p := range []string{coach.PhaseOpen, coach.PhaseControl, coach.PhaseConfirm, coach.PhaseDone} {
		keys["session.phase."+p] = true
	}
	for _, st := range coach.SessionSteps(coach.SessionNeeds) {
		keys["session.confirm."+st], keys["session.control.one."+st], keys["session.control.choice."+st] = true, true, true
	}
	for _, f := range coach.CaseFields {
		keys["case.field."+f.Key] = true
	}
	for _, k := range []string{"tip.price_range", "tip.demo_no_questions", "cmd.coach", "cmd.prep", "cmd.form", "cmd.case"} {
		keys[k] = true
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys", len(keys))
	}
	for k := range keys {
		if _, ok := catalog[k]; !ok {
			t.Errorf("missing message %q", k)
		}
	}
}

func TestSplitSessionOp(t *testing.T) {
	tests := []struct{ in, op, rest string }{
		{"next", opNext, ""},
		{"Next", opNext, ""},
		{"下一步", opNext, ""},
		{"correct the cause is X", opCorrect, "the cause is X"},
		{"更正 成本太高", opCorrect, "成本太高"},
		{"更正:成本太高", opCorrect, "成本太高"},
		{"更正：成本太高", opCorrect, "成本太高"},
		{"更正规的流程", "", "更正规的流程"},
		{"确认", opConfirm, ""},
		{"nextgen ERP is slow", "", "nextgen ERP is slow"},
		{"stop-gap fixes everywhere", "", "stop-gap fixes everywhere"},
		{"end users complain", "", "end users complain"},
		{"back office is slow", "", "back office is slow"},
		{" stop ", opStop, ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			op, rest := splitSessionOp(tc.in)
			if op != tc.op || rest != tc.rest {
				t.Fatalf("got %q %q", op, rest)
			}
		})
	}
}

// TestQuoteArg: a quoted value reads back as the same single value.
func TestQuoteArg(t *testing.T) {
	for _, v := range []string{"plain", "two words", `say "hi" now`, "it's“odd”", "a=b", "「x」 and \"y\" and “z”"} {
		toks := Tokenize("info D-1 k=" + quoteArg(v))
		if len(toks) != 3 || toks[2].Key != "k" {
			t.Fatalf("%q: tokens %+v", v, toks)
		}
		if got := toks[2].Value; got != v {
			t.Fatalf("%q read back as %q", v, got)
		}
	}
}
