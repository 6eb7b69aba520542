package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
)

// Config is one load run. Zero values are not defaults: main fills them
// from the flags.
type Config struct {
	Target *url.URL // base URL, e.g. http://127.0.0.1:8080
	Secret string   // Slack signing secret

	// Rate is the open-loop request rate (req/s): request i is due at
	// start+i/Rate whatever the responses do. 0 runs closed-loop instead:
	// each of Connections workers sends its next request as soon as the
	// previous one is answered (like wrk).
	Rate        float64
	Duration    time.Duration // measured phase
	Warmup      time.Duration // same load first, not measured
	Connections int           // workers = maximum requests in flight = TCP connections
	MaxRequests int64         // cap on every request sent (setup, warm-up, measured)
	Timeout     time.Duration // per request; a timeout counts as an error

	Deals   int    // setup: `new "Load deal <i>"` for i in 1..Deals; ops use D-1..D-Deals
	Team    string // team_id / tenant_key
	Users   int    // user ids U1..U<Users>, picked at random per request
	Channel string // channel_id, or its prefix when Channels > 1
	// Channels spreads requests over channel ids <Channel>1…<Channel>n
	// (a server that paces replies per channel sees n channels); ≤1: one.
	Channels int
	Items    []string // checklist item ids for check/uncheck/tick
	Mix      Mix
	Seed     uint64

	Command           string // slash command name, /coach
	Path              string // slash commands path: /slack/commands (Bolt: /slack/events)
	InteractivityPath string // /slack/interactivity
	ResponseURL       string // response_url sent with commands and interactions

	LarkPath       string // /lark/events
	LarkEncryptKey string // required by the lark op
	LarkToken      string // verification token put in the event header

	// Client overrides the HTTP client (tests); nil builds one with a
	// transport sized for Connections.
	Client *http.Client

	// Receive, when set, is a loopback address where the loader serves the
	// fake Slack Web API and response_url during the run (point the
	// server's Slack API URL at http://<Receive>/api/). ResponseURL then
	// becomes http://<Receive>/response/<request id>, and every phase
	// counts the replies: work, busy, ack → reply latency.
	Receive     string
	AllowRemote bool          // lets Receive bind a non-loopback address
	Drain       time.Duration // after the measured phase, wait this long at most for replies still owed
	// CPUPIDs names server processes whose CPU time (/proc/<pid>/stat)
	// is measured over each window, e.g. {"stagecoach": 123, "redis": 456}.
	CPUPIDs map[string]int
}

// Ops the mix can contain.
const (
	OpShow    = "show"    // slash: show D-k
	OpCheck   = "check"   // slash: check D-k <item>
	OpUncheck = "uncheck" // slash: uncheck D-k <item>
	OpNote    = "note"    // slash: note D-k <text>
	OpDeals   = "deals"   // slash: deals
	OpTick    = "tick"    // interaction: checklist tick (block_actions, checkboxes)
	OpButton  = "button"  // interaction: button carrying "show D-k"
	OpLark    = "lark"    // Lark im.message.receive_v1, encrypted and signed
)

var allOps = []string{OpShow, OpCheck, OpUncheck, OpNote, OpDeals, OpTick, OpButton, OpLark}

// Mix is the weighted choice of operations.
type Mix struct {
	ops   []string
	cum   []int // cumulative weights
	total int
}

// ParseMix reads "show=50,check=15,uncheck=15,note=10,tick=5,button=5".
func ParseMix(s string) (Mix, error) {
	var m Mix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return Mix{}, fmt.Errorf("mix %q: want op=weight", part)
		}
		if !slices.Contains(allOps, name) {
			return Mix{}, fmt.Errorf("mix: unknown op %q (ops: %s)", name, strings.Join(allOps, ", "))
		}
		if slices.Contains(m.ops, name) {
			return Mix{}, fmt.Errorf("mix: op %q given twice", name)
		}
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 {
			return Mix{}, fmt.Errorf("mix %q: weight must be a whole number ≥ 0", part)
		}
		if n == 0 {
			continue
		}
		m.total += n
		m.ops = append(m.ops, name)
		m.cum = append(m.cum, m.total)
	}
	if m.total == 0 {
		return Mix{}, errors.New("mix: no op with a weight above 0")
	}
	return m, nil
}

