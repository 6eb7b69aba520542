package coach_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// countingStore counts the store calls and the deals they return.
type countingStore struct {
	coach.Store
	calls map[string]*atomic.Int64
	deals atomic.Int64 // deals returned by any read
}

func newCountingStore(st coach.Store) *countingStore {
	c := &countingStore{Store: st, calls: map[string]*atomic.Int64{}}
	for _, m := range []string{"GetTeam", "GetDeal", "ListDeals", "PrefixDeals", "ProgressBefore"} {
		c.calls[m] = &atomic.Int64{}
	}
	return c
}

func (c *countingStore) reset() {
	for _, n := range c.calls {
		n.Store(0)
	}
	c.deals.Store(0)
}

func (c *countingStore) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	c.calls["GetTeam"].Add(1)
	return c.Store.GetTeam(ctx, id)
}

func (c *countingStore) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	c.calls["GetDeal"].Add(1)
	d, err := c.Store.GetDeal(ctx, team, id)
	if err == nil {
		c.deals.Add(1)
	}
	return d, err
}

func (c *countingStore) ListDeals(ctx context.Context, team string) ([]*coach.Deal, error) {
	c.calls["ListDeals"].Add(1)
	ds, err := c.Store.ListDeals(ctx, team)
	c.deals.Add(int64(len(ds)))
	return ds, err
}

func (c *countingStore) PrefixDeals(ctx context.Context, team, prefix string, limit int) ([]*coach.Deal, error) {
	c.calls["PrefixDeals"].Add(1)
	ds, err := c.Store.PrefixDeals(ctx, team, prefix, limit)
	c.deals.Add(int64(len(ds)))
	return ds, err
}

func (c *countingStore) ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*coach.Deal, error) {
	c.calls["ProgressBefore"].Add(1)
	ds, err := c.Store.ProgressBefore(ctx, team, t, limit)
	c.deals.Add(int64(len(ds)))
	return ds, err
}

// rtCounter is a go-redis hook counting round trips.
type rtCounter struct{ n atomic.Int64 }

func (c *rtCounter) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (c *rtCounter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *rtCounter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}

// bigTeam is a Redis-backed service whose team T has n filler deals
// ("Filler <i>", customers "Client <i>") owned by the admin U1 and by the
// rep U2, plus the named deals of extra.
type bigTeam struct {
	svc   *coach.Service
	store *countingStore
	rt    *rtCounter
	admin coach.Actor
	rep   coach.Actor
	ids   map[string]string // extra deal name → id
}

