package main

// The shared answer table: the same commands typed in the console, sent as
// signed Slack slash commands and as encrypted, signed Lark messages must
// give the same answers — the router's reply is the same, and each
// platform's rendering carries every piece of it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/console"
	larkbot "github.com/stagecoach/stagecoach/bot/lark"
	slackbot "github.com/stagecoach/stagecoach/bot/slack"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// recorder keeps the router's replies per platform, in order.
type recorder struct {
	h       bot.Handler
	mu      sync.Mutex
	replies map[bot.Platform][]bot.Reply
	got     chan bot.Platform
}

func (r *recorder) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	rep, err := r.h.Handle(ctx, m)
	r.mu.Lock()
	r.replies[m.Platform] = append(r.replies[m.Platform], rep)
	r.mu.Unlock()
	r.got <- m.Platform
	return rep, err
}

// outbox collects what the fake platform APIs received.
type outbox struct {
	mu    sync.Mutex
	items []string
	ch    chan struct{}
}

func (o *outbox) add(s string) {
	o.mu.Lock()
	o.items = append(o.items, s)
	o.mu.Unlock()
	o.ch <- struct{}{}
}

func (o *outbox) all() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.items, "\n")
}

func (o *outbox) reset() {
	o.mu.Lock()
	o.items = nil
	o.mu.Unlock()
}

// texts collects every string under the given keys of a JSON document,
// parsing nested JSON strings (Lark's card content) too.
func texts(v any, keys map[string]bool, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && keys[k] {
				*out = append(*out, s)
				var inner any
				if json.Unmarshal([]byte(s), &inner) == nil {
					texts(inner, keys, out)
				}
				continue
			}
			texts(val, keys, out)
		}
	case []any:
		for _, e := range x {
			texts(e, keys, out)
		}
	}
}

var markupRE = regexp.MustCompile(`[*_~` + "`" + `\\]|&#?\w+;`)
var spaceRE = regexp.MustCompile(`\s+`)

// norm reduces rendered text to its words, so markup and escaping of the
// platforms don't matter.
func norm(s string) string {
	s = html.UnescapeString(s)
	s = markupRE.ReplaceAllString(s, "")
	return spaceRE.ReplaceAllString(strings.TrimSpace(s), " ")
}

// units are the pieces of a reply every platform must show.
func units(r bot.Reply) []string {
	var out []string
	add := func(s string) {
		for _, line := range strings.Split(s, "\n") {
			if n := norm(line); n != "" {
				out = append(out, n)
			}
		}
	}
	for _, b := range r.Blocks {
		switch x := b.(type) {
		case bot.Heading:
			add(x.Text)
		case bot.Text:
			add(x.Text)
		case bot.Context:
			add(x.Text)
		case bot.Fields:
			for _, f := range x.Items {
				add(f.Label)
				add(f.Value)
			}
		case bot.Checklist:
			for _, it := range x.Items {
				add(it.ID)
			}
		case bot.Buttons:
			for _, bt := range x.Items {
				add(bt.Label)
			}
		}
	}
	return out
}

