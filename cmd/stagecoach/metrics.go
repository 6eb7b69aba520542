package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
)

// Metrics is the service's Prometheus instrumentation. It has its own
// registry (nothing goes to the global one), so tests and several Mains
// in one process do not collide.
//
// Series:
//
//	stagecoach_requests_total{platform,command,outcome}  bot messages; outcome ok|user_error|internal_error
//	stagecoach_http_requests_total{path,code}            HTTP requests; path from the route allow-list, else "other"
//	stagecoach_ack_seconds{path}                         histogram: time until the HTTP response (the ack)
//	stagecoach_store_seconds{op}                         histogram: store call latency by coach.Store method
//	stagecoach_store_errors_total{op}                    store failures (not ErrNotFound / ErrConflict)
//	stagecoach_sends_total{kind,outcome}                 proactive sends (nudge, reminder, digest…); outcome ok|error
//	stagecoach_errors_total{where}                       every internal failure, one place to alert on:
//	                                                     bot, store, send, http, plus what cmd reports with Error
//
// plus the Go runtime and process collectors (go_*, process_*).
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	httpRequests *prometheus.CounterVec
	ack          *prometheus.HistogramVec
	storeSeconds *prometheus.HistogramVec
	storeErrors  *prometheus.CounterVec
	sends        *prometheus.CounterVec
	errors       *prometheus.CounterVec
	routes       map[string]bool
}

// DefaultRoutes are the HTTP paths that get their own path label; any
// other path is counted as "other", so a scan of random URLs cannot grow
// the series.
var DefaultRoutes = []string{
	"/slack/events", "/slack/commands", "/slack/interactivity",
	"/lark/events", "/healthz", "/readyz", "/metrics",
}

// Outcomes of stagecoach_requests_total.
const (
	OutcomeOK            = "ok"
	OutcomeUserError     = "user_error"
	OutcomeInternalError = "internal_error"
)

// NewMetrics builds the collectors on a fresh registry. routes replaces
// DefaultRoutes as the path allow-list when given.
func NewMetrics(routes ...string) *Metrics {
	if len(routes) == 0 {
		routes = DefaultRoutes
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stagecoach_requests_total", Help: "Bot messages handled, by platform, command and outcome (ok, user_error, internal_error).",
		}, []string{"platform", "command", "outcome"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stagecoach_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"path", "code"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stagecoach_ack_seconds", Help: "Time from receiving an HTTP request to its response (the platform ack; Slack and Lark allow 3 s).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 10},
		}, []string{"path"}),
		storeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stagecoach_store_seconds", Help: "Store call latency by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stagecoach_store_errors_total", Help: "Store calls that failed (ErrNotFound and ErrConflict are answers, not failures).",
		}, []string{"op"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stagecoach_sends_total", Help: "Proactive messages sent (nudges, reminders, digests), by kind and outcome (ok, error).",
		}, []string{"kind", "outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stagecoach_errors_total", Help: "Internal failures by where they happened.",
		}, []string{"where"}),
		routes: map[string]bool{},
	}
	for _, r := range routes {
		m.routes[r] = true
	}
	m.reg.MustRegister(m.requests, m.httpRequests, m.ack, m.storeSeconds, m.storeErrors, m.sends, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format (mount it on
// GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4, Timeout: 5 * time.Second})
}

// Sent records one proactive send; nudges, reminders and digests call it
// with their kind ("nudge", "reminder", "digest") and the send's error.
func (m *Metrics) Sent(kind string, err error) {
	outcome := OutcomeOK
	if err != nil {
		outcome = "error"
		m.errors.WithLabelValues("send").Inc()
	}
	m.sends.WithLabelValues(label(kind), outcome).Inc()
}

// Error counts an internal failure at where (a fixed name such as "cron",
// "pool", "slack", "lark"; never free text).
func (m *Metrics) Error(where string) { m.errors.WithLabelValues(label(where)).Inc() }

// label keeps a label value short and word-like; anything else is
// "other", so a caller mistake cannot put free text into a series.
func label(s string) string {
	if s == "" || len(s) > 32 {
		return "other"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return "other"
		}
	}
	return s
}

// requestState travels in the context of one bot message so the store
// decorator can report a failure to the request counter: the router turns
// internal errors into replies, so the middleware cannot tell them from
// user mistakes by the Reply alone.
type requestState struct{ internal atomic.Bool }

type stateKey struct{}

