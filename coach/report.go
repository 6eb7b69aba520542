package coach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// The weekly digest, built in two steps so that a team of any size costs
// one pass over its deals per run, however many managers receive it:
//
//  1. Service.Report reads the team's deals once, assesses each open deal
//     once, builds this week's snapshot, reads the previous one and
//     computes the changes between them and per-owner totals;
//  2. Report.For cuts that down to what one recipient may see, working on
//     the per-owner totals and the precomputed lists only.

// Digest defaults: how much of each list the digest shows (the rest is
// counted, and a command away).
const (
	DigestMaxChanges   = 15 // change lines (won, lost, slipped, moved, pulled in, new)
	DigestMaxAttention = 8  // flagged deals
	DigestMaxGaps      = 3  // scorecard gaps
	// MonthsAhead are the close months the pipeline shows: this quarter
	// and the next.
	MonthsAhead = 6
)

// Stage groups of the forecast, by reached stage.
const (
	GroupEarly    = iota // before the best-case stage
	GroupBestCase        // best case but not commit
	GroupCommit          // commit (playbook Commit and later)
	GroupCount
)

// Figures are pipeline sums over open deals (values in whole currency
// units).
type Figures struct {
	Deals    int
	Open     int64 // Σ value
	Weighted int64 // Σ value × the reached stage's win probability
	Commit   int64 // Σ value of deals at the commit stage or later
	BestCase int64 // Σ value of deals at the best-case stage or later (commit included)
	// WeightedBy splits Weighted by stage group (GroupEarly…GroupCommit).
	WeightedBy [GroupCount]int64
}

func (f *Figures) add(sd *SnapshotDeal, commit, best int) {
	w := sd.Value * int64(sd.Win) / 100
	f.Deals++
	f.Open += sd.Value
	f.Weighted += w
	g := GroupEarly
	if sd.Reached >= best {
		f.BestCase += sd.Value
		g = GroupBestCase
	}
	if sd.Reached >= commit {
		f.Commit += sd.Value
		g = GroupCommit
	}
	f.WeightedBy[g] += w
}

func (f *Figures) plus(g Figures) {
	f.Deals += g.Deals
	f.Open += g.Open
	f.Weighted += g.Weighted
	f.Commit += g.Commit
	f.BestCase += g.BestCase
	for i := range f.WeightedBy {
		f.WeightedBy[i] += g.WeightedBy[i]
	}
}

// MonthFigures are the figures of the deals closing in one month.
type MonthFigures struct {
	Month string // "2026-12"
	Figures
	Prev Figures // the same month in the previous snapshot
}

// PipelineFigures is the pipeline at a glance: all open deals, and by close
// month for this quarter and the next, each beside the previous snapshot.
type PipelineFigures struct {
	Total  Figures
	Prev   Figures // zero without a previous snapshot
	Months []MonthFigures
}

// StageMove is a deal whose reached or completed stage changed since the
// previous snapshot (one entry per deal, whatever it did in between).
type StageMove struct {
	Deal                       *Deal
	FromReached, FromCompleted int
	ToReached, ToCompleted     int
}

// Up reports whether the deal moved forward.
func (m StageMove) Up() bool {
	return m.ToReached > m.FromReached || (m.ToReached == m.FromReached && m.ToCompleted > m.FromCompleted)
}

// CloseChange is a deal whose expected close date moved.
type CloseChange struct {
	Deal     *Deal
	From, To string // YYYY-MM-DD
}

// Changes are what happened since the previous snapshot. Without one
// (a team's first digest) only new, won and lost deals are known, from the
// deals' own dates.
type Changes struct {
	New      []*Deal
	Moved    []StageMove
	Slipped  []CloseChange // close date pushed out
	PulledIn []CloseChange
	Won      []*Deal
	Lost     []*Deal
	// More counts the changes not listed (beyond DigestMaxChanges).
	More int
}

// Len is the number of listed changes.
func (c Changes) Len() int {
	return len(c.New) + len(c.Moved) + len(c.Slipped) + len(c.PulledIn) + len(c.Won) + len(c.Lost)
}

// Attention is a flagged open deal with its one next step.
type Attention struct {
	Assessment
	// Next is the next checklist item to do ("" when none is open).
	Next string
}

