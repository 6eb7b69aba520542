package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
)

// proposalsDeal is the Deal of the proposals checklist: its ticks apply
// proposals of the rep's latest note instead of ticking items.
const proposalsDeal = "~note"

func (r *Router) noteCommands() []*Command {
	return []*Command{
		{Name: "note", Aliases: []string{"备注", "记录"}, Usage: "<deal> <text>", Group: "deals",
			Examples: []string{"note D-1 Met Li Wei, she's the handler; demo on the 8th at 14:00", "备注 远航物流 明天下午两点去拜访王总"}, Run: r.cmdNote},
		{Name: "apply", Aliases: []string{"应用"}, Usage: "[<n>…]", Group: "deals", Examples: []string{"apply", "apply 1 3"}, Run: r.cmdApply},
		{Name: "discard", Aliases: []string{"放弃"}, Group: "deals", Run: r.cmdDiscard},
	}
}

// cmdNote records the note and shows what was read from it.
func (r *Router) cmdNote(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	text := noteText(q.Msg.Text, ref)
	if q.Msg.Action != nil || text == "" {
		// Run from a control (the card's note form): the text is in the
		// arguments, not in the message.
		text = strings.TrimSpace(q.Args.Rest(1))
	}
	return r.recordNote(q, ref, text)
}

// noteText is the note as typed: the message after the command word and
// the deal reference, with its quotes, apostrophes and line breaks.
func noteText(raw, ref string) string {
	raw = strings.TrimSpace(raw)
	// drop the command word
	if i := strings.IndexFunc(raw, unicode.IsSpace); i >= 0 {
		raw = strings.TrimSpace(raw[i:])
	} else {
		return ""
	}
	if j := strings.Index(raw, ref); j >= 0 && j <= 2 {
		raw = raw[j+len(ref):]
		if c, n := utf8.DecodeRuneInString(raw); n > 0 && strings.ContainsRune("\"'”’」』»", c) {
			raw = raw[n:]
		}
	}
	return strings.TrimSpace(raw)
}

// proseNote: a message whose first word is a command but which reads as
// prose about one of the rep's deals is a note (coach decides).
func (r *Router) proseNote(q *Request) (Reply, bool, error) {
	switch q.Cmd.Name {
	case "note", "apply", "discard":
		return Reply{}, false, nil
	}
	if len(q.Args.KV) > 0 || q.Msg.Action != nil {
		return Reply{}, false, nil
	}
	m, err := r.svc.ProseNote(q.Ctx, q.Actor, q.Team, q.Msg.Text)
	if err != nil || m.Deal == nil {
		return Reply{}, err != nil, err
	}
	rep, err := r.recordNote(q, m.Deal.ID, m.Text)
	return rep, true, err
}

func (r *Router) recordNote(q *Request, ref, text string) (Reply, error) {
	res, err := r.svc.RecordNote(q.Ctx, q.Actor, q.Team, ref, text)
	if err != nil {
		return Reply{}, err
	}
	rep := r.proposalsReply(q, res.Reading)
	rep.Blocks = append(rep.Blocks, r.changeTipBlocks(q, res.Change)...)
	return rep, nil
}

// proposalsReply is the card of a note's proposals: a checklist (a tick
// applies that proposal) and Apply / Discard buttons.
func (r *Router) proposalsReply(q *Request, rd *coach.NoteReading) Reply {
	var rep Reply
	done := q.T("note.done", "id", rd.Deal, "name", rd.DealName)
	rep.Summary = done
	rep.Add(Text{Text: done})
	pending := rd.Pending()
	if len(rd.Proposals) == 0 {
		rep.Add(Context{Text: q.T("note.nothing")})
	} else {
		cl := Checklist{Title: q.T("note.proposals"), Deal: proposalsDeal}
		for _, p := range rd.Proposals {
			cl.Items = append(cl.Items, CheckItem{ID: strconv.Itoa(p.N), Label: q.proposalLine(p), Checked: slices.Contains(rd.Applied, p.N), Note: q.proposalNote(p)})
		}
		rep.Add(cl)
		if len(pending) > 0 {
			rep.Add(Buttons{Items: []Button{
				{Label: q.T("note.apply_all", "n", strconv.Itoa(len(pending))), Command: "apply", Style: "primary"},
				{Label: q.T("note.discard"), Command: "discard", Style: "danger"},
			}})
			rep.Add(Context{Text: q.T("note.how")})
		}
	}
	if rd.Notice != "" {
		rep.Add(Context{Text: q.T("note." + rd.Notice)})
	}
	return rep
}

