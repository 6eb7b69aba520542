package larkbase_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase/larkbasetest"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// BenchmarkDrain10000 measures draining 10,000 queued changes (2,500
// deals: created, then updated three times) from the Redis outbox into
// the fake Base: one op is the whole drain. Run with
//
//	go test ./storage/mirror/larkbase -run '^$' -bench Drain10000 -benchtime 1x
//
// Sub-benchmarks vary the outbox batch (entries per send) and the
// spacing of writes to the table (the rate limit the target keeps).
func BenchmarkDrain10000(b *testing.B) {
	for _, c := range []struct {
		batch    int
		interval time.Duration
	}{{100, 100 * time.Millisecond}, {500, 100 * time.Millisecond}, {500, -1}} {
		name := fmt.Sprintf("batch=%d/interval=%v", c.batch, max(c.interval, 0))
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				fake := larkbasetest.New()
				fake.AddTable(app, tbl, "文本")
				rc := redistest.Client(b)
				st := redisstore.New(rc, redisstore.WithPrefix(redistest.Prefix(b, rc)), redisstore.WithOpTimeout(10*time.Second))
				ctx := context.Background()
				team := &coach.Team{ID: "T1", Members: map[string]*coach.Member{"ann": {ID: "ann", Role: coach.RoleAdmin}}}
				if err := st.PutTeam(ctx, team); err != nil {
					b.Fatal(err)
				}
				target := larkbase.New(client(fake), st, larkbase.Config{AppToken: app, TableID: tbl, BatchSize: 500, MinInterval: c.interval}, nil)
				m := coach.NewMirror(st, playbook.Default(), []coach.MirrorTarget{target}, nil, slog.New(slog.DiscardHandler))
				m.Batch, m.TeamRefresh = c.batch, time.Hour
				m.DrainAll(ctx) // subscribe
				const deals = 2500
				for i := range deals {
					d := &coach.Deal{Team: "T1", Owner: "ann", Name: fmt.Sprint("Deal ", i), Status: coach.StatusOpen, Value: 1000, UpdatedAt: time.Now()}
					if err := st.CreateDeal(ctx, d, []coach.Event{{Kind: "create", By: "ann"}}); err != nil {
						b.Fatal(err)
					}
				}
				for round := range 3 {
					for i := 1; i <= deals; i++ {
						d, err := st.GetDeal(ctx, "T1", fmt.Sprint("D-", i))
						if err != nil {
							b.Fatal(err)
						}
						d.BuyerStage = round + 1
						if err := st.UpdateDeal(ctx, d, []coach.Event{{Kind: "buyer", By: "ann"}}); err != nil {
							b.Fatal(err)
						}
					}
				}
				if s, err := st.OutboxStats(ctx, "T1", larkbase.Name); err != nil || s.Depth != 4*deals {
					b.Fatalf("queued %+v %v, want %d", s, err, 4*deals)
				}
				b.StartTimer()
				start := time.Now()
				for {
					n, more := m.DrainAll(ctx)
					if n == 0 && !more {
						break
					}
				}
				el := time.Since(start)
				b.StopTimer()
				if s, _ := st.OutboxStats(ctx, "T1", larkbase.Name); s.Depth != 0 {
					b.Fatalf("%d left", s.Depth)
				}
				rows := fake.RowsBy(app, tbl, "商机编号")
				if len(rows) != deals {
					b.Fatalf("%d rows, want %d", len(rows), deals)
				}
				for _, rs := range rows {
					if len(rs) != 1 || rs[0]["客户采购阶段"] != float64(3) {
						b.Fatalf("row %v", rs)
					}
				}
				b.ReportMetric(float64(4*deals)/el.Seconds(), "changes/s")
				b.ReportMetric(float64(fake.Calls("batch_create")+fake.Calls("batch_update")), "writes")
				fake.Close()
			}
		})
	}
}
