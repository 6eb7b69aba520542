package coach_test

import (
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestNudgesRespectThePlan: a booked meeting within the stage's threshold
// silences every stall-type flag; one further out, a held or a cancelled
// one does not; day counts agree with the limit.
func TestNudgesRespectThePlan(t *testing.T) {
	pb := playbook.Default()
	day := 24 * time.Hour
	limit := pb.Stage(1).StallDays
	thr := time.Duration(limit) * day
	now := t0.Add(400 * day)
	// stage 1 reached (milestones ticked) long ago, success items open: both
	// stalled and success_overdue fire without a plan.
	reached := map[string]coach.Check{}
	for _, it := range pb.Stage(1).Milestone {
		reached[it.ID] = coach.Check{At: now.Add(-3 * thr)}
	}
	tests := []struct {
		name    string
		meeting *coach.Meeting // At relative to now
		want    []string
	}{
		{"no meeting", nil, []string{coach.FlagStalled, coach.FlagSuccessOverdue}},
		{"meeting in 10 days", &coach.Meeting{At: now.Add(10 * day), Status: coach.MeetingBooked}, nil},
		{"meeting exactly at the threshold", &coach.Meeting{At: now.Add(thr), Status: coach.MeetingBooked}, nil},
		{"legacy meeting without status in 2 days", &coach.Meeting{At: now.Add(2 * day)}, nil},
		{"meeting beyond twice the threshold", &coach.Meeting{At: now.Add(2*thr + day), Status: coach.MeetingBooked}, []string{coach.FlagStalled, coach.FlagSuccessOverdue}},
		{"meeting a year ahead", &coach.Meeting{At: now.Add(365 * day), Status: coach.MeetingBooked}, []string{coach.FlagStalled, coach.FlagSuccessOverdue}},
		{"cancelled meeting in 2 days", &coach.Meeting{At: now.Add(2 * day), Status: coach.MeetingCancelled}, []string{coach.FlagStalled, coach.FlagSuccessOverdue}},
		{"held meeting marked early", &coach.Meeting{At: now.Add(2 * day), Status: coach.MeetingHeld}, []string{coach.FlagStalled, coach.FlagSuccessOverdue}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &coach.Deal{ID: "D-1", Status: coach.StatusOpen, Checked: reached, LastProgressAt: now.Add(-3 * thr)}
			if tc.meeting != nil {
				m := *tc.meeting
				m.ID = 1
				d.Meetings = []coach.Meeting{m}
			}
			a := coach.Assess(pb, &coach.Team{ID: "T1"}, d, now)
			var got []string
			for _, f := range a.Flags {
				if f.Code == coach.FlagStalled || f.Code == coach.FlagSuccessOverdue {
					got = append(got, f.Code)
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && (got[0] != tc.want[0] || got[1] != tc.want[1])) {
				t.Fatalf("stall flags %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFlagDaysAgreeWithLimit(t *testing.T) {
	pb := playbook.Default()
	day := 24 * time.Hour
	limit := pb.Stage(1).StallDays
	now := t0.Add(400 * day)
	reached := map[string]coach.Check{}
	tests := []struct {
		name   string
		idle   time.Duration
		days   int
		stuck  bool
		reach  time.Duration // since stage 1 was reached; 0 = not reached
		odDays int
	}{
		{"less than a whole day over: not yet", time.Duration(limit)*day + 23*time.Hour, 0, false, 0, 0},
		{"a whole day over", time.Duration(limit+1)*day + time.Hour, limit + 1, true, 0, 0},
		{"two and a half days over", time.Duration(limit+2)*day + 12*time.Hour, limit + 2, true, 0, 0},
		{"success overdue a day over twice", time.Duration(limit+1) * day, limit + 1, true, time.Duration(2*limit+1) * day, 2*limit + 1},
		{"success not overdue at twice", time.Duration(limit+1) * day, limit + 1, true, time.Duration(2*limit)*day + 23*time.Hour, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checked := reached
			if tc.reach > 0 {
				checked = map[string]coach.Check{}
				for _, it := range pb.Stage(1).Milestone {
					checked[it.ID] = coach.Check{At: now.Add(-tc.reach)}
				}
			}
			d := &coach.Deal{ID: "D-1", Status: coach.StatusOpen, Checked: checked, LastProgressAt: now.Add(-tc.idle)}
			a := coach.Assess(pb, &coach.Team{ID: "T1"}, d, now)
			for _, f := range a.Flags {
				if f.Days <= f.Limit && (f.Code == coach.FlagStalled || f.Code == coach.FlagSuccessOverdue) {
					t.Fatalf("%s reads %d days, limit %d", f.Code, f.Days, f.Limit)
				}
				if f.Code == coach.FlagStalled && f.Days != tc.days {
					t.Fatalf("stalled %d days, want %d", f.Days, tc.days)
				}
				if f.Code == coach.FlagSuccessOverdue && f.Days != tc.odDays {
					t.Fatalf("success overdue %d days, want %d", f.Days, tc.odDays)
				}
			}
			if a.Stalled() != tc.stuck || (tc.odDays > 0) != a.Has(coach.FlagSuccessOverdue) {
				t.Fatalf("flags %v", flagCodes(a))
			}
		})
	}
}
