package bot

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func (r *Router) coreCommands() []*Command {
	return []*Command{
		{Name: "help", Aliases: []string{"帮助", "?"}, Usage: "[command]", Group: "deals", Examples: []string{"help check"},
			Run: func(q *Request) (Reply, error) { return r.help(q, q.Args.Word(0)) }},
		{Name: "new", Aliases: []string{"新建"}, Usage: "<name> [customer=…] [value=…] [close=YYYY-MM-DD] [industry=…] [currency=…]", Group: "deals",
			Examples: []string{`new "Acme ERP" customer=Acme value=1.2m close=2027-03-31 industry=manufacturing`}, Run: r.cmdNew},
		{Name: "edit", Aliases: []string{"修改"}, Usage: "<deal> [name=…] [customer=…] [value=…] [close=YYYY-MM-DD] [industry=…]", Group: "deals",
			Examples: []string{"edit D-1 value=900k close=2027-06-30"}, Run: r.cmdEdit},
		{Name: "deals", Aliases: []string{"商机", "列表"}, Usage: "[mine|team|all]", Group: "deals", Run: r.cmdDeals},
		{Name: "show", Aliases: []string{"查看"}, Usage: "<deal>", Group: "deals", Examples: []string{"show D-1", "show acme"}, Run: r.cmdShow},
		{Name: "check", Aliases: []string{"勾选", "完成"}, Usage: "<deal> <item>…", Group: "deals", Examples: []string{"check D-1 s1.m1 s1.m2"},
			Run: func(q *Request) (Reply, error) { return r.cmdCheck(q, true) }},
		{Name: "uncheck", Aliases: []string{"取消"}, Usage: "<deal> <item>…", Group: "deals", Examples: []string{"uncheck D-1 s1.m3"},
			Run: func(q *Request) (Reply, error) { return r.cmdCheck(q, false) }},
		{Name: "buyer", Aliases: []string{"客户阶段"}, Usage: "<deal> <0-8>", Group: "deals", Examples: []string{"buyer D-1 2"}, Run: r.cmdBuyer},
		{Name: "info", Aliases: []string{"信息"}, Usage: "<deal> [<field>=<value>…]", Group: "deals",
			Examples: []string{`info D-1 size="500 staff" scale_budget=2m`}, Run: r.cmdInfo},
		{Name: "contact", Aliases: []string{"联系人"}, Usage: "<deal> add|edit|remove|list …", Group: "deals",
			Examples: []string{`contact D-1 add "Wang Li" title=IT-Director role=handler attitude=supporter influence=high level=L1`, "contact D-1 edit 1 attitude=neutral", "contact D-1 remove 1"},
			Run:      r.cmdContact},
		{Name: "meet", Aliases: []string{"约见", "会议"}, Usage: "<deal> <YYYY-MM-DD HH:MM> [place=…] [topic=…]", Group: "deals",
			Examples: []string{`meet D-1 2026-12-03 14:00 place="Acme HQ" topic="first visit"`}, Run: r.cmdMeet},
		{Name: "note", Aliases: []string{"备注"}, Usage: "<deal> <text>", Group: "deals", Examples: []string{"note D-1 CFO worried about cost"}, Run: r.cmdNote},
		{Name: "history", Aliases: []string{"历史"}, Usage: "<deal>", Group: "deals", Run: r.cmdHistory},
		{Name: "won", Aliases: []string{"赢单"}, Usage: "<deal>", Group: "deals", Run: func(q *Request) (Reply, error) { return r.cmdStatus(q, coach.StatusWon) }},
		{Name: "lost", Aliases: []string{"丢单"}, Usage: "<deal> <reason>", Group: "deals", Examples: []string{"lost D-1 budget cut"},
			Run: func(q *Request) (Reply, error) { return r.cmdStatus(q, coach.StatusLost) }},
		{Name: "reopen", Aliases: []string{"重新打开"}, Usage: "<deal>", Group: "deals", Run: func(q *Request) (Reply, error) { return r.cmdStatus(q, coach.StatusOpen) }},
		{Name: "stage", Aliases: []string{"阶段"}, Usage: "[1-8]", Group: "coaching", Examples: []string{"stage 2"}, Run: r.cmdStage},
		{Name: "pipeline", Aliases: []string{"漏斗"}, Usage: "[mine|team]", Group: "manager", Run: r.cmdPipeline},
		{Name: "export", Aliases: []string{"导出"}, Usage: "csv|json", Group: "deals", Run: r.cmdExport},
		{Name: "lang", Aliases: []string{"语言"}, Usage: "zh|en", Group: "team", Examples: []string{"lang zh"}, Run: r.cmdLang},
		{Name: "team", Aliases: []string{"团队"}, Usage: "[role <user> <admin|manager|rep> | reports <user> <manager> | lang zh|en | tz <IANA zone> | digest <weekday> <HH:MM> [zone]]", Group: "team",
			Examples: []string{"team role U123 manager", "team reports U456 U123", "team tz Asia/Shanghai", "team digest monday 09:00 Asia/Shanghai"}, Run: r.cmdTeam},
		{Name: "home", Hidden: true, Run: r.cmdHome},
	}
}