func TestSameAnswersOnConsoleSlackAndLark(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	svc := coach.NewService(st, playbook.Default(), func() time.Time { return clock }, nil)
	rec := &recorder{h: bot.NewRouter(svc, nil), replies: map[bot.Platform][]bot.Reply{}, got: make(chan bot.Platform, 16)}
	log := slog.New(slog.DiscardHandler)
	pool := bot.NewPool(2, 64, 10*time.Second, log)
	defer pool.Close(context.Background())

	slackOut := &outbox{ch: make(chan struct{}, 64)}
	larkOut := &outbox{ch: make(chan struct{}, 64)}
	api := http.NewServeMux()
	api.HandleFunc("/respond/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		slackOut.add(string(b))
	})
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":false,"error":"user_not_found"}`) // names fall back to the user id
	})
	larkJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	api.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", func(w http.ResponseWriter, r *http.Request) {
		larkJSON(w, map[string]any{"code": 0, "tenant_access_token": "t", "expire": 7200})
	})
	larkMsg := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		larkOut.add(string(b))
		larkJSON(w, map[string]any{"code": 0, "data": map[string]any{"message_id": "om_x"}})
	}
	api.HandleFunc("POST /open-apis/im/v1/messages", larkMsg)
	api.HandleFunc("POST /open-apis/im/v1/messages/{id}/reply", larkMsg)
	api.HandleFunc("GET /open-apis/contact/v3/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		larkJSON(w, map[string]any{"code": 41050, "msg": "no user authority"})
	})
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()

	const slackSecret, larkKey, larkToken = "parity-secret", "parity-encrypt-key", "parity-token"
	sa, err := slackbot.New(slackbot.Config{BotToken: "xoxb-parity", SigningSecret: slackSecret, APIURL: apiSrv.URL + "/api/", ChannelInterval: -1}, rec, st, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close(context.Background())
	la, err := larkbot.New(larkbot.Config{AppID: "cli_parity", AppSecret: "s", Mode: "webhook", EncryptKey: larkKey, VerificationToken: larkToken, BaseURL: apiSrv.URL}, rec, st, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	sa.Register(mux)
	la.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	con := console.New(strings.NewReader(""), io.Discard, rec, "team-console", "U1", "en")

	n := 0
	sendSlack := func(text string) {
		n++
		resp := signedSlash(t, srv.URL, slackSecret, text, apiSrv.URL+"/respond/"+strconv.Itoa(n))
		if resp.StatusCode != 200 {
			t.Fatalf("slack %q: status %d", text, resp.StatusCode)
		}
	}
	sendLark := func(text string) {
		n++
		content, _ := json.Marshal(map[string]string{"text": text})
		ev, _ := json.Marshal(map[string]any{
			"schema": "2.0",
			"header": map[string]any{"event_id": fmt.Sprintf("ev-%d", n), "event_type": "im.message.receive_v1", "tenant_key": "team-lark", "token": larkToken, "app_id": "cli_parity", "create_time": "1700000000000"},
			"event": map[string]any{
				"sender":  map[string]any{"sender_id": map[string]any{"open_id": "U1"}, "sender_type": "user", "tenant_key": "team-lark"},
				"message": map[string]any{"message_id": fmt.Sprintf("om_%d", n), "chat_id": "oc_1", "chat_type": "p2p", "message_type": "text", "content": string(content)},
			},
		})
		enc, err := larkcore.EncryptedEventMsg(ctx, ev, larkKey)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(larkevent.EventEncryptMsg{Encrypt: enc})
		req, _ := http.NewRequest("POST", srv.URL+"/lark/events", bytes.NewReader(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(larkevent.EventRequestTimestamp, ts)
		req.Header.Set(larkevent.EventRequestNonce, "nonce"+strconv.Itoa(n))
		req.Header.Set(larkevent.EventSignature, larkevent.Signature(ts, "nonce"+strconv.Itoa(n), larkKey, string(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("lark %q: status %d", text, resp.StatusCode)
		}
	}
	wait := func(ch chan struct{}, what string) {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s delivery", what)
		}
	}
	drain := func() {
		for {
			select {
			case <-rec.got:
			default:
				return
			}
		}
	}

	commands := []string{
		"lang en",
		`new "Acme ERP" customer=Acme value=1.2m close=2027-03-31`,
		"check D-1 s1.m1 s1.m2 s1.m3",
		"check D-1 s2.m1",
		"buyer D-1 2",
		"show D-1",
		"check D-1 s9.m1",
		"shwo D-1",
		`contact D-1 add "Wang Li" role=handler attitude=supporter`,
		"stage 2",
		"help check",
		"deals",
		// honest records: booking offers s1.s1 (a handler is known), the
		// lifecycle, won below stage 8 asks first (no times of "now" shown)
		"meet D-1 2030-01-07 10:00 place=HQ",
		"meet D-1 move 1 2030-01-08 11:00",
		"meetings D-1",
		"won D-1",
		"won D-1 confirm value=1.1m date=2026-11-30",
		"lost D-1 price",
	}
	for _, cmd := range commands {
		t.Run(cmd, func(t *testing.T) {
			slackOut.reset()
			larkOut.reset()
			drain()
			out := con.Ask(ctx, cmd)
			sendSlack(cmd)
			wait(slackOut.ch, "slack")
			sendLark(cmd)
			wait(larkOut.ch, "lark")
			rec.mu.Lock()
			last := func(p bot.Platform) bot.Reply { rs := rec.replies[p]; return rs[len(rs)-1] }
			cr, sr, lr := last(bot.Console), last(bot.Slack), last(bot.Lark)
			rec.mu.Unlock()
			want := units(cr)
			if len(want) == 0 {
				t.Fatalf("empty console answer: %q", out)
			}
			for p, r := range map[string]bot.Reply{"slack": sr, "lark": lr} {
				if got := units(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s answer differs from the console's:\n--- console\n%s\n--- %s\n%s", p, strings.Join(want, "\n"), p, strings.Join(got, "\n"))
				}
			}
			keys := map[string]bool{"text": true, "content": true}
			for p, raw := range map[string]string{"console": out, "slack": slackOut.all(), "lark": larkOut.all()} {
				var collected []string
				if p == "console" {
					collected = []string{out}
				} else {
					for _, doc := range strings.Split(raw, "\n") {
						var v any
						if json.Unmarshal([]byte(doc), &v) == nil {
							texts(v, keys, &collected)
						}
					}
				}
				shown := norm(strings.Join(collected, " "))
				for _, u := range want {
					if !strings.Contains(shown, u) {
						t.Errorf("%s does not show %q", p, u)
					}
				}
			}
		})
	}
}
