package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
)

// Reliability wiring: the durable inbox shared by the adapters, admission
// control of the pool, and adapters that fail alone (supervised with
// backoff, exported as stagecoach_adapter_up{platform}, shown in /readyz).

// reliabConfig holds the settings of this file, read from the environment
// here (cmd is the only env reader):
//
//	STAGECOACH_INBOX_LEASE      how long a replica holds an acked delivery
//	                            before another may finish it (default 2m)
//	STAGECOACH_MAX_QUEUE_WAIT   admission: longest expected queue wait
//	                            before new work is shed as busy (default 1s)
//	STAGECOACH_REPLICA          lease owner name (default host-pid)
type reliabConfig struct {
	Lease, MaxWait time.Duration
	Owner          string
}

func loadReliab(getenv func(string) string) (reliabConfig, error) {
	c := reliabConfig{Lease: bot.DefaultLease, MaxWait: bot.DefaultMaxWait, Owner: getenv("STAGECOACH_REPLICA")}
	for _, x := range []struct {
		env string
		dst *time.Duration
	}{{"STAGECOACH_INBOX_LEASE", &c.Lease}, {"STAGECOACH_MAX_QUEUE_WAIT", &c.MaxWait}} {
		if v := getenv(x.env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return c, fmt.Errorf("%s=%q: want a duration like 2m", x.env, v)
			}
			*x.dst = d
		}
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	return c, nil
}

// newInbox builds the inbox on the store and the pool, and sets the pool's
// admission wait. Its Run is returned as a runner.
func (m *Main) newInbox() (*bot.Inbox, error) {
	rc, err := loadReliab(environ)
	if err != nil {
		return nil, err
	}
	if rc.Lease < rc.MaxWait+m.Config.WorkTimeout {
		// A delivery must start and end within its lease, or another
		// replica may take it over while it runs.
		return nil, fmt.Errorf("STAGECOACH_INBOX_LEASE=%v must be at least STAGECOACH_MAX_QUEUE_WAIT (%v) + STAGECOACH_WORK_TIMEOUT (%v)", rc.Lease, rc.MaxWait, m.Config.WorkTimeout)
	}
	m.Pool.SetMaxWait(rc.MaxWait)
	ib := bot.NewInbox(m.Store, m.Pool, bot.InboxConfig{Owner: rc.Owner, Lease: rc.Lease}, m.Log)
	m.Log.Info("inbox", "owner", rc.Owner, "lease", rc.Lease, "max_queue_wait", rc.MaxWait)
	return ib, nil
}

// adapterState is one platform adapter's health.
type adapterState struct {
	up      bool
	since   time.Time
	lastErr string
	retryAt time.Time
}

// health tracks the adapters for /readyz and the gauge.
type health struct {
	mu     sync.Mutex
	states map[bot.Platform]*adapterState
	gauge  *prometheus.GaugeVec
}

func (m *Main) adapterHealth() *health {
	if m.health == nil {
		m.health = &health{states: map[bot.Platform]*adapterState{}, gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "stagecoach_adapter_up", Help: "1 while the platform adapter is connected (or serving webhooks), 0 while it is down.",
		}, []string{"platform"})}
		m.Metrics.Registry().MustRegister(m.health.gauge)
	}
	return m.health
}

// set records p's state; err (may be nil) is why it is down.
func (h *health) set(p bot.Platform, up bool, err error, retryAt time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.states[p]
	if !ok {
		st = &adapterState{}
		h.states[p] = st
	}
	if !ok || st.up != up {
		st.since = time.Now()
	}
	st.up, st.retryAt = up, retryAt
	if err != nil {
		st.lastErr = err.Error()
	} else if up {
		st.lastErr = ""
	}
	v := 0.0
	if up {
		v = 1
	}
	h.gauge.WithLabelValues(string(p)).Set(v)
}

// report lists the adapters, one line each, and whether any is up.
func (h *health) report() (string, bool, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ps := make([]string, 0, len(h.states))
	for p := range h.states {
		ps = append(ps, string(p))
	}
	sort.Strings(ps)
	var b strings.Builder
	anyUp := false
	for _, p := range ps {
		st := h.states[bot.Platform(p)]
		if st.up {
			anyUp = true
			fmt.Fprintf(&b, "%s: up since %s\n", p, st.since.UTC().Format(time.RFC3339))
			continue
		}
		fmt.Fprintf(&b, "%s: down since %s", p, st.since.UTC().Format(time.RFC3339))
		if st.lastErr != "" {
			fmt.Fprintf(&b, ": %s", st.lastErr)
		}
		if !st.retryAt.IsZero() {
			fmt.Fprintf(&b, " (retry at %s)", st.retryAt.UTC().Format(time.RFC3339))
		}
		b.WriteByte('\n')
	}
	return b.String(), anyUp, len(ps) > 0
}

