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

// dealCommands are the commands on a deal as a whole: create, edit,
// list, show, history, close and reopen, the stage guide, export and the
// App Home view.
func (r *Router) dealCommands() []*Command {
	return []*Command{
		{Name: "new", Aliases: []string{"新建"}, Usage: "<name> [customer=…] [value=…] [close=YYYY-MM-DD] [industry=…] [currency=…]", Group: "deals",
			Examples: []string{`new "Acme ERP" customer=Acme value=1.2m close=2027-03-31 industry=manufacturing`}, Run: r.cmdNew, FromForm: newFromForm},
		{Name: "edit", Aliases: []string{"修改"}, Usage: "<deal> [name=…] [customer=…] [value=…] [close=YYYY-MM-DD] [industry=…]", Group: "deals",
			Examples: []string{"edit D-1 value=900k close=2027-06-30"}, Run: r.cmdEdit},
		{Name: "deals", Aliases: []string{"商机", "列表"}, Usage: "[mine|team|all]", Group: "deals", Run: r.cmdDeals},
		{Name: "show", Aliases: []string{"查看"}, Usage: "<deal>", Group: "deals", Examples: []string{"show D-1", "show acme"}, Run: r.cmdShow},
		{Name: "history", Aliases: []string{"历史"}, Usage: "<deal>", Group: "deals", Run: r.cmdHistory},
		{Name: "won", Aliases: []string{"赢单"}, Usage: "<deal>", Group: "deals", Run: func(q *Request) (Reply, error) { return r.cmdStatus(q, coach.StatusWon) }},
		{Name: "lost", Aliases: []string{"丢单"}, Usage: "<deal> <reason>", Group: "deals", Examples: []string{"lost D-1 budget cut"},
			Run: func(q *Request) (Reply, error) { return r.cmdStatus(q, coach.StatusLost) }},
		{Name: "reopen", Aliases: []string{"重新打开"}, Usage: "<deal>", Group: "deals", Run: func(q *Request) (Reply, error) { return r.cmdStatus(q, coach.StatusOpen) }},
		{Name: "stage", Aliases: []string{"阶段"}, Usage: "[1-8]", Group: "coaching", Examples: []string{"stage 2"}, Run: r.cmdStage},
		{Name: "export", Aliases: []string{"导出"}, Usage: "csv|json", Group: "deals", Run: r.cmdExport},
		{Name: "home", Hidden: true, Run: r.cmdHome},
	}
}

// newFromForm turns the new-deal form into the arguments of `new`.
func newFromForm(a *Action) (Args, bool) {
	if a.Form != "new" {
		return Args{}, false
	}
	return formArgs(a.Values), true
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
	if nd.Name == "" && q.Form == nil {
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
	ref, err := q.dealRef()
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
	ch, err := r.svc.EditDeal(q.Ctx, q.Actor, q.Team, ref, nd)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "edit.done")
	rep.Add(r.changeTipBlocks(q, ch)...) // coaching tips
	return rep, nil
}

