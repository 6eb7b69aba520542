package bot

import (
	"context"

	"github.com/stagecoach/stagecoach/coach"
)

// Post is where an adapter posted a reply: the platform, the team and the
// channel (chat) it landed in, and the ids a later message in the same
// thread carries. Slack: the thread's root ts (the message's own ts when
// it was posted at the top level). Lark: the message_id, and its root_id
// and thread_id when it was a reply.
type Post struct {
	Platform Platform
	Tenant   string
	Channel  string
	Threads  []string
}

// PostRecorder hears where the replies of messages were posted, so a
// message that later follows a deal's card in its thread is a note on the
// deal. *Router implements it; adapters call it after posting.
type PostRecorder interface {
	Posted(ctx context.Context, rep Reply, at Post) error
}

// Posted remembers the thread a reply about a deal landed in (coach
// decides how long). Replies about no deal, errors and ephemeral replies
// (nobody can answer them in a thread) are not remembered.
func (r *Router) Posted(ctx context.Context, rep Reply, at Post) error {
	if rep.Deal == "" || rep.Error || rep.Ephemeral || at.Tenant == "" || len(at.Threads) == 0 {
		return nil
	}
	th := coach.ChatThread{Platform: string(at.Platform), Channel: at.Channel, IDs: at.Threads}
	return r.svc.RememberThread(ctx, at.Tenant, th, rep.Deal)
}

// threadOf is the chat thread msg was written in, most specific id first.
func threadOf(msg Message) coach.ChatThread {
	th := coach.ChatThread{Platform: string(msg.Platform), Channel: msg.Channel}
	for _, id := range []string{msg.ReplyTo, msg.Thread} {
		if id != "" {
			th.IDs = append(th.IDs, id)
		}
	}
	return th
}

// overheard answers a channel message that was not addressed to the bot:
// a note on the deal of the bot's card that started its thread, when
// coach finds it is one; otherwise no reply at all (and no error shown:
// it was not written to the bot).
func (r *Router) overheard(q *Request) (Reply, error) {
	res, err := r.svc.OverheardNote(q.Ctx, q.Actor, threadOf(q.Msg), q.Msg.Text)
	if err != nil {
		LoggerFrom(q.Ctx, r.log).Warn("overheard thread message", "platform", q.Msg.Platform, "tenant", q.Msg.Tenant, "err", err)
		return Reply{}, nil
	}
	if res.Meaning.Deal == nil {
		return Reply{}, nil
	}
	q.Team, q.Member = res.Team, res.Member
	q.Lang = r.lang(q.Msg, res.Team, res.Member)
	q.Loc = r.location(res.Team, res.Member)
	return r.recordNote(q, res.Meaning.Deal.ID, res.Meaning.Text)
}
