package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/playbook"
)

// coachConsts reads the string constants of package coach from its source,
// so a code added there is checked here without a list to keep in step.
func coachConsts(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../coach/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("coach sources: %v", err)
	}
	vals := map[string]string{}
	idents := map[string]string{} // const = other const
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					switch v := vs.Values[i].(type) {
					case *ast.BasicLit:
						if s, err := strconv.Unquote(v.Value); err == nil && v.Kind == token.STRING {
							vals[n.Name] = s
						}
					case *ast.Ident:
						idents[n.Name] = v.Name
					}
				}
			}
		}
	}
	for n, other := range idents {
		if v, ok := vals[other]; ok {
			vals[n] = v
		}
	}
	return vals
}

// TestCoachCodesHaveTexts fails when a coach error code, flag, tip or
// session note, or a tip code of the default playbook, lacks a zh or en
// text in the catalog.
func TestCoachCodesHaveTexts(t *testing.T) {
	prefixes := map[string]string{"Code": "err.", "Flag": "flag.", "Tip": "tip.", "Note": "session."}
	n := 0
	for name, v := range coachConsts(t) {
		for p, key := range prefixes {
			if !strings.HasPrefix(name, p) || len(name) == len(p) || strings.ToUpper(name[len(p):len(p)+1]) != name[len(p):len(p)+1] {
				continue
			}
			n++
			checkText(t, name, key+v)
		}
	}
	if n < 30 {
		t.Fatalf("found only %d coach codes", n)
	}
	pb := playbook.Default()
	for _, st := range pb.Stages {
		for _, items := range [][]playbook.Item{st.Milestone, st.Success, st.Relationship} {
			for _, it := range items {
				for _, tip := range it.Tips {
					checkText(t, it.ID+" tip", "tip."+tip.Code)
				}
			}
		}
	}
}

func checkText(t *testing.T, who, key string) {
	t.Helper()
	m, ok := catalog[key]
	switch {
	case !ok:
		t.Errorf("%s: no message %q", who, key)
	case m.ZH == "":
		t.Errorf("%s: %q has no zh text", who, key)
	case m.EN == "":
		t.Errorf("%s: %q has no en text", who, key)
	}
}
