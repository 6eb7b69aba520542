package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
)

const testSecret = "test-signing-secret"

// apiCall is one request the fake Slack received.
type apiCall struct {
	Method string     // "chat.postMessage", "response", "upload", …
	Form   url.Values // form-encoded bodies
	JSON   map[string]any
	Raw    []byte
}

// fakeSlack is slacktest's server extended with the methods it lacks
// (conversations.open, chat.update, views.*, files upload v2, a
// response_url endpoint) and a recording of every call, chat.postMessage
// included (slacktest does not record it).
type fakeSlack struct {
	srv   *slacktest.Server
	mu    sync.Mutex
	calls []apiCall
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{}
	ok := func(method string, resp func(r *http.Request) string) func(slacktest.Customize) {
		return func(c slacktest.Customize) {
			c.Handle("/"+method, func(w http.ResponseWriter, r *http.Request) {
				f.record(method, r)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, resp(r))
			})
		}
	}
	static := func(s string) func(*http.Request) string { return func(*http.Request) string { return s } }
	f.srv = slacktest.NewTestServer(
		ok("chat.postMessage", func(r *http.Request) string {
			return `{"ok":true,"channel":"` + r.PostForm.Get("channel") + `","ts":"1700000000.000100"}`
		}),
		ok("chat.postEphemeral", static(`{"ok":true,"message_ts":"1700000000.000200"}`)),
		ok("chat.update", static(`{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)),
		ok("conversations.open", static(`{"ok":true,"channel":{"id":"D42"}}`)),
		ok("views.open", static(`{"ok":true,"view":{"id":"V1"}}`)),
		ok("views.update", static(`{"ok":true,"view":{"id":"V1"}}`)),
		ok("views.publish", static(`{"ok":true,"view":{"id":"V2"}}`)),
		ok("users.info", static(`{"ok":true,"user":{"id":"U1","name":"ann","real_name":"Ann Lee","profile":{"display_name":"Ann"}}}`)),
		ok("files.getUploadURLExternal", func(*http.Request) string {
			return `{"ok":true,"upload_url":"` + f.srv.GetAPIURL() + `upload/F1","file_id":"F1"}`
		}),
		ok("upload/F1", static(`OK`)),
		ok("files.completeUploadExternal", static(`{"ok":true,"files":[{"id":"F1","title":"chart"}]}`)),
		ok("response/1", static(`{"ok":true}`)),
	)
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) record(method string, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := apiCall{Method: method, Raw: body}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		_ = json.Unmarshal(body, &c.JSON)
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		c.Form, _ = url.ParseQuery(string(body))
		_ = r.ParseForm()
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

// Calls returns the recorded calls to method ("" for all).
func (f *fakeSlack) Calls(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) responseURL() string { return f.srv.GetAPIURL() + "response/1" }

// recorder is a fake bot.Handler that records messages and answers with
// reply(msg).
type recorder struct {
	mu    sync.Mutex
	msgs  []bot.Message
	reply func(bot.Message) (bot.Reply, error)
}

func (r *recorder) Handle(_ context.Context, m bot.Message) (bot.Reply, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	f := r.reply
	r.mu.Unlock()
	if f == nil {
		return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "ok: " + m.Text}}}, nil
	}
	return f(m)
}

func (r *recorder) Messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

// memDedupe is the in-memory delivery store with an injectable error and
// a record of the done marks and their ttl.
type memDedupe struct {
	*bot.MemoryDeliveries
	mu   sync.Mutex
	done map[string]time.Duration
	err  error
}

func newMemDedupe() *memDedupe { return &memDedupe{MemoryDeliveries: bot.NewMemoryDeliveries()} }

func (d *memDedupe) fail() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

func (d *memDedupe) setErr(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

func (d *memDedupe) BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error) {
	if err := d.fail(); err != nil {
		return 0, err
	}
	return d.MemoryDeliveries.BeginEvent(ctx, key, owner, lease)
}

func (d *memDedupe) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	if err := d.fail(); err != nil {
		return 0, err
	}
	return d.MemoryDeliveries.Enqueue(ctx, it, owner, lease)
}

func (d *memDedupe) FinishEvent(ctx context.Context, key string, ttl time.Duration) error {
	d.mu.Lock()
	if d.done == nil {
		d.done = map[string]time.Duration{}
	}
	d.done[key] = ttl
	d.mu.Unlock()
	return d.MemoryDeliveries.FinishEvent(ctx, key, ttl)
}

func (d *memDedupe) doneTTL(key string) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done[key]
}

// env is one adapter under test with its fakes.
type env struct {
	t      testing.TB
	slack  *fakeSlack
	h      *recorder
	dedupe *memDedupe
	pool   *bot.Pool
	a      *Adapter
	mux    *http.ServeMux
}

func newEnv(t testing.TB, workers, queue int) *env {
	t.Helper()
	e := &env{t: t, slack: newFakeSlack(t), h: &recorder{}, dedupe: newMemDedupe()}
	e.pool = bot.NewPool(workers, queue, 10*time.Second, nil)
	a, err := New(Config{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: e.slack.srv.GetAPIURL(),
		ChannelInterval: -1, HTTPClient: &http.Client{Timeout: 5 * time.Second},
	}, e.h, e.dedupe, e.pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	e.mux = http.NewServeMux()
	a.Register(e.mux)
	t.Cleanup(func() { e.drain() })
	return e
}

// drain waits for every queued job and background notice to finish, so
// tests assert on what was sent without waiting on a clock.
func (e *env) drain() {
	e.t.Helper()
	_ = e.pool.Close(context.Background())
	_ = e.a.Close(context.Background())
}

func signature(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:", ts)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// signedRequest builds a request signed at ts with secret.
func signedRequest(path, contentType string, body []byte, secret string, ts time.Time) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	s := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", s)
	req.Header.Set("X-Slack-Signature", signature(secret, s, body))
	return req
}

func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, req)
	return w
}

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

func (e *env) slash(text, triggerID string) *httptest.ResponseRecorder {
	v := url.Values{
		"command": {"/coach"}, "text": {text}, "team_id": {"T1"}, "user_id": {"U1"},
		"channel_id": {"C1"}, "response_url": {e.slack.responseURL()}, "trigger_id": {triggerID},
	}
	return e.do(signedRequest("/slack/commands", formType, []byte(v.Encode()), testSecret, time.Now()))
}

func (e *env) event(body string, retry int) *httptest.ResponseRecorder {
	req := signedRequest("/slack/events", jsonType, []byte(body), testSecret, time.Now())
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return e.do(req)
}

func (e *env) interact(payload any) *httptest.ResponseRecorder {
	b, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	v := url.Values{"payload": {string(b)}}
	return e.do(signedRequest("/slack/interactivity", formType, []byte(v.Encode()), testSecret, time.Now()))
}

// callback wraps an inner event in an event_callback envelope.
func callback(eventID string, inner string) string {
	return `{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"` + eventID +
		`","event_time":1700000000,"authorizations":[{"team_id":"T1","user_id":"UBOT","is_bot":true}],"event":` + inner + `}`
}
