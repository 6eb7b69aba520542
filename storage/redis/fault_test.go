package redis_test

// Fault tests against a real redis-server (skipped only when none is on
// PATH; CI installs one): kill -9 of Redis with appendfsync always, Redis
// unreachable then back, the bot process killed mid-write, and two bot
// replicas sharing one Redis.

import (
	"context"
	"errors"
	"fmt"
	"net"
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

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// aofServer is a redis-server with appendonly yes / appendfsync always in
// its own directory, which can be killed with SIGKILL and restarted.
type aofServer struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
}

func startAOF(t *testing.T) *aofServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH (CI installs it)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &aofServer{t: t, bin: bin, dir: t.TempDir(), addr: addr}
	s.start()
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *aofServer) start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command(s.bin, "--port", port, "--bind", "127.0.0.1", "--dir", s.dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--logfile", filepath.Join(s.dir, "redis.log"))
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		c := goredis.NewClient(&goredis.Options{Addr: s.addr, DialTimeout: 100 * time.Millisecond})
		err := c.Ping(context.Background()).Err()
		c.Close()
		if err == nil {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	s.t.Fatal("redis-server did not come up")
}

func (s *aofServer) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill() // SIGKILL: no shutdown, no final fsync
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func newStore(t *testing.T, addr, prefix string) (*redisstore.Store, goredis.UniversalClient) {
	t.Helper()
	c, err := redisstore.NewClient(redisstore.Config{URL: "redis://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return redisstore.New(c, redisstore.WithPrefix(prefix)), c
}

// noteEvents counts the "note" events of a deal's history.
func noteEvents(t *testing.T, st coach.Store, team, id string) int {
	t.Helper()
	evs, err := st.History(context.Background(), team, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == "note" {
			n++
		}
	}
	return n
}

// TestKill9KeepsEveryAcknowledgedUpdate: writers add notes; every note
// whose update returned success (the ack a user would see) must be there
// after Redis is killed with SIGKILL and restarted from its AOF.
func TestKill9KeepsEveryAcknowledgedUpdate(t *testing.T) {
	srv := startAOF(t)
	st, _ := newStore(t, srv.addr, "kill9")
	e := bottest.New(t, bottest.WithStore(st))
	e.Ask("alice", `new "Durable deal"`)
	team := e.Team
	svc := e.Service
	tm, err := st.GetTeam(context.Background(), team)
	if err != nil {
		t.Fatal(err)
	}
	actor := coach.Actor{Team: team, User: "alice"}

	var mu sync.Mutex
	acked := map[string]bool{}
	var count atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				text := fmt.Sprintf("w%d-%d", w, i)
				if _, err := svc.AddNote(context.Background(), actor, tm, "D-1", text); err == nil {
					mu.Lock()
					acked[text] = true
					mu.Unlock()
					count.Add(1)
				}
			}
		}()
	}
	for count.Load() < 300 {
		time.Sleep(5 * time.Millisecond)
	}
	srv.kill()
	close(stop)
	wg.Wait()
	srv.start()

	// go-redis stops dialling for about a second after failed dials; the
	// first read after the restart may wait for that.
	var d *coach.Deal
	for attempt := 0; ; attempt++ {
		if d, err = st.GetDeal(context.Background(), team, "D-1"); err == nil {
			break
		}
		if attempt == 100 {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	have := map[string]bool{}
	for _, n := range d.Notes {
		have[n.Text] = true
	}
	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for text := range acked {
		if !have[text] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged updates lost after kill -9", lost, len(acked))
	}
	if n := noteEvents(t, st, team, "D-1"); n != len(d.Notes) {
		t.Fatalf("deal has %d notes but history has %d note events: half-written update", len(d.Notes), n)
	}
	t.Logf("%d acknowledged updates, all present after kill -9 (%d notes stored)", len(acked), len(d.Notes))
}

// TestRedisDownThenBack: with Redis refusing connections (killed) or hung
// (SIGSTOP), the user is told nothing was changed; once Redis is back the
// next command works, with no restart of the bot.
func TestRedisDownThenBack(t *testing.T) {
	srv := startAOF(t)
	st, _ := newStore(t, srv.addr, "downback")
	e := bottest.New(t, bottest.WithStore(st))
	if out := e.Ask("alice", `new "Acme"`); !strings.Contains(out, "Created D-1") {
		t.Fatal(out)
	}
	outages := []struct {
		name       string
		down, back func()
	}{
		{"refused", srv.kill, srv.start},
		{"hung", func() { _ = srv.cmd.Process.Signal(syscall.SIGSTOP) }, func() { _ = srv.cmd.Process.Signal(syscall.SIGCONT) }},
	}
	items := []string{"s1.m1", "s1.m2"}
	for i, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			o.down()
			out := e.Ask("alice", "check D-1 "+items[i])
			if !strings.Contains(out, "Nothing was changed") || !strings.Contains(out, "ref ") {
				o.back()
				t.Fatalf("while down: %s", out)
			}
			o.back()
			want := "✓ " + items[i]
			for attempt := 0; attempt < 50; attempt++ {
				if out = e.Ask("alice", "check D-1 "+items[i]); strings.Contains(out, want) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(out, want) {
				t.Fatalf("did not recover: %s", out)
			}
		})
	}
}

