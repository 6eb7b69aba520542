package bot_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
	"github.com/stagecoach/stagecoach/coach"
)

// buttonCommand returns the command of the first button whose command
// starts with prefix, or "".
func buttonCommand(rep bot.Reply, prefix string) string {
	for _, b := range rep.Blocks {
		if bs, ok := b.(bot.Buttons); ok {
			for _, x := range bs.Items {
				if strings.HasPrefix(x.Command, prefix) {
					return x.Command
				}
			}
		}
	}
	return ""
}

// tap presses a button: the action Slack and Lark send for a button.
func tap(e *bottest.Env, user, command string) bot.Reply {
	return e.Act(user, &bot.Action{Kind: bot.ActionCommand, Value: command})
}

func mustNotContain(t *testing.T, out string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(out, w) {
			t.Fatalf("output contains %q:\n%s", w, out)
		}
	}
}

func TestWonBelowStageEightAsksToConfirm(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" value=1m`)
	rep := e.Reply("alice", "won D-1 value=900k")
	out := console.Render(rep)
	mustContain(t, out, "D-1 has not reached stage 8", "Nothing was recorded", "s1.m1", "s8.m1", "`won D-1 confirm`")
	mustNotContain(t, out, "🎉")
	if d := e.Deal("D-1"); d.Status != coach.StatusOpen || d.Version != 1 {
		t.Fatalf("an unconfirmed won changed the deal: %+v", d)
	}
	cmd := buttonCommand(rep, "won D-1 confirm")
	if cmd != "won D-1 confirm value=900000" {
		t.Fatalf("confirm button %q", cmd)
	}
	out = console.Render(tap(e, "alice", cmd))
	mustContain(t, out, "🎉 D-1 won", "override below stage 8", "Final value 900,000", "won on 2026-11-23")
	d := e.Deal("D-1")
	if d.Status != coach.StatusWon || !d.WonOverride || d.Value != 900000 || d.CloseDate != "2026-11-23" {
		t.Fatalf("won deal %+v", d)
	}
	mustContain(t, e.Ask("alice", "history D-1"), "override won: stage 0")

	// won → lost only through reopen
	mustContain(t, e.Ask("alice", "lost D-1 price"), "D-1 is won; reopen it first")
	mustContain(t, e.Ask("alice", "reopen D-1"), "D-1 reopened")
	out = e.Ask("alice", "lost D-1 price too high competitor=Globex")
	mustContain(t, out, "D-1 marked lost", "Lost to Globex", "don't answer price pressure")
	if d := e.Deal("D-1"); d.LostReason != "price too high" || d.Competitor != "Globex" || d.WonOverride {
		t.Fatalf("lost deal %+v", d)
	}
	mustContain(t, e.Ask("alice", "won D-1 confirm"), "D-1 is lost; reopen it first")

	t.Run("zh confirm word and mistakes", func(t *testing.T) {
		e.Ask("alice", `new Globex`)
		mustContain(t, e.Ask("alice", "won D-2 date=2027-01-05 确认"), "2027-01-05 is still to come")
		mustContain(t, e.Ask("alice", "won D-2 date=2026-02-30 确认"), "There is no such day as 2026-02-30")
		mustContain(t, e.Ask("alice", "won D-2 maybe"), `"maybe" is not a valid won`)
		if d := e.Deal("D-2"); d.Status != coach.StatusOpen {
			t.Fatal("a refused won changed the deal")
		}
		mustContain(t, e.Ask("alice", "赢单 D-2 确认"), "🎉 D-2 赢单") // typed in Chinese, answered in Chinese
	})
}

func TestWonAtStageEightNeedsNoConfirm(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	for n := 1; n <= 8; n++ {
		var ids []string
		for _, it := range e.Playbook.Stage(n).Checklist() {
			ids = append(ids, it.ID)
		}
		e.Ask("alice", "check D-1 "+strings.Join(ids, " "))
	}
	out := e.Ask("alice", "won D-1")
	mustContain(t, out, "🎉 D-1 won")
	mustNotContain(t, out, "override")
}

