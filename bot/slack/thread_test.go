package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

// threadPost is one chat.postMessage the fake Slack answered.
type threadPost struct {
	channel, thread, ts, text, blocks string
}

// threadSlack is slacktest with a chat.postMessage that hands out a new
// ts per message (as Slack does) and records each post.
type threadSlack struct {
	srv   *slacktest.Server
	mu    sync.Mutex
	n     int
	posts []threadPost
}

func newThreadSlack(t *testing.T) *threadSlack {
	f := &threadSlack{}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			v, _ := url.ParseQuery(string(body))
			f.mu.Lock()
			f.n++
			p := threadPost{channel: v.Get("channel"), thread: v.Get("thread_ts"), ts: "1700000000.00" + strconv.Itoa(1000+f.n), text: v.Get("text"), blocks: v.Get("blocks")}
			f.posts = append(f.posts, p)
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"channel":"`+p.channel+`","ts":"`+p.ts+`"}`)
		})
		c.Handle("/chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			v, _ := url.ParseQuery(string(body))
			f.mu.Lock()
			f.posts = append(f.posts, threadPost{channel: v.Get("channel"), thread: v.Get("thread_ts"), ts: "ephemeral", text: v.Get("text")})
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"message_ts":"1.1"}`)
		})
		c.Handle("/response/1", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			f.posts = append(f.posts, threadPost{ts: "response_url", text: string(body)})
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		})
		c.Handle("/conversations.open", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"channel":{"id":"D1"}}`)
		})
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"user":{"id":"U1","name":"ann","profile":{"display_name":"Ann"}}}`)
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *threadSlack) all() []threadPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]threadPost(nil), f.posts...)
}

// signalPosts passes Posted on to the router and says when it returned.
type signalPosts struct {
	next bot.PostRecorder
	done chan bot.Post
}

func (s *signalPosts) Posted(ctx context.Context, rep bot.Reply, at bot.Post) error {
	err := s.next.Posted(ctx, rep, at)
	s.done <- at
	return err
}

// threadEnv is the real router and store behind the Slack adapter, with
// one worker so deliveries are handled in order.
type threadEnv struct {
	t     *testing.T
	bot   *bottest.Env
	slack *threadSlack
	posts *signalPosts
	mux   *http.ServeMux
	a     *Adapter
	n     int
}

func newThreadEnv(t *testing.T) *threadEnv {
	t.Helper()
	e := &threadEnv{t: t, bot: bottest.New(t), slack: newThreadSlack(t)}
	e.posts = &signalPosts{next: e.bot.Router, done: make(chan bot.Post, 16)}
	for _, text := range []string{`new "Acme ERP" customer=Acme`, `new "Globex CRM" customer=Globex`} {
		rep, err := e.bot.Router.Handle(context.Background(), bot.Message{Platform: bot.Slack, Tenant: "T1", User: "U1", UserName: "Ann", Text: text, Direct: true})
		if err != nil || rep.Error {
			t.Fatalf("%s: %v %+v", text, err, rep)
		}
	}
	pool := bot.NewPool(1, 64, 10*time.Second, nil)
	a, err := New(Config{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: e.slack.srv.GetAPIURL(),
		ChannelInterval: -1, HTTPClient: &http.Client{Timeout: 5 * time.Second}, Posts: e.posts,
	}, e.bot.Router, e.bot.Store, pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.mux = http.NewServeMux()
	e.a = a
	a.Register(e.mux)
	t.Cleanup(func() {
		_ = pool.Close(context.Background())
		_ = a.Close(context.Background())
	})
	return e
}

// send delivers one inner event through the signed Events API handler.
func (e *threadEnv) send(inner string) {
	e.t.Helper()
	e.n++
	req := signedRequest("/slack/events", jsonType, []byte(callback("EvT"+strconv.Itoa(e.n), inner)), testSecret, time.Now())
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		e.t.Fatalf("event: status %d", w.Code)
	}
}

// posted waits for the next reply about a deal to be remembered.
func (e *threadEnv) posted() bot.Post {
	e.t.Helper()
	select {
	case at := <-e.posts.done:
		return at
	case <-time.After(10 * time.Second):
		e.t.Fatal("no reply about a deal was posted")
		return bot.Post{}
	}
}

