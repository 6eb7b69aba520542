package bot_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

// sink is a bot.Sender that records what it is asked to send.
type sink struct {
	mu   sync.Mutex
	to   []bot.Recipient
	reps []bot.Reply
	err  error
}

func (s *sink) Send(ctx context.Context, to bot.Recipient, r bot.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.to = append(s.to, to)
	s.reps = append(s.reps, r)
	return nil
}

// team: alice (admin, first to speak), bob (rep), each with a deal.
func jobsEnv(t *testing.T) *bottest.Env {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("bob", `new Globex`)
	return e
}

func TestSnoozeMuteCommands(t *testing.T) {
	e := jobsEnv(t)
	tests := []struct {
		user, cmd string
		want      string
		check     func(d *coach.Deal) bool
	}{
		{"alice", "snooze D-1 3d", "D-1: no nudges until 2026-11-26 09:00", func(d *coach.Deal) bool { return d.SnoozedUntil.Equal(bottest.Start.Add(72 * time.Hour)) }},
		{"alice", "暂停提醒 D-1 off", "D-1：已恢复提醒", func(d *coach.Deal) bool { return d.SnoozedUntil.IsZero() }},
		{"alice", "snooze D-1 soon", "is not a valid duration", func(d *coach.Deal) bool { return d.SnoozedUntil.IsZero() }},
		{"alice", "snooze D-1", "Missing duration", nil},
		{"alice", "mute acme", "D-1: muted", func(d *coach.Deal) bool { return d.Muted }},
		{"alice", "静音 D-1", "D-1：已静音", func(d *coach.Deal) bool { return d.Muted }},
		{"alice", "unmute D-1", "nudges are on again", func(d *coach.Deal) bool { return !d.Muted }},
		{"bob", "mute D-1", "No deal \"D-1\" that you can see", func(d *coach.Deal) bool { return !d.Muted }},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			mustContain(t, e.Ask(tc.user, tc.cmd), tc.want)
			if tc.check != nil && !tc.check(e.Deal("D-1")) {
				t.Fatalf("deal state wrong: %+v", e.Deal("D-1"))
			}
		})
	}
	mustContain(t, e.Ask("alice", "history D-1"), "snoozed", "muted")
}

func TestDigestAndScorecardCommands(t *testing.T) {
	e := jobsEnv(t)
	e.Ask("alice", "check D-1 s1.m1 s1.m2 s1.m3")
	e.Ask("alice", "edit D-1 value=1.2m close=2026-12-15")
	e.Ask("bob", "check D-2 s2.m1")
	tests := []struct {
		user, cmd string
		want      []string
	}{
		{"bob", "digest", []string{`Your role doesn't allow "digest"`}},
		{"alice", "digest", []string{"Weekly digest · T1", "Pipeline at a glance", "Open 1.2M · weighted 60K · commit 0 · best case 0 · deals: 2",
			"Dec 2026: weighted 60K", "[image: Weighted pipeline by close month", "New D-1 Acme ERP · 1.2M · @alice", "@bob: open 0", "Scorecard gaps", "`scorecard [user]`"}},
		{"alice", "周报", []string{"周报 · T1", "销售管道概览"}},
		{"bob", "scorecard", []string{"Process scorecards", "bob", "s1.e1 New prospects developed: 1 / 1", "1 ticks this week (1 out of order)"}},
		{"bob", "scorecard alice", []string{`Your role doesn't allow "scorecard alice"`}},
		{"alice", "scorecard bob", []string{"bob", "1 out of order"}},
		{"alice", "评分卡 nobody", []string{`团队中没有成员“nobody”`}},
	}
	for _, tc := range tests {
		t.Run(tc.user+" "+tc.cmd, func(t *testing.T) {
			mustContain(t, e.Ask(tc.user, tc.cmd), tc.want...)
		})
	}
	// the digest's image is a PNG
	rep := e.Reply("alice", "digest")
	found := false
	for _, b := range rep.Blocks {
		if img, ok := b.(bot.Image); ok {
			if _, err := png.Decode(bytes.NewReader(img.PNG)); err != nil {
				t.Fatal(err)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("digest without image")
	}
}

func TestTeamDigestCommand(t *testing.T) {
	e := jobsEnv(t)
	tests := []struct {
		user, cmd string
		want      string
	}{
		{"alice", "team digest", "Weekly digest: Monday 09:00 (UTC)"},
		{"alice", "team digest fri 16:30 Asia/Shanghai", "Weekly digest: Friday 16:30 (Asia/Shanghai)"},
		{"alice", "团队 周报 周日 8:05", "周报发送时间：周日 08:05（Asia/Shanghai）"},
		{"alice", "team digest someday 09:00", "is not a valid weekday"},
		{"alice", "team digest mon 25:00", "is not a valid time"},
		{"alice", "team digest mon 09:00 Mars/Olympus", "is not a valid tz"},
		{"bob", "team digest mon 09:00", `Your role doesn't allow "team digest"`},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) { mustContain(t, e.Ask(tc.user, tc.cmd), tc.want) })
	}
	tm, err := e.Store.GetTeam(context.Background(), "T1")
	if err != nil {
		t.Fatal(err)
	}
	if tm.DigestWeekday != 7 || tm.DigestTime != "08:05" || tm.Timezone != "Asia/Shanghai" {
		t.Fatalf("team %+v", tm)
	}
}

