package main

// The tap walk: one deal from `new` to won through Slack alone — signed
// requests to the real Slack HTTP handler (slash command, block actions,
// modal submissions), the real router on bolt, a fake Slack Web API — with
// no typed command after `new`. Each step of the walk is an intent (book a
// meeting, add a contact, tick items, …): the walk looks for the control on
// the messages the user has, and only when there is none types the
// equivalent command (counted). TestTapWalkSlack pins the count at 1.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/stagecoach/stagecoach/bot"
	larkbot "github.com/stagecoach/stagecoach/bot/lark"
	slackbot "github.com/stagecoach/stagecoach/bot/slack"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// intent is one thing the rep does on the way to won.
type intent struct {
	name    string
	control string            // the command value of the control to use
	values  map[string]string // the form the control opens, filled
	tick    []string          // items to tick on the card
	typed   string            // the command to type when there is no control
}

// walkIntents is the deal's life: first call, contact, meeting, notes,
// information and forms, buyer stage, every stage's items, won.
func walkIntents(pb *playbook.Playbook) []intent {
	ticks := func(n int) intent {
		st := pb.Stage(n)
		var ids []string
		for _, it := range st.Checklist() {
			ids = append(ids, it.ID)
		}
		for _, it := range st.Relationship {
			ids = append(ids, it.ID)
		}
		return intent{name: fmt.Sprintf("tick stage %d", n), tick: ids, typed: "check D-1 " + strings.Join(ids, " ")}
	}
	var out []intent
	out = append(out,
		intent{name: "add the handler", control: "contact D-1 add",
			values: map[string]string{"name": "Wang Li", "title": "IT Director", "role": "handler", "attitude": "supporter", "influence": "high", "level": "L2"},
			typed:  `contact D-1 add "Wang Li" title="IT Director" role=handler attitude=supporter influence=high level=L2`},
		intent{name: "book the first visit", control: "meet D-1",
			values: map[string]string{"date": "2026-11-26", "time": "10:00", "place": "Acme HQ", "topic": "first visit"},
			typed:  `meet D-1 2026-11-26 10:00 place="Acme HQ" topic="first visit"`},
		ticks(1),
		intent{name: "note after the visit", control: "form D-1 note", values: map[string]string{"text": "CFO worried about cost"}, typed: "note D-1 CFO worried about cost"},
		intent{name: "record the project information", control: "form D-1 s2.i2",
			values: map[string]string{"budget_range": "1-1.5m", "schedule": "decision in Q1"}, typed: `info D-1 budget_range=1-1.5m schedule="decision in Q1"`},
		intent{name: "fill the visit summary", control: "form D-1 s2.t1",
			values: map[string]string{"visit_date": "2026-11-26", "attendees": "Wang Li", "pain": "month-end close takes ten days", "next_step": "proposal"},
			typed:  `form D-1 s2.t1 visit_date=2026-11-26 attendees="Wang Li" pain="month-end close takes ten days" next_step=proposal`},
		intent{name: "the customer's buying stage", control: "buyer D-1 2", typed: "buyer D-1 2"},
		ticks(2),
	)
	for n := 3; n <= len(pb.Stages); n++ {
		out = append(out, ticks(n))
	}
	out = append(out, intent{name: "won", control: "form D-1 won", values: map[string]string{"value": "1.35m"}, typed: "won D-1"})
	return out
}

// slackMsg is one message the fake Slack holds.
type slackMsg struct {
	ts     string
	blocks []any
}

// fakeSlackAPI is the Web API and response_url endpoint: it keeps the
// messages as the user sees them (updates replace in place) and the
// last modal opened.
type fakeSlackAPI struct {
	mu    sync.Mutex
	msgs  []*slackMsg
	modal map[string]any
	next  int
}

func (f *fakeSlackAPI) add(blocks []any) string {
	f.next++
	ts := fmt.Sprintf("1700000000.%06d", f.next)
	f.msgs = append(f.msgs, &slackMsg{ts: ts, blocks: blocks})
	return ts
}

func (f *fakeSlackAPI) replace(ts string, blocks []any) {
	for _, m := range f.msgs {
		if m.ts == ts {
			m.blocks = blocks
			return
		}
	}
	f.add(blocks)
}

