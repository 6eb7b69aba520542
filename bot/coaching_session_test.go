package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// step is one scripted message and what the answer must (and must not)
// contain.
type step struct {
	say     string
	want    []string
	notWant []string
}

func runScript(t *testing.T, e *bottest.Env, user string, script []step) {
	t.Helper()
	for i, s := range script {
		out := e.Ask(user, s.say)
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Fatalf("step %d %q: want %q in:\n%s", i, s.say, w, out)
			}
		}
		for _, w := range s.notWant {
			if strings.Contains(out, w) {
				t.Fatalf("step %d %q: do not want %q in:\n%s", i, s.say, w, out)
			}
		}
	}
}

// TestNeedDiscoverySession walks a full need-discovery session through the
// console: open → control → confirm for nd.1–nd.3, a tense fallback, a
// correction, then apply.
func TestNeedDiscoverySession(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme industry=manufacturing`)
	runScript(t, e, "alice", []step{
		{say: "coach acme needs", want: []string{"Need discovery started on D-1", "step 1/3: nd.1 Cause · open questions", "What do you think is mainly causing this problem?"}},
		{say: "month-end close takes ten days", want: []string{"Recorded (point 1)", "1) month-end close takes ten days"}},
		{say: "manual re-keying between systems", want: []string{"2) manual re-keying between systems"}},
		{say: "- new hires don't know the process", want: []string{"3) new hires don't know the process"}, notWant: []string{"Created"}},
		{say: "undo", want: []string{"Removed: new hires don't know the process"}},
		{say: "no owner for master data", want: []string{"3) no owner for master data"}},
		{say: "next", want: []string{"nd.1 Cause · control questions", "Is it mainly month-end close takes ten days, manual re-keying between systems or no owner for master data?"}},
		{say: "tense", want: []string{"The customer is tense", "nd.1 Cause · open questions"}},
		{say: "next", want: []string{"control questions"}},
		{say: "mainly the re-keying", want: []string{"Customer's choice:", "4) mainly the re-keying"}},
		{say: "next", want: []string{"confirm question", "the problem is mainly caused by: mainly the re-keying. Is that right?"}},
		{say: "correct re-keying between ERP and MES", want: []string{"Corrected", "caused by: re-keying between ERP and MES"}},
		{say: "confirmed", want: []string{"nd.1 Cause confirmed", "step 2/3: nd.2 Impact and scope · open questions", "who else in the company is troubled"}},
		{say: "finance department works overtime", want: []string{"Recorded"}},
		{say: "late invoices to customers"},
		{say: "end users complain", want: []string{"3) end users complain"}},
		{say: "undo", want: []string{"Removed: end users complain"}},
		{say: "next", want: []string{"Which matters most: finance department works overtime or late invoices to customers?", "Which departments are involved?"}},
		{say: "back", want: []string{"nd.2 Impact and scope · open questions"}},
		{say: "next"},
		{say: "next", want: []string{"So this affects: finance department works overtime; late invoices to customers."}},
		{say: "confirmed", want: []string{"step 3/3: nd.3 Conditions to solve it"}},
		{say: "one system for orders and finance"},
		{say: "status", want: []string{"1) one system for orders and finance"}},
		{say: "next", want: []string{"Is one system for orders and finance the main thing you would need"}},
		{say: "next"},
		{say: "confirmed", want: []string{"Need discovery done", "s2.i2.causes = re-keying between ERP and MES", "s2.i2.departments = finance department works overtime",
			"s2.i2.conditions = one system for orders and finance", "s2.s1", "`coach D-1 apply`", "`check D-1 s2.s1`", "`info D-1 "}},
		{say: "apply", want: []string{"Session ended; 5 findings recorded on D-1", "✓ s2.s1"}},
		{say: "next", want: []string{"I don't know the command"}},
		{say: "history D-1", want: []string{"coaching session Need discovery", "[nd.1 open] month-end close takes ten days", "info Causes of the problem"}},
	})
	d := e.Deal("D-1")
	if !d.IsChecked("s2.s1") || d.Info["s2.i2.impact"] == "" {
		t.Fatalf("apply did not record: checked=%v info=%v", d.Checked, d.Info)
	}
}

// TestSessionOffersNotApplied: ending with stop records the transcript
// but ticks nothing; the commands stay on offer.
func TestSessionOffersNotApplied(t *testing.T) {
	e := bottest.New(t)
	e.Ask("bob", `new "Beta CRM"`)
	runScript(t, e, "bob", []step{
		{say: "coach D-1 process", want: []string{"Purchase process", "pp.1 Who decides", "How does a purchase like this usually move forward"}},
		{say: "CFO Zhang", want: []string{"Recorded"}},
		{say: "next", want: []string{"pp.2"}},
		{say: "skip", want: []string{"pp.3"}},
		{say: "next", want: []string{"pp.4"}},
		{say: "decision before March", want: []string{"Recorded"}},
		{say: "next", want: []string{"Purchase process done", "s2.i1.key_people = CFO Zhang", "s2.i2.schedule = decision before March", "`check D-1 s2.s3`", "`contact D-1 add \"CFO Zhang\"`"}},
		{say: "stop", want: []string{"session on D-1 ended", "`check D-1 s2.s3`"}},
	})
	d := e.Deal("D-1")
	if d.IsChecked("s2.s3") || len(d.Info) != 0 {
		t.Fatalf("stop applied the outcome: %v %v", d.Checked, d.Info)
	}
	_, evs, err := e.Service.History(context.Background(), coach.Actor{Team: e.Team, User: "bob"}, mustTeam(t, e), "D-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Kind != "session" || !strings.Contains(last.After, "CFO Zhang") {
		t.Fatalf("no session event: %+v", last)
	}
}