func TestNotifierNudgeRendering(t *testing.T) {
	e := jobsEnv(t)
	e.Ask("bob", "lang zh")
	s := &sink{}
	jobs := &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, s)}
	now := bottest.Start.Add(15*24*time.Hour + time.Hour)
	e.Clock.Set(now)
	res, err := jobs.Nudges(context.Background(), now)
	if err != nil || res.Sent != 2 {
		t.Fatalf("%s %v", res, err)
	}
	for i, to := range s.to {
		if to.Platform != bot.Console || to.Tenant != "T1" || to.Channel != "" {
			t.Fatalf("recipient %+v", to)
		}
		var cmds []string
		for _, b := range s.reps[i].Blocks {
			if bs, ok := b.(bot.Buttons); ok {
				for _, x := range bs.Items {
					cmds = append(cmds, x.Command)
				}
			}
		}
		id := map[string]string{"alice": "D-1", "bob": "D-2"}[to.User]
		want := []string{"check " + id + " s1.m1", "snooze " + id + " 1d", "snooze " + id + " 3d", "snooze " + id + " 1w", "show " + id}
		if strings.Join(cmds, "|") != strings.Join(want, "|") {
			t.Fatalf("%s buttons %v", to.User, cmds)
		}
		text := s.reps[i].PlainText()
		switch to.User {
		case "alice":
			mustContain(t, text, "Acme ERP: stalled 15 d")
		case "bob":
			mustContain(t, text, "Globex：停滞 15 天")
		}
	}
	// a button click runs its command
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionCommand, Value: "snooze D-1 1w"})
	mustContain(t, rep.PlainText(), "D-1: no nudges until")
	// the deal card shows the flags of a touched deal
	mustContain(t, e.Ask("bob", "show D-2"), "⚠ 已 15 天没有检查清单进展")
}

func TestNotifierLanguageByPlatform(t *testing.T) {
	e := bottest.New(t)
	e.Platform, e.Locale = bot.Lark, ""
	e.Ask("ou_1", "new 华东ERP")
	s := &sink{}
	jobs := &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, s)}
	now := bottest.Start.Add(15*24*time.Hour + time.Hour)
	if _, err := jobs.Nudges(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if len(s.to) != 1 || s.to[0].Platform != bot.Lark || s.to[0].User != "ou_1" {
		t.Fatalf("recipients %+v", s.to)
	}
	mustContain(t, renderAll(s.reps[0]), "需要推进")
}

