package main

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// A deal card as a response_url post, shaped like the Slack adapter's.
const cardJSON = `{"response_type":"ephemeral","text":"D-1 Load deal 1","blocks":[{"type":"header","text":{"type":"plain_text","text":"D-1 Load deal 1"}},{"type":"section","text":{"type":"mrkdwn","text":"*Stage 1* · open"}}]}`

func TestClassifyBody(t *testing.T) {
	busyBlocks := `{"response_type":"ephemeral","text":"","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"I'm busy right now. Please try again in a moment."}}]}`
	form := url.Values{"channel": {"C1"}, "text": {"我现在有点忙，请稍后再试。"}, "blocks": {`[{"type":"section","text":{"type":"mrkdwn","text":"我现在有点忙，请稍后再试。"}}]`}}.Encode()
	for _, tc := range []struct {
		name, ctype, body string
		want              class
	}{
		{"empty", "", "", classEmpty},
		{"blank", "text/plain", " \n", classEmpty},
		{"card", "application/json", cardJSON, classWork},
		{"busy ack en", "application/json", `{"response_type":"ephemeral","text":"I'm busy right now. Please try again in a moment."}`, classBusy},
		{"busy ack zh", "application/json", `{"response_type":"ephemeral","text":"我现在有点忙，请稍后再试。"}`, classBusy},
		{"busy ack zh escaped", "application/json", `{"text":"\u6211\u73b0\u5728\u6709\u70b9\u5fd9\uff0c\u8bf7\u7a0d\u540e\u518d\u8bd5\u3002"}`, classBusy},
		{"busy in blocks", "application/json", busyBlocks, classBusy},
		{"busy reworded", "application/json", `{"text":"Stagecoach is busy: nothing was changed. Please retry in a moment."}`, classBusy},
		{"busy chat form", "application/x-www-form-urlencoded", form, classBusy},
		{"lark busy", "application/json", `{"text":"The bot is busy, please try again in a moment."}`, classBusy},
		{"failed en", "application/json", `{"text":"Something went wrong (ref abc123). Please try again."}`, classFailed},
		{"failed zh", "application/json", `{"text":"出错了（编号 abc123），请再试一次。"}`, classFailed},
		{"conflict is an answer", "application/json", `{"text":"This deal is being changed by others right now; nothing was changed. Please try again."}`, classWork},
		{"deal named Busy", "application/json", `{"text":"D-7 Busy Bee Ltd","blocks":[]}`, classWork},
		{"plain text", "text/plain", "created D-3", classWork},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classifyBody(tc.ctype, []byte(tc.body)); got != tc.want {
				t.Errorf("classifyBody(%q) = %d, want %d (text %q)", tc.body, got, tc.want, bodyText(tc.ctype, []byte(tc.body)))
			}
		})
	}
}

func TestAckClass(t *testing.T) {
	h := func(kv ...string) http.Header {
		m := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			m.Set(kv[i], kv[i+1])
		}
		return m
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		body string
		want class
	}{
		{"empty 200", h(), "", classEmpty},
		{"header", h(BusyHeader, "1"), "", classBusy},
		{"header with a body", h(BusyHeader, "1", "Content-Type", "application/json"), `{"text":"later"}`, classBusy},
		{"busy text", h("Content-Type", "application/json"), `{"text":"I'm busy right now. Please try again in a moment."}`, classBusy},
		{"inline answer", h("Content-Type", "application/json"), `{"text":"deal show D-1: noted"}`, classWork},
		{"inline blocks", h("Content-Type", "application/json"), `{"blocks":[{"type":"divider"}]}`, classWork},
		{"not a message", h("Content-Type", "application/json"), `{}`, classEmpty},
		{"ok", h("Content-Type", "text/plain"), `ok`, classEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ackClass(tc.h, []byte(tc.body)); got != tc.want {
				t.Errorf("ackClass = %d, want %d", got, tc.want)
			}
		})
	}
}