// Has reports whether op has a weight above 0.
func (m Mix) Has(op string) bool { return slices.Contains(m.ops, op) }

func (m Mix) pick(r *mrand.Rand) string {
	n := r.IntN(m.total)
	i, _ := slices.BinarySearch(m.cum, n+1)
	return m.ops[i]
}

// Result is what one measured phase saw.
type Result struct {
	Sent      int64            // requests started
	Completed int64            // requests with a latency sample (answered, failed or timed out)
	Errors    int64            // non-2xx + transport errors + timeouts
	Timeouts  int64            // included in Errors
	Transport int64            // transport errors other than timeouts; included in Errors
	Status    map[int]int64    // responses by status code
	Ops       map[string]int64 // requests by op
	Late      int64            // requests started more than lateAfter behind their schedule
	MaxLag    time.Duration    // the largest start delay behind schedule (open loop)
	Elapsed   time.Duration    // from the phase start until the last request finished
	Latencies []time.Duration  // sorted
	Capped    bool             // MaxRequests ended the phase early
	// Unsent counts requests that fell due (open loop) but could not be
	// sent before the phase ended because every connection was busy.
	Unsent int64
	// FromSchedule holds, for open loop, the latencies measured from when
	// each request was due rather than from when it was sent (sorted);
	// they differ only when the tool fell behind.
	FromSchedule []time.Duration
	// Started is when the phase began (its window is Started…+Elapsed).
	Started time.Time
	// BusyAcks counts 2xx acks that said "busy" (never work).
	BusyAcks int64
	// Work is what reached the fake Slack (Config.Receive).
	Work WorkStats
	// CPU is each named server process's CPU time over the phase.
	CPU map[string]time.Duration
}

// lateAfter is how far behind schedule a request may start before the
// tool counts itself as falling behind.
const lateAfter = 2 * time.Millisecond

// Throughput is completed requests per second over the phase.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Completed) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile latency (nearest rank), 0 without samples.
func (r Result) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	i := int(math.Ceil(float64(n)*p/100)) - 1
	return sorted[min(max(i, 0), n-1)]
}

// Summary is the one-line result every run ends with.
func (r Result) Summary() string {
	var mx time.Duration
	if n := len(r.Latencies); n > 0 {
		mx = r.Latencies[n-1]
	}
	return fmt.Sprintf("throughput=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d",
		r.Throughput(), ms(r.Percentile(50)), ms(r.Percentile(95)), ms(r.Percentile(99)), ms(mx), r.Errors)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Details is a human-readable breakdown (stderr).
func (r Result) Details() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent=%d completed=%d elapsed=%s timeouts=%d transport_errors=%d", r.Sent, r.Completed, r.Elapsed.Round(time.Millisecond), r.Timeouts, r.Transport)
	codes := make([]int, 0, len(r.Status))
	for c := range r.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(&b, " http_%d=%d", c, r.Status[c])
	}
	for _, op := range allOps {
		if n := r.Ops[op]; n > 0 {
			fmt.Fprintf(&b, " op_%s=%d", op, n)
		}
	}
	fmt.Fprintf(&b, " busy_acks=%d", r.BusyAcks)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.CPU {
			if !yield(k) {
				return
			}
		}
	}) {
		if r.Completed > 0 {
			fmt.Fprintf(&b, " cpu_us_per_ack_%s=%.0f", name, float64(r.CPU[name].Microseconds())/float64(r.Completed))
		}
	}
	if r.Unsent > 0 {
		fmt.Fprintf(&b, " unsent=%d", r.Unsent)
	}
	if r.Capped {
		b.WriteString(" (stopped by -max-requests)")
	}
	return b.String()
}

