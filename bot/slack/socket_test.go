package slack

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/stagecoach/stagecoach/bot"
)

type acks struct {
	mu  sync.Mutex
	got map[string][]any // envelope id → payloads
}

func (a *acks) ack(req socketmode.Request, payload ...any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.got == nil {
		a.got = map[string][]any{}
	}
	a.got[req.EnvelopeID] = payload
	return nil
}

func (a *acks) acked(id string) ([]any, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.got[id]
	return p, ok
}

func socketEvent(t *testing.T, body string) slackevents.EventsAPIEvent {
	t.Helper()
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestSocketModeEvents(t *testing.T) {
	e := newEnv(t, 1, 8)
	var ak acks
	dm := socketEvent(t, callback("EvS1", `{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"deals"}`))
	for i, id := range []string{"env-1", "env-2"} { // a redelivery of the same event
		evt := socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: dm, Request: &socketmode.Request{EnvelopeID: id, RetryAttempt: i}}
		e.a.onSocketEvent(t.Context(), evt, ak.ack)
	}
	e.a.onSocketEvent(t.Context(), socketmode.Event{
		Type: socketmode.EventTypeSlashCommand, Request: &socketmode.Request{EnvelopeID: "env-3"},
		Data: slackapi.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C1", Command: "/coach", Text: "help", ResponseURL: e.slack.responseURL()},
	}, ak.ack)
	e.a.onSocketEvent(t.Context(), socketmode.Event{
		Type: socketmode.EventTypeInteractive, Request: &socketmode.Request{EnvelopeID: "env-4"},
		Data: slackapi.InteractionCallback{
			Type: slackapi.InteractionTypeBlockActions, Team: slackapi.Team{ID: "T1"}, User: slackapi.User{ID: "U1"},
			ResponseURL:    e.slack.responseURL(),
			ActionCallback: slackapi.ActionCallbacks{BlockActions: []*slackapi.BlockAction{{Type: "button", BlockID: "b", ActionID: "cmd:0", Value: "prep D-3"}}},
		},
	}, ak.ack)
	e.drain()
	for _, id := range []string{"env-1", "env-2", "env-3", "env-4"} {
		if _, ok := ak.acked(id); !ok {
			t.Errorf("%s not acked", id)
		}
	}
	var texts []string
	for _, m := range e.h.Messages() {
		texts = append(texts, m.Text)
	}
	if len(texts) != 3 {
		t.Fatalf("handled %q, want deals, help, prep D-3 once each", texts)
	}
}

func TestSocketModeDedupeFailureNotAcked(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.dedupe.setErr(errors.New("down"))
	var ak acks
	ev := socketEvent(t, callback("EvS2", `{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"x"}`))
	e.a.onSocketEvent(t.Context(), socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev, Request: &socketmode.Request{EnvelopeID: "e"}}, ak.ack)
	e.drain()
	if _, ok := ak.acked("e"); ok {
		t.Fatal("acked although dedupe failed: Slack would not redeliver")
	}
}

func TestSocketModeViewSubmissionAckCarriesErrors(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(bot.Message) (bot.Reply, error) {
		return bot.Reply{FieldErrors: map[string]string{"date": "Pick a date"}}, nil
	}
	raw, _ := json.Marshal(viewSubmission(t, map[string]map[string]any{"date": {"date": map[string]any{"type": "datepicker", "selected_date": ""}}}))
	var ic slackapi.InteractionCallback
	if err := json.Unmarshal(raw, &ic); err != nil {
		t.Fatal(err)
	}
	var ak acks
	e.a.onSocketEvent(t.Context(), socketmode.Event{Type: socketmode.EventTypeInteractive, Data: ic, Request: &socketmode.Request{EnvelopeID: "v"}}, ak.ack)
	e.drain()
	p, ok := ak.acked("v")
	if !ok || len(p) != 1 {
		t.Fatalf("ack %v %v", ok, p)
	}
	resp, _ := p[0].(*slackapi.ViewSubmissionResponse)
	if resp == nil || resp.Errors["date"] != "Pick a date" {
		t.Fatalf("ack payload %+v", p[0])
	}
}

func TestRunSocketModeNeedsAppToken(t *testing.T) {
	e := newEnv(t, 1, 1)
	if err := e.a.RunSocketMode(t.Context()); err == nil {
		t.Fatal("ran without an app token")
	}
}

func TestPacer(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer(time.Second)
	p.now = func() time.Time { return now }
	for i, want := range []time.Duration{0, time.Second, 2 * time.Second} {
		if got := p.reserve("C1"); got != want {
			t.Fatalf("reserve %d: %v, want %v", i, got, want)
		}
	}
	if got := p.reserve("C2"); got != 0 {
		t.Fatalf("other channel waits %v", got)
	}
	now = now.Add(10 * time.Second)
	if got := p.reserve("C1"); got != 0 {
		t.Fatalf("after idle: %v", got)
	}
	for i := range pacerPrune + 10 {
		p.reserve(string(rune(i)))
	}
	now = now.Add(time.Hour)
	p.reserve("x")
	if len(p.next) > 2 {
		t.Fatalf("pacer kept %d entries", len(p.next))
	}
	if d := newPacer(0).reserve("C1"); d != 0 {
		t.Fatal("disabled pacer waits")
	}
}

func TestUserCacheBounded(t *testing.T) {
	now := time.Unix(0, 0)
	c := newUserCache(time.Minute, 3)
	c.now = func() time.Time { return now }
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		c.put(u, "name-"+u)
	}
	if len(c.m) > 3 {
		t.Fatalf("%d entries", len(c.m))
	}
	if n, ok := c.get("e"); !ok || n != "name-e" {
		t.Fatalf("latest entry missing: %q %v", n, ok)
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.get("e"); ok {
		t.Fatal("expired entry served")
	}
}

func TestUserNameLookedUpOnce(t *testing.T) {
	e := newEnv(t, 1, 8)
	for range 3 {
		e.slash("deals", "")
	}
	e.drain()
	if n := len(e.slack.Calls("users.info")); n != 1 {
		t.Fatalf("users.info called %d times", n)
	}
	for _, m := range e.h.Messages() {
		if m.UserName != "Ann" {
			t.Fatalf("UserName %q", m.UserName)
		}
	}
}