func event(typ, channelType, channel, user, text, ts, thread string) string {
	m := map[string]string{"type": typ, "channel": channel, "user": user, "text": text, "ts": ts}
	if channelType != "" {
		m["channel_type"] = channelType
	}
	if thread != "" {
		m["thread_ts"] = thread
	}
	b, _ := json.Marshal(m)
	return string(b)
}

const threadNote = "met Li Wei, she's the handler; demo next Tuesday at 3pm"

// TestThreadReplyIsNoteOnCardsDeal: the bot posts D-1's card after an
// @mention; a plain reply in the card's thread, naming no deal and not
// mentioning the bot, is a note on D-1 answered with its proposals in the
// thread. A reply naming another deal follows the named one; chatter in a
// thread the bot never posted a card in gets no answer and records nothing.
func TestThreadReplyIsNoteOnCardsDeal(t *testing.T) {
	e := newThreadEnv(t)

	e.send(event("app_mention", "", "C1", "U1", "<@UBOT> show D-1", "100.1", ""))
	at := e.posted()
	posts := e.slack.all()
	if len(posts) != 1 || posts[0].channel != "C1" || posts[0].thread != "" || !strings.Contains(posts[0].text, "D-1") {
		t.Fatalf("card posts: %+v", posts)
	}
	card := posts[0].ts
	if at.Channel != "C1" || len(at.Threads) != 1 || at.Threads[0] != card || at.Tenant != "T1" {
		t.Fatalf("posted at %+v, want C1 thread %s", at, card)
	}

	t.Run("reply in the card's thread", func(t *testing.T) {
		e.send(event("message", "channel", "C1", "U1", threadNote, "101.1", card))
		e.posted()
		posts := e.slack.all()
		p := posts[len(posts)-1]
		if p.channel != "C1" || p.thread != card {
			t.Fatalf("proposals posted to %s/%s, want the card's thread C1/%s", p.channel, p.thread, card)
		}
		if !strings.Contains(p.text, "D-1") || !strings.Contains(p.blocks, "Li Wei") {
			t.Errorf("reply is not D-1's note proposals: text %q blocks %.300s", p.text, p.blocks)
		}
		notes := e.bot.Deal("D-1").Notes
		if len(notes) != 1 || notes[0].Text != threadNote || notes[0].By != "U1" {
			t.Fatalf("D-1 notes = %+v, want the thread reply", notes)
		}
		if n := len(e.bot.Deal("D-2").Notes); n != 0 {
			t.Errorf("D-2 has %d notes", n)
		}
	})

	t.Run("naming another deal follows the named one", func(t *testing.T) {
		e.send(event("message", "channel", "C1", "U1", "Globex: met Wang Fang, she is the decision maker", "102.1", card))
		e.posted()
		if notes := e.bot.Deal("D-2").Notes; len(notes) != 1 || !strings.Contains(notes[0].Text, "Wang Fang") {
			t.Fatalf("D-2 notes = %+v", notes)
		}
		if n := len(e.bot.Deal("D-1").Notes); n != 1 {
			t.Errorf("D-1 has %d notes, want 1", n)
		}
	})

	t.Run("other threads and strangers are not notes", func(t *testing.T) {
		before := len(e.slack.all())
		// a thread no card of the bot started, a stranger in the card's
		// thread, a top-level channel message, and a thread reply that
		// mentions the bot (app_mention has it) are all left alone
		e.send(event("message", "channel", "C1", "U1", threadNote, "103.1", "99.9"))
		e.send(event("message", "channel", "C1", "U7", threadNote, "103.2", card))
		e.send(event("message", "channel", "C1", "U1", threadNote, "103.3", ""))
		e.send(event("message", "channel", "C1", "U1", "<@UBOT> "+threadNote, "103.4", card))
		// one worker: once this DM is answered, those were handled
		e.send(event("message", "im", "D1", "U1", "show D-2", "104.1", ""))
		e.posted()
		posts := e.slack.all()[before:]
		if len(posts) != 1 || posts[0].channel != "D1" {
			t.Fatalf("posts after chatter: %+v, want only the DM's card", posts)
		}
		if n := len(e.bot.Deal("D-1").Notes); n != 1 {
			t.Errorf("D-1 has %d notes, want 1", n)
		}
		if team, err := e.bot.Store.GetTeam(context.Background(), "T1"); err != nil || team.Members["U7"] != nil {
			t.Error("a stranger's chatter made them a member")
		}
	})

	t.Run("a command in the thread still runs", func(t *testing.T) {
		e.send(event("app_mention", "", "C1", "U1", "<@UBOT> show D-2", "105.1", card))
		at := e.posted()
		p := e.slack.all()[len(e.slack.all())-1]
		if p.thread != card || !strings.Contains(p.text, "D-2") || len(at.Threads) != 1 || at.Threads[0] != card {
			t.Fatalf("show D-2 in the thread: %+v at %+v", p, at)
		}
		// the thread now follows D-2's card
		e.send(event("message", "channel", "C1", "U1", "called Wang Fang, pricing review on Friday", "106.1", card))
		e.posted()
		if n := len(e.bot.Deal("D-2").Notes); n != 2 {
			t.Errorf("D-2 has %d notes, want 2 (the thread follows the latest card)", n)
		}
	})
}