// Behind describes how far the tool itself fell behind its schedule, or
// "" when it kept up (open loop only).
func (r Result) Behind() string {
	if (r.Late == 0 && r.Unsent == 0) || r.Sent == 0 {
		return ""
	}
	s := fmt.Sprintf("load tool fell behind: %d of %d requests (%.2f%%) started more than %s late, max lag %.1f ms",
		r.Late, r.Sent, 100*float64(r.Late)/float64(r.Sent), lateAfter, ms(r.MaxLag))
	if r.Unsent > 0 {
		s += fmt.Sprintf(", %d due requests never sent", r.Unsent)
	}
	if n := len(r.FromSchedule); n > 0 {
		s += fmt.Sprintf("; measured from the schedule p50_ms=%.3f p99_ms=%.3f max_ms=%.3f",
			ms(percentile(r.FromSchedule, 50)), ms(percentile(r.FromSchedule, 99)), ms(r.FromSchedule[n-1]))
	}
	return s + ". The server is saturated, or the tool lacks CPU or -connections: the summary's latencies (from the send) understate the delay"
}

// WorkLine is the second summary line: what was answered, not acked.
func (r Result) WorkLine() string { return r.Work.WorkLine(r.BusyAcks) }

// Loader runs the phases of one load test.
type Loader struct {
	cfg     Config
	client  *http.Client
	sent    atomic.Int64 // every request, all phases, against MaxRequests
	ids     atomic.Uint64
	rcv     *receiver // nil without Config.Receive
	stopRcv func()
	rcvBase string
}