func TestMeetingLifecycleInChat(t *testing.T) {
	e := bottest.New(t) // now: Monday 2026-11-23 09:00 UTC
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "contact D-1 add Wang role=handler")

	rep := e.Reply("alice", `meet D-1 2026-11-25 10:00 place=HQ topic="first visit"`)
	out := console.Render(rep)
	mustContain(t, out, "meeting booked for 2026-11-25 10:00", "evidence for items not ticked yet", "s1.s1")
	mustNotContain(t, out, "recorded as held")
	if e.Deal("D-1").IsChecked("s1.s1") {
		t.Fatal("booking ticked s1.s1 silently")
	}
	if cmd := buttonCommand(rep, "check D-1 s1.s1"); cmd == "" {
		t.Fatalf("no one-tap button for s1.s1:\n%s", out)
	} else {
		tap(e, "alice", cmd)
	}
	if !e.Deal("D-1").IsChecked("s1.s1") {
		t.Fatal("the offer button did not tick s1.s1")
	}

	e.Ask("alice", "meet D-1 2026-11-27 15:00 topic=demo")
	rep = e.Reply("alice", "meetings D-1")
	mustContain(t, console.Render(rep), "#1 2026-11-25 10:00 · HQ · first visit — booked", "#2 2026-11-27 15:00 · demo — booked")
	if buttonCommand(rep, "meet D-1 held 1") == "" || buttonCommand(rep, "meet D-1 cancel 2") == "" {
		t.Fatal("meetings lacks the held/cancel buttons")
	}

	mustContain(t, e.Ask("alice", "meet D-1 move 2 2026-11-30 11:00"), "meeting 2 moved to 2026-11-30 11:00")
	mustContain(t, e.Ask("alice", "meet D-1 move 2 2026-11-01 11:00"), "can't be moved into the past")
	mustContain(t, e.Ask("alice", "约见 D-1 取消 2"), "D-1：会谈 2 已取消")
	mustContain(t, e.Ask("alice", "meet D-1 held 2"), "Meeting 2 is cancelled, so it can't be marked held")

	e.Clock.Advance(50 * time.Hour)
	rep = e.Reply("alice", `meet D-1 held 1 outcome="pilot agreed" next="send the draft"`)
	out = console.Render(rep)
	mustContain(t, out, "meeting 1 recorded as held", "s2.m1")
	if buttonCommand(rep, "check D-1 s2.m1") == "" {
		t.Fatalf("no one-tap button for s2.m1:\n%s", out)
	}
	mustContain(t, e.Ask("alice", "meetings D-1"), "— held · outcome: pilot agreed · next: send the draft", "— cancelled")
	mustContain(t, e.Ask("alice", "meet D-1 cancel 1"), "Meeting 1 is held, so it can't be cancelled")
	out = e.Ask("alice", "meet D-1 cancel 9")
	mustContain(t, out, "D-1 has no meeting 9", "1, 2")

	// a time in the past is a held meeting, said once
	out = e.Ask("alice", "meet D-1 2026-11-20 10:00 topic=call")
	mustContain(t, out, "recorded as held (the time has passed)")
	mustNotContain(t, out, "meeting booked")

	t.Run("zh", func(t *testing.T) {
		e.Ask("alice", "lang zh")
		defer e.Ask("alice", "lang en")
		mustContain(t, e.Ask("alice", "会谈列表 D-1"), "会谈 · D-1", "已举行", "已取消")
		mustContain(t, e.Ask("alice", "meet D-1 cancel 1"), "会谈 1 已举行，不能取消。")
	})
}

func TestNudgeFlagRespectsThePlan(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "check D-1 s1.m1 s1.m2 s1.m3") // stage 1 reached, success open
	e.Clock.Advance(40 * 24 * time.Hour)
	out := e.Ask("alice", "show D-1")
	mustContain(t, out, "No checklist progress for 40 days", "limit 28 days")
	e.Ask("alice", "meet D-1 2027-06-01 10:00") // far ahead: no plan for this stage
	mustContain(t, e.Ask("alice", "show D-1"), "No checklist progress for 40 days", "was reached 40 days ago")
	e.Ask("alice", "meet D-1 "+e.Clock.Now().Add(10*24*time.Hour).Format("2006-01-02")+" 10:00")
	out = e.Ask("alice", "show D-1")
	mustNotContain(t, out, "No checklist progress", "success criteria are still open")
}

