package slack

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
)

func TestHTTPVerification(t *testing.T) {
	slashBody := []byte(url.Values{"command": {"/coach"}, "text": {"help"}, "team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}}.Encode())
	now := time.Now()
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		calls  int
		body   string
	}{
		{"good", func() *http.Request {
			return signedRequest("/slack/commands", formType, slashBody, testSecret, now)
		}, 200, 1, ""},
		{"bad signature", func() *http.Request {
			return signedRequest("/slack/commands", formType, slashBody, "wrong-secret", now)
		}, 401, 0, ""},
		{"tampered body", func() *http.Request {
			r := signedRequest("/slack/commands", formType, slashBody, testSecret, now)
			r.Body = http.NoBody
			return r
		}, 401, 0, ""},
		{"missing headers", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(string(slashBody)))
		}, 401, 0, ""},
		{"missing signature", func() *http.Request {
			r := signedRequest("/slack/commands", formType, slashBody, testSecret, now)
			r.Header.Del("X-Slack-Signature")
			return r
		}, 401, 0, ""},
		{"expired timestamp", func() *http.Request {
			return signedRequest("/slack/commands", formType, slashBody, testSecret, now.Add(-6*time.Minute))
		}, 401, 0, ""},
		{"future timestamp", func() *http.Request {
			return signedRequest("/slack/commands", formType, slashBody, testSecret, now.Add(6*time.Minute))
		}, 401, 0, ""},
		{"oversized", func() *http.Request {
			big := append([]byte("text="), make([]byte, 2<<20)...)
			return signedRequest("/slack/commands", formType, big, testSecret, now)
		}, 413, 0, ""},
		{"malformed command", func() *http.Request {
			return signedRequest("/slack/commands", formType, []byte("%zz&&"), testSecret, now)
		}, 400, 0, ""},
		{"command without user", func() *http.Request {
			return signedRequest("/slack/commands", formType, []byte("text=x"), testSecret, now)
		}, 400, 0, ""},
		{"malformed event", func() *http.Request {
			return signedRequest("/slack/events", jsonType, []byte(`{"type":`), testSecret, now)
		}, 400, 0, ""},
		{"event not an object", func() *http.Request {
			return signedRequest("/slack/events", jsonType, []byte(`[1,2]`), testSecret, now)
		}, 400, 0, ""},
		{"malformed interaction", func() *http.Request {
			return signedRequest("/slack/interactivity", formType, []byte("payload=%7Bnope"), testSecret, now)
		}, 400, 0, ""},
		{"interaction without payload", func() *http.Request {
			return signedRequest("/slack/interactivity", formType, []byte("x=1"), testSecret, now)
		}, 400, 0, ""},
		{"unsigned url_verification", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(`{"type":"url_verification","challenge":"abc"}`))
			return r
		}, 401, 0, ""},
		{"url_verification", func() *http.Request {
			return signedRequest("/slack/events", jsonType, []byte(`{"token":"x","type":"url_verification","challenge":"abc123"}`), testSecret, now)
		}, 200, 0, `{"challenge":"abc123"}`},
		{"unknown inner event", func() *http.Request {
			return signedRequest("/slack/events", jsonType, []byte(callback("Ev9", `{"type":"reaction_added","user":"U1"}`)), testSecret, now)
		}, 200, 0, ""},
		{"GET refused", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/slack/events", nil)
		}, 405, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, 2, 8)
			w := e.do(c.req())
			e.drain()
			if w.Code != c.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, c.status, w.Body)
			}
			if got := len(e.h.Messages()); got != c.calls {
				t.Fatalf("handler called %d times, want %d", got, c.calls)
			}
			if c.body != "" && strings.TrimSpace(w.Body.String()) != c.body {
				t.Fatalf("body %q, want %q", w.Body, c.body)
			}
		})
	}
}

