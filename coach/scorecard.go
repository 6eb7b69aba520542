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

// checklistEvents rebuilds the events the scorecard replay needs from the
// deal itself: its creation, then one check per ticked item at its tick
// time (ties in playbook order).
func checklistEvents(pb *playbook.Playbook, d *Deal) []Event {
	evs := make([]Event, 0, len(d.Checked)+2)
	evs = append(evs, Event{Kind: "create", At: d.CreatedAt})
	for id, c := range d.Checked {
		evs = append(evs, Event{Kind: "check", Field: id, At: c.At, By: c.By})
	}
	order := func(id string) int {
		if it, ok := pb.Item(id); ok {
			return it.Stage*1000 + kindRank[it.Kind]*100 + itemNumber(id)
		}
		return 1 << 30
	}
	slices.SortStableFunc(evs[1:], func(a, b Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := cmp.Compare(order(a.Field), order(b.Field)); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	return evs
}

var kindRank = map[string]int{playbook.KindMilestone: 0, playbook.KindSuccess: 1, playbook.KindRelationship: 2}

// itemNumber is K of "sN.xK" (0 if malformed).
func itemNumber(id string) int {
	n, _ := strconv.Atoi(id[min(len(id), 4):])
	return n
}

// replay walks a deal's creation and ticks (checklistEvents) up to the
// report's end: it credits the evaluation items achieved and the ticks (in
// order or not) of the week and the quarter.
func (sc *scoring) replay(d *Deal, evs []Event) {
	r := sc.r
	state := &Deal{Checked: map[string]Check{}}
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
				if _, ok := state.Checked[strings.ToLower(x)]; !ok {
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
	for _, e := range evs {
		if e.At.After(r.To) {
			break
		}
		switch e.Kind {
		case "create":
			state.Checked[CreatedItem] = Check{At: e.At}
			achieve(CreatedItem, e.At)
		case "check":
			id := strings.ToLower(e.Field)
			state.Checked[id] = Check{By: e.By, At: e.At}
			late := !countsNow(sc.pb, state.Checked, id)
			credit(e.At, func(s *RepScore) {
				s.Ticks++
				if late {
					s.OutOfOrder++
				}
			})
			achieve(id, e.At)
		}
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
