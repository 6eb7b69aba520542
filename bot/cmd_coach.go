package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// coachCommands: guided questioning. The session words are
// sub-commands of `coach` (`coach D-1 next`); while a session is active
// they also work alone (see sessionInput).
func (r *Router) coachCommands() []*Command {
	subs := []*Command{
		{Name: coach.SessionNeeds, Aliases: []string{"need", "需求"}, Run: r.cmdStartSession},
		{Name: coach.SessionPhone, Aliases: []string{"call", "电话", "电话邀约"}, Run: r.cmdStartSession},
		{Name: coach.SessionBudget, Aliases: []string{"预算"}, Run: r.cmdStartSession},
		{Name: coach.SessionProcess, Aliases: []string{"purchase", "流程", "采购流程"}, Run: r.cmdStartSession},
	}
	for _, op := range sessionOps {
		c := *op
		c.Run = r.cmdSessionWord
		subs = append(subs, &c)
	}
	return []*Command{
		{Name: "coach", Aliases: []string{"辅导"}, Usage: "<deal>", Group: "coaching", SubArg: 1, Sub: subs,
			Examples: []string{"coach D-1 needs", "coach D-1 phone", "coach D-1 budget", "coach D-1 process", "coach D-1 stop"}, Run: r.cmdCoach},
	}
}

// Session operations. Their words count only while a session is active
// (free text that is no command goes to sessionInput), so they never
// collide with the global commands.
const (
	opNext    = string(coach.OpNext)
	opTense   = string(coach.OpTense)
	opSkip    = string(coach.OpSkip)
	opBack    = string(coach.OpBack)
	opStop    = string(coach.OpStop)
	opStatus  = string(coach.OpStatus)
	opConfirm = string(coach.OpConfirm)
	opCorrect = string(coach.OpCorrect)
	opApply   = string(coach.OpApply)
	opUndo    = string(coach.OpUndo)
)

// maxButtonCommand bounds a button's command text (Slack allows 2000
// characters in a button value); longer offers are left to `apply`.
const maxButtonCommand = 1900

// sessionOps are the session words (a sub-command's name is its
// operation), in English and Chinese. They are not listed in the usage
// line of `coach`: they only make sense inside a running session.
var sessionOps = []*Command{
	{Name: opNext, Aliases: []string{"n", "下一步", "继续"}, Hidden: true},
	{Name: opTense, Aliases: []string{"紧张", "客户紧张"}, Hidden: true},
	{Name: opSkip, Aliases: []string{"跳过"}, Hidden: true},
	{Name: opBack, Aliases: []string{"返回", "上一步"}, Hidden: true},
	{Name: opStop, Aliases: []string{"end", "quit", "结束", "停止"}, Hidden: true},
	{Name: opStatus, Aliases: []string{"where", "状态", "进度"}, Hidden: true},
	{Name: opConfirm, Aliases: []string{"confirm", "确认", "已确认"}, Hidden: true},
	{Name: opCorrect, Aliases: []string{"correction", "更正", "纠正"}, Usage: "<text>", Hidden: true},
	{Name: opApply, Aliases: []string{"应用", "采纳"}, Hidden: true},
	{Name: opUndo, Aliases: []string{"撤销"}, Hidden: true},
}

// sessionWords maps what a rep may type (lower case) to an operation,
// built from sessionOps.
var sessionWords = func() map[string]string {
	m := map[string]string{}
	for _, c := range sessionOps {
		for _, w := range append([]string{c.Name}, c.Aliases...) {
			m[strings.ToLower(w)] = c.Name
		}
	}
	return m
}()

// cmdSessionWord is `coach <deal> <session word> …`: it acts on the
// deal's session.
func (r *Router) cmdSessionWord(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	text := strings.TrimSpace(q.Args.Rest(1))
	for _, kv := range q.Args.KV {
		text += " " + kv.String()
	}
	return r.sessionDo(q, ref, text)
}