func mustTeam(t *testing.T, e *bottest.Env) *coach.Team {
	t.Helper()
	tm, err := e.Store.GetTeam(context.Background(), e.Team)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestSessionSurvivesRestart: a session lives in the store, so a new
// process on the same file continues it.
func TestSessionSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	clock := bottest.NewClock(bottest.Start)
	st1, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e1 := bottest.New(t, bottest.WithStore(st1), bottest.WithClock(clock))
	e1.Ask("alice", `new "Acme ERP"`)
	runScript(t, e1, "alice", []step{
		{say: "coach D-1 needs"},
		{say: "slow reporting", want: []string{"Recorded"}},
		{say: "next", want: []string{"control questions"}},
	})
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}
	st2, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	clock.Advance(2 * 3600e9)
	e2 := bottest.New(t, bottest.WithStore(st2), bottest.WithClock(clock))
	runScript(t, e2, "alice", []step{
		{say: "status", want: []string{"nd.1 Cause · control questions", "1) slow reporting"}},
		{say: "mostly slow reporting", want: []string{"Customer's choice:"}},
	})
}

// TestSessionExpires: after the TTL the words are no longer session words.
func TestSessionExpires(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "coach D-1 budget")
	e.Clock.Advance(e.Service.SessionTTL + 1e9)
	if out := e.Ask("alice", "next"); !strings.Contains(out, "I don't know the command") {
		t.Fatalf("expired session still active:\n%s", out)
	}
}

// TestSessionMostRecent: with two live sessions, free text goes to the
// most recently updated one; `coach <deal> …` addresses one explicitly.
func TestSessionMostRecent(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", `new "Beta CRM"`)
	e.Ask("alice", "coach D-1 needs")
	e.Clock.Advance(1e9)
	e.Ask("alice", "coach D-2 budget")
	if out := e.Ask("alice", "we have no budget yet"); !strings.Contains(out, "D-2 · Budget probing") {
		t.Fatalf("went to the wrong session:\n%s", out)
	}
	e.Clock.Advance(1e9)
	if out := e.Ask("alice", "coach D-1 status"); !strings.Contains(out, "D-1 · Need discovery") {
		t.Fatalf("explicit deal:\n%s", out)
	}
	// a user without sessions gets the unknown-command answer
	if out := e.Ask("bob", "we have no budget yet"); !strings.Contains(out, "I don't know the command") {
		t.Fatalf("bob:\n%s", out)
	}
}

// TestPhoneSession books the meeting and offers s1.s1.
func TestPhoneSession(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	runScript(t, e, "alice", []step{
		{say: "coach D-1 phone", want: []string{"ph.1 Common ground", "phr.2"}},
		{say: "next", want: []string{"ph.2 Probe the pain", "giving you headaches"}},
		{say: "inventory counts are always wrong", want: []string{"Recorded"}},
		{say: "next", want: []string{"ph.3 Set the meeting", "2026-12-03 14:00"}},
		{say: "2026-12-03 14:00 place=\"Acme HQ\" topic=\"inventory accuracy\"", want: []string{"Meeting time noted", "Meeting agreed: 2026-12-03 14:00 Acme HQ inventory accuracy"}},
		{say: "next", want: []string{"D-1: meeting booked for 2026-12-03 14:00", "`check D-1 s1.s1`", "`form D-1 s1.t1 date=2026-11-23 pain=\"inventory counts are always wrong\" outcome=meeting_booked`"}},
		{say: "stop", want: []string{"ended"}, notWant: []string{"meeting booked"}},
	})
	d := e.Deal("D-1")
	if len(d.Meetings) != 1 || d.Meetings[0].Place != "Acme HQ" || d.IsChecked("s1.s1") {
		t.Fatalf("meetings %+v checked %v", d.Meetings, d.Checked)
	}
}

// TestSessionZH runs a session in Chinese with the Chinese words.
func TestSessionZH(t *testing.T) {
	e := bottest.New(t)
	e.Locale = "zh"
	e.Ask("li", `新建 "华东项目" customer=华东`)
	runScript(t, e, "li", []step{
		{say: "辅导 D-1 需求", want: []string{"已在 D-1 上开始了解需求", "问题成因", "您觉得这个问题主要是由哪些原因造成的？"}},
		{say: "库存数据不准", want: []string{"已记录（第 1 个要点）"}},
		{say: "手工录入太多", want: []string{"已记录（第 2 个要点）"}},
		{say: "下一步", want: []string{"控制型提问", "主要是库存数据不准还是手工录入太多？"}},
		{say: "紧张", want: []string{"客户紧张了", "开放型提问"}},
		{say: "下一步"},
		{say: "下一步", want: []string{"确定型提问", "库存数据不准; 手工录入太多"}},
		{say: "更正 主要是手工录入太多", want: []string{"已更正", "主要是手工录入太多"}},
		{say: "确认", want: []string{"客户已确认 nd.1", "影响及范围"}},
		{say: "跳过", want: []string{"解决问题所必需的条件"}},
		{say: "返回", want: []string{"影响及范围"}},
		{say: "状态", want: []string{"第 2/3 步"}},
		{say: "结束", want: []string{"会话已结束", "s2.i2.causes"}},
	})
}
