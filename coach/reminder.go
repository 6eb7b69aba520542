package coach

import (
	"context"
	"fmt"
	"time"
)

// MeetingSoon is how long before a meeting the short reminder is sent.
const MeetingSoon = time.Hour

// ReminderNotice reminds the owner of an upcoming meeting.
type ReminderNotice struct {
	Team     *Team
	To       string
	Kind     string // ReminderPrep or ReminderSoon
	Deal     *Deal
	Meeting  Meeting
	Progress Progress
}

// prepLead is how long before a meeting the team's prep reminder goes out.
func (s *Service) prepLead(t *Team) time.Duration {
	if t.PrepLeadHours > 0 {
		return time.Duration(t.PrepLeadHours) * time.Hour
	}
	if s.PrepLead > 0 {
		return s.PrepLead
	}
	return 24 * time.Hour
}

// DueReminder returns which reminder of meeting m is due at now, if any:
// ReminderSoon within MeetingSoon of the start, else ReminderPrep within
// the prep lead. Meetings that have started are not reminded.
func DueReminder(m Meeting, now time.Time, prepLead time.Duration) (string, bool) {
	left := m.At.Sub(now)
	switch {
	case left <= 0, m.Status == MeetingHeld, m.Status == MeetingCancelled:
		return "", false
	case left <= MeetingSoon:
		return ReminderSoon, true
	case left <= prepLead:
		return ReminderPrep, true
	}
	return "", false
}

// Reminders sends meeting reminders and pre-call prep when they are due,
// whatever the hour (a meeting is a meeting). Run every 5 minutes.
//
// There is no meeting index in the store, so this lists the teams' deals;
// it is a cheap in-memory check per deal, but it grows with all deals.
func (j *Jobs) Reminders(ctx context.Context, now time.Time) (JobResult, error) {
	return j.forEachTeam(ctx, "reminders", shortLockTTL, func(t *Team, res *JobResult) error {
		deals, err := j.Service.store.ListDeals(ctx, t.ID)
		if err != nil {
			return fmt.Errorf("team %s: list deals: %w", t.ID, err)
		}
		lead := j.Service.prepLead(t)
		for _, d := range deals {
			if !d.Open() {
				continue
			}
			for _, m := range d.Meetings {
				kind, due := DueReminder(m, now, lead)
				if !due {
					continue
				}
				n := ReminderNotice{Team: t, To: d.Owner, Kind: kind, Deal: d, Meeting: m, Progress: Evaluate(j.Service.Playbook, d)}
				key := fmt.Sprintf("remind:%s:%s:%d:%d:%s", t.ID, d.ID, m.ID, m.At.Unix(), kind)
				sent, err := j.send(ctx, key, m.At.Sub(now)+minMarkerTTL, func() error { return j.Notify.Reminder(ctx, n) })
				if err := j.tally(ctx, res, sent, err, "team", t.ID, "deal", d.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
