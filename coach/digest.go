package coach

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

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
			if !first && j.DigestGap > 0 {
				if err := j.sleep(ctx, j.DigestGap); err != nil {
					return err
				}
			}
			key := fmt.Sprintf("digest:%s:%s:%s", t.ID, u, tag)
			var fatal error
			sent, err := j.send(ctx, key, digestMarkTTL, func() error {
				// The report is built once per team and run, and only when
				// somebody is due: a run after everyone got this week's
				// digest reads nothing but the send markers.
				if rep == nil {
					r, err := j.Service.Report(ctx, t, end)
					if err == nil {
						err = j.Service.saveSnapshot(ctx, r, force)
					}
					if err != nil {
						fatal = err
						return err
					}
					rep = r
				}
				return j.Notify.Digest(ctx, DigestNotice{Team: t, To: u, Digest: rep.For(u)})
			})
			if fatal != nil {
				return fatal
			}
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
