package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// itemsTo lists the checklist items that reach stage n.
func itemsTo(pb *playbook.Playbook, n int) string {
	var ids []string
	for i := 1; i <= n; i++ {
		for _, it := range pb.Stage(i).Milestone {
			ids = append(ids, it.ID)
		}
		if i < n {
			for _, it := range pb.Stage(i).Success {
				ids = append(ids, it.ID)
			}
		}
	}
	return strings.Join(ids, " ")
}

// mondays is the done-when scenario on the console: admin alice, manager
// mia with reps ann and bob, five deals across stages; the weekly digest
// runs on Monday 2026-11-23 and Monday 2026-11-30, and in between bob
// pushes a close date out and ann wins a deal and completes a stage.
func mondays(t *testing.T) (e *bottest.Env, s *sink, jobs *coach.Jobs) {
	e = bottest.New(t)
	day := 24 * time.Hour
	e.Clock.Set(bottest.Start.Add(-30 * day))
	for _, u := range []string{"alice", "mia", "ann", "bob"} {
		e.Ask(u, "help")
	}
	mustContain(t, e.Ask("alice", "team role mia manager"), "mia")
	e.Ask("alice", "team reports ann mia")
	e.Ask("alice", "team reports bob mia")
	pb := e.Playbook
	deals := []struct{ user, cmd string }{
		{"ann", `new Acme value=1.2m close=2026-12-15`},
		{"ann", `check D-1 ` + itemsTo(pb, 4)},
		{"ann", `new Hooli value=500k close=2026-12-20`},
		{"ann", `check D-2 ` + itemsTo(pb, 6)},
		{"bob", `new Initech value=800k close=2026-12-31`},
		{"bob", `check D-3 ` + itemsTo(pb, 2)},
		{"bob", `new Globex value=300k close=2027-01-31`},
		{"bob", `check D-4 ` + itemsTo(pb, 1)},
		{"bob", `new Umbrella value=200k`},
		{"bob", `check D-5 ` + itemsTo(pb, 1)},
	}
	for _, d := range deals {
		if out := e.Ask(d.user, d.cmd); strings.Contains(out, "Nothing was changed") {
			t.Fatalf("%s: %s", d.cmd, out)
		}
	}
	s = &sink{}
	jobs = &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, s)}
	ctx := context.Background()
	e.Clock.Set(bottest.Start)
	if _, err := jobs.Digests(ctx, bottest.Start); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(bottest.Start.Add(2 * day))
	mustContain(t, e.Ask("bob", "edit D-3 close=2027-02-15"), "D-3")
	e.Clock.Set(bottest.Start.Add(3 * day))
	// won with confirm: below the last stage the win is confirmed (once
	// the honest-records confirm lands; today `won` records it at once)
	mustContain(t, e.Ask("ann", "won D-2"), "D-2")
	if e.Deal("D-2").Status != coach.StatusWon {
		mustContain(t, e.Ask("ann", "won D-2 confirm"), "D-2")
	}
	if e.Deal("D-2").Status != coach.StatusWon {
		t.Fatalf("D-2 not won: %+v", e.Deal("D-2"))
	}
	e.Clock.Set(bottest.Start.Add(4 * day))
	e.Ask("ann", "check D-1 s4.s1 s4.s2 s4.s3 s4.s4")
	s.reps, s.to = nil, nil
	e.Clock.Set(bottest.Start.Add(7 * day))
	if _, err := jobs.Digests(ctx, bottest.Start.Add(7*day)); err != nil {
		t.Fatal(err)
	}
	return e, s, jobs
}

func digestFor(t *testing.T, s *sink, user string) string {
	t.Helper()
	for i, to := range s.to {
		if to.User == user {
			return console.Render(s.reps[i])
		}
	}
	t.Fatalf("no digest for %s (sent to %+v)", user, s.to)
	return ""
}

func lines(s string) int { return strings.Count(strings.TrimRight(s, "\n"), "\n") + 1 }