// dealArg resolves the first word as a deal; missing → usage error.
func (q *Request) dealArg() (*coach.Deal, error) {
	ref := q.Args.Word(0)
	if ref == "" {
		return nil, coach.Errf(coach.CodeMissingArg, "arg", "deal", "usage", usage(q.Cmd))
	}
	return q.r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
}

func (r *Router) newDealInput(q *Request, a Args) (coach.NewDeal, error) {
	nd := coach.NewDeal{}
	nd.Name, _ = a.Get("name")
	nd.Customer, _ = a.Get("customer")
	nd.Industry, _ = a.Get("industry")
	nd.CloseDate, _ = a.Get("close")
	nd.Currency, _ = a.Get("currency")
	if v, ok := a.Get("value"); ok && v != "" {
		n, cur, err := ParseMoney(v)
		if err != nil {
			return nd, coach.Errf(coach.CodeBadValue, "field", "value", "value", v, "expected", "1200000, 1.2m, 500k, 120万")
		}
		nd.Value = n
		if cur != "" && nd.Currency == "" {
			nd.Currency = cur
		}
	}
	known := []string{"name", "customer", "industry", "close", "currency", "value", "owner"}
	for _, kv := range a.KV {
		if !slices.Contains(known, kv.Key) {
			return nd, coach.Errf(coach.CodeUnknownField, "field", kv.Key).WithSuggestions(known...)
		}
	}
	nd.Owner, _ = a.Get("owner")
	return nd, nil
}

func (r *Router) cmdNew(q *Request) (Reply, error) {
	nd, err := r.newDealInput(q, q.Args)
	if err != nil {
		return Reply{}, err
	}
	if n := q.Args.Rest(0); n != "" {
		nd.Name = n
	}
	if nd.Name == "" {
		return r.newDealForm(q), nil
	}
	d, err := r.svc.CreateDeal(q.Ctx, q.Actor, q.Team, nd)
	if err != nil {
		return Reply{}, err
	}
	rep := r.dealCard(q, coach.Evaluate(r.pb, d), d)
	rep.Blocks = append([]Block{Text{Text: q.T("new.created", "id", d.ID, "name", d.Name)}}, rep.Blocks...)
	rep.Summary = q.T("new.created", "id", d.ID, "name", d.Name)
	return rep, nil
}

func (r *Router) cmdEdit(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	nd, err := r.newDealInput(q, q.Args)
	if err != nil {
		return Reply{}, err
	}
	if len(q.Args.KV) == 0 {
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "field=value")
	}
	ch, err := r.svc.EditDeal(q.Ctx, q.Actor, q.Team, d.ID, nd)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "edit.done")
	rep.Add(r.changeTipBlocks(q, ch)...) // coaching tips
	return rep, nil
}

// changedCard confirms a change and shows the deal.
func (r *Router) changedCard(q *Request, ch coach.Change, key string, kv ...string) Reply {
	d := ch.After
	rep := r.dealCard(q, coach.Evaluate(r.pb, d), d)
	msg := q.T("change.none", "id", d.ID)
	if len(ch.Events) > 0 {
		msg = q.T(key, append([]string{"id", d.ID}, kv...)...)
	}
	rep.Blocks = append([]Block{Text{Text: msg}}, rep.Blocks...)
	rep.Summary = msg
	return rep
}