// catalogTexts returns, by key, every string literal under a map or
// struct key in the non-test Go files of dirs (keys may be "a" + "b").
func catalogTexts(t *testing.T, dirs ...string) map[string][]string {
	t.Helper()
	var lit func(e ast.Expr) (string, bool)
	lit = func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				s, err := strconv.Unquote(x.Value)
				return s, err == nil
			}
		case *ast.BinaryExpr:
			a, ok1 := lit(x.X)
			b, ok2 := lit(x.Y)
			return a + b, ok1 && ok2 && x.Op == token.ADD
		}
		return "", false
	}
	out := map[string][]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			if err != nil {
				t.Fatalf("parse %s: %v", file, err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				kv, ok := n.(*ast.KeyValueExpr)
				if !ok {
					return true
				}
				k, ok := lit(kv.Key)
				if !ok {
					return true
				}
				ast.Inspect(kv.Value, func(n ast.Node) bool {
					if bl, ok := n.(*ast.BasicLit); ok {
						if s, ok := lit(bl); ok {
							out[k] = append(out[k], s)
						}
					}
					return true
				})
				return false
			})
		}
	}
	return out
}

// TestBusyTextsOfTheBot keeps classifyText in step with the bot's own
// catalogs: every adapter's busy notice, in every language, is busy; the
// adapters' and the router's "something went wrong" are failures; the
// version-conflict answer is a real answer.
func TestBusyTextsOfTheBot(t *testing.T) {
	texts := catalogTexts(t, "../../bot", "../../bot/slack", "../../bot/lark")
	for _, tc := range []struct {
		keys []string
		min  int // texts expected at least (keys × languages)
		want class
	}{
		{[]string{"delivery.busy"}, 2, classBusy},
		{[]string{"delivery.store_down", "delivery.unsure", "delivery.partial"}, 6, classFailed},
		{[]string{"error", "failed", "slack.error", "lark.failed", "err.internal"}, 6, classFailed},
		{[]string{"err.busy"}, 2, classWork},
	} {
		var all []string
		for _, k := range tc.keys {
			all = append(all, texts[k]...)
		}
		if len(all) < tc.min {
			t.Errorf("keys %q: %d texts in the bot's catalogs, want ≥ %d (catalog moved? update this test and classifyText)", tc.keys, len(all), tc.min)
		}
		for _, s := range all {
			t.Run(s, func(t *testing.T) {
				if got := classifyText(s); got != tc.want {
					t.Errorf("%q: class %d, want %d", s, got, tc.want)
				}
				js, _ := json.Marshal(map[string]string{"text": s})
				if got := classifyBody("application/json", js); got != tc.want {
					t.Errorf("as JSON: class %d, want %d", got, tc.want)
				}
			})
		}
	}
}