// TestThreadDMReply: in a DM, a reply in the thread of the bot's card is
// a note on its deal; a bare "ok" there is not.
func TestThreadDMReply(t *testing.T) {
	e := newThreadEnv(t)
	e.send(event("message", "im", "D1", "U1", "show D-2", "200.1", ""))
	card := e.posted().Threads[0]
	e.send(event("message", "im", "D1", "U1", "ok", "200.2", card))
	e.send(event("message", "im", "D1", "U1", "call went well, they want a quote", "200.3", card))
	e.posted()
	notes := e.bot.Deal("D-2").Notes
	if len(notes) != 1 || notes[0].Text != "call went well, they want a quote" {
		t.Fatalf("D-2 notes = %+v", notes)
	}
	posts := e.slack.all()
	if p := posts[len(posts)-1]; p.channel != "D1" || p.thread != card || !strings.Contains(p.text, "D-2") {
		t.Errorf("proposals %+v, want in the card's DM thread", p)
	}
}

// TestThreadOfClickedCard: a card sent on a response_url has no ts the bot
// learns; once a control on it is used and the reply replaces it, its
// thread follows the deal.
func TestThreadOfClickedCard(t *testing.T) {
	e := newThreadEnv(t)
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"},
		"channel": map[string]any{"id": "C1"}, "response_url": e.slack.srv.GetAPIURL() + "response/1",
		"container": map[string]any{"type": "message", "message_ts": "555.5", "channel_id": "C1"},
		"actions": []any{map[string]any{
			"type": "static_select", "block_id": "b2", "action_id": "sel:0",
			"selected_option": map[string]any{"value": "buyer D-1 3", "text": map[string]any{"type": "plain_text", "text": "3"}},
		}},
	}
	b, _ := json.Marshal(payload)
	req := signedRequest("/slack/interactivity", formType, []byte(url.Values{"payload": {string(b)}}.Encode()), testSecret, time.Now())
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("interaction: %d", w.Code)
	}
	at := e.posted()
	if at.Channel != "C1" || len(at.Threads) != 1 || at.Threads[0] != "555.5" {
		t.Fatalf("replaced card posted at %+v, want C1 555.5", at)
	}
	e.send(event("message", "channel", "C1", "U1", threadNote, "556.1", "555.5"))
	e.posted()
	if n := len(e.bot.Deal("D-1").Notes); n != 1 {
		t.Errorf("D-1 has %d notes, want the thread reply", n)
	}
}

// TestThreadOfNudge: a nudge about a deal, sent to the rep's DM by the
// notifier, ties its thread to the deal: the rep's reply in that thread is
// a note on it.
func TestThreadOfNudge(t *testing.T) {
	e := newThreadEnv(t)
	ctx := context.Background()
	team, err := e.bot.Store.GetTeam(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	n := bot.NewNotifier(e.bot.Router, e.a)
	if err := n.Nudge(ctx, coach.NudgeNotice{Team: team, To: "U1", Assessment: coach.Assessment{Deal: e.bot.Deal("D-2")}}); err != nil {
		t.Fatal(err)
	}
	at := e.posted()
	if at.Channel != "D1" || len(at.Threads) != 1 {
		t.Fatalf("nudge posted at %+v", at)
	}
	e.send(event("message", "im", "D1", "U1", "called them back, they want a quote by Friday", "300.2", at.Threads[0]))
	e.posted()
	notes := e.bot.Deal("D-2").Notes
	if len(notes) != 1 || notes[0].Text != "called them back, they want a quote by Friday" {
		t.Fatalf("D-2 notes = %+v", notes)
	}
	if len(e.bot.Deal("D-1").Notes) != 0 {
		t.Fatal("the reply went to another deal")
	}
}