func (r *Router) cmdDeals(q *Request) (Reply, error) {
	scope := strings.ToLower(q.Args.Word(0))
	switch scope {
	case "", "mine", "我的", "team", "团队", "all", "全部":
	default:
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "deals", "value", scope, "expected", "mine|team|all")
	}
	in := coach.ScopeTeam
	if scope == "" || scope == "mine" || scope == "我的" {
		in = coach.ScopeMine
	}
	deals, err := r.svc.VisibleIn(q.Ctx, q.Actor, q.Team, in)
	if err != nil {
		return Reply{}, err
	}
	var open, closed []string
	for _, d := range deals {
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

func (r *Router) cmdHistory(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	d, evs, err := r.svc.History(q.Ctx, q.Actor, q.Team, ref, 30)
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

func (r *Router) cmdStatus(q *Request, st coach.Status) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	reason := q.Args.Rest(1)
	ch, err := r.svc.SetStatus(q.Ctx, q.Actor, q.Team, ref, st, reason)
	if err != nil {
		return Reply{}, err
	}
	rep := r.changedCard(q, ch, "status.done."+string(st))
	for _, t := range coach.StatusTips(st, reason) {
		rep.Add(Context{Text: q.tip(t)})
	}
	return rep, nil
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
		// one coach.DealExport per line: everything a deal holds
		views, err := r.svc.Export(q.Ctx, q.Actor, q.Team)
		if err != nil {
			return Reply{}, err
		}
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for _, v := range views {
			if err := enc.Encode(v); err != nil {
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
	if q.Team.SeesOthers(q.Actor.User) {
		rep.Add(Divider{}, Heading{Text: q.T("home.team", "n", strconv.Itoa(len(team)))})
		if len(team) > 0 {
			rep.Add(Text{Text: strings.Join(team, "\n")})
		}
	}
	return rep, nil
}

// newDealForm asks for a new deal's fields.
func (r *Router) newDealForm(q *Request) Reply {
	f := Form{ID: "new", Title: q.T("form.new.title"), Submit: q.T("form.submit"), Command: "new",
		Fields: []FormField{
			{Key: "name", Label: q.T("field.name"), Kind: "text", Required: true},
			{Key: "customer", Label: q.T("field.customer"), Kind: "text"},
			{Key: "value", Label: q.T("field.value"), Kind: "text", Hint: "1.2m, 500k, 120万"},
			{Key: "close", Label: q.T("field.close"), Kind: "date"},
			{Key: "industry", Label: q.T("field.industry"), Kind: "text"},
		}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
}

// stageInfo renders what stage n asks for.
func (r *Router) stageInfo(q *Request, n int) Reply {
	st := r.pb.Stage(n)
	var rep Reply
	rep.Add(Heading{Text: q.stageName(n)})
	rep.Add(Fields{Items: []Field{
		{Label: q.T("field.buyer"), Value: st.BuyerStage.In(q.Lang)},
		{Label: q.T("stage.end_signal"), Value: st.EndSignal.In(q.Lang)},
		{Label: q.T("stage.milestone"), Value: st.MilestoneName.In(q.Lang)},
		{Label: q.T("field.win"), Value: strconv.Itoa(st.WinProbability) + "%"},
	}})
	rep.Add(Text{Text: st.Goal.In(q.Lang)})
	list := func(title string, items []playbook.Item) {
		if len(items) == 0 {
			return
		}
		var lines []string
		for _, it := range items {
			lines = append(lines, "• "+it.ID+" "+it.Text.In(q.Lang))
		}
		rep.Add(Text{Text: title + "\n" + strings.Join(lines, "\n")})
	}
	list(q.T("stage.milestone_items"), st.Milestone)
	list(q.T("stage.success_items"), st.Success)
	list(q.T("stage.relationship_items"), st.Relationship)
	if len(st.Info) > 0 {
		var lines []string
		for _, g := range st.Info {
			var keys []string
			for _, f := range g.Fields {
				keys = append(keys, f.Key)
			}
			lines = append(lines, "• "+g.ID+" "+g.Name.In(q.Lang)+" ("+strings.Join(keys, ", ")+")")
		}
		rep.Add(Text{Text: q.T("stage.info") + "\n" + strings.Join(lines, "\n")})
	}
	if len(st.Evaluation) > 0 {
		var lines []string
		for _, e := range st.Evaluation {
			lines = append(lines, "• "+e.ID+" "+e.Text.In(q.Lang))
		}
		rep.Add(Text{Text: q.T("stage.evaluation") + "\n" + strings.Join(lines, "\n")})
	}
	if len(st.Tools) > 0 {
		var lines []string
		for _, t := range st.Tools {
			lines = append(lines, "• "+t.ID+" "+t.Name.In(q.Lang))
		}
		rep.Add(Text{Text: q.T("stage.tools") + "\n" + strings.Join(lines, "\n")})
	}
	return rep
}
