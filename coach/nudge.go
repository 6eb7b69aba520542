package coach

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Stall rules.
//
// A deal is stalled when it has had no checklist progress for longer than
// the stall threshold of its active stage (playbook Stage.StallDays, which
// a team may override with Team.StallDays), in whole days, and no
// meeting is booked within that threshold from now. Such a meeting also
// silences the success-overdue flag; a meeting further out does not (a
// meeting a year ahead is no plan for this stage).
// Besides stalls a deal is flagged when the buyer is ahead of us
// (catch_up, consider_giving_up), its expected close date has passed, it
// has reached stage 3 without a known decision-maker or supporter among
// the stakeholders, or a stage was reached but its success items stayed
// open for twice the stage's threshold.
//
// Cost trade-off: the hourly nudge scan reads only the last-progress index
// (Store.ProgressBefore with the smallest threshold of any stage), so its
// cost grows with the deals that have gone quiet, not with all deals. The
// non-stall flags are therefore evaluated only for those deals; a deal
// with recent progress but, say, a passed close date is not nudged by the
// scan. Such deals are flagged when somebody touches them (Assess is cheap
// and the bot shows the flags on the deal card) and in the weekly digest,
// which lists every deal anyway for the funnel.

// Flag codes: why a deal needs attention. Each is a translation key of the
// bot ("flag.<code>").
const (
	FlagStalled         = "stalled"
	FlagCatchUp         = SyncCatchUp
	FlagGiveUp          = SyncConsiderGivingUp
	FlagClosePassed     = "close_passed"
	FlagNoDecisionMaker = "no_decision_maker"
	FlagNoSupporter     = "no_supporter"
	FlagSuccessOverdue  = "success_overdue"
)

// DefaultStallDays is used when neither the team nor the playbook gives a
// stage's threshold.
const DefaultStallDays = 14

// Working hours for nudges and digests, in the recipient's timezone,
// Monday to Friday.
const (
	WorkStartHour = 9
	WorkEndHour   = 18
)

// Flag is one reason a deal needs attention.
type Flag struct {
	Code  string
	Stage int // the stage concerned (active stage, reached stage…)
	// Days (whole days, always over Limit when flagged): stalled → days
	// since progress; success_overdue → days since
	// the stage was reached; close_passed → days since the close date;
	// catch_up / consider_giving_up → the buyer's stage.
	Days int
	// Limit is the threshold in days that was exceeded (stalled,
	// success_overdue).
	Limit int
}

// Assessment is a deal checked against the stall rules at a moment.
type Assessment struct {
	Deal      *Deal
	Progress  Progress
	Sync      SyncResult
	Flags     []Flag
	Threshold time.Duration // stall threshold of the active stage
	Idle      time.Duration // time since the last progress
}

// Flagged reports whether any rule fired.
func (a Assessment) Flagged() bool { return len(a.Flags) > 0 }

// Has reports whether the assessment carries the flag code.
func (a Assessment) Has(code string) bool {
	for _, f := range a.Flags {
		if f.Code == code {
			return true
		}
	}
	return false
}

// Stalled reports whether the deal is stalled.
func (a Assessment) Stalled() bool { return a.Has(FlagStalled) }

// StallDays returns stage n's stall threshold in days: the team's override,
// else the playbook's, else DefaultStallDays.
func StallDays(pb *playbook.Playbook, team *Team, n int) int {
	if team != nil {
		if d, ok := team.StallDays[n]; ok && d > 0 {
			return d
		}
	}
	if st := pb.Stage(n); st != nil && st.StallDays > 0 {
		return st.StallDays
	}
	return DefaultStallDays
}