func TestDigestTwoMondaysConsole(t *testing.T) {
	e, s, _ := mondays(t)
	out := digestFor(t, s, "mia")
	t.Logf("en digest (%d lines):\n%s", lines(out), out)
	mustContain(t, out,
		"Weekly digest · T1 · 2026-11-23 – 2026-11-30",
		"Open 2.5M (-500K) · weighted 465K (-300K) · commit 0 (-500K) · best case 1.2M (-500K) · deals: 4",
		"Dec 2026: weighted 360K (-380K)",
		"Slipped D-3 Initech · 800K · 2026-12-31 → 2027-02-15 · @bob",
		"Won 🎉 D-2 Hooli · 500K · @ann",
		"Moved D-1 Acme · stage 4 reached → stage 4 completed · @ann",
		"@ann: open 1.2M · weighted 360K (-300K) · moves: 2",
		"@bob: open 1.3M · weighted 105K (±0) · moves: 0 · coach: ph.3 Set the meeting, phr.1",
		"(2× stuck at stage 1 on s1.s1)",
		"Needs attention (4)",
		"`scorecard [user]`",
	)
	if n := lines(out); n > 60 {
		t.Fatalf("%d lines, want ≤ 60", n)
	}
	// the on-demand digest in Chinese, the same week: the same figures
	e.Ask("mia", "lang zh")
	zh := e.Ask("mia", "周报")
	t.Logf("zh digest (%d lines):\n%s", lines(zh), zh)
	mustContain(t, zh,
		"周报 · T1",
		"进行中 250万（-50万）· 加权 46.5万（-30万）",
		"2026年12月：加权 36万（-38万）",
		"推迟 D-3 Initech · 80万 · 2026-12-31 → 2027-02-15 · @bob",
		"赢单 🎉 D-2 Hooli · 50万 · @ann",
		"@bob：进行中 130万 · 加权 10.5万（±0）· 0 项进展 · 辅导：ph.3 约定见面",
		"完整评分卡",
	)
	if n := lines(zh); n > 60 {
		t.Fatalf("zh: %d lines, want ≤ 60", n)
	}
	mustContain(t, e.Ask("ann", "digest"), `Your role doesn't allow "digest"`)
}

func TestForecastCommand(t *testing.T) {
	e, _, _ := mondays(t)
	tests := []struct {
		user, cmd string
		want      []string
	}{
		{"mia", "forecast", []string{"Forecast · Q4 2026", "Weighted 360K (-380K vs last week)", "[image: Forecast · Q4 2026", "Dec 2026: weighted 360K", "@ann: 360K · commit 0 · Oct 2026 0 · Nov 2026 0 · Dec 2026 360K", "Deals without a close date (in no quarter): 1"}},
		{"mia", "forecast next", []string{"Forecast · Q1 2027", "Weighted 95K", "@bob: 95K", "Feb 2027: weighted 80K"}},
		{"alice", "预测 2027Q1", []string{"预测 · 2027年第一季度"}},
		{"ann", "forecast", []string{`Your role doesn't allow "forecast"`}},
		{"mia", "forecast Q7", []string{`"Q7" is not a valid quarter`}},
	}
	for _, tc := range tests {
		t.Run(tc.user+" "+tc.cmd, func(t *testing.T) {
			mustContain(t, e.Ask(tc.user, tc.cmd), tc.want...)
		})
	}
	t.Logf("forecast:\n%s", e.Ask("mia", "forecast"))
	e.Ask("mia", "lang zh")
	zh := e.Ask("mia", "预测 下季度")
	t.Logf("预测:\n%s", zh)
	mustContain(t, zh, "预测 · 2027年第一季度", "加权 9.5万", "2027年2月：加权 8万")
}

