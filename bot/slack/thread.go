package slack

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/slack-go/slack/slackevents"

	"github.com/stagecoach/stagecoach/bot"
)

// Threads. A reply about a deal (Reply.Deal: a deal card, a note's
// proposals, a confirmation) posted with chat.postMessage is reported to
// the bot.PostRecorder with the thread it started or joined: the message's
// thread_ts, or its own ts when it was posted at the top level. A later
// message in that thread (thread_ts = that ts) is then a note on the deal,
// as coach decides. Replies on response_url (slash commands, most button
// clicks) have no ts to report.
//
// In channels the bot hears, besides app_mention, plain thread replies
// (message.channels / message.groups / message.mpim) that do not mention
// it: they come in as Overheard messages and are answered only when their
// thread follows one of the bot's deal cards. Messages outside threads and
// those that mention the bot (app_mention has them) are dropped here.

// postLog collects where the messages of one reply landed; post (send.go)
// reports each one.
type postLog struct {
	mu      sync.Mutex
	channel string
	threads []string
}

type postLogKey struct{}

func withPostLog(ctx context.Context) (context.Context, *postLog) {
	pl := &postLog{}
	return context.WithValue(ctx, postLogKey{}, pl), pl
}

// logPost records a message posted to channel (in thread, "" at the top
// level) as ts, when ctx carries a postLog.
func logPost(ctx context.Context, channel, thread, ts string) {
	pl, _ := ctx.Value(postLogKey{}).(*postLog)
	if pl == nil || ts == "" {
		return
	}
	root := thread
	if root == "" {
		root = ts
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.channel == "" {
		pl.channel = channel
	}
	if channel == pl.channel && !slices.Contains(pl.threads, root) {
		pl.threads = append(pl.threads, root)
	}
}

func (pl *postLog) post() (string, []string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.channel, slices.Clone(pl.threads)
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

// deliverReply delivers the reply to msg and, when it is about a deal,
// reports where it landed.
func (a *Adapter) deliverReply(ctx context.Context, msg bot.Message, o origin, r bot.Reply, locale string) error {
	if r.Deal == "" || a.posts == nil {
		return a.deliver(ctx, o, r, locale)
	}
	pctx, pl := withPostLog(ctx)
	err := a.deliver(pctx, o, r, locale)
	if err == nil && r.Replace && !o.command && o.messageTS != "" && o.channel != "" && !o.home {
		// the clicked message now shows this deal (a card sent on a
		// response_url is known by its ts only once it is clicked)
		logPost(pctx, o.channel, o.thread, o.messageTS)
	}
	if channel, threads := pl.post(); len(threads) > 0 {
		at := bot.Post{Platform: bot.Slack, Tenant: msg.Tenant, Channel: channel, Threads: threads}
		if perr := a.posts.Posted(ctx, r, at); perr != nil {
			a.log.Warn("remember thread", "team", msg.Tenant, "channel", channel, "err", perr)
		}
	}
	return err
}

// channelMessage translates a message event from a channel, private
// channel or group DM: only a person's reply in a thread that does not
// mention the bot (those come as app_mention) is passed on, as Overheard.
// Without the bot's user id no mention can be told apart: nothing is.
func (a *Adapter) channelMessage(team string, e *slackevents.MessageEvent, me string) (bot.Message, origin, bool) {
	if e.SubType != "" && e.SubType != "thread_broadcast" || e.BotID != "" || e.User == "" || me == "" || e.User == me {
		return bot.Message{}, origin{}, false
	}
	if e.ThreadTimeStamp == "" || e.ThreadTimeStamp == e.TimeStamp || strings.Contains(e.Text, "<@"+me) {
		return bot.Message{}, origin{}, false
	}
	msg := bot.Message{
		Platform: bot.Slack, Tenant: team, User: e.User, Channel: e.Channel,
		Thread: e.ThreadTimeStamp, Text: strings.TrimSpace(e.Text), Overheard: true,
	}
	return msg, origin{team: team, user: e.User, channel: e.Channel, thread: e.ThreadTimeStamp}, true
}