func (f *fakeSlackAPI) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	blocksOf := func(s string) []any {
		var b []any
		_ = json.Unmarshal([]byte(s), &b)
		return b
	}
	mux.HandleFunc("/api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		ts := f.add(blocksOf(r.PostForm.Get("blocks")))
		f.mu.Unlock()
		reply(w, map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": ts})
	})
	mux.HandleFunc("/api/chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		ts := f.add(blocksOf(r.PostForm.Get("blocks")))
		f.mu.Unlock()
		reply(w, map[string]any{"ok": true, "message_ts": ts})
	})
	mux.HandleFunc("/api/chat.update", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.replace(r.PostForm.Get("ts"), blocksOf(r.PostForm.Get("blocks")))
		f.mu.Unlock()
		reply(w, map[string]any{"ok": true, "channel": "D1", "ts": r.PostForm.Get("ts")})
	})
	mux.HandleFunc("/api/views.open", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			View map[string]any `json:"view"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil || body.View == nil {
			_ = r.ParseForm()
			_ = json.Unmarshal([]byte(r.PostForm.Get("view")), &body.View)
		}
		f.mu.Lock()
		f.modal = body.View
		f.mu.Unlock()
		reply(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
	})
	mux.HandleFunc("/api/conversations.open", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D1"}})
	})
	mux.HandleFunc("/api/users.info", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"ok": true, "user": map[string]any{"id": "U1", "name": "ann", "profile": map[string]any{"display_name": "Ann"}}})
	})
	mux.HandleFunc("/respond/{ts}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Blocks  []any `json:"blocks"`
			Replace bool  `json:"replace_original"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("response_url body: %v", err)
		}
		f.mu.Lock()
		if body.Replace {
			f.replace(r.PathValue("ts"), body.Blocks)
		} else {
			f.add(body.Blocks)
		}
		f.mu.Unlock()
		reply(w, map[string]any{"ok": true})
	})
	return mux
}

// control is an interactive element found on a message.
type control struct {
	msg     *slackMsg
	blockID string
	el      map[string]any
	option  map[string]any // for a select: the option chosen
}

// find looks for an element whose value (button) or option value (select)
// is cmd, newest message first.
func (f *fakeSlackAPI) find(cmd string) (control, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.msgs) - 1; i >= 0; i-- {
		for _, b := range f.msgs[i].blocks {
			bm, _ := b.(map[string]any)
			if bm["type"] != "actions" {
				continue
			}
			els, _ := bm["elements"].([]any)
			for _, e := range els {
				el, _ := e.(map[string]any)
				if el["type"] == "button" && el["value"] == cmd {
					return control{msg: f.msgs[i], blockID: str(bm["block_id"]), el: el}, true
				}
				opts, _ := el["options"].([]any)
				for _, o := range opts {
					om, _ := o.(map[string]any)
					if el["type"] == "static_select" && om["value"] == cmd {
						return control{msg: f.msgs[i], blockID: str(bm["block_id"]), el: el, option: om}, true
					}
				}
			}
		}
	}
	return control{}, false
}

