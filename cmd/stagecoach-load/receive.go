package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// What the load tool counts as work. An ack is not work: under overload a
// server acks "busy, try again" at once and does nothing. Work is a reply
// that reaches the fake Slack (response_url or chat.*) during the measured
// window, or an answer carried in the ack body itself (Slack's immediate
// response), that is neither a busy notice nor the adapter's "something
// went wrong".

// class is what an ack or a reply says.
type class uint8

const (
	classEmpty  class = iota // an empty ack: the answer follows on response_url
	classWork                // a real answer
	classBusy                // "busy, try again": no work done
	classFailed              // "something went wrong": no work done
)

// BusyHeader marks a busy ack machine-readably. Stagecoach sets it on a
// slash command's busy ack (bot/slack.BusyHeader); a server that sets it is
// classified by the header alone, others (Bolt) by their text (see
// classifyText).
const BusyHeader = "X-Stagecoach-Busy"

// classifyText tells a busy notice or a failure from a real answer, in
// English and Chinese. It matches the meaning rather than one exact string
// so that rewording the catalog (bot/slack and bot/lark "busy", bot
// "err.internal") keeps working; TestBusyTextsOfTheBot checks the current
// catalog texts.
func classifyText(s string) class {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "busy") && (strings.Contains(l, "try again") || strings.Contains(l, "in a moment") || strings.Contains(l, "retry")):
		return classBusy
	case strings.Contains(s, "忙") && (strings.Contains(s, "稍后") || strings.Contains(s, "再试") || strings.Contains(s, "重试")):
		return classBusy
	case strings.Contains(l, "something went wrong") || strings.Contains(s, "出错") || strings.Contains(s, "出了点问题"):
		return classFailed
	// the store is down or the outcome unsure ("nothing was changed", "can't
	// confirm", "part of this was saved"): no work the user can rely on
	case strings.Contains(l, "storage") || strings.Contains(l, "part of this was saved") || strings.Contains(s, "存储"):
		return classFailed
	}
	return classWork
}

// mayNotBeWork is a cheap test that body cannot be a busy notice or a
// failure, so that most replies need no JSON decoding.
func mayNotBeWork(body []byte) bool {
	for _, k := range [][]byte{[]byte("busy"), []byte("Busy"), []byte("BUSY"), []byte("went wrong"), []byte("忙"), []byte("出"), []byte(`\u5fd9`), []byte(`\u51fa`), []byte("storage"), []byte("Part of this"), []byte("存储"), []byte(`\u5b58\u50a8`)} {
		if bytes.Contains(body, k) {
			return true
		}
	}
	return false
}

// classifyBody classifies a reply or an ack body: JSON (a message, with
// text and blocks), a form (the Web API as slack-go sends it: text=…&
// blocks=<JSON>) or plain text. An empty body is classEmpty.
func classifyBody(contentType string, body []byte) class {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return classEmpty
	}
	form := strings.HasPrefix(contentType, "application/x-www-form-urlencoded")
	if !form && !mayNotBeWork(body) {
		return classWork
	}
	return classifyText(bodyText(contentType, body))
}

// bodyText joins every string value in body (JSON values, form values and
// the JSON inside them), one per line.
func bodyText(contentType string, body []byte) string {
	var b strings.Builder
	addJSONOrText := func(s string) {
		t := strings.TrimSpace(s)
		if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			var v any
			if json.Unmarshal([]byte(t), &v) == nil {
				walkStrings(v, &b)
				return
			}
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
		if vs, err := url.ParseQuery(string(body)); err == nil {
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range vs {
					if !yield(k) {
						return
					}
				}
			}) {
				for _, v := range vs[k] {
					addJSONOrText(v)
				}
			}
			return b.String()
		}
	}
	addJSONOrText(string(body))
	return b.String()
}

func walkStrings(v any, b *strings.Builder) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
		b.WriteByte('\n')
	case []any:
		for _, e := range x {
			walkStrings(e, b)
		}
	case map[string]any:
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}) {
			walkStrings(x[k], b)
		}
	}
}

