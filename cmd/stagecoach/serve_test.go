package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// fakeSlack answers every Web API method with ok, and records what the bot
// posts to response URLs.
type fakeSlack struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/respond/"):
			f.mu.Lock()
			f.posts = append(f.posts, string(body))
			f.mu.Unlock()
			io.WriteString(w, `ok`)
		case strings.HasSuffix(r.URL.Path, "/auth.test"):
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
		case strings.HasSuffix(r.URL.Path, "/users.info"):
			io.WriteString(w, `{"ok":true,"user":{"id":"U1","name":"alice","real_name":"Alice","profile":{"display_name":"Alice"}}}`)
		default:
			io.WriteString(w, `{"ok":true,"channel":{"id":"D1"},"ts":"1.1"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) waitPost(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, p := range f.posts {
			if strings.Contains(p, want) {
				f.mu.Unlock()
				return p
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no post containing %q; posts: %v", want, f.posts)
	return ""
}

func signedSlash(t *testing.T, base, secret, text, responseURL string) *http.Response {
	t.Helper()
	form := url.Values{"command": {"/coach"}, "text": {text}, "team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}, "response_url": {responseURL}, "trigger_id": {"tr"}}
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest("POST", base+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestServeSlackHTTPEndToEnd runs the real service in Slack HTTP mode: a
// signed slash command is acked and answered on response_url, a forged one
// gets 401, /healthz and /readyz answer, SIGTERM (ctx) drains and exits 0,
// and the debug logs of the whole run contain no secret.
func TestServeSlackHTTPEndToEnd(t *testing.T) {
	fake := newFakeSlack(t)
	addr := freeAddr(t)
	secrets := map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-secret-bot-token-1234",
		"SLACK_SIGNING_SECRET": "signing-secret-5678",
	}
	env := map[string]string{
		"STAGECOACH_DB": filepath.Join(t.TempDir(), "s.db"), "HTTP_ADDR": addr, "SLACK_API_URL": fake.srv.URL + "/api/",
		"LOG_LEVEL": "debug", "STAGECOACH_CRON": "false",
	}
	for k, v := range secrets {
		env[k] = v
	}
	withEnv(t, env)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, nil, strings.NewReader(""), io.Discard, logs) }()
	base := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			t.Fatalf("server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	if resp := signedSlash(t, base, secrets["SLACK_SIGNING_SECRET"], `new "Acme ERP" customer=Acme`, fake.srv.URL+"/respond/1"); resp.StatusCode != 200 {
		t.Fatalf("ack status %d", resp.StatusCode)
	}
	fake.waitPost(t, "Created D-1")
	if resp := signedSlash(t, base, "wrong-secret", "new Forged", fake.srv.URL+"/respond/2"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged request: status %d", resp.StatusCode)
	}
	signedSlash(t, base, secrets["SLACK_SIGNING_SECRET"], "deals", fake.srv.URL+"/respond/3")
	if p := fake.waitPost(t, "Acme ERP"); strings.Contains(p, "Forged") {
		t.Fatal("the forged command created a deal")
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`stagecoach_requests_total{command="new",outcome="ok",platform="slack"} 1`,
		`stagecoach_http_requests_total{code="401",path="/slack/commands"} 1`,
		`stagecoach_ack_seconds_count{path="/slack/commands"}`,
		`stagecoach_store_seconds_count{op="CreateDeal"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no shutdown")
	}
	out := logs.String()
	if !strings.Contains(out, "level=") {
		t.Fatalf("no logs captured: %q", out)
	}
	for k, v := range secrets {
		if strings.Contains(out, v) {
			t.Errorf("%s appears in the logs", k)
		}
	}
}
