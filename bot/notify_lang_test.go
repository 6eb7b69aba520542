package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

// TestProactiveRepliesCarryLang: nudges, reminders and digests carry the
// recipient's language in Reply.Lang, so an adapter writes its own strings
// (Lark's buttons) in it: an English user on Lark gets English.
func TestProactiveRepliesCarryLang(t *testing.T) {
	e := bottest.New(t)
	e.Platform, e.Locale = bot.Lark, ""
	e.Ask("ou_admin", `new "Acme ERP"`)
	e.Ask("ou_admin", "lang en")
	e.Ask("ou_admin", "meet D-1 2026-11-24 10:00 place=HQ")
	s := &sink{}
	jobs := &coach.Jobs{Service: e.Service, Notify: bot.NewNotifier(e.Router, s)}
	ctx := context.Background()
	if _, err := jobs.Reminders(ctx, bottest.Start.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.DigestNow(ctx, bottest.Start.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.Ask("ou_admin", "lang zh")
	// a Thursday, in working hours
	if _, err := jobs.Nudges(ctx, bottest.Start.Add(38*24*time.Hour+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(s.reps) != 3 {
		t.Fatalf("%d proactive replies, want reminder, digest, nudge", len(s.reps))
	}
	for i, want := range []string{"en", "en", "zh"} {
		if got := s.reps[i].Lang; got != want {
			t.Errorf("reply %d (%s): Lang %q, want %q", i, s.reps[i].Summary, got, want)
		}
	}
}
