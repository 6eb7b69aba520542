package main

// Helpers of the reliability fault tests: a redis-server of the test's
// own (so it can be stopped with SIGSTOP or killed), a fake Slack that
// records every reply by destination, and signed Slack requests.

import (
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
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
)

// ownRedis is a redis-server started by the test, with AOF (appendfsync
// always), so it can be paused, resumed, killed and restarted.
type ownRedis struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server binary on PATH: this fault test needs a real Redis it can SIGSTOP (CI installs one)")
	}
	r := &ownRedis{t: t, bin: bin, dir: t.TempDir(), addr: freeAddr(t)}
	r.start()
	t.Cleanup(func() {
		if r.cmd != nil && r.cmd.Process != nil {
			_ = r.cmd.Process.Signal(syscall.SIGCONT)
			_ = r.cmd.Process.Kill()
			_ = r.cmd.Wait()
		}
	})
	return r
}

func (r *ownRedis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.cmd = exec.Command(r.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
		"--appendfsync", "always", "--dir", r.dir, "--daemonize", "no", "--logfile", filepath.Join(r.dir, "redis.log"))
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: r.addr, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	for i := 0; ; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		if i > 250 {
			log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			r.t.Fatalf("redis-server did not start:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *ownRedis) signal(s syscall.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(s); err != nil {
		r.t.Fatal(err)
	}
}

func (r *ownRedis) url() string { return "redis://" + r.addr }

// store opens a coach.Store on r with the bot's default prefix, for the
// test to read what was applied.
func (r *ownRedis) store(t *testing.T) coach.Store {
	c := goredis.NewClient(&goredis.Options{Addr: r.addr, ReadTimeout: 5 * time.Second})
	t.Cleanup(func() { c.Close() })
	return redisstore.New(c, redisstore.WithOpTimeout(5*time.Second))
}

// replySink is a fake Slack Web API and response_url endpoint that
// records every reply by where it went (channel or response_url path).
type replySink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]string
	// delay holds each response_url reply this long (ns) before it is
	// answered, as a distant Slack does: the worker sending it waits.
	delay atomic.Int64
}

func newReplySink(t *testing.T) *replySink {
	s := &replySink{got: map[string][]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/respond/"):
			if d := time.Duration(s.delay.Load()); d > 0 {
				time.Sleep(d)
			}
			s.add(r.URL.Path, string(body))
			io.WriteString(w, `ok`)
		case strings.HasSuffix(r.URL.Path, "/chat.postMessage"), strings.HasSuffix(r.URL.Path, "/chat.postEphemeral"):
			v, _ := url.ParseQuery(string(body))
			s.add(v.Get("channel"), v.Get("blocks")+v.Get("text"))
			io.WriteString(w, `{"ok":true,"channel":"`+v.Get("channel")+`","ts":"1.1"}`)
		case strings.HasSuffix(r.URL.Path, "/users.info"):
			io.WriteString(w, `{"ok":true,"user":{"id":"U1","name":"alice","real_name":"Alice","profile":{"display_name":"Alice"}}}`)
		default:
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","channel":{"id":"D1"},"ts":"1.1"}`)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *replySink) add(to, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got[to] = append(s.got[to], body)
}

func (s *replySink) replies(to string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got[to]...)
}

func (s *replySink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.got {
		n += len(v)
	}
	return n
}

func slackSign(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// postSigned sends a signed request; retry > 0 sets X-Slack-Retry-Num. It
// returns the status and body (status 0: the request failed).
func postSigned(c *http.Client, base, path, secret, ctype, body string, retry int) (int, string) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackSign(secret, ts, body))
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_error")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func dmEvent(eventID, channel, text string) string {
	return fmt.Sprintf(`{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":%q,"event_time":1,`+
		`"event":{"type":"message","channel_type":"im","channel":%q,"user":"U1","text":%q,"ts":"1.1"}}`, eventID, channel, text)
}

func slashBody(text, responseURL string) string {
	return url.Values{"command": {"/coach"}, "text": {text}, "team_id": {"T1"}, "user_id": {"U1"},
		"channel_id": {"C1"}, "response_url": {responseURL}}.Encode()
}

func waitHTTP(t *testing.T, base string, logs fmt.Stringer) {
	t.Helper()
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if i > 500 {
			t.Fatalf("server did not start: %v\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventuallyT polls cond every 20 ms for up to d.
func eventuallyT(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