func TestTeamAlertsCommand(t *testing.T) {
	e, _, jobs := mondays(t)
	alerts := &sink{}
	e.Service.Alerts = bot.NewNotifier(e.Router, alerts)
	tests := []struct {
		user, cmd string
		want      string
	}{
		{"mia", "team alerts", "Manager alerts are off"},
		{"ann", "team alerts on", `Your role doesn't allow "team alerts"`},
		{"mia", "team alerts maybe", `"maybe" is not a valid alerts`},
		{"mia", "team alerts on lots", `"lots" is not a valid threshold`},
		{"mia", "team 提醒 开 50万", "a deal worth 500,000 or more"},
		{"mia", "team alerts", "Manager alerts are on"},
	}
	for _, tc := range tests {
		t.Run(tc.user+" "+tc.cmd, func(t *testing.T) {
			mustContain(t, e.Ask(tc.user, tc.cmd), tc.want)
		})
	}
	// Tuesday 10:00: bob pushes Initech (800k) out again; mia hears at once
	e.Clock.Set(bottest.Start.Add(8*24*time.Hour + time.Hour))
	e.Ask("bob", "edit D-3 close=2027-03-31")
	// below the threshold: Globex (300k) slips, no alert
	e.Ask("bob", "edit D-4 close=2027-02-28")
	if len(alerts.reps) != 1 || alerts.to[0].User != "mia" {
		t.Fatalf("alerts to %+v", alerts.to)
	}
	mustContain(t, console.Render(alerts.reps[0]), "⚠️ D-3 Initech (800K, @bob): close date pushed out 2027-02-15 → 2027-03-31", "show D-3")
	if alerts.reps[0].Lang != "en" {
		t.Fatalf("alert Lang %q", alerts.reps[0].Lang)
	}
	// the hourly catch-up does not repeat it
	if res, err := jobs.Alerts(context.Background(), e.Clock.Now().Add(time.Hour)); err != nil || res.Sent != 0 {
		t.Fatalf("catch-up: %v %v", res, err)
	}
}

// TestDigestLineBudget: a busy week for a manager of five reps (40 deals,
// every close date in this quarter and the next, most of them slipped,
// moved, won or lost, many flagged) still fits in 60 lines.
func TestDigestLineBudget(t *testing.T) {
	e := bottest.New(t)
	day := 24 * time.Hour
	e.Clock.Set(bottest.Start.Add(-40 * day))
	reps := []string{"r1", "r2", "r3", "r4", "r5"}
	for _, u := range append([]string{"alice", "mia"}, reps...) {
		e.Ask(u, "help")
	}
	e.Ask("alice", "team role mia manager")
	for _, u := range reps {
		e.Ask("alice", "team reports "+u+" mia")
	}
	months := []string{"2026-11-20", "2026-12-10", "2027-01-15", "2027-02-20", "2027-03-25", "2026-12-28"}
	n := 0
	for i := 0; i < 40; i++ {
		u := reps[i%len(reps)]
		e.Ask(u, "new Deal"+strconvI(i)+" value="+strconvI(100+i*10)+"k close="+months[i%len(months)])
		n++
		if i%3 == 0 {
			e.Ask(u, "check D-"+strconvI(n)+" "+itemsTo(e.Playbook, 1+i%5))
		}
	}
	jobs := &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, &sink{})}
	e.Clock.Set(bottest.Start)
	if _, err := jobs.Digests(context.Background(), bottest.Start); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(bottest.Start.Add(2 * day))
	for i := 1; i <= 40; i++ {
		u := reps[(i-1)%len(reps)]
		id := "D-" + strconvI(i)
		switch i % 4 {
		case 0:
			e.Ask(u, "edit "+id+" close=2027-06-30")
		case 1:
			e.Ask(u, "check "+id+" s1.m1 s1.m2 s1.m3")
		case 2:
			e.Ask(u, "lost "+id+" price too high")
		case 3:
			e.Ask(u, "won "+id)
			e.Ask(u, "won "+id+" confirm")
		}
	}
	s := &sink{}
	jobs.Notify = bot.NewNotifier(e.Router, s)
	e.Clock.Set(bottest.Start.Add(7 * day))
	if _, err := jobs.Digests(context.Background(), bottest.Start.Add(7*day)); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh"} {
		out := digestFor(t, s, "mia")
		if lang == "zh" {
			e.Ask("mia", "lang zh")
			out = e.Ask("mia", "周报")
		}
		more := map[string]string{"en": "… and", "zh": "……另有"}[lang]
		mustContain(t, out, more)
		t.Logf("%s: %d lines", lang, lines(out))
		if n := lines(out); n > 60 {
			t.Fatalf("%s: %d lines, want ≤ 60:\n%s", lang, n, out)
		}
	}
}

func strconvI(i int) string { return strconv.Itoa(i) }