// checkboxes finds the checkbox elements offering any of ids, newest
// message first.
func (f *fakeSlackAPI) checkboxes(ids []string) []control {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.msgs) - 1; i >= 0; i-- {
		var out []control
		for _, b := range f.msgs[i].blocks {
			bm, _ := b.(map[string]any)
			if bm["type"] != "actions" {
				continue
			}
			els, _ := bm["elements"].([]any)
			for _, e := range els {
				el, _ := e.(map[string]any)
				if el["type"] != "checkboxes" {
					continue
				}
				opts, _ := el["options"].([]any)
				for _, o := range opts {
					if om, _ := o.(map[string]any); slices.Contains(ids, str(om["value"])) {
						out = append(out, control{msg: f.msgs[i], blockID: str(bm["block_id"]), el: el})
						break
					}
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func str(v any) string { s, _ := v.(string); return s }

// slackWalker drives the real Slack HTTP handler.
type slackWalker struct {
	t      *testing.T
	srv    string
	secret string
	api    *fakeSlackAPI
	pool   *bot.Pool
	n      int
	typed  []string
}

func (w *slackWalker) post(path, contentType string, body []byte) []byte {
	w.t.Helper()
	req := signedRequest(w.srv+path, contentType, body, w.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("%s: status %d %s", path, resp.StatusCode, out)
	}
	w.settle()
	return out
}

// settle waits until the pool's one worker has run every job submitted
// so far (deliveries included): the pool runs jobs in order.
func (w *slackWalker) settle() {
	done := make(chan struct{})
	if err := w.pool.Submit(func(context.Context) { close(done) }); err != nil {
		w.t.Fatal(err)
	}
	<-done
}

func (w *slackWalker) slash(text string) {
	w.typed = append(w.typed, text)
	form := url.Values{"command": {"/coach"}, "text": {text}, "team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"D1"},
		"response_url": {w.srv + "/respond/new"}, "trigger_id": {w.trigger()}}
	w.post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
}

func (w *slackWalker) trigger() string { w.n++; return "trig-" + strconv.Itoa(w.n) }

func (w *slackWalker) interact(payload map[string]any) []byte {
	b, _ := json.Marshal(payload)
	return w.post("/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(b)}}.Encode()))
}

func (w *slackWalker) blockAction(c control, action map[string]any) {
	w.api.mu.Lock()
	blocks := c.msg.blocks
	w.api.mu.Unlock()
	action["action_id"], action["block_id"] = c.el["action_id"], c.blockID
	w.interact(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"},
		"channel": map[string]any{"id": "D1"}, "trigger_id": w.trigger(), "response_url": w.srv + "/respond/" + c.msg.ts,
		"container": map[string]any{"type": "message", "message_ts": c.msg.ts, "channel_id": "D1"},
		"message":   map[string]any{"type": "message", "ts": c.msg.ts, "blocks": blocks},
		"actions":   []any{action},
	})
}

// tap uses the control running cmd; false when no message offers it.
func (w *slackWalker) tap(cmd string) bool {
	c, ok := w.api.find(cmd)
	if !ok {
		return false
	}
	if c.option != nil {
		w.blockAction(c, map[string]any{"type": "static_select", "selected_option": c.option})
	} else {
		w.blockAction(c, map[string]any{"type": "button", "value": cmd})
	}
	return true
}

// tick ticks ids on the card's checkboxes, keeping what is ticked.
func (w *slackWalker) tick(ids []string) bool {
	cs := w.api.checkboxes(ids)
	if len(cs) == 0 {
		return false
	}
	for _, c := range cs {
		var sel []any
		opts, _ := c.el["options"].([]any)
		initial, _ := c.el["initial_options"].([]any)
		for _, o := range opts {
			om, _ := o.(map[string]any)
			v := str(om["value"])
			on := slices.Contains(ids, v)
			for _, io := range initial {
				if iom, _ := io.(map[string]any); str(iom["value"]) == v {
					on = true
				}
			}
			if on {
				sel = append(sel, map[string]any{"value": v})
			}
		}
		w.blockAction(c, map[string]any{"type": "checkboxes", "selected_options": sel})
		// the card was replaced: look the next checkboxes up again
		if rest := w.api.checkboxes(ids); len(rest) > 0 && rest[0].msg == c.msg {
			continue
		}
	}
	return true
}

// submit fills the open modal: the given values, what the modal shows
// already, and a plausible value for any other required field.
func (w *slackWalker) submit(values map[string]string) {
	w.t.Helper()
	w.api.mu.Lock()
	view := w.api.modal
	w.api.modal = nil
	w.api.mu.Unlock()
	if view == nil {
		w.t.Fatal("no modal open")
	}
	state := map[string]any{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if bm["type"] != "input" {
			continue
		}
		key := str(bm["block_id"])
		el, _ := bm["element"].(map[string]any)
		v, given := values[key]
		optional, _ := bm["optional"].(bool)
		var entry map[string]any
		switch el["type"] {
		case "datepicker":
			if !given {
				v = str(el["initial_date"])
			}
			if v == "" && !optional {
				v = "2026-12-03"
			}
			entry = map[string]any{"type": "datepicker", "selected_date": v}
		case "timepicker":
			if !given {
				v = str(el["initial_time"])
			}
			entry = map[string]any{"type": "timepicker", "selected_time": v}
		case "static_select":
			opt, _ := el["initial_option"].(map[string]any)
			if given {
				opt = map[string]any{"value": v}
			} else if opt == nil && !optional {
				opts, _ := el["options"].([]any)
				opt, _ = opts[0].(map[string]any)
			}
			entry = map[string]any{"type": "static_select", "selected_option": opt}
		default:
			if !given {
				v = str(el["initial_value"])
			}
			if v == "" && !optional {
				v = "agreed"
				if el["action_id"] == "number" {
					v = "1"
				}
			}
			entry = map[string]any{"type": "plain_text_input", "value": v}
		}
		state[key] = map[string]any{str(el["action_id"]): entry}
	}
	out := w.interact(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"blocks": view["blocks"], "state": map[string]any{"values": state}},
	})
	if strings.Contains(string(out), "errors") {
		w.t.Fatalf("modal refused: %s", out)
	}
}

// walk runs the intents; each uses its control where one is on the
// messages, else types the command.
func (w *slackWalker) walk(intents []intent) {
	for _, in := range intents {
		switch {
		case len(in.tick) > 0:
			if !w.tick(in.tick) {
				w.slash(in.typed)
			}
		case in.control != "" && w.tap(in.control):
			if in.values != nil {
				w.submit(in.values)
			}
		default:
			w.slash(in.typed)
			w.api.mu.Lock()
			w.api.modal = nil // a typed command carries its values
			w.api.mu.Unlock()
		}
	}
}

func signedRequest(u, contentType string, body []byte, secret string) *http.Request {
	req, _ := http.NewRequest("POST", u, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackSignature(secret, ts, body))
	return req
}

func TestTapWalkSlack(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	pb := playbook.Default()
	svc := coach.NewService(st, pb, func() time.Time { return clock }, nil)
	log := slog.New(slog.DiscardHandler)
	pool := bot.NewPool(1, 64, 10*time.Second, log) // one worker: jobs run in order (see settle)
	defer pool.Close(context.Background())
	api := &fakeSlackAPI{}
	apiSrv := httptest.NewServer(api.handler(t))
	defer apiSrv.Close()
	const secret = "walk-secret"
	sa, err := slackbot.New(slackbot.Config{BotToken: "xoxb-walk", SigningSecret: secret, APIURL: apiSrv.URL + "/api/", ChannelInterval: -1}, bot.NewRouter(svc, nil), st, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close(context.Background())
	mux := http.NewServeMux()
	sa.Register(mux)
	// response_url posts go to the fake API too
	mux.Handle("/respond/", api.handler(t))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	w := &slackWalker{t: t, srv: srv.URL, secret: secret, api: api, pool: pool}
	w.slash(`new "Acme ERP" customer=Acme value=1.2m`)
	w.walk(walkIntents(pb))

	d, err := st.GetDeal(context.Background(), "T1", "D-1")
	if err != nil {
		t.Fatal(err)
	}
	p := coach.Evaluate(pb, d)
	t.Logf("typed messages: %d: %q", len(w.typed), w.typed)
	if d.Status != coach.StatusWon || p.Completed != len(pb.Stages) || len(d.Stakeholders) != 1 || len(d.Meetings) != 1 || len(d.Notes) != 1 ||
		d.Info["s2.i2.budget_range"] != "1-1.5m" || d.Forms["s2.t1"]["next_step"] != "proposal" || d.BuyerStage != 2 || d.Value != 1350000 {
		t.Fatalf("walk did not get there: status %s, completed %d, contacts %d, meetings %d, notes %d, info %v, buyer %d, value %d",
			d.Status, p.Completed, len(d.Stakeholders), len(d.Meetings), len(d.Notes), d.Info, d.BuyerStage, d.Value)
	}
	for _, r := range pb.Stage(8).Relationship {
		if !d.IsChecked(r.ID) {
			t.Fatalf("relationship item %s not ticked from the card", r.ID)
		}
	}
	if len(w.typed) != 1 {
		t.Fatalf("typed %d messages, want only `new`: %q", len(w.typed), w.typed)
	}
}

func slackSignature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// larkCard is one card message the fake Lark holds.
type larkCard struct {
	id   string
	card map[string]any
}

// fakeLarkAPI is the OpenAPI: token, messages (create and reply), the
// contact API (refused: names fall back), keeping the cards as shown.
type fakeLarkAPI struct {
	mu    sync.Mutex
	cards []*larkCard
	next  int
}

func (f *fakeLarkAPI) add(content string) string {
	var c map[string]any
	_ = json.Unmarshal([]byte(content), &c)
	f.next++
	id := "om_" + strconv.Itoa(f.next)
	f.cards = append(f.cards, &larkCard{id: id, card: c})
	return id
}

func (f *fakeLarkAPI) replace(id string, c map[string]any) {
	for _, x := range f.cards {
		if x.id == id {
			x.card = c
			return
		}
	}
}

func (f *fakeLarkAPI) handler() http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"code": 0, "tenant_access_token": "t", "expire": 7200})
	})
	msg := func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			MsgType string `json:"msg_type"`
			Content string `json:"content"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		f.mu.Lock()
		id := f.add(body.Content)
		f.mu.Unlock()
		reply(w, map[string]any{"code": 0, "data": map[string]any{"message_id": id}})
	}
	mux.HandleFunc("POST /open-apis/im/v1/messages", msg)
	mux.HandleFunc("POST /open-apis/im/v1/messages/{id}/reply", msg)
	mux.HandleFunc("PATCH /open-apis/im/v1/messages/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Content string `json:"content"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		var c map[string]any
		_ = json.Unmarshal([]byte(body.Content), &c)
		f.mu.Lock()
		f.replace(r.PathValue("id"), c)
		f.mu.Unlock()
		reply(w, map[string]any{"code": 0})
	})
	mux.HandleFunc("GET /open-apis/contact/v3/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"code": 41050, "msg": "no user authority"})
	})
	return mux
}

