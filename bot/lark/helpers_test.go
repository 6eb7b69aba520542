package lark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
)

const (
	testKey   = "test-encrypt-key"
	testToken = "test-verification-token"
	testBot   = "ou_bot"
)

// wait is a guard against a hung test, not a timing assertion.
const wait = 10 * time.Second

// memDedupe is the in-memory delivery store; it counts writes, can fail,
// and refuses done marks shorter than Lark's 7.1 h redelivery window.
type memDedupe struct {
	*bot.MemoryDeliveries
	mu    sync.Mutex
	calls int
	err   error
}

func (d *memDedupe) fail() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
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
	if ttl < 8*time.Hour {
		return errors.New("ttl too short")
	}
	return d.MemoryDeliveries.FinishEvent(ctx, key, ttl)
}

func (d *memDedupe) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls
}

// apiCall is one request the fake OpenAPI server answered with success.
type apiCall struct {
	Method, Path  string
	ReceiveIDType string
	ReceiveID     string `json:"receive_id"`
	MsgType       string `json:"msg_type"`
	Content       string `json:"content"`
	UUID          string `json:"uuid"`
}

// card decodes the card a call carried.
func (c apiCall) card(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(c.Content), &m); err != nil {
		t.Fatalf("card content is not JSON: %v\n%s", err, c.Content)
	}
	return m
}

// fakeAPI is a local Lark OpenAPI: tenant token, im/v1 messages create,
// reply and patch, and image upload. It records what was delivered.
type fakeAPI struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	attempts []apiCall // every message request, including rate-limited ones
	limit    int       // answer this many message requests with 99991400
	images   int
	lookups  int
	ch       chan apiCall
}

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{ch: make(chan apiCall, 64)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "ok", "tenant_access_token": "t-test", "expire": 7200})
	})
	msg := func(w http.ResponseWriter, r *http.Request) {
		var c apiCall
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &c)
		c.Method, c.Path = r.Method, r.URL.Path
		c.ReceiveIDType = r.URL.Query().Get("receive_id_type")
		f.mu.Lock()
		f.attempts = append(f.attempts, c)
		if f.limit > 0 {
			f.limit--
			f.mu.Unlock()
			w.Header().Set("x-ogw-ratelimit-reset", "2")
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"code": codeRateLimited, "msg": "request trigger frequency limit"})
			return
		}
		f.calls = append(f.calls, c)
		n := len(f.calls)
		f.mu.Unlock()
		f.ch <- c
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"message_id": "om_" + strconv.Itoa(n)}})
	}
	mux.HandleFunc("POST /open-apis/im/v1/messages", msg)
	mux.HandleFunc("POST /open-apis/im/v1/messages/{id}/reply", msg)
	mux.HandleFunc("PATCH /open-apis/im/v1/messages/{id}", msg)
	mux.HandleFunc("POST /open-apis/im/v1/images", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue("image_type") != "message" {
			writeJSON(w, 400, map[string]any{"code": 1, "msg": "bad upload"})
			return
		}
		f.mu.Lock()
		f.images++
		n := f.images
		f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"code": 0, "data": map[string]any{"image_key": "img_" + strconv.Itoa(n)}})
	})
	mux.HandleFunc("GET /open-apis/contact/v3/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.lookups++
		f.mu.Unlock()
		if r.URL.Query().Get("user_id_type") != "open_id" || r.PathValue("id") != "ou_user" {
			writeJSON(w, 400, map[string]any{"code": 41050, "msg": "no user authority"})
			return
		}
		writeJSON(w, 200, map[string]any{"code": 0, "data": map[string]any{"user": map[string]any{"name": "Li Wei", "open_id": "ou_user"}}})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"code": 404, "msg": "no route " + r.Method + " " + r.URL.Path})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// next waits for the next delivered message.
func (f *fakeAPI) next(t *testing.T) apiCall {
	t.Helper()
	select {
	case c := <-f.ch:
		return c
	case <-time.After(wait):
		t.Fatal("no message delivered")
		return apiCall{}
	}
}

// recorder is a fake bot handler that records messages and answers with a
// fixed reply (or what reply returns).
type recorder struct {
	mu    sync.Mutex
	msgs  []bot.Message
	ch    chan bot.Message
	reply func(bot.Message) (bot.Reply, error)
}

func newRecorder() *recorder {
	return &recorder{ch: make(chan bot.Message, 64)}
}

func (r *recorder) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	r.ch <- m
	if r.reply != nil {
		return r.reply(m)
	}
	return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "echo: " + m.Text}}}, nil
}