// proposalNote marks the model's proposals and quotes the evidence.
func (q *Request) proposalNote(p coach.Proposal) string {
	ev := "“" + clip(p.Evidence, 140) + "”"
	if p.Source == coach.SourceModel {
		return q.T("note.by_model") + " " + ev
	}
	return ev
}

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// proposalLine says what applying the proposal does.
func (q *Request) proposalLine(p coach.Proposal) string {
	n := strconv.Itoa(p.N) + ". "
	contact := func() string {
		var parts []string
		if p.Role != "" {
			parts = append(parts, q.T("role."+p.Role))
		}
		if p.Attitude != "" {
			parts = append(parts, q.T("attitude."+p.Attitude))
		}
		if p.Title != "" {
			parts = append(parts, p.Title)
		}
		return strings.Join(parts, q.T("note.sep"))
	}
	when := q.fmtTime(p.At)
	if p.NoTime {
		when = p.At.In(q.Loc).Format("2006-01-02") + " " + q.T("note.no_time")
	}
	switch p.Kind {
	case coach.ProposeCheck:
		return n + q.T("prop.check", "item", q.itemLabel(p.Item))
	case coach.ProposeAddContact:
		if c := contact(); c != "" {
			return n + q.T("prop.add_contact_as", "name", p.Name, "what", c)
		}
		return n + q.T("prop.add_contact", "name", p.Name)
	case coach.ProposeEditContact:
		return n + q.T("prop.edit_contact", "name", p.Name, "what", contact())
	case coach.ProposeBookMeeting:
		line := q.T("prop.book_meeting", "when", when, "topic", p.Topic)
		if p.Place != "" {
			line += q.T("prop.place", "place", p.Place)
		}
		return n + line
	case coach.ProposeMoveMeeting:
		return n + q.T("prop.move_meeting", "n", strconv.Itoa(p.Meeting), "topic", p.Topic, "when", when)
	case coach.ProposeCancelMeeting:
		return n + q.T("prop.cancel_meeting", "n", strconv.Itoa(p.Meeting), "topic", p.Topic, "when", q.fmtTime(p.At))
	case coach.ProposeValue:
		return n + q.T("prop.value", "value", FormatMoney(p.Value, p.Currency))
	case coach.ProposeCloseDate:
		return n + q.T("prop.close", "date", p.Date)
	case coach.ProposeBuyerStage:
		return n + q.T("prop.buyer", "stage", q.buyerName(p.Stage))
	case coach.ProposeWon:
		return n + q.T("prop.won")
	case coach.ProposeLost:
		return n + q.T("prop.lost", "reason", coach.LostReason(p))
	case coach.ProposeInfo:
		name, ok := q.infoName(p.Field)
		if !ok {
			name = p.Field
		}
		return n + q.T("prop.info", "field", name, "value", p.Text)
	}
	return n + p.Kind
}

// cmdApply applies all or some proposals of the rep's latest note.
func (r *Router) cmdApply(q *Request) (Reply, error) {
	// during a guided session, `apply` is the session's word (apply its
	// findings); numbers always mean proposals
	if len(q.Args.Words) == 0 {
		if rep, handled, err := r.sessionInput(q); handled || err != nil {
			return rep, err
		}
	}
	var which []int
	for _, w := range q.Args.Words {
		for _, part := range strings.FieldsFunc(w.Value, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			n, err := strconv.Atoi(strings.TrimPrefix(part, "#"))
			if err != nil || n <= 0 {
				return Reply{}, coach.Errf(coach.CodeBadValue, "field", "n", "value", part, "expected", "1 2 3…")
			}
			which = append(which, n)
		}
	}
	return r.apply(q, which, false)
}

