package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestBotMakesNoDecisions: bot translates, coach decides. No bot code
// reaches the store (svc.Store) or edits a team directly (UpdateTeam), and
// none compares member roles (coach.RoleAdmin, RoleManager, RoleRep):
// permissions are coach methods returning coded errors.
func TestBotMakesNoDecisions(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := map[string]string{
		"Store":       "the store (ask a coach method)",
		"UpdateTeam":  "a direct team update (use a coach method that checks permissions)",
		"RoleAdmin":   "a role check (coach decides)",
		"RoleManager": "a role check (coach decides)",
		"RoleRep":     "a role check (coach decides)",
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(af, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			why, bad := banned[sel.Sel.Name]
			if !bad {
				return true
			}
			// r.svc.Store, svc.UpdateTeam, coach.RoleRep
			switch x := sel.X.(type) {
			case *ast.SelectorExpr:
				bad = x.Sel.Name == "svc"
			case *ast.Ident:
				bad = x.Name == "svc" || x.Name == "coach"
			default:
				bad = false
			}
			if bad {
				t.Errorf("%s: %s.%s is %s", fset.Position(sel.Pos()), exprName(sel.X), sel.Sel.Name, why)
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
}

func exprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprName(x.X) + "." + x.Sel.Name
	}
	return "?"
}
