package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// checkCommands tick and untick checklist items and record the buyer's
// stage.
func (r *Router) checkCommands() []*Command {
	return []*Command{
		{Name: "check", Aliases: []string{"勾选", "完成"}, Usage: "<deal> <item>…", Group: "deals", Examples: []string{"check D-1 s1.m1 s1.m2"},
			Run: func(q *Request) (Reply, error) { return r.cmdCheck(q, true) }},
		{Name: "uncheck", Aliases: []string{"取消"}, Usage: "<deal> <item>…", Group: "deals", Examples: []string{"uncheck D-1 s1.m3"},
			Run: func(q *Request) (Reply, error) { return r.cmdCheck(q, false) }},
		{Name: "buyer", Aliases: []string{"客户阶段"}, Usage: "<deal> <0-8>", Group: "deals", Examples: []string{"buyer D-1 2"}, Run: r.cmdBuyer},
	}
}

func (r *Router) cmdCheck(q *Request, on bool) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	res, err := r.svc.Check(q.Ctx, q.Actor, q.Team, ref, SplitItems(q.Args.Words[1:]), on)
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
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	w := strings.TrimPrefix(strings.ToUpper(q.Args.Word(1)), "C")
	n, err := strconv.Atoi(w)
	if err != nil {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "buyer", "value", q.Args.Word(1), "expected", "0-"+strconv.Itoa(len(r.pb.Stages)))
	}
	ch, err := r.svc.SetBuyerStage(q.Ctx, q.Actor, q.Team, ref, n)
	if err != nil {
		return Reply{}, err
	}
	p := coach.Evaluate(r.pb, ch.After)
	return r.changedCard(q, ch, "buyer.done", "buyer", q.buyerName(n), "sync", q.syncLine(coach.BuyerSync(p, n))), nil
}

// tickNotes says what a tick did: the items, stages reached or completed,
// and items that count only later.
func (r *Router) tickNotes(q *Request, res coach.CheckResult) []string {
	var notes []string
	for _, id := range res.Applied {
		key := "tick.unchecked"
		if res.Change.After.IsChecked(id) {
			key = "tick.checked"
		}
		notes = append(notes, q.T(key, "item", q.itemLabel(id)))
	}
	return append(notes, r.tickOutcome(q, res)...)
}

// tickOutcome is what a tick meant beyond the items themselves: items
// left unchanged, items that count later, stages reached, completed or
// fallen back, tips.
func (r *Router) tickOutcome(q *Request, res coach.CheckResult) []string {
	var notes []string
	for _, id := range res.Unchanged {
		notes = append(notes, q.T("tick.unchanged", "item", id))
	}
	if len(res.Later) > 0 {
		notes = append(notes, r.laterNotes(q, res.Later, max(res.After.Active, 1), "tick.later", "tick.later_reach")...)
	}
	if res.After.Reached > res.Before.Reached {
		notes = append(notes, q.T("tick.reached", "stage", q.stageName(res.After.Reached), "win", strconv.Itoa(res.After.WinProbability)))
	}
	if res.After.Completed > res.Before.Completed {
		notes = append(notes, q.T("tick.completed", "stage", q.stageName(res.After.Completed)))
	}
	if res.After.Reached < res.Before.Reached || res.After.Completed < res.Before.Completed {
		notes = append(notes, q.T("tick.fell_back", "status", q.progressLabel(res.After)))
	}
	for _, tip := range res.Tips {
		notes = append(notes, q.tip(tip))
	}
	return notes
}

// tickAction applies a checklist click: items shown and now selected are
// ticked, items shown and no longer selected are unticked, in one update.
func (r *Router) tickAction(q *Request, a *Action) (Reply, error) {
	res, err := r.svc.TickSelection(q.Ctx, q.Actor, q.Team, a.Deal, a.Options, a.Selected) // one read, one update
	if err != nil {
		return Reply{}, err
	}
	rep := r.dealCard(q, res.After, res.Change.After)
	rep.Replace = true
	notes := r.tickNotes(q, res)
	if len(notes) > 0 {
		rep.Blocks = append([]Block{Context{Text: strings.Join(notes, "\n")}}, rep.Blocks...)
	}
	return rep, nil
}

// laterNotes say why ticked items do not count yet, by the real condition
// (coach.PendingReason): milestone and relationship items wait for the
// earlier stages (earlierKey), success items for their own stage to be
// reached (reachKey, one note per stage).
func (r *Router) laterNotes(q *Request, ids []string, active int, earlierKey, reachKey string) []string {
	var earlier []string
	reach := map[int][]string{}
	var stages []int
	for _, id := range ids {
		why, st := coach.PendingReason(r.pb, id)
		if why == coach.PendingReach {
			if _, ok := reach[st]; !ok {
				stages = append(stages, st)
			}
			reach[st] = append(reach[st], id)
			continue
		}
		earlier = append(earlier, id)
	}
	var out []string
	if len(earlier) > 0 {
		out = append(out, q.T(earlierKey, "list", strings.Join(earlier, ", "), "stage", strconv.Itoa(active)))
	}
	slices.Sort(stages)
	for _, st := range stages {
		out = append(out, q.T(reachKey, "list", strings.Join(reach[st], ", "), "stage", strconv.Itoa(st)))
	}
	return out
}