// NewLoader checks cfg and builds the HTTP client.
func NewLoader(cfg Config) (*Loader, error) {
	switch {
	case cfg.Target == nil || cfg.Target.Host == "":
		return nil, errors.New("no target")
	case cfg.Rate < 0:
		return nil, errors.New("rate must be ≥ 0")
	case cfg.Connections < 1:
		return nil, errors.New("connections must be ≥ 1")
	case cfg.Duration <= 0:
		return nil, errors.New("duration must be > 0")
	case cfg.MaxRequests < 1:
		return nil, errors.New("max-requests must be ≥ 1")
	case cfg.Timeout <= 0:
		return nil, errors.New("timeout must be > 0")
	case cfg.Users < 1:
		return nil, errors.New("users must be ≥ 1")
	case cfg.Mix.total == 0:
		return nil, errors.New("empty mix")
	case cfg.Mix.Has(OpLark) && cfg.LarkEncryptKey == "":
		return nil, errors.New("the lark op needs -lark-encrypt-key")
	case cfg.Deals < 1 && (cfg.Mix.Has(OpShow) || cfg.Mix.Has(OpCheck) || cfg.Mix.Has(OpUncheck) || cfg.Mix.Has(OpNote) || cfg.Mix.Has(OpTick) || cfg.Mix.Has(OpButton)):
		// Without deals these ops would only hit "unknown deal" replies.
		return nil, errors.New("deals must be ≥ 1 for a mix with deal ops (use -mix deals=1 with -deals 0)")
	}
	if len(cfg.Items) == 0 {
		cfg.Items = []string{"s1.m1"}
	}
	l := &Loader{cfg: cfg, client: cfg.Client}
	if cfg.Receive != "" {
		l.rcv = newReceiver(nil)
		base, stop, err := serveReceiver(cfg.Receive, cfg.AllowRemote, l.rcv)
		if err != nil {
			return nil, err
		}
		l.rcvBase, l.stopRcv = base, stop
		l.cfg.ResponseURL = base + "/response"
	}
	if l.client == nil {
		tr := &http.Transport{
			Proxy:               nil, // never send loopback load through a proxy
			DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        cfg.Connections * 2,
			MaxIdleConnsPerHost: cfg.Connections * 2,
			MaxConnsPerHost:     cfg.Connections,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		}
		l.client = &http.Client{Transport: tr, Timeout: cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return l, nil
}

// Close releases idle connections and stops the fake Slack.
func (l *Loader) Close() {
	l.client.CloseIdleConnections()
	if l.stopRcv != nil {
		l.stopRcv()
	}
}

// ReceiveURL is the base URL of the fake Slack ("" without Receive).
func (l *Loader) ReceiveURL() string { return l.rcvBase }

// responseURL is the response_url for request id: with the fake, the id
// is its last path segment so each reply is matched to its request.
func (l *Loader) responseURL(id uint64) string {
	if l.rcv == nil {
		return l.cfg.ResponseURL
	}
	return l.cfg.ResponseURL + "/" + strconv.FormatUint(id, 10)
}

// Setup creates the deals, Connections at a time. It returns the number of
// requests that failed (non-2xx, transport error or timeout) and the first
// failure.
func (l *Loader) Setup(ctx context.Context) (failed int, first error, err error) {
	if l.cfg.Deals < 1 {
		return 0, nil, nil
	}
	next := make(chan int)
	var bad atomic.Int64
	var firstErr atomic.Pointer[error]
	fail := func(err error) {
		bad.Add(1)
		firstErr.CompareAndSwap(nil, &err)
	}
	var wg sync.WaitGroup
	for w := range min(l.cfg.Connections, l.cfg.Deals) {
		// Streams past the Phase workers' (1…Connections), so trigger ids differ.
		rnd := mrand.New(mrand.NewPCG(l.cfg.Seed, uint64(l.cfg.Connections+1+w)))
		wg.Go(func() {
			for i := range next {
				req, err := l.slash(ctx, fmt.Sprintf("new \"Load deal %d\"", i), l.user(i), rnd, l.ids.Add(1))
				if err == nil {
					_, _, err = l.do(req)
				}
				if err != nil {
					fail(err)
				}
			}
		})
	}
	for i := 1; i <= l.cfg.Deals; i++ {
		if ctx.Err() != nil || !l.take() {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		first = *p
	}
	return int(bad.Load()), first, ctx.Err()
}

// cpu samples the CPU time of every Config.CPUPIDs process (a process
// that cannot be read is left out).
func (l *Loader) cpu() map[string]time.Duration {
	if len(l.cfg.CPUPIDs) == 0 {
		return nil
	}
	m := make(map[string]time.Duration, len(l.cfg.CPUPIDs))
	for name, pid := range l.cfg.CPUPIDs {
		if t, err := cpuTime(pid); err == nil {
			m[name] = t
		}
	}
	return m
}

// take reserves one request against MaxRequests.
func (l *Loader) take() bool { return l.sent.Add(1) <= l.cfg.MaxRequests }

// channel picks the channel id for one request.
func (l *Loader) channel(r *mrand.Rand) string {
	if l.cfg.Channels <= 1 {
		return l.cfg.Channel
	}
	return l.cfg.Channel + strconv.Itoa(r.IntN(l.cfg.Channels)+1)
}

// user returns the user id for request or deal i (1-based).
func (l *Loader) user(i int) string { return "U" + strconv.Itoa((i-1)%l.cfg.Users+1) }

// Phase runs the mix for d and returns what it measured; with the fake
// Slack it then waits up to Config.Drain for the replies still owed.
func (l *Loader) Phase(ctx context.Context, d time.Duration) Result {
	return l.phase(ctx, d, l.cfg.Drain)
}

func (l *Loader) phase(ctx context.Context, d, drain time.Duration) Result {
	if l.rcv != nil {
		l.rcv.begin()
	}
	cpu0 := l.cpu()
	pctx := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	end := start.Add(d)
	stats := make([]*workerStats, l.cfg.Connections)
	var capped atomic.Bool
	var unsent int64
	var wg sync.WaitGroup
	if l.cfg.Rate > 0 {
		jobs := make(chan time.Time, l.cfg.Connections)
		for w := range stats {
			s := newWorkerStats(l.cfg.Seed, w)
			stats[w] = s
			wg.Go(func() {
				for at := range jobs {
					l.one(ctx, s, at)
				}
			})
		}
		unsent = l.schedule(ctx, jobs, start, end, &capped)
		close(jobs)
	} else {
		for w := range stats {
			s := newWorkerStats(l.cfg.Seed, w)
			stats[w] = s
			wg.Go(func() {
				for ctx.Err() == nil && time.Now().Before(end) {
					if !l.take() {
						capped.Store(true)
						return
					}
					l.one(ctx, s, time.Time{})
				}
			})
		}
	}
	wg.Wait()
	stopped := time.Now()
	cpu1 := l.cpu()
	res := merge(stats)
	res.Started, res.Elapsed = start, stopped.Sub(start)
	if len(cpu0) > 0 {
		res.CPU = map[string]time.Duration{}
		for name, t0 := range cpu0 {
			if t1, ok := cpu1[name]; ok {
				res.CPU[name] = t1 - t0
			}
		}
	}
	if l.rcv != nil {
		res.Work = l.rcv.finish(pctx, start, stopped, drain)
		res.Work.CPU = res.CPU
	}
	res.Capped = capped.Load()
	res.Unsent = unsent
	if res.Capped || ctx.Err() != nil {
		res.Unsent = 0
	}
	return res
}

// schedule hands out request i at start+i/rate until end, MaxRequests or
// ctx. While every worker is busy the hand-off waits, and the workers see
// the delay as lag; it never waits past end, so the phase ends on time.
// It returns how many requests fell due but were never sent.
func (l *Loader) schedule(ctx context.Context, jobs chan<- time.Time, start, end time.Time, capped *atomic.Bool) (unsent int64) {
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	due := func() int64 { return int64(math.Ceil(end.Sub(start).Seconds() * l.cfg.Rate)) }
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(float64(i) * float64(time.Second) / l.cfg.Rate))
		if !at.Before(end) {
			return 0
		}
		if wait := time.Until(at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return max(due()-i, 0)
			}
		}
		if !l.take() {
			capped.Store(true)
			return 0
		}
		select {
		case jobs <- at:
		case <-ctx.Done():
			return max(due()-i, 0)
		}
	}
}

