package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/bot/chart"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// reportCommands are the managers' views: pipeline, digest, scorecards,
// forecast (texts in report_messages.go).
func (r *Router) reportCommands() []*Command {
	return []*Command{
		{Name: "pipeline", Aliases: []string{"漏斗"}, Usage: "[mine|team]", Group: "manager", Run: r.cmdPipeline},
		{Name: "digest", Aliases: []string{"周报"}, Group: "manager", Run: r.cmdDigest},
		{Name: "scorecard", Aliases: []string{"评分卡", "考核"}, Usage: "[user]", Group: "manager",
			Examples: []string{"scorecard", "scorecard U123"}, Run: r.cmdScorecard},
		{Name: "forecast", Aliases: []string{"预测"}, Usage: "[quarter]", Group: "manager",
			Examples: []string{"forecast", "forecast next", "forecast 2027Q1", "预测 下季度"}, Run: r.cmdForecast},
	}
}

func (r *Router) cmdPipeline(q *Request) (Reply, error) {
	scope := coach.ScopeTeam
	if w := strings.ToLower(q.Args.Word(0)); w == "mine" || w == "我的" {
		scope = coach.ScopeMine
	}
	stats, err := r.svc.PipelineFor(q.Ctx, q.Actor, q.Team, scope)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	rep.Add(Heading{Text: q.T("pipeline.title")})
	bars := make([]chart.Bar, len(stats))
	for i, s := range stats {
		bars[i] = chart.Bar{Label: strconv.Itoa(s.Stage), Value: int64(s.Count)}
	}
	if png, err := chart.Bars(bars); err == nil {
		rep.Add(Image{PNG: png, Title: q.T("pipeline.chart_title"), Alt: q.T("pipeline.chart_alt")})
	} else {
		r.log.Warn("funnel chart", "err", err)
	}
	rep.Add(q.funnelBlocks(stats)...)
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
		lines = append(lines, q.T("pipeline.row", "stage", name, "n", strconv.Itoa(s.Count), "value", q.money(s.Value, ""), "weighted", q.money(s.Weighted, "")))
		total += s.Value
		weighted += s.Weighted
		count += s.Count
	}
	return []Block{
		Text{Text: strings.Join(lines, "\n")},
		Context{Text: q.T("pipeline.total", "n", strconv.Itoa(count), "value", q.money(total, ""), "weighted", q.money(weighted, ""))},
	}
}

func (r *Router) cmdDigest(q *Request) (Reply, error) {
	d, err := r.svc.DigestFor(q.Ctx, q.Actor, q.Team, q.now())
	if err != nil {
		return Reply{}, err
	}
	out := r.digestReply(q, d)
	out.Ephemeral = true
	return out, nil
}

func (r *Router) cmdScorecard(q *Request) (Reply, error) {
	rep := ""
	if w := q.Args.Word(0); w != "" {
		rep = r.memberRef(q.Team, w)
	}
	week, quarter, _, err := r.svc.Scorecards(q.Ctx, q.Team, q.Actor.User, rep, q.now())
	if err != nil {
		return Reply{}, err
	}
	var out Reply
	out.Ephemeral = true
	out.Add(Heading{Text: q.T("scorecard.title")})
	if len(week) == 0 {
		out.Add(Text{Text: q.T("scorecard.none")})
	}
	byRep := map[string]coach.RepScore{}
	for _, s := range quarter {
		byRep[s.Rep] = s
	}
	for _, w := range week {
		out.Add(Divider{}, Heading{Text: q.memberName(w.Rep)}, Text{Text: r.scoreLines(q, w, byRep[w.Rep])})
	}
	out.Add(Context{Text: q.T("scorecard.hint")})
	out.Summary = q.T("scorecard.title")
	return out, nil
}

