package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRedisStallThenRetryAppliedOnce reproduces issue 17's silent loss: the
// bot's write reaches Redis while it is stopped (SIGSTOP), the client times
// out and answers 503, Redis applies the write when it resumes, and Slack
// retries. With marks written after the work (the inbox lease, then done)
// every note is applied exactly once and answered exactly once.
func TestRedisStallThenRetryAppliedOnce(t *testing.T) {
	rd := startOwnRedis(t)
	sink := newReplySink(t)
	addr := freeAddr(t)
	const secret = "stall-secret"
	withEnv(t, map[string]string{
		"REDIS_URL": rd.url(), "HTTP_ADDR": addr, "SLACK_BOT_TOKEN": "xoxb-stall", "SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL": sink.srv.URL + "/api/", "STAGECOACH_CRON": "false", "STAGECOACH_INBOX_LEASE": "5s", "STAGECOACH_WORK_TIMEOUT": "4s", "LOG_LEVEL": "debug",
	})
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, strings.NewReader(""), io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("no shutdown")
		}
	})
	base := "http://" + addr
	waitHTTP(t, base, logs)
	hc := &http.Client{Timeout: 5 * time.Second}
	const form = "application/x-www-form-urlencoded"
	if code, _ := postSigned(hc, base, "/slack/commands", secret, form, slashBody(`new "Stall Co"`, sink.srv.URL+"/respond/new"), 0); code != 200 {
		t.Fatalf("warm-up: %d", code)
	}
	eventuallyT(t, 10*time.Second, "warm-up deal created", func() bool { return len(sink.replies("/respond/new")) == 1 })

	const n = 12
	sent, acked, first503 := 0, 0, 0
	for i := range n {
		body := dmEvent(fmt.Sprintf("EvStall%d", i), fmt.Sprintf("D%d", i), fmt.Sprintf("note D-1 stall-note-%d", i))
		stalled := i%2 == 0
		if stalled {
			rd.signal(syscall.SIGSTOP)
			go func() { time.Sleep(500 * time.Millisecond); rd.signal(syscall.SIGCONT) }()
		}
		code, _ := postSigned(hc, base, "/slack/events", secret, "application/json", body, 0)
		sent++
		if code == http.StatusOK {
			acked++
		} else {
			first503++
		}
		if stalled {
			time.Sleep(600 * time.Millisecond) // Redis has resumed and applied the late write
		}
		// Slack retries whatever it got: a 5xx for sure; a 200 here too, to
		// show a duplicate is dropped.
		code, _ = postSigned(hc, base, "/slack/events", secret, "application/json", body, 1)
		if code != http.StatusOK {
			t.Fatalf("event %d: retry got %d, want 200", i, code)
		}
		acked++
	}
	st := rd.store(t)
	var notes map[string]int
	defer func() {
		if t.Failed() {
			t.Logf("notes %v, replies %d\n%s", notes, sink.total(), logs)
		}
	}()
	eventuallyT(t, 20*time.Second, "every note applied and answered", func() bool {
		d, err := st.GetDeal(context.Background(), "T1", "D-1")
		if err != nil {
			return false
		}
		notes = map[string]int{}
		for _, nt := range d.Notes {
			notes[nt.Text]++
		}
		for i := range n {
			if notes[fmt.Sprintf("stall-note-%d", i)] == 0 || len(sink.replies(fmt.Sprintf("D%d", i))) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(5500 * time.Millisecond) // longer than a lease: a second run would show now
	d, err := st.GetDeal(context.Background(), "T1", "D-1")
	if err != nil {
		t.Fatal(err)
	}
	applied, dup := 0, 0
	notes = map[string]int{}
	for _, nt := range d.Notes {
		notes[nt.Text]++
	}
	for _, c := range notes {
		applied++
		dup += c - 1
	}
	told := 0
	for i := range n {
		rs := sink.replies(fmt.Sprintf("D%d", i))
		if len(rs) != 1 {
			t.Errorf("event %d: %d replies, want 1: %q", i, len(rs), rs)
		}
		if len(rs) > 0 && strings.Contains(rs[0], "note added") {
			told++
		}
	}
	h, _ := st.History(context.Background(), "T1", "D-1", 0)
	t.Logf("stall then retry: sent %d events (+%d retries), 503 during a stall %d, acked %d, applied %d, lost %d, duplicated %d, history events %d, users told the truth %d/%d",
		sent, n, first503, acked, applied, n-applied, dup, len(h)-1, told, n)
	if applied != n || dup != 0 || len(h)-1 != n || told != n {
		t.Fatalf("applied %d, duplicated %d, history %d, told %d; want %d, 0, %d, %d", applied, dup, len(h)-1, told, n, n, n)
	}
	if first503 == 0 {
		t.Error("no delivery failed during a stall: the test did not reproduce the stall")
	}
}