func newBigTeam(tb testing.TB, n int, extra ...*coach.Deal) *bigTeam {
	tb.Helper()
	c := redistest.Client(tb)
	rt := &rtCounter{}
	c.AddHook(rt)
	st := newCountingStore(redisstore.New(c, redisstore.WithPrefix(redistest.Prefix(tb, c)), redisstore.WithOpTimeout(time.Minute)))
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	svc := coach.NewService(st, playbook.Default(), func() time.Time { return now }, slog.New(slog.DiscardHandler))
	b := &bigTeam{svc: svc, store: st, rt: rt, ids: map[string]string{},
		admin: coach.Actor{Team: "T", User: "U1"}, rep: coach.Actor{Team: "T", User: "U2"}}
	ctx := context.Background()
	for _, a := range []coach.Actor{b.admin, b.rep} {
		if _, _, err := svc.Join(ctx, a); err != nil {
			tb.Fatal(err)
		}
	}
	// Seed concurrently: numbering follows the creation order of extra only.
	jobs := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 32 {
		wg.Go(func() {
			for i := range jobs {
				owner := "U1"
				if i%2 == 1 {
					owner = "U2"
				}
				d := &coach.Deal{Team: "T", Owner: owner, Name: fmt.Sprintf("Filler %d", i), Customer: fmt.Sprintf("Client %d", i),
					Status: coach.StatusOpen, CreatedAt: now, UpdatedAt: now, LastProgressAt: now}
				if err := st.CreateDeal(ctx, d, nil); err != nil {
					failed.Store(err)
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		tb.Fatal(err)
	}
	for _, d := range extra {
		d.Team, d.CreatedAt, d.UpdatedAt, d.LastProgressAt = "T", now, now, now
		if d.Status == "" {
			d.Status = coach.StatusOpen
		}
		if err := st.CreateDeal(ctx, d, nil); err != nil {
			tb.Fatal(err)
		}
		b.ids[d.Name] = d.ID
	}
	return b
}

// show is what `show <ref>` costs in the store: the team, then the deal.
func (b *bigTeam) show(ctx context.Context, a coach.Actor, ref string) (*coach.Deal, error) {
	team, _, err := b.svc.Join(ctx, a)
	if err != nil {
		return nil, err
	}
	return b.svc.Resolve(ctx, a, team, ref)
}

func TestResolveByNameReadsOnlyMatchingDeals(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	b := newBigTeam(t, n,
		&coach.Deal{Owner: "U1", Name: "Acme"},
		&coach.Deal{Owner: "U1", Name: "Acme Renewal", Customer: "Acme Corp"},
		&coach.Deal{Owner: "U2", Name: "ＡＣＭＥ　Ｃｏｒｐ　扩容"},
		&coach.Deal{Owner: "U2", Name: "Beta", Customer: "华为技术有限公司"},
		&coach.Deal{Owner: "U1", Name: "Gamma One", Status: coach.StatusWon},
		&coach.Deal{Owner: "U1", Name: "Gamma Two"},
	)
	ctx := t.Context()
	// Load the scripts once, so round trips are counted as in production.
	if _, err := b.show(ctx, b.admin, "warm"); err == nil {
		t.Fatal("warm: want not found")
	}
	for _, tc := range []struct {
		name      string
		actor     coach.Actor
		ref       string
		want      string // deal name, or the error code
		maxDeals  int64
		maxTrips  int64
		wantCalls map[string]int64
	}{
		{"exact name wins", b.admin, "acme", "Acme", 3, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"full-width and case", b.admin, "ＡＣＭＥ ｒｅ", "Acme Renewal", 3, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"name before customer", b.admin, "acme c", "ＡＣＭＥ　Ｃｏｒｐ　扩容", 2, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"rep sees own only", b.rep, "acme", "ＡＣＭＥ　Ｃｏｒｐ　扩容", 3, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"customer in Chinese", b.admin, "华为", "Beta", 1, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"open over closed", b.admin, "gamma", "Gamma Two", 2, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"id", b.admin, b.ids["Acme"], "Acme", 1, 4, map[string]int64{"GetTeam": 1, "GetDeal": 1}},
		{"exact among many", b.admin, fmt.Sprintf("filler %d", n/10-1), fmt.Sprintf("Filler %d", n/10-1), 11, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 1}},
		{"unknown", b.admin, "zzz", string(coach.CodeUnknownDeal), 0, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 2}},
		{"typo suggests without a scan", b.admin, "acne", string(coach.CodeUnknownDeal), 3, 4, map[string]int64{"GetTeam": 1, "PrefixDeals": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.store.reset()
			trips := b.rt.n.Load()
			d, err := b.show(ctx, tc.actor, tc.ref)
			trips = b.rt.n.Load() - trips
			switch {
			case err == nil && d.Name != tc.want:
				t.Errorf("show %q = %s %q, want %q", tc.ref, d.ID, d.Name, tc.want)
			case err != nil:
				var ce *coach.Error
				if !errors.As(err, &ce) || string(ce.Code) != tc.want {
					t.Errorf("show %q: %v, want %s", tc.ref, err, tc.want)
				}
				if tc.name == "typo suggests without a scan" && !slices.Contains(ce.Suggestions, b.ids["Acme"]+" Acme") {
					t.Errorf("show %q: suggestions %q, want the Acme deal", tc.ref, ce.Suggestions)
				}
			}
			if trips > tc.maxTrips {
				t.Errorf("show %q: %d Redis round trips, want ≤ %d", tc.ref, trips, tc.maxTrips)
			}
			if got := b.store.deals.Load(); got > tc.maxDeals {
				t.Errorf("show %q read %d deals, want ≤ %d (of %d in the team)", tc.ref, got, tc.maxDeals, n+6)
			}
			for m, c := range b.store.calls {
				if c.Load() != tc.wantCalls[m] {
					t.Errorf("show %q: %s called %d times, want %d", tc.ref, m, c.Load(), tc.wantCalls[m])
				}
			}
		})
	}
	// A prefix of every deal's name is ambiguous after one bounded read.
	b.store.reset()
	_, err := b.show(ctx, b.admin, "filler")
	var ce *coach.Error
	if !errors.As(err, &ce) || ce.Code != coach.CodeAmbiguousDeal || len(ce.Suggestions) != 8 {
		t.Errorf("show filler: %v, want ambiguous with 8 candidates", err)
	}
	if got := b.store.deals.Load(); got > 50 || b.store.calls["PrefixDeals"].Load() != 1 || b.store.calls["ListDeals"].Load() != 0 {
		t.Errorf("show filler read %d deals in %d lookups and %d scans, want ≤ 50 in 1 and none", got, b.store.calls["PrefixDeals"].Load(), b.store.calls["ListDeals"].Load())
	}
}

// TestResolveManyMatches: more deals start with the name than one lookup
// reads; a rep whose only match is past the first batch still finds it.
func TestResolveManyMatches(t *testing.T) {
	b := newBigTeam(t, 0)
	ctx := t.Context()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := range 120 {
		owner, name := "U1", fmt.Sprintf("Omega %03d", i)
		if i == 110 {
			owner, name = "U2", "Omega 110 (rep)"
		}
		d := &coach.Deal{Team: "T", Owner: owner, Name: name, Status: coach.StatusOpen, CreatedAt: now, UpdatedAt: now, LastProgressAt: now}
		if err := b.store.CreateDeal(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
	}
	d, err := b.show(ctx, b.rep, "omega")
	if err != nil || d.Name != "Omega 110 (rep)" {
		t.Fatalf("rep: show omega = %v, %v; want the rep's own deal", d, err)
	}
	_, err = b.show(ctx, b.admin, "omega")
	var ce *coach.Error
	if !errors.As(err, &ce) || ce.Code != coach.CodeAmbiguousDeal || len(ce.Suggestions) != 8 {
		t.Fatalf("admin: show omega: %v, want ambiguous with 8 candidates", err)
	}
	d, err = b.show(ctx, b.admin, "omega 007")
	if err != nil || d.Name != "Omega 007" {
		t.Fatalf("admin: show omega 007 = %v, %v", d, err)
	}
}

// BenchmarkResolveByName: `show acme` in a team of 20,000 deals (Redis),
// by the index, against the scan it replaced (every deal read).
func BenchmarkResolveByName(b *testing.B) {
	bt := newBigTeam(b, 20_000, &coach.Deal{Owner: "U1", Name: "Acme"}, &coach.Deal{Owner: "U1", Name: "Acme Renewal"})
	ctx := context.Background()
	team, _, err := bt.svc.Join(ctx, bt.admin)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("index", func(b *testing.B) {
		bt.store.reset()
		trips := bt.rt.n.Load()
		b.ReportAllocs()
		for b.Loop() {
			d, err := bt.svc.Resolve(ctx, bt.admin, team, "acme")
			if err != nil || d.Name != "Acme" {
				b.Fatal(d, err)
			}
		}
		b.ReportMetric(float64(bt.rt.n.Load()-trips)/float64(b.N), "roundtrips/op")
		b.ReportMetric(float64(bt.store.deals.Load())/float64(b.N), "deals/op")
	})
	b.Run("scan", func(b *testing.B) {
		bt.store.reset()
		trips := bt.rt.n.Load()
		b.ReportAllocs()
		for b.Loop() {
			ds, err := bt.svc.Visible(ctx, bt.admin, team)
			if err != nil {
				b.Fatal(err)
			}
			found := false
			for _, d := range ds {
				if coach.NormalizeName(d.Name) == "acme" {
					found = true
				}
			}
			if !found {
				b.Fatal("no Acme")
			}
		}
		b.ReportMetric(float64(bt.rt.n.Load()-trips)/float64(b.N), "roundtrips/op")
		b.ReportMetric(float64(bt.store.deals.Load())/float64(b.N), "deals/op")
	})
}