func TestNotifierFailedSendIsRetried(t *testing.T) {
	e := jobsEnv(t)
	s := &sink{err: errors.New("429")}
	jobs := &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, s)}
	now := bottest.Start.Add(15*24*time.Hour + time.Hour)
	res, _ := jobs.Nudges(context.Background(), now)
	if res.Failed != 2 || res.Sent != 0 {
		t.Fatalf("%s", res)
	}
	s.err = nil
	if res, _ = jobs.Nudges(context.Background(), now.Add(time.Hour)); res.Sent != 2 {
		t.Fatalf("retry: %s", res)
	}
}

func TestReminderAndDigestRendering(t *testing.T) {
	e := jobsEnv(t)
	e.Ask("alice", "meet D-1 2026-11-24 10:00 place=HQ topic=demo")
	e.Ask("alice", "team reports bob alice")
	s := &sink{}
	jobs := &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, s)}
	ctx := context.Background()
	if _, err := jobs.Reminders(ctx, bottest.Start.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(s.reps) != 1 {
		t.Fatalf("%d reminders", len(s.reps))
	}
	// a meeting booked in stage 1 is the first visit: the prep aims at stage 2
	mustContain(t, renderAll(s.reps[0]), "Upcoming meeting · D-1 Acme ERP", "2026-11-24 10:00", "HQ", "stage 2 · Visit", "Still open: s2.m1", "first visit", "`prep D-1 full`")
	s.reps, s.to = nil, nil
	if _, err := jobs.DigestNow(ctx, bottest.Start.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(s.to) != 1 || s.to[0].User != "alice" {
		t.Fatalf("digest recipients %+v", s.to)
	}
	mustContain(t, renderAll(s.reps[0]), "Weekly digest", "@bob", "Pipeline at a glance", "Needs attention")
	if s.reps[0].Lang != "en" {
		t.Fatalf("digest Lang %q", s.reps[0].Lang)
	}
}

func renderAll(r bot.Reply) string {
	var b strings.Builder
	for _, blk := range r.Blocks {
		switch x := blk.(type) {
		case bot.Heading:
			b.WriteString(x.Text + "\n")
		case bot.Text:
			b.WriteString(x.Text + "\n")
		case bot.Context:
			b.WriteString(x.Text + "\n")
		case bot.Fields:
			for _, f := range x.Items {
				b.WriteString(f.Label + ": " + f.Value + "\n")
			}
		case bot.Buttons:
			for _, bt := range x.Items {
				b.WriteString("`" + bt.Command + "`\n")
			}
		case bot.Image:
			b.WriteString("[image: " + x.Title + "]\n")
		}
	}
	return b.String()
}

func TestMultiSender(t *testing.T) {
	slack, fallback := &sink{}, &sink{}
	m := &bot.MultiSender{By: map[bot.Platform]bot.Sender{bot.Slack: slack}, Fallback: fallback}
	ctx := context.Background()
	for _, p := range []bot.Platform{bot.Slack, bot.Lark, bot.Console} {
		if err := m.Send(ctx, bot.Recipient{Platform: p, Tenant: "T", User: "U"}, bot.Reply{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(slack.to) != 1 || len(fallback.to) != 2 {
		t.Fatalf("slack %d, fallback %d", len(slack.to), len(fallback.to))
	}
	if err := (&bot.MultiSender{}).Send(ctx, bot.Recipient{Platform: bot.Lark}, bot.Reply{}); err == nil {
		t.Fatal("no sender, no error")
	}
}

// TestDigestInChinese: a manager who chose zh gets the digest in Chinese.
func TestDigestInChinese(t *testing.T) {
	e := jobsEnv(t)
	e.Ask("alice", "lang zh")
	out := e.Ask("alice", "周报")
	mustContain(t, out, "周报 · T1", "销售管道概览", "与上周相比的变化", "需要关注", "考核短板", "完整评分卡")
	mustContain(t, e.Ask("bob", "digest"), `Your role doesn't allow "digest"`) // bob kept English
	mustContain(t, e.Ask("bob", "周报"), `你的角色无权执行“digest”`)                     // …unless he writes Chinese
}