// ackClass classifies the server's answer to one request.
func ackClass(h http.Header, body []byte) class {
	if h.Get(BusyHeader) == "1" {
		return classBusy
	}
	c := classifyBody(h.Get("Content-Type"), body)
	if c == classWork && !isMessage(body) {
		// A 200 with a body that is not a message ("ok", {}) answers nothing.
		return classEmpty
	}
	return c
}

// isMessage reports whether an ack body is a Slack message a user sees:
// JSON with a non-empty text or blocks.
func isMessage(body []byte) bool {
	var m struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	return strings.TrimSpace(m.Text) != "" || (len(m.Blocks) > 0 && string(m.Blocks) != "null" && string(m.Blocks) != "[]")
}

// tracked is one request of the current phase.
type tracked struct {
	acked    bool
	ackOK    bool // 2xx
	ackAt    time.Time
	ack      class
	replied  bool
	replyAt  time.Time
	reply    class // of the first reply
	measured bool
	op       string
}

// arrival is one post at the fake during a phase.
type arrival struct {
	at    time.Time
	work  bool // counts as one answered command
	bytes int
	op    string // of the request it answers ("" when unknown)
	class class
}

// receiver counts the replies the server under test posts to the fake
// Slack and matches each response_url post to its request by the id in
// the URL path (/response/<id>).
type receiver struct {
	now func() time.Time

	mu       sync.Mutex
	reqs     map[uint64]*tracked
	arrivals []arrival
	other    map[string]int64 // calls during the phase that are not replies (users.info, views.open…)
	counting bool
}

func newReceiver(now func() time.Time) *receiver {
	if now == nil {
		now = time.Now
	}
	return &receiver{now: now, reqs: map[uint64]*tracked{}, other: map[string]int64{}}
}

// begin starts a phase: requests of earlier phases are forgotten (their
// late replies still arrive, and count as work when they land in this
// window: that is the steady state).
func (r *receiver) begin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.reqs)
	clear(r.other)
	r.arrivals = r.arrivals[:0]
	r.counting = true
}

// sent registers request id (of op) of the current phase.
func (r *receiver) sent(id uint64, op string) {
	r.mu.Lock()
	r.reqs[id] = &tracked{measured: true, op: op}
	r.mu.Unlock()
}

// acked records the answer to request id, received at at.
func (r *receiver) acked(id uint64, at time.Time, ok bool, c class) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.reqs[id]
	if t == nil {
		return
	}
	t.acked, t.ackOK, t.ackAt, t.ack = true, ok, at, c
	if ok && c == classWork && r.counting {
		// An answer in the ack body (Slack's immediate response).
		r.arrivals = append(r.arrivals, arrival{at: at, work: true})
	}
}

// replyPost records a response_url post for request id (0: unknown).
func (r *receiver) replyPost(id uint64, c class, n int) {
	at := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	first, op := true, ""
	if t := r.reqs[id]; t != nil {
		first, op = !t.replied, t.op
		if first {
			t.replied, t.replyAt, t.reply = true, at, c
		}
	}
	if r.counting {
		// One command may be answered by several posts; it counts once.
		r.arrivals = append(r.arrivals, arrival{at: at, work: first && c == classWork, bytes: n, op: op, class: c})
	}
}

// apiCall records a Web API call: chat.* posts are replies (they carry no
// request id), anything else is only counted.
func (r *receiver) apiCall(method string, c class, n int) {
	at := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.counting {
		return
	}
	if strings.HasPrefix(method, "chat.") {
		r.arrivals = append(r.arrivals, arrival{at: at, work: c == classWork || c == classEmpty, bytes: n, class: c})
		return
	}
	r.other[method]++
}

// pending is the number of measured requests with a 2xx ack that promised
// an answer (empty ack) and have none yet.
func (r *receiver) pendingLocked() int {
	n := 0
	for _, t := range r.reqs {
		if t.acked && t.ackOK && t.ack == classEmpty && !t.replied {
			n++
		}
	}
	return n
}

