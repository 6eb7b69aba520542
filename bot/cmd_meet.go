package bot

import (
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

func (r *Router) meetCommands() []*Command {
	return []*Command{
		{Name: "meet", Aliases: []string{"约见", "会议"}, Usage: "<deal> <YYYY-MM-DD HH:MM> [place=…] [topic=…]", Group: "deals",
			Examples: []string{`meet D-1 2026-12-03 14:00 place="Acme HQ" topic="first visit"`}, Run: r.cmdMeet, FromForm: meetFromForm},
	}
}

func (r *Router) cmdMeet(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	when := strings.TrimSpace(q.Args.Word(1) + " " + q.Args.Word(2))
	if when == "" && q.Form == nil {
		d, err := r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
		if err != nil {
			return Reply{}, err
		}
		return r.meetForm(q, d), nil
	}
	at, err := ParseMeetingTime(when, q.Loc)
	if err != nil {
		field := "time"
		if q.Form != nil && !coach.ValidDate(q.Args.Word(1)) {
			field = "date" // the form has a field of its own for the date
		}
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", field, "value", when, "expected", "YYYY-MM-DD HH:MM")
	}
	place, _ := q.Args.Get("place")
	topic, _ := q.Args.Get("topic")
	if topic == "" {
		topic = q.Args.Rest(3)
	}
	ch, m, err := r.svc.AddMeeting(q.Ctx, q.Actor, q.Team, ref, at, place, topic)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "meet.done", "when", q.fmtTime(m.At))
	if at.Before(q.now()) {
		rep.Blocks = append([]Block{Context{Text: q.T("meet.past")}}, rep.Blocks...)
	}
	return rep, nil
}

// meetFromForm turns the meeting form into the arguments of `meet`:
// <deal> <date> <time> place=… topic=….
func meetFromForm(a *Action) (Args, bool) {
	if a.Form != "meet" {
		return Args{}, false
	}
	args := formArgs(a.Values, "date", "time")
	args.Words = []Token{{Value: a.Deal}, {Value: strings.TrimSpace(a.Values["date"])}, {Value: strings.TrimSpace(a.Values["time"])}}
	return args, true
}

// meetForm asks for a meeting's time, place and topic.
func (r *Router) meetForm(q *Request, d *coach.Deal) Reply {
	f := Form{ID: "meet", Deal: d.ID, Title: q.T("form.meet.title", "id", d.ID), Submit: q.T("form.submit"), Command: "meet " + d.ID,
		Fields: []FormField{
			{Key: "date", Label: q.T("field.date"), Kind: "date", Required: true},
			{Key: "time", Label: q.T("field.time"), Kind: "time", Required: true, Hint: "14:30"},
			{Key: "place", Label: q.T("field.place"), Kind: "text"},
			{Key: "topic", Label: q.T("field.topic"), Kind: "long"},
		}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
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
