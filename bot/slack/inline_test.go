package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
)

// ackMessage decodes an ack body carrying an answer.
func ackMessage(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("ack body %q: %v", body, err)
	}
	return m
}

func TestInlineAnswerInAck(t *testing.T) {
	for _, tc := range []struct {
		name      string
		text      string
		ephemeral bool
		wantType  string
	}{
		{"in channel", "deals", false, "in_channel"},
		{"ephemeral", "secret", true, "ephemeral"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1, 4)
			e.a.cfg.InlineAnswer = time.Second // the handler answers at once; the budget is a cap
			e.h.reply = func(m bot.Message) (bot.Reply, error) {
				return bot.Reply{Ephemeral: tc.ephemeral, Blocks: []bot.Block{bot.Text{Text: "answer " + m.Text}}}, nil
			}
			w := e.slash(tc.text, "")
			e.drain()
			if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("ack %d %q", w.Code, w.Header().Get("Content-Type"))
			}
			m := ackMessage(t, w.Body.String())
			if m["response_type"] != tc.wantType || !strings.Contains(w.Body.String(), "answer "+tc.text) {
				t.Errorf("ack body %s, want a %s answer", w.Body, tc.wantType)
			}
			if w.Header().Get(BusyHeader) != "" {
				t.Errorf("answer ack has %s", BusyHeader)
			}
			if n := len(e.slack.Calls("response/1")); n != 0 {
				t.Errorf("response_url called %d times; the ack carried the answer", n)
			}
			e.dedupe.mu.Lock()
			done := len(e.dedupe.done)
			e.dedupe.mu.Unlock()
			if done != 1 {
				t.Errorf("%d deliveries finished in the inbox, want 1", done)
			}
			if n := len(e.h.Messages()); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
			var waiting int
			inlineSlots.Range(func(any, any) bool { waiting++; return true })
			if waiting != 0 {
				t.Errorf("%d inline slots left registered", waiting)
			}
		})
	}
}

// An answer not ready within the budget goes to response_url as before,
// exactly once; the ack is empty.
func TestInlineAnswerLateGoesToResponseURL(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.a.cfg.InlineAnswer = 20 * time.Millisecond
	release := make(chan struct{})
	e.h.reply = func(m bot.Message) (bot.Reply, error) {
		<-release // held until the ack has been written
		return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "late answer"}}}, nil
	}
	w := e.slash("deals", "")
	close(release)
	e.drain()
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("ack %d %q, want empty 200", w.Code, w.Body)
	}
	resp := e.slack.Calls("response/1")
	if len(resp) != 1 || !strings.Contains(string(resp[0].Raw), "late answer") {
		t.Fatalf("response_url calls %d, want the answer once", len(resp))
	}
}

// Replies an ack body cannot carry still go to response_url: more than
// one message, or inline answers off.
func TestInlineAnswerNotEligible(t *testing.T) {
	many := make([]bot.Block, 0, maxMessageBlocks+5)
	for i := range maxMessageBlocks + 5 {
		many = append(many, bot.Text{Text: "line " + string(rune('a'+i%26))})
	}
	for _, tc := range []struct {
		name   string
		budget time.Duration
		reply  bot.Reply
		posts  int
	}{
		{"two messages", time.Second, bot.Reply{Blocks: many}, 2},
		{"off", 0, bot.Reply{Blocks: []bot.Block{bot.Text{Text: "x"}}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1, 4)
			e.a.cfg.InlineAnswer = tc.budget
			e.h.reply = func(bot.Message) (bot.Reply, error) { return tc.reply, nil }
			w := e.slash("deals", "")
			e.drain()
			if w.Code != 200 || w.Body.Len() != 0 {
				t.Fatalf("ack %d %q, want empty 200", w.Code, w.Body)
			}
			if n := len(e.slack.Calls("response/1")); n != tc.posts {
				t.Errorf("response_url calls %d, want %d", n, tc.posts)
			}
		})
	}
}