func (r *Router) cmdDeals(q *Request) (Reply, error) {
	scope := strings.ToLower(q.Args.Word(0))
	switch scope {
	case "", "mine", "我的", "team", "团队", "all", "全部":
	default:
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "deals", "value", scope, "expected", "mine|team|all")
	}
	deals, err := r.svc.Visible(q.Ctx, q.Actor, q.Team)
	if err != nil {
		return Reply{}, err
	}
	var open, closed []string
	for _, d := range deals {
		if (scope == "" || scope == "mine" || scope == "我的") && d.Owner != q.Actor.User {
			continue
		}
		if d.Open() {
			open = append(open, q.dealLine(d))
		} else if scope == "all" || scope == "全部" {
			closed = append(closed, q.dealLine(d))
		}
	}
	var rep Reply
	rep.Ephemeral = true
	rep.Add(Heading{Text: q.T("deals.title", "n", strconv.Itoa(len(open)))})
	if len(open) == 0 {
		rep.Add(Text{Text: q.T("deals.none")})
	} else {
		rep.Add(Text{Text: strings.Join(open, "\n")})
	}
	if len(closed) > 0 {
		rep.Add(Heading{Text: q.T("deals.closed")}, Text{Text: strings.Join(closed, "\n")})
	}
	rep.Add(Context{Text: q.T("deals.hint")})
	return rep, nil
}

func (r *Router) cmdShow(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	rep := r.dealCard(q, coach.Evaluate(r.pb, d), d)
	r.appendDetails(q, &rep, d)
	r.appendFlags(q, &rep, d)
	return rep, nil
}

// appendDetails adds the deal's stakeholders, meetings, info and notes.
func (r *Router) appendDetails(q *Request, rep *Reply, d *coach.Deal) {
	if len(d.Stakeholders) > 0 {
		var lines []string
		for _, p := range d.Stakeholders {
			lines = append(lines, q.contactLine(p))
		}
		rep.Add(Divider{}, Heading{Text: q.T("show.contacts")}, Text{Text: strings.Join(lines, "\n")})
	}
	if len(d.Meetings) > 0 {
		var lines []string
		for _, m := range d.Meetings {
			lines = append(lines, strings.TrimSpace(q.fmtTime(m.At)+" "+m.Place+" "+m.Topic))
		}
		rep.Add(Heading{Text: q.T("show.meetings")}, Text{Text: strings.Join(lines, "\n")})
	}
	if len(d.Info) > 0 {
		keys := make([]string, 0, len(d.Info))
		for k := range d.Info {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var lines []string
		for _, k := range keys {
			lines = append(lines, k+" = "+d.Info[k])
		}
		rep.Add(Heading{Text: q.T("show.info")}, Text{Text: strings.Join(lines, "\n")})
	}
	if n := len(d.Notes); n > 0 {
		var lines []string
		for _, note := range d.Notes[max(0, n-5):] {
			lines = append(lines, q.fmtTime(note.At)+" "+q.memberName(note.By)+": "+note.Text)
		}
		rep.Add(Heading{Text: q.T("show.notes")}, Text{Text: strings.Join(lines, "\n")})
	}
}

func (q *Request) contactLine(p coach.Stakeholder) string {
	parts := []string{"#" + strconv.Itoa(p.ID) + " " + p.Name}
	if p.Title != "" {
		parts = append(parts, p.Title)
	}
	if p.Role != "" {
		parts = append(parts, q.T("role."+p.Role))
	}
	if p.Attitude != "" {
		parts = append(parts, q.T("attitude."+p.Attitude))
	}
	if p.Influence != "" {
		parts = append(parts, q.T("influence."+p.Influence))
	}
	if p.Level > 0 {
		parts = append(parts, "L"+strconv.Itoa(p.Level))
	}
	return strings.Join(parts, " · ")
}

func (r *Router) cmdCheck(q *Request, on bool) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	items := SplitItems(q.Args.Words[1:])
	if len(items) == 0 {
		p := coach.Evaluate(r.pb, d)
		st := max(p.Active, 1)
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "item").WithSuggestions(r.pb.Stage(st).ItemIDs()...)
	}
	res, err := r.svc.Check(q.Ctx, q.Actor, q.Team, d.ID, items, on)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	notes := r.tickNotes(q, res)
	rep.Add(Text{Text: strings.Join(notes, "\n")})
	rep.Add(Progress{Label: q.progressLabel(res.After), Reached: res.After.Reached, Completed: res.After.Completed, Total: len(r.pb.Stages)})
	rep.Add(Text{Text: q.statusLine(res.After)})
	if res.After.Active > 0 {
		rep.Add(r.checklist(q, res.Change.After, res.After, res.After.Active))
	}
	rep.Summary = strings.Join(notes, " ")
	return rep, nil
}