// Bot returns the middleware that counts every message by platform,
// command and outcome. command maps the message text to a command name
// (cmd passes CommandNamer(router)); interactions are counted as
// "action". Outcome: internal_error when the handler returned an error or
// a store call failed while handling the message, user_error for a reply
// marked Error, ok otherwise.
func (m *Metrics) Bot(command func(text string) string) bot.Middleware {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(ctx context.Context, msg bot.Message) (bot.Reply, error) {
			st := &requestState{}
			rep, err := next.Handle(context.WithValue(ctx, stateKey{}, st), msg)
			name := "action"
			if msg.Action == nil {
				name = label(command(msg.Text))
			}
			if msg.Audio != nil {
				name = "voice" // a voice note; its text is a caption
			}
			outcome := OutcomeOK
			switch {
			case err != nil || st.internal.Load():
				outcome = OutcomeInternalError
				m.errors.WithLabelValues("bot").Inc()
			case rep.Error:
				outcome = OutcomeUserError
			}
			m.requests.WithLabelValues(label(string(msg.Platform)), name, outcome).Inc()
			return rep, err
		})
	}
}

// CommandNamer maps message text to the canonical command name through
// the router's command table: "help" for empty text, "unknown" for
// anything that is not a command (free text never becomes a label).
func CommandNamer(r *bot.Router) func(text string) string {
	return func(text string) string {
		first, _, _ := strings.Cut(strings.TrimSpace(text), " ")
		if first == "" {
			return "help"
		}
		if c, ok := r.Lookup(strings.TrimLeft(first, "/!")); ok {
			return c.Name
		}
		return "unknown"
	}
}

// HTTP wraps the server's handler (the mux): it counts every request by
// route and status code and times it until the handler returns (the
// response, i.e. the ack, is then sent). A panic is counted as a 500 and
// errors_total{where="http"}, then re-raised for net/http to handle.
func (m *Metrics) HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if !m.routes[path] {
			path = "other"
		}
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		defer func() {
			code := rec.status
			if p := recover(); p != nil {
				code = http.StatusInternalServerError
				m.errors.WithLabelValues("http").Inc()
				m.observeHTTP(path, code, start)
				panic(p)
			}
			if code == 0 {
				code = http.StatusOK // nothing written: net/http sends 200
			}
			m.observeHTTP(path, code, start)
		}()
		next.ServeHTTP(rec, r)
	})
}

func (m *Metrics) observeHTTP(path string, code int, start time.Time) {
	m.ack.WithLabelValues(path).Observe(time.Since(start).Seconds())
	m.httpRequests.WithLabelValues(path, strconv.Itoa(code)).Inc()
}

// statusRecorder remembers the status code; Unwrap lets
// http.ResponseController reach Flush and deadlines underneath.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush keeps http.Flusher working for handlers that assert it directly.
func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Store wraps st so every call is timed into stagecoach_store_seconds{op}
// and every failure counted in stagecoach_store_errors_total{op} (and
// marks the bot message being handled, if any, as an internal error).
// ErrNotFound and ErrConflict are answers, not failures.
func (m *Metrics) Store(st coach.Store) coach.Store { return &metricsStore{next: st, m: m} }

// metricsStore embeds nothing on purpose: a method added to coach.Store
// then fails to compile here instead of silently going untimed.
type metricsStore struct {
	next coach.Store
	m    *Metrics
}

var _ coach.Store = (*metricsStore)(nil)

// done observes one call that started at start.
func (s *metricsStore) done(ctx context.Context, op string, start time.Time, err error) {
	s.m.storeSeconds.WithLabelValues(op).Observe(time.Since(start).Seconds())
	noteStoreCall(ctx, op, err) // reliab.go
	if err == nil || errors.Is(err, coach.ErrNotFound) || errors.Is(err, coach.ErrConflict) {
		return
	}
	s.m.storeErrors.WithLabelValues(op).Inc()
	s.m.errors.WithLabelValues("store").Inc()
	if st, ok := ctx.Value(stateKey{}).(*requestState); ok {
		st.internal.Store(true)
	}
}

func (s *metricsStore) CreateDeal(ctx context.Context, d *coach.Deal, events []coach.Event) error {
	start := time.Now()
	err := s.next.CreateDeal(ctx, d, events)
	s.done(ctx, "CreateDeal", start, err)
	return err
}

func (s *metricsStore) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	start := time.Now()
	d, err := s.next.GetDeal(ctx, team, id)
	s.done(ctx, "GetDeal", start, err)
	return d, err
}

func (s *metricsStore) UpdateDeal(ctx context.Context, d *coach.Deal, events []coach.Event) error {
	start := time.Now()
	err := s.next.UpdateDeal(ctx, d, events)
	s.done(ctx, "UpdateDeal", start, err)
	return err
}