// readyz is 200 while the store answers and at least one adapter is up
// (one platform's outage must not take the replica out of the load
// balancer for the other), 503 otherwise; the body details each adapter.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	cctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	detail, anyUp, any := m.adapterHealth().report()
	if err := m.Store.Ping(cctx); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "store unreachable\n"+detail)
		return
	}
	if any && !anyUp {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "no adapter up\n"+detail)
		return
	}
	_, _ = io.WriteString(w, "ready\n"+detail)
}

// Backoff of a failed adapter: 1 s doubling to 5 min; a run that lasted
// longer than backoffReset starts again from the minimum.
var (
	backoffMin   = time.Second
	backoffMax   = 5 * time.Minute
	backoffReset = time.Minute
)

// supervise runs an adapter's long connection so that its failure stays
// its own: an error (or panic) is logged, shown as down, and retried with
// backoff; it never ends the process. It returns nil when ctx ends.
func (m *Main) supervise(p bot.Platform, run func(context.Context) error) func(context.Context) error {
	h := m.adapterHealth()
	h.set(p, false, nil, time.Time{})
	return func(ctx context.Context) error {
		delay := backoffMin
		for ctx.Err() == nil {
			start := time.Now()
			err := safeRun(ctx, run)
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("%s adapter stopped", p)
			}
			if time.Since(start) > backoffReset {
				delay = backoffMin
			}
			m.Log.Error("adapter failed; the other platforms keep running", "platform", p, "err", err, "retry_in", delay)
			h.set(p, false, err, time.Now().Add(delay))
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
			delay = min(2*delay, backoffMax)
		}
		return nil
	}
}

func safeRun(ctx context.Context, run func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return run(ctx)
}

// Store failures while handling a delivery are retried in-process before
// the user is answered: the delivery is durable and its deal updates carry
// request tokens, so running it again applies what did not land and only
// that. A failed create (CreateDeal, CreateCase: no token) may have landed,
// so after one the reply stands (it says what happened).
var retryBackoff = []time.Duration{250 * time.Millisecond, 600 * time.Millisecond, 1500 * time.Millisecond}

// retryState follows one attempt: unsafe after a failed create, wrote
// after any deal, case or team write that landed.
type retryState struct{ unsafe, wrote atomic.Bool }

type retryKey struct{}

// noteStoreCall records what a store call means for a retry.
func noteStoreCall(ctx context.Context, op string, err error) {
	rs, ok := ctx.Value(retryKey{}).(*retryState)
	if !ok {
		return
	}
	switch op {
	case "CreateDeal", "CreateCase", "UpdateDeal", "PutTeam", "DeleteCase":
	default:
		return
	}
	if err == nil {
		rs.wrote.Store(true)
	} else if op == "CreateDeal" || op == "CreateCase" {
		rs.unsafe.Store(true)
	}
}

// retryStoreFailures is the innermost bot middleware (nearest the store):
// it runs the handler again while a store call failed and a retry is safe
// and fits the context's deadline, then reports the last attempt's failure
// to the outer request state (metrics).
func retryStoreFailures(log *slog.Logger) bot.Middleware {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, msg bot.Message) (bot.Reply, error) {
			outer, _ := ctx.Value(stateKey{}).(*requestState)
			wrote := false
			for attempt := 0; ; attempt++ {
				st, rs := &requestState{}, &retryState{}
				actx := context.WithValue(context.WithValue(coach.RestartRequest(ctx), stateKey{}, st), retryKey{}, rs)
				rep, err := next.Handle(actx, msg)
				failed := err != nil || st.internal.Load()
				wrote = wrote || rs.wrote.Load()
				if !failed || rs.unsafe.Load() || attempt >= len(retryBackoff) || !fits(ctx, retryBackoff[attempt]) {
					if failed && outer != nil {
						outer.internal.Store(true)
					}
					switch {
					case failed && err == nil && wrote:
						// Something landed before the failure: "nothing
						// was changed" would be false.
						rep = bot.PartialReply(rep)
					case failed && err == nil && !rs.unsafe.Load() && coach.InRequest(ctx) && !bot.FinalAttempt(ctx):
						// A durable delivery: run it again when the store
						// is back rather than answer "try again".
						return bot.Reply{}, bot.ErrRetryLater
					}
					return rep, err
				}
				log.Warn("store failed while handling; retrying", "attempt", attempt+1, "platform", msg.Platform, "tenant", msg.Tenant)
				t := time.NewTimer(retryBackoff[attempt])
				select {
				case <-ctx.Done():
					t.Stop()
					return rep, err
				case <-t.C:
				}
			}
		})
	}
}

// fits reports whether waiting d still leaves time (half a second) before ctx's
// deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d+500*time.Millisecond
}