// TestReceiverTally checks the window arithmetic exactly on a made-up
// timeline (the clock is the test's).
func TestReceiverTally(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var now time.Time
	r := newReceiver(func() time.Time { return now })
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	post := func(ms int, id uint64, c class) {
		now = at(ms)
		r.replyPost(id, c, 100)
	}
	r.begin()
	for id := uint64(1); id <= 9; id++ {
		r.sent(id, OpShow)
	}
	// 1–3: empty acks answered on response_url 10, 20 and 30 ms later.
	r.acked(1, at(100), true, classEmpty)
	r.acked(2, at(200), true, classEmpty)
	r.acked(3, at(900), true, classEmpty)
	post(110, 1, classWork)
	post(115, 1, classWork) // a second post for the same command: counted once
	post(220, 2, classWork)
	post(1030, 3, classWork) // after the window: not work, but it has a latency
	// 4: busy in the ack; 5: busy on response_url; 6: failed.
	r.acked(4, at(300), true, classBusy)
	r.acked(5, at(300), true, classEmpty)
	post(310, 5, classBusy)
	r.acked(6, at(400), true, classEmpty)
	post(410, 6, classFailed)
	// 7: answered in the ack body. 8: never answered. 9: HTTP error.
	r.acked(7, at(500), true, classWork)
	r.acked(8, at(500), true, classEmpty)
	r.acked(9, at(500), false, classEmpty)
	// A reply from before this phase (id unknown) and a reply posted before
	// its ack arrived (latency 0).
	post(50, 77, classWork)
	r.sent(10, OpCheck)
	post(600, 10, classWork)
	r.acked(10, at(601), true, classEmpty)
	// chat.* posts are replies; other API calls are not.
	now = at(700)
	r.apiCall("chat.postMessage", classWork, 200)
	r.apiCall("chat.postEphemeral", classBusy, 50)
	r.apiCall("users.info", classEmpty, 0)
	now = at(1500)
	r.apiCall("chat.postMessage", classWork, 200) // after the window

	w := r.finish(context.Background(), t0, at(1000), 0)
	// In [0, 1000 ms]: 1, 2, 7 (inline), 77, 10, one chat.postMessage.
	if w.Answered != 6 || w.Window != time.Second || w.Work() != 6 {
		t.Errorf("answered=%d window=%s work=%.1f, want 6 in 1s = 6.0/s", w.Answered, w.Window, w.Work())
	}
	// In the window: the busy reply of 5, the failed one of 6 and the busy
	// chat post.
	if w.BusyInWindow != 2 || w.FailedInWindow != 1 {
		t.Errorf("busy/failed replies in window %d/%d, want 2/1", w.BusyInWindow, w.FailedInWindow)
	}
	if w.Busy != 2 || w.BusyAcks != 1 || w.Failed != 1 || w.Inline != 1 || w.Unanswered != 1 {
		t.Errorf("busy=%d busy_acks=%d failed=%d inline=%d unanswered=%d, want 2 1 1 1 1", w.Busy, w.BusyAcks, w.Failed, w.Inline, w.Unanswered)
	}
	want := []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond, 130 * time.Millisecond}
	if len(w.Latencies) != len(want) {
		t.Fatalf("latencies %v, want %v", w.Latencies, want)
	}
	for i := range want {
		if w.Latencies[i] != want[i] {
			t.Errorf("latencies %v, want %v", w.Latencies, want)
			break
		}
	}
	if w.Other["users.info"] != 1 || len(w.Other) != 1 {
		t.Errorf("other calls %v", w.Other)
	}
	// Replies counted in the window carry bytes: 1, 2, 77, 10 (100 each)
	// and the chat post (200); the inline answer has none.
	if w.Posts != 5 || w.ReplyBytes != 600 {
		t.Errorf("posts=%d bytes=%d, want 5 and 600", w.Posts, w.ReplyBytes)
	}
	if w.OpPosts[OpShow] != 2 || w.OpPosts[OpCheck] != 1 || w.OpBytes[OpShow] != 200 || !strings.Contains(w.Details(), "reply_bytes_mean_show=100 reply_bytes_mean_check=100") {
		t.Errorf("by op: posts %v bytes %v; details %q", w.OpPosts, w.OpBytes, w.Details())
	}
	line := w.WorkLine(1)
	if !strings.HasPrefix(line, "work=6.0 busy=2 failed=1 reply_p50_ms=10.000 reply_p99_ms=130.000 unanswered=1") {
		t.Errorf("work line %q", line)
	}
	// The next phase forgets these requests.
	r.begin()
	if w := r.finish(context.Background(), t0, at(1000), 0); w.Answered != 0 || w.Busy != 0 || w.Unanswered != 0 {
		t.Errorf("after begin: %+v", w)
	}
}

// fakeBot answers slash commands and interactions the way a Slack app
// under load does, in turn: a busy ack by text, a busy ack by header, an
// empty ack and a card on response_url 20 ms later, an empty ack and a
// busy notice on response_url, an empty ack and nothing at all.
type fakeBot struct {
	n                                                atomic.Int64
	mu                                               sync.Mutex
	busyText, busyHeader, cards, busyReplies, silent int64
	cardErrs                                         int64
	wg                                               sync.WaitGroup
	// When each card post started and when the fake had answered it.
	cardStart, cardDone []time.Time
}

