package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// Notifier renders coach notices (nudges, reminders, digests) into
// localized replies and delivers them through a Sender. It implements
// coach.Notifier.
type Notifier struct {
	r    *Router
	send Sender
}

var _ coach.Notifier = (*Notifier)(nil)

// NewNotifier returns a Notifier that renders with the router's playbook
// and catalog and delivers through s.
func NewNotifier(r *Router, s Sender) *Notifier { return &Notifier{r: r, send: s} }

// request is a rendering context for a proactive message to user: the
// member's language (else the team's, else the platform's) and timezone.
func (r *Router) requestFor(ctx context.Context, t *coach.Team, user string) *Request {
	m, ok := t.Members[user]
	if !ok {
		m = &coach.Member{ID: user, Role: coach.RoleRep}
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
	return n.deliver(ctx, x.Team, x.To, n.r.nudgeReply(q, x))
}

// Reminder implements coach.Notifier.
func (n *Notifier) Reminder(ctx context.Context, x coach.ReminderNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	return n.deliver(ctx, x.Team, x.To, n.r.reminderReply(q, x))
}

// Digest implements coach.Notifier.
func (n *Notifier) Digest(ctx context.Context, x coach.DigestNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	return n.deliver(ctx, x.Team, x.To, n.r.digestReply(q, x.Digest))
}

func (n *Notifier) deliver(ctx context.Context, t *coach.Team, user string, rep Reply) error {
	if err := n.send.Send(ctx, recipient(t, user), rep); err != nil {
		return fmt.Errorf("send to %s/%s: %w", t.ID, user, err)
	}
	return nil
}

// flagLine explains one flag of a deal.
func (q *Request) flagLine(a coach.Assessment, f coach.Flag) string {
	switch f.Code {
	case coach.FlagStalled:
		return q.T("flag.stalled", "days", strconv.Itoa(f.Days), "stage", q.stageName(f.Stage), "limit", strconv.Itoa(f.Limit))
	case coach.FlagCatchUp, coach.FlagGiveUp:
		return q.T("flag.sync", "sync", q.syncLine(a.Sync))
	case coach.FlagClosePassed:
		return q.T("flag.close_passed", "date", a.Deal.CloseDate, "days", strconv.Itoa(f.Days))
	case coach.FlagNoDecisionMaker, coach.FlagNoSupporter:
		return q.T("flag."+f.Code, "stage", q.stageName(f.Stage))
	case coach.FlagSuccessOverdue:
		return q.T("flag.success_overdue", "stage", q.stageName(f.Stage), "days", strconv.Itoa(f.Days), "limit", strconv.Itoa(f.Limit))
	}
	return f.Code
}

// flagShort is a flag in a few words, for lists.
func (q *Request) flagShort(a coach.Assessment) string {
	var parts []string
	for _, f := range a.Flags {
		s := q.T("flagshort." + f.Code)
		if f.Code == coach.FlagStalled {
			s = q.T("flagshort.stalled", "days", strconv.Itoa(f.Days))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// appendFlags adds the deal's flags (stall rules) to a deal view: the
// cheap check made on every deal a rep touches.
func (r *Router) appendFlags(q *Request, rep *Reply, d *coach.Deal) {
	a := coach.Assess(r.pb, q.Team, d, q.now())
	if !a.Flagged() {
		return
	}
	var lines []string
	for _, f := range a.Flags {
		lines = append(lines, "⚠ "+q.flagLine(a, f))
	}
	rep.Add(Context{Text: strings.Join(lines, "\n")})
}

// nudgeReply is the DM asking an owner to move a flagged deal: why, the
// next item, one question or action, and buttons to tick, snooze or open.
func (r *Router) nudgeReply(q *Request, n coach.NudgeNotice) Reply {
	d := n.Deal
	var rep Reply
	rep.Add(Heading{Text: q.T("nudge.title", "id", d.ID, "name", d.Name)})
	var why []string
	for _, f := range n.Flags {
		why = append(why, "• "+q.flagLine(n.Assessment, f))
	}
	rep.Add(Text{Text: strings.Join(why, "\n")})
	if n.NextItem != "" {
		rep.Add(Text{Text: q.T("nudge.next", "item", q.itemLabel(n.NextItem))})
	}
	switch {
	case n.Question != "":
		if qs, ok := r.pb.Question(n.Question); ok {
			rep.Add(Text{Text: q.T("nudge.ask", "question", qs.Text.In(q.Lang))})
		}
	case n.NextItem != "":
		if it, ok := r.pb.Item(n.NextItem); ok {
			action := it.Detail.In(q.Lang)
			if action == "" {
				action = it.Text.In(q.Lang)
			}
			rep.Add(Text{Text: q.T("nudge.action", "action", action)})
		}
	}
	var btns []Button
	if n.NextItem != "" {
		btns = append(btns, Button{Label: q.T("btn.tick", "item", n.NextItem), Command: "check " + d.ID + " " + n.NextItem, Style: "primary"})
	}
	btns = append(btns,
		Button{Label: q.T("btn.snooze", "for", "1d"), Command: "snooze " + d.ID + " 1d"},
		Button{Label: q.T("btn.snooze", "for", "3d"), Command: "snooze " + d.ID + " 3d"},
		Button{Label: q.T("btn.snooze", "for", "1w"), Command: "snooze " + d.ID + " 1w"},
		Button{Label: q.T("btn.open"), Command: "show " + d.ID},
	)
	rep.Add(Buttons{Items: btns})
	rep.Add(Context{Text: q.T("nudge.hint", "id", d.ID)})
	rep.Summary = q.T("nudge.summary", "id", d.ID, "name", d.Name, "why", q.flagShort(n.Assessment))
	return rep
}

// reminderReply reminds the owner of a meeting, with the prep blocks.
func (r *Router) reminderReply(q *Request, n coach.ReminderNotice) Reply {
	d, m := n.Deal, n.Meeting
	var rep Reply
	key := "reminder.prep"
	if n.Kind == coach.ReminderSoon {
		key = "reminder.soon"
	}
	rep.Add(Heading{Text: q.T(key, "id", d.ID, "name", d.Name)})
	var f []Field
	f = append(f, Field{Label: q.T("reminder.when"), Value: q.fmtTime(m.At)})
	if m.Place != "" {
		f = append(f, Field{Label: q.T("field.place"), Value: m.Place})
	}
	if m.Topic != "" {
		f = append(f, Field{Label: q.T("field.topic"), Value: m.Topic})
	}
	if d.Customer != "" {
		f = append(f, Field{Label: q.T("field.customer"), Value: d.Customer})
	}
	rep.Add(Fields{Items: f})
	rep.Add(r.prepBlocks(q, n)...)
	rep.Summary = q.T(key, "id", d.ID, "name", d.Name) + " · " + q.fmtTime(m.At)
	return rep
}

// prepBlocks is the pre-call preparation shown in a meeting reminder: the
// first screen of `prep` (goal, open items, people, questions), or, if the
// prep cannot be built, where the deal stands with a button to open it.
func (r *Router) prepBlocks(q *Request, n coach.ReminderNotice) []Block {
	d := n.Deal
	if p, err := r.svc.PrepFor(q.Ctx, d); err == nil {
		return r.prepReply(q, p, false).Blocks
	}
	return []Block{
		Text{Text: q.statusLine(n.Progress)},
		Context{Text: q.T("reminder.prep_hint", "id", d.ID)},
		Buttons{Items: []Button{
			{Label: q.T("btn.prep"), Command: "prep " + d.ID, Style: "primary"},
			{Label: q.T("btn.open"), Command: "show " + d.ID},
		}},
	}
}

// digestReply renders a weekly digest: flagged deals by rep, the week's
// moves, the funnel (chart and figures), the out-of-sync deals and the
// process scorecards.
func (r *Router) digestReply(q *Request, d *coach.Digest) Reply {
	var rep Reply
	name := d.Team.Name
	if name == "" {
		name = d.Team.ID
	}
	rep.Add(Heading{Text: q.T("digest.title", "team", name, "from", d.From.In(q.Loc).Format("2006-01-02"), "to", d.To.In(q.Loc).Format("2006-01-02"))})

	// flagged deals, grouped by rep
	rep.Add(Divider{}, Heading{Text: q.T("digest.flagged", "n", strconv.Itoa(len(d.Flagged)))})
	if len(d.Flagged) == 0 {
		rep.Add(Text{Text: q.T("digest.flagged_none")})
	}
	for i := 0; i < len(d.Flagged); {
		owner := d.Flagged[i].Deal.Owner
		var lines []string
		for ; i < len(d.Flagged) && d.Flagged[i].Deal.Owner == owner; i++ {
			a := d.Flagged[i]
			lines = append(lines, q.T("digest.flagged_line", "id", a.Deal.ID, "name", a.Deal.Name,
				"stage", strconv.Itoa(a.Progress.Reached), "days", strconv.Itoa(int(a.Idle.Hours()/24)), "why", q.flagShort(a)))
		}
		rep.Add(Text{Text: "@" + q.memberName(owner) + "\n" + strings.Join(lines, "\n")})
	}

	// moves of the week
	rep.Add(Divider{}, Heading{Text: q.T("digest.moves", "n", strconv.Itoa(len(d.Moves)))})
	if len(d.Moves) == 0 {
		rep.Add(Text{Text: q.T("digest.moves_none")})
	} else {
		var lines []string
		for _, m := range d.Moves {
			lines = append(lines, q.T("digest.move."+m.Kind, "id", m.Deal.ID, "name", m.Deal.Name, "stage", q.stageName(m.Stage), "owner", q.memberName(m.Deal.Owner)))
		}
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}

	// funnel
	rep.Add(Divider{}, Heading{Text: q.T("digest.funnel")})
	if png, err := coach.FunnelChart(d.Funnel); err == nil {
		rep.Add(Image{PNG: png, Title: q.T("digest.chart_title"), Alt: q.T("digest.chart_alt")})
	} else {
		r.log.Warn("funnel chart", "err", err)
	}
	rep.Add(q.funnelBlocks(d.Funnel)...)

	// out of sync
	rep.Add(Divider{}, Heading{Text: q.T("digest.sync", "n", strconv.Itoa(len(d.OutOfSync)))})
	if len(d.OutOfSync) == 0 {
		rep.Add(Text{Text: q.T("digest.sync_none")})
	} else {
		var lines []string
		for _, a := range d.OutOfSync {
			lines = append(lines, a.Deal.ID+" "+a.Deal.Name+" · @"+q.memberName(a.Deal.Owner)+" · "+q.syncLine(a.Sync))
		}
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}

	// scorecards
	rep.Add(Divider{}, Heading{Text: q.T("digest.scorecard")})
	byRep := map[string]coach.RepScore{}
	for _, s := range d.Quarter {
		byRep[s.Rep] = s
	}
	if len(d.Week) == 0 {
		rep.Add(Text{Text: q.T("scorecard.none")})
	}
	for _, w := range d.Week {
		rep.Add(Text{Text: "@" + q.memberName(w.Rep) + "\n" + r.scoreLines(q, w, byRep[w.Rep])})
	}
	rep.Summary = q.T("digest.summary", "team", name, "flagged", strconv.Itoa(len(d.Flagged)), "moves", strconv.Itoa(len(d.Moves)))
	return rep
}
