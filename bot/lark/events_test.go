package lark

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/stagecoach/stagecoach/bot"
)

// TestLongConnectionMessage drives the dispatcher the long connection uses
// (plaintext frames through Do).
func TestLongConnectionMessage(t *testing.T) {
	f := newFixture(t, ModeWS)
	ctx := t.Context()
	if _, err := f.a.ws.Do(ctx, msgEvent("ev_ws", "group", "text", "@_user_1  stage D-3 2 ", botMention())); err != nil {
		t.Fatal(err)
	}
	m := f.rec.next(t)
	if m.Text != "stage D-3 2" || m.EventID != "ev_ws" || m.Tenant != "tk_1" || m.Direct {
		t.Errorf("message = %+v", m)
	}
	f.api.next(t)
	// Redelivered frame: acknowledged, not applied again.
	if _, err := f.a.ws.Do(ctx, msgEvent("ev_ws", "group", "text", "@_user_1 stage D-3 2", botMention())); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.ws.Do(ctx, msgEvent("ev_ws2", "p2p", "text", "last")); err != nil {
		t.Fatal(err)
	}
	if m := f.rec.next(t); m.EventID != "ev_ws2" {
		t.Errorf("redelivered event applied again: %+v", m)
	}
}

// TestHandlerErrorIsNotRedelivered: once queued, a handler failure is
// reported to the user and the delivery still succeeds.
func TestHandlerErrorIsNotRedelivered(t *testing.T) {
	f := newFixture(t, ModeWS)
	f.rec.reply = func(bot.Message) (bot.Reply, error) { return bot.Reply{}, errors.New("store down") }
	if _, err := f.a.ws.Do(t.Context(), msgEvent("ev_err", "p2p", "text", "hi")); err != nil {
		t.Fatalf("Do = %v, want nil (work was queued)", err)
	}
	f.rec.next(t)
	c := f.api.next(t)
	if !strings.Contains(c.Content, "出错了") {
		t.Errorf("want a failure notice, got %s", c.Content)
	}
}

func TestCardActions(t *testing.T) {
	tests := []struct {
		name   string
		action map[string]any
		want   bot.Message
	}{
		{
			name:   "checker ticked",
			action: map[string]any{"tag": "checker", "checked": true, "value": map[string]any{"kind": "checklist", "deal": "D-3", "item": "s2.m1"}},
			want:   bot.Message{Action: &bot.Action{Kind: bot.ActionChecklist, Deal: "D-3", Options: []string{"s2.m1"}, Selected: []string{"s2.m1"}}},
		},
		{
			name:   "checker unticked",
			action: map[string]any{"tag": "checker", "checked": false, "value": map[string]any{"kind": "checklist", "deal": "D-3", "item": "s2.m1"}},
			want:   bot.Message{Action: &bot.Action{Kind: bot.ActionChecklist, Deal: "D-3", Options: []string{"s2.m1"}, Selected: []string{}}},
		},
		{
			name:   "button",
			action: map[string]any{"tag": "button", "value": map[string]any{"cmd": "prep D-3"}},
			want:   bot.Message{Text: "prep D-3", Action: &bot.Action{Kind: bot.ActionCommand, Value: "prep D-3"}},
		},
		{
			name:   "select",
			action: map[string]any{"tag": "select_static", "option": "buyer D-3 4", "value": map[string]any{"kind": "select"}},
			want:   bot.Message{Text: "buyer D-3 4", Action: &bot.Action{Kind: bot.ActionCommand, Value: "buyer D-3 4"}},
		},
		{
			name: "form",
			action: map[string]any{
				"tag": "button", "name": "f0_submit",
				"value": map[string]any{"kind": "form", "form": "meet", "deal": "D-3"},
				"form_value": map[string]any{
					"when": "2026-12-01 +0800", "at": "2026-12-01 09:30 +0800", "notes": "bring \"slides\"\nand demo",
					"amount": 1200.5, "who": []any{"a", "b"},
				},
			},
			want: bot.Message{Action: &bot.Action{Kind: bot.ActionForm, Form: "meet", Deal: "D-3", Values: map[string]string{
				"when": "2026-12-01", "at": "2026-12-01 09:30 +0800", "notes": "bring \"slides\"\nand demo", "amount": "1200.5", "who": "a,b",
			}}},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, ModeWS)
			f.rec.reply = func(bot.Message) (bot.Reply, error) {
				return bot.Reply{Replace: true, Blocks: []bot.Block{bot.Text{Text: "updated"}}}, nil
			}
			out, err := f.a.ws.Do(t.Context(), cardEvent("cb_"+string(rune('a'+i)), tt.action))
			if err != nil {
				t.Fatal(err)
			}
			m := f.rec.next(t)
			tt.want.Platform, tt.want.Tenant, tt.want.User, tt.want.Channel, tt.want.Locale = bot.Lark, "tk_1", "ou_user", "oc_chat", "zh"
			tt.want.EventID = "cb_" + string(rune('a'+i))
			tt.want.UserName = "Li Wei"
			if !reflect.DeepEqual(m, tt.want) {
				t.Errorf("message\n got %+v %+v\nwant %+v %+v", m, m.Action, tt.want, tt.want.Action)
			}
			resp, ok := out.(*callback.CardActionTriggerResponse)
			if !ok || resp.Card == nil || resp.Card.Type != "raw" {
				t.Fatalf("want the updated card, got %#v", out)
			}
			b, _ := json.Marshal(resp.Card.Data)
			if !strings.Contains(string(b), `"schema":"2.0"`) || !strings.Contains(string(b), "updated") {
				t.Errorf("card = %s", b)
			}
		})
	}
}