type workerStats struct {
	rnd       *mrand.Rand
	lat       []time.Duration
	sched     []time.Duration // open loop: latency from the due time
	status    map[int]int64
	ops       map[string]int64
	errors    int64
	busy      int64
	timeouts  int64
	transport int64
	late      int64
	maxLag    time.Duration
	sent      int64
}

func newWorkerStats(seed uint64, w int) *workerStats {
	return &workerStats{
		rnd:    mrand.New(mrand.NewPCG(seed, uint64(w)+1)),
		lat:    make([]time.Duration, 0, 1024),
		status: map[int]int64{},
		ops:    map[string]int64{},
	}
}

func merge(ws []*workerStats) Result {
	r := Result{Status: map[int]int64{}, Ops: map[string]int64{}}
	for _, s := range ws {
		if s == nil {
			continue
		}
		r.Sent += s.sent
		r.Completed += int64(len(s.lat))
		r.Errors += s.errors
		r.BusyAcks += s.busy
		r.Timeouts += s.timeouts
		r.Transport += s.transport
		r.Late += s.late
		r.MaxLag = max(r.MaxLag, s.maxLag)
		r.Latencies = append(r.Latencies, s.lat...)
		r.FromSchedule = append(r.FromSchedule, s.sched...)
		for k, v := range s.status {
			r.Status[k] += v
		}
		for k, v := range s.ops {
			r.Ops[k] += v
		}
	}
	slices.Sort(r.Latencies)
	slices.Sort(r.FromSchedule)
	return r
}

// one sends one request of the mix, due at at (zero: closed loop), and
// records it.
func (l *Loader) one(ctx context.Context, s *workerStats, at time.Time) {
	op := l.cfg.Mix.pick(s.rnd)
	id := l.ids.Add(1)
	if l.rcv != nil {
		l.rcv.sent(id, op)
	}
	req, err := l.build(ctx, op, s.rnd, id)
	s.sent++
	s.ops[op]++
	if err != nil {
		s.errors++
		s.transport++
		return
	}
	start := time.Now()
	if !at.IsZero() {
		if lag := start.Sub(at); lag > lateAfter {
			s.late++
			s.maxLag = max(s.maxLag, lag)
		}
	}
	code, cls, err := l.do(req)
	end := time.Now()
	if l.rcv != nil {
		l.rcv.acked(id, end, err == nil, cls)
	}
	if err == nil && cls == classBusy {
		s.busy++
	}
	s.lat = append(s.lat, end.Sub(start))
	if !at.IsZero() {
		s.sched = append(s.sched, end.Sub(at))
	}
	switch {
	case err == nil:
		s.status[code]++
	case code != 0:
		s.status[code]++
		s.errors++
	case isTimeout(err):
		s.errors++
		s.timeouts++
	default:
		s.errors++
		s.transport++
	}
}