// Focus is what a manager should coach a rep on: the focus rule most of
// the rep's flagged deals match (playbook Focus), the stage and item where
// they stall and the techniques to coach.
type Focus struct {
	Rule       string   // "f.meeting"
	Techniques []string // technique ids, most important first
	Flag       string   // the flag the rule is about ("" for stage and buyer rules)
	Stage      int      // the stage where the deals stall (0 for flag and buyer-ahead rules)
	Item       string   // the item most of them miss ("" when none)
	Deals      int      // how many of the rep's flagged deals match
}

// RepLine is one rep's line of the digest.
type RepLine struct {
	Rep     string
	Figures Figures // open deals now
	Prev    Figures // at the previous snapshot
	Moves   int     // stage moves, wins and losses since the previous snapshot
	Flagged int
	Focus   *Focus // nil: nothing to coach
}

// RepGap is a scorecard that lags: stalled deals, ticks out of order, or
// nothing achieved this quarter.
type RepGap struct {
	Week, Quarter RepScore
}

// Report is what the weekly digest knows about a whole team; For cuts it
// down to what one manager or admin may see.
type Report struct {
	pb          *playbook.Playbook
	Team        *Team
	From, To    time.Time    // the week: (From, To]
	QuarterFrom time.Time    // start of To's quarter in the team's timezone
	WeekKey     string       // the snapshot week (SnapshotWeek of To)
	Deals       []*Deal      // created by To
	Flagged     []Assessment // open deals flagged at To, owner then longest idle first
	Week        map[string]*RepScore
	Quarter     map[string]*RepScore
	// Snapshot is this week's (the deals at To); Baseline the previous
	// one, nil when there is none.
	Snapshot *Snapshot
	Baseline *Snapshot

	months   []string
	open     []Assessment // open deals, by number
	changes  []change
	attn     []Attention // flagged, by value
	owners   map[string]*ownerAgg
	repMoves map[string]int
}

// change is one entry of Changes before it is cut per recipient.
type change struct {
	kind  int // order of display: won, lost, slipped, moved, pulled in, new
	value int64
	deal  *Deal
	move  StageMove
	close CloseChange
}

const (
	chWon = iota
	chLost
	chSlipped
	chMoved
	chPulledIn
	chNew
)

type ownerAgg struct {
	total, prev   Figures
	months, prevM [MonthsAhead]Figures
	flagged       int
	focus         *Focus
}

func (r *Report) owner(id string) *ownerAgg {
	o, ok := r.owners[id]
	if !ok {
		o = &ownerAgg{}
		r.owners[id] = o
	}
	return o
}

// monthIndex is the position of a close date among r.months, or -1.
func (r *Report) monthIndex(date string) int {
	if len(date) < 7 {
		return -1
	}
	for i, m := range r.months {
		if date[:7] == m {
			return i
		}
	}
	return -1
}

// closeMonths lists the MonthsAhead months from the quarter's start.
func closeMonths(from time.Time) []string {
	out := make([]string, MonthsAhead)
	for i := range out {
		out[i] = from.AddDate(0, i, 0).Format("2006-01")
	}
	return out
}

// Report builds the team's digest report for the week ending at end. It
// lists the team's deals once, assesses each open deal once, reads the
// previous snapshot, and replays the checklists of the deals changed this
// quarter for the scorecards (from their ticks).
func (s *Service) Report(ctx context.Context, team *Team, end time.Time) (*Report, error) {
	deals, err := s.store.ListDeals(ctx, team.ID)
	if err != nil {
		return nil, fmt.Errorf("team %s: list deals: %w", team.ID, err)
	}
	loc := Location(team, "")
	r := &Report{pb: s.Playbook, Team: team, From: end.Add(-7 * 24 * time.Hour), To: end,
		QuarterFrom: QuarterStart(end, loc), WeekKey: SnapshotWeek(team, end),
		owners: map[string]*ownerAgg{}, repMoves: map[string]int{}}
	r.months = closeMonths(r.QuarterFrom)
	base, err := s.store.SnapshotBefore(ctx, team.ID, r.WeekKey)
	switch {
	case err == nil:
		r.Baseline = base
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("team %s: previous snapshot: %w", team.ID, err)
	}
	r.Snapshot = &Snapshot{Team: team.ID, Week: r.WeekKey, At: end}
	sc := newScoring(s.Playbook, r)
	since := earliest(r.From, r.QuarterFrom)
	for _, d := range deals {
		if d.CreatedAt.After(end) {
			continue
		}
		r.Deals = append(r.Deals, d)
		if !d.UpdatedAt.Before(since) {
			sc.replay(d)
		}
		if d.Open() {
			a := Assess(s.Playbook, team, d, end)
			r.open = append(r.open, a)
			if a.Flagged() {
				r.Flagged = append(r.Flagged, a)
				if a.Stalled() {
					sc.score(r.Week, d.Owner).Stalled++
					sc.score(r.Quarter, d.Owner).Stalled++
				}
			}
		}
	}
	sort.SliceStable(r.Flagged, func(i, j int) bool {
		a, b := r.Flagged[i], r.Flagged[j]
		if a.Deal.Owner != b.Deal.Owner {
			return a.Deal.Owner < b.Deal.Owner
		}
		return a.Idle > b.Idle
	})
	r.aggregate()
	return r, nil
}

