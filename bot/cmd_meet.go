package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

func (r *Router) meetCommands() []*Command {
	return []*Command{
		// Usage holds the words before a sub-command; booking (no
		// sub-command) is spelled out in the summary and the first example.
		{Name: "meet", Aliases: []string{"约见", "会议"}, Usage: "<deal>", Group: "deals", SubArg: 1,
			Examples: []string{`meet D-1 2026-12-03 14:00 place="Acme HQ" topic="first visit"`}, Run: r.cmdMeet, FromForm: meetFromForm,
			Sub: []*Command{
				{Name: "held", Aliases: []string{"已举行", "举行"}, Usage: "<n> [outcome=…] [next=…]", Examples: []string{`meet D-1 held 1 outcome="agreed on a pilot" next="send the draft"`}, Run: r.meetHeld},
				{Name: "cancel", Aliases: []string{"取消"}, Usage: "<n>", Examples: []string{"meet D-1 cancel 2"}, Run: r.meetCancel},
				{Name: "move", Aliases: []string{"改期"}, Usage: "<n> <YYYY-MM-DD HH:MM>", Examples: []string{"meet D-1 move 2 2026-12-10 15:00"}, Run: r.meetMove},
			}},
		{Name: "meetings", Aliases: []string{"会谈列表", "会议列表"}, Usage: "<deal>", Group: "deals", Examples: []string{"meetings D-1"}, Run: r.cmdMeetings},
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
	key := "meet.done"
	if m.Status == coach.MeetingHeld {
		key = "meet.done_held" // a time in the past: a held meeting, not a booking
	}
	rep := r.changedCard(q, ch, key, "when", q.fmtTime(m.At))
	r.addMeetingOffers(q, &rep, ch.After, *m)
	return rep, nil
}

// meetingNumber reads the meeting number at word i.
func meetingNumber(q *Request, i int) (int, error) {
	w := strings.TrimPrefix(q.Args.Word(i), "#")
	if w == "" {
		return 0, coach.Errf(coach.CodeMissingArg, "arg", "n")
	}
	n, err := strconv.Atoi(w)
	if err != nil || n < 1 {
		return 0, coach.Errf(coach.CodeBadValue, "field", "n", "value", w, "expected", "1, 2, …")
	}
	return n, nil
}

func onlyKeys(a Args, known ...string) error {
	for _, kv := range a.KV {
		if !slices.Contains(known, kv.Key) {
			return coach.Errf(coach.CodeUnknownField, "field", kv.Key).WithSuggestions(known...)
		}
	}
	return nil
}

// meetHeld: `meet <deal> held <n> [outcome=…] [next=…]`.
func (r *Router) meetHeld(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	n, err := meetingNumber(q, 2)
	if err != nil {
		return Reply{}, err
	}
	if err := onlyKeys(q.Args, "outcome", "next"); err != nil {
		return Reply{}, err
	}
	outcome, _ := q.Args.Get("outcome")
	next, _ := q.Args.Get("next")
	if outcome == "" {
		outcome = q.Args.Rest(3)
	}
	ch, err := r.svc.MeetingHeld(q.Ctx, q.Actor, q.Team, d.ID, n, outcome, next)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "meet.held.done", "n", strconv.Itoa(n))
	m, _ := findMeetingIn(ch.After, n)
	if m.Outcome == "" {
		rep.Add(Context{Text: q.T("meet.ask_outcome", "id", d.ID, "n", strconv.Itoa(n))})
	}
	r.addMeetingOffers(q, &rep, ch.After, m)
	return rep, nil
}

// meetCancel: `meet <deal> cancel <n>`.
func (r *Router) meetCancel(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	n, err := meetingNumber(q, 2)
	if err != nil {
		return Reply{}, err
	}
	ch, err := r.svc.CancelMeeting(q.Ctx, q.Actor, q.Team, d.ID, n)
	if err != nil {
		return Reply{}, err
	}
	return r.changedCard(q, ch, "meet.cancel.done", "n", strconv.Itoa(n)), nil
}