func (r *Router) cmdBuyer(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	w := strings.TrimPrefix(strings.ToUpper(q.Args.Word(1)), "C")
	n, err := strconv.Atoi(w)
	if err != nil {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "buyer", "value", q.Args.Word(1), "expected", "0-"+strconv.Itoa(len(r.pb.Stages)))
	}
	ch, err := r.svc.SetBuyerStage(q.Ctx, q.Actor, q.Team, d.ID, n)
	if err != nil {
		return Reply{}, err
	}
	p := coach.Evaluate(r.pb, ch.After)
	return r.changedCard(q, ch, "buyer.done", "buyer", q.buyerName(n), "sync", q.syncLine(coach.BuyerSync(p, n))), nil
}

func (r *Router) cmdInfo(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	if len(q.Args.KV) == 0 {
		return r.infoView(q, d), nil
	}
	var kv [][2]string
	for _, t := range q.Args.KV {
		kv = append(kv, [2]string{t.Key, t.Value})
	}
	ch, err := r.svc.SetInfo(q.Ctx, q.Actor, q.Team, d.ID, kv)
	if err != nil {
		return Reply{}, err
	}
	rep := r.infoView(q, ch.After)
	msg := q.T("change.none", "id", d.ID)
	if len(ch.Events) > 0 {
		msg = q.T("info.done", "id", d.ID, "n", strconv.Itoa(len(ch.Events)))
	}
	rep.Blocks = append([]Block{Text{Text: msg}}, rep.Blocks...)
	rep.Add(r.changeTipBlocks(q, ch)...) // coaching tips
	rep.Summary = msg
	return rep, nil
}

// infoView lists the information fields of the stages up to the active
// one, filled or missing.
func (r *Router) infoView(q *Request, d *coach.Deal) Reply {
	p := coach.Evaluate(r.pb, d)
	last := max(p.Active, p.Reached, 1)
	var rep Reply
	rep.Add(Heading{Text: q.T("info.title", "id", d.ID, "name", d.Name)})
	for n := 1; n <= last && n <= len(r.pb.Stages); n++ {
		st := r.pb.Stage(n)
		for _, g := range st.Info {
			var lines []string
			for _, f := range g.Fields {
				key := playbook.InfoKey(g.ID, f.Key)
				v, ok := d.Info[key]
				mark := "✗"
				if ok {
					mark = "✓"
				}
				line := mark + " " + f.Key + " (" + f.Name.In(q.Lang) + ")"
				if ok {
					line += ": " + v
				}
				lines = append(lines, line)
			}
			rep.Add(Text{Text: g.ID + " " + g.Name.In(q.Lang) + "\n" + strings.Join(lines, "\n")})
		}
	}
	rep.Add(Context{Text: q.T("info.hint", "id", d.ID)})
	return rep
}

func stakeholderInput(a Args) (coach.StakeholderInput, error) {
	var in coach.StakeholderInput
	str := func(k string) *string {
		if v, ok := a.Get(k); ok {
			v = strings.TrimSpace(v)
			return &v
		}
		return nil
	}
	in.Name, in.Title, in.Notes = str("name"), str("title"), str("notes")
	norm := func(k string, aliases map[string]string) *string {
		v := str(k)
		if v != nil {
			l := strings.ToLower(*v)
			if a, ok := aliases[l]; ok {
				l = a
			}
			v = &l
		}
		return v
	}
	in.Role = norm("role", map[string]string{"dm": coach.RoleDecisionMaker, "decision": coach.RoleDecisionMaker, "决策者": coach.RoleDecisionMaker, "经手人": coach.RoleHandler,
		"影响者": coach.RoleInfluencer, "使用者": coach.RoleUser, "采购小组": coach.RolePurchasingGroup, "purchasing": coach.RolePurchasingGroup, "其他": coach.RoleOther})
	in.Attitude = norm("attitude", map[string]string{"支持": coach.AttitudeSupporter, "支持者": coach.AttitudeSupporter, "中立": coach.AttitudeNeutral, "反对": coach.AttitudeOpponent, "反对者": coach.AttitudeOpponent, "support": coach.AttitudeSupporter, "against": coach.AttitudeOpponent})
	in.Influence = norm("influence", map[string]string{"高": coach.InfluenceHigh, "中": coach.InfluenceMedium, "低": coach.InfluenceLow, "med": coach.InfluenceMedium})
	if v, ok := a.Get("level"); ok {
		n, ok := ParseLevel(v)
		if !ok {
			return in, coach.Errf(coach.CodeBadValue, "field", "level", "value", v, "expected", "L1|L2|L3")
		}
		in.Level = &n
	}
	known := []string{"name", "title", "role", "attitude", "influence", "level", "notes"}
	for _, kv := range a.KV {
		if !slices.Contains(known, kv.Key) {
			return in, coach.Errf(coach.CodeUnknownField, "field", kv.Key).WithSuggestions(known...)
		}
	}
	return in, nil
}