func (s *metricsStore) ListDeals(ctx context.Context, team string) ([]*coach.Deal, error) {
	start := time.Now()
	ds, err := s.next.ListDeals(ctx, team)
	s.done(ctx, "ListDeals", start, err)
	return ds, err
}

func (s *metricsStore) ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*coach.Deal, error) {
	start := time.Now()
	ds, err := s.next.ProgressBefore(ctx, team, t, limit)
	s.done(ctx, "ProgressBefore", start, err)
	return ds, err
}

func (s *metricsStore) History(ctx context.Context, team, deal string, limit int) ([]coach.Event, error) {
	start := time.Now()
	evs, err := s.next.History(ctx, team, deal, limit)
	s.done(ctx, "History", start, err)
	return evs, err
}

func (s *metricsStore) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	start := time.Now()
	t, err := s.next.GetTeam(ctx, id)
	s.done(ctx, "GetTeam", start, err)
	return t, err
}

func (s *metricsStore) PutTeam(ctx context.Context, t *coach.Team) error {
	start := time.Now()
	err := s.next.PutTeam(ctx, t)
	s.done(ctx, "PutTeam", start, err)
	return err
}

func (s *metricsStore) Teams(ctx context.Context) ([]string, error) {
	start := time.Now()
	ids, err := s.next.Teams(ctx)
	s.done(ctx, "Teams", start, err)
	return ids, err
}

func (s *metricsStore) CreateCase(ctx context.Context, c *coach.Case) error {
	start := time.Now()
	err := s.next.CreateCase(ctx, c)
	s.done(ctx, "CreateCase", start, err)
	return err
}

func (s *metricsStore) ListCases(ctx context.Context, team string) ([]*coach.Case, error) {
	start := time.Now()
	cs, err := s.next.ListCases(ctx, team)
	s.done(ctx, "ListCases", start, err)
	return cs, err
}

func (s *metricsStore) DeleteCase(ctx context.Context, team, id string) error {
	start := time.Now()
	err := s.next.DeleteCase(ctx, team, id)
	s.done(ctx, "DeleteCase", start, err)
	return err
}

func (s *metricsStore) PutSession(ctx context.Context, sess *coach.Session, ttl time.Duration) error {
	start := time.Now()
	err := s.next.PutSession(ctx, sess, ttl)
	s.done(ctx, "PutSession", start, err)
	return err
}

func (s *metricsStore) GetSession(ctx context.Context, team, user, deal string) (*coach.Session, error) {
	start := time.Now()
	sess, err := s.next.GetSession(ctx, team, user, deal)
	s.done(ctx, "GetSession", start, err)
	return sess, err
}

func (s *metricsStore) Sessions(ctx context.Context, team, user string) ([]*coach.Session, error) {
	start := time.Now()
	ss, err := s.next.Sessions(ctx, team, user)
	s.done(ctx, "Sessions", start, err)
	return ss, err
}

func (s *metricsStore) DeleteSession(ctx context.Context, team, user, deal string) error {
	start := time.Now()
	err := s.next.DeleteSession(ctx, team, user, deal)
	s.done(ctx, "DeleteSession", start, err)
	return err
}

func (s *metricsStore) SeenEvent(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	start := time.Now()
	first, err := s.next.SeenEvent(ctx, key, ttl)
	s.done(ctx, "SeenEvent", start, err)
	return first, err
}

func (s *metricsStore) ForgetEvent(ctx context.Context, key string) error {
	start := time.Now()
	err := s.next.ForgetEvent(ctx, key)
	s.done(ctx, "ForgetEvent", start, err)
	return err
}

// TryLock times the lock and also the release it hands back ("ReleaseLock").
func (s *metricsStore) TryLock(ctx context.Context, name string, ttl time.Duration) (func(context.Context) error, bool, error) {
	start := time.Now()
	release, ok, err := s.next.TryLock(ctx, name, ttl)
	s.done(ctx, "TryLock", start, err)
	if release == nil {
		return nil, ok, err
	}
	return func(rctx context.Context) error {
		start := time.Now()
		err := release(rctx)
		s.done(rctx, "ReleaseLock", start, err)
		return err
	}, ok, err
}

func (s *metricsStore) Ping(ctx context.Context) error {
	start := time.Now()
	err := s.next.Ping(ctx)
	s.done(ctx, "Ping", start, err)
	return err
}

func (s *metricsStore) Close() error {
	start := time.Now()
	err := s.next.Close()
	s.done(context.Background(), "Close", start, err)
	return err
}
