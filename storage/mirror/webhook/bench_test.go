package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/mirror/webhook"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// BenchmarkDrain10000 measures draining 10,000 queued changes (2,500
// deals created, then updated three times) from the Redis outbox to a
// local receiver that verifies every signature: one POST per change.
//
//	go test ./storage/mirror/webhook -run '^$' -bench Drain10000 -benchtime 1x
func BenchmarkDrain10000(b *testing.B) {
	for range b.N {
		b.StopTimer()
		var got, bad atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if !webhook.Verify(secret, body, r.Header.Get("X-Stagecoach-Signature")) {
				bad.Add(1)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			got.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		rc := redistest.Client(b)
		st := redisstore.New(rc, redisstore.WithPrefix(redistest.Prefix(b, rc)), redisstore.WithOpTimeout(10*time.Second))
		ctx := context.Background()
		if err := st.PutTeam(ctx, &coach.Team{ID: "T1", Members: map[string]*coach.Member{"ann": {ID: "ann", Role: coach.RoleAdmin}}}); err != nil {
			b.Fatal(err)
		}
		m := coach.NewMirror(st, playbook.Default(), []coach.MirrorTarget{webhook.New(srv.URL, secret, nil, nil)}, nil, slog.New(slog.DiscardHandler))
		m.TeamRefresh = time.Hour
		m.DrainAll(ctx)
		const deals = 2500
		for i := range deals {
			d := &coach.Deal{Team: "T1", Owner: "ann", Name: fmt.Sprint("Deal ", i), Status: coach.StatusOpen, UpdatedAt: time.Now()}
			if err := st.CreateDeal(ctx, d, []coach.Event{{Kind: "create", By: "ann"}}); err != nil {
				b.Fatal(err)
			}
			for r := range 3 {
				d.BuyerStage = r + 1
				if err := st.UpdateDeal(ctx, d, []coach.Event{{Kind: "buyer", By: "ann"}}); err != nil {
					b.Fatal(err)
				}
			}
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
		if got.Load() != 4*deals || bad.Load() != 0 {
			b.Fatalf("received %d (bad %d), want %d", got.Load(), bad.Load(), 4*deals)
		}
		b.ReportMetric(float64(4*deals)/el.Seconds(), "changes/s")
		srv.Close()
	}
}
