package coach

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Move kinds: what happened to a deal during the digest's week.
const (
	MoveReached   = "reached"
	MoveCompleted = "completed"
	MoveWon       = "won"
	MoveLost      = "lost"
)

// Move is a step a deal took in the week, derived from its history.
type Move struct {
	Deal  *Deal
	Kind  string // MoveReached, MoveCompleted, MoveWon, MoveLost
	Stage int    // the stage reached or completed (0 for won/lost)
	At    time.Time
	// Override: a win confirmed before the deal reached the last stage.
	Override bool
}

// Report is what the weekly digest knows about a whole team; For cuts it
// down to what one manager or admin may see.
type Report struct {
	pb          *playbook.Playbook
	Team        *Team
	From, To    time.Time // the week: (From, To]
	QuarterFrom time.Time // start of To's quarter in the team's timezone
	Deals       []*Deal
	Flagged     []Assessment // open deals flagged at To, owner then longest idle first
	Moves       []Move
	Week        map[string]*RepScore // by rep
	Quarter     map[string]*RepScore
}

// Digest is one recipient's weekly digest.
type Digest struct {
	Team        *Team
	For         string
	From, To    time.Time
	QuarterFrom time.Time
	Flagged     []Assessment
	Moves       []Move
	Funnel      []StageStat
	OutOfSync   []Assessment // catch_up, consider_giving_up, ahead
	Week        []RepScore
	Quarter     []RepScore
}

// DigestSlot returns the team's most recent digest slot at or before now:
// its weekday (Team.DigestWeekday, 0 = Monday, 7 = Sunday) and time
// (Team.DigestTime, default 09:00) in the team's timezone.
func DigestSlot(t *Team, now time.Time) time.Time {
	loc := Location(t, "")
	wd, clock, _ := t.DigestSchedule()
	wd %= 7 // 7 (Sunday) is time.Sunday (0)
	hh, mm, _ := ParseClock(clock)
	l := now.In(loc)
	slot := time.Date(l.Year(), l.Month(), l.Day(), hh, mm, 0, 0, loc)
	slot = slot.AddDate(0, 0, -((int(l.Weekday()) - wd + 7) % 7))
	if slot.After(now) {
		slot = slot.AddDate(0, 0, -7)
	}
	return slot
}

// ParseClock parses "HH:MM" (24 h).
func ParseClock(s string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found || len(ms) != 2 || len(hs) < 1 || len(hs) > 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// QuarterStart is the first instant of t's calendar quarter in loc.
func QuarterStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	q := (int(l.Month()) - 1) / 3
	return time.Date(l.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, loc)
}

// Report builds the team's digest report for the week ending at end: the
// flagged deals at end, the week's moves, and the scorecards of the week
// and of end's quarter. It lists every deal of the team and replays the
// history of those changed this quarter.
func (s *Service) Report(ctx context.Context, team *Team, end time.Time) (*Report, error) {
	deals, err := s.Store.ListDeals(ctx, team.ID)
	if err != nil {
		return nil, fmt.Errorf("team %s: list deals: %w", team.ID, err)
	}
	r := &Report{pb: s.Playbook, Team: team, From: end.Add(-7 * 24 * time.Hour), To: end, QuarterFrom: QuarterStart(end, Location(team, "")), Deals: deals}
	sc := newScoring(s.Playbook, r)
	for _, d := range deals {
		if d.CreatedAt.After(end) {
			continue
		}
		if d.Open() {
			if a := Assess(s.Playbook, team, d, end); a.Flagged() {
				r.Flagged = append(r.Flagged, a)
				if a.Stalled() {
					sc.score(r.Week, d.Owner).Stalled++
					sc.score(r.Quarter, d.Owner).Stalled++
				}
			}
		}
		since := earliest(r.From, r.QuarterFrom)
		if d.UpdatedAt.Before(since) {
			continue // no event in the week or the quarter
		}
		evs, err := s.Store.History(ctx, team.ID, d.ID, 0)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", d.ID, err)
		}
		sc.replay(d, evs)
	}
	sort.SliceStable(r.Flagged, func(i, j int) bool {
		a, b := r.Flagged[i], r.Flagged[j]
		if a.Deal.Owner != b.Deal.Owner {
			return a.Deal.Owner < b.Deal.Owner
		}
		return a.Idle > b.Idle
	})
	sort.SliceStable(r.Moves, func(i, j int) bool { return r.Moves[i].At.Before(r.Moves[j].At) })
	return r, nil
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// For returns the digest of one recipient: the deals and reps they may see.
func (r *Report) For(user string) *Digest {
	t := r.Team
	d := &Digest{Team: t, For: user, From: r.From, To: r.To, QuarterFrom: r.QuarterFrom}
	var deals []*Deal
	for _, x := range r.Deals {
		if t.CanSee(user, x.Owner) && !x.CreatedAt.After(r.To) {
			deals = append(deals, x)
		}
	}
	d.Funnel = Pipeline(r.pb, deals)
	for _, a := range r.Flagged {
		if t.CanSee(user, a.Deal.Owner) {
			d.Flagged = append(d.Flagged, a)
		}
	}
	for _, x := range deals {
		if !x.Open() {
			continue
		}
		a := Assess(r.pb, t, x, r.To)
		switch a.Sync.Verdict {
		case SyncCatchUp, SyncConsiderGivingUp, SyncAhead:
			d.OutOfSync = append(d.OutOfSync, a)
		}
	}
	for _, m := range r.Moves {
		if t.CanSee(user, m.Deal.Owner) {
			d.Moves = append(d.Moves, m)
		}
	}
	d.Week = r.scores(r.Week, user)
	d.Quarter = r.scores(r.Quarter, user)
	return d
}