func TestCardActionIgnoresUnknown(t *testing.T) {
	f := newFixture(t, ModeWS)
	out, err := f.a.ws.Do(t.Context(), cardEvent("cb_x", map[string]any{"tag": "button", "value": map[string]any{"other": "x"}}))
	if err != nil {
		t.Fatal(err)
	}
	if resp := out.(*callback.CardActionTriggerResponse); resp.Card != nil || resp.Toast != nil {
		t.Errorf("want an empty answer, got %+v", resp)
	}
	if f.rec.count() != 0 {
		t.Error("handler called")
	}
}

func TestCardActionNewMessageAndErrors(t *testing.T) {
	f := newFixture(t, ModeWS)
	f.rec.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Text == "boom" {
			return bot.Reply{}, errors.New("boom")
		}
		if m.Text == "bad" {
			return bot.Reply{Error: true, Blocks: []bot.Block{bot.Text{Text: "No deal D-9."}}}, nil
		}
		return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "prep sheet"}}}, nil
	}
	btn := func(cmd string) map[string]any {
		return map[string]any{"tag": "button", "value": map[string]any{"cmd": cmd}}
	}

	out, err := f.a.ws.Do(t.Context(), cardEvent("cb_1", btn("prep D-3")))
	if err != nil {
		t.Fatal(err)
	}
	if resp := out.(*callback.CardActionTriggerResponse); resp.Card != nil {
		t.Error("a non-Replace reply must not replace the card")
	}
	c := f.api.next(t)
	if c.ReceiveIDType != "chat_id" || c.ReceiveID != "oc_chat" || !strings.Contains(c.Content, "prep sheet") {
		t.Errorf("posted %+v", c)
	}

	out, _ = f.a.ws.Do(t.Context(), cardEvent("cb_2", btn("bad")))
	if resp := out.(*callback.CardActionTriggerResponse); resp.Toast == nil || resp.Toast.Type != "error" || resp.Toast.Content != "No deal D-9." {
		t.Errorf("error reply: %+v", resp.Toast)
	}
	out, _ = f.a.ws.Do(t.Context(), cardEvent("cb_3", btn("boom")))
	if resp := out.(*callback.CardActionTriggerResponse); resp.Toast == nil || resp.Toast.Type != "error" || !strings.Contains(resp.Toast.I18nContent["en_us"], "ref ") {
		t.Errorf("handler failure: %+v", resp.Toast)
	}
	// A replayed callback is answered but not applied again.
	out, _ = f.a.ws.Do(t.Context(), cardEvent("cb_1", btn("prep D-3")))
	if resp := out.(*callback.CardActionTriggerResponse); resp.Card != nil || resp.Toast != nil {
		t.Errorf("replay answered %+v", resp)
	}
	if n := f.rec.count(); n != 3 {
		t.Errorf("handler called %d times, want 3", n)
	}
	// Only the first click posted a message: the short error was a toast.
	f.api.mu.Lock()
	posted := len(f.api.calls)
	f.api.mu.Unlock()
	if posted != 1 {
		t.Errorf("%d messages posted, want 1", posted)
	}
}

// TestCardActionLate: when the handler outlives the budget, the callback
// answers with a toast and the worker patches the card afterwards.
func TestCardActionLate(t *testing.T) {
	f := newFixture(t, ModeWS)
	f.a.budget = 0
	release := make(chan struct{})
	f.rec.reply = func(bot.Message) (bot.Reply, error) {
		<-release
		return bot.Reply{Replace: true, Blocks: []bot.Block{bot.Text{Text: "late update"}}}, nil
	}
	out, err := f.a.ws.Do(t.Context(), cardEvent("cb_late", map[string]any{"tag": "checker", "checked": true, "value": map[string]any{"kind": "checklist", "deal": "D-3", "item": "s1.m1"}}))
	if err != nil {
		t.Fatal(err)
	}
	resp := out.(*callback.CardActionTriggerResponse)
	if resp.Card != nil || resp.Toast == nil || resp.Toast.Content != text("zh", "working") {
		t.Fatalf("want a 'working' toast, got %+v", resp)
	}
	f.rec.next(t)
	close(release)
	c := f.api.next(t)
	if c.Method != "PATCH" || c.Path != "/open-apis/im/v1/messages/om_card" || !strings.Contains(c.Content, "late update") {
		t.Errorf("want the card patched, got %+v", c)
	}
}