func (r *recorder) next(t *testing.T) bot.Message {
	t.Helper()
	select {
	case m := <-r.ch:
		return m
	case <-time.After(wait):
		t.Fatal("handler not called")
		return bot.Message{}
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

type fixture struct {
	a      *Adapter
	api    *fakeAPI
	rec    *recorder
	dedupe *memDedupe
	pool   *bot.Pool
	srv    *httptest.Server // webhook server (webhook mode only)

	mu     sync.Mutex
	sleeps []time.Duration
}

func (f *fixture) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// newFixture builds an adapter against a fake OpenAPI server, with one
// worker so jobs run in order, and sleeps recorded instead of waited.
func newFixture(t testing.TB, mode string) *fixture {
	t.Helper()
	f := &fixture{api: newFakeAPI(t), rec: newRecorder(), dedupe: &memDedupe{MemoryDeliveries: bot.NewMemoryDeliveries()}}
	pool := bot.NewPool(1, 32, wait, nil)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	a, err := New(Config{
		AppID: "cli_test_" + strings.ReplaceAll(t.Name(), "/", "_"), AppSecret: "secret",
		Mode: mode, EncryptKey: testKey, VerificationToken: testToken,
		BaseURL: f.api.srv.URL, BotOpenID: testBot,
	}, f.rec, f.dedupe, pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.sleep = func(ctx context.Context, d time.Duration) error {
		if d > 0 {
			f.mu.Lock()
			f.sleeps = append(f.sleeps, d)
			f.mu.Unlock()
		}
		return ctx.Err()
	}
	f.a, f.pool = a, pool
	if mode == ModeWebhook {
		mux := http.NewServeMux()
		a.Register(mux)
		f.srv = httptest.NewServer(mux)
		t.Cleanup(f.srv.Close)
	}
	return f
}

// msgEvent builds a plaintext im.message.receive_v1 event.
func msgEvent(eventID, chatType, msgType, text string, mentions ...map[string]any) []byte {
	content, _ := json.Marshal(map[string]string{"text": text})
	m := map[string]any{
		"message_id":   "om_user_" + eventID,
		"chat_id":      "oc_chat",
		"chat_type":    chatType,
		"message_type": msgType,
		"content":      string(content),
	}
	if len(mentions) > 0 {
		m["mentions"] = mentions
	}
	ev := map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id": eventID, "event_type": "im.message.receive_v1", "tenant_key": "tk_1",
			"token": testToken, "app_id": "cli_test", "create_time": "1700000000000",
		},
		"event": map[string]any{
			"sender": map[string]any{
				"sender_id":   map[string]any{"open_id": "ou_user"},
				"sender_type": "user",
				"tenant_key":  "tk_1",
			},
			"message": m,
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

func botMention() map[string]any {
	return map[string]any{"key": "@_user_1", "id": map[string]any{"open_id": testBot}, "mentioned_type": "bot", "name": "Coach"}
}

// cardEvent builds a plaintext card.action.trigger callback.
func cardEvent(eventID string, action map[string]any) []byte {
	ev := map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id": eventID, "event_type": "card.action.trigger", "tenant_key": "tk_1",
			"token": testToken, "app_id": "cli_test", "create_time": "1700000000000000",
		},
		"event": map[string]any{
			"operator": map[string]any{"open_id": "ou_user", "tenant_key": "tk_1"},
			"token":    "c-update-token",
			"action":   action,
			"host":     "im_message",
			"context":  map[string]any{"open_message_id": "om_card", "open_chat_id": "oc_chat"},
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

// encrypt wraps plain as Lark does with an Encrypt Key, using the SDK's own
// helper.
func encrypt(t testing.TB, plain []byte, key string) []byte {
	t.Helper()
	enc, err := larkcore.EncryptedEventMsg(context.Background(), plain, key)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(larkevent.EventEncryptMsg{Encrypt: enc})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// sign sets Lark's signature headers for body at time ts, with the SDK's
// own signature function.
func sign(h http.Header, body []byte, ts time.Time, key string) {
	s := strconv.FormatInt(ts.Unix(), 10)
	nonce := "nonce-" + s
	h.Set(larkevent.EventRequestTimestamp, s)
	h.Set(larkevent.EventRequestNonce, nonce)
	h.Set(larkevent.EventSignature, larkevent.Signature(s, nonce, key, string(body)))
}

// post sends body to the webhook server with the given headers.
func (f *fixture) post(t *testing.T, body []byte, h http.Header) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/lark/events", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// postSigned encrypts and signs plain and posts it.
func (f *fixture) postSigned(t *testing.T, plain []byte) (int, string, http.Header) {
	t.Helper()
	body := encrypt(t, plain, testKey)
	h := http.Header{}
	sign(h, body, time.Now(), testKey)
	return f.post(t, body, h)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func jsonValid(b []byte) bool { return json.Valid(b) }
