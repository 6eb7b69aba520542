package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	slackapi "github.com/slack-go/slack"
)

const (
	testSecret  = "bench-secret"
	testLarkKey = "lark-encrypt-key"
	testToken   = "lark-token"
)

var summaryRE = regexp.MustCompile(`^throughput=[0-9]+\.[0-9] p50_ms=[0-9]+\.[0-9]{3} p95_ms=[0-9]+\.[0-9]{3} p99_ms=[0-9]+\.[0-9]{3} max_ms=[0-9]+\.[0-9]{3} errors=[0-9]+$`)

// verifier is a server under test that checks every request the way
// Slack and Lark apps must: slack-go's SecretsVerifier for Slack, the Lark
// SDK's dispatcher (decrypt + signature) for Lark. It answers 401 to a bad
// signature, 400 to a malformed request and 200 otherwise.
type verifier struct {
	t    *testing.T
	lark *dispatcher.EventDispatcher

	mu       sync.Mutex
	ok       map[string]int // verified requests by kind: "new", "show", …, "tick", "button", "lark"
	bad      int
	texts    []string
	larkMsg  []string
	channels map[string]bool
}

func newVerifier(t *testing.T) *verifier {
	v := &verifier{t: t, ok: map[string]int{}, channels: map[string]bool{}}
	v.lark = dispatcher.NewEventDispatcher(testToken, testLarkKey).
		OnP2MessageReceiveV1(func(ctx context.Context, ev *larkim.P2MessageReceiveV1) error {
			v.mu.Lock()
			defer v.mu.Unlock()
			v.larkMsg = append(v.larkMsg, larkcore.StringValue(ev.Event.Message.Content))
			v.ok["lark"]++
			return nil
		})
	v.lark.InitConfig(larkevent.WithLogger(quietLark{}))
	return v
}

// quietLark drops the SDK's log lines (the bad-key test makes many).
type quietLark struct{}

func (quietLark) Debug(context.Context, ...any) {}
func (quietLark) Info(context.Context, ...any)  {}
func (quietLark) Warn(context.Context, ...any)  {}
func (quietLark) Error(context.Context, ...any) {}

func (v *verifier) reject(w http.ResponseWriter, code int) {
	v.mu.Lock()
	v.bad++
	v.mu.Unlock()
	w.WriteHeader(code)
}