// splitSessionOp finds the session operation a text is: a session word
// alone ("next"), or the correction word with its text ("correct the cause
// is X", "更正 成本太高", "更正:成本太高"). Anything else is an answer.
func splitSessionOp(text string) (op, rest string) {
	text = strings.TrimSpace(text)
	word, after := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, after = text[:i], text[i:]
	}
	if o, ok := sessionWords[strings.ToLower(strings.TrimLeft(word, "/!"))]; ok {
		// Only `correct` takes an argument: "end users complain" or "back
		// office is slow" are answers, not the words end and back.
		if after = strings.TrimSpace(after); o == opCorrect || after == "" {
			return o, after
		}
	}
	for _, w := range []string{"更正", "纠正"} {
		// "更正:…" — but not "更正规的流程", an answer that merely starts so
		if r, ok := strings.CutPrefix(text, w); ok && (strings.HasPrefix(r, ":") || strings.HasPrefix(r, "：")) {
			return opCorrect, strings.TrimSpace(strings.TrimLeft(r, ":："))
		}
	}
	return "", text
}

// sessionInput treats free text as the customer's answer (or a session
// word) while a guided session is active; handled is false when no session
// applies. With several live sessions the most recently updated one is
// used.
func (r *Router) sessionInput(q *Request) (rep Reply, handled bool, err error) {
	sess, _, err := r.svc.ActiveSession(q.Ctx, q.Actor, q.Team, "")
	if err != nil {
		if ce, ok := coach.AsError(err); ok && ce.Code == coach.CodeNoSession {
			return Reply{}, false, nil
		}
		return Reply{}, true, err
	}
	rep, err = r.sessionDo(q, sess.Deal, q.Msg.Text)
	return rep, true, err
}

// cmdCoach: `coach <deal> [needs|phone|budget|process]` starts a session;
// `coach <deal> <session word> …` acts on the deal's session; `coach`
// alone shows the running one.
func (r *Router) cmdCoach(q *Request) (Reply, error) {
	ref := q.Args.Word(0)
	if ref == "" {
		sess, d, err := r.svc.ActiveSession(q.Ctx, q.Actor, q.Team, "")
		if err != nil {
			if ce, ok := coach.AsError(err); ok && ce.Code == coach.CodeNoSession {
				return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "deal")
			}
			return Reply{}, err
		}
		return r.sessionView(q, sess, d, ""), nil
	}
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	w := strings.ToLower(q.Args.Word(1))
	if w == "" {
		sess, d2, err := r.svc.ActiveSession(q.Ctx, q.Actor, q.Team, d.ID)
		if err == nil {
			return r.sessionView(q, sess, d2, ""), nil
		}
		return r.coachMenu(q, d), nil
	}
	return Reply{}, coach.Errf(coach.CodeBadValue, "field", "kind", "value", w, "expected", strings.Join(q.Cmd.SubNames(), "|"))
}

// cmdStartSession is `coach <deal> needs|phone|budget|process`.
func (r *Router) cmdStartSession(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	return r.startSession(q, ref, q.Cmd.Name)
}