// each calls fn on every element of every card, newest card first, until
// fn returns true; form is the form the element sits in, if any.
func (f *fakeLarkAPI) each(fn func(c *larkCard, el map[string]any, form map[string]any) bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	var walk func(c *larkCard, v any, form map[string]any) bool
	walk = func(c *larkCard, v any, form map[string]any) bool {
		switch x := v.(type) {
		case map[string]any:
			if x["tag"] == "form" {
				form = x
			}
			if _, ok := x["tag"]; ok && fn(c, x, form) {
				return true
			}
			for _, k := range []string{"body", "elements", "columns"} {
				if walk(c, x[k], form) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(c, e, form) {
					return true
				}
			}
		}
		return false
	}
	for i := len(f.cards) - 1; i >= 0; i-- {
		if walk(f.cards[i], f.cards[i].card, nil) {
			return true
		}
	}
	return false
}

func callbackValue(el map[string]any) map[string]any {
	bs, _ := el["behaviors"].([]any)
	if len(bs) == 0 {
		return nil
	}
	b, _ := bs[0].(map[string]any)
	v, _ := b["value"].(map[string]any)
	return v
}

// larkWalker drives the real Lark webhook with encrypted, signed events
// and card callbacks.
type larkWalker struct {
	t     *testing.T
	srv   string
	key   string
	token string
	api   *fakeLarkAPI
	pool  *bot.Pool
	n     int
	typed []string
}