func (v *verifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		v.reject(w, http.StatusBadRequest)
		return
	}
	if r.URL.Path == "/lark/events" {
		resp := v.lark.Handle(r.Context(), &larkevent.EventReq{Header: r.Header, Body: body, RequestURI: r.RequestURI})
		if resp.StatusCode != http.StatusOK {
			v.reject(w, http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	sv, err := slackapi.NewSecretsVerifier(r.Header, testSecret)
	if err != nil {
		v.reject(w, http.StatusUnauthorized)
		return
	}
	_, _ = sv.Write(body)
	if err := sv.Ensure(); err != nil {
		v.reject(w, http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	kind := ""
	switch r.URL.Path {
	case "/slack/commands":
		cmd, err := slackapi.SlashCommandParse(r)
		if err != nil || cmd.Command != "/coach" || cmd.TeamID == "" || cmd.UserID == "" || cmd.ChannelID == "" || cmd.ResponseURL == "" || cmd.TriggerID == "" {
			v.reject(w, http.StatusBadRequest)
			return
		}
		kind = strings.Fields(cmd.Text)[0]
		v.mu.Lock()
		v.texts = append(v.texts, cmd.Text)
		v.channels[cmd.ChannelID] = true
		v.mu.Unlock()
	case "/slack/interactivity":
		ic, err := slackapi.InteractionCallbackParse(r)
		if err != nil || ic.Type != slackapi.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) != 1 || ic.Team.ID == "" || ic.User.ID == "" {
			v.reject(w, http.StatusBadRequest)
			return
		}
		switch a := ic.ActionCallback.BlockActions[0]; {
		case a.Type == slackapi.ActionType(slackapi.METCheckboxGroups) && strings.HasPrefix(a.BlockID, "ck|0|D-"):
			kind = "tick"
		case a.Type == slackapi.ActionType(slackapi.METButton) && strings.HasPrefix(a.Value, "show D-"):
			kind = "button"
		default:
			v.reject(w, http.StatusBadRequest)
			return
		}
	default:
		v.reject(w, http.StatusNotFound)
		return
	}
	v.mu.Lock()
	v.ok[kind]++
	v.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
}

func testConfig(t *testing.T, srv *httptest.Server, mix string) Config {
	t.Helper()
	m, err := ParseMix(mix)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	return Config{
		Target: u, Secret: testSecret, Rate: 400, Duration: 400 * time.Millisecond, Connections: 8,
		MaxRequests: 10_000, Timeout: 2 * time.Second, Deals: 4, Team: "T1", Users: 2, Channel: "C1",
		Items: []string{"s1.m1", "s1.m2"}, Mix: m, Seed: 1, Command: "/coach",
		Path: "/slack/commands", InteractivityPath: "/slack/interactivity", ResponseURL: "http://127.0.0.1:9/response",
		LarkPath: "/lark/events", LarkEncryptKey: testLarkKey, LarkToken: testToken,
	}
}

func TestRunEverySignatureVerifies(t *testing.T) {
	v := newVerifier(t)
	srv := httptest.NewServer(v)
	defer srv.Close()
	cfg := testConfig(t, srv, "show=10,check=10,uncheck=10,note=10,deals=10,tick=10,button=10,lark=10")
	cfg.Warmup = 100 * time.Millisecond
	cfg.Rate, cfg.Duration = 200, time.Second
	cfg.Channels = 3
	var log bytes.Buffer
	res, err := Run(context.Background(), cfg, 0, &log)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	if !summaryRE.MatchString(res.Summary()) {
		t.Errorf("summary %q does not match %s", res.Summary(), summaryRE)
	}
	if res.Errors != 0 || v.bad != 0 {
		t.Fatalf("errors=%d rejected=%d, want 0\n%s", res.Errors, v.bad, log.String())
	}
	// 200 req/s for 1 s: 200 requests fall due. A busy machine (the race
	// detector, parallel tests) may leave some unsent, but never more.
	if res.Sent+res.Unsent != 200 || res.Sent < 50 {
		t.Errorf("sent %d + unsent %d, want 200 due and most of them sent", res.Sent, res.Unsent)
	}
	if res.Sent != res.Completed || res.Status[200] != res.Completed {
		t.Errorf("sent %d, completed %d, 200s %d: want all equal", res.Sent, res.Completed, res.Status[200])
	}
	if v.ok["new"] != cfg.Deals {
		t.Errorf("server saw %d new-deal commands, want %d", v.ok["new"], cfg.Deals)
	}
	for _, op := range []string{"show", "check", "uncheck", "note", "deals", "tick", "button", "lark"} {
		if v.ok[op] == 0 {
			t.Errorf("no verified %s request (server saw %v)", op, v.ok)
		}
	}
	for _, c := range v.larkMsg {
		if !strings.Contains(c, `show D-`) {
			t.Errorf("lark message content %q, want a show command", c)
		}
	}
	if len(v.channels) != 3 || !v.channels["C12"] {
		t.Errorf("channels %v, want C11, C12, C13", v.channels)
	}
	var news []string
	for _, s := range v.texts {
		if strings.HasPrefix(s, "new ") {
			news = append(news, s)
		}
	}
	if len(news) == 0 || !strings.HasPrefix(news[0], `new "Load deal `) {
		t.Errorf("new-deal texts %q", news)
	}
}

func TestBadSignatureCountsAsErrors(t *testing.T) {
	v := newVerifier(t)
	srv := httptest.NewServer(v)
	defer srv.Close()
	for _, tc := range []struct{ name, mix string }{
		{"slack", "show=1,tick=1,button=1"},
		{"lark", "lark=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, srv, tc.mix)
			cfg.Secret = "wrong-secret"
			cfg.LarkEncryptKey = "wrong-key"
			l, err := NewLoader(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			res := l.Phase(context.Background(), 200*time.Millisecond)
			if res.Completed == 0 || res.Errors != res.Completed {
				t.Errorf("completed=%d errors=%d: every request should be an error (%s)", res.Completed, res.Errors, res.Details())
			}
			if !strings.HasSuffix(res.Summary(), " errors="+strconv.FormatInt(res.Errors, 10)) || !summaryRE.MatchString(res.Summary()) {
				t.Errorf("summary %q", res.Summary())
			}
		})
	}
	// A Run whose setup is refused entirely stops with an error rather
	// than measuring nothing but 401s.
	cfg := testConfig(t, srv, "show=1")
	cfg.Secret = "wrong-secret"
	if _, err := Run(context.Background(), cfg, 0, io.Discard); err == nil || !strings.Contains(err.Error(), "every new-deal command failed") {
		t.Errorf("Run with a wrong secret: err = %v", err)
	}
}

func TestTimeoutsAndServerErrorsCount(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		switch i % 3 {
		case 0:
			time.Sleep(300 * time.Millisecond) // past the client timeout
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, "show=1")
	cfg.Timeout = 50 * time.Millisecond
	cfg.Rate = 100
	l, err := NewLoader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	res := l.Phase(context.Background(), 300*time.Millisecond)
	if res.Timeouts == 0 || res.Status[500] == 0 || res.Status[200] == 0 {
		t.Fatalf("want timeouts, 500s and 200s: %s", res.Details())
	}
	if want := res.Timeouts + res.Status[500] + res.Transport; res.Errors != want {
		t.Errorf("errors=%d, want timeouts+500s+transport=%d", res.Errors, want)
	}
}

func TestClosedLoopStopsAtMaxRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cfg := testConfig(t, srv, "show=1")
	cfg.Rate = 0
	cfg.Connections = 4
	cfg.MaxRequests = 50
	l, err := NewLoader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	res := l.Phase(context.Background(), 10*time.Second)
	if res.Sent != 50 || res.Completed != 50 || !res.Capped {
		t.Errorf("sent=%d completed=%d capped=%v, want 50, 50, true", res.Sent, res.Completed, res.Capped)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the cap did not end the phase early")
	}
}

func TestOpenLoopReportsFallingBehind(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
	}))
	defer srv.Close()
	cfg := testConfig(t, srv, "show=1")
	cfg.Rate = 500 // one connection can do ~50/s here
	cfg.Connections = 1
	l, err := NewLoader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	res := l.Phase(context.Background(), 200*time.Millisecond)
	if res.Late == 0 || res.Unsent == 0 || !strings.Contains(res.Behind(), "fell behind") || !strings.Contains(res.Behind(), "from the schedule") {
		t.Errorf("late=%d unsent=%d behind=%q: want the lag reported", res.Late, res.Unsent, res.Behind())
	}
	// Open loop is scheduled by the clock: a slow server must not stretch
	// the phase until every due request has been sent.
	if res.Elapsed > 600*time.Millisecond {
		t.Errorf("phase took %s, want about 200ms", res.Elapsed)
	}
	if res.FromSchedule[len(res.FromSchedule)-1] <= res.Latencies[len(res.Latencies)-1] {
		t.Errorf("latency from the schedule should exceed latency from the send when behind")
	}
}

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in  string
		ok  bool
		ops []string
	}{
		{defaultMix, true, []string{"show", "check", "uncheck", "note", "tick", "button"}},
		{"show=1, lark=0", true, []string{"show"}},
		{"show=0", false, nil},
		{"", false, nil},
		{"shout=1", false, nil},
		{"show", false, nil},
		{"show=-1", false, nil},
		{"show=1,show=2", false, nil},
	} {
		m, err := ParseMix(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseMix(%q) err = %v", tc.in, err)
			continue
		}
		if tc.ok && strings.Join(m.ops, ",") != strings.Join(tc.ops, ",") {
			t.Errorf("ParseMix(%q) ops = %v, want %v", tc.in, m.ops, tc.ops)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.2:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"http://10.0.0.1:8080", false},
		{"https://slack.com/api/", false},
		{"http://0.0.0.0:8080", false},
	} {
		u, _ := url.Parse(tc.url)
		if err := CheckLoopback(context.Background(), u); (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%s) = %v", tc.url, err)
		}
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-target", "http://192.0.2.1:80", "-secret", "s"}, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "refusing") {
		t.Errorf("run with a remote target: code %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	code = run(context.Background(), []string{"-target", "http://127.0.0.1:1", "-secret", "s", "-response-url", "https://hooks.slack.com/x"}, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "refusing") {
		t.Errorf("run with a remote response_url: code %d, stderr %q", code, stderr.String())
	}
}

