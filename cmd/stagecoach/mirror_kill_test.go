package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase/larkbasetest"
	"github.com/stagecoach/stagecoach/storage/mirror/webhook"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// TestMain lets the test binary act as the bot for the kill test: with
// STAGECOACH_MIRROR_HELPER set it runs mirrorHelper instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("STAGECOACH_MIRROR_HELPER") != "" {
		os.Exit(mirrorHelper())
	}
	os.Exit(m.Run())
}

// mirrorHelper opens the configured store like the service does, runs the
// mirror sender, makes HELPER_DEALS deals (each created and ticked
// through stage 1), prints "stored", and waits to be killed.
func mirrorHelper() int {
	ctx := context.Background()
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m := &Main{Config: cfg, Log: newLogger(cfg, os.Stderr, false)}
	if err := m.Open(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := strconv.Atoi(os.Getenv("HELPER_DEALS"))
	team := &coach.Team{ID: "T1", Platform: "console", Members: map[string]*coach.Member{"ann": {ID: "ann", Role: coach.RoleAdmin}}}
	if n > 0 {
		// Before the sender starts, so its first pass sees the team.
		if err := m.Store.PutTeam(ctx, team); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	for _, r := range m.mirrorRunners() {
		go func() { _ = r(ctx) }()
	}
	if n > 0 {
		// Wait until the sender has subscribed both targets, so every
		// change below is queued (not covered by the first resync).
		for {
			ts, err := m.Store.OutboxTargets(ctx, "T1")
			if err == nil && len(ts) == 2 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		var items []string
		for _, it := range playbook.Default().Stages[0].Milestone {
			items = append(items, it.ID)
		}
		a := coach.Actor{Team: "T1", User: "ann"}
		for i := range n {
			d, err := m.Service.CreateDeal(ctx, a, team, coach.NewDeal{Name: fmt.Sprint("Deal ", i), Value: int64(100 * (i + 1))})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			if _, err := m.Service.Tick(ctx, a, team, d.ID, items, nil); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	fmt.Println("stored")
	select {}
}

// hookReceiver counts webhook deliveries by event id.
type hookReceiver struct {
	delay  time.Duration
	up     atomic.Bool
	mu     sync.Mutex
	seen   map[string]int
	events []webhook.Event
	bad    atomic.Int32
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	time.Sleep(h.delay)
	if !webhook.Verify("kill-test-secret-123", body, r.Header.Get("X-Stagecoach-Signature")) {
		h.bad.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if !h.up.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var ev webhook.Event
	if json.Unmarshal(body, &ev) != nil {
		h.bad.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.seen[ev.ID]++
	h.events = append(h.events, ev)
	h.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// changes counts the distinct change events (resyncs left out) and how
// many of them arrived more than once. A resync copies current state and
// may race the deals made right after the targets are subscribed (the
// sender subscribes first, then resyncs, so nothing is missed): that
// overlap is a harmless extra copy, while every change must arrive.
func (h *hookReceiver) changes() (events, dups int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := map[string]int{}
	for _, ev := range h.events {
		if !ev.Resync {
			n[ev.ID]++
		}
	}
	for _, c := range n {
		events++
		if c > 1 {
			dups += c - 1
		}
	}
	return events, dups
}

func (h *hookReceiver) counts() (events, dups int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.seen {
		events++
		if n > 1 {
			dups += n - 1
		}
	}
	return events, dups
}

// startHelper starts the test binary as the bot and waits for "stored".
func startHelper(t *testing.T, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = env
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "stored" {
				ready <- true
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("helper did not get ready")
	}
	return cmd
}

// TestMirrorSurvivesKill: the bot stores deal changes while both targets
// are down, is killed with SIGKILL, and restarted once the targets are
// back: every change arrives once (webhook: each event id once; Base: one
// row per deal, with its last state).
func TestMirrorSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, store := range []string{"bolt", "redis"} {
		t.Run(store, func(t *testing.T) {
			const deals = 15
			fake := larkbasetest.New()
			defer fake.Close()
			fake.AddTable("bascnKill", "tblKill", "文本")
			fake.SetDown(true)
			hook := &hookReceiver{seen: map[string]int{}}
			hsrv := httptest.NewServer(hook)
			defer hsrv.Close()
			env := []string{
				"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "STAGECOACH_MIRROR_HELPER=1",
				"LARK_APP_ID=cli_kill_" + store, "LARK_APP_SECRET=secret", "LARK_BASE_URL=" + fake.URL,
				"LARK_BASE_APP_TOKEN=bascnKill", "LARK_BASE_TABLE_ID=tblKill", "LARK_BASE_MIN_INTERVAL=1ms",
				"STAGECOACH_WEBHOOK_URL=" + hsrv.URL, "STAGECOACH_WEBHOOK_SECRET=kill-test-secret-123",
				"STAGECOACH_MIRROR_POLL=20ms", "STAGECOACH_MIRROR_LEASE=1s", "LOG_LEVEL=error",
			}
			if store == "bolt" {
				env = append(env, "STAGECOACH_DB="+filepath.Join(t.TempDir(), "kill.db"))
			} else {
				srv := redistest.StartServer(t)
				env = append(env, "REDIS_URL=redis://"+srv.Addr)
			}
			first := startHelper(t, append(env, "HELPER_DEALS="+strconv.Itoa(deals)))
			time.Sleep(300 * time.Millisecond) // let the sender fail a few times
			if err := first.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = first.Wait()
			if n, _ := hook.counts(); n != 0 || len(fake.Snapshot("bascnKill", "tblKill").Records) != 0 {
				t.Fatalf("delivered while the targets were down: hook %d", n)
			}
			fake.SetDown(false)
			hook.up.Store(true)
			second := startHelper(t, append(env, "HELPER_DEALS=0"))
			start := time.Now()
			deadline := start.Add(60 * time.Second)
			for time.Now().Before(deadline) {
				n, _ := hook.counts()
				rows := fake.RowsBy("bascnKill", "tblKill", "商机编号")
				done := n == 2*deals && len(rows) == deals
				for _, rs := range rows {
					done = done && len(rs) == 1 && rs[0]["已达阶段"] == float64(1)
				}
				if done {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			_ = second.Process.Kill()
			t.Logf("%s: all changes delivered %v after the restart", store, time.Since(start).Round(time.Millisecond))
			n, dups := hook.counts()
			if n != 2*deals || dups != 0 || hook.bad.Load() != 0 {
				t.Fatalf("webhook: %d events (want %d), %d duplicates, %d bad", n, 2*deals, dups, hook.bad.Load())
			}
			rows := fake.RowsBy("bascnKill", "tblKill", "商机编号")
			if len(rows) != deals {
				t.Fatalf("base: %d deals, want %d", len(rows), deals)
			}
			for id, rs := range rows {
				if len(rs) != 1 || rs[0]["已达阶段"] != float64(1) || !strings.HasPrefix(fmt.Sprint(rs[0]["商机名称"]), "Deal ") {
					t.Fatalf("base: deal %s rows %v", id, rs)
				}
			}
		})
	}
}

// TestMirrorKilledMidSend: the bot is killed while it is sending (both
// targets up and slow), then restarted. Base still has exactly one row
// per deal (the create intent and client_token); the webhook receiver
// gets every event, and any event sent twice (delivered, then killed
// before the acknowledgement was stored) carries the same id.
func TestMirrorKilledMidSend(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const deals = 30
	fake := larkbasetest.New()
	defer fake.Close()
	fake.AddTable("bascnKill", "tblKill", "文本")
	fake.SetWriteDelay(40 * time.Millisecond)
	hook := &hookReceiver{seen: map[string]int{}, delay: 5 * time.Millisecond}
	hook.up.Store(true)
	hsrv := httptest.NewServer(hook)
	defer hsrv.Close()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "STAGECOACH_MIRROR_HELPER=1",
		"LARK_APP_ID=cli_kill_mid", "LARK_APP_SECRET=secret", "LARK_BASE_URL=" + fake.URL,
		"LARK_BASE_APP_TOKEN=bascnKill", "LARK_BASE_TABLE_ID=tblKill", "LARK_BASE_MIN_INTERVAL=1ms", "LARK_BASE_BATCH=3",
		"STAGECOACH_WEBHOOK_URL=" + hsrv.URL, "STAGECOACH_WEBHOOK_SECRET=kill-test-secret-123",
		"STAGECOACH_MIRROR_POLL=10ms", "STAGECOACH_MIRROR_LEASE=1s", "STAGECOACH_MIRROR_BATCH=3", "LOG_LEVEL=error",
		"STAGECOACH_DB=" + filepath.Join(t.TempDir(), "kill.db"),
	}
	first := startHelper(t, append(env, "HELPER_DEALS="+strconv.Itoa(deals)))
	time.Sleep(100 * time.Millisecond)
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	before, _ := hook.counts()
	second := startHelper(t, append(env, "HELPER_DEALS=0"))
	defer func() { _ = second.Process.Kill() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		n, _ := hook.changes()
		rows := fake.RowsBy("bascnKill", "tblKill", "商机编号")
		done := n == 2*deals && len(rows) == deals
		for _, rs := range rows {
			done = done && len(rs) == 1 && rs[0]["已达阶段"] == float64(1)
		}
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	n, dups := hook.changes()
	t.Logf("webhook: %d events before the kill, %d after the restart, %d resent with their id", before, n, dups)
	if n != 2*deals || hook.bad.Load() != 0 {
		t.Fatalf("webhook: %d distinct events, want %d (bad %d)", n, 2*deals, hook.bad.Load())
	}
	rows := fake.RowsBy("bascnKill", "tblKill", "商机编号")
	if len(rows) != deals || len(fake.Snapshot("bascnKill", "tblKill").Records) != deals {
		t.Fatalf("base: %d deals in %d records, want %d", len(rows), len(fake.Snapshot("bascnKill", "tblKill").Records), deals)
	}
	for id, rs := range rows {
		if len(rs) != 1 || rs[0]["已达阶段"] != float64(1) {
			t.Fatalf("base: deal %s rows %v", id, rs)
		}
	}
}