// scoreLines renders a rep's week and quarter scorecards: each evaluation
// item achieved in the quarter with its week and quarter counts, then the
// process adherence.
func (r *Router) scoreLines(q *Request, week, quarter coach.RepScore) string {
	var lines []string
	for _, e := range coach.EvalItems(r.pb) {
		w, qt := week.Items[e.ID], quarter.Items[e.ID]
		if w == 0 && qt == 0 {
			continue
		}
		lines = append(lines, q.T("scorecard.item", "id", e.ID, "text", e.Text.In(q.Lang), "week", strconv.Itoa(w), "quarter", strconv.Itoa(qt)))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("scorecard.no_items"))
	}
	lines = append(lines, q.T("scorecard.adherence",
		"ticks", strconv.Itoa(week.Ticks), "late", strconv.Itoa(week.OutOfOrder),
		"qticks", strconv.Itoa(quarter.Ticks), "qlate", strconv.Itoa(quarter.OutOfOrder),
		"stalled", strconv.Itoa(week.Stalled)))
	if week.WonOverrides > 0 || quarter.WonOverrides > 0 {
		lines = append(lines, q.T("scorecard.won_overrides", "week", strconv.Itoa(week.WonOverrides), "quarter", strconv.Itoa(quarter.WonOverrides)))
	}
	return strings.Join(lines, "\n")
}

// compact writes an amount in three significant digits for the digest and
// the forecast: zh in 万 and 亿 (120万, 1.35亿), en with K, M and B (1.2M,
// 360K); small amounts in full. Exact amounts are money's.
func (q *Request) compact(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	var s string
	if q.Lang == playbook.ZH {
		switch {
		case v >= 100_000_000:
			s = units(v, 100_000_000) + "亿"
		case v >= 10_000:
			s = units(v, 10_000) + "万"
		default:
			s = strconv.FormatInt(v, 10)
		}
	} else {
		switch {
		case v >= 1_000_000_000:
			s = units(v, 1_000_000_000) + "B"
		case v >= 1_000_000:
			s = units(v, 1_000_000) + "M"
		case v >= 10_000:
			s = units(v, 1_000) + "K"
		default:
			s = FormatMoney(v, "")
		}
	}
	if neg {
		return "-" + s
	}
	return s
}

