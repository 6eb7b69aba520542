package bot_test

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestSubCommandsFromTable: sub-commands have their own help, and the
// "expected one of" lists and usage lines come from the command table.
func TestSubCommandsFromTable(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	for _, c := range e.Router.Commands() {
		for _, s := range append([]*bot.Command{c}, c.Sub...) {
			if s != c && s.Parent() != c {
				t.Errorf("%s %s: parent not set", c.Name, s.Name)
			}
			for _, l := range []playbook.Lang{playbook.ZH, playbook.EN} {
				if got := bot.T(l, s.SummaryKey()); got == s.SummaryKey() || got == "" {
					t.Errorf("%s: no %s summary", s.SummaryKey(), l)
				}
			}
		}
	}
	tests := []struct {
		user, in string
		want     []string
	}{
		{"alice", "help team", []string{"team [role|add|reports|lang|tz|llm|digest|alerts|base|webhook|mirror …]", "team role <user> <admin|manager|rep> (角色)", "team digest monday 09:00 Asia/Shanghai"}},
		{"alice", "help team role", []string{"team role <user> <admin|manager|rep>", "Set a member's role"}},
		{"alice", "help contact", []string{"contact <deal> remove <contact> (rm, delete, 删除)"}},
		{"alice", "help coach", []string{"coach <deal> [needs|phone|budget|process]", "coach <deal> next (n, 下一步, 继续)", "coach <deal> needs (need, 需求)"}},
		{"alice", "coach D-1 bogus", []string{"expected needs|phone|budget|process"}},
		{"alice", "team bogus", []string{`"bogus" is not a valid team: expected role|add|reports|lang|tz|llm|digest|alerts|base|webhook|mirror`, "Usage: team [role|add|reports|lang|tz|llm|digest|alerts|base|webhook|mirror …]"}},
		{"alice", "contact D-1 bogus", []string{"expected add|edit|remove|list"}},
		{"alice", "case bogus", []string{"expected add|list|show|remove"}},
		{"alice", "team 角色 bob admin", []string{"No team member"}},
		{"alice", "contact D-1 添加 Wang", []string{"Wang"}},
		{"alice", "contact D-1 列表", []string{"#1 Wang"}},
		{"alice", "contact D-1 edit", []string{"Missing contact", "Usage: contact <deal> edit <contact>"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			mustContain(t, e.Ask(tt.user, tt.in), tt.want...)
		})
	}
}

// TestFormRunsTheTypedCommand: a submitted form runs the same handler as
// the typed command (the new-deal reply carries its summary either way).
func TestFormRunsTheTypedCommand(t *testing.T) {
	e := bottest.New(t)
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "new", Values: map[string]string{"name": "Acme ERP", "value": "1.2m"}})
	if !strings.Contains(rep.Summary, "D-1") {
		t.Fatalf("form new summary = %q", rep.Summary)
	}
	rep = e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "meet", Deal: "D-1", Values: map[string]string{"date": "2026-13-40", "time": "10:00"}})
	if _, ok := rep.FieldErrors["date"]; !ok {
		t.Fatalf("bad date: field errors = %v", rep.FieldErrors)
	}
	rep = e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "contact", Deal: "D-1", Values: map[string]string{"name": "", "title": "CFO"}})
	if _, ok := rep.FieldErrors["name"]; !ok {
		t.Fatalf("contact without name: field errors = %v (%s)", rep.FieldErrors, rep.PlainText())
	}
	rep = e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "nope", Deal: "D-1"})
	if !rep.Error {
		t.Fatalf("unknown form accepted: %s", rep.PlainText())
	}
}
