package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
)

// TestLarkFatalErrorStaysLark runs the service with Slack (HTTP) and Lark
// (long connection) while Lark's endpoint answers a non-retryable error
// ("app not found"): the process keeps running, Slack keeps answering,
// Lark is retried with backoff, /readyz (200) details it, and
// stagecoach_adapter_up shows slack 1, lark 0.
func TestLarkFatalErrorStaysLark(t *testing.T) {
	old := backoffMin
	backoffMin = 50 * time.Millisecond
	t.Cleanup(func() { backoffMin = old })
	var boots atomic.Int32
	lark := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/callback/ws/endpoint") {
			boots.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"code":10003,"msg":"app not found"}`)
	}))
	t.Cleanup(lark.Close)
	sink := newReplySink(t)
	addr := freeAddr(t)
	const secret = "fatal-secret"
	withEnv(t, map[string]string{
		"STAGECOACH_DB": filepath.Join(t.TempDir(), "s.db"), "HTTP_ADDR": addr, "STAGECOACH_CRON": "false",
		"SLACK_BOT_TOKEN": "xoxb-f", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": sink.srv.URL + "/api/",
		"LARK_APP_ID": "cli_missing", "LARK_APP_SECRET": "s", "LARK_BASE_URL": lark.URL,
	})
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, strings.NewReader(""), io.Discard, logs) }()
	base := "http://" + addr
	waitHTTP(t, base, logs)
	eventuallyT(t, 10*time.Second, "lark retried with backoff", func() bool { return boots.Load() >= 3 })
	select {
	case code := <-done:
		t.Fatalf("the process exited (%d) on Lark's error:\n%s", code, logs)
	default:
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	if code, _ := postSigned(hc, base, "/slack/commands", secret, "application/x-www-form-urlencoded", slashBody(`new "Still Here"`, sink.srv.URL+"/respond/1"), 0); code != 200 {
		t.Fatalf("slack ack %d", code)
	}
	eventuallyT(t, 10*time.Second, "slack answered", func() bool { return len(sink.replies("/respond/1")) == 1 })
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "slack: up") || !strings.Contains(string(body), "lark: down") || !strings.Contains(string(body), "app not found") {
		t.Fatalf("readyz %d:\n%s", resp.StatusCode, body)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`stagecoach_adapter_up{platform="lark"} 0`, `stagecoach_adapter_up{platform="slack"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(logs.String(), "adapter failed; the other platforms keep running") {
		t.Error("the failure was not logged")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no shutdown")
	}
	t.Logf("lark endpoint failing: %d connection attempts with backoff, slack acked 1 and answered 1, process up throughout; readyz:\n%s", boots.Load(), body)
}

// TestSuperviseBacksOffAndRecovers: a failing runner is retried with a
// growing delay and reported down with its error; a panic is a failure
// too; when the runner keeps running it is reported up by its own health
// hook, and cancellation ends the supervisor with nil.
func TestSuperviseBacksOffAndRecovers(t *testing.T) {
	old := backoffMin
	backoffMin = time.Millisecond
	t.Cleanup(func() { backoffMin = old })
	m := &Main{Metrics: NewMetrics(), Log: slog.New(slog.DiscardHandler)}
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := m.supervise(bot.Lark, func(ctx context.Context) error {
		switch calls.Add(1) {
		case 1:
			return errors.New("app not found")
		case 2:
			panic("boom")
		}
		m.adapterHealth().set(bot.Lark, true, nil, time.Time{})
		<-ctx.Done()
		return nil
	})
	errc := make(chan error, 1)
	go func() { errc <- run(ctx) }()
	eventuallyT(t, 5*time.Second, "third run up", func() bool {
		_, up, _ := m.adapterHealth().report()
		return up
	})
	detail, _, _ := m.adapterHealth().report()
	if !strings.Contains(detail, "lark: up") {
		t.Fatalf("report %q", detail)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("supervisor returned %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d runs, want 3", calls.Load())
	}
}