// units is v/unit with up to three significant digits, trailing zeros
// dropped: 1.35, 12.5, 120, 3500.
func units(v, unit int64) string {
	x := float64(v) / float64(unit)
	prec := 2
	switch {
	case x >= 100:
		prec = 0
	case x >= 10:
		prec = 1
	}
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// delta writes a change: "+12万", "-30万", "±0".
func (q *Request) delta(v int64) string {
	switch {
	case v > 0:
		return "+" + q.compact(v)
	case v < 0:
		return q.compact(v)
	}
	return "±0"
}

// monthName is "Dec 2026" or "2026年12月" for a "2026-12" key.
func (q *Request) monthName(key string) string {
	y, m, ok := coach.MonthLabel(key)
	if !ok {
		return key
	}
	if q.Lang == playbook.ZH {
		return fmt.Sprintf("%d年%d月", y, m)
	}
	return m.String()[:3] + " " + strconv.Itoa(y)
}

// quarterName is "Q4 2026" or "2026年第四季度".
func (q *Request) quarterName(qt coach.Quarter) string {
	if q.Lang == playbook.ZH {
		return fmt.Sprintf("%d年第%s季度", qt.Year, []string{"", "一", "二", "三", "四"}[qt.Q])
	}
	return fmt.Sprintf("Q%d %d", qt.Q, qt.Year)
}

// stageState is "stage 4 reached" or "stage 4 completed".
func (q *Request) stageState(reached, completed int) string {
	switch {
	case reached == 0:
		return q.T("digest.stage_none")
	case completed >= reached:
		return q.T("digest.stage_completed", "n", strconv.Itoa(completed))
	}
	return q.T("digest.stage_reached", "n", strconv.Itoa(reached))
}

// figures fills the open/weighted/commit/best placeholders, with the
// change since prev when there is a baseline.
func (q *Request) figures(key string, f, prev coach.Figures, base bool, kv ...string) string {
	kv = append(kv, "open", q.compact(f.Open), "weighted", q.compact(f.Weighted), "commit", q.compact(f.Commit), "best", q.compact(f.BestCase), "n", strconv.Itoa(f.Deals))
	if !base {
		return q.T(key+"_nobase", kv...)
	}
	return q.T(key, append(kv, "dopen", q.delta(f.Open-prev.Open), "dweighted", q.delta(f.Weighted-prev.Weighted),
		"dcommit", q.delta(f.Commit-prev.Commit), "dbest", q.delta(f.BestCase-prev.BestCase))...)
}

// weightedChart draws the weighted value per month stacked by stage group.
func (r *Router) weightedChart(q *Request, months []coach.MonthFigures, title string) (Block, bool) {
	cols := make([]chart.Column, len(months))
	for i, m := range months {
		cols[i] = chart.Column{Label: m.Month, Parts: m.WeightedBy[:]}
	}
	png, err := chart.Stacked(cols)
	if err != nil {
		r.log.Warn("forecast chart", "err", err)
		return nil, false
	}
	return Image{PNG: png, Title: title, Alt: q.T("forecast.chart_alt", "best", strconv.Itoa(r.pb.BestCase()), "commit", strconv.Itoa(r.pb.Commit()))}, true
}

// digestReply renders a weekly digest top to bottom: the pipeline at a
// glance, the changes since last week, the deals that need attention, one
// line per rep with a coaching focus, and the scorecard gaps. Each part is
// a section (Slack and Lark); the console prints the same text.
func (r *Router) digestReply(q *Request, d *coach.Digest) Reply {
	var rep Reply
	name := d.Team.Name
	if name == "" {
		name = d.Team.ID
	}
	base := !d.Baseline.IsZero()
	rep.Add(Heading{Text: q.T("digest.title", "team", name, "from", d.From.In(q.Loc).Format("2006-01-02"), "to", d.To.In(q.Loc).Format("2006-01-02"))})

	// pipeline at a glance
	p := d.Pipeline
	rep.Add(Divider{}, Heading{Text: q.T("digest.pipeline")}, Text{Text: q.figures("digest.total", p.Total, p.Prev, base)})
	var months []string
	var shown []coach.MonthFigures
	for _, m := range p.Months {
		if m.Deals == 0 && m.Prev.Deals == 0 {
			continue
		}
		shown = append(shown, m)
		months = append(months, q.figures("digest.month", m.Figures, m.Prev, base, "month", q.monthName(m.Month)))
	}
	if len(months) == 0 {
		months = append(months, q.T("digest.months_none"))
	}
	rep.Add(Text{Text: strings.Join(months, "\n")})
	if len(shown) > 0 {
		if img, ok := r.weightedChart(q, p.Months, q.T("digest.chart_title")); ok {
			rep.Add(img)
		}
	}
	if !base {
		rep.Add(Context{Text: q.T("digest.no_baseline")})
	}

	// changes since last week
	c := d.Changes
	rep.Add(Divider{}, Heading{Text: q.T("digest.changes", "n", strconv.Itoa(c.Len()+c.More))})
	var lines []string
	deal := func(key string, x *coach.Deal, kv ...string) {
		lines = append(lines, q.T(key, append([]string{"id", x.ID, "name", x.Name, "value", q.compact(x.Value), "owner", q.memberName(x.Owner)}, kv...)...))
	}
	for _, x := range c.Won {
		deal("digest.change.won", x)
		if x.WonOverride {
			lines[len(lines)-1] += " " + q.T("digest.move.override")
		}
	}
	for _, x := range c.Lost {
		reason := x.LostReason
		if reason == "" {
			reason = q.T("digest.no_reason")
		}
		if x.Competitor != "" {
			reason += " · " + q.T("digest.competitor", "competitor", x.Competitor)
		}
		deal("digest.change.lost", x, "reason", reason)
	}
	for _, x := range c.Slipped {
		deal("digest.change.slipped", x.Deal, "from", x.From, "to", x.To)
	}
	for _, m := range c.Moved {
		key := "digest.change.moved"
		if !m.Up() {
			key = "digest.change.back"
		}
		deal(key, m.Deal, "from", q.stageState(m.FromReached, m.FromCompleted), "to", q.stageState(m.ToReached, m.ToCompleted))
	}
	for _, x := range c.PulledIn {
		deal("digest.change.pulled", x.Deal, "from", x.From, "to", x.To)
	}
	for _, x := range c.New {
		deal("digest.change.new", x)
	}
	if c.More > 0 {
		lines = append(lines, q.T("digest.changes_more", "n", strconv.Itoa(c.More)))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("digest.changes_none"))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})

	// needs attention
	n := len(d.Attention) + d.AttentionMore
	rep.Add(Divider{}, Heading{Text: q.T("digest.attention", "n", strconv.Itoa(n))})
	lines = lines[:0]
	for _, a := range d.Attention {
		next := q.T("digest.next_none")
		if a.Next != "" {
			next = a.Next
			if it, ok := r.pb.Item(a.Next); ok {
				next += " " + it.Text.In(q.Lang)
			}
		}
		lines = append(lines, q.T("digest.attention_line", "id", a.Deal.ID, "name", a.Deal.Name, "value", q.compact(a.Deal.Value),
			"owner", q.memberName(a.Deal.Owner), "why", q.flagShort(a.Assessment), "next", next))
	}
	if d.AttentionMore > 0 {
		lines = append(lines, q.T("digest.attention_more", "n", strconv.Itoa(d.AttentionMore)))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("digest.attention_none"))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})

	// one line per rep
	rep.Add(Divider{}, Heading{Text: q.T("digest.reps")})
	lines = lines[:0]
	for _, l := range d.Reps {
		lines = append(lines, q.figures("digest.rep", l.Figures, l.Prev, base, "rep", q.memberName(l.Rep),
			"moves", strconv.Itoa(l.Moves), "focus", r.focusText(q, l.Focus)))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("scorecard.none"))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})

	// scorecard gaps
	rep.Add(Divider{}, Heading{Text: q.T("digest.gaps")})
	lines = lines[:0]
	for _, g := range d.Gaps {
		lines = append(lines, q.T("digest.gap_line", "rep", q.memberName(g.Quarter.Rep), "stalled", strconv.Itoa(g.Quarter.Stalled),
			"late", strconv.Itoa(g.Quarter.OutOfOrder), "items", strconv.Itoa(g.Quarter.Achieved())))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("digest.gaps_none"))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")}, Context{Text: q.T("digest.gaps_hint")})

	rep.Summary = q.T("digest.summary", "team", name, "weighted", q.compact(p.Total.Weighted), "changes", strconv.Itoa(c.Len()+c.More), "flagged", strconv.Itoa(n))
	return rep
}

