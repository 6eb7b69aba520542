package redis_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
	"github.com/stagecoach/stagecoach/storage/storagetest"
)

// quietLog drops go-redis's own log lines ("failed to dial…"), which the
// outage tests provoke on purpose.
type quietLog struct{}

func (quietLog) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quietLog{})
	os.Exit(m.Run())
}

func TestConformance(t *testing.T) {
	c := redistest.Client(t)
	storagetest.Run(t, func(t *testing.T) coach.Store {
		// The suite's own deadlines bound the calls: a loaded CI machine
		// running -race must not fail it on the production 1s op timeout.
		return redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)), redis.WithOpTimeout(10*time.Second))
	})
}

// TestConformanceMiniredis runs the suite on miniredis too, so the
// fallback used where no redis-server is installed stays correct.
func TestConformanceMiniredis(t *testing.T) {
	c := redistest.Mini(t)
	storagetest.Run(t, func(t *testing.T) coach.Store {
		// The suite's own deadlines bound the calls: a loaded CI machine
		// running -race must not fail it on the production 1s op timeout.
		return redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)), redis.WithOpTimeout(10*time.Second))
	})
}

// counter is a go-redis hook counting round trips: each command sent on
// its own, and each pipeline or transaction, counts one.
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (c *counter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

func TestRoundTrips(t *testing.T) {
	c := redistest.Client(t)
	cnt := &counter{}
	c.AddHook(cnt)
	s := redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)))
	ctx := t.Context()
	d := &coach.Deal{Team: "T", Name: "x", Status: coach.StatusOpen, LastProgressAt: time.Now()}
	ev := []coach.Event{{Kind: "note", At: time.Now()}}
	measure := func(what string, max int64, f func() error) {
		t.Helper()
		// Once first, so a script is loaded before counting.
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		const n = 20
		before := cnt.n.Load()
		for i := 0; i < n; i++ {
			if err := f(); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		per := float64(cnt.n.Load()-before) / n
		t.Logf("%s: %.1f round trips", what, per)
		if per > float64(max) {
			t.Errorf("%s: %.1f round trips, want ≤ %d", what, per, max)
		}
	}
	measure("CreateDeal", 1, func() error { d.ID = ""; return s.CreateDeal(ctx, d, ev) })
	measure("UpdateDeal", 1, func() error { return s.UpdateDeal(ctx, d, ev) })
	measure("GetDeal", 1, func() error { _, err := s.GetDeal(ctx, "T", d.ID); return err })
	measure("GetDeal+UpdateDeal", 2, func() error {
		cur, err := s.GetDeal(ctx, "T", d.ID)
		if err != nil {
			return err
		}
		return s.UpdateDeal(ctx, cur, ev)
	})
	measure("ProgressBefore", 2, func() error { _, err := s.ProgressBefore(ctx, "T", time.Now(), 10); return err })
	measure("SeenEvent", 1, func() error { _, err := s.SeenEvent(ctx, "k", time.Hour); return err })
}

// TestRedisDown stops the server under a working store: calls fail with a
// plain error (not ErrNotFound), and work again once a server is back on
// the same address.
func TestRedisDown(t *testing.T) {
	t.Run("server", func(t *testing.T) { testRedisDown(t, redistest.StartServer(t)) })
	t.Run("miniredis", func(t *testing.T) { testRedisDown(t, redistest.StartMiniredis(t)) })
}

