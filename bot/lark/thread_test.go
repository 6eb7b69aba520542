package lark

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

// threadAPI is a fake OpenAPI that answers as Lark does about threads: a
// created message is a root; a reply gets parent_id = the message replied
// to and root_id = that message's root (or the message itself).
type threadAPI struct {
	srv  *httptest.Server
	mu   sync.Mutex
	n    int
	root map[string]string // message → its root ("" for a root)
	chat map[string]string // message → chat
	sent []threadSent
}

type threadSent struct {
	id, chat, replyTo, root, content string
}

func newThreadAPI(t *testing.T) *threadAPI {
	f := &threadAPI{root: map[string]string{}, chat: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "ok", "tenant_access_token": "t-test", "expire": 7200})
	})
	send := func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ReceiveID string `json:"receive_id"`
			Content   string `json:"content"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		f.mu.Lock()
		f.n++
		s := threadSent{id: "om_bot" + strconv.Itoa(f.n), content: body.Content}
		data := map[string]any{"message_id": s.id}
		if parent := r.PathValue("id"); parent != "" {
			s.replyTo, s.chat = parent, f.chat[parent]
			if s.chat == "" {
				s.chat = "oc_group"
			}
			s.root = f.root[parent]
			if s.root == "" {
				s.root = parent
			}
			data["parent_id"], data["root_id"] = parent, s.root
		} else {
			s.chat = body.ReceiveID
			if strings.HasPrefix(s.chat, "ou_") {
				s.chat = "oc_p2p" // as Lark answers a send to an open_id: the p2p chat
			}
		}
		data["chat_id"] = s.chat
		f.root[s.id], f.chat[s.id] = s.root, s.chat
		f.sent = append(f.sent, s)
		f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"code": 0, "msg": "success", "data": data})
	}
	mux.HandleFunc("POST /open-apis/im/v1/messages", send)
	mux.HandleFunc("POST /open-apis/im/v1/messages/{id}/reply", send)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"code": 404, "msg": "no route " + r.Method + " " + r.URL.Path})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// user records a message a user wrote (so replies to it get its root).
func (f *threadAPI) user(id, chat, root string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.root[id], f.chat[id] = root, chat
}

func (f *threadAPI) last() threadSent {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) == 0 {
		return threadSent{}
	}
	return f.sent[len(f.sent)-1]
}

func (f *threadAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

type signalPosts struct {
	next bot.PostRecorder
	done chan bot.Post
}

func (s *signalPosts) Posted(ctx context.Context, rep bot.Reply, at bot.Post) error {
	err := s.next.Posted(ctx, rep, at)
	s.done <- at
	return err
}

type threadFixture struct {
	t     *testing.T
	bot   *bottest.Env
	api   *threadAPI
	posts *signalPosts
	srv   *httptest.Server
	a     *Adapter
	n     int
}

func newThreadFixture(t *testing.T) *threadFixture {
	f := &threadFixture{t: t, bot: bottest.New(t), api: newThreadAPI(t)}
	f.bot.Team = "tk_1"
	f.posts = &signalPosts{next: f.bot.Router, done: make(chan bot.Post, 16)}
	for _, text := range []string{`new "Acme ERP" customer=Acme`, `new "Globex CRM" customer=Globex`} {
		rep, err := f.bot.Router.Handle(context.Background(), bot.Message{Platform: bot.Lark, Tenant: "tk_1", User: "ou_user", UserName: "Li", Text: text, Locale: "en", Direct: true})
		if err != nil || rep.Error {
			t.Fatalf("%s: %v %+v", text, err, rep)
		}
	}
	pool := bot.NewPool(1, 32, wait, nil)
	a, err := New(Config{
		AppID: "cli_thread_" + strings.ReplaceAll(t.Name(), "/", "_"), AppSecret: "secret",
		Mode: ModeWebhook, EncryptKey: testKey, VerificationToken: testToken,
		BaseURL: f.api.srv.URL, BotOpenID: testBot, Locale: "en", Posts: f.posts,
	}, f.bot.Router, f.bot.Store, pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	f.a = a
	mux := http.NewServeMux()
	a.Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// say posts an encrypted, signed message event: id in chat (p2p or
// group), replying to parent with root (both "" for a new message),
// mentioning the bot or not.
func (f *threadFixture) say(id, chatType, chat, parent, root, text string, mention bool) {
	f.t.Helper()
	f.n++
	f.api.user(id, chat, root)
	content, _ := json.Marshal(map[string]string{"text": text})
	m := map[string]any{"message_id": id, "chat_id": chat, "chat_type": chatType, "message_type": "text", "content": string(content)}
	if mention {
		m["mentions"] = []any{botMention()}
		m["content"] = mustJSON(map[string]string{"text": "@_user_1 " + text})
	}
	if parent != "" {
		m["parent_id"], m["root_id"] = parent, root
	}
	ev := map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": "ev_thread_" + strconv.Itoa(f.n), "event_type": "im.message.receive_v1", "tenant_key": "tk_1",
			"token": testToken, "app_id": "cli_test", "create_time": "1700000000000"},
		"event": map[string]any{
			"sender":  map[string]any{"sender_id": map[string]any{"open_id": "ou_user"}, "sender_type": "user", "tenant_key": "tk_1"},
			"message": m,
		},
	}
	plain, _ := json.Marshal(ev)
	f.deliver(plain, id)
}

// deliver posts plain to the webhook, encrypted and signed.
func (f *threadFixture) deliver(plain []byte, id string) {
	f.t.Helper()
	body := encrypt(f.t, plain, testKey)
	h := http.Header{}
	sign(h, body, time.Now(), testKey)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/lark/events", strings.NewReader(string(body)))
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("event %s: status %d", id, resp.StatusCode)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (f *threadFixture) posted() bot.Post {
	f.t.Helper()
	select {
	case at := <-f.posts.done:
		return at
	case <-time.After(wait):
		f.t.Fatal("no reply about a deal was posted")
		return bot.Post{}
	}
}

const threadNote = "met Li Wei, she's the handler; demo next Tuesday at 3pm"

// TestThreadReplyIsNoteOnCardsDeal: in a group the bot answers "@bot show
// D-1" with a card replying to the user's message; a reply to that card,
// without a mention, is a note on D-1. In a direct chat a quote reply to
// the card is a note on its deal. A reply to an older card of a chain
// follows that card; chatter outside the bot's threads gets no answer.
func TestThreadReplyIsNoteOnCardsDeal(t *testing.T) {
	f := newThreadFixture(t)

	f.say("om_u1", "group", "oc_group", "", "", "show D-1", true)
	at := f.posted()
	card1 := f.api.last()
	if card1.replyTo != "om_u1" || !strings.Contains(card1.content, "D-1") {
		t.Fatalf("card: %+v", card1)
	}
	if at.Channel != "oc_group" || strings.Join(at.Threads, ",") != card1.id+",om_u1" {
		t.Fatalf("posted at %+v, want oc_group [%s om_u1]", at, card1.id)
	}

	t.Run("group reply to the card", func(t *testing.T) {
		f.say("om_u2", "group", "oc_group", card1.id, "om_u1", threadNote, false)
		f.posted()
		if p := f.api.last(); p.replyTo != "om_u2" || !strings.Contains(p.content, "D-1") || !strings.Contains(p.content, "Li Wei") {
			t.Errorf("answer: %+v", p)
		}
		if notes := f.bot.Deal("D-1").Notes; len(notes) != 1 || notes[0].Text != threadNote {
			t.Fatalf("D-1 notes = %+v", notes)
		}
	})

	t.Run("p2p quote reply to the card", func(t *testing.T) {
		f.say("om_u3", "p2p", "oc_p2p", "", "", "show D-2", false)
		card := f.posted()
		if card.Channel != "oc_p2p" || len(card.Threads) != 1 {
			t.Fatalf("p2p card posted at %+v", card)
		}
		f.say("om_u4", "p2p", "oc_p2p", card.Threads[0], card.Threads[0], "call went well, they want a quote", false)
		f.posted()
		if notes := f.bot.Deal("D-2").Notes; len(notes) != 1 || notes[0].Text != "call went well, they want a quote" {
			t.Fatalf("D-2 notes = %+v", notes)
		}
	})

	t.Run("a reply follows the card it answers", func(t *testing.T) {
		// D-2's card in the same chain: the chain's root now follows D-2,
		// but a reply to D-1's card is still about D-1
		f.say("om_u5", "group", "oc_group", card1.id, "om_u1", "show D-2", true)
		f.posted()
		f.say("om_u6", "group", "oc_group", card1.id, "om_u1", "Li Wei confirmed the budget owner is the CFO, she supports us", false)
		f.posted()
		if n := len(f.bot.Deal("D-1").Notes); n != 2 {
			t.Errorf("D-1 has %d notes, want 2", n)
		}
		if n := len(f.bot.Deal("D-2").Notes); n != 1 {
			t.Errorf("D-2 has %d notes, want 1", n)
		}
	})

	t.Run("a card posted after a click", func(t *testing.T) {
		f.deliver(cardEvent("cb_thread_1", map[string]any{"tag": "button", "value": map[string]any{"cmd": "show D-2"}}), "cb")
		at := f.posted()
		card := f.api.last()
		if at.Channel != "oc_chat" || card.replyTo != "" || !strings.Contains(card.content, "D-2") {
			t.Fatalf("clicked card %+v posted at %+v", card, at)
		}
		f.say("om_u10", "group", "oc_chat", card.id, card.id, "they asked for a discount, pricing call on Friday", false)
		f.posted()
		if notes := f.bot.Deal("D-2").Notes; len(notes) != 2 || !strings.Contains(notes[1].Text, "discount") {
			t.Fatalf("D-2 notes = %+v", notes)
		}
	})

	t.Run("chatter outside the bot's threads", func(t *testing.T) {
		before := f.api.count()
		f.say("om_u7", "group", "oc_group", "om_x", "om_x", threadNote, false) // a thread without a card
		f.say("om_u8", "group", "oc_group", "", "", threadNote, false)         // no reply, no mention
		// one worker: once this is answered, those were handled
		f.say("om_u9", "p2p", "oc_p2p", "", "", "show D-1", false)
		f.posted()
		if n := f.api.count() - before; n != 1 {
			t.Errorf("%d messages sent, want only the p2p card", n)
		}
		if n := len(f.bot.Deal("D-1").Notes); n != 2 {
			t.Errorf("D-1 has %d notes, want 2", n)
		}
	})
}

// TestThreadOfNudge: a nudge about a deal, sent to the rep by the
// notifier, ties its thread to the deal: a quote reply to it is a note on
// that deal.
func TestThreadOfNudge(t *testing.T) {
	f := newThreadFixture(t)
	ctx := context.Background()
	team, err := f.bot.Store.GetTeam(ctx, "tk_1")
	if err != nil {
		t.Fatal(err)
	}
	n := bot.NewNotifier(f.bot.Router, f.a)
	if err := n.Nudge(ctx, coach.NudgeNotice{Team: team, To: "ou_user", Assessment: coach.Assessment{Deal: f.bot.Deal("D-2")}}); err != nil {
		t.Fatal(err)
	}
	at := f.posted()
	if at.Channel != "oc_p2p" || len(at.Threads) != 1 {
		t.Fatalf("nudge posted at %+v", at)
	}
	f.say("om_u9", "p2p", "oc_p2p", at.Threads[0], at.Threads[0], "called them back, they want a quote by Friday", false)
	f.posted()
	if notes := f.bot.Deal("D-2").Notes; len(notes) != 1 || notes[0].Text != "called them back, they want a quote by Friday" {
		t.Fatalf("D-2 notes = %+v", notes)
	}
}