// do sends req, reads the body and classifies the ack (empty, an answer,
// busy, failed). A non-2xx status is an error with the code set; a
// transport error has code 0.
func (l *Loader) do(req *http.Request) (int, class, error) {
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, classEmpty, err
	}
	body, cerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, classEmpty, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if cerr != nil {
		return 0, classEmpty, cerr
	}
	return resp.StatusCode, ackClass(resp.Header, body), nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// build makes the signed request for op.
func (l *Loader) build(ctx context.Context, op string, r *mrand.Rand, id uint64) (*http.Request, error) {
	deal := "D-" + strconv.Itoa(r.IntN(max(l.cfg.Deals, 1))+1)
	item := l.cfg.Items[r.IntN(len(l.cfg.Items))]
	user := l.user(r.IntN(l.cfg.Users) + 1)
	switch op {
	case OpShow:
		return l.slash(ctx, "show "+deal, user, r, id)
	case OpCheck, OpUncheck:
		return l.slash(ctx, op+" "+deal+" "+item, user, r, id)
	case OpNote:
		return l.slash(ctx, fmt.Sprintf("note %s load note %d", deal, r.IntN(1_000_000)), user, r, id)
	case OpDeals:
		return l.slash(ctx, "deals", user, r, id)
	case OpTick:
		var sel []string
		for _, it := range l.cfg.Items {
			if r.IntN(2) == 0 {
				sel = append(sel, it)
			}
		}
		return l.interaction(ctx, user, checkboxAction(deal, l.cfg.Items, sel), r, id)
	case OpButton:
		return l.interaction(ctx, user, map[string]any{
			"type": "button", "action_id": "cmd:0", "block_id": "btns", "value": "show " + deal,
			"text": map[string]any{"type": "plain_text", "text": "Show"}, "action_ts": slackTS(),
		}, r, id)
	case OpLark:
		return l.lark(ctx, "show "+deal, user, l.channel(r))
	}
	return nil, fmt.Errorf("unknown op %q", op)
}

// slash builds a signed slash command (form body, as Slack sends it).
func (l *Loader) slash(ctx context.Context, text, user string, r *mrand.Rand, id uint64) (*http.Request, error) {
	var b strings.Builder
	b.Grow(280 + len(l.cfg.ResponseURL))
	form := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	form("token", "load")
	form("team_id", l.cfg.Team)
	form("team_domain", "load")
	form("channel_id", l.channel(r))
	form("channel_name", "load")
	form("user_id", user)
	form("user_name", strings.ToLower(user))
	form("command", l.cfg.Command)
	form("text", text)
	form("api_app_id", "A0LOAD")
	form("response_url", l.responseURL(id))
	form("trigger_id", triggerID(r))
	return l.slackPost(ctx, l.cfg.Path, []byte(b.String()))
}

// triggerID looks like Slack's: it only has to differ per request.
func triggerID(r *mrand.Rand) string {
	return strconv.FormatUint(r.Uint64(), 10) + "." + strconv.FormatUint(r.Uint64()%1e12, 10)
}

// checkboxAction is a tick in a checklist as the Slack adapter renders it:
// a checkboxes element in block "ck|<n>|<deal>|<ids>".
func checkboxAction(deal string, items, selected []string) map[string]any {
	opts := make([]map[string]any, 0, len(selected))
	for _, s := range selected {
		opts = append(opts, map[string]any{"value": s, "text": map[string]any{"type": "plain_text", "text": s}})
	}
	esc := make([]string, len(items))
	for i, it := range items {
		esc[i] = url.PathEscape(it)
	}
	return map[string]any{
		"type": "checkboxes", "action_id": "ck", "block_id": "ck|0|" + url.PathEscape(deal) + "|" + strings.Join(esc, ","),
		"selected_options": opts, "action_ts": slackTS(),
	}
}

