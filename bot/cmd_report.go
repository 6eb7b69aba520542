package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// reportCommands are the managers' views: pipeline, digest, scorecards.
func (r *Router) reportCommands() []*Command {
	return []*Command{
		{Name: "pipeline", Aliases: []string{"漏斗"}, Usage: "[mine|team]", Group: "manager", Run: r.cmdPipeline},
		{Name: "digest", Aliases: []string{"周报"}, Group: "manager", Run: r.cmdDigest},
		{Name: "scorecard", Aliases: []string{"评分卡", "考核"}, Usage: "[user]", Group: "manager",
			Examples: []string{"scorecard", "scorecard U123"}, Run: r.cmdScorecard},
	}
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

func (r *Router) cmdDigest(q *Request) (Reply, error) {
	if q.Member.Role == coach.RoleRep {
		return Reply{}, coach.Errf(coach.CodeForbidden, "action", "digest")
	}
	rep, err := r.svc.Report(q.Ctx, q.Team, q.now())
	if err != nil {
		return Reply{}, err
	}
	out := r.digestReply(q, rep.For(q.Actor.User))
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
	return strings.Join(lines, "\n")
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
