package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
	"github.com/stagecoach/stagecoach/storage/storagetest"
)

// scrape GETs /metrics through h and returns every sample by its series
// as printed, e.g. `stagecoach_requests_total{command="show",outcome="ok",platform="slack"}`.
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// want checks that each series has exactly the given value.
func want(t *testing.T, got map[string]float64, series map[string]float64) {
	t.Helper()
	for s, v := range series {
		g, ok := got[s]
		if !ok {
			t.Errorf("missing series %s", s)
			continue
		}
		if g != v {
			t.Errorf("%s = %g, want %g", s, g, v)
		}
	}
}

func openBolt(t *testing.T) coach.Store {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestBotMiddlewareWithRouter runs real commands through the real router
// over a decorated bbolt store and checks the request, store and error
// series.
func TestBotMiddlewareWithRouter(t *testing.T) {
	m := NewMetrics()
	flaky := &bottest.FlakyStore{Store: openBolt(t)}
	st := m.Store(flaky)
	log := slog.New(slog.DiscardHandler)
	router := bot.NewRouter(coach.NewService(st, playbook.Default(), time.Now, log), log)
	h := bot.Chain(router, bot.RequestID(log), m.Bot(CommandNamer(router)))

	ctx := context.Background()
	send := func(text string, action *bot.Action) bot.Reply {
		t.Helper()
		rep, err := h.Handle(ctx, bot.Message{Platform: bot.Slack, Tenant: "T1", User: "U1", Text: text, Action: action})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return rep
	}
	if rep := send(`new "Acme ERP"`, nil); rep.Error {
		t.Fatalf("new: %s", rep.PlainText())
	}
	send("show D-1", nil)
	send("查看 D-1", nil) // an alias counts under the command's name
	if rep := send("show D-99", nil); !rep.Error {
		t.Fatalf("show D-99 should be a user error: %s", rep.PlainText())
	}
	send("please tell me about Acme's secret budget", nil) // free text: never a label
	send("", &bot.Action{Kind: bot.ActionCommand, Value: "show D-1"})
	flaky.Down.Store(true)
	if rep := send("show D-1", nil); !rep.Error {
		t.Fatalf("show with the store down should reply with an error")
	}
	flaky.Down.Store(false)

	got := scrape(t, m.Handler())
	want(t, got, map[string]float64{
		`stagecoach_requests_total{command="new",outcome="ok",platform="slack"}`:              1,
		`stagecoach_requests_total{command="show",outcome="ok",platform="slack"}`:             2,
		`stagecoach_requests_total{command="show",outcome="user_error",platform="slack"}`:     1,
		`stagecoach_requests_total{command="unknown",outcome="user_error",platform="slack"}`:  1,
		`stagecoach_requests_total{command="action",outcome="ok",platform="slack"}`:           1,
		`stagecoach_requests_total{command="show",outcome="internal_error",platform="slack"}`: 1,
		`stagecoach_store_errors_total{op="TeamAndDeal"}`:                                     1, // show D-1 reads team and deal at once
		`stagecoach_errors_total{where="bot"}`:                                                1,
		`stagecoach_errors_total{where="store"}`:                                              1,
	})
	for s := range got {
		if strings.Contains(s, "secret") || strings.Contains(s, "Acme") {
			t.Errorf("message text leaked into a series: %s", s)
		}
	}
	// Every store call was timed; GetTeam (not found on first join) is not an error.
	for _, op := range []string{"CreateDeal", "TeamAndDeal", "GetTeam", "PutTeam"} {
		if got[`stagecoach_store_seconds_count{op="`+op+`"}`] == 0 {
			t.Errorf("no stagecoach_store_seconds samples for %s", op)
		}
	}
	// show D-99 (no such deal) is an answer, not a store error: the one
	// TeamAndDeal error above is the store being down.
	if n := got[`stagecoach_store_errors_total{op="GetDeal"}`]; n != 0 {
		t.Errorf("GetDeal of a missing deal counted as a store error (%g)", n)
	}
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
}

func TestBotMiddlewareOutcomes(t *testing.T) {
	m := NewMetrics()
	fake := bot.HandlerFunc(func(ctx context.Context, msg bot.Message) (bot.Reply, error) {
		switch msg.Text {
		case "boom":
			return bot.Reply{}, errors.New("handler failed")
		case "oops":
			return bot.Reply{Error: true}, nil
		}
		return bot.Reply{}, nil
	})
	names := func(text string) string {
		if text == "weird" {
			return "a name with spaces {and} \"quotes\"" // a caller bug: must not become a label
		}
		return text
	}
	h := m.Bot(names)(fake)
	for _, tc := range []struct {
		p    bot.Platform
		text string
	}{{bot.Lark, "ok"}, {bot.Lark, "oops"}, {bot.Console, "boom"}, {bot.Lark, "weird"}} {
		_, _ = h.Handle(context.Background(), bot.Message{Platform: tc.p, Text: tc.text})
	}
	want(t, scrape(t, m.Handler()), map[string]float64{
		`stagecoach_requests_total{command="ok",outcome="ok",platform="lark"}`:                  1,
		`stagecoach_requests_total{command="oops",outcome="user_error",platform="lark"}`:        1,
		`stagecoach_requests_total{command="boom",outcome="internal_error",platform="console"}`: 1,
		`stagecoach_requests_total{command="other",outcome="ok",platform="lark"}`:               1,
		`stagecoach_errors_total{where="bot"}`:                                                  1,
	})
}

func TestHTTPMiddleware(t *testing.T) {
	m := NewMetrics()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
	mux.HandleFunc("POST /slack/events", func(w http.ResponseWriter, r *http.Request) {}) // writes nothing: 200
	mux.HandleFunc("POST /panic", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(m.HTTP(mux))
	defer srv.Close()
	do := func(method, path string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if path == "/panic" {
				return // the aborted handler closes the connection
			}
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do("GET", "/healthz")
	do("GET", "/healthz")
	do("POST", "/slack/commands")
	do("POST", "/slack/events")
	do("GET", "/wp-login.php")
	do("GET", "/random/123")
	do("POST", "/panic") // POST: the client must not retry it

	got := scrape(t, m.HTTP(mux))
	want(t, got, map[string]float64{
		`stagecoach_http_requests_total{code="200",path="/healthz"}`:        2,
		`stagecoach_http_requests_total{code="401",path="/slack/commands"}`: 1,
		`stagecoach_http_requests_total{code="200",path="/slack/events"}`:   1,
		`stagecoach_http_requests_total{code="404",path="other"}`:           2,
		`stagecoach_http_requests_total{code="500",path="other"}`:           1,
		`stagecoach_ack_seconds_count{path="/healthz"}`:                     2,
		`stagecoach_ack_seconds_count{path="other"}`:                        3,
		`stagecoach_ack_seconds_bucket{path="/healthz",le="3"}`:             2,
		`stagecoach_errors_total{where="http"}`:                             1,
	})
	for s := range got {
		if strings.Contains(s, "wp-login") || strings.Contains(s, "random") {
			t.Errorf("unlisted path became a label: %s", s)
		}
	}
}

func TestSentAndError(t *testing.T) {
	m := NewMetrics()
	m.Sent("nudge", nil)
	m.Sent("nudge", nil)
	m.Sent("digest", errors.New("429"))
	m.Error("cron")
	m.Error("free text with spaces")
	want(t, scrape(t, m.Handler()), map[string]float64{
		`stagecoach_sends_total{kind="nudge",outcome="ok"}`:     2,
		`stagecoach_sends_total{kind="digest",outcome="error"}`: 1,
		`stagecoach_errors_total{where="send"}`:                 1,
		`stagecoach_errors_total{where="cron"}`:                 1,
		`stagecoach_errors_total{where="other"}`:                1,
	})
}

// TestMetricsStoreConformance runs the shared store suite through the
// decorator: it must change nothing about the store's behaviour.
func TestMetricsStoreConformance(t *testing.T) {
	m := NewMetrics()
	// The suite's subtests are parallel: the group returns when all are done.
	t.Run("suite", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) coach.Store { return m.Store(openBolt(t)) })
	})
	got := scrape(t, m.Handler())
	for _, op := range []string{"CreateDeal", "GetDeal", "UpdateDeal", "ListDeals", "ProgressBefore", "History",
		"GetTeam", "PutTeam", "Teams", "CreateCase", "ListCases", "DeleteCase", "PutSession", "GetSession",
		"Sessions", "DeleteSession", "SeenEvent", "ForgetEvent", "TryLock", "ReleaseLock", "Ping"} {
		if got[`stagecoach_store_seconds_count{op="`+op+`"}`] == 0 {
			t.Errorf("store op %s was never timed", op)
		}
	}
}

func TestNewMetricsIsolated(t *testing.T) {
	// Two instances must not share a registry (a global one would panic
	// on the second registration).
	a, b := NewMetrics(), NewMetrics()
	a.Error("x")
	if _, ok := scrape(t, b.Handler())[`stagecoach_errors_total{where="x"}`]; ok {
		t.Error("metrics leaked between instances")
	}
}