func (r *Router) cmdContact(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	op := strings.ToLower(q.Args.Word(1))
	switch op {
	case "", "list", "列表":
		var rep Reply
		rep.Add(Heading{Text: q.T("show.contacts") + " · " + d.ID})
		var lines []string
		for _, p := range d.Stakeholders {
			lines = append(lines, q.contactLine(p))
		}
		if len(lines) == 0 {
			lines = append(lines, q.T("contact.none"))
		}
		rep.Add(Text{Text: strings.Join(lines, "\n")})
		rep.Add(Buttons{Items: []Button{{Label: q.T("btn.add_contact"), Command: "contact " + d.ID + " add"}}})
		return rep, nil
	case "add", "添加":
		in, err := stakeholderInput(q.Args)
		if err != nil {
			return Reply{}, err
		}
		if n := q.Args.Rest(2); n != "" {
			in.Name = &n
		}
		if in.Name == nil {
			return r.contactForm(q, d, nil), nil
		}
		ch, p, err := r.svc.AddStakeholder(q.Ctx, q.Actor, q.Team, d.ID, in)
		if err != nil {
			return Reply{}, err
		}
		return r.contactDone(q, ch, "contact.added", p.Name), nil
	case "edit", "修改":
		who := q.Args.Word(2)
		if who == "" {
			return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "contact")
		}
		in, err := stakeholderInput(q.Args)
		if err != nil {
			return Reply{}, err
		}
		if len(q.Args.KV) == 0 {
			i := slices.IndexFunc(d.Stakeholders, func(p coach.Stakeholder) bool { return strconv.Itoa(p.ID) == strings.TrimPrefix(who, "#") })
			if i >= 0 {
				return r.contactForm(q, d, &d.Stakeholders[i]), nil
			}
			return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "field=value")
		}
		ch, err := r.svc.EditStakeholder(q.Ctx, q.Actor, q.Team, d.ID, who, in)
		if err != nil {
			return Reply{}, err
		}
		return r.contactDone(q, ch, "contact.edited", who), nil
	case "remove", "rm", "delete", "删除":
		who := q.Args.Word(2)
		if who == "" {
			return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "contact")
		}
		ch, err := r.svc.RemoveStakeholder(q.Ctx, q.Actor, q.Team, d.ID, who)
		if err != nil {
			return Reply{}, err
		}
		return r.contactDone(q, ch, "contact.removed", who), nil
	}
	return Reply{}, coach.Errf(coach.CodeBadValue, "field", "contact", "value", op, "expected", "add|edit|remove|list")
}

func (r *Router) contactDone(q *Request, ch coach.Change, key, who string) Reply {
	var rep Reply
	msg := q.T(key, "id", ch.After.ID, "name", who)
	rep.Summary = msg
	rep.Add(Text{Text: msg})
	var lines []string
	for _, p := range ch.After.Stakeholders {
		lines = append(lines, q.contactLine(p))
	}
	if len(lines) > 0 {
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}
	if w := r.stakeholderWarnings(q, ch.After); w != "" {
		rep.Add(Context{Text: w})
	}
	return rep
}

// stakeholderWarnings names who is missing: no decision-maker, no supporter.
func (r *Router) stakeholderWarnings(q *Request, d *coach.Deal) string {
	var dm, sup bool
	for _, p := range d.Stakeholders {
		dm = dm || p.Role == coach.RoleDecisionMaker
		sup = sup || p.Attitude == coach.AttitudeSupporter
	}
	var w []string
	if !dm {
		w = append(w, q.T("contact.no_dm"))
	}
	if !sup {
		w = append(w, q.T("contact.no_supporter"))
	}
	return strings.Join(w, " ")
}

func (r *Router) cmdMeet(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	when := strings.TrimSpace(q.Args.Word(1) + " " + q.Args.Word(2))
	if when == "" {
		return r.meetForm(q, d), nil
	}
	at, err := ParseMeetingTime(when, q.Loc)
	if err != nil {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "time", "value", when, "expected", "YYYY-MM-DD HH:MM")
	}
	place, _ := q.Args.Get("place")
	topic, _ := q.Args.Get("topic")
	if topic == "" {
		topic = q.Args.Rest(3)
	}
	ch, m, err := r.svc.AddMeeting(q.Ctx, q.Actor, q.Team, d.ID, at, place, topic)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "meet.done", "when", q.fmtTime(m.At))
	if at.Before(q.now()) {
		rep.Blocks = append([]Block{Context{Text: q.T("meet.past")}}, rep.Blocks...)
	}
	return rep, nil
}