// The child half of TestBotKilledMidWrite: the test binary started with
// STAGECOACH_FAULT_CHILD writes notes until it is killed. (init, not
// TestMain: the package's tests already have a TestMain.)
func init() {
	if addr := os.Getenv("STAGECOACH_FAULT_CHILD"); addr != "" {
		os.Exit(childWriter(addr, os.Getenv("STAGECOACH_FAULT_PREFIX")))
	}
}

func childWriter(addr, prefix string) int {
	c, err := redisstore.NewClient(redisstore.Config{URL: "redis://" + addr})
	if err != nil {
		return 3
	}
	st := redisstore.New(c, redisstore.WithPrefix(prefix))
	svc := coach.NewService(st, playbook.Default(), time.Now, nil)
	ctx := context.Background()
	a := coach.Actor{Team: "T1", User: "alice"}
	tm, _, err := svc.Join(ctx, a)
	if err != nil {
		return 4
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		id := "D-" + strconv.Itoa(1+i%5)
		if _, err := svc.AddNote(ctx, a, tm, id, "n"+strconv.Itoa(i)); err != nil && !errors.Is(err, context.Canceled) {
			time.Sleep(time.Millisecond)
		}
	}
}

// TestBotKilledMidWrite: a bot process killed with SIGKILL while writing
// leaves no half-written deal: every deal's notes match its history.
func TestBotKilledMidWrite(t *testing.T) {
	srv := redistest.StartServer(t)
	prefix := "fault-" + t.Name()
	st, _ := newStore(t, srv.Addr, prefix)
	e := bottest.New(t, bottest.WithStore(st))
	for i := 1; i <= 5; i++ {
		e.Ask("alice", fmt.Sprintf(`new "Deal %d"`, i))
	}
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "STAGECOACH_FAULT_CHILD="+srv.Addr, "STAGECOACH_FAULT_PREFIX="+prefix)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		if _, err := out.Read(buf); err != nil {
			t.Fatalf("child: %v", err)
		}
		time.Sleep(time.Duration(100+round*70) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	total := 0
	for i := 1; i <= 5; i++ {
		id := "D-" + strconv.Itoa(i)
		d := e.Deal(id)
		if n := noteEvents(t, st, e.Team, id); n != len(d.Notes) {
			t.Fatalf("%s: %d notes vs %d note events: half-written", id, len(d.Notes), n)
		}
		if int(d.Version) != len(d.Notes)+1 {
			t.Fatalf("%s: version %d with %d notes", id, d.Version, len(d.Notes))
		}
		total += len(d.Notes)
	}
	if total == 0 {
		t.Fatal("the child wrote nothing")
	}
	t.Logf("%d notes written across 3 killed bot processes, all consistent", total)
}

// TestTwoReplicasLoseNoUpdates: two bot processes (two services with their
// own clients) update one deal at once through one Redis.
func TestTwoReplicasLoseNoUpdates(t *testing.T) {
	srv := redistest.StartServer(t)
	prefix := "fault-" + t.Name()
	stA, _ := newStore(t, srv.Addr, prefix)
	stB, _ := newStore(t, srv.Addr, prefix)
	a := bottest.New(t, bottest.WithStore(stA))
	b := bottest.New(t, bottest.WithStore(stB))
	a.Ask("alice", `new "Shared"`)
	var wg sync.WaitGroup
	// Distinct notes: a byte-identical update at the same millisecond is
	// taken as a client retry of one write (the store's replay check), as a
	// double submit should be.
	for i := 0; i < 25; i++ {
		for r, env := range []*bottest.Env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := env.Router.Handle(context.Background(), env.Message("alice", fmt.Sprintf("note D-1 replica %d note %d", r, i)))
				if err != nil || rep.Error {
					t.Errorf("note failed: %v %s", err, rep.PlainText())
				}
			}()
		}
	}
	wg.Wait()
	if n := len(b.Deal("D-1").Notes); n != 50 {
		t.Fatalf("%d notes, want 50", n)
	}
}

// TestSessionsSharedAcrossReplicas: a guided session started through one
// bot process continues through another (each event goes to a random
// replica on Lark's long connection, for instance).
func TestSessionsSharedAcrossReplicas(t *testing.T) {
	srv := redistest.StartServer(t)
	prefix := "sessions-" + t.Name()
	stA, _ := newStore(t, srv.Addr, prefix)
	stB, _ := newStore(t, srv.Addr, prefix)
	clock := bottest.NewClock(bottest.Start)
	a := bottest.New(t, bottest.WithStore(stA), bottest.WithClock(clock))
	b := bottest.New(t, bottest.WithStore(stB), bottest.WithClock(clock))
	a.Ask("alice", `new "Acme ERP"`)
	a.Ask("alice", "coach D-1 needs")
	a.Ask("alice", "invoices are entered twice")
	b.Ask("alice", "the old ERP has no API")
	for name, env := range map[string]*bottest.Env{"A": a, "B": b} {
		out := env.Ask("alice", "status")
		for _, want := range []string{"invoices are entered twice", "the old ERP has no API"} {
			if !strings.Contains(out, want) {
				t.Fatalf("replica %s does not see %q:\n%s", name, want, out)
			}
		}
	}
}