// TestRunCommand drives the command end to end and checks that stdout is
// exactly the two summary lines.
func TestRunCommand(t *testing.T) {
	v := newVerifier(t)
	srv := httptest.NewServer(v)
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-target", srv.URL, "-secret", testSecret, "-rate", "200", "-duration", "300ms",
		"-warmup", "0s", "-deals", "3", "-connections", "4", "-settle", "0s", "-response-url", "http://127.0.0.1:9/r"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != 2 || !summaryRE.MatchString(lines[0]) || !strings.HasSuffix(lines[0], "errors=0") || !strings.HasPrefix(lines[1], "work=n/a busy=0 ") {
		t.Errorf("stdout %q: want the ack line with errors=0 and the work line (stderr: %s)", stdout.String(), stderr.String())
	}
}

func TestFakeSlackAPI(t *testing.T) {
	f := newFakeSlack()
	srv := httptest.NewServer(f)
	defer srv.Close()
	api := slackapi.New("xoxb-test", slackapi.OptionAPIURL(srv.URL+"/api/"))
	ctx := context.Background()
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Errorf("auth.test: %v", err)
	}
	ch, _, _, err := api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || ch.ID == "" {
		t.Errorf("conversations.open: %v %+v", err, ch)
	}
	if _, ts, err := api.PostMessageContext(ctx, "C1", slackapi.MsgOptionText("hi", false)); err != nil || ts == "" {
		t.Errorf("chat.postMessage: ts %q err %v", ts, err)
	}
	if _, err := api.GetUserInfoContext(ctx, "U1"); err != nil {
		t.Errorf("users.info: %v", err)
	}
	if err := slackapi.PostWebhookContext(ctx, srv.URL+"/response/1", &slackapi.WebhookMessage{Text: "hi"}); err != nil {
		t.Errorf("response_url: %v", err)
	}
	if got := f.Calls(); !strings.Contains(got, "chat.postMessage=1") || !strings.Contains(got, "response_url=1") {
		t.Errorf("calls %q", got)
	}
}