func testRedisDown(t *testing.T, srv *redistest.Server) {
	c, err := redis.NewClient(redis.Config{URL: "redis://" + srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := redis.New(c)
	ctx := t.Context()
	d := &coach.Deal{Team: "T", Name: "x", Status: coach.StatusOpen}
	if err := s.CreateDeal(ctx, d, nil); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	calls := map[string]func() error{
		"Ping":       func() error { return s.Ping(ctx) },
		"GetDeal":    func() error { _, err := s.GetDeal(ctx, "T", d.ID); return err },
		"UpdateDeal": func() error { return s.UpdateDeal(ctx, d.Clone(), nil) },
		"CreateDeal": func() error { return s.CreateDeal(ctx, &coach.Deal{Team: "T"}, nil) },
		"SeenEvent":  func() error { _, err := s.SeenEvent(ctx, "k", time.Hour); return err },
		"TryLock":    func() error { _, _, err := s.TryLock(ctx, "k", time.Hour); return err },
		"GetSession": func() error { _, err := s.GetSession(ctx, "T", "u", "D-1"); return err },
		"History":    func() error { _, err := s.History(ctx, "T", d.ID, 0); return err },
		"ListDeals":  func() error { _, err := s.ListDeals(ctx, "T"); return err },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if err == nil {
			t.Errorf("%s with Redis down: no error", name)
			continue
		}
		if errors.Is(err, coach.ErrNotFound) || errors.Is(err, coach.ErrConflict) {
			t.Errorf("%s with Redis down: %v, want a connection error", name, err)
		}
		t.Logf("%s down: %v (%v)", name, err, time.Since(start).Round(time.Millisecond))
	}

	if err := srv.Start(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	// The very first call after the restart succeeds: no waiting for a
	// reconnect backoff.
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after restart: %v", err)
	}
	d2 := &coach.Deal{Team: "T", Name: "after"}
	if err := s.CreateDeal(ctx, d2, nil); err != nil {
		t.Fatalf("CreateDeal after restart: %v", err)
	}
	if _, err := s.GetDeal(ctx, "T", d2.ID); err != nil {
		t.Fatalf("GetDeal after restart: %v", err)
	}
}

// TestHungRedisFailsFast points the store at a listener that accepts and
// never answers.
func TestHungRedisFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c, err := redis.NewClient(redis.Config{URL: "redis://" + l.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := redis.New(c)
	// The context has no deadline: the client's timeouts end the call.
	start := time.Now()
	_, err = s.GetDeal(context.Background(), "T", "D-1")
	if err == nil || errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetDeal on a hung Redis: %v, want a timeout error", err)
	}
	t.Logf("hung Redis: %v after %v", err, time.Since(start).Round(time.Millisecond))
}

func TestNewClient(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     redis.Config
		kind    string
		tls     bool
		wantErr bool
	}{
		{name: "url", cfg: redis.Config{URL: "redis://:pw@127.0.0.1:6390/2"}, kind: "*redis.Client"},
		{name: "rediss", cfg: redis.Config{URL: "rediss://127.0.0.1:6390"}, kind: "*redis.Client", tls: true},
		{name: "url+TLS", cfg: redis.Config{URL: "redis://127.0.0.1:6390", TLS: true}, kind: "*redis.Client", tls: true},
		{name: "one addr", cfg: redis.Config{Addrs: []string{"127.0.0.1:6390"}}, kind: "*redis.Client"},
		{name: "sentinel", cfg: redis.Config{Addrs: []string{"127.0.0.1:26379", "127.0.0.1:26380"}, MasterName: "mymaster"}, kind: "*redis.Client"},
		{name: "cluster", cfg: redis.Config{Addrs: []string{"127.0.0.1:7000", "127.0.0.1:7001"}}, kind: "*redis.ClusterClient"},
		{name: "cluster tls", cfg: redis.Config{Addrs: []string{"127.0.0.1:7000", "127.0.0.1:7001"}, TLS: true}, kind: "*redis.ClusterClient", tls: true},
		{name: "cluster db", cfg: redis.Config{Addrs: []string{"a:1", "b:2"}, DB: 3}, wantErr: true},
		{name: "both", cfg: redis.Config{URL: "redis://a:1", Addrs: []string{"b:2"}}, wantErr: true},
		{name: "none", cfg: redis.Config{}, wantErr: true},
		{name: "bad url", cfg: redis.Config{URL: "http://a:1"}, wantErr: true},
		{name: "sentinel url", cfg: redis.Config{URL: "redis://a:1", MasterName: "m"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := redis.NewClient(tc.cfg)
			if tc.wantErr {
				if err == nil {
					c.Close()
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := fmt.Sprintf("%T", c); got != tc.kind {
				t.Fatalf("client %s, want %s", got, tc.kind)
			}
			var tlsCfg *tls.Config
			switch cc := c.(type) {
			case *goredis.Client:
				o := cc.Options()
				tlsCfg = o.TLSConfig
				if o.MaxRetries != 0 || !o.ContextTimeoutEnabled || o.ReadTimeout > 300*time.Millisecond || o.DialTimeout > 300*time.Millisecond || o.PoolTimeout > 500*time.Millisecond {
					t.Errorf("untuned options: %+v", o)
				}
				if tc.name == "url" && (o.DB != 2 || o.Password != "pw") {
					t.Errorf("URL not applied: db %d", o.DB)
				}
			case *goredis.ClusterClient:
				o := cc.Options()
				tlsCfg = o.TLSConfig
				if o.MaxRetries > 0 || !o.ContextTimeoutEnabled || o.ReadTimeout > 300*time.Millisecond {
					t.Errorf("untuned options: %+v", o)
				}
			}
			if (tlsCfg != nil) != tc.tls {
				t.Errorf("TLS config %v, want TLS %v", tlsCfg != nil, tc.tls)
			}
		})
	}
}

func BenchmarkUpdateDeal(b *testing.B) {
	for _, kind := range []string{"server", "miniredis"} {
		b.Run(kind, func(b *testing.B) {
			var c goredis.UniversalClient
			if kind == "server" {
				c = redistest.Client(b)
			} else {
				c = redistest.Mini(b)
			}
			cnt := &counter{}
			c.AddHook(cnt)
			s := redis.New(c, redis.WithPrefix(redistest.Prefix(b, c)))
			ctx := context.Background()
			d := &coach.Deal{Team: "T", Name: "bench", Status: coach.StatusOpen, Info: map[string]string{"s1.i1.size": "500"}}
			if err := s.CreateDeal(ctx, d, []coach.Event{{Kind: "create"}}); err != nil {
				b.Fatal(err)
			}
			ev := []coach.Event{{Kind: "info", Field: "s1.i1.size", Before: "500", After: "600", By: "U1"}}
			if err := s.UpdateDeal(ctx, d, ev); err != nil { // loads the script
				b.Fatal(err)
			}
			before := cnt.n.Load()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d.LastProgressAt = time.Unix(int64(i), 0)
				if err := s.UpdateDeal(ctx, d, ev); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(cnt.n.Load()-before)/float64(b.N), "roundtrips/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
	}
}

// BenchmarkUpdateDealParallel runs updates of distinct deals from many
// goroutines: the throughput of one process.
func BenchmarkUpdateDealParallel(b *testing.B) {
	c := redistest.Client(b)
	s := redis.New(c, redis.WithPrefix(redistest.Prefix(b, c)))
	ctx := context.Background()
	var next atomic.Int64
	// 16 goroutines per core: many requests in flight, as in the bot.
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		d := &coach.Deal{Team: fmt.Sprintf("T%d", next.Add(1)), Name: "bench", Status: coach.StatusOpen}
		if err := s.CreateDeal(ctx, d, nil); err != nil {
			b.Error(err)
			return
		}
		ev := []coach.Event{{Kind: "note", By: "U1"}}
		for pb.Next() {
			if err := s.UpdateDeal(ctx, d, ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// TestUpdateRetryIsIdempotent replays an update that was already applied,
// with its request token, as a client retry after a lost reply would: it
// succeeds without writing again, while a different update (another token)
// at the same version still conflicts.
func TestUpdateRetryIsIdempotent(t *testing.T) {
	c := redistest.Client(t)
	s := redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)))
	ctx := coach.WithUpdateToken(t.Context(), "tok-1")
	d := &coach.Deal{Team: "T", Name: "x", Status: coach.StatusOpen}
	if err := s.CreateDeal(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	d.Name = "y"
	retry := d.Clone()
	if err := s.UpdateDeal(ctx, d, []coach.Event{{Kind: "info"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateDeal(ctx, retry.Clone(), []coach.Event{{Kind: "info"}}); err != nil {
		t.Fatalf("replayed update: %v, want success", err)
	}
	other := retry.Clone()
	other.Name = "z"
	if err := s.UpdateDeal(coach.WithUpdateToken(ctx, "tok-2"), other, nil); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("different update at the old version: %v, want ErrConflict", err)
	}
	if h, _ := s.History(ctx, "T", d.ID, 0); len(h) != 1 {
		t.Fatalf("%d events, want 1: the replay must not append", len(h))
	}
}

// TestCreateNeverOverwrites loses the team's counter: the next create
// reports a conflict instead of replacing D-1, and the one after succeeds.
func TestCreateNeverOverwrites(t *testing.T) {
	c := redistest.Client(t)
	p := redistest.Prefix(t, c)
	s := redis.New(c, redis.WithPrefix(p))
	ctx := t.Context()
	d := &coach.Deal{Team: "T", Name: "first", Status: coach.StatusOpen}
	if err := s.CreateDeal(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Del(ctx, p+":{T}:seq").Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateDeal(ctx, &coach.Deal{Team: "T", Name: "second"}, nil); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("create over an existing deal: %v, want ErrConflict", err)
	}
	if got, err := s.GetDeal(ctx, "T", "D-1"); err != nil || got.Name != "first" {
		t.Fatalf("D-1 = %+v, %v", got, err)
	}
	d2 := &coach.Deal{Team: "T", Name: "third"}
	if err := s.CreateDeal(ctx, d2, nil); err != nil || d2.ID != "D-2" {
		t.Fatalf("next create: %s, %v", d2.ID, err)
	}
}

// TestConformanceCluster runs the suite on a Redis Cluster named by
// REDIS_CLUSTER_ADDRS (comma-separated seed nodes), through NewClient:
// it proves the scripts and transactions stay within one slot.
func TestConformanceCluster(t *testing.T) {
	addrs := os.Getenv("REDIS_CLUSTER_ADDRS")
	if addrs == "" {
		t.Skip("REDIS_CLUSTER_ADDRS not set")
	}
	c, err := redis.NewClient(redis.Config{Addrs: strings.Split(addrs, ",")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, ok := c.(*goredis.ClusterClient); !ok {
		t.Fatalf("client %T, want a cluster client", c)
	}
	storagetest.Run(t, func(t *testing.T) coach.Store {
		return redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)), redis.WithOpTimeout(10*time.Second))
	})
}