func (r *Router) cmdNote(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	text := q.Args.Rest(1)
	for _, kv := range q.Args.KV {
		text += " " + kv.String()
	}
	ch, err := r.svc.AddNote(q.Ctx, q.Actor, q.Team, d.ID, text)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("note.done", "id", ch.After.ID)
	return Reply{Summary: msg, Blocks: append([]Block{Text{Text: msg}}, r.changeTipBlocks(q, ch)...)}, nil
}

func (r *Router) cmdHistory(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	_, evs, err := r.svc.History(q.Ctx, q.Actor, q.Team, d.ID, 30)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	rep.Ephemeral = true
	rep.Add(Heading{Text: q.T("history.title", "id", d.ID, "name", d.Name)})
	var lines []string
	for _, e := range evs {
		lines = append(lines, q.eventLine(e))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	return rep, nil
}

func (q *Request) eventLine(e coach.Event) string {
	s := q.fmtTime(e.At) + " · " + q.memberName(e.By) + " · " + q.T("event."+e.Kind)
	if e.Field != "" {
		s += " " + e.Field
	}
	switch {
	case e.Before != "" && e.After != "":
		s += ": " + e.Before + " → " + e.After
	case e.After != "":
		s += ": " + e.After
	case e.Before != "":
		s += ": " + e.Before + " → ∅"
	}
	return s
}

func (r *Router) cmdStatus(q *Request, st coach.Status) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	reason := q.Args.Rest(1)
	ch, err := r.svc.SetStatus(q.Ctx, q.Actor, q.Team, d.ID, st, reason)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "status.done."+string(st))
	if st == coach.StatusLost && isPriceReason(reason) {
		rep.Add(Context{Text: q.T("tip.price_cut")})
	}
	return rep, nil
}

func isPriceReason(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"price", "cost", "expensive", "cheap", "discount", "价格", "价钱", "贵", "便宜", "报价", "降价", "折扣"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func (r *Router) cmdStage(q *Request) (Reply, error) {
	w := strings.TrimPrefix(strings.ToLower(q.Args.Word(0)), "s")
	if w == "" {
		var rep Reply
		rep.Add(Heading{Text: q.T("stage.overview")})
		var lines []string
		for _, st := range r.pb.Stages {
			lines = append(lines, strconv.Itoa(st.Number)+". "+st.Name.In(q.Lang)+" ↔ "+st.BuyerStage.In(q.Lang)+" · "+st.MilestoneName.In(q.Lang)+" · "+strconv.Itoa(st.WinProbability)+"%")
		}
		rep.Add(Text{Text: strings.Join(lines, "\n")}, Context{Text: q.T("stage.hint")})
		return rep, nil
	}
	n, err := strconv.Atoi(w)
	if err != nil || r.pb.Stage(n) == nil {
		return Reply{}, coach.Errf(coach.CodeUnknownStage, "stage", q.Args.Word(0), "max", strconv.Itoa(len(r.pb.Stages)))
	}
	return r.stageInfo(q, n), nil
}

func (r *Router) cmdPipeline(q *Request) (Reply, error) {
	deals, err := r.svc.Visible(q.Ctx, q.Actor, q.Team)
	if err != nil {
		return Reply{}, err
	}
	if w := strings.ToLower(q.Args.Word(0)); w == "mine" || w == "我的" || q.Member.Role == coach.RoleRep {
		deals = slices.DeleteFunc(deals, func(d *coach.Deal) bool { return d.Owner != q.Actor.User })
	}
	var rep Reply
	rep.Add(Heading{Text: q.T("pipeline.title")})
	rep.Add(q.funnelBlocks(coach.Pipeline(r.pb, deals))...)
	return rep, nil
}

// funnelBlocks lists the funnel per stage with count, value and weighted
// value, and the totals (the pipeline command and the weekly digest).
func (q *Request) funnelBlocks(stats []coach.StageStat) []Block {
	var lines []string
	var total, weighted int64
	count := 0
	for _, s := range stats {
		name := q.T("stage.none")
		if s.Stage > 0 {
			name = q.stageName(s.Stage)
		}
		lines = append(lines, q.T("pipeline.row", "stage", name, "n", strconv.Itoa(s.Count), "value", FormatMoney(s.Value, ""), "weighted", FormatMoney(s.Weighted, "")))
		total += s.Value
		weighted += s.Weighted
		count += s.Count
	}
	return []Block{
		Text{Text: strings.Join(lines, "\n")},
		Context{Text: q.T("pipeline.total", "n", strconv.Itoa(count), "value", FormatMoney(total, ""), "weighted", FormatMoney(weighted, ""))},
	}
}

// ExportRow is one deal in `export json`.
type ExportRow struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Customer       string    `json:"customer"`
	Owner          string    `json:"owner"`
	Status         string    `json:"status"`
	Value          int64     `json:"value"`
	Currency       string    `json:"currency,omitempty"`
	CloseDate      string    `json:"close_date,omitempty"`
	StageReached   int       `json:"stage_reached"`
	StageCompleted int       `json:"stage_completed"`
	BuyerStage     int       `json:"buyer_stage"`
	Sync           string    `json:"sync"`
	WinProbability int       `json:"win_probability"`
	Checked        []string  `json:"checked"`
	LastProgressAt time.Time `json:"last_progress_at"`
}

