package main

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOverloadEveryRequestAnswered drives the real service with closed-loop
// clients (10, then 50) sending signed slash commands faster than two
// workers can finish them. Admission sheds early: every request gets
// exactly one answer — the work's reply on its response_url, or an ack
// saying busy and that nothing was changed. The useful work per second at
// each level is logged (not asserted: the machine is shared).
func TestOverloadEveryRequestAnswered(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	srv := startOverloadServer(t, nil) // reliab_overload10x_test.go
	base, sink, hc, secret := srv.base, srv.sink, srv.hc, srv.secret
	type result struct{ sent, acked, shed, other int64 }
	level := func(conns int, d time.Duration) (result, []string) {
		var r result
		var mu sync.Mutex
		var accepted []string
		var sent, acked, shed, other atomic.Int64
		stop := time.Now().Add(d)
		var wg sync.WaitGroup
		for c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; time.Now().Before(stop); i++ {
					path := fmt.Sprintf("/respond/%d-%d-%d", conns, c, i)
					body := slashBodyAs("deals", sink.srv.URL+path, fmt.Sprintf("U%d", c))
					code, ack := postSigned(hc, base, "/slack/commands", secret, "application/x-www-form-urlencoded", body, 0)
					sent.Add(1)
					switch {
					case code == 200 && ack == "":
						acked.Add(1)
						mu.Lock()
						accepted = append(accepted, path)
						mu.Unlock()
					case code == 200 && strings.Contains(ack, "too busy") && strings.Contains(ack, "nothing was changed"):
						shed.Add(1)
					default:
						other.Add(1)
						t.Logf("neither acked nor shed: HTTP %d %q", code, ack)
					}
				}
			}()
		}
		wg.Wait()
		r = result{sent.Load(), acked.Load(), shed.Load(), other.Load()}
		return r, accepted
	}
	const d = 2 * time.Second
	var useful [2]float64
	for li, conns := range []int{10, 50} {
		start := time.Now()
		r, accepted := level(conns, d)
		eventuallyT(t, 30*time.Second, "every accepted command answered", func() bool {
			for _, p := range accepted {
				if len(sink.replies(p)) == 0 {
					return false
				}
			}
			return true
		})
		elapsed := time.Since(start)
		dups := 0
		for _, p := range accepted {
			dups += len(sink.replies(p)) - 1
		}
		useful[li] = float64(r.acked) / elapsed.Seconds()
		t.Logf("%d connections: sent %d, acked %d (all answered, %d duplicate replies), shed %d (each told busy, nothing changed), other %d; useful work %.0f/s",
			conns, r.sent, r.acked, dups, r.shed, r.other, useful[li])
		if r.other != 0 || dups != 0 || r.sent != r.acked+r.shed {
			t.Fatalf("%d connections: %d requests got neither a reply nor a busy ack, %d duplicate replies", conns, r.other, dups)
		}
	}
	t.Logf("useful work: %.0f/s at 10 connections, %.0f/s at 50 (ratio %.2f)", useful[0], useful[1], useful[1]/useful[0])
}
