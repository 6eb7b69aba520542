package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// botProcess is the real stagecoach binary, run as a child.
type botProcess struct {
	cmd  *exec.Cmd
	logs *syncBuffer
}

func buildBot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stagecoach")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startBot(t *testing.T, bin string, env map[string]string) *botProcess {
	t.Helper()
	p := &botProcess{cmd: exec.Command(bin), logs: &syncBuffer{}}
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	})
	return p
}

func (p *botProcess) kill9() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// TestKill9WithFullQueueLosesNothing builds the real binary, fills its
// queue with signed slash commands (each worker waits on a slow users.info
// at the fake Slack), kills it with SIGKILL, and starts another replica on
// the same Redis: every acked command is applied once and answered once on
// its response_url; every shed one was told so in its ack and changed
// nothing.
func TestKill9WithFullQueueLosesNothing(t *testing.T) {
	rd := startOwnRedis(t)
	bin := buildBot(t)
	const secret = "kill-secret"
	var (
		mu      sync.Mutex
		replies = map[string]int{}
	)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/respond/"):
			mu.Lock()
			if strings.Contains(string(body), "Created D-") {
				replies[r.URL.Path]++
			} else {
				replies[r.URL.Path+" other"]++
			}
			mu.Unlock()
			io.WriteString(w, "ok")
		case strings.HasSuffix(r.URL.Path, "/users.info"):
			time.Sleep(300 * time.Millisecond) // keeps the workers busy: the queue fills
			io.WriteString(w, `{"ok":true,"user":{"id":"U","name":"u","profile":{"display_name":"Rep"}}}`)
		default:
			io.WriteString(w, `{"ok":true,"ts":"1.1","channel":{"id":"D1"}}`)
		}
	}))
	t.Cleanup(fake.Close)
	env := func(addr, replica string) map[string]string {
		return map[string]string{
			"REDIS_URL": rd.url(), "HTTP_ADDR": addr, "SLACK_BOT_TOKEN": "xoxb-kill", "SLACK_SIGNING_SECRET": secret,
			"SLACK_API_URL": fake.URL + "/api/", "STAGECOACH_CRON": "false", "STAGECOACH_WORKERS": "2",
			"STAGECOACH_INBOX_LEASE": "2s", "STAGECOACH_MAX_QUEUE_WAIT": "1s", "STAGECOACH_WORK_TIMEOUT": "1s", "STAGECOACH_REPLICA": replica,
		}
	}
	addr1 := freeAddr(t)
	p1 := startBot(t, bin, env(addr1, "replica-1"))
	waitHTTP(t, "http://"+addr1, p1.logs)

	const n = 40
	hc := &http.Client{Timeout: 5 * time.Second}
	acks := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := slashBodyAs(fmt.Sprintf(`new "Kill %d"`, i), fake.URL+fmt.Sprintf("/respond/%d", i), fmt.Sprintf("U%d", i))
			codes[i], acks[i] = postSigned(hc, "http://"+addr1, "/slack/commands", secret, "application/x-www-form-urlencoded", body, 0)
		}()
	}
	wg.Wait()
	time.Sleep(700 * time.Millisecond) // a few done, most still queued
	p1.kill9()
	mu.Lock()
	before := len(replies)
	mu.Unlock()

	addr2 := freeAddr(t)
	p2 := startBot(t, bin, env(addr2, "replica-2"))
	waitHTTP(t, "http://"+addr2, p2.logs)

	acked, shed, shedTold := 0, 0, 0
	for i := range n {
		switch {
		case codes[i] == 200 && acks[i] == "":
			acked++
		case codes[i] == 200 && strings.Contains(acks[i], "nothing was changed"):
			shed++
			shedTold++
		default:
			t.Errorf("command %d: ack %d %q", i, codes[i], acks[i])
		}
	}
	st := rd.store(t)
	count := func() map[string]int {
		ds, err := st.ListDeals(context.Background(), "T1")
		if err != nil {
			return nil
		}
		m := map[string]int{}
		for _, d := range ds {
			m[d.Name]++
		}
		return m
	}
	eventuallyT(t, 30*time.Second, "every acked command answered after the restart", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for i := range n {
			if codes[i] == 200 && acks[i] == "" && replies[fmt.Sprintf("/respond/%d", i)] == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(2500 * time.Millisecond) // more than a lease: a second run would show now
	deals := count()
	mu.Lock()
	defer mu.Unlock()
	applied, lost, dupApplied, dupReplies, told := 0, 0, 0, 0, 0
	for i := range n {
		name, path := fmt.Sprintf("Kill %d", i), fmt.Sprintf("/respond/%d", i)
		if codes[i] != 200 || acks[i] != "" {
			if deals[name] != 0 {
				t.Errorf("shed command %d changed something", i)
			}
			continue
		}
		switch c := deals[name]; {
		case c == 0:
			lost++
		default:
			applied++
			dupApplied += c - 1
		}
		if r := replies[path]; r > 0 {
			told++
			dupReplies += r - 1
		}
		if replies[path+" other"] > 0 {
			t.Errorf("command %d got a non-success reply", i)
		}
	}
	t.Logf("kill -9 with a full queue: sent %d, acked %d, shed %d (told busy in the ack: %d), answered before the kill %d, applied %d, lost %d, duplicated %d (duplicate replies %d), users told the truth %d/%d",
		n, acked, shed, shedTold, before, applied, lost, dupApplied, dupReplies, told+shedTold, n)
	if lost != 0 || dupApplied != 0 || applied != acked || told != acked {
		t.Fatalf("lost %d, duplicated %d, applied %d of %d acked, answered %d\nreplica-1:\n%s\nreplica-2:\n%s", lost, dupApplied, applied, acked, told, p1.logs, p2.logs)
	}
	if before >= acked {
		t.Errorf("everything was answered before the kill (%d): the queue was not full", before)
	}
	if !strings.Contains(p2.logs.String(), "recovered delivery") {
		t.Error("replica-2 recovered nothing")
	}
}

func slashBodyAs(text, responseURL, user string) string {
	return strings.Replace(slashBody(text, responseURL), "user_id=U1", "user_id="+user, 1)
}