// aggregate builds the snapshot, the per-owner figures, the changes since
// the baseline, the attention list and the coaching focus.
func (r *Report) aggregate() {
	commit, best := r.pb.Commit(), r.pb.BestCase()
	r.Snapshot.Deals = make([]SnapshotDeal, 0, len(r.open))
	for _, a := range r.open {
		sd := snapshotOf(a)
		r.Snapshot.Deals = append(r.Snapshot.Deals, sd)
		o := r.owner(a.Deal.Owner)
		o.total.add(&sd, commit, best)
		if i := r.monthIndex(sd.Close); i >= 0 {
			o.months[i].add(&sd, commit, best)
		}
	}
	r.diff()
	focus := map[string]map[string]*Focus{} // owner → rule → focus
	value := map[string]map[string]int64{}
	items := map[string]map[string]map[string]int{} // owner → rule → item → deals
	for _, a := range r.Flagged {
		o := r.owner(a.Deal.Owner)
		o.flagged++
		next, _ := Suggest(r.pb, a.Progress, 0)
		r.attn = append(r.attn, Attention{Assessment: a, Next: next})
		flags := make([]string, len(a.Flags))
		for i, f := range a.Flags {
			flags[i] = f.Code
		}
		rule, ok := r.pb.FocusFor(flags, a.Progress.Active, a.Progress.Missing, a.Deal.BuyerStage, a.Progress.Reached)
		if !ok {
			continue
		}
		own := a.Deal.Owner
		if focus[own] == nil {
			focus[own], value[own], items[own] = map[string]*Focus{}, map[string]int64{}, map[string]map[string]int{}
		}
		f := focus[own][rule.ID]
		if f == nil {
			f = &Focus{Rule: rule.ID, Techniques: rule.Techniques, Flag: rule.Flag, Stage: rule.Stage}
			focus[own][rule.ID] = f
			items[own][rule.ID] = map[string]int{}
		}
		f.Deals++
		value[own][rule.ID] += a.Deal.Value
		for _, id := range a.Progress.Missing {
			if len(rule.Missing) == 0 || slices.Contains(rule.Missing, id) {
				items[own][rule.ID][id]++
				break
			}
		}
	}
	order := map[string]int{}
	for i, fr := range r.pb.Focus {
		order[fr.ID] = i
	}
	for own, rules := range focus {
		var bestF *Focus
		for id, f := range rules {
			if bestF == nil || f.Deals > bestF.Deals ||
				(f.Deals == bestF.Deals && (value[own][id] > value[own][bestF.Rule] ||
					(value[own][id] == value[own][bestF.Rule] && order[id] < order[bestF.Rule]))) {
				bestF = f
			}
		}
		n := 0
		for id, c := range items[own][bestF.Rule] {
			if c > n || (c == n && id < bestF.Item) {
				bestF.Item, n = id, c
			}
		}
		r.owner(own).focus = bestF
	}
	sort.SliceStable(r.attn, func(i, j int) bool {
		a, b := r.attn[i].Deal, r.attn[j].Deal
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		return DealNumber(a.ID) < DealNumber(b.ID)
	})
}

