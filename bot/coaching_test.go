package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
	"github.com/stagecoach/stagecoach/playbook"
)

// reach ticks every item of stages before n and the milestone of n.
func reach(t *testing.T, e *bottest.Env, user, deal string, n int) {
	t.Helper()
	var ids []string
	for i := 1; i <= n; i++ {
		st := e.Playbook.Stage(i)
		for _, it := range st.Milestone {
			ids = append(ids, it.ID)
		}
		if i < n {
			for _, it := range st.Success {
				ids = append(ids, it.ID)
			}
		}
	}
	if len(ids) > 0 {
		e.Ask(user, "check "+deal+" "+strings.Join(ids, " "))
	}
}

func TestPrepEachStage(t *testing.T) {
	for n := 0; n <= 8; n++ {
		t.Run(fmt.Sprint("stage", n), func(t *testing.T) {
			e := bottest.New(t)
			e.Ask("alice", `new "Acme ERP" customer=Acme industry=manufacturing`)
			e.Ask("alice", `case add "Steel MES" industry=manufacturing tags=mes`)
			reach(t, e, "alice", "D-1", n)
			out := e.Ask("alice", "prep D-1")
			stage := max(n, 1)
			st := e.Playbook.Stage(stage)
			for _, w := range []string{fmt.Sprint("Prep D-1 · Acme ERP — stage ", stage), st.EndSignal.EN, "Still open: ", "0 contacts", "No decision-maker", "Ask:", "`prep D-1 full`"} {
				if !strings.Contains(out, w) {
					t.Fatalf("stage %d: want %q in:\n%s", n, w, out)
				}
			}
			if lines := strings.Count(strings.TrimSpace(out), "\n") + 1; lines > 12 {
				t.Fatalf("stage %d: first screen has %d lines:\n%s", n, lines, out)
			}
			full := e.Ask("alice", "prep D-1 full")
			for _, w := range []string{"prep.1 Identify the key people", "prep.6 Cases and a solution hint: C-1 Steel MES", "vr.1 Every visit must progress",
				"vr.4 ", "Next control questions:", "C-1 Steel MES · manufacturing · mes (same industry)", "Goal of the stage: " + st.Goal.EN} {
				if !strings.Contains(full, w) {
					t.Fatalf("stage %d full: want %q in:\n%s", n, w, full)
				}
			}
		})
	}
}

// TestPrepReply is the proactive entry point the nudges use.
func TestPrepReply(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "lang zh")
	team, err := e.Store.GetTeam(context.Background(), e.Team)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Router.PrepReply(context.Background(), team, e.Deal("D-1"), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if out := console.Render(rep); !strings.Contains(out, "拜访准备 D-1 · Acme ERP") || !strings.Contains(out, "`prep D-1 full`") {
		t.Fatalf("zh prep:\n%s", out)
	}
	rep, _ = e.Router.PrepReply(context.Background(), team, e.Deal("D-1"), playbook.EN, true)
	if out := console.Render(rep); !strings.Contains(out, "Pre-call checklist") || rep.Summary == "" {
		t.Fatalf("en full prep:\n%s", out)
	}
}

func TestForms(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	reach(t, e, "alice", "D-1", 2)
	tests := []struct {
		say  string
		want []string
	}{
		{"form D-1", []string{"Forms of D-1 — stage 2", "○ s2.t1 Visit summary report — 0/6 fields, required 0/4", "`form D-1 s2.t4`"}},
		{"form D-1 s2.t1", []string{"s2.t1 Visit summary report · D-1", "visit_date — Visit date *", "`form D-1 s2.t1 visit_date=…"}},
		{`form D-1 s2.t1 visit_date=2026-12-03 cause="manual entry" pain=slow`, []string{"saved (3 fields)", "cause = manual entry", "Also recorded as information: s2.i2.causes", "Still required: attendees, next_step"}},
		{"form D-1 s2.t1 visit_date=tomorrow", []string{`"tomorrow" is not a valid visit_date: expected YYYY-MM-DD`}},
		{"form D-1 s2.t2 resource=bogus", []string{"expected presales|expert|management|budget|other"}},
		{"form D-1 s2.t9", []string{`There is no form "s2.t9"`, "s2.t1, s2.t2"}},
		{"form D-1 s2.t1 colour=red", []string{`Unknown field "colour"`}},
		{"info D-1", []string{"✓ Causes of the problem `causes`: manual entry"}},
		{"show D-1", []string{"Forms: 0/8 complete", "◐ Visit summary report: `form D-1 s2.t1`", "○ Resource support request: `form D-1 s2.t2`"}},
		{"history D-1", []string{"form Visit summary report · Causes: manual entry", "info Causes of the problem: manual entry"}},
	}
	for _, tc := range tests {
		out := e.Ask("alice", tc.say)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Fatalf("%q: want %q in:\n%s", tc.say, w, out)
			}
		}
	}
	// a submitted form: required fields and field errors
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "s2.t1", Deal: "D-1", Values: map[string]string{"visit_date": "2026-13-01", "attendees": "Wang"}})
	if !rep.Error || rep.FieldErrors["visit_date"] == "" {
		t.Fatalf("bad date not on the field: %+v", rep)
	}
	rep = e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "s2.t1", Deal: "D-1", Values: map[string]string{"attendees": "Wang", "next_step": ""}})
	if !rep.Error || rep.FieldErrors["next_step"] == "" {
		t.Fatalf("missing required not on the field: %+v", rep)
	}
	rep = e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "s2.t1", Deal: "D-1", Values: map[string]string{"attendees": "Wang", "next_step": "proposal", "impact": "overtime"}})
	if rep.Error || !strings.Contains(console.Render(rep), "Also recorded as information: s2.i2.impact") {
		t.Fatalf("submit:\n%s", console.Render(rep))
	}
	if out := e.Ask("alice", "show D-1"); !strings.Contains(out, "Forms: 1/8 complete") || !strings.Contains(out, "● Visit summary report") {
		t.Fatalf("complete form not on the card:\n%s", out)
	}
	rep = e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "s9.t9", Deal: "D-1", Values: map[string]string{"x": "y"}})
	if !rep.Error {
		t.Fatalf("unknown tool accepted: %+v", rep)
	}
}