// WorkStats is what the fake saw during one measured window.
type WorkStats struct {
	Receiving  bool            // false: no fake, work unknown
	Answered   int64           // commands answered during the window (response_url, chat.*, inline)
	Window     time.Duration   // the window Answered is counted over
	Busy       int64           // measured requests answered busy (ack or reply)
	BusyAcks   int64           // of Busy, busy in the ack
	Failed     int64           // measured requests answered "something went wrong"
	Inline     int64           // measured requests answered in the ack body
	Unanswered int64           // measured requests with an empty 2xx ack and no reply by the end of the drain
	Latencies  []time.Duration // ack → first reply, measured requests answered on response_url (sorted)
	ReplyBytes int64           // total bytes of the replies counted in Answered (posts only)
	Posts      int64           // replies that carried bytes (for the mean size)
	// OpBytes and OpPosts split ReplyBytes and Posts by the op of the
	// request answered (response_url replies only), to compare reply sizes.
	OpBytes, OpPosts map[string]int64
	Other            map[string]int64
	// BusyInWindow and FailedInWindow count the busy and failed replies
	// that reached the fake during the window, whichever phase sent their
	// request (Busy and Failed count measured requests).
	BusyInWindow, FailedInWindow int64
	// CPU per server process over the window (name → µs), when asked.
	CPU map[string]time.Duration
}

// Work is answered commands per second.
func (w WorkStats) Work() float64 {
	if w.Window <= 0 {
		return 0
	}
	return float64(w.Answered) / w.Window.Seconds()
}

// finish drains (waits up to drain for the replies still owed) and
// tallies the window [start, end].
func (r *receiver) finish(ctx context.Context, start, end time.Time, drain time.Duration) WorkStats {
	deadline := time.Now().Add(drain)
	for {
		r.mu.Lock()
		p := r.pendingLocked()
		r.mu.Unlock()
		if p == 0 || !time.Now().Before(deadline) || ctx.Err() != nil {
			break
		}
		t := time.NewTimer(10 * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counting = false
	return r.tallyLocked(start, end)
}

func (r *receiver) tallyLocked(start, end time.Time) WorkStats {
	w := WorkStats{Receiving: true, Window: end.Sub(start), Other: maps(r.other), OpBytes: map[string]int64{}, OpPosts: map[string]int64{}}
	for _, a := range r.arrivals {
		if a.at.Before(start) || a.at.After(end) {
			continue
		}
		switch a.class {
		case classBusy:
			w.BusyInWindow++
		case classFailed:
			w.FailedInWindow++
		}
		if a.work {
			w.Answered++
			if a.bytes > 0 {
				w.ReplyBytes += int64(a.bytes)
				w.Posts++
				if a.op != "" {
					w.OpBytes[a.op] += int64(a.bytes)
					w.OpPosts[a.op]++
				}
			}
		}
	}
	for _, t := range r.reqs {
		if !t.measured || !t.acked || !t.ackOK {
			continue
		}
		switch {
		case t.ack == classBusy:
			w.Busy++
			w.BusyAcks++
		case t.ack == classFailed:
			w.Failed++
		case t.ack == classWork:
			w.Inline++
		case !t.replied:
			w.Unanswered++
		case t.reply == classBusy:
			w.Busy++
		case t.reply == classFailed:
			w.Failed++
		default:
			w.Latencies = append(w.Latencies, max(t.replyAt.Sub(t.ackAt), 0))
		}
	}
	slices.Sort(w.Latencies)
	return w
}

func maps(m map[string]int64) map[string]int64 {
	c := make(map[string]int64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// WorkLine is the second summary line: work, not acks.
func (w WorkStats) WorkLine(busyAcks int64) string {
	if !w.Receiving {
		// Without the fake only busy acks can be seen.
		return fmt.Sprintf("work=n/a busy=%d (busy acks only; run with -receive to count replies)", busyAcks)
	}
	s := fmt.Sprintf("work=%.1f busy=%d failed=%d reply_p50_ms=%.3f reply_p99_ms=%.3f unanswered=%d",
		w.Work(), w.Busy, w.Failed, ms(percentile(w.Latencies, 50)), ms(percentile(w.Latencies, 99)), w.Unanswered)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range w.CPU {
			if !yield(k) {
				return
			}
		}
	}) {
		if w.Answered > 0 {
			s += fmt.Sprintf(" cpu_us_per_cmd_%s=%.0f", name, float64(w.CPU[name].Microseconds())/float64(w.Answered))
		} else {
			s += fmt.Sprintf(" cpu_us_per_cmd_%s=n/a", name)
		}
	}
	return s
}

// Details is the breakdown of the work (stderr).
func (w WorkStats) Details() string {
	if !w.Receiving {
		return "replies not counted (no -receive)"
	}
	s := fmt.Sprintf("answered_in_window=%d window=%s busy_acks=%d busy_replies=%d inline=%d busy_replies_in_window=%d failed_replies_in_window=%d",
		w.Answered, w.Window.Round(time.Millisecond), w.BusyAcks, w.Busy-w.BusyAcks, w.Inline, w.BusyInWindow, w.FailedInWindow)
	if w.Posts > 0 {
		s += fmt.Sprintf(" reply_bytes_mean=%d", w.ReplyBytes/w.Posts)
	}
	for _, op := range allOps {
		if n := w.OpPosts[op]; n > 0 {
			s += fmt.Sprintf(" reply_bytes_mean_%s=%d", op, w.OpBytes[op]/n)
		}
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range w.Other {
			if !yield(k) {
				return
			}
		}
	}) {
		s += fmt.Sprintf(" api_%s=%d", k, w.Other[k])
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range w.CPU {
			if !yield(k) {
				return
			}
		}
	}) {
		s += fmt.Sprintf(" cpu_ms_%s=%d", name, w.CPU[name].Milliseconds())
	}
	return s
}

