package bot

import (
	"errors"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// The deal card's controls: every everyday action is a button or a
// select whose value is the command the console accepts, so one handler
// runs a tap and a typed command alike. Actions that need input open a
// form (a modal in Slack, a form card in Lark): `meet <deal>`, `contact
// <deal> add|edit <n>`, and `form <deal> <id>` for the card forms below,
// an info group (sN.iK) or a tool (sN.tK).

// Card form ids, opened with `form <deal> <id>` and submitted as
// `form <deal> <id> <key>=<value>…`.
const (
	cardFormNote = "note"
	cardFormWon  = "won"
	cardFormLost = "lost"
)

func init() {
	register(map[string]playbook.Text{
		"btn.meet":             {EN: "Book meeting", ZH: "约见客户"},
		"btn.note":             {EN: "Note", ZH: "写备注"},
		"btn.won":              {EN: "Won", ZH: "赢单"},
		"btn.show_card":        {EN: "Show card", ZH: "查看卡片"},
		"btn.reopen":           {EN: "Reopen", ZH: "重新打开"},
		"btn.coach_kind":       {EN: "Coach: {kind}", ZH: "辅导：{kind}"},
		"card.more":            {EN: "More actions", ZH: "更多操作"},
		"card.more.contact":    {EN: "Edit contact: {name}", ZH: "修改联系人：{name}"},
		"card.more.contacts":   {EN: "Contacts", ZH: "联系人列表"},
		"card.more.lost":       {EN: "Mark as lost", ZH: "标记为丢单"},
		"card.more.forms":      {EN: "All forms of this stage", ZH: "本阶段全部表单"},
		"card.forms":           {EN: "Forms: {done}/{n} complete", ZH: "表单：已完成 {done}/{n}"},
		"card.pick_form":       {EN: "Fill a form", ZH: "填写表单"},
		"card.info":            {EN: "Information: {filled}/{n} fields recorded", ZH: "信息：已记录 {filled}/{n} 项"},
		"card.pick_info":       {EN: "Record information", ZH: "记录信息"},
		"card.relationship":    {EN: "Relationship · {stage}", ZH: "客户关系 · {stage}"},
		"syncwhy.unknown_card": {EN: "pick the customer's buying stage below.", ZH: "请在下方选择客户的采购阶段。"},
		"form.note.title":      {EN: "Note on {id}", ZH: "{id} 备注"},
		"form.won.title":       {EN: "{id} won", ZH: "{id} 赢单"},
		"form.lost.title":      {EN: "{id} lost", ZH: "{id} 丢单"},
		"form.info.title":      {EN: "{id} · {group}", ZH: "{id} · {group}"},
		"field.note_text":      {EN: "What happened", ZH: "发生了什么"},
		"field.won_value":      {EN: "Final value", ZH: "成交金额"},
		"field.won_date":       {EN: "Closed on", ZH: "成交日期"},
		"field.reason":         {EN: "Reason", ZH: "原因"},
		"field.competitor":     {EN: "Lost to (competitor)", ZH: "输给了哪家竞争对手"},
		"next.step":            {EN: "Next: {item}", ZH: "下一步：{item}"},
		"next.more":            {EN: "(and {n} more)", ZH: "（另有 {n} 项）"},
		"next.more.one":        {EN: "(and {n} more)", ZH: "（另有 {n} 项）"},
		"lost.competitor":      {EN: "{reason} (competitor: {competitor})", ZH: "{reason}（竞争对手：{competitor}）"},
	})
}

// cardControls are the card's actions for an open deal.
func (r *Router) cardControls(q *Request, d *coach.Deal, p coach.Progress) []Block {
	if !d.Open() {
		return []Block{Buttons{Items: []Button{
			{Label: q.T("btn.reopen"), Command: "reopen " + d.ID},
			{Label: q.T("btn.history"), Command: "history " + d.ID},
		}}}
	}
	id := d.ID
	btns := []Button{
		{Label: q.T("btn.prep"), Command: "prep " + id, Style: "primary"},
		r.coachButton(q, d),
		{Label: q.T("btn.meet"), Command: "meet " + id},
		{Label: q.T("btn.add_contact"), Command: "contact " + id + " add"},
		{Label: q.T("btn.note"), Command: "form " + id + " " + cardFormNote},
		{Label: q.T("btn.won"), Command: "form " + id + " " + cardFormWon},
		{Label: q.T("btn.history"), Command: "history " + id},
	}
	out := []Block{Buttons{Items: btns}}
	if s, ok := r.infoSelect(q, d, p); ok {
		out = append(out, s)
	}
	if s, ok := r.toolSelect(q, d, p); ok {
		out = append(out, s)
	}
	out = append(out, r.buyerSelect(q, d), r.moreSelect(q, d))
	return out
}

// coachButton starts the session that fits the deal (coach.FitSessions),
// or offers the fitting ones when several do.
func (r *Router) coachButton(q *Request, d *coach.Deal) Button {
	kinds := coach.FitSessions(r.pb, d)
	if len(kinds) == 1 {
		return Button{Label: q.T("btn.coach_kind", "kind", q.T("session.kind."+kinds[0])), Command: "coach " + d.ID + " " + kinds[0]}
	}
	return Button{Label: q.T("btn.coach"), Command: "coach " + d.ID}
}

// cardStage is the stage whose info and forms the card offers: the
// active one, or the last after every stage is completed.
func (r *Router) cardStage(p coach.Progress) *playbook.Stage {
	n := max(p.Active, 1)
	if p.Active == 0 && p.Completed > 0 {
		n = len(r.pb.Stages)
	}
	return r.pb.Stage(n)
}

// infoSelect offers the active stage's info groups, each opening its form.
func (r *Router) infoSelect(q *Request, d *coach.Deal, p coach.Progress) (Select, bool) {
	st := r.cardStage(p)
	if st == nil || len(st.Info) == 0 {
		return Select{}, false
	}
	filled, n := 0, 0
	sel := Select{Placeholder: q.T("card.pick_info"), Initial: -1}
	for _, g := range st.Info {
		gf := 0
		for _, f := range g.Fields {
			if d.Info[playbook.InfoKey(g.ID, f.Key)] != "" {
				gf++
			}
		}
		filled, n = filled+gf, n+len(g.Fields)
		sel.Options = append(sel.Options, Option{Label: fillMark(gf, len(g.Fields)) + " " + g.Name.In(q.Lang) + " · " + strconv.Itoa(gf) + "/" + strconv.Itoa(len(g.Fields)),
			Command: "form " + d.ID + " " + g.ID})
	}
	sel.Label = q.T("card.info", "filled", strconv.Itoa(filled), "n", strconv.Itoa(n))
	return sel, true
}

func fillMark(filled, n int) string {
	switch {
	case n > 0 && filled >= n:
		return "●"
	case filled > 0:
		return "◐"
	}
	return "○"
}

// toolSelect offers the active stage's forms (tools), each opening its
// modal; the label says how many are complete.
func (r *Router) toolSelect(q *Request, d *coach.Deal, p coach.Progress) (Select, bool) {
	st := r.cardStage(p)
	if st == nil {
		return Select{}, false
	}
	fs := coach.FormsStatus(r.pb, d, st.Number)
	if len(fs) == 0 {
		return Select{}, false
	}
	done := 0
	sel := Select{Placeholder: q.T("card.pick_form"), Initial: -1}
	for _, s := range fs {
		if s.Complete() {
			done++
		}
		sel.Options = append(sel.Options, Option{Label: fillMark(s.Filled, s.Fields) + " " + s.Tool.Name.In(q.Lang), Command: "form " + d.ID + " " + s.Tool.ID})
	}
	sel.Label = q.T("card.forms", "done", strconv.Itoa(done), "n", strconv.Itoa(len(fs)))
	return sel, true
}

// moreSelect holds the rarer actions: edit a contact, the contact list,
// all forms, lost.
func (r *Router) moreSelect(q *Request, d *coach.Deal) Select {
	sel := Select{Placeholder: q.T("card.more"), Initial: -1}
	for _, s := range d.Stakeholders {
		sel.Options = append(sel.Options, Option{Label: q.T("card.more.contact", "name", s.Name), Command: "contact " + d.ID + " edit " + strconv.Itoa(s.ID)})
	}
	if len(d.Stakeholders) > 0 {
		sel.Options = append(sel.Options, Option{Label: q.T("card.more.contacts"), Command: "contact " + d.ID + " list"})
	}
	sel.Options = append(sel.Options,
		Option{Label: q.T("card.more.forms"), Command: "form " + d.ID},
		Option{Label: q.T("card.more.lost"), Command: "form " + d.ID + " " + cardFormLost})
	return sel
}

// relationshipChecklist is the active stage's relationship items (sN.r*)
// as tickable items.
func (r *Router) relationshipChecklist(q *Request, d *coach.Deal, n int) (Checklist, bool) {
	st := r.pb.Stage(n)
	if st == nil || len(st.Relationship) == 0 {
		return Checklist{}, false
	}
	cl := Checklist{Title: q.T("card.relationship", "stage", q.stageName(n)), Deal: d.ID}
	for _, it := range st.Relationship {
		cl.Items = append(cl.Items, CheckItem{ID: it.ID, Label: it.ID + " " + it.Text.In(q.Lang), Checked: d.IsChecked(it.ID)})
	}
	return cl, true
}

// cardForm handles `form <deal> <id> …` for the card forms (note, won,
// lost) and info groups: without values it shows the form, with values
// (typed, or a submitted form) it runs the command the form stands for.
// handled is false for any other id (a tool).
func (r *Router) cardForm(q *Request, d *coach.Deal, id string) (rep Reply, handled bool, err error) {
	show := len(q.Args.KV) == 0 && q.Form == nil
	get := func(k string) string { v, _ := q.Args.Get(k); return strings.TrimSpace(v) }
	switch strings.ToLower(id) {
	case cardFormNote:
		if show {
			return r.noteForm(q, d), true, nil
		}
		text := get("text")
		if text == "" {
			return Reply{}, true, coach.Errf(coach.CodeMissingArg, "arg", "text")
		}
		rep, err := r.runAs(q, "note", Args{Words: []Token{{Value: d.ID}, {Value: text}}})
		return rep, true, err
	case cardFormWon:
		if show {
			return r.wonForm(q, d), true, nil
		}
		// `won` itself takes the final value and the day: below stage 8 it
		// records nothing until confirmed (its confirm button keeps them)
		args := Args{Words: []Token{{Value: d.ID}}}
		if v := get("value"); v != "" {
			args.KV = append(args.KV, Token{Key: "value", Value: v})
		}
		if v := get("close"); v != "" {
			args.KV = append(args.KV, Token{Key: "date", Value: v})
		}
		rep, err := r.runAs(q, "won", args)
		return rep, true, err
	case cardFormLost:
		if show {
			return r.lostForm(q, d), true, nil
		}
		reason, comp := get("reason"), get("competitor")
		if reason == "" {
			return Reply{}, true, coach.Errf(coach.CodeMissingArg, "arg", "reason")
		}
		args := Args{Words: []Token{{Value: d.ID}, {Value: reason}}}
		if comp != "" {
			if lost, ok := r.Lookup("lost"); ok && strings.Contains(lost.Usage, "competitor=") {
				args.KV = append(args.KV, Token{Key: "competitor", Value: comp})
			} else { // a `lost` without competitor=: keep it in the reason
				args.Words[1].Value = q.T("lost.competitor", "reason", reason, "competitor", comp)
			}
		}
		rep, err := r.runAs(q, "lost", args)
		return rep, true, err
	}
	g, ok := r.pb.InfoGroup(id)
	if !ok {
		return Reply{}, false, nil
	}
	if show {
		return r.infoGroupForm(q, d, g), true, nil
	}
	var kv [][2]string
	for _, t := range q.Args.KV {
		key := t.Key
		if !strings.Contains(key, ".") {
			key = playbook.InfoKey(g.ID, key)
		}
		kv = append(kv, [2]string{key, t.Value})
	}
	ch, err := r.svc.SetInfo(q.Ctx, q.Actor, q.Team, d.ID, kv)
	if err != nil {
		return Reply{}, true, err
	}
	msg := q.T("change.none", "id", d.ID)
	if len(ch.Events) > 0 {
		msg = q.T("info.done", "id", d.ID, "n", strconv.Itoa(len(ch.Events)))
	}
	rep = r.confirmation(q, ch.After, msg)
	rep.Add(r.changeTipBlocks(q, ch)...)
	return rep, true, nil
}

// runAs runs another command with args, as if typed.
func (r *Router) runAs(q *Request, name string, args Args) (Reply, error) {
	c, ok := r.Lookup(name)
	if !ok {
		return Reply{}, errors.New("bot: no command " + name)
	}
	q.Cmd, q.Args, q.Form = c, args, nil
	return r.run(q)
}

// isCardForm reports whether id names a card form or an info group.
func (r *Router) isCardForm(id string) bool {
	switch strings.ToLower(id) {
	case cardFormNote, cardFormWon, cardFormLost:
		return true
	}
	_, ok := r.pb.InfoGroup(id)
	return ok
}

func (r *Router) noteForm(q *Request, d *coach.Deal) Reply {
	f := Form{ID: cardFormNote, Deal: d.ID, Title: q.T("form.note.title", "id", d.ID), Submit: q.T("form.submit"), Command: "form " + d.ID + " " + cardFormNote,
		Fields: []FormField{{Key: "text", Label: q.T("field.note_text"), Kind: "long", Required: true}}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
}

func (r *Router) wonForm(q *Request, d *coach.Deal) Reply {
	value := ""
	if d.Value > 0 {
		value = strconv.FormatInt(d.Value, 10)
	}
	f := Form{ID: cardFormWon, Deal: d.ID, Title: q.T("form.won.title", "id", d.ID), Submit: q.T("form.submit"), Command: "form " + d.ID + " " + cardFormWon,
		Fields: []FormField{
			{Key: "value", Label: q.T("field.won_value"), Kind: "text", Value: value, Hint: "1.2m, 500k, 120万"},
			{Key: "close", Label: q.T("field.won_date"), Kind: "date", Value: q.now().In(q.Loc).Format("2006-01-02")},
		}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
}

func (r *Router) lostForm(q *Request, d *coach.Deal) Reply {
	f := Form{ID: cardFormLost, Deal: d.ID, Title: q.T("form.lost.title", "id", d.ID), Submit: q.T("form.submit"), Command: "form " + d.ID + " " + cardFormLost,
		Fields: []FormField{
			{Key: "reason", Label: q.T("field.reason"), Kind: "long", Required: true},
			{Key: "competitor", Label: q.T("field.competitor"), Kind: "text"},
		}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
}

// infoGroupForm asks for the fields of one info group, labelled with
// their names and filled with what is recorded.
func (r *Router) infoGroupForm(q *Request, d *coach.Deal, g *playbook.InfoGroup) Reply {
	f := Form{ID: g.ID, Deal: d.ID, Title: q.T("form.info.title", "id", d.ID, "group", g.Name.In(q.Lang)), Submit: q.T("form.submit"), Command: "form " + d.ID + " " + g.ID}
	for _, fd := range g.Fields {
		kind := fd.Type
		if kind == "" {
			kind = "text"
		}
		ff := FormField{Key: fd.Key, Label: fd.Name.In(q.Lang), Kind: kind, Value: d.Info[playbook.InfoKey(g.ID, fd.Key)]}
		if kind == "choice" {
			for i, c := range fd.Choices {
				label := c
				if i < len(fd.Labels) {
					label = fd.Labels[i].In(q.Lang)
				}
				ff.Choices = append(ff.Choices, Option{Label: label, Command: c})
			}
		}
		f.Fields = append(f.Fields, ff)
	}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
}

// confirmation says what changed and what to do next, with a button to
// show the card: the short reply to an update, instead of the whole card.
func (r *Router) confirmation(q *Request, d *coach.Deal, msg string) Reply {
	rep := Reply{Deal: d.ID}
	rep.Summary = msg
	rep.Add(Text{Text: msg})
	if d.Open() {
		rep.Add(Context{Text: q.nextStep(coach.Evaluate(r.pb, d))})
	}
	rep.Add(Buttons{Items: []Button{{Label: q.T("btn.show_card"), Command: "show " + d.ID}}})
	return rep
}

// nextStep is the one next thing to do: the first missing item of the
// active stage, and how many more there are.
func (q *Request) nextStep(p coach.Progress) string {
	if len(p.Missing) == 0 {
		return q.statusLine(p)
	}
	s := q.T("next.step", "item", q.itemLabel(p.Missing[0]))
	if n := len(p.Missing) - 1; n > 0 {
		s += " " + q.T("next.more", "n", strconv.Itoa(n))
	}
	return s
}