func (r *Router) apply(q *Request, which []int, replace bool) (Reply, error) {
	res, err := r.svc.ApplyProposals(q.Ctx, q.Actor, q.Team, which)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	var lines []string
	for _, a := range res.Applied {
		if a.Err != nil {
			lines = append(lines, "✗ "+q.proposalLine(a.Proposal)+" — "+r.errorText(q, a.Err))
			continue
		}
		lines = append(lines, "✓ "+q.proposalLine(a.Proposal))
	}
	switch {
	case len(res.Applied) == 0 && len(res.Already) > 0:
		lines = append(lines, q.T("note.already"))
	case len(res.Applied) == 0:
		lines = append(lines, q.T("note.nothing_to_apply"))
	}
	msg := q.T("note.applied", "id", res.Reading.Deal, "name", res.Reading.DealName)
	rep.Summary = msg
	if replace {
		rep = r.proposalsReply(q, res.Reading)
		rep.Replace = true
		rep.Blocks = append([]Block{Context{Text: strings.Join(lines, "\n")}}, rep.Blocks...)
	} else {
		rep.Add(Text{Text: msg + "\n" + strings.Join(lines, "\n")})
	}
	if res.Check != nil {
		// the ticked items are the ✓ lines above: only what they meant
		if notes := r.tickOutcome(q, *res.Check); len(notes) > 0 {
			rep.Add(Context{Text: strings.Join(notes, "\n")})
		}
	}
	if rest := res.Reading.Pending(); len(rest) > 0 && !replace {
		rep.Add(Context{Text: q.T("note.still_pending", "n", strconv.Itoa(len(rest)))})
	}
	return rep, nil
}

// errorText renders a coded error on one line.
func (r *Router) errorText(q *Request, err error) string {
	ce, ok := coach.AsError(err)
	if !ok {
		return q.T("note.failed")
	}
	kv := make([]string, 0, 2*len(ce.Params))
	for k, v := range ce.Params {
		kv = append(kv, k, v)
	}
	return q.T("err."+ce.Code, kv...)
}

func (r *Router) cmdDiscard(q *Request) (Reply, error) {
	rd, err := r.svc.DiscardProposals(q.Ctx, q.Actor)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("note.discarded", "n", strconv.Itoa(len(rd.Pending())), "id", rd.Deal)
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

// proposalTick applies the proposals just ticked on the card; an untick
// cannot take back an applied proposal.
func (r *Router) proposalTick(q *Request, a *Action) (Reply, error) {
	rd, err := r.svc.Proposals(q.Ctx, q.Actor)
	if err != nil {
		return Reply{}, err
	}
	var which []int
	for _, s := range a.Selected {
		if n, err := strconv.Atoi(s); err == nil && !slices.Contains(rd.Applied, n) {
			which = append(which, n)
		}
	}
	if len(which) == 0 {
		rep := r.proposalsReply(q, rd)
		rep.Replace = true
		rep.Blocks = append([]Block{Context{Text: q.T("note.cannot_untick")}}, rep.Blocks...)
		return rep, nil
	}
	return r.apply(q, which, true)
}

// plainNote treats a message that is no command as a note when coach
// finds the deal it is about, or asks which deal with buttons.
func (r *Router) plainNote(q *Request) (Reply, bool, error) {
	m, err := r.svc.NoteTarget(q.Ctx, q.Actor, q.Team, q.Msg.Text)
	if err != nil {
		return Reply{}, true, err
	}
	switch {
	case m.Deal != nil:
		rep, err := r.recordNote(q, m.Deal.ID, m.Text)
		return rep, true, err
	case len(m.Ask) > 0:
		var rep Reply
		rep.Add(Text{Text: q.T("note.which_deal")})
		var bs []Button
		for _, d := range m.Ask {
			bs = append(bs, Button{Label: d.ID + " " + d.Name, Command: "note " + d.ID + " " + m.Text})
		}
		rep.Add(Buttons{Items: bs})
		rep.Summary = q.T("note.which_deal")
		return rep, true, nil
	}
	return Reply{}, false, nil
}

// teamLLM turns the language model on or off for the team's notes.
func (r *Router) teamLLM(q *Request) (Reply, error) {
	var on bool
	switch w := strings.ToLower(q.Args.Word(1)); w {
	case "on", "开", "开启":
		on = true
	case "off", "关", "关闭":
	default:
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "llm", "value", w, "expected", "on|off")
	}
	if _, err := r.svc.SetTeamLLM(q.Ctx, q.Actor, on); err != nil {
		return Reply{}, err
	}
	msg := q.T("note.llm_off")
	if on {
		msg = q.T("note.llm_on")
	}
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}