// MinStallDays is the smallest threshold of any stage: the bound of the
// last-progress index scan.
func MinStallDays(pb *playbook.Playbook, team *Team) int {
	m := 0
	for n := 1; n <= len(pb.Stages); n++ {
		if d := StallDays(pb, team, n); m == 0 || d < m {
			m = d
		}
	}
	if m == 0 {
		m = DefaultStallDays
	}
	return m
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// wholeDays is the number of whole days in d.
func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// Assess applies the stall rules to deal d at now. Closed deals carry no
// flags.
func Assess(pb *playbook.Playbook, team *Team, d *Deal, now time.Time) Assessment {
	p := Evaluate(pb, d)
	a := Assessment{Deal: d, Progress: p, Sync: BuyerSync(p, d.BuyerStage), Idle: now.Sub(d.LastProgressAt)}
	stage := p.Active
	if stage == 0 {
		stage = max(p.Reached, 1)
	}
	limit := StallDays(pb, team, stage)
	a.Threshold = days(limit)
	if !d.Open() {
		return a
	}
	// A booked meeting within the threshold is the plan: no stall-type flag
	// (stalled, success_overdue). One further out plans nothing soon.
	planned := false
	if m, ok := d.NextMeeting(now); ok && m.At.Sub(now) <= a.Threshold {
		planned = true
	}
	// Whole days are compared with the limit: a deal is flagged once it
	// has been quiet for more whole days than the limit, and the flag
	// reads "15 days, limit 14", never "14 days, limit 14".
	if idle := wholeDays(a.Idle); p.Active > 0 && idle > limit && !planned {
		a.Flags = append(a.Flags, Flag{Code: FlagStalled, Stage: p.Active, Days: idle, Limit: limit})
	}
	switch a.Sync.Verdict {
	case SyncCatchUp, SyncConsiderGivingUp:
		a.Flags = append(a.Flags, Flag{Code: a.Sync.Verdict, Stage: p.Reached, Days: d.BuyerStage})
	}
	if d.CloseDate != "" {
		loc := Location(team, "")
		if cd, err := time.ParseInLocation("2006-01-02", d.CloseDate, loc); err == nil {
			if end := cd.AddDate(0, 0, 1); !now.Before(end) {
				a.Flags = append(a.Flags, Flag{Code: FlagClosePassed, Stage: p.Reached, Days: int(now.Sub(end)/(24*time.Hour)) + 1})
			}
		}
	}
	if p.Reached >= 3 {
		var dm, sup bool
		for _, s := range d.Stakeholders {
			dm = dm || s.Role == RoleDecisionMaker
			sup = sup || s.Attitude == AttitudeSupporter
		}
		if !dm {
			a.Flags = append(a.Flags, Flag{Code: FlagNoDecisionMaker, Stage: p.Reached})
		}
		if !sup {
			a.Flags = append(a.Flags, Flag{Code: FlagNoSupporter, Stage: p.Reached})
		}
	}
	if p.Reached > p.Completed {
		rl := StallDays(pb, team, p.Reached)
		if at := ReachedAt(pb, d, p.Reached); !at.IsZero() && !planned && wholeDays(now.Sub(at)) > 2*rl {
			a.Flags = append(a.Flags, Flag{Code: FlagSuccessOverdue, Stage: p.Reached, Days: wholeDays(now.Sub(at)), Limit: 2 * rl})
		}
	}
	return a
}

// Flagged returns the team's open deals that some rule flags at now,
// oldest progress first. It reads only the last-progress index (deals idle
// for longer than the smallest stage threshold), so its cost grows with
// the quiet deals, not with all of the team's deals.
func (s *Service) Flagged(ctx context.Context, team *Team, now time.Time) ([]Assessment, error) {
	bound := now.Add(-days(MinStallDays(s.Playbook, team)))
	deals, err := s.store.ProgressBefore(ctx, team.ID, bound, 0)
	if err != nil {
		return nil, fmt.Errorf("team %s: stall scan: %w", team.ID, err)
	}
	var out []Assessment
	for _, d := range deals {
		if a := Assess(s.Playbook, team, d, now); a.Flagged() {
			out = append(out, a)
		}
	}
	return out, nil
}

// Suggest picks the next open checklist item of the deal and, when the
// playbook has one for the active stage, an open question to ask. seed
// rotates through the stage's questions (e.g. the nudge period).
func Suggest(pb *playbook.Playbook, p Progress, seed int64) (item, question string) {
	if len(p.Missing) > 0 {
		item = p.Missing[0]
	}
	if p.Active > 0 {
		if qs := pb.QuestionsFor("s" + strconv.Itoa(p.Active)); len(qs) > 0 {
			question = qs[int(uint64(seed)%uint64(len(qs)))].ID
		}
	}
	return item, question
}

// locations caches loaded timezones: LoadLocation reads the zone database
// on every call.
var locations sync.Map

func loadLocation(name string) *time.Location {
	if name == "" || name == "UTC" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// Location is the timezone of a member of the team: the member's, else
// the team's, else UTC (also for unknown zone names). user may be "" for
// the team's own zone.
func Location(team *Team, user string) *time.Location {
	if team == nil {
		return time.UTC
	}
	if m, ok := team.Members[user]; ok && m.Timezone != "" {
		return loadLocation(m.Timezone)
	}
	return loadLocation(team.Timezone)
}

// WorkingHours reports whether t falls in working hours (09:00–18:00,
// Monday to Friday) in loc.
func WorkingHours(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return l.Hour() >= WorkStartHour && l.Hour() < WorkEndHour
}

// NudgeKey is the once-per-period send marker of a nudge: one per deal per
// stall-threshold period counted from the last progress.
func NudgeKey(team, deal string, lastProgress time.Time, period int64) string {
	return fmt.Sprintf("nudge:%s:%s:%d:%d", team, deal, lastProgress.Unix(), period)
}

// Snooze silences nudges for a deal until the given time (zero: snooze off).
func (s *Service) Snooze(ctx context.Context, a Actor, team *Team, ref string, until time.Time) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	until = until.UTC().Truncate(time.Second)
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if d.SnoozedUntil.Equal(until) {
			return nil, nil
		}
		ev := Event{Kind: "snooze", Field: "snoozed_until", Before: fmtTime(d.SnoozedUntil), After: fmtTime(until)}
		d.SnoozedUntil = until
		return []Event{ev}, nil
	})
}

