package bot

import (
	"context"
	"fmt"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// proactiveRequest is requestFor with an optional language override.
func (r *Router) proactiveRequest(ctx context.Context, team *coach.Team, user string, lang playbook.Lang) *Request {
	q := r.requestFor(ctx, team, user)
	if lang != "" {
		q.Lang = lang
	}
	return q
}

// MultiSender routes a proactive message to the Sender of the recipient's
// platform, and to Fallback (e.g. the console printer) when that platform
// has none configured.
type MultiSender struct {
	By       map[Platform]Sender
	Fallback Sender
}

// Send implements Sender.
func (m *MultiSender) Send(ctx context.Context, to Recipient, r Reply) error {
	if s, ok := m.By[to.Platform]; ok && s != nil {
		return s.Send(ctx, to, r)
	}
	if m.Fallback == nil {
		return errNoSender(to.Platform)
	}
	return m.Fallback.Send(ctx, to, r)
}

type errNoSender Platform

func (e errNoSender) Error() string { return "bot: no sender for platform " + string(e) }

// Notifier renders coach notices (nudges, reminders, digests) into
// localized replies and delivers them through a Sender. It implements
// coach.Notifier.
type Notifier struct {
	r    *Router
	send Sender
}

var (
	_ coach.Notifier      = (*Notifier)(nil)
	_ coach.AlertNotifier = (*Notifier)(nil)
)

// NewNotifier returns a Notifier that renders with the router's playbook
// and catalog and delivers through s.
func NewNotifier(r *Router, s Sender) *Notifier { return &Notifier{r: r, send: s} }

// request is a rendering context for a proactive message to user: the
// member's language (else the team's, else the platform's) and timezone.
func (r *Router) requestFor(ctx context.Context, t *coach.Team, user string) *Request {
	m, ok := t.Members[user]
	if !ok {
		m = &coach.Member{ID: user}
	}
	msg := Message{Platform: Platform(t.Platform), Tenant: t.ID, User: user}
	return &Request{
		Ctx: ctx, Msg: msg, Team: t, Member: m, r: r,
		Actor: coach.Actor{Team: t.ID, User: user, Platform: t.Platform},
		Lang:  r.lang(msg, t, m),
		Loc:   r.location(t, m),
	}
}

func recipient(t *coach.Team, user string) Recipient {
	p := Platform(t.Platform)
	if p == "" {
		p = Console
	}
	return Recipient{Platform: p, Tenant: t.ID, User: user}
}

// Nudge implements coach.Notifier.
func (n *Notifier) Nudge(ctx context.Context, x coach.NudgeNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	rep := n.r.nudgeReply(q, x)
	if x.Deal != nil {
		rep.Deal = x.Deal.ID // a reply in its thread is a note on the deal
	}
	return n.deliver(ctx, q, rep)
}

// Reminder implements coach.Notifier.
func (n *Notifier) Reminder(ctx context.Context, x coach.ReminderNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	rep := n.r.reminderReply(q, x)
	if x.Deal != nil {
		rep.Deal = x.Deal.ID // a reply in its thread is a note on the deal
	}
	return n.deliver(ctx, q, rep)
}

// Digest implements coach.Notifier.
func (n *Notifier) Digest(ctx context.Context, x coach.DigestNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	return n.deliver(ctx, q, n.r.digestReply(q, x.Digest))
}

// Alert implements coach.AlertNotifier.
func (n *Notifier) Alert(ctx context.Context, x coach.AlertNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	return n.deliver(ctx, q, n.r.alertReply(q, x))
}

// deliver sends rep to the request's user, in the user's language (so an
// adapter writes its own strings, e.g. Lark's buttons, in it too).
func (n *Notifier) deliver(ctx context.Context, q *Request, rep Reply) error {
	rep.Lang = string(q.Lang)
	t, user := q.Team, q.Actor.User
	if err := n.send.Send(ctx, recipient(t, user), rep); err != nil {
		return fmt.Errorf("send to %s/%s: %w", t.ID, user, err)
	}
	return nil
}