func TestLogFormsKeepEveryEntry(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "contact D-1 add Li role=handler")
	mustContain(t, e.Ask("alice", `form D-1 s4.t2 raised_by=Li demand="SSO support" contact=1`), "entry 1 added to s4.t2")
	out := e.Ask("alice", `form D-1 s4.t2 raised_by=Wang demand="on-prem"`)
	mustContain(t, out, "entry 2 added to s4.t2", "Entries (2):", "#1 · 2026-11-23 09:00 · alice · raised_by=Li, demand=SSO support · contact #1 Li", "#2 ", "demand=on-prem")
	mustContain(t, e.Ask("alice", "form D-1 s4.t2"), "Entries (2):", "SSO support", "on-prem", "`form D-1 s4.t2 remove <n>`")
	mustContain(t, e.Ask("alice", "form D-1 s4.t2 edit 1 status=answered"), "entry 1 of s4.t2 Question & demand log changed", "status=answered")
	mustContain(t, e.Ask("alice", "form D-1 s4.t2 remove 2"), "entry 2 removed from s4.t2 Question & demand log", "Entries (1):")
	mustContain(t, e.Ask("alice", "form D-1 s4.t2 remove 7"), "s4.t2 has no entry 7", "1")
	mustContain(t, e.Ask("alice", "form D-1 s2.t1 edit 1 pain=x"), "s2.t1 is a single form, not a log")
	mustContain(t, e.Ask("alice", "history D-1"), "form s4.t2#2", "form s4.t2#1.status")

	// a submitted form (the Slack/Lark modal) adds an entry too
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "s4.t2", Deal: "D-1", Values: map[string]string{"raised_by": "Zhao", "demand": "audit log", "answer": ""}})
	mustContain(t, console.Render(rep), "entry 3 added to s4.t2")
	if es := coach.LogEntries(e.Deal("D-1"), "s4.t2"); len(es) != 2 || es[1].N != 3 || es[1].Values["raised_by"] != "Zhao" {
		t.Fatalf("entries %v", es)
	}
	mustContain(t, e.Ask("alice", "form D-1"), "") // the stage-1 list renders
}

func TestPrepShowsTheBestCase(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `case add "Steel MES" industry=manufacturing result="on-time 97%"`)
	e.Ask("alice", `case add "Grid billing" industry=utilities`)
	e.Ask("alice", `new "Acme ERP" industry=manufacturing`)
	e.Ask("alice", `new "Initech" industry=IT`)
	mustContain(t, e.Ask("alice", "prep D-1"), "Bring: C-1 Steel MES")
	out := e.Ask("alice", "prep D-2")
	mustNotContain(t, out, "Bring:", "Grid billing")

	// the first visit booked in stage 1 is prepared as the stage-2 visit
	e.Ask("alice", "meet D-1 2026-11-25 10:00")
	out = e.Ask("alice", "prep D-1")
	mustContain(t, out, "stage 2 · Visit", "first visit", "Still open: s2.m1", "Bring: C-1 Steel MES")
	mustNotContain(t, out, "Still open: s1.")
}

func TestHistoryPages(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	for i := 1; i <= 40; i++ {
		e.Ask("alice", "note D-1 n"+strconv.Itoa(i))
	}
	rep := e.Reply("alice", "history D-1")
	out := console.Render(rep)
	mustContain(t, out, "(page 1)", "note: n40", "note: n11", "Older events: `history D-1 2`")
	mustNotContain(t, out, "note: n10\n")
	if buttonCommand(rep, "history D-1 2") == "" {
		t.Fatal("no button for older events")
	}
	out = console.Render(tap(e, "alice", "history D-1 2"))
	mustContain(t, out, "(page 2)", "created", "note: n10", "That is the first event")
	mustNotContain(t, out, "note: n11")
	mustContain(t, e.Ask("alice", "history D-1 3"), `"3" is not a valid page`, "1-2")
	mustContain(t, e.Ask("alice", "history D-1 x"), `"x" is not a valid page`)
}