func TestMessageText(t *testing.T) {
	tests := []struct {
		typ, content, want string
		ok                 bool
	}{
		{"text", `{"text":"hi \"there\""}`, `hi "there"`, true},
		{"text", `{bad`, "", false},
		{"post", `{"title":"","content":[[{"tag":"at","user_id":"@_user_1"},{"tag":"text","text":" note D-3"}],[{"tag":"text","text":"second line"}]]}`, " note D-3\nsecond line", true},
		{"post", `{"content":[[{"tag":"img","image_key":"x"}]]}`, "", false},
		{"image", `{"image_key":"x"}`, "", false},
	}
	for _, tt := range tests {
		got, ok := messageText(tt.typ, tt.content)
		if got != tt.want || ok != tt.ok {
			t.Errorf("messageText(%s, %s) = %q, %v; want %q, %v", tt.typ, tt.content, got, ok, tt.want, tt.ok)
		}
	}
	if got := stripMentions("@_user_1 note D-3\n  second   line \n", nil); got != "note D-3\nsecond line" {
		t.Errorf("stripMentions kept %q", got)
	}
}

func TestStripMentions(t *testing.T) {
	key := "@_user_2"
	ms := []*larkim.MentionEvent{{Key: &key}}
	if got := stripMentions("@_user_1  deal   new @_all ACME @_user_2", ms); got != "deal new ACME" {
		t.Errorf("got %q", got)
	}
}

func TestLongConnectionStopsWithContext(t *testing.T) {
	for _, mode := range []string{ModeWS, ModeWebhook} {
		f := newFixture(t, mode)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := f.a.RunLongConnection(ctx); err != nil {
			t.Errorf("%s: RunLongConnection after cancel = %v", mode, err)
		}
	}
}

func TestUserNameLookedUpOnce(t *testing.T) {
	f := newFixture(t, ModeWS)
	for _, id := range []string{"ev_n1", "ev_n2"} {
		if _, err := f.a.ws.Do(t.Context(), msgEvent(id, "p2p", "text", "hi")); err != nil {
			t.Fatal(err)
		}
		if m := f.rec.next(t); m.UserName != "Li Wei" {
			t.Errorf("UserName = %q", m.UserName)
		}
	}
	f.api.mu.Lock()
	n := f.api.lookups
	f.api.mu.Unlock()
	if n != 1 {
		t.Errorf("%d contact lookups, want 1 (cached)", n)
	}
	// A refused lookup is not fatal.
	if got := f.a.userName(t.Context(), "ou_unknown"); got != "" {
		t.Errorf("unknown user name = %q", got)
	}
}

// TestBusyWhenPoolRefuses: a message that is shed is acknowledged (nothing
// was stored) and the user is told why and that nothing was changed; a
// click gets the same as a toast.
func TestBusyWhenPoolRefuses(t *testing.T) {
	f := newFixture(t, ModeWS)
	if err := f.pool.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.ws.Do(t.Context(), msgEvent("ev_busy", "p2p", "text", "hi")); err != nil {
		t.Fatalf("Do = %v, want nil", err)
	}
	if c := f.api.next(t); !strings.Contains(c.Content, bot.DeliveryText("zh", bot.Busy)) {
		t.Errorf("want the busy notice, got %s", c.Content)
	}
	out, err := f.a.ws.Do(t.Context(), cardEvent("cb_busy", map[string]any{"tag": "button", "value": map[string]any{"cmd": "x"}}))
	if err != nil {
		t.Fatal(err)
	}
	if resp := out.(*callback.CardActionTriggerResponse); resp.Toast == nil || resp.Toast.Content != bot.DeliveryText("zh", bot.Busy) {
		t.Errorf("click on a full queue: %+v", resp)
	}
	if f.rec.count() != 0 {
		t.Error("handler ran")
	}
}

// TestCardActionLateFailure: a handler that fails after the budget is
// reported in the chat.
func TestCardActionLateFailure(t *testing.T) {
	f := newFixture(t, ModeWS)
	f.a.budget = 0
	release := make(chan struct{})
	f.rec.reply = func(bot.Message) (bot.Reply, error) {
		<-release
		return bot.Reply{}, errors.New("store down")
	}
	if _, err := f.a.ws.Do(t.Context(), cardEvent("cb_lf", map[string]any{"tag": "button", "value": map[string]any{"cmd": "prep D-3"}})); err != nil {
		t.Fatal(err)
	}
	f.rec.next(t)
	close(release)
	c := f.api.next(t)
	if c.ReceiveIDType != "chat_id" || c.ReceiveID != "oc_chat" || !strings.Contains(c.Content, "出错了") {
		t.Errorf("want the failure posted to the chat, got %+v", c)
	}
}

func TestSleepCtx(t *testing.T) {
	if err := sleepCtx(t.Context(), 0); err != nil {
		t.Errorf("zero sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sleep = %v", err)
	}
}