// Mute turns all nudges for a deal off (on) or back on (!on).
func (s *Service) Mute(ctx context.Context, a Actor, team *Team, ref string, on bool) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if d.Muted == on {
			return nil, nil
		}
		ev := Event{Kind: "mute", Field: "muted", Before: strconv.FormatBool(d.Muted), After: strconv.FormatBool(on)}
		d.Muted = on
		return []Event{ev}, nil
	})
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Nudges sends each flagged deal's owner a nudge, at most one per deal per
// stall-threshold period, in the owner's working hours, unless the deal is
// muted or snoozed. Run hourly.
func (j *Jobs) Nudges(ctx context.Context, now time.Time) (JobResult, error) {
	return j.forEachTeam(ctx, "nudges", nudgeLockTTL, func(t *Team, res *JobResult) error {
		flagged, err := j.Service.Flagged(ctx, t, now)
		if err != nil {
			return err
		}
		for _, a := range flagged {
			d := a.Deal
			if d.Muted || now.Before(d.SnoozedUntil) || !WorkingHours(now, Location(t, d.Owner)) {
				res.Skipped++
				continue
			}
			period := int64(0)
			if a.Threshold > 0 && a.Idle > 0 {
				period = int64(a.Idle / a.Threshold)
			}
			item, question := Suggest(j.Service.Playbook, a.Progress, period)
			n := NudgeNotice{Team: t, To: d.Owner, Assessment: a, NextItem: item, Question: question}
			sent, err := j.send(ctx, NudgeKey(t.ID, d.ID, d.LastProgressAt, period), max(2*a.Threshold, minMarkerTTL), func() error {
				return j.Notify.Nudge(ctx, n)
			})
			if err := j.tally(ctx, res, sent, err, "team", t.ID, "deal", d.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
