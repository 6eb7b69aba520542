// Package redistest gives tests a Redis to talk to: the server at
// REDIS_URL when set, else a redis-server started from PATH, else an
// in-process miniredis. Tests share a server safely by giving each store
// its own key prefix (Prefix).
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Client returns a client to REDIS_URL if set, else to a redis-server from
// PATH on a free 127.0.0.1 port, else to an in-process miniredis. It logs
// which one it uses. The server, if started here, is stopped and the
// client closed at cleanup. Never FLUSH the server: use Prefix.
//
// The client's timeouts are generous (seconds, not the production
// 300 ms of redis.NewClient): conformance tests check behaviour, and a
// loaded CI machine running -race must not fail them on latency. Test the
// production client with redis.NewClient directly.
func Client(t testing.TB) goredis.UniversalClient {
	t.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		t.Logf("redistest: using REDIS_URL")
		o, err := goredis.ParseURL(url)
		if err != nil {
			t.Fatalf("redistest: REDIS_URL: %v", err)
		}
		return relaxedClient(t, o)
	}
	srv := StartServer(t)
	return relaxedClient(t, &goredis.Options{Addr: srv.Addr})
}

var prefixes atomic.Int64

// Prefix returns a key prefix no other test (in this or another process)
// uses, and deletes the keys under it at cleanup.
func Prefix(t testing.TB, c goredis.UniversalClient) string {
	t.Helper()
	p := fmt.Sprintf("test-%d-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9, prefixes.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		scan := func(ctx context.Context, c goredis.UniversalClient) error {
			it := c.Scan(ctx, 0, p+":*", 1000).Iterator()
			for it.Next(ctx) {
				c.Del(ctx, it.Val())
			}
			return it.Err()
		}
		var err error
		if cc, ok := c.(*goredis.ClusterClient); ok {
			err = cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error { return scan(ctx, n) })
		} else {
			err = scan(ctx, c)
		}
		if err != nil {
			t.Logf("redistest: cleaning prefix %s: %v", p, err)
		}
	})
	return p
}

// Server is a Redis started for a test, which can be stopped and started
// again on the same address.
type Server struct {
	// Addr is host:port.
	Addr string
	// Kind is "redis-server" or "miniredis".
	Kind string

	mu    sync.Mutex
	start func() error
	stop  func()
	up    bool
}

// Mini returns a client to a fresh in-process miniredis, whatever else is
// available, so the miniredis code path is tested too.
func Mini(t testing.TB) goredis.UniversalClient {
	t.Helper()
	s := miniServer(t)
	t.Cleanup(s.Stop)
	return relaxedClient(t, &goredis.Options{Addr: s.Addr})
}

// relaxedClient completes o with generous timeouts and no retries.
func relaxedClient(t testing.TB, o *goredis.Options) goredis.UniversalClient {
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = 5*time.Second, 10*time.Second, 10*time.Second, 10*time.Second
	o.MaxRetries = -1
	o.ContextTimeoutEnabled = true
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// StartServer starts redis-server from PATH (no persistence, in a temp
// dir) or, without one, a miniredis whose TTLs follow the wall clock. It
// is stopped at cleanup.
func StartServer(t testing.TB) *Server {
	t.Helper()
	var s *Server
	if bin, err := exec.LookPath("redis-server"); err == nil {
		s = redisServer(t, bin)
	} else {
		s = miniServer(t)
	}
	t.Logf("redistest: using %s at %s", s.Kind, s.Addr)
	if err := s.Start(); err != nil {
		t.Fatalf("redistest: start %s: %v", s.Kind, err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartMiniredis starts an in-process miniredis as a Server, whatever else
// is available; it is stopped at cleanup.
func StartMiniredis(t testing.TB) *Server {
	t.Helper()
	s := miniServer(t)
	t.Cleanup(s.Stop)
	return s
}

// Start starts the server again on its address after Stop.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		return nil
	}
	if err := s.start(); err != nil {
		return err
	}
	s.up = true
	return nil
}

// Stop stops the server; clients then get connection errors.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		s.stop()
		s.up = false
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func redisServer(t testing.TB, bin string) *Server {
	dir := t.TempDir()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	s := &Server{Addr: addr, Kind: "redis-server"}
	var cmd *exec.Cmd
	s.start = func() error {
		cmd = exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no", "--logfile", dir+"/redis.log")
		// Kill the server if the test binary dies without cleanup.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return err
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
			if err == nil {
				_, err = c.Write([]byte("PING\r\n"))
				buf := make([]byte, 7)
				if err == nil {
					c.SetReadDeadline(time.Now().Add(time.Second))
					_, err = c.Read(buf)
				}
				c.Close()
				if err == nil && strings.HasPrefix(string(buf), "+PONG") {
					return nil
				}
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				log, _ := os.ReadFile(dir + "/redis.log")
				return fmt.Errorf("redis-server on %s did not answer: %v\n%s", addr, err, log)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	s.stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	return s
}

func miniServer(t testing.TB) *Server {
	m := miniredis.NewMiniRedis()
	s := &Server{Kind: "miniredis"}
	started := false
	var done chan struct{}
	s.start = func() error {
		var err error
		if !started {
			err = m.StartAddr("127.0.0.1:0")
		} else {
			err = m.Restart()
		}
		if err != nil {
			return err
		}
		started = true
		s.Addr = m.Addr()
		// miniredis only expires keys when told time has passed: follow
		// the wall clock so TTL tests behave as with a real server.
		done = make(chan struct{})
		go func(done chan struct{}) {
			last := time.Now()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case now := <-tick.C:
					m.FastForward(now.Sub(last))
					last = now
				}
			}
		}(done)
		return nil
	}
	s.stop = func() {
		close(done)
		m.Close()
	}
	// Start once here so Addr is known before StartServer logs it.
	if err := s.start(); err != nil {
		t.Fatalf("redistest: miniredis: %v", err)
	}
	s.up = true
	return s
}
