package coach_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

var (
	benchDeals   = flag.Int("stall.deals", 100_000, "BenchmarkStallScan: deals in the team")
	benchStalled = flag.Int("stall.stalled", 1_000, "BenchmarkStallScan: of which stalled")
)

// benchStore opens a store for the stall-scan benchmark; size reports its
// footprint in bytes (0 if unknown): the file for bbolt, the growth of
// Redis's used_memory for Redis.
type benchStore struct {
	name string
	open func(b *testing.B) (st coach.Store, size func() int64)
}

var benchStores = []benchStore{
	{"bolt", func(b *testing.B) (coach.Store, func() int64) {
		path := filepath.Join(b.TempDir(), "bench.db")
		st, err := bolt.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st, func() int64 {
			fi, err := os.Stat(path)
			if err != nil {
				return 0
			}
			return fi.Size()
		}
	}},
	{"redis", func(b *testing.B) (coach.Store, func() int64) {
		srv := redistest.StartServer(b)
		c, err := redisstore.NewClient(redisstore.Config{URL: "redis://" + srv.Addr})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		used := func() int64 {
			info, err := c.Info(context.Background(), "memory").Result()
			if err != nil {
				return 0
			}
			for _, line := range strings.Split(info, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
					n, _ := strconv.ParseInt(v, 10, 64)
					return n
				}
			}
			return 0
		}
		base := used()
		return redisstore.New(c, redisstore.WithOpTimeout(time.Minute)), func() int64 { return used() - base }
	}},
}

// seedDeals creates n deals, the first stalled of them idle for 30 days,
// the rest with progress a day ago; each has a few ticks and contacts like
// a real deal.
func seedDeals(b *testing.B, st coach.Store, team *coach.Team, now time.Time, n, stalled int) {
	b.Helper()
	ctx := context.Background()
	// eight writers: Redis serves them concurrently; bbolt serialises them
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				seedOne(b, ctx, st, team, now, i, stalled)
			}
		}()
	}
	wg.Wait()
}

func seedOne(b *testing.B, ctx context.Context, st coach.Store, team *coach.Team, now time.Time, i, stalled int) {
	{
		at := now.Add(-24 * time.Hour)
		if i < stalled {
			at = now.Add(-30 * 24 * time.Hour)
		}
		d := &coach.Deal{
			Team: team.ID, Owner: "ann", Name: fmt.Sprintf("Deal %d", i), Customer: "Customer", Value: 100_000, Status: coach.StatusOpen,
			Checked:      map[string]coach.Check{"s1.m1": {By: "ann", At: at}, "s1.m2": {By: "ann", At: at}},
			Stakeholders: []coach.Stakeholder{{ID: 1, Name: "Wang", Role: coach.RoleHandler, Attitude: coach.AttitudeSupporter}},
			CreatedAt:    at, UpdatedAt: at, LastProgressAt: at,
		}
		if err := st.CreateDeal(ctx, d, []coach.Event{{Team: team.ID, At: at, By: "ann", Kind: "create", After: d.Name}}); err != nil {
			b.Error(err)
		}
	}
}

// BenchmarkStallScan: the hourly scan (Service.Flagged, reading the
// last-progress index) over a team with many deals of which few are
// stalled, against a full scan (ListDeals + Assess) for comparison. Run
// with e.g. TMPDIR=/dev/shm go test -run - -bench StallScan -benchtime 20x
// ./coach/ [-stall.deals 1000000 -stall.stalled 10000].
func BenchmarkStallScan(b *testing.B) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, bs := range benchStores {
		b.Run(fmt.Sprintf("%s/deals=%d/stalled=%d", bs.name, *benchDeals, *benchStalled), func(b *testing.B) {
			st, size := bs.open(b)
			team := &coach.Team{ID: "T1", Members: map[string]*coach.Member{"ann": {ID: "ann", Role: coach.RoleRep}}}
			if err := st.PutTeam(context.Background(), team); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			seedDeals(b, st, team, now, *benchDeals, *benchStalled)
			b.Logf("seeded %d deals in %s; store %d bytes (%.0f B/deal)", *benchDeals, time.Since(start).Round(time.Millisecond), size(), float64(size())/float64(*benchDeals))
			// let the seeding's garbage be collected and returned first, so
			// the GC and scavenger don't run during the timed scans
			runtime.GC()
			debug.FreeOSMemory()
			svc := coach.NewService(st, playbook.Default(), func() time.Time { return now }, nil)
			ctx := context.Background()
			b.Run("index", func(b *testing.B) {
				b.ReportAllocs()
				var got int
				for b.Loop() {
					as, err := svc.Flagged(ctx, team, now)
					if err != nil {
						b.Fatal(err)
					}
					got = len(as)
				}
				if got != *benchStalled {
					b.Fatalf("flagged %d, want %d", got, *benchStalled)
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scan")
				if sz := size(); sz > 0 {
					b.ReportMetric(float64(sz)/float64(*benchDeals), "store-B/deal")
				}
			})
			b.Run("list-all", func(b *testing.B) {
				b.ReportAllocs()
				var got int
				for b.Loop() {
					deals, err := st.ListDeals(ctx, team.ID)
					if err != nil {
						b.Fatal(err)
					}
					got = 0
					for _, d := range deals {
						if coach.Assess(svc.Playbook, team, d, now).Stalled() {
							got++
						}
					}
				}
				if got != *benchStalled {
					b.Fatalf("stalled %d, want %d", got, *benchStalled)
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scan")
			})
		})
	}
}