// coachMenu offers the session kinds for a deal.
func (r *Router) coachMenu(q *Request, d *coach.Deal) Reply {
	var rep Reply
	rep.Add(Heading{Text: q.T("session.menu", "id", d.ID, "name", d.Name)})
	var lines []string
	var btns []Button
	// the sessions that fit the deal now come first (coach decides which)
	fit := coach.FitSessions(r.pb, d)
	kinds := append([]string(nil), fit...)
	for _, k := range coach.SessionKinds {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		line, style := "• "+q.T("session.kind."+k)+" — "+q.T("session.kinddesc."+k), ""
		if slices.Contains(fit, k) {
			line, style = "★ "+q.T("session.kind."+k)+" — "+q.T("session.kinddesc."+k), "primary"
		}
		lines = append(lines, line)
		btns = append(btns, Button{Label: q.T("session.kind." + k), Command: "coach " + d.ID + " " + k, Style: style})
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")}, Buttons{Items: btns})
	rep.Summary = q.T("session.menu", "id", d.ID, "name", d.Name)
	return rep
}

func (r *Router) startSession(q *Request, ref, kind string) (Reply, error) {
	sess, d, prev, err := r.svc.StartSession(q.Ctx, q.Actor, q.Team, ref, kind)
	if err != nil {
		return Reply{}, err
	}
	note := q.T("session.started", "kind", q.T("session.kind."+kind), "id", d.ID)
	if prev != nil {
		note += " " + q.T("session.replaced", "kind", q.T("session.kind."+prev.Kind))
	}
	rep := r.sessionView(q, sess, d, note)
	if kind == coach.SessionNeeds {
		// need discovery is the s2 visit: suggest the cases to tell (s2.p4)
		if cases, err := r.svc.Cases(q.Ctx, q.Actor); err == nil {
			if ms := coach.MatchCases(cases, d, 3); len(ms) > 0 {
				var names []string
				for _, m := range ms {
					names = append(names, m.Case.ID+" "+m.Case.Title)
				}
				rep.Add(Context{Text: q.T("session.cases", "list", strings.Join(names, "; "))})
			}
		}
	}
	return rep, nil
}

// sessionDo applies one message to the session on deal: bot parses the
// words, coach runs the workflow.
func (r *Router) sessionDo(q *Request, deal, text string) (Reply, error) {
	op, rest := splitSessionOp(text)
	in := coach.SessionInput{Op: coach.SessionOp(op), Text: rest}
	if in.Op == coach.OpAnswer {
		in.Text = strings.TrimLeft(strings.TrimSpace(text), "-•·* ")
		in.Meeting, in.MeetingErr = r.proposedMeeting(q, in.Text)
	}
	st, err := r.svc.SessionInput(q.Ctx, q.Actor, q.Team, deal, in)
	if err != nil {
		return Reply{}, err
	}
	if st.Ended != nil {
		return r.sessionEnded(q, *st.Ended), nil
	}
	sess, d := st.Session, st.Deal
	note := ""
	switch st.Note {
	case "":
	case coach.NoteUndone:
		note = q.T("session.undone", "point", st.Point)
	case coach.NoteConfirmed:
		note = q.T("session.confirmed_note", "step", q.techName(st.Step))
	case coach.NoteRecorded:
		note = q.T("session.recorded", "n", strconv.Itoa(len(sess.AllPoints(sess.CurrentStep()))))
	default:
		note = q.T("session." + st.Note)
	}
	if m := st.Booked; m != nil {
		note = strings.TrimSpace(note + " " + q.T("meet.done", "id", sess.Deal, "when", q.fmtTime(m.At)))
	}
	if in.Op == coach.OpAnswer && sess.Phase != coach.PhaseDone {
		// a recorded answer: a short reply, the rep is mid-conversation
		return r.sessionCompact(q, sess, d, note), nil
	}
	return r.sessionView(q, sess, d, note), nil
}

// sessionCompact acknowledges a recorded answer: the step and what is
// recorded so far, without repeating the questions.
func (r *Router) sessionCompact(q *Request, s *coach.Session, d *coach.Deal, note string) Reply {
	var rep Reply
	head := r.sessionHead(q, s, d)
	rep.Add(Context{Text: note + " · " + head})
	rep.Summary = note
	r.pointsBlocks(q, &rep, s)
	rep.Add(q.sessionButtons(s, d.ID))
	rep.Add(Context{Text: q.sessionHint(s)})
	return rep
}

func (r *Router) sessionHead(q *Request, s *coach.Session, d *coach.Deal) string {
	head := q.T("session.head", "id", d.ID, "kind", q.T("session.kind."+s.Kind), "n", strconv.Itoa(s.Step+1), "total", strconv.Itoa(len(coach.SessionSteps(s.Kind))), "step", q.techName(s.CurrentStep()))
	if s.Phased() {
		head += " · " + q.T("session.phase."+s.Phase)
	}
	return head
}

// pointsBlocks lists the step's recorded answers and, in a phone
// session, the meeting agreed.
func (r *Router) pointsBlocks(q *Request, rep *Reply, s *coach.Session) {
	step := s.CurrentStep()
	if pts := s.AllPoints(step); len(pts) > 0 {
		var lines []string
		for i, p := range pts {
			if i == len(s.Points[step]) {
				lines = append(lines, q.T("session.points_control"))
			}
			lines = append(lines, strconv.Itoa(i+1)+") "+p)
		}
		rep.Add(Text{Text: q.T("session.points") + "\n" + strings.Join(lines, "\n")})
	}
	if at, place, topic, ok := s.Meeting(); ok {
		rep.Add(Text{Text: q.T("session.meeting_agreed", "when", q.fmtTime(at), "place", place, "topic", topic)})
	}
}

// proposedMeeting reads a meeting from an answer ("2026-12-03 14:00
// place=HQ topic=demo"): nil when the answer does not start with a date,
// an error when it does but the time is invalid. Coach decides whether
// the session's step takes a meeting.
func (r *Router) proposedMeeting(q *Request, text string) (*coach.ProposedMeeting, error) {
	a := Split(Tokenize(text))
	if len(a.Words) < 2 || !coach.ValidDate(a.Word(0)) {
		return nil, nil
	}
	when := a.Word(0) + " " + a.Word(1)
	at, err := ParseMeetingTime(when, q.Loc)
	if err != nil {
		return nil, coach.Errf(coach.CodeBadValue, "field", "time", "value", when, "expected", "YYYY-MM-DD HH:MM")
	}
	place, _ := a.Get("place")
	topic, ok := a.Get("topic")
	if !ok {
		topic = a.Rest(2)
	}
	return &coach.ProposedMeeting{At: at, Place: place, Topic: topic}, nil
}

// techName is "nd.1 Cause".
func (q *Request) techName(id string) string {
	if t, ok := q.r.pb.Technique(id); ok {
		return t.ID + " " + t.Name.In(q.Lang)
	}
	return id
}

func (q *Request) techText(id string) string {
	if t, ok := q.r.pb.Technique(id); ok {
		return t.Text.In(q.Lang)
	}
	return ""
}

// stepQuestions are the open questions of a session step: the step's own
// (oq.nd.1.*), else its family's (oq.bp.*) on the family's first step.
func (r *Router) stepQuestions(s *coach.Session, step string) []playbook.Technique {
	if qs := r.pb.QuestionsFor(step); len(qs) > 0 {
		return qs
	}
	if s.Step == 0 {
		fam, _, _ := strings.Cut(step, ".")
		return r.pb.QuestionsFor(fam)
	}
	return nil
}

// sessionView shows where the session stands and what to ask now.
func (r *Router) sessionView(q *Request, s *coach.Session, d *coach.Deal, note string) Reply {
	var rep Reply
	if note != "" {
		rep.Add(Context{Text: note})
	}
	if s.Phase == coach.PhaseDone {
		return r.sessionDone(q, s, d, rep)
	}
	step := s.CurrentStep()
	head := r.sessionHead(q, s, d)
	rep.Add(Heading{Text: head})
	rep.Summary = head
	switch {
	case s.Phased() && s.Phase == coach.PhaseControl:
		rep.Add(Text{Text: r.controlText(q, s, step)})
	case s.Phased() && s.Phase == coach.PhaseConfirm:
		sum := s.Summary(step)
		if sum == "" {
			rep.Add(Text{Text: q.T("session.confirm_empty")})
		} else {
			rep.Add(Text{Text: q.T("session.confirm_intro") + "\n“" + q.T("session.confirm."+step, "summary", sum) + "”"})
		}
	default:
		var lines []string
		if !s.Phased() {
			lines = append(lines, q.techText(step))
		} else {
			lines = append(lines, q.T("session.open_intro"))
		}
		qs := r.stepQuestions(s, step)
		for i, t := range qs {
			if i == 3 {
				break
			}
			lines = append(lines, "• "+t.Text.In(q.Lang))
		}
		if step == "bp.2" {
			lines = append(lines, "• "+r.budgetTiers(q, d))
		}
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}
	r.pointsBlocks(q, &rep, s)
	var rem []string
	if t, ok := r.pb.Technique(step); ok {
		for _, id := range t.Reminders { // the playbook's rules for this step
			rem = append(rem, id+" "+q.techText(id))
		}
	}
	if s.Phased() && s.Phase == coach.PhaseControl {
		rem = append(rem, "q.control "+q.techText("q.control"))
	}
	if len(rem) > 0 {
		rep.Add(Context{Text: q.T("session.remember") + "\n" + strings.Join(rem, "\n")})
	}
	rep.Add(q.sessionButtons(s, d.ID))
	rep.Add(Context{Text: q.sessionHint(s)})
	return rep
}

// sessionHint lists what the rep can type now.
func (q *Request) sessionHint(s *coach.Session) string {
	step := s.CurrentStep()
	switch {
	case s.Phased() && s.Phase == coach.PhaseConfirm:
		return q.T("session.hint.confirm")
	case s.Phased() && s.Phase == coach.PhaseControl:
		return q.T("session.hint.control")
	case step == "ph.3":
		return q.T("session.hint.meeting")
	case s.Phased():
		return q.T("session.hint.open")
	}
	return q.T("session.hint.steps")
}

// controlText builds the control questions of a step from the rep's own
// recorded points ("Is it mainly A, B or C?") and the method's examples.
func (r *Router) controlText(q *Request, s *coach.Session, step string) string {
	var lines []string
	ch := s.ControlChoices(step)
	switch len(ch) {
	case 0:
		lines = append(lines, q.T("session.control.none"))
	case 1:
		lines = append(lines, "• "+q.T("session.control.one."+step, "a", ch[0]))
	default:
		list := strings.Join(ch[:len(ch)-1], q.T("session.comma")) + q.T("session.or") + ch[len(ch)-1]
		lines = append(lines, "• "+q.T("session.control.choice."+step, "choices", list))
	}
	for _, t := range coach.ControlExamples(r.pb, step) {
		lines = append(lines, "• "+t.Text.In(q.Lang))
	}
	if step == "nd.3" {
		lines = append(lines, "• "+q.T("session.control.offer"))
	}
	return q.T("session.control_intro") + "\n" + strings.Join(lines, "\n")
}

// budgetTiers is bp.2's tier question, sized from the deal's value when
// known.
func (r *Router) budgetTiers(q *Request, d *coach.Deal) string {
	if d.Value <= 0 {
		return q.T("session.tiers_generic")
	}
	lo, hi := d.Value/2, d.Value
	return q.T("session.tiers", "low", q.money(lo, d.Currency), "high", q.money(hi, d.Currency))
}

// sessionDone shows what the session found and offers to record it.
func (r *Router) sessionDone(q *Request, s *coach.Session, d *coach.Deal, rep Reply) Reply {
	head := q.T("session.done_head", "id", d.ID, "kind", q.T("session.kind."+s.Kind))
	rep.Add(Heading{Text: head})
	rep.Summary = head
	o := s.Outcome(r.pb, d, q.now())
	r.outcomeBlocks(q, &rep, d.ID, o, true)
	return rep
}

// outcomeBlocks lists a session's findings with the commands that record
// them; inSession adds the session's own apply and stop words.
func (r *Router) outcomeBlocks(q *Request, rep *Reply, deal string, o coach.SessionOutcome, inSession bool) {
	if o.Empty() {
		rep.Add(Text{Text: q.T("session.nothing_found")})
		if inSession {
			rep.Add(Buttons{Items: []Button{{Label: q.T("session.btn.stop"), Command: "coach " + deal + " stop"}}})
		}
		return
	}
	var lines []string
	for _, kv := range o.Info {
		lines = append(lines, "• "+kv[0]+" = "+kv[1])
	}
	for _, id := range o.Items {
		lines = append(lines, "• ✓? "+q.itemLabel(id))
	}
	for _, c := range o.Contacts {
		lines = append(lines, "• "+q.T("session.contact_found", "name", c))
	}
	if o.Form != "" {
		lines = append(lines, "• "+q.T("session.form_offer", "tool", o.Form))
	}
	rep.Add(Text{Text: q.T("session.found") + "\n" + strings.Join(lines, "\n")})
	var btns []Button
	if inSession {
		btns = append(btns, Button{Label: q.T("session.btn.apply"), Command: "coach " + deal + " apply", Style: "primary"})
	}
	if len(o.Items) > 0 {
		btns = append(btns, Button{Label: q.T("session.btn.check"), Command: "check " + deal + " " + strings.Join(o.Items, " ")})
	}
	if len(o.Info) > 0 {
		var kv []string
		for _, x := range o.Info {
			kv = append(kv, x[0]+"="+quoteArg(x[1]))
		}
		if cmd := "info " + deal + " " + strings.Join(kv, " "); len(cmd) <= maxButtonCommand {
			btns = append(btns, Button{Label: q.T("session.btn.info"), Command: cmd})
		}
	}
	for _, c := range o.Contacts {
		btns = append(btns, Button{Label: q.T("session.btn.contact", "name", c), Command: "contact " + deal + " add " + quoteArg(c)})
	}
	if o.Form != "" {
		var kv []string
		for _, x := range o.FormValues {
			kv = append(kv, x[0]+"="+quoteArg(x[1]))
		}
		cmd := strings.TrimSpace("form " + deal + " " + o.Form + " " + strings.Join(kv, " "))
		if len(cmd) > maxButtonCommand {
			cmd = "form " + deal + " " + o.Form
		}
		btns = append(btns, Button{Label: q.T("session.btn.form", "tool", o.Form), Command: cmd})
	}
	if inSession {
		btns = append(btns, Button{Label: q.T("session.btn.stop"), Command: "coach " + deal + " stop"})
	}
	rep.Add(Buttons{Items: btns})
	if inSession {
		rep.Add(Context{Text: q.T("session.hint.done")})
	}
}

// sessionEnded confirms the end of a session and what was recorded.
func (r *Router) sessionEnded(q *Request, res coach.SessionResult) Reply {
	var rep Reply
	deal := res.Session.Deal
	msg := q.T("session.stopped", "id", deal, "kind", q.T("session.kind."+res.Session.Kind))
	if res.Applied {
		msg = q.T("session.applied", "id", deal, "n", strconv.Itoa(len(res.Outcome.Info)+len(res.Outcome.Items)))
	}
	rep.Add(Text{Text: msg})
	rep.Summary = msg
	if res.Meeting != nil {
		rep.Add(Text{Text: q.T("meet.done", "id", deal, "when", q.fmtTime(res.Meeting.At))})
	}
	if res.Applied {
		var notes []string
		for _, id := range res.Outcome.Items {
			notes = append(notes, q.T("tick.checked", "item", q.itemLabel(id)))
		}
		if res.After.Reached > res.Before.Reached {
			notes = append(notes, q.T("tick.reached", "stage", q.stageName(res.After.Reached), "win", strconv.Itoa(res.After.WinProbability)))
		}
		if res.After.Completed > res.Before.Completed {
			notes = append(notes, q.T("tick.completed", "stage", q.stageName(res.After.Completed)))
		}
		for _, kv := range res.Outcome.Info {
			notes = append(notes, "• "+kv[0]+" = "+kv[1])
		}
		if len(notes) > 0 {
			rep.Add(Text{Text: strings.Join(notes, "\n")})
		}
		// contacts and the call log are never created silently: offer them
		rest := coach.SessionOutcome{Contacts: res.Outcome.Contacts, Form: res.Outcome.Form, FormValues: res.Outcome.FormValues}
		if !rest.Empty() {
			r.outcomeBlocks(q, &rep, deal, rest, false)
		}
		rep.Add(Text{Text: q.statusLine(res.After)})
	} else if !res.Outcome.Empty() {
		r.outcomeBlocks(q, &rep, deal, res.Outcome, false)
	}
	rep.Add(Context{Text: q.T("session.history_hint", "id", deal)})
	return rep
}

// quoteArg quotes a command argument with a quote pair it does not
// contain, so the parser reads it back as one value.
func quoteArg(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"'“”‘’「」『』«»=", r)
	}) {
		return s
	}
	for _, p := range [][2]string{{`"`, `"`}, {"“", "”"}, {"「", "」"}, {"『", "』"}} {
		if !strings.Contains(s, p[0]) && !strings.Contains(s, p[1]) {
			return p[0] + s + p[1]
		}
	}
	return `"` + strings.ReplaceAll(s, `"`, "'") + `"`
}