func TestPendingReasonAndWarnings(t *testing.T) {
	e := bottest.New(t)
	out := e.Ask("alice", `new "Acme ERP" close=2026-11-01`)
	mustContain(t, out, "Created D-1", "the expected close date 2026-11-01 is already past")
	out = e.Ask("alice", `new "acme erp"`)
	mustContain(t, out, "Created D-2", "D-1 already has the name “acme erp”")
	mustContain(t, e.Ask("alice", "edit D-2 close=2026-11-22"), "2026-11-22 is already past")
	mustNotContain(t, e.Ask("alice", "edit D-2 customer=Acme"), "already past")

	out = e.Ask("alice", "check D-1 s2.s1 s2.m1")
	mustContain(t, out, "s2.m1 will count only once the earlier stages are completed", "s2.s1 will count only once stage 2 is reached")
}

func TestExportJSONCarriesTheDeal(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "contact D-1 add Li role=handler")
	e.Ask("alice", "meet D-1 2026-11-25 10:00 place=HQ")
	e.Ask("alice", "note D-1 wants a demo")
	e.Ask("alice", "info D-1 size=500")
	e.Ask("alice", `form D-1 s4.t2 raised_by=Li demand=SSO`)
	e.Ask("alice", "check D-1 s1.m1")
	var row map[string]any
	if err := json.Unmarshal([]byte(e.Ask("alice", "export json")), &row); err != nil {
		t.Fatal(err)
	}
	// chat `export json` is the documented per-deal view (the whole team,
	// with who/when of every tick and the history, is `stagecoach export`)
	for _, k := range []string{"id", "name", "customer", "owner", "status", "value", "close", "buyer_stage", "stage_reached", "stage_completed", "checked", "contacts", "meetings", "info", "notes"} {
		if _, ok := row[k]; !ok {
			t.Fatalf("export json lacks %s: %v", k, row)
		}
	}
	if c := row["checked"].([]any); len(c) != 1 || c[0] != "s1.m1" {
		t.Fatalf("checked %v", row["checked"])
	}
	if p := row["contacts"].([]any)[0].(map[string]any); p["name"] != "Li" || p["role"] != "handler" {
		t.Fatalf("contact %v", p)
	}
	if st := row["meetings"].([]any)[0].(map[string]any)["status"]; st != "booked" {
		t.Fatalf("meeting status %v", st)
	}
	if n := row["notes"].([]any)[0].(map[string]any); n["text"] != "wants a demo" || n["by"] != "alice" {
		t.Fatalf("note %v", n)
	}
	// everything else, with who and when, is in the team export
	exp, err := e.Service.ExportTeam(context.Background(), "T1")
	if err != nil {
		t.Fatal(err)
	}
	if d := exp.Deals[0]; d.Checked["s1.m1"].By != "alice" || len(d.Logs["s4.t2"]) != 1 || len(d.History) == 0 {
		t.Fatalf("team export: checked %v logs %v history %d", d.Checked, d.Logs, len(d.History))
	}
}

// TestWonOverrideInScorecardAndDigest: a win confirmed below stage 8
// shows as such on the rep's scorecard and in the digest's moves.
func TestWonOverrideInScorecardAndDigest(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", "help") // alice joins first: admin
	e.Ask("bob", `new "Acme ERP"`)
	e.Ask("bob", "won D-1 confirm")
	mustContain(t, e.Ask("bob", "scorecard"), "Won without reaching stage 8 (confirmed): 1 this week, 1 this quarter")
	mustContain(t, e.Ask("alice", "digest"), "Won 🎉 D-1 Acme ERP", "(recorded below stage 8, confirmed)")
}
