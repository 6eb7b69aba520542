package coach

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Process scorecards (spec §2.3): reps are appraised on the process, not
// only on orders. An evaluation item sN.eK (playbook EvalItem) counts for
// a rep in a period once per deal of theirs on which all of its Items
// became ticked during the period (the pseudo item "created" is the deal's
// creation). Adherence adds the ticks made out of order — items ticked
// while they did not count yet, found by replaying the deal's ticks in
// time order through the stage rules — and the rep's stalled deals.
//
// The replay reads the deal's checklist (each tick keeps who and when),
// not its event history: one pass over the listed deals, right even when
// history is trimmed. A tick that was undone is no credit; an item ticked
// again counts at its latest tick.

// CreatedItem is the pseudo checklist id of a deal's creation in
// EvalItem.Items.
const CreatedItem = "created"

// RepScore is one rep's scorecard for a period.
type RepScore struct {
	Rep string
	// Items: evaluation item id → deals on which it was achieved in the
	// period.
	Items map[string]int
	// Ticks are the checklist items ticked in the period; OutOfOrder those
	// of them that did not count yet when ticked.
	Ticks      int
	OutOfOrder int
	// Stalled are the rep's deals stalled at the end of the period.
	Stalled int
	// WonOverrides are the rep's wins confirmed below the last stage.
	WonOverrides int
}

// Achieved is the total of the rep's evaluation items.
func (r RepScore) Achieved() int {
	n := 0
	for _, v := range r.Items {
		n += v
	}
	return n
}

// EvalItems lists the playbook's evaluation items in order.
func EvalItems(pb *playbook.Playbook) []*playbook.EvalItem {
	var out []*playbook.EvalItem
	for i := range pb.Stages {
		for k := range pb.Stages[i].Evaluation {
			out = append(out, &pb.Stages[i].Evaluation[k])
		}
	}
	return out
}

type scoring struct {
	pb     *playbook.Playbook
	r      *Report
	byItem map[string][]*playbook.EvalItem // checklist id → evaluation items needing it
}

func newScoring(pb *playbook.Playbook, r *Report) *scoring {
	r.Week, r.Quarter = map[string]*RepScore{}, map[string]*RepScore{}
	sc := &scoring{pb: pb, r: r, byItem: map[string][]*playbook.EvalItem{}}
	for _, e := range EvalItems(pb) {
		for _, id := range e.Items {
			sc.byItem[strings.ToLower(id)] = append(sc.byItem[strings.ToLower(id)], e)
		}
	}
	return sc
}

func (sc *scoring) score(m map[string]*RepScore, rep string) *RepScore {
	s, ok := m[rep]
	if !ok {
		s = &RepScore{Rep: rep, Items: map[string]int{}}
		m[rep] = s
	}
	return s
}

// in reports whether t lies in the period (from, to]: an event at the
// very end of a digest's week belongs to it, so the on-demand digest at
// now includes what just happened.
func in(t, from, to time.Time) bool { return t.After(from) && !t.After(to) }

// tick is one ticked checklist item of a deal, for the replay.
type tick struct {
	id    string
	at    time.Time
	order int // playbook order, for ticks at the same instant
}

