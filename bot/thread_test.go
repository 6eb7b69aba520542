package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
)

// TestReplyDeal: the replies about one deal say which; others do not.
func TestReplyDeal(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	e.Ask("alice", `new "Globex CRM"`)
	tests := []struct{ text, want string }{
		{"show D-1", "D-1"},
		{"check D-2 s1.m1", "D-2"},
		{"note D-1 met Li Wei, she's the handler", "D-1"},
		{"apply", "D-1"},
		{"deals", ""},
		{"show D-9", ""},
		{"help", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := e.Reply("alice", tt.text).Deal; got != tt.want {
				t.Errorf("Reply.Deal = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPostedThenThreadNote: once an adapter reports where D-1's card was
// posted, a plain message in that thread is a note on D-1; replies that
// nobody can answer in a thread (ephemeral, errors, no deal) tie nothing.
func TestPostedThenThreadNote(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	e.Ask("alice", `new "Globex CRM"`)
	ctx := context.Background()
	card := e.Reply("alice", "show D-1")
	post := func(rep bot.Reply, ts string) {
		t.Helper()
		if err := e.Router.Posted(ctx, rep, bot.Post{Platform: bot.Slack, Tenant: "T1", Channel: "C1", Threads: []string{ts}}); err != nil {
			t.Fatal(err)
		}
	}
	post(card, "1.1")
	eph := card
	eph.Ephemeral = true
	post(eph, "2.2")
	post(bot.Reply{Deal: "D-1", Error: true}, "3.3")
	post(e.Reply("alice", "deals"), "4.4")

	msg := func(thread, text string) bot.Message {
		m := e.Message("alice", text)
		m.Platform, m.Channel, m.Thread, m.Direct = bot.Slack, "C1", thread, false
		return m
	}
	note := "met Li Wei, she's the handler; demo next Tuesday at 3pm"
	rep, err := e.Router.Handle(ctx, msg("1.1", note))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deal != "D-1" || !strings.Contains(rep.PlainText(), "D-1") {
		t.Fatalf("thread note: %+v", rep)
	}
	if n := len(e.Deal("D-1").Notes); n != 1 {
		t.Fatalf("D-1 has %d notes", n)
	}
	for _, th := range []string{"2.2", "3.3", "4.4"} {
		rep, err := e.Router.Handle(ctx, msg(th, note))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Deal != "" {
			t.Errorf("thread %s: a note on %s, want the which-deal question", th, rep.Deal)
		}
	}
	// a command in the thread runs as the command
	if rep, _ := e.Router.Handle(ctx, msg("1.1", "show D-2")); rep.Deal != "D-2" || len(e.Deal("D-1").Notes) != 1 {
		t.Errorf("show D-2 in the thread: %+v", rep)
	}
	// the console has no threads: the same text asks which deal, as before
	if rep := e.Reply("alice", note); rep.Deal != "" {
		t.Errorf("console: a note on %s", rep.Deal)
	}
}

// TestOverheardMessage: a channel message not addressed to the bot gets no
// reply and enrols nobody unless it follows a deal card's thread.
func TestOverheardMessage(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	ctx := context.Background()
	if err := e.Router.Posted(ctx, e.Reply("alice", "show D-1"), bot.Post{Platform: bot.Slack, Tenant: "T1", Channel: "C1", Threads: []string{"1.1"}}); err != nil {
		t.Fatal(err)
	}
	note := "met Li Wei, she's the handler; demo next Tuesday at 3pm"
	tests := []struct {
		name, user, thread, text string
		note                     bool
	}{
		{"a note in the card's thread", "alice", "1.1", note, true},
		{"a command word is no command", "alice", "1.1", "deals", false},
		{"chatter", "alice", "1.1", "lol", false},
		{"another thread", "alice", "9.9", note, false},
		{"a stranger", "zed", "1.1", note, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := e.Message(tt.user, tt.text)
			m.Platform, m.Channel, m.Thread, m.Direct, m.Overheard = bot.Slack, "C1", tt.thread, false, true
			rep, err := e.Router.Handle(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if tt.note != (rep.Deal == "D-1") || !tt.note && (len(rep.Blocks) > 0 || rep.Summary != "") {
				t.Errorf("reply %+v, want a note: %v", rep, tt.note)
			}
		})
	}
	if n := len(e.Deal("D-1").Notes); n != 1 {
		t.Errorf("D-1 has %d notes, want 1", n)
	}
	team, err := e.Store.GetTeam(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := team.Members["zed"]; ok {
		t.Error("overheard stranger enrolled")
	}
}

// BenchmarkOverheardOtherThread is the cost of a channel thread reply the
// bot hears but does not answer (the common case with message.channels):
// one thread read.
func BenchmarkOverheardOtherThread(b *testing.B) {
	e := bottest.New(b)
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	m := e.Message("alice", "met Li Wei, she's the handler; demo next Tuesday at 3pm")
	m.Platform, m.Channel, m.Thread, m.Direct, m.Overheard = bot.Slack, "C1", "9.9", false, true
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if rep, err := e.Router.Handle(ctx, m); err != nil || len(rep.Blocks) > 0 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}

// TestOverheardStoreDown: when the thread cannot be read, an overheard
// message gets no reply (it was not written to the bot); a message
// addressed to the bot in a thread gets the usual failure reply.
func TestOverheardStoreDown(t *testing.T) {
	st := &bottest.FlakyStore{Store: bottest.New(t).Store}
	e := bottest.New(t, bottest.WithStore(st))
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	ctx := context.Background()
	st.Down.Store(true)
	m := e.Message("alice", "met Li Wei, she's the handler; demo next Tuesday at 3pm")
	m.Platform, m.Channel, m.Thread, m.Direct = bot.Slack, "C1", "1.1", false
	m.Overheard = true
	if rep, err := e.Router.Handle(ctx, m); err != nil || len(rep.Blocks) > 0 || rep.Summary != "" {
		t.Errorf("overheard, store down: %+v %v", rep, err)
	}
	m.Overheard = false
	if rep, err := e.Router.Handle(ctx, m); err != nil || !rep.Error {
		t.Errorf("addressed, store down: %+v %v, want an error reply", rep, err)
	}
}
