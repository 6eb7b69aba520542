package lark

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
)

func TestNewValidates(t *testing.T) {
	rec := newRecorder()
	pool := bot.NewPool(1, 1, time.Second, nil)
	defer pool.Close(t.Context())
	d := &memDedupe{}
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"ws default", Config{AppID: "a", AppSecret: "s"}, true},
		{"lark domain", Config{AppID: "a", AppSecret: "s", Domain: "lark"}, true},
		{"no secret", Config{AppID: "a"}, false},
		{"webhook without key", Config{AppID: "a", AppSecret: "s", Mode: ModeWebhook, VerificationToken: "t"}, false},
		{"webhook without token", Config{AppID: "a", AppSecret: "s", Mode: ModeWebhook, EncryptKey: "k"}, false},
		{"webhook", Config{AppID: "a", AppSecret: "s", Mode: ModeWebhook, EncryptKey: "k", VerificationToken: "t"}, true},
		{"bad mode", Config{AppID: "a", AppSecret: "s", Mode: "poll"}, false},
		{"bad domain", Config{AppID: "a", AppSecret: "s", Domain: "example"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, rec, d, pool, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("New: err = %v, want ok = %v", err, tt.ok)
			}
		})
	}
}

func TestWebhookDirectMessage(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	status, body, h := f.postSigned(t, msgEvent("ev_1", "p2p", "text", "  pipeline  "))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	m := f.rec.next(t)
	want := bot.Message{Platform: bot.Lark, Tenant: "tk_1", User: "ou_user", Channel: "oc_chat",
		Text: "pipeline", Locale: "zh", EventID: "ev_1", Direct: true}
	if !equalMsg(m, want) {
		t.Errorf("message = %+v\nwant %+v", m, want)
	}
	c := f.api.next(t)
	if c.Path != "/open-apis/im/v1/messages" || c.ReceiveIDType != "chat_id" || c.ReceiveID != "oc_chat" || c.MsgType != "interactive" || c.UUID == "" {
		t.Errorf("sent %+v", c)
	}
	if !strings.Contains(c.Content, "echo: pipeline") {
		t.Errorf("card does not carry the reply: %s", c.Content)
	}
}

func TestWebhookGroupMention(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	if s, b, _ := f.postSigned(t, msgEvent("ev_g", "group", "text", "@_user_1 prep D-3", botMention())); s != 200 {
		t.Fatalf("status %d: %s", s, b)
	}
	m := f.rec.next(t)
	if m.Text != "prep D-3" || m.Direct || m.Channel != "oc_chat" {
		t.Errorf("message = %+v", m)
	}
	c := f.api.next(t)
	if c.Path != "/open-apis/im/v1/messages/om_user_ev_g/reply" {
		t.Errorf("group answer should reply to the message, got %s", c.Path)
	}
}

// sentinel posts a valid event and waits for it: with one worker, any job
// queued before it has run by then.
func (f *fixture) sentinel(t *testing.T) {
	t.Helper()
	if s, b, _ := f.postSigned(t, msgEvent("ev_sentinel", "p2p", "text", "sentinel")); s != 200 {
		t.Fatalf("sentinel status %d: %s", s, b)
	}
	if m := f.rec.next(t); m.Text != "sentinel" {
		t.Fatalf("unexpected message before sentinel: %+v", m)
	}
}

func TestWebhookIgnored(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	other := map[string]any{"key": "@_user_1", "id": map[string]any{"open_id": "ou_someone"}, "mentioned_type": "user"}
	fromBot := msgEvent("ev_b", "p2p", "text", "hi")
	fromBot = bytes.Replace(fromBot, []byte(`"sender_type":"user"`), []byte(`"sender_type":"app"`), 1)
	for name, ev := range map[string][]byte{
		"group without mention":   msgEvent("ev_1", "group", "text", "hello all"),
		"group mentioning others": msgEvent("ev_2", "group", "text", "@_user_1 hi", other),
		"from a bot":              fromBot,
	} {
		if s, b, _ := f.postSigned(t, ev); s != 200 {
			t.Fatalf("%s: status %d: %s", name, s, b)
		}
	}
	f.sentinel(t)
	if n := f.rec.count(); n != 1 {
		t.Errorf("handler called %d times, want only the sentinel", n)
	}
}

func TestWebhookNonText(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	if s, b, _ := f.postSigned(t, msgEvent("ev_img", "p2p", "image", "")); s != 200 {
		t.Fatalf("status %d: %s", s, b)
	}
	c := f.api.next(t)
	if !strings.Contains(c.Content, text("zh", "unsupported")) {
		t.Errorf("want the help hint, got %s", c.Content)
	}
	if f.rec.count() != 0 {
		t.Error("handler called for an image message")
	}
}