// A busy ack is marked with X-Stagecoach-Busy: 1 (and still says so in
// its text); it is never an answer.
func TestBusyAckHeader(t *testing.T) {
	for _, budget := range []time.Duration{0, 20 * time.Millisecond} {
		t.Run(budget.String(), func(t *testing.T) {
			e := newEnv(t, 1, 1)
			e.a.cfg.InlineAnswer = budget
			started, release := make(chan struct{}), make(chan struct{})
			e.h.reply = func(m bot.Message) (bot.Reply, error) {
				if m.Text == "slow" {
					close(started)
					<-release
				}
				return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "ok"}}}, nil
			}
			first := e.slash("slow", "")
			<-started
			e.slash("queued", "") // fills the queue of one
			w := e.slash("fast", "")
			close(release)
			e.drain()
			if w.Header().Get(BusyHeader) != "1" || !strings.Contains(w.Body.String(), "try again") {
				t.Errorf("busy ack: header %q body %s", w.Header().Get(BusyHeader), w.Body)
			}
			if first.Header().Get(BusyHeader) != "" {
				t.Errorf("an admitted command's ack has %s", BusyHeader)
			}
		})
	}
}

// The handoff: exactly one of the ack (offer first) and the worker (close
// first) gets the answer, however the two race.
func TestInlineSlotHandoff(t *testing.T) {
	a := &Adapter{cfg: Config{InlineAnswer: time.Second}}
	t.Run("offer then close", func(t *testing.T) {
		s := a.openInline("k1")
		if !s.offer([]byte("x")) {
			t.Fatal("offer to a waiting slot refused")
		}
		if b, ok := s.close(); !ok || string(b) != "x" {
			t.Fatalf("close = %q %v", b, ok)
		}
	})
	t.Run("close then offer", func(t *testing.T) {
		s := a.openInline("k2")
		if _, ok := s.close(); ok {
			t.Fatal("close of an empty slot returned an answer")
		}
		if s.offer([]byte("x")) {
			t.Fatal("offer after close accepted: the answer would be lost")
		}
		if a.inlineFor("k2") != nil {
			t.Fatal("closed slot still registered")
		}
	})
	t.Run("replay", func(t *testing.T) {
		s := a.openInline("k3")
		if a.openInline("k3") != nil {
			t.Fatal("second slot for one key")
		}
		s.close()
	})
	t.Run("other adapter", func(t *testing.T) {
		s := a.openInline("k4")
		if (&Adapter{}).inlineFor("k4") != nil {
			t.Fatal("another adapter found this adapter's slot")
		}
		s.close()
	})
	t.Run("off", func(t *testing.T) {
		if (&Adapter{}).openInline("k5") != nil {
			t.Fatal("slot opened with InlineAnswer 0")
		}
	})
	t.Run("race", func(t *testing.T) {
		for i := range 200 {
			s := a.openInline("race")
			var got, offered bool
			var wg sync.WaitGroup
			wg.Go(func() { offered = s.offer([]byte("x")) })
			wg.Go(func() { _, got = s.wait(t.Context(), 0) })
			wg.Wait()
			if got != offered {
				t.Fatalf("round %d: ack got=%v, worker offered=%v: the answer was lost or sent twice", i, got, offered)
			}
		}
	})
}

// With a backlog in the worker pool the ack does not wait: the answer
// would not be ready soon.
func TestInlineSkippedWithBacklog(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.a.cfg.InlineAnswer = time.Second
	if s := e.a.openInline("idle"); s == nil {
		t.Fatal("no slot with an idle pool")
	} else {
		s.close()
	}
	started, release := make(chan struct{}), make(chan struct{})
	if err := e.pool.Submit(func(context.Context) { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := e.pool.Submit(func(context.Context) {}); err != nil { // waits behind the first
		t.Fatal(err)
	}
	s := e.a.openInline("backlog")
	close(release)
	if s != nil {
		s.close()
		t.Fatal("slot opened with a job waiting in a pool of one worker")
	}
}