func (w *larkWalker) send(ev map[string]any) []byte {
	w.t.Helper()
	plain, _ := json.Marshal(ev)
	enc, err := larkcore.EncryptedEventMsg(context.Background(), plain, w.key)
	if err != nil {
		w.t.Fatal(err)
	}
	body, _ := json.Marshal(larkevent.EventEncryptMsg{Encrypt: enc})
	req, _ := http.NewRequest("POST", w.srv+"/lark/events", strings.NewReader(string(body)))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := "nonce" + strconv.Itoa(w.n)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(larkevent.EventRequestTimestamp, ts)
	req.Header.Set(larkevent.EventRequestNonce, nonce)
	req.Header.Set(larkevent.EventSignature, larkevent.Signature(ts, nonce, w.key, string(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("lark: status %d %s", resp.StatusCode, out)
	}
	return out
}

func (w *larkWalker) settle() {
	done := make(chan struct{})
	if err := w.pool.Submit(func(context.Context) { close(done) }); err != nil {
		w.t.Fatal(err)
	}
	<-done
}

func (w *larkWalker) header(kind string) map[string]any {
	w.n++
	return map[string]any{"event_id": fmt.Sprintf("ev-%d", w.n), "event_type": kind, "tenant_key": "team-lark", "token": w.token, "app_id": "cli_walk", "create_time": "1700000000000"}
}

func (w *larkWalker) text(s string) {
	w.typed = append(w.typed, s)
	content, _ := json.Marshal(map[string]string{"text": s})
	w.send(map[string]any{"schema": "2.0", "header": w.header("im.message.receive_v1"), "event": map[string]any{
		"sender":  map[string]any{"sender_id": map[string]any{"open_id": "ou_1"}, "sender_type": "user", "tenant_key": "team-lark"},
		"message": map[string]any{"message_id": fmt.Sprintf("om_in%d", w.n), "chat_id": "oc_1", "chat_type": "p2p", "message_type": "text", "content": string(content)},
	}})
	w.settle()
}

// click sends a card callback from card c and applies the answer: the
// card in the callback's response replaces c.
func (w *larkWalker) click(c *larkCard, action map[string]any) {
	out := w.send(map[string]any{"schema": "2.0", "header": w.header("card.action.trigger"), "event": map[string]any{
		"operator": map[string]any{"open_id": "ou_1", "tenant_key": "team-lark"}, "token": "c-tok", "action": action, "host": "im_message",
		"context": map[string]any{"open_message_id": c.id, "open_chat_id": "oc_1"},
	}})
	var resp struct {
		Toast *struct {
			Type    string `json:"type"`
			Content string `json:"content"`
		} `json:"toast"`
		Card *struct {
			Data map[string]any `json:"data"`
		} `json:"card"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		w.t.Fatalf("callback answer %s: %v", out, err)
	}
	if resp.Toast != nil && resp.Toast.Type == "error" {
		w.t.Fatalf("callback refused: %s", resp.Toast.Content)
	}
	if resp.Card != nil {
		w.api.mu.Lock()
		w.api.replace(c.id, resp.Card.Data)
		w.api.mu.Unlock()
	}
	w.settle()
}

func (w *larkWalker) tap(cmd string) bool {
	var card *larkCard
	var action map[string]any
	w.api.each(func(c *larkCard, el map[string]any, form map[string]any) bool {
		if form != nil {
			return false
		}
		switch el["tag"] {
		case "button":
			if v := callbackValue(el); v != nil && v["cmd"] == cmd {
				card, action = c, map[string]any{"tag": "button", "value": v}
				return true
			}
		case "select_static":
			opts, _ := el["options"].([]any)
			for _, o := range opts {
				if om, _ := o.(map[string]any); om["value"] == cmd {
					card, action = c, map[string]any{"tag": "select_static", "value": callbackValue(el), "option": cmd}
					return true
				}
			}
		}
		return false
	})
	if card == nil {
		return false
	}
	w.click(card, action)
	return true
}

func (w *larkWalker) tick(ids []string) bool {
	found := false
	for _, id := range ids {
		var card *larkCard
		var v map[string]any
		w.api.each(func(c *larkCard, el map[string]any, _ map[string]any) bool {
			if el["tag"] != "checker" {
				return false
			}
			if cv := callbackValue(el); cv != nil && cv["item"] == id {
				if checked, _ := el["checked"].(bool); !checked {
					card, v = c, cv
				}
				return true
			}
			return false
		})
		if card != nil {
			found = true
			w.click(card, map[string]any{"tag": "checker", "checked": true, "value": v})
		}
	}
	return found
}

// submit fills the newest form card: the given values, the defaults it
// shows, and a plausible value for any other required input.
func (w *larkWalker) submit(values map[string]string) {
	w.t.Helper()
	var card *larkCard
	var formEl map[string]any
	w.api.each(func(c *larkCard, el map[string]any, form map[string]any) bool {
		if el["tag"] == "form" {
			card, formEl = c, el
			return true
		}
		return false
	})
	if formEl == nil {
		w.t.Fatal("no form card")
	}
	fv := map[string]any{}
	var submit map[string]any
	els, _ := formEl["elements"].([]any)
	for _, e := range els {
		el, _ := e.(map[string]any)
		name := str(el["name"])
		required, _ := el["required"].(bool)
		v, given := values[name]
		switch el["tag"] {
		case "button":
			submit = callbackValue(el)
			continue
		case "input":
			if !given {
				v = str(el["default_value"])
			}
		case "picker_time":
			if !given {
				v = str(el["initial_time"])
			}
		case "date_picker":
			if !given {
				v = str(el["initial_date"])
			}
			if v != "" {
				v += " +0800"
			}
		case "select_static":
			if !given {
				v = str(el["initial_option"])
				if v == "" && required {
					opts, _ := el["options"].([]any)
					om, _ := opts[0].(map[string]any)
					v = str(om["value"])
				}
			}
		default:
			continue
		}
		if v == "" && required {
			v = "agreed"
			if el["tag"] == "date_picker" {
				v = "2026-12-03 +0800"
			}
		}
		fv[name] = v
	}
	w.click(card, map[string]any{"tag": "button", "value": submit, "form_value": fv, "name": "submit"})
	// the form card is done: drop it so the next form is found afresh
	w.api.mu.Lock()
	w.api.cards = slices.DeleteFunc(w.api.cards, func(c *larkCard) bool { return c == card })
	w.api.mu.Unlock()
}

func (w *larkWalker) walk(intents []intent) {
	for _, in := range intents {
		switch {
		case len(in.tick) > 0:
			if !w.tick(in.tick) {
				w.text(in.typed)
			}
		case in.control != "" && w.tap(in.control):
			if in.values != nil {
				w.submit(in.values)
			}
		default:
			w.text(in.typed)
		}
	}
}

func TestTapWalkLark(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	pb := playbook.Default()
	svc := coach.NewService(st, pb, func() time.Time { return clock }, nil)
	log := slog.New(slog.DiscardHandler)
	pool := bot.NewPool(1, 64, 10*time.Second, log)
	defer pool.Close(context.Background())
	api := &fakeLarkAPI{}
	apiSrv := httptest.NewServer(api.handler())
	defer apiSrv.Close()
	const key, token = "walk-encrypt-key", "walk-token"
	la, err := larkbot.New(larkbot.Config{AppID: "cli_walk", AppSecret: "s", Mode: "webhook", EncryptKey: key, VerificationToken: token, BaseURL: apiSrv.URL},
		bot.NewRouter(svc, nil), st, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	la.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	w := &larkWalker{t: t, srv: srv.URL, key: key, token: token, api: api, pool: pool}
	w.text(`new "Acme ERP" customer=Acme value=1.2m`)
	w.walk(walkIntents(pb))

	d, err := st.GetDeal(context.Background(), "team-lark", "D-1")
	if err != nil {
		t.Fatal(err)
	}
	p := coach.Evaluate(pb, d)
	t.Logf("typed messages: %d: %q", len(w.typed), w.typed)
	if d.Status != coach.StatusWon || p.Completed != len(pb.Stages) || len(d.Stakeholders) != 1 || len(d.Meetings) != 1 || len(d.Notes) != 1 ||
		d.Info["s2.i2.budget_range"] != "1-1.5m" || d.Forms["s2.t1"]["next_step"] != "proposal" || d.BuyerStage != 2 || d.Value != 1350000 {
		t.Fatalf("walk did not get there: status %s, completed %d, contacts %d, meetings %d, notes %d, info %v, buyer %d, value %d",
			d.Status, p.Completed, len(d.Stakeholders), len(d.Meetings), len(d.Notes), d.Info, d.BuyerStage, d.Value)
	}
	if len(w.typed) != 1 {
		t.Fatalf("typed %d messages, want only `new`: %q", len(w.typed), w.typed)
	}
}