// focusText names the technique to coach and where the deals stall.
func (r *Router) focusText(q *Request, f *coach.Focus) string {
	if f == nil || len(f.Techniques) == 0 {
		return q.T("digest.focus_none")
	}
	var techs []string
	for i, id := range f.Techniques {
		if i == 2 {
			break
		}
		name := id
		if t, ok := r.pb.Technique(id); ok {
			name = id + " " + t.Name.In(q.Lang)
		}
		techs = append(techs, name)
	}
	kv := []string{"tech", strings.Join(techs, q.T("digest.focus_sep")), "n", strconv.Itoa(f.Deals), "stage", strconv.Itoa(f.Stage), "item", f.Item}
	switch {
	case f.Flag != "":
		return q.T("digest.focus_flag", append(kv, "flag", q.T("flagshort."+f.Flag, "days", "…"))...)
	case f.Stage == 0:
		return q.T("digest.focus_buyer", kv...)
	case f.Item == "":
		return q.T("digest.focus_stage", kv...)
	}
	return q.T("digest.focus", kv...)
}

// forecastReps is how many rep rows the forecast lists.
const forecastReps = 15

func (r *Router) cmdForecast(q *Request) (Reply, error) {
	f, err := r.svc.Forecast(q.Ctx, q.Team, q.Actor.User, q.Args.Rest(0))
	if err != nil {
		return Reply{}, err
	}
	out := r.forecastReply(q, f)
	out.Ephemeral = true
	return out, nil
}