// meetMove: `meet <deal> move <n> <YYYY-MM-DD HH:MM>`.
func (r *Router) meetMove(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	n, err := meetingNumber(q, 2)
	if err != nil {
		return Reply{}, err
	}
	when := strings.TrimSpace(q.Args.Word(3) + " " + q.Args.Word(4))
	if when == "" {
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "YYYY-MM-DD HH:MM")
	}
	at, err := ParseMeetingTime(when, q.Loc)
	if err != nil {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "time", "value", when, "expected", "YYYY-MM-DD HH:MM")
	}
	ch, err := r.svc.MoveMeeting(q.Ctx, q.Actor, q.Team, d.ID, n, at)
	if err != nil {
		return Reply{}, err
	}
	return r.changedCard(q, ch, "meet.move.done", "n", strconv.Itoa(n), "when", q.fmtTime(at)), nil
}

// cmdMeetings: `meetings <deal>`.
func (r *Router) cmdMeetings(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	d, ms, err := r.svc.Meetings(q.Ctx, q.Actor, q.Team, d.ID)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	rep.Ephemeral = true
	rep.Add(Heading{Text: q.T("meetings.title", "id", d.ID, "name", d.Name)})
	if len(ms) == 0 {
		rep.Add(Text{Text: q.T("meetings.none", "id", d.ID)})
		return rep, nil
	}
	var lines []string
	var btns []Button
	for _, m := range ms {
		lines = append(lines, q.meetingLine(m))
		if m.Status == coach.MeetingBooked && len(btns) < 4 {
			n := strconv.Itoa(m.ID)
			btns = append(btns, Button{Label: q.T("meet.btn.held", "n", n), Command: "meet " + d.ID + " held " + n},
				Button{Label: q.T("meet.btn.cancel", "n", n), Command: "meet " + d.ID + " cancel " + n})
		}
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	if len(btns) > 0 {
		rep.Add(Buttons{Items: btns})
	}
	rep.Add(Context{Text: q.T("meetings.hint", "id", d.ID)})
	return rep, nil
}

// meetingLine is "#1 2026-12-03 14:00 · HQ · first visit — held · outcome: … · next: …".
func (q *Request) meetingLine(m coach.Meeting) string {
	parts := []string{"#" + strconv.Itoa(m.ID) + " " + q.fmtTime(m.At)}
	for _, s := range []string{m.Place, m.Topic} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	s := strings.Join(parts, " · ")
	status := q.T("meeting.status." + m.StatusAt(q.now()))
	if m.Overdue(q.now()) {
		status = q.T("meeting.overdue")
	}
	s += " — " + status
	if m.Outcome != "" {
		s += " · " + q.T("meeting.outcome", "text", m.Outcome)
	}
	if m.Next != "" {
		s += " · " + q.T("meeting.next", "text", m.Next)
	}
	return s
}

func findMeetingIn(d *coach.Deal, n int) (coach.Meeting, bool) {
	for _, m := range d.Meetings {
		if m.ID == n {
			return m, true
		}
	}
	return coach.Meeting{}, false
}

// addMeetingOffers offers, as one-tap buttons, the checklist items the
// meeting evidences (coach.MeetingOffers); nothing is ticked until tapped.
func (r *Router) addMeetingOffers(q *Request, rep *Reply, d *coach.Deal, m coach.Meeting) {
	offers := r.svc.MeetingOffers(d, m)
	if len(offers) == 0 {
		return
	}
	var lines []string
	var btns []Button
	for _, id := range offers {
		lines = append(lines, "• "+q.itemLabel(id))
		btns = append(btns, Button{Label: q.T("meet.btn.tick", "item", id), Command: "check " + d.ID + " " + id})
	}
	if len(offers) > 1 {
		btns = append(btns, Button{Label: q.T("meet.btn.tick_all"), Command: "check " + d.ID + " " + strings.Join(offers, " "), Style: "primary"})
	}
	rep.Add(Context{Text: q.T("meet.offer") + "\n" + strings.Join(lines, "\n")}, Buttons{Items: btns})
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