// ticksOf lists the deal's ticks in time order (ties in playbook order):
// what the scorecard replay needs, read from the deal itself.
func ticksOf(pb *playbook.Playbook, d *Deal) []tick {
	ts := make([]tick, 0, len(d.Checked))
	for id, c := range d.Checked {
		order := 1 << 30
		if it, ok := pb.Item(id); ok {
			order = it.Stage*1000 + kindRank[it.Kind]*100 + itemNumber(id)
		}
		ts = append(ts, tick{id: strings.ToLower(id), at: c.At, order: order})
	}
	slices.SortFunc(ts, func(a, b tick) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if c := cmp.Compare(a.order, b.order); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return ts
}

var kindRank = map[string]int{playbook.KindMilestone: 0, playbook.KindSuccess: 1, playbook.KindRelationship: 2}

// itemNumber is K of "sN.xK" (0 if malformed).
func itemNumber(id string) int {
	n, _ := strconv.Atoi(id[min(len(id), 4):])
	return n
}

// replay walks a deal's creation and ticks up to the report's end: it
// credits the evaluation items achieved and the ticks (in order or not)
// of the week and the quarter.
func (sc *scoring) replay(d *Deal) {
	r := sc.r
	checked := make(map[string]Check, len(d.Checked)+1)
	achieved := map[string]bool{}
	credit := func(at time.Time, f func(*RepScore)) {
		if in(at, r.From, r.To) {
			f(sc.score(r.Week, d.Owner))
		}
		if in(at, r.QuarterFrom, r.To) {
			f(sc.score(r.Quarter, d.Owner))
		}
	}
	achieve := func(id string, at time.Time) {
		for _, e := range sc.byItem[id] {
			if achieved[e.ID] {
				continue
			}
			done := true
			for _, x := range e.Items {
				if _, ok := checked[strings.ToLower(x)]; !ok {
					done = false
					break
				}
			}
			if done {
				achieved[e.ID] = true
				credit(at, func(s *RepScore) { s.Items[e.ID]++ })
			}
		}
	}
	if d.CreatedAt.After(r.To) {
		return
	}
	checked[CreatedItem] = Check{At: d.CreatedAt}
	achieve(CreatedItem, d.CreatedAt)
	if d.Status == StatusWon && d.WonOverride && !d.ClosedAt.After(r.To) {
		credit(d.ClosedAt, func(s *RepScore) { s.WonOverrides++ })
	}
	for _, t := range ticksOf(sc.pb, d) {
		if t.at.After(r.To) {
			break
		}
		checked[t.id] = Check{At: t.at}
		late := !countsNow(sc.pb, checked, t.id)
		credit(t.at, func(s *RepScore) {
			s.Ticks++
			if late {
				s.OutOfOrder++
			}
		})
		achieve(t.id, t.at)
	}
}

// Scorecards returns the scorecards of the week ending at now and of its
// quarter, for the reps user may see: a rep only themselves, a manager
// their reports, an admin everyone. When rep is given only that rep's
// cards are returned (CodeForbidden if user may not see them).
func (s *Service) Scorecards(ctx context.Context, team *Team, user, rep string, now time.Time) (week, quarter []RepScore, r *Report, err error) {
	me, ok := team.Members[user]
	if !ok {
		return nil, nil, nil, Errf(CodeUnknownMember, "user", user)
	}
	if rep == "" && me.Role == RoleRep {
		rep = user
	}
	if rep != "" {
		if _, ok := team.Members[rep]; !ok {
			return nil, nil, nil, Errf(CodeUnknownMember, "user", rep)
		}
		if !team.CanSee(user, rep) {
			return nil, nil, nil, Errf(CodeForbidden, "action", "scorecard "+rep)
		}
	}
	r, err = s.Report(ctx, team, now)
	if err != nil {
		return nil, nil, nil, err
	}
	d := r.For(user)
	week, quarter = d.Week, d.Quarter
	if rep != "" {
		pick := func(list []RepScore) []RepScore {
			for _, x := range list {
				if x.Rep == rep {
					return []RepScore{x}
				}
			}
			return []RepScore{{Rep: rep, Items: map[string]int{}}}
		}
		week, quarter = pick(week), pick(quarter)
	}
	return week, quarter, r, nil
}

// countsNow is Evaluate(pb, deal with checked).Counts(id) without
// building the Missing and Pending lists: the replay asks it once per tick
// of every deal changed this quarter.
func countsNow(pb *playbook.Playbook, checked map[string]Check, id string) bool {
	it, ok := pb.Item(id)
	if _, ticked := checked[id]; !ok || !ticked {
		return true // only ticked playbook items can be pending
	}
	reached, completed, n := 0, 0, len(pb.Stages)
	for i := 0; i < n; i++ {
		st := &pb.Stages[i]
		if !allChecked(st.Milestone, checked) {
			break
		}
		reached = i + 1
		if !allChecked(st.Success, checked) {
			break
		}
		completed = i + 1
	}
	active := 0
	switch {
	case reached > completed:
		active = reached
	case completed < n:
		active = completed + 1
	}
	switch {
	case active == 0:
		return true
	case it.Stage > active:
		return false
	case it.Stage == active && it.Kind == playbook.KindSuccess && reached < active:
		return false
	}
	return true
}
