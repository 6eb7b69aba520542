package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// nudgeCommands pause or stop the nudges of a deal.
func (r *Router) nudgeCommands() []*Command {
	return []*Command{
		{Name: "snooze", Aliases: []string{"暂停提醒", "稍后提醒"}, Usage: "<deal> <1d|3d|1w|off>", Group: "deals",
			Examples: []string{"snooze D-1 3d", "snooze D-1 off"}, Run: r.cmdSnooze},
		{Name: "mute", Aliases: []string{"静音"}, Usage: "<deal>", Group: "deals", Examples: []string{"mute D-1"},
			Run: func(q *Request) (Reply, error) { return r.cmdMute(q, true) }},
		{Name: "unmute", Aliases: []string{"取消静音"}, Usage: "<deal>", Group: "deals", Examples: []string{"unmute D-1"},
			Run: func(q *Request) (Reply, error) { return r.cmdMute(q, false) }},
	}
}

func (r *Router) cmdSnooze(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	w := strings.ToLower(q.Args.Word(1))
	var until time.Time
	switch w {
	case "":
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "duration")
	case "off", "0", "取消":
	default:
		dur, err := ParseDuration(w)
		if err != nil {
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", "duration", "value", w, "expected", "1d, 3d, 1w, 2h, off")
		}
		until = q.now().Add(dur)
	}
	ch, err := r.svc.Snooze(q.Ctx, q.Actor, q.Team, ref, until)
	if err != nil {
		return Reply{}, err
	}
	d := ch.After
	msg := q.T("snooze.off", "id", d.ID)
	if !until.IsZero() {
		msg = q.T("snooze.done", "id", d.ID, "until", q.fmtTime(ch.After.SnoozedUntil))
	}
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

func (r *Router) cmdMute(q *Request, on bool) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	ch, err := r.svc.Mute(q.Ctx, q.Actor, q.Team, ref, on)
	if err != nil {
		return Reply{}, err
	}
	d := ch.After
	key := "mute.off"
	if on {
		key = "mute.on"
	}
	msg := q.T(key, "id", d.ID)
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

// flagLine explains one flag of a deal.
func (q *Request) flagLine(a coach.Assessment, f coach.Flag) string {
	switch f.Code {
	case coach.FlagStalled:
		return q.T("flag.stalled", "days", strconv.Itoa(f.Days), "stage", q.stageName(f.Stage), "limit", strconv.Itoa(f.Limit))
	case coach.FlagCatchUp, coach.FlagGiveUp:
		return q.T("flag."+f.Code, "sync", q.syncLine(a.Sync))
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
	return strings.Join(parts, q.T("flagshort.sep"))
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