func TestWebhookRejects(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	plain := msgEvent("ev_bad", "p2p", "text", "transfer all deals")
	good := encrypt(t, plain, testKey)
	now := time.Now()

	signed := func(body []byte, ts time.Time, key string) http.Header {
		h := http.Header{}
		sign(h, body, ts, key)
		return h
	}
	forged := signed(good, now, testKey)
	forged.Set("X-Lark-Signature", strings.Repeat("0", 64))
	tampered := bytes.Replace(good, []byte(`"}`), []byte(`=="}`), 1)
	badToken := encrypt(t, bytes.Replace(plain, []byte(testToken), []byte("other-token"), 1), testKey)
	garbage := []byte("not json at all")
	notEvent := encrypt(t, []byte(`{"hello":"world"}`), testKey)
	wrongKeyBody := encrypt(t, plain, "another-key")

	tests := []struct {
		name   string
		body   []byte
		h      http.Header
		status int
	}{
		{"unsigned", good, http.Header{}, 401},
		{"forged signature", good, forged, 401},
		{"signed with another key", good, signed(good, now, "another-key"), 401},
		{"stale timestamp", good, signed(good, now.Add(-6*time.Minute), testKey), 401},
		{"future timestamp", good, signed(good, now.Add(6*time.Minute), testKey), 401},
		{"body changed after signing", tampered, signed(good, now, testKey), 401},
		{"wrong verification token", badToken, signed(badToken, now, testKey), 401},
		{"malformed body", garbage, signed(garbage, now, testKey), 400},
		{"not an event", notEvent, signed(notEvent, now, testKey), 401},
		{"encrypted with another key", wrongKeyBody, signed(wrongKeyBody, now, testKey), 400},
		{"unsigned garbage", garbage, http.Header{}, 401},
		{"too large", bytes.Repeat([]byte("x"), maxBody+1), http.Header{}, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, _ := f.post(t, tt.body, tt.h)
			if status != tt.status {
				t.Errorf("status = %d (%s), want %d", status, body, tt.status)
			}
		})
	}
	if n := f.dedupe.count(); n != 0 {
		t.Errorf("rejected requests reached the dedupe store %d times", n)
	}
	f.sentinel(t)
	if n := f.rec.count(); n != 1 {
		t.Errorf("handler called %d times, want only the sentinel", n)
	}
}

func TestWebhookReplay(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	ev := msgEvent("ev_dup", "p2p", "text", "stage D-3 2")
	for range 3 {
		// Each delivery freshly signed, as Lark's retries are.
		if s, b, _ := f.postSigned(t, ev); s != 200 {
			t.Fatalf("status %d: %s", s, b)
		}
	}
	if m := f.rec.next(t); m.EventID != "ev_dup" {
		t.Fatalf("got %+v", m)
	}
	f.sentinel(t)
	if n := f.rec.count(); n != 2 {
		t.Errorf("handler called %d times, want 2 (once + sentinel)", n)
	}
}

func TestWebhookDedupeDown(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	f.dedupe.setErr(errors.New("redis down"))
	if s, _, _ := f.postSigned(t, msgEvent("ev_x", "p2p", "text", "hi")); s != 500 {
		t.Errorf("status = %d, want 500 so Lark redelivers", s)
	}
}

func TestWebhookChallenge(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	ch := func(token string) []byte {
		b, _ := json.Marshal(map[string]string{"challenge": "c-123", "token": token, "type": "url_verification"})
		return encrypt(t, b, testKey)
	}
	status, body, h := f.post(t, ch(testToken), http.Header{})
	if status != 200 || !strings.Contains(body, `"challenge":"c-123"`) {
		t.Fatalf("status %d body %s", status, body)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	signedBody := ch(testToken)
	sh := http.Header{}
	sign(sh, signedBody, time.Now(), testKey)
	if status, body, _ := f.post(t, signedBody, sh); status != 200 || !strings.Contains(body, "c-123") {
		t.Errorf("signed challenge: status %d body %s", status, body)
	}
	if status, _, _ := f.post(t, ch("wrong"), http.Header{}); status != 401 {
		t.Errorf("challenge with a wrong token: status %d, want 401", status)
	}
}

func TestRegisterNothingInWSMode(t *testing.T) {
	f := newFixture(t, ModeWS)
	mux := http.NewServeMux()
	f.a.Register(mux)
	if _, pattern := mux.Handler(&http.Request{Method: "POST", URL: mustURL("/lark/events")}); pattern != "" {
		t.Errorf("ws mode registered %q", pattern)
	}
}

func equalMsg(a, b bot.Message) bool {
	return a.Platform == b.Platform && a.Tenant == b.Tenant && a.User == b.User && a.Channel == b.Channel &&
		a.Text == b.Text && a.Locale == b.Locale && a.EventID == b.EventID && a.Direct == b.Direct && a.Action == nil && b.Action == nil
}

// TestWebhookCardCallback: a signed card.action.trigger through the HTTP
// path is answered with the updated card as JSON.
func TestWebhookCardCallback(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	f.rec.reply = func(m bot.Message) (bot.Reply, error) {
		return bot.Reply{Replace: true, Blocks: []bot.Block{bot.Text{Text: "ticked " + m.Action.Options[0]}}}, nil
	}
	ev := cardEvent("cb_http", map[string]any{"tag": "checker", "checked": true, "value": map[string]any{"kind": "checklist", "deal": "D-3", "item": "s1.m2"}})
	status, body, h := f.postSigned(t, ev)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	var resp struct {
		Card struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		} `json:"card"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Card.Type != "raw" || resp.Card.Data["schema"] != "2.0" || !strings.Contains(body, "ticked s1.m2") {
		t.Errorf("answer = %s", body)
	}
	// The same callback, unsigned: rejected before dispatch.
	if status, _, _ := f.post(t, encrypt(t, ev, testKey), http.Header{}); status != 401 {
		t.Errorf("unsigned callback: status %d", status)
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("handler called %d times", n)
	}
}