// ExportRows builds the export rows of deals.
func ExportRows(pb *playbook.Playbook, deals []*coach.Deal) []ExportRow {
	rows := make([]ExportRow, 0, len(deals))
	for _, d := range deals {
		p := coach.Evaluate(pb, d)
		checked := make([]string, 0, len(d.Checked))
		for id := range d.Checked {
			checked = append(checked, id)
		}
		slices.Sort(checked)
		rows = append(rows, ExportRow{ID: d.ID, Name: d.Name, Customer: d.Customer, Owner: d.Owner, Status: string(d.Status), Value: d.Value,
			Currency: d.Currency, CloseDate: d.CloseDate, StageReached: p.Reached, StageCompleted: p.Completed, BuyerStage: d.BuyerStage,
			Sync: coach.BuyerSync(p, d.BuyerStage).Verdict, WinProbability: p.WinProbability, Checked: checked, LastProgressAt: d.LastProgressAt})
	}
	return rows
}

func (r *Router) cmdExport(q *Request) (Reply, error) {
	format := strings.ToLower(q.Args.Word(0))
	deals, err := r.svc.Visible(q.Ctx, q.Actor, q.Team)
	if err != nil {
		return Reply{}, err
	}
	rows := ExportRows(r.pb, deals)
	var buf bytes.Buffer
	switch format {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for _, row := range rows {
			if err := enc.Encode(row); err != nil {
				return Reply{}, err
			}
		}
	case "csv", "":
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"id", "name", "customer", "owner", "status", "value", "currency", "close_date", "stage_reached", "stage_completed", "buyer_stage", "sync", "win_probability", "checked", "last_progress_at"})
		for _, row := range rows {
			_ = w.Write([]string{row.ID, csvSafe(row.Name), csvSafe(row.Customer), row.Owner, row.Status, strconv.FormatInt(row.Value, 10), row.Currency, row.CloseDate,
				strconv.Itoa(row.StageReached), strconv.Itoa(row.StageCompleted), strconv.Itoa(row.BuyerStage), row.Sync, strconv.Itoa(row.WinProbability),
				strings.Join(row.Checked, " "), row.LastProgressAt.Format(time.RFC3339)})
		}
		w.Flush()
	default:
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "format", "value", format, "expected", "csv|json")
	}
	out := strings.TrimRight(buf.String(), "\n")
	return Reply{Ephemeral: true, Summary: out, Blocks: []Block{Text{Text: out}}}, nil
}

// csvSafe defuses spreadsheet formula injection in exported cells.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (r *Router) cmdLang(q *Request) (Reply, error) {
	w := q.Args.Word(0)
	l, ok := playbook.ParseLang(w)
	if !ok {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "lang", "value", w, "expected", "zh|en")
	}
	if _, err := r.svc.SetLang(q.Ctx, q.Actor, string(l)); err != nil {
		return Reply{}, err
	}
	q.Lang = l
	msg := q.T("lang.done")
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

// userArg accepts a user id, a Slack mention <@U123|name>, or @name.
func userArg(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<@"), ">")
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	return strings.TrimPrefix(s, "@")
}