// forecastReply renders a quarter's forecast: the totals, the chart
// (weighted by month, stacked by stage group), the months, the reps and
// the deals without a close date.
func (r *Router) forecastReply(q *Request, f *coach.Forecast) Reply {
	var rep Reply
	base := !f.Baseline.IsZero()
	title := q.T("forecast.title", "quarter", q.quarterName(f.Quarter))
	rep.Add(Heading{Text: title}, Text{Text: q.figures("forecast.total", f.Total, f.Prev, base)})
	if img, ok := r.weightedChart(q, f.Months, title); ok {
		rep.Add(img, Context{Text: q.T("forecast.legend", "best", strconv.Itoa(r.pb.BestCase()), "commit", strconv.Itoa(r.pb.Commit()))})
	}
	var lines []string
	for _, m := range f.Months {
		lines = append(lines, q.figures("digest.month", m.Figures, m.Prev, base, "month", q.monthName(m.Month)))
	}
	rep.Add(Divider{}, Heading{Text: q.T("forecast.months")}, Text{Text: strings.Join(lines, "\n")})
	lines = lines[:0]
	for i, x := range f.Reps {
		if i == forecastReps {
			lines = append(lines, q.T("forecast.reps_more", "n", strconv.Itoa(len(f.Reps)-forecastReps)))
			break
		}
		var ms []string
		for k, m := range x.Months {
			ms = append(ms, q.monthName(f.Months[k].Month)+" "+q.compact(m.Weighted))
		}
		lines = append(lines, q.T("forecast.rep", "rep", q.memberName(x.Rep), "weighted", q.compact(x.Total.Weighted), "commit", q.compact(x.Total.Commit), "months", strings.Join(ms, " · ")))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("scorecard.none"))
	}
	rep.Add(Divider{}, Heading{Text: q.T("forecast.reps")}, Text{Text: strings.Join(lines, "\n")})
	if f.Undated.Deals > 0 {
		rep.Add(Context{Text: q.T("forecast.undated", "n", strconv.Itoa(f.Undated.Deals), "open", q.compact(f.Undated.Open), "weighted", q.compact(f.Undated.Weighted))})
	}
	rep.Summary = q.T("forecast.summary", "quarter", q.quarterName(f.Quarter), "weighted", q.compact(f.Total.Weighted))
	return rep
}

// AlertNotice rendering: one short message to the owner's manager.
func (r *Router) alertReply(q *Request, n coach.AlertNotice) Reply {
	d := n.Deal
	kv := []string{"id", d.ID, "name", d.Name, "value", q.compact(d.Value), "owner", q.memberName(d.Owner)}
	var msg string
	switch n.Kind {
	case coach.AlertSlipped:
		msg = q.T("alert.slipped", append(kv, "from", n.OldClose, "to", n.NewClose)...)
	default:
		msg = q.T("alert.give_up", append(kv, "why", q.T("syncwhy."+n.Sync.Reason, "ours", strconv.Itoa(n.Sync.Ours), "buyer", strconv.Itoa(n.Sync.Buyer)))...)
	}
	return Reply{Summary: msg, Blocks: []Block{
		Text{Text: msg},
		Buttons{Items: []Button{{Label: q.T("btn.open"), Command: "show " + d.ID}}},
	}}
}