// scores lists the visible reps' scores, by rep id; reps without activity
// get an empty row so a manager sees who did nothing.
func (r *Report) scores(m map[string]*RepScore, user string) []RepScore {
	reps := map[string]bool{}
	for id, mem := range r.Team.Members {
		if mem.Role == RoleRep && r.Team.CanSee(user, id) {
			reps[id] = true
		}
	}
	for id := range m {
		if r.Team.CanSee(user, id) {
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

// Digests sends each team's weekly digest to its managers and admins once
// the team's slot (DigestSlot) has passed for the current week, in each
// recipient's working hours, once per recipient and week. Run every few
// minutes.
func (j *Jobs) Digests(ctx context.Context, now time.Time) (JobResult, error) {
	return j.digests(ctx, now, false)
}

// DigestNow sends the digest for the week ending at end to every team's
// managers and admins, whatever the weekday, slot or hour (the operator's
// `jobs run digest`). It is idempotent per end time.
func (j *Jobs) DigestNow(ctx context.Context, end time.Time) (JobResult, error) {
	return j.digests(ctx, end, true)
}

func (j *Jobs) digests(ctx context.Context, now time.Time, force bool) (JobResult, error) {
	first := true
	return j.forEachTeam(ctx, "digest", digestLockTTL, func(t *Team, res *JobResult) error {
		end := now
		tag := "run:" + strconv.FormatInt(now.Unix(), 10)
		if !force {
			end = DigestSlot(t, now)
			if end.Before(t.CreatedAt) {
				return nil // no digest for a week before the team existed
			}
			tag = end.In(Location(t, "")).Format("2006-01-02")
		}
		var rep *Report
		for _, u := range Recipients(t) {
			if !force && !WorkingHours(now, Location(t, u)) {
				res.Skipped++
				continue
			}
			if rep == nil {
				var err error
				if rep, err = j.Service.Report(ctx, t, end); err != nil {
					return err
				}
			}
			if !first && j.DigestGap > 0 {
				if err := j.sleep(ctx, j.DigestGap); err != nil {
					return err
				}
			}
			key := fmt.Sprintf("digest:%s:%s:%s", t.ID, u, tag)
			n := DigestNotice{Team: t, To: u, Digest: rep.For(u)}
			sent, err := j.send(ctx, key, digestMarkTTL, func() error { return j.Notify.Digest(ctx, n) })
			if sent && err == nil {
				first = false
			}
			if err := j.tally(ctx, res, sent, err, "team", t.ID, "user", u); err != nil {
				return err
			}
		}
		return nil
	})
}

// Recipients are the team's managers and admins, by id.
func Recipients(t *Team) []string {
	var out []string
	for id, m := range t.Members {
		if m.Role == RoleManager || m.Role == RoleAdmin {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func (j *Jobs) sleep(ctx context.Context, d time.Duration) error {
	if j.Sleep != nil {
		return j.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