func TestCases(t *testing.T) {
	e := bottest.New(t)
	runScript(t, e, "alice", []step{
		{say: "case list", want: []string{"Reference cases (0)", "No cases yet"}},
		{say: `case add "Steel MES" industry=manufacturing problem="late deliveries" result="on-time 97%" tags=mes,erp`, want: []string{"Added case C-1 “Steel MES”", "case.2 Key problem: late deliveries", "Still empty: background, cause, measures, solution"}},
		{say: `案例 添加 "Bank CRM" industry=banking tags=crm`, want: []string{"已添加案例 C-2“Bank CRM”"}}, // typed in Chinese, answered in Chinese
		{say: "case add industry=x", want: []string{"Missing title"}},
		{say: "case add T colour=red", want: []string{`Unknown field "colour"`}},
		{say: "case list", want: []string{"Reference cases (2)", "C-1 Steel MES · manufacturing · mes, erp", "C-2 Bank CRM · banking · crm"}},
		{say: "case show steel", want: []string{"C-1 · Steel MES", "case.6 Status and effect on revenue: on-time 97%"}},
		{say: "case show C-7", want: []string{`No reference case "C-7"`}},
		{say: `new "Acme ERP" industry=banking`},
		{say: "prep D-1 full", want: []string{"C-2 Bank CRM · banking · crm (same industry)"}},
		{say: "coach D-1 needs", want: []string{"Reference cases to tell (same industry first): C-2 Bank CRM"}},
		{say: "stop"},
		{say: "case remove C-1", want: []string{"Removed case C-1"}},
		{say: "case list", want: []string{"Reference cases (1)"}},
	})
	if out := e.Ask("bob", "case remove C-2"); !strings.Contains(out, "doesn't allow") {
		t.Fatalf("rep removed someone else's case:\n%s", out)
	}
}

func TestCoachingTips(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	reach(t, e, "alice", "D-1", 3)
	runScript(t, e, "alice", []step{
		{say: "info D-1 s6.i3.prices=1200000", want: []string{"give any price only as a range"}},
		{say: "info D-1 s6.i3.prices=1.1-1.3m", notWant: []string{"give any price only as a range"}},
		{say: "edit D-1 value=900k", want: []string{"give any price only as a range"}},
		{say: "note D-1 demo prep: no questions yet from IT", notWant: []string{"no intent to buy"}},
	})
	e2 := bottest.New(t)
	e2.Ask("alice", `new "Acme ERP"`)
	reach(t, e2, "alice", "D-1", 2)
	runScript(t, e2, "alice", []step{
		{say: "check D-1 s3.m2", want: []string{"never submit a proposal before the needs are understood"}},
	})
	reach(t, e2, "alice", "D-1", 4)
	runScript(t, e2, "alice", []step{
		{say: "note D-1 the demo drew no questions", want: []string{"no questions may mean no intent to buy"}},
		{say: "lost D-1 price too high", want: []string{"don't answer price pressure with bare price cuts"}},
	})
	e3 := bottest.New(t)
	e3.Ask("alice", `new "Acme ERP"`)
	reach(t, e3, "alice", "D-1", 3)
	e3.Ask("alice", "note D-1 没有人提问")
	if out := e3.Ask("alice", "check D-1 s4.m1"); !strings.Contains(out, "no questions may mean no intent to buy") {
		t.Fatalf("tick after a no-questions note:\n%s", out)
	}
}

// TestHelpStillWorks: the coaching commands appear in help, and session
// words are not commands.
func TestHelpStillWorks(t *testing.T) {
	e := bottest.New(t)
	out := e.Ask("alice", "help")
	for _, w := range []string{"coach <deal> [needs|phone|budget|process] (辅导)", "prep <deal> [full] (准备)", "form <deal>", "(表单)", "(案例)", "check <deal>"} {
		if !strings.Contains(out, w) {
			t.Fatalf("help: want %q in:\n%s", w, out)
		}
	}
	for _, w := range []string{"next", "tense", "skip", "back", "stop", "status", "confirmed", "correct", "下一步", "紧张", "确认", "更正"} {
		if _, ok := e.Router.Lookup(w); ok {
			t.Fatalf("%q is a global command", w)
		}
	}
	// `apply` is the notes' command (issue 11); during a session it is the
	// session's word (TestNeedDiscoverySession)
	if out := e.Ask("alice", "help coach"); !strings.Contains(out, "coach D-1 needs") {
		t.Fatalf("help coach:\n%s", out)
	}
	e.Ask("li", "lang zh")
	if out := e.Ask("li", "帮助"); !strings.Contains(out, "与客户交谈时的引导式提问") {
		t.Fatalf("zh help:\n%s", out)
	}
}
