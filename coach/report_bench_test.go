package coach_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

var (
	digestReps  = flag.Int("digest.reps", 200, "BenchmarkDigest: reps in the team (a manager per 10)")
	digestDeals = flag.Int("digest.deals", 20_000, "BenchmarkDigest: deals in the team")
)

// digestTeam is an admin, a manager per ten reps and the reps.
func digestTeam(reps int) *coach.Team {
	t := &coach.Team{ID: "T1", Members: map[string]*coach.Member{"boss": {ID: "boss", Role: coach.RoleAdmin}}}
	for i := 0; i < reps; i++ {
		mgr := fmt.Sprintf("mgr%02d", i/10)
		t.Members[mgr] = &coach.Member{ID: mgr, Role: coach.RoleManager}
		id := fmt.Sprintf("rep%03d", i)
		t.Members[id] = &coach.Member{ID: id, Role: coach.RoleRep, Manager: mgr}
	}
	return t
}

// seedDigestDeal writes one deal like a real one: reached stage 0..7 with
// each item ticked on its own day this quarter (one event per tick), a
// value, a close date in the next six months, a buyer stage near ours and
// two contacts; one in ten is closed.
func seedDigestDeal(tb testing.TB, ctx context.Context, st coach.Store, pb *playbook.Playbook, team *coach.Team, reps int, now time.Time, i int) {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	owner := fmt.Sprintf("rep%03d", i%reps)
	created := now.Add(-time.Duration(20+r.IntN(60)) * 24 * time.Hour)
	d := &coach.Deal{Team: team.ID, Owner: owner, Name: fmt.Sprintf("Deal %d", i), Customer: "Customer", Value: int64(50+r.IntN(2000)) * 1000,
		CloseDate: now.AddDate(0, r.IntN(6), r.IntN(28)).Format("2006-01-02"), Status: coach.StatusOpen, Checked: map[string]coach.Check{},
		Stakeholders: []coach.Stakeholder{{ID: 1, Name: "Wang", Role: coach.RoleHandler, Attitude: coach.AttitudeSupporter}, {ID: 2, Name: "Li", Role: coach.RoleDecisionMaker}},
		CreatedAt:    created, UpdatedAt: created, LastProgressAt: created}
	evs := []coach.Event{{Team: team.ID, At: created, By: owner, Kind: "create", After: d.Name}}
	at := created
	for _, id := range upTo(pb, r.IntN(8)) {
		at = at.Add(time.Duration(1+r.IntN(30)) * time.Hour)
		if at.After(now) {
			break
		}
		d.Checked[id] = coach.Check{By: owner, At: at}
		evs = append(evs, coach.Event{Team: team.ID, At: at, By: owner, Kind: "check", Field: id})
		d.UpdatedAt, d.LastProgressAt = at, at
	}
	d.BuyerStage = max(0, coach.Evaluate(pb, d).Reached+r.IntN(3)-1)
	if r.IntN(10) == 0 {
		d.Status, d.ClosedAt = coach.StatusWon, now.Add(-time.Duration(r.IntN(200))*time.Hour)
		evs = append(evs, coach.Event{Team: team.ID, At: d.ClosedAt, By: owner, Kind: "status", Before: "open", After: "won"})
	}
	if err := st.CreateDeal(ctx, d, evs); err != nil {
		tb.Error(err)
	}
}

// BenchmarkDigest: the weekly digest (one Report, then For for each of the
// 21 managers and admins) and the forecast (an admin's and a manager's)
// of a team of 200 reps and 20,000 deals on Redis, with last week's
// snapshot in the store. Run with
//
//	go test -run - -bench Digest -benchtime 5x ./coach/
//
// It uses the redis-server on PATH (else miniredis; the log says which).
func BenchmarkDigest(b *testing.B) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) // a Monday
	srv := redistest.StartServer(b)
	b.Logf("redis: %s", srv.Kind)
	c, err := redisstore.NewClient(redisstore.Config{URL: "redis://" + srv.Addr})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	st := redisstore.New(c, redisstore.WithOpTimeout(time.Minute))
	ctx := context.Background()
	pb := playbook.Default()
	team := digestTeam(*digestReps)
	if err := st.PutTeam(ctx, team); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < *digestDeals; i += 8 {
				seedDigestDeal(b, ctx, st, pb, team, *digestReps, now, i)
			}
		}()
	}
	wg.Wait()
	svc := coach.NewService(st, pb, func() time.Time { return now }, nil)
	// last week's snapshot, as last Monday's digest left it
	prev, err := svc.Report(ctx, team, now.Add(-7*24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutSnapshot(ctx, prev.Snapshot, coach.SnapshotKeep, true); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d deals, %d reps in %s", *digestDeals, *digestReps, time.Since(start).Round(time.Millisecond))
	runtime.GC()
	debug.FreeOSMemory()
	recipients := coach.Recipients(team)

	b.Run(fmt.Sprintf("digest/reps=%d/deals=%d/recipients=%d", *digestReps, *digestDeals, len(recipients)), func(b *testing.B) {
		b.ReportAllocs()
		lines := 0
		cpu := cpuTime()
		for b.Loop() {
			r, err := svc.Report(ctx, team, now)
			if err != nil {
				b.Fatal(err)
			}
			lines = 0
			for _, u := range recipients {
				d := r.For(u)
				lines += len(d.Reps) + d.Changes.Len() + len(d.Attention)
			}
		}
		if lines == 0 {
			b.Fatal("empty digests")
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
		b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/run")
	})
	for _, user := range []string{"boss", "mgr00"} {
		b.Run(fmt.Sprintf("forecast/%s", user), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				f, err := svc.Forecast(ctx, team, user, "")
				if err != nil {
					b.Fatal(err)
				}
				if f.Total.Deals == 0 {
					b.Fatal("empty forecast")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/run")
		})
	}
}