func (r *Router) cmdTeam(q *Request) (Reply, error) {
	switch op := strings.ToLower(q.Args.Word(0)); op {
	case "":
		return r.teamView(q, q.Team), nil
	case "role", "角色":
		t, err := r.svc.SetMemberRole(q.Ctx, q.Actor, r.memberRef(q.Team, q.Args.Word(1)), strings.ToLower(q.Args.Word(2)))
		if err != nil {
			return Reply{}, err
		}
		return r.teamView(q, t), nil
	case "reports", "汇报":
		t, err := r.svc.SetReportsTo(q.Ctx, q.Actor, r.memberRef(q.Team, q.Args.Word(1)), r.memberRef(q.Team, q.Args.Word(2)))
		if err != nil {
			return Reply{}, err
		}
		return r.teamView(q, t), nil
	case "lang", "语言":
		l, ok := playbook.ParseLang(q.Args.Word(1))
		if !ok {
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", "lang", "value", q.Args.Word(1), "expected", "zh|en")
		}
		t, err := r.svc.SetTeamLang(q.Ctx, q.Actor, string(l))
		if err != nil {
			return Reply{}, err
		}
		return r.teamView(q, t), nil
	case "tz", "timezone", "时区":
		zone := q.Args.Word(1)
		if _, err := time.LoadLocation(zone); err != nil || zone == "" {
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", "tz", "value", zone, "expected", "Asia/Shanghai, Europe/Berlin, UTC")
		}
		t, err := r.svc.UpdateTeam(q.Ctx, q.Team.ID, func(t *coach.Team) error {
			if me := t.Members[q.Actor.User]; me == nil || me.Role != coach.RoleAdmin {
				return coach.Errf(coach.CodeForbidden, "action", "team tz")
			}
			t.Timezone = zone
			return nil
		})
		if err != nil {
			return Reply{}, err
		}
		return r.teamView(q, t), nil
	default:
		if rep, ok, err := r.teamJobCommand(q, op); ok {
			return rep, err
		}
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "team", "value", op, "expected", "role|reports|lang|tz|digest")
	}
}

// memberRef resolves a user argument to a member id: an id, a mention, or
// a unique case-insensitive display name.
func (r *Router) memberRef(t *coach.Team, s string) string {
	id := userArg(s)
	if _, ok := t.Members[id]; ok {
		return id
	}
	var hit string
	for mid, m := range t.Members {
		if strings.EqualFold(m.Name, id) {
			if hit != "" {
				return id
			}
			hit = mid
		}
	}
	if hit != "" {
		return hit
	}
	return id
}

func (r *Router) teamView(q *Request, t *coach.Team) Reply {
	var rep Reply
	rep.Add(Heading{Text: q.T("team.title", "n", strconv.Itoa(len(t.Members)))})
	ids := make([]string, 0, len(t.Members))
	for id := range t.Members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var lines []string
	for _, id := range ids {
		m := t.Members[id]
		line := id
		if m.Name != "" && m.Name != id {
			line += " (" + m.Name + ")"
		}
		line += " · " + q.T("memberrole."+m.Role)
		if m.Manager != "" {
			line += " · " + q.T("team.reports_to", "manager", m.Manager)
		}
		lines = append(lines, line)
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	lang := t.Lang
	if lang == "" {
		lang = "—"
	}
	tz := t.Timezone
	if tz == "" {
		tz = "UTC"
	}
	rep.Add(Context{Text: q.T("team.settings", "lang", lang, "tz", tz)})
	return rep
}

// cmdHome is the App Home view: my open deals, and the team's for managers.
func (r *Router) cmdHome(q *Request) (Reply, error) {
	deals, err := r.svc.Visible(q.Ctx, q.Actor, q.Team)
	if err != nil {
		return Reply{}, err
	}
	var mine, team []string
	for _, d := range deals {
		if !d.Open() {
			continue
		}
		if d.Owner == q.Actor.User {
			mine = append(mine, q.dealLine(d))
		} else {
			team = append(team, q.dealLine(d))
		}
	}
	var rep Reply
	rep.Add(Heading{Text: q.T("home.title")})
	rep.Add(Buttons{Items: []Button{{Label: q.T("btn.new_deal"), Command: "new", Style: "primary"}, {Label: q.T("btn.help"), Command: "help"}}})
	rep.Add(Heading{Text: q.T("home.mine", "n", strconv.Itoa(len(mine)))})
	if len(mine) == 0 {
		rep.Add(Text{Text: q.T("deals.none")})
	} else {
		rep.Add(Text{Text: strings.Join(mine, "\n")})
	}
	if q.Member.Role != coach.RoleRep {
		rep.Add(Divider{}, Heading{Text: q.T("home.team", "n", strconv.Itoa(len(team)))})
		if len(team) > 0 {
			rep.Add(Text{Text: strings.Join(team, "\n")})
		}
	}
	return rep, nil
}