func TestNoSecretRefusesHTTP(t *testing.T) {
	a, err := New(Config{BotToken: "xoxb", AppToken: "xapp"}, &recorder{}, nil, bot.NewPool(1, 1, time.Second, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedRequest("/slack/events", jsonType, []byte(`{"type":"url_verification","challenge":"x"}`), "", time.Now()))
	if w.Code != 401 {
		t.Fatalf("status %d, want 401", w.Code)
	}
}

func TestNewValidates(t *testing.T) {
	h := &recorder{}
	for _, c := range []Config{{}, {BotToken: "xoxb"}} {
		if _, err := New(c, h, nil, nil, nil); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
	a, err := New(Config{BotToken: "xoxb", SigningSecret: "s", APIURL: "http://x"}, h, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(t.Context())
	if a.cfg.APIURL != "http://x/" || a.cfg.Command != "/coach" {
		t.Fatalf("defaults: %+v", a.cfg)
	}
}

func TestEventRetryAppliedOnce(t *testing.T) {
	e := newEnv(t, 2, 8)
	body := callback("Ev1", `{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"deals","ts":"1.1"}`)
	for retry := range 4 {
		if w := e.event(body, retry); w.Code != 200 {
			t.Fatalf("delivery %d: status %d", retry, w.Code)
		}
	}
	e.drain()
	msgs := e.h.Messages()
	if len(msgs) != 1 {
		t.Fatalf("handler called %d times, want 1", len(msgs))
	}
	if ttl := e.dedupe.doneTTL("slack:event:T1:Ev1"); ttl < 8*time.Hour {
		t.Fatalf("done mark ttl %v, want ≥ 8 h (Lark retries for 7.1 h)", ttl)
	}
	if m := msgs[0]; !m.Direct || m.Text != "deals" || m.Tenant != "T1" || m.User != "U1" || m.EventID != "Ev1" || m.Channel != "D1" || m.UserName != "Ann" {
		t.Fatalf("message %+v", m)
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "D1" || !strings.Contains(posts[0].Form.Get("blocks"), "ok: deals") {
		t.Fatalf("posts %+v", posts)
	}
}

func TestEventDedupeFailureAsksForRedelivery(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.dedupe.setErr(errors.New("redis down"))
	w := e.event(callback("Ev2", `{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"x"}`), 0)
	e.drain()
	if w.Code < 500 {
		t.Fatalf("status %d, want 5xx", w.Code)
	}
	if n := len(e.h.Messages()); n != 0 {
		t.Fatalf("handler called %d times", n)
	}
}

func TestEventsIgnoreBotsAndEdits(t *testing.T) {
	inner := []string{
		`{"type":"message","channel_type":"im","channel":"D1","user":"UBOT","text":"my own"}`,
		`{"type":"message","channel_type":"im","channel":"D1","bot_id":"B1","user":"U9","text":"other bot"}`,
		`{"type":"message","subtype":"bot_message","channel_type":"im","channel":"D1","bot_id":"B2","text":"bot"}`,
		`{"type":"message","subtype":"message_changed","channel_type":"im","channel":"D1","message":{"user":"U1","text":"edited"}}`,
		`{"type":"message","subtype":"message_deleted","channel_type":"im","channel":"D1"}`,
		`{"type":"message","channel_type":"channel","channel":"C1","user":"U1","text":"not a DM"}`,
		`{"type":"app_mention","channel":"C1","user":"U9","bot_id":"B3","text":"<@UBOT> hi"}`,
		`{"type":"app_home_opened","user":"U1","channel":"D1","tab":"messages"}`,
	}
	e := newEnv(t, 2, 16)
	for i, in := range inner {
		if w := e.event(callback("EvI"+string(rune('a'+i)), in), 0); w.Code != 200 {
			t.Fatalf("%s: status %d", in, w.Code)
		}
	}
	e.drain()
	if msgs := e.h.Messages(); len(msgs) != 0 {
		t.Fatalf("handler got %+v", msgs)
	}
	if calls := e.slack.Calls("chat.postMessage"); len(calls) != 0 {
		t.Fatalf("posted %d messages", len(calls))
	}
}

func TestAppMention(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.event(callback("EvM", `{"type":"app_mention","channel":"C7","user":"U1","text":"<@UBOT> prep D-3","ts":"5.5","thread_ts":"4.4"}`), 0)
	e.drain()
	msgs := e.h.Messages()
	if len(msgs) != 1 || msgs[0].Text != "prep D-3" || msgs[0].Direct || msgs[0].Channel != "C7" || msgs[0].Thread != "4.4" {
		t.Fatalf("messages %+v", msgs)
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C7" || posts[0].Form.Get("thread_ts") != "4.4" {
		t.Fatalf("posts %+v", posts)
	}
}

func TestStripMention(t *testing.T) {
	for _, c := range []struct{ in, bot, want string }{
		{"<@UBOT> help", "UBOT", "help"},
		{"<@UBOT|coach>: deals", "UBOT", "deals"},
		{"hey <@UBOT> deals", "UBOT", "hey  deals"},
		{"<@UX> help", "", "help"},
		{"<@UOTHER> help", "UBOT", "<@UOTHER> help"},
	} {
		if got := stripMention(c.in, c.bot); got != c.want {
			t.Errorf("stripMention(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSlashCommandAnswersOnResponseURL(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(m bot.Message) (bot.Reply, error) {
		return bot.Reply{Ephemeral: m.Text == "secret", Blocks: []bot.Block{bot.Text{Text: "answer " + m.Text}}}, nil
	}
	for _, text := range []string{"deals", "secret"} {
		w := e.slash(text, "")
		if w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("ack %d %q, want empty 200", w.Code, w.Body)
		}
	}
	e.drain()
	resp := e.slack.Calls("response/1")
	if len(resp) != 2 {
		t.Fatalf("response_url calls %d", len(resp))
	}
	types := map[string]string{}
	for _, r := range resp {
		b, _ := json.Marshal(r.JSON["blocks"])
		types[string(b)] = r.JSON["response_type"].(string)
	}
	for blocks, typ := range types {
		want := "in_channel"
		if strings.Contains(blocks, "answer secret") {
			want = "ephemeral"
		}
		if typ != want {
			t.Errorf("%s: response_type %s, want %s", blocks, typ, want)
		}
	}
	if m := e.h.Messages()[0]; m.Tenant != "T1" || m.User != "U1" || m.Channel != "C1" || m.Direct || m.Platform != bot.Slack {
		t.Fatalf("message %+v", m)
	}
}

func TestHandlerErrorShowsReference(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(bot.Message) (bot.Reply, error) { return bot.Reply{}, errors.New("boom") }
	e.slash("deals", "")
	e.drain()
	resp := e.slack.Calls("response/1")
	if len(resp) != 1 || resp[0].JSON["response_type"] != "ephemeral" || !strings.Contains(string(resp[0].Raw), "Something went wrong (ref ") {
		t.Fatalf("response %+v", resp)
	}
	if strings.Contains(string(resp[0].Raw), "boom") {
		t.Fatal("internal error leaked to the user")
	}
}

func TestPoolFullSaysTryAgain(t *testing.T) {
	e := newEnv(t, 1, 1)
	started, release := make(chan struct{}), make(chan struct{})
	e.h.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Text == "slow" {
			close(started)
			<-release
		}
		return bot.Reply{}, nil
	}
	e.slash("slow", "")
	<-started
	e.slash("queued", "") // fills the queue of one
	w := e.slash("fast", "")
	close(release)
	e.drain()
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) || !strings.Contains(w.Body.String(), "try again") {
		t.Fatalf("ack %d %s", w.Code, w.Body)
	}
	if n := len(e.h.Messages()); n != 2 {
		t.Fatalf("handler called %d times, want 2", n)
	}
}

func TestPoolFullOnEventNotifiesUser(t *testing.T) {
	e := newEnv(t, 1, 1)
	started, release := make(chan struct{}), make(chan struct{})
	e.h.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Text == "slow" {
			close(started)
			<-release
		}
		return bot.Reply{}, nil
	}
	e.slash("slow", "")
	<-started
	e.slash("queued", "")
	w := e.event(callback("EvB", `{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"deals"}`), 0)
	close(release)
	e.drain() // Close also waits for the busy notice
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].Form.Get("blocks"), "try again") {
		t.Fatalf("posts %+v", posts)
	}
}
