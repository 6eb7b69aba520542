package lark

import (
	"context"
	"slices"
	"sync"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/stagecoach/stagecoach/bot"
)

// Threads. A reply about a deal (Reply.Deal: a deal card, a note's
// proposals, a confirmation) is reported to the bot.PostRecorder with the
// ids a later reply to it will carry: the card's message_id (a quote reply
// has it as parent_id, and as root_id when the card started the chain),
// and the card's own root_id and thread_id when it was itself a reply (in
// a group the bot answers by replying to the user's message). An incoming
// message carries its parent_id (ReplyTo) and its root_id, else thread_id
// (Thread); coach looks them up in that order, so a reply to an older card
// in a chain follows that card.
//
// In groups, a reply that does not @mention the bot comes in as Overheard
// (answered only when it follows one of the bot's deal cards) when Lark
// delivers it at all: that needs the im:message.group_msg permission
// ("read all messages in groups"); without it, @mention the bot in the
// reply. A group message that is no reply and does not mention the bot is
// dropped, as before.

// sentLog collects where the cards of one reply landed; post (send.go)
// reports each one.
type sentLog struct {
	mu      sync.Mutex
	chat    string
	threads []string
}

type sentLogKey struct{}

func withSentLog(ctx context.Context) (context.Context, *sentLog) {
	l := &sentLog{}
	return context.WithValue(ctx, sentLogKey{}, l), l
}

// logSent records a message the OpenAPI created in chat (the response's
// chat_id when given) with its ids, when ctx carries a sentLog.
func logSent(ctx context.Context, chat string, chatID, id, root, thread *string) {
	l, _ := ctx.Value(sentLogKey{}).(*sentLog)
	if l == nil || larkcore.StringValue(id) == "" {
		return
	}
	if c := larkcore.StringValue(chatID); c != "" {
		chat = c
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.chat == "" {
		l.chat = chat
	}
	if chat != l.chat {
		return
	}
	for _, s := range []*string{id, root, thread} {
		if v := larkcore.StringValue(s); v != "" && !slices.Contains(l.threads, v) {
			l.threads = append(l.threads, v)
		}
	}
}

func (l *sentLog) post() (string, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.chat, slices.Clone(l.threads)
}

// postRecorder is cfg's recorder, else the handler when it is one (the
// bare router in tests), else none.
func postRecorder(rec bot.PostRecorder, h bot.Handler) bot.PostRecorder {
	if rec != nil {
		return rec
	}
	rec, _ = h.(bot.PostRecorder)
	return rec
}

// deliverReply delivers the reply to in and, when it is about a deal,
// reports where it landed.
func (a *Adapter) deliverReply(ctx context.Context, in incoming, rep bot.Reply, idem string) error {
	t := a.target(in)
	if rep.Deal == "" || a.posts == nil {
		return a.deliver(ctx, t, rep, idem)
	}
	sctx, l := withSentLog(ctx)
	err := a.deliver(sctx, t, rep, idem)
	a.reportSent(ctx, in.msg, rep, l)
	return err
}

// postReply posts the cards of rep (the answer to a click on a card) and,
// when rep is about a deal, reports where they landed.
func (a *Adapter) postReply(ctx context.Context, msg bot.Message, t target, cards []Card, rep bot.Reply, idem string) error {
	if rep.Deal == "" || a.posts == nil {
		return a.post(ctx, t, cards, idem)
	}
	sctx, l := withSentLog(ctx)
	err := a.post(sctx, t, cards, idem)
	a.reportSent(ctx, msg, rep, l)
	return err
}

// reportSent tells the recorder where the cards in l landed.
func (a *Adapter) reportSent(ctx context.Context, msg bot.Message, rep bot.Reply, l *sentLog) {
	chat, threads := l.post()
	if len(threads) == 0 {
		return
	}
	at := bot.Post{Platform: bot.Lark, Tenant: msg.Tenant, Channel: chat, Threads: threads}
	if err := a.posts.Posted(ctx, rep, at); err != nil {
		a.log.Warn("remember thread", "event_id", msg.EventID, "err", err)
	}
}

// isReply reports whether a message answers another one (a quote reply
// or a message in a topic).
func isReply(m *larkim.EventMessage) bool {
	return larkcore.StringValue(m.ParentId) != "" || larkcore.StringValue(m.RootId) != "" || larkcore.StringValue(m.ThreadId) != ""
}

// threadRoot is the root of the message's thread: root_id, else thread_id.
func threadRoot(m *larkim.EventMessage) string {
	if r := larkcore.StringValue(m.RootId); r != "" {
		return r
	}
	return larkcore.StringValue(m.ThreadId)
}