// serveReceiver serves the fake Slack on addr for the receiver and
// returns its base URL and a stop function.
func serveReceiver(addr string, allowRemote bool, r *receiver) (base string, stop func(), err error) {
	ln, err := listenFake(addr, allowRemote)
	if err != nil {
		return "", nil, err
	}
	f := newFakeSlack()
	f.observe = func(method string, req *http.Request, body []byte) {
		c := classifyBody(req.Header.Get("Content-Type"), body)
		if method != "response_url" {
			r.apiCall(method, c, len(body))
			return
		}
		id, _ := strconv.ParseUint(req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:], 10, 64)
		r.replyPost(id, c, len(body))
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "stagecoach-load: fake slack:", err)
		}
	}()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// listenFake listens on a loopback addr (":3998" binds 127.0.0.1).
func listenFake(addr string, allowRemote bool) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("fake slack address %q: want host:port or :port", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); !allowRemote && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("fake slack address %q: only a loopback IP address may be used", addr)
	}
	return net.Listen("tcp", net.JoinHostPort(host, port))
}

// cpuTime reads a process's user+system CPU time from /proc/<pid>/stat
// (all its threads), in clock ticks of 1/100 s (USER_HZ is 100 on Linux).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU takes utime (field 14) + stime (field 15) from a
// /proc/<pid>/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): utime is field 14 → f[11], stime f[12].
	if len(f) < 13 {
		return 0, errors.New("/proc stat: too few fields")
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("/proc stat: bad utime/stime")
	}
	return time.Duration(u+s) * 10 * time.Millisecond, nil
}

// ParsePIDs reads "stagecoach=123,redis=456".
func ParsePIDs(s string) (map[string]int, error) {
	m := map[string]int{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, p, ok := strings.Cut(part, "=")
		pid, err := strconv.Atoi(p)
		if !ok || err != nil || pid < 1 || name == "" || strings.ContainsAny(name, " =") {
			return nil, fmt.Errorf("-cpu-pids %q: want name=pid,…", part)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("-cpu-pids: %q given twice", name)
		}
		m[name] = pid
	}
	return m, nil
}
