package lark

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
)

var _ bot.Sender = (*Adapter)(nil)

func TestSend(t *testing.T) {
	f := newFixture(t, ModeWS)
	ctx := t.Context()
	r := bot.Reply{Blocks: []bot.Block{bot.Heading{Text: "Nudge"}, bot.Text{Text: "D-3 has been quiet for 9 days."}}}

	if err := f.a.Send(ctx, bot.Recipient{Platform: bot.Lark, Tenant: "tk_1", User: "ou_rep"}, r); err != nil {
		t.Fatal(err)
	}
	c := f.api.next(t)
	if c.ReceiveIDType != "open_id" || c.ReceiveID != "ou_rep" || c.MsgType != "interactive" || len(c.UUID) == 0 || len(c.UUID) > 50 {
		t.Errorf("DM sent as %+v", c)
	}
	card := c.card(t)
	if card["schema"] != "2.0" || !strings.Contains(c.Content, "Nudge") {
		t.Errorf("card = %s", c.Content)
	}

	if err := f.a.Send(ctx, bot.Recipient{Platform: bot.Lark, User: "ou_rep", Channel: "oc_team"}, r); err != nil {
		t.Fatal(err)
	}
	if c := f.api.next(t); c.ReceiveIDType != "chat_id" || c.ReceiveID != "oc_team" {
		t.Errorf("channel message sent as %+v", c)
	}

	if err := f.a.Send(ctx, bot.Recipient{Platform: bot.Slack, User: "U1"}, r); err == nil {
		t.Error("sent to a Slack recipient")
	}
	if err := f.a.Send(ctx, bot.Recipient{Platform: bot.Lark}, r); err == nil {
		t.Error("sent to nobody")
	}
}

func TestSendImage(t *testing.T) {
	f := newFixture(t, ModeWS)
	png := []byte("\x89PNG\r\n\x1a\nfake")
	r := bot.Reply{Blocks: []bot.Block{bot.Text{Text: "Funnel"}, bot.Image{PNG: png, Alt: "funnel chart"}}}
	if err := f.a.Send(t.Context(), bot.Recipient{User: "ou_rep"}, r); err != nil {
		t.Fatal(err)
	}
	c := f.api.next(t)
	if !strings.Contains(c.Content, `"img_key":"img_1"`) || !strings.Contains(c.Content, `"tag":"img"`) {
		t.Errorf("image not referenced by key: %s", c.Content)
	}
}

func TestSendRetriesRateLimit(t *testing.T) {
	f := newFixture(t, ModeWS)
	f.api.mu.Lock()
	f.api.limit = 1
	f.api.mu.Unlock()
	r := bot.Reply{Blocks: []bot.Block{bot.Text{Text: "digest"}}}
	if err := f.a.Send(t.Context(), bot.Recipient{User: "ou_rep"}, r); err != nil {
		t.Fatal(err)
	}
	f.api.next(t)
	f.api.mu.Lock()
	calls, attempts := len(f.api.calls), f.api.attempts
	f.api.mu.Unlock()
	if calls != 1 || len(attempts) != 2 {
		t.Fatalf("delivered %d, attempted %d; want 1 and 2", calls, len(attempts))
	}
	if attempts[0].UUID != attempts[1].UUID {
		t.Errorf("retry changed the idempotency uuid: %q vs %q", attempts[0].UUID, attempts[1].UUID)
	}
	found := false
	for _, d := range f.slept() {
		if d == 2*time.Second {
			found = true
		}
	}
	if !found {
		t.Errorf("did not back off per x-ogw-ratelimit-reset: slept %v", f.slept())
	}
}

func TestSendGivesUpAfterRetries(t *testing.T) {
	f := newFixture(t, ModeWS)
	f.api.mu.Lock()
	f.api.limit = 100
	f.api.mu.Unlock()
	err := f.a.Send(t.Context(), bot.Recipient{User: "ou_rep"}, bot.Reply{Blocks: []bot.Block{bot.Text{Text: "x"}}})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != codeRateLimited {
		t.Fatalf("err = %v, want a rate-limit APIError", err)
	}
	f.api.mu.Lock()
	n := len(f.api.attempts)
	f.api.mu.Unlock()
	if n != maxRetries+1 {
		t.Errorf("attempted %d times, want %d", n, maxRetries+1)
	}
}

func TestPacer(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := newPacer(func() time.Time { return now })
	for i := range 6 {
		if w, want := p.reserveChat("oc_a"), time.Duration(i)*chatInterval; w != want {
			t.Errorf("message %d in one chat waits %v, want %v", i, w, want)
		}
	}
	// Another chat is not held back by the first one.
	if w := p.reserveChat("oc_b"); w != 0 {
		t.Errorf("other chat waits %v, want 0", w)
	}
	for i := range 3 {
		if w, want := p.reserveApp(), time.Duration(i)*appInterval; w != want {
			t.Errorf("app slot %d waits %v, want %v", i, w, want)
		}
	}
	// Idle chats are forgotten once the table is full.
	for i := range maxPaced {
		p.reserveChat("chat" + strconv.Itoa(i))
	}
	now = now.Add(2 * time.Second)
	p.reserveChat("late")
	if len(p.next) != 1 {
		t.Errorf("pacer holds %d chats after they went idle, want 1", len(p.next))
	}
}