func (b *fakeBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ru := r.PostForm.Get("response_url")
	if p := r.PostForm.Get("payload"); p != "" {
		var ic struct {
			ResponseURL string `json:"response_url"`
		}
		_ = json.Unmarshal([]byte(p), &ic)
		ru = ic.ResponseURL
	}
	post := func(delay time.Duration, body string, card bool) {
		b.wg.Go(func() {
			time.Sleep(delay)
			started := time.Now()
			resp, err := http.Post(ru, "application/json", strings.NewReader(body))
			if card {
				b.mu.Lock()
				b.cardStart = append(b.cardStart, started)
				b.cardDone = append(b.cardDone, time.Now())
				b.mu.Unlock()
			}
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != 200 {
				b.mu.Lock()
				b.cardErrs++
				b.mu.Unlock()
			}
		})
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.n.Add(1) % 5 {
	case 0:
		b.busyText++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"我现在有点忙，请稍后再试。"}`)
	case 1:
		b.busyHeader++
		w.Header().Set(BusyHeader, "1")
	case 2:
		b.cards++
		post(20*time.Millisecond, cardJSON, true)
	case 3:
		b.busyReplies++
		post(time.Millisecond, `{"response_type":"ephemeral","text":"I'm busy right now. Please try again in a moment."}`, false)
	case 4:
		b.silent++
	}
}

func TestWorkCountedAtTheFake(t *testing.T) {
	bot := &fakeBot{}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	cfg := testConfig(t, srv, "show=3,button=1")
	cfg.Rate = 400 // open loop for 0.5 s: 200 requests, most cards land inside the window
	cfg.Connections = 4
	cfg.MaxRequests = 200
	cfg.Receive = "127.0.0.1:0"
	cfg.Drain = 2 * time.Second // the silent fifth never answers: the drain runs out
	cfg.CPUPIDs = map[string]int{"self": os.Getpid()}
	l, err := NewLoader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	res := l.Phase(context.Background(), 500*time.Millisecond)
	bot.wg.Wait()
	w := res.Work
	if res.Completed == 0 || res.Errors != 0 || bot.cardErrs != 0 {
		t.Fatalf("completed=%d errors=%d post errors=%d: %s", res.Completed, res.Errors, bot.cardErrs, res.Details())
	}
	if bot.busyText+bot.busyHeader+bot.cards+bot.busyReplies+bot.silent != res.Completed {
		t.Fatalf("bot tallies do not add up to the %d requests", res.Completed)
	}
	if res.BusyAcks != bot.busyText+bot.busyHeader || w.BusyAcks != res.BusyAcks {
		t.Errorf("busy acks %d / %d, want %d", res.BusyAcks, w.BusyAcks, bot.busyText+bot.busyHeader)
	}
	if w.Busy != bot.busyText+bot.busyHeader+bot.busyReplies {
		t.Errorf("busy=%d, want %d", w.Busy, bot.busyText+bot.busyHeader+bot.busyReplies)
	}
	if int64(len(w.Latencies)) != bot.cards || w.Unanswered != bot.silent || w.Failed != 0 || w.Inline != 0 {
		t.Errorf("latencies=%d unanswered=%d failed=%d inline=%d, want %d %d 0 0", len(w.Latencies), w.Unanswered, w.Failed, w.Inline, bot.cards, bot.silent)
	}
	// Work counts the cards that reached the fake inside the window: at
	// least those whose post was answered before it ended, at most those
	// whose post had started.
	end := res.Started.Add(res.Elapsed)
	var lo, hi int64
	for i := range bot.cardStart {
		if !bot.cardDone[i].After(end) {
			lo++
		}
		if !bot.cardStart[i].After(end) {
			hi++
		}
	}
	if w.Answered < lo || w.Answered > hi || w.Window != res.Elapsed {
		t.Errorf("answered in window %d, want between %d and %d (of %d cards)", w.Answered, lo, hi, bot.cards)
	}
	if w.Posts != w.Answered || w.ReplyBytes != w.Answered*int64(len(cardJSON)) {
		t.Errorf("posts=%d bytes=%d for %d answered", w.Posts, w.ReplyBytes, w.Answered)
	}
	if _, ok := w.CPU["self"]; !ok {
		t.Errorf("no CPU sample: %v", w.CPU)
	}
	if line := res.WorkLine(); !strings.Contains(line, " busy="+strconv.FormatInt(w.Busy, 10)+" ") || !strings.Contains(line, "cpu_us_per_cmd_self=") {
		t.Errorf("work line %q", line)
	}
}

// TestReceiveServesTheSlackAPI: with -receive, the fake also answers the
// Web API for the server under test, and chat.* posts count as replies.
func TestReceiveServesTheSlackAPI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cfg := testConfig(t, srv, "show=1")
	cfg.Receive = "127.0.0.1:0"
	l, err := NewLoader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.rcv.begin()
	start := time.Now()
	api := slackapi.New("xoxb-test", slackapi.OptionAPIURL(l.ReceiveURL()+"/api/"))
	if _, _, err := api.PostMessageContext(context.Background(), "C1", slackapi.MsgOptionText("D-1 Load deal 1", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(context.Background(), "C1", slackapi.MsgOptionText("I'm busy right now. Please try again in a moment.", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUserInfoContext(context.Background(), "U1"); err != nil {
		t.Fatal(err)
	}
	w := l.rcv.finish(context.Background(), start, time.Now(), 0)
	if w.Answered != 1 || w.Other["users.info"] != 1 {
		t.Errorf("answered=%d other=%v, want 1 chat post and 1 users.info", w.Answered, w.Other)
	}
	if u := l.responseURL(42); u != l.ReceiveURL()+"/response/42" {
		t.Errorf("response_url %q", u)
	}
}

func TestReceiveRefusesRemote(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cfg := testConfig(t, srv, "show=1")
	cfg.Receive = "192.0.2.1:3998"
	if _, err := NewLoader(cfg); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("NewLoader with a remote -receive: %v", err)
	}
}

func TestParseStatCPU(t *testing.T) {
	line := []byte("4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 12345 1000000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
	d, err := parseStatCPU(line)
	if err != nil || d != 2870*time.Millisecond {
		t.Errorf("parseStatCPU = %s, %v; want 2.87s", d, err)
	}
	for _, bad := range []string{"", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 u s"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("parseStatCPU(%q): no error", bad)
		}
	}
	if d, err := cpuTime(os.Getpid()); err != nil || d < 0 {
		t.Errorf("cpuTime(self) = %s, %v", d, err)
	}
}

func TestParsePIDs(t *testing.T) {
	m, err := ParsePIDs("stagecoach=12, redis=34")
	if err != nil || m["stagecoach"] != 12 || m["redis"] != 34 || len(m) != 2 {
		t.Errorf("ParsePIDs = %v, %v", m, err)
	}
	for _, bad := range []string{"x", "x=0", "x=a", "=3", "x=1,x=2"} {
		if _, err := ParsePIDs(bad); err == nil {
			t.Errorf("ParsePIDs(%q): no error", bad)
		}
	}
	if m, err := ParsePIDs(""); err != nil || len(m) != 0 {
		t.Errorf("ParsePIDs(\"\") = %v, %v", m, err)
	}
}

func FuzzClassifyBody(f *testing.F) {
	f.Add("application/json", cardJSON)
	f.Add("application/x-www-form-urlencoded", "text=%E5%BF%99&blocks=%5B%5D")
	f.Add("", "{\"text\":\"busy, try again\"}")
	f.Fuzz(func(t *testing.T, ctype, body string) {
		c := classifyBody(ctype, []byte(body))
		if len(bytes.TrimSpace([]byte(body))) == 0 && c != classEmpty {
			t.Fatalf("empty body classified %d", c)
		}
		if c == classBusy && classifyText(bodyText(ctype, bytes.TrimSpace([]byte(body)))) != classBusy {
			t.Fatalf("busy without busy text")
		}
		_ = ackClass(http.Header{"Content-Type": {ctype}}, []byte(body))
	})
}