// diff compares the deals at To with the baseline snapshot.
func (r *Report) diff() {
	commit, best := r.pb.Commit(), r.pb.BestCase()
	var prev map[string]*SnapshotDeal
	since := r.From
	if b := r.Baseline; b != nil {
		since = b.At
		prev = make(map[string]*SnapshotDeal, len(b.Deals))
		for i := range b.Deals {
			sd := &b.Deals[i]
			prev[sd.ID] = sd
			o := r.owner(sd.Owner)
			o.prev.add(sd, commit, best)
			if m := r.monthIndex(sd.Close); m >= 0 {
				o.prevM[m].add(sd, commit, best)
			}
		}
	}
	cur := make(map[string]*SnapshotDeal, len(r.Snapshot.Deals))
	for i := range r.Snapshot.Deals {
		cur[r.Snapshot.Deals[i].ID] = &r.Snapshot.Deals[i]
	}
	add := func(c change) {
		r.changes = append(r.changes, c)
		if c.kind != chNew && c.kind != chSlipped && c.kind != chPulledIn {
			r.repMoves[c.deal.Owner]++
		}
	}
	for _, d := range r.Deals {
		was, known := prev[d.ID]
		if !d.Open() {
			// closed since the baseline: open in it, or created and closed
			// in between
			if (known || d.CreatedAt.After(since)) && d.ClosedAt.After(since) && !d.ClosedAt.After(r.To) {
				k := chWon
				if d.Status == StatusLost {
					k = chLost
				}
				add(change{kind: k, value: d.Value, deal: d})
			}
			continue
		}
		now := cur[d.ID]
		if !known {
			if d.CreatedAt.After(since) {
				add(change{kind: chNew, value: d.Value, deal: d})
			}
			continue
		}
		if now.Reached != was.Reached || now.Completed != was.Completed {
			add(change{kind: chMoved, value: d.Value, deal: d, move: StageMove{Deal: d,
				FromReached: was.Reached, FromCompleted: was.Completed, ToReached: now.Reached, ToCompleted: now.Completed}})
		}
		if was.Close != "" && now.Close != "" && was.Close != now.Close {
			k := chSlipped
			if now.Close < was.Close {
				k = chPulledIn
			}
			add(change{kind: k, value: d.Value, deal: d, close: CloseChange{Deal: d, From: was.Close, To: now.Close}})
		}
	}
	sort.SliceStable(r.changes, func(i, j int) bool {
		a, b := r.changes[i], r.changes[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.value != b.value {
			return a.value > b.value
		}
		return DealNumber(a.deal.ID) < DealNumber(b.deal.ID)
	})
}

// Digest is one recipient's weekly digest.
type Digest struct {
	Team        *Team
	For         string
	From, To    time.Time
	QuarterFrom time.Time
	WeekKey     string
	// Baseline is when the previous snapshot was taken (zero: none yet, so
	// stage moves and close-date changes start with the next digest).
	Baseline  time.Time
	Pipeline  PipelineFigures
	Changes   Changes
	Attention []Attention // by value, at most DigestMaxAttention
	// AttentionMore counts the flagged deals not listed.
	AttentionMore int
	Reps          []RepLine // by weighted value
	Gaps          []RepGap  // at most DigestMaxGaps

	// Flagged are all the visible flagged deals (owner, then longest idle);
	// Week and Quarter the full scorecards of the visible reps.
	Flagged []Assessment
	Week    []RepScore
	Quarter []RepScore
}

// visibleOwners is the set of deal owners user may see: themselves, their
// reports, or everyone for an admin (nil means all).
func visibleOwners(t *Team, user string) map[string]bool {
	m, ok := t.Members[user]
	if ok && m.Role == RoleAdmin {
		return nil
	}
	out := map[string]bool{user: true}
	if ok && m.Role == RoleManager {
		for id := range t.Reports(user) {
			out[id] = true
		}
	}
	return out
}

// For returns the digest of one recipient: the deals and reps they may
// see. Its cost grows with the team's owners and the listed changes, not
// with its deals.
func (r *Report) For(user string) *Digest {
	vis := visibleOwners(r.Team, user)
	sees := func(owner string) bool { return vis == nil || vis[owner] }
	d := &Digest{Team: r.Team, For: user, From: r.From, To: r.To, QuarterFrom: r.QuarterFrom, WeekKey: r.WeekKey}
	if r.Baseline != nil {
		d.Baseline = r.Baseline.At
	}
	d.Pipeline.Months = make([]MonthFigures, MonthsAhead)
	for i := range d.Pipeline.Months {
		d.Pipeline.Months[i].Month = r.months[i]
	}
	owners := make([]string, 0, len(r.owners))
	for id := range r.owners {
		if sees(id) {
			owners = append(owners, id)
		}
	}
	sort.Strings(owners)
	for _, id := range owners {
		o := r.owners[id]
		d.Pipeline.Total.plus(o.total)
		d.Pipeline.Prev.plus(o.prev)
		for i := range o.months {
			d.Pipeline.Months[i].Figures.plus(o.months[i])
			d.Pipeline.Months[i].Prev.plus(o.prevM[i])
		}
	}
	// reps: the visible reps, and any other visible owner with open deals
	reps := map[string]bool{}
	for id, m := range r.Team.Members {
		if m.Role == RoleRep && sees(id) {
			reps[id] = true
		}
	}
	for _, id := range owners {
		if r.owners[id].total.Deals > 0 || r.owners[id].prev.Deals > 0 {
			reps[id] = true
		}
	}
	for id := range reps {
		line := RepLine{Rep: id, Moves: r.repMoves[id]}
		if o, ok := r.owners[id]; ok {
			line.Figures, line.Prev, line.Flagged, line.Focus = o.total, o.prev, o.flagged, o.focus
		}
		d.Reps = append(d.Reps, line)
	}
	slices.SortFunc(d.Reps, func(a, b RepLine) int {
		if c := cmp.Compare(b.Figures.Weighted, a.Figures.Weighted); c != 0 {
			return c
		}
		return cmp.Compare(a.Rep, b.Rep)
	})
	n := 0
	for _, c := range r.changes {
		if !sees(c.deal.Owner) {
			continue
		}
		if n == DigestMaxChanges {
			d.Changes.More++
			continue
		}
		n++
		ch := &d.Changes
		switch c.kind {
		case chWon:
			ch.Won = append(ch.Won, c.deal)
		case chLost:
			ch.Lost = append(ch.Lost, c.deal)
		case chSlipped:
			ch.Slipped = append(ch.Slipped, c.close)
		case chPulledIn:
			ch.PulledIn = append(ch.PulledIn, c.close)
		case chMoved:
			ch.Moved = append(ch.Moved, c.move)
		case chNew:
			ch.New = append(ch.New, c.deal)
		}
	}
	for _, a := range r.attn {
		if !sees(a.Deal.Owner) {
			continue
		}
		if len(d.Attention) == DigestMaxAttention {
			d.AttentionMore++
			continue
		}
		d.Attention = append(d.Attention, a)
	}
	for _, a := range r.Flagged {
		if sees(a.Deal.Owner) {
			d.Flagged = append(d.Flagged, a)
		}
	}
	d.Week = r.scores(r.Week, sees)
	d.Quarter = r.scores(r.Quarter, sees)
	d.Gaps = gaps(d.Week, d.Quarter)
	return d
}

// gaps picks the scorecards that lag most: stalled deals and ticks out of
// order weigh most; a rep who achieved nothing this quarter lags too.
func gaps(week, quarter []RepScore) []RepGap {
	byRep := map[string]RepScore{}
	for _, s := range week {
		byRep[s.Rep] = s
	}
	type scored struct {
		g     RepGap
		score int
	}
	var list []scored
	for _, q := range quarter {
		score := 2*q.Stalled + q.OutOfOrder
		if q.Achieved() == 0 {
			score++
		}
		if score > 0 {
			list = append(list, scored{RepGap{Week: byRep[q.Rep], Quarter: q}, score})
		}
	}
	slices.SortStableFunc(list, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	var out []RepGap
	for i, x := range list {
		if i == DigestMaxGaps {
			break
		}
		out = append(out, x.g)
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// scores lists the visible reps' scores, by rep id; reps without activity
// get an empty row so a manager sees who did nothing.
func (r *Report) scores(m map[string]*RepScore, sees func(string) bool) []RepScore {
	reps := map[string]bool{}
	for id, mem := range r.Team.Members {
		if mem.Role == RoleRep && sees(id) {
			reps[id] = true
		}
	}
	for id := range m {
		if sees(id) {
			reps[id] = true
		}
	}
	ids := make([]string, 0, len(reps))
	for id := range reps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]RepScore, 0, len(ids))
	for _, id := range ids {
		if s, ok := m[id]; ok {
			out = append(out, *s)
		} else {
			out = append(out, RepScore{Rep: id, Items: map[string]int{}})
		}
	}
	return out
}

// MonthLabel parses a "2006-01" month key.
func MonthLabel(key string) (year int, month time.Month, ok bool) {
	if len(key) != 7 || key[4] != '-' {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(key[:4])
	mo, err2 := strconv.Atoi(key[5:])
	if err1 != nil || err2 != nil || mo < 1 || mo > 12 {
		return 0, 0, false
	}
	return y, time.Month(mo), true
}