// interaction builds a signed block_actions interaction carrying action.
func (l *Loader) interaction(ctx context.Context, user string, action map[string]any, r *mrand.Rand, id uint64) (*http.Request, error) {
	ch := l.channel(r)
	payload := map[string]any{
		"type":         "block_actions",
		"api_app_id":   "A0LOAD",
		"token":        "load",
		"trigger_id":   triggerID(r),
		"response_url": l.responseURL(id),
		"team":         map[string]any{"id": l.cfg.Team, "domain": "load"},
		"user":         map[string]any{"id": user, "username": strings.ToLower(user), "team_id": l.cfg.Team},
		"channel":      map[string]any{"id": ch, "name": "load"},
		"container":    map[string]any{"type": "message", "message_ts": slackTS(), "channel_id": ch, "is_ephemeral": true},
		"actions":      []any{action},
	}
	js, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	body := url.Values{"payload": {string(js)}}.Encode()
	return l.slackPost(ctx, l.cfg.InteractivityPath, []byte(body))
}

func (l *Loader) slackPost(ctx context.Context, path string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url(path), strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", SlackSignature(l.cfg.Secret, ts, body))
	req.Header.Set("User-Agent", "stagecoach-load")
	return req, nil
}

// SlackSignature is "v0=" + hex(HMAC-SHA256(secret, "v0:"+ts+":"+body)).
func SlackSignature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// lark builds an encrypted and signed im.message.receive_v1 event.
func (l *Loader) lark(ctx context.Context, text, user, channel string) (*http.Request, error) {
	now := time.Now()
	content, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		return nil, err
	}
	ev := map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id": randID(16), "token": l.cfg.LarkToken, "create_time": strconv.FormatInt(now.UnixMilli(), 10),
			"event_type": "im.message.receive_v1", "tenant_key": l.cfg.Team, "app_id": "cli_load",
		},
		"event": map[string]any{
			"sender": map[string]any{
				"sender_id":   map[string]any{"open_id": "ou_" + user, "user_id": user, "union_id": "on_" + user},
				"sender_type": "user", "tenant_key": l.cfg.Team,
			},
			"message": map[string]any{
				"message_id": "om_" + randID(12), "create_time": strconv.FormatInt(now.UnixMilli(), 10),
				"chat_id": "oc_" + channel, "chat_type": "p2p", "message_type": "text", "content": string(content),
			},
		},
	}
	plain, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	enc, err := larkcore.EncryptedEventMsg(ctx, plain, l.cfg.LarkEncryptKey)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(larkevent.EventEncryptMsg{Encrypt: enc})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url(l.cfg.LarkPath), strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	ts, nonce := strconv.FormatInt(now.Unix(), 10), randID(8)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(larkevent.EventRequestTimestamp, ts)
	req.Header.Set(larkevent.EventRequestNonce, nonce)
	req.Header.Set(larkevent.EventSignature, larkevent.Signature(ts, nonce, l.cfg.LarkEncryptKey, string(body)))
	req.Header.Set("User-Agent", "stagecoach-load")
	return req, nil
}

func (l *Loader) url(path string) string {
	u := *l.cfg.Target
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	return u.String()
}

func randID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func slackTS() string {
	now := time.Now()
	return fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
}

// CheckLoopback refuses a URL whose host is not a loopback address
// ("localhost" must resolve to loopback addresses only).
func CheckLoopback(ctx context.Context, u *url.URL) error {
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%s: no host", u)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address (use -allow-remote to override)", host)
		}
		return nil
	}
	if !strings.EqualFold(host, "localhost") {
		return fmt.Errorf("%s is not a loopback address (use 127.0.0.1, or -allow-remote to override)", host)
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return fmt.Errorf("%s resolves to %s, not loopback", host, ip.IP)
		}
	}
	return nil
}
