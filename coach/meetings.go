package coach

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Meeting statuses. A meeting is booked when made for a future time, held
// once it took place (with an outcome and a next step), cancelled when it
// will not take place. Held and cancelled meetings are never "ahead".
const (
	MeetingBooked    = "booked"
	MeetingHeld      = "held"
	MeetingCancelled = "cancelled"
)

// Error codes of the meeting lifecycle (translation keys "err.<code>").
const (
	// CodeUnknownMeeting: no meeting number {n} on {deal}; {valid} lists the
	// deal's meeting numbers (also the Suggestions), empty when it has none.
	CodeUnknownMeeting = "unknown_meeting"
	// CodeMeetingState: meeting {n} is {status} and cannot be {action}
	// ("move", "cancel", "held").
	CodeMeetingState = "meeting_state"
	// CodeMeetingPast: meeting {n} cannot be moved to {when}, which is in
	// the past (mark it held instead).
	CodeMeetingPast = "meeting_past"
)

// StatusAt is the meeting's status as of now. Meetings stored before
// statuses existed have none: they read as they always did, held once
// their time has passed and booked before.
func (m Meeting) StatusAt(now time.Time) string {
	if m.Status != "" {
		return m.Status
	}
	if m.At.Before(now) {
		return MeetingHeld
	}
	return MeetingBooked
}

// Overdue reports whether a booked meeting's time has passed without it
// being marked held or cancelled.
func (m Meeting) Overdue(now time.Time) bool {
	return m.Status == MeetingBooked && m.At.Before(now)
}

// Meetings lists a deal's meetings by time, each with its status as of now
// filled in (see StatusAt).
func (s *Service) Meetings(ctx context.Context, a Actor, team *Team, ref string) (*Deal, []Meeting, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	out := make([]Meeting, len(d.Meetings))
	for i, m := range d.Meetings {
		m.Status = m.StatusAt(now)
		out[i] = m
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return d, out, nil
}

// findMeeting returns the index of meeting number n in d.Meetings, or a
// CodeUnknownMeeting error listing the valid numbers.
func findMeeting(d *Deal, n int) (int, error) {
	var valid []string
	for i, m := range d.Meetings {
		if m.ID == n {
			return i, nil
		}
		valid = append(valid, strconv.Itoa(m.ID))
	}
	slices.SortFunc(valid, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return -1, Errf(CodeUnknownMeeting, "deal", d.ID, "n", strconv.Itoa(n), "valid", strings.Join(valid, ", ")).WithSuggestions(valid...)
}

func meetField(id int, field string) string { return strconv.Itoa(id) + "." + field }

// MoveMeeting moves booked meeting n to a new time, which must not be in
// the past. Held and cancelled meetings cannot be moved.
func (s *Service) MoveMeeting(ctx context.Context, a Actor, team *Team, ref string, n int, at time.Time) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	at = at.UTC()
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		i, err := findMeeting(d, n)
		if err != nil {
			return nil, err
		}
		m := &d.Meetings[i]
		if st := m.StatusAt(now); st != MeetingBooked {
			return nil, Errf(CodeMeetingState, "n", strconv.Itoa(n), "status", st, "action", "move")
		}
		if at.Before(now) {
			return nil, Errf(CodeMeetingPast, "n", strconv.Itoa(n), "when", at.Format(time.RFC3339))
		}
		if at.Equal(m.At) {
			return nil, nil
		}
		ev := Event{Kind: "meet", Field: meetField(n, "at"), Before: m.At.Format(time.RFC3339), After: at.Format(time.RFC3339)}
		m.At = at
		m.Status = MeetingBooked
		sortMeetings(d)
		return []Event{ev}, nil
	})
}

// CancelMeeting cancels booked meeting n. Cancelling a cancelled meeting
// changes nothing; a held meeting cannot be cancelled.
func (s *Service) CancelMeeting(ctx context.Context, a Actor, team *Team, ref string, n int) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		i, err := findMeeting(d, n)
		if err != nil {
			return nil, err
		}
		m := &d.Meetings[i]
		switch st := m.StatusAt(now); st {
		case MeetingCancelled:
			return nil, nil
		case MeetingHeld:
			return nil, Errf(CodeMeetingState, "n", strconv.Itoa(n), "status", st, "action", "cancel")
		}
		m.Status = MeetingCancelled
		return []Event{{Kind: "meet", Field: meetField(n, "status"), Before: MeetingBooked, After: MeetingCancelled}}, nil
	})
}

// MeetingHeld records that meeting n took place, with what came of it and
// the agreed next step (both optional). A meeting marked held before its
// booked time took place now: its time becomes now. Marking a held meeting
// again updates the outcome and next step given; a cancelled meeting
// cannot be marked held.
func (s *Service) MeetingHeld(ctx context.Context, a Actor, team *Team, ref string, n int, outcome, next string) (Change, error) {
	outcome, next = strings.TrimSpace(outcome), strings.TrimSpace(next)
	if err := checkLen("outcome", outcome, MaxTextLen); err != nil {
		return Change{}, err
	}
	if err := checkLen("next", next, MaxTextLen); err != nil {
		return Change{}, err
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		i, err := findMeeting(d, n)
		if err != nil {
			return nil, err
		}
		m := &d.Meetings[i]
		st := m.StatusAt(now)
		if st == MeetingCancelled {
			return nil, Errf(CodeMeetingState, "n", strconv.Itoa(n), "status", st, "action", "held")
		}
		var evs []Event
		if m.Status != MeetingHeld {
			evs = append(evs, Event{Kind: "meet", Field: meetField(n, "status"), Before: m.Status, After: MeetingHeld})
			m.Status = MeetingHeld
			if m.At.After(now) {
				evs = append(evs, Event{Kind: "meet", Field: meetField(n, "at"), Before: m.At.Format(time.RFC3339), After: now.Format(time.RFC3339)})
				m.At = now
				sortMeetings(d)
				i, _ = findMeeting(d, n)
				m = &d.Meetings[i]
			}
		}
		if outcome != "" && outcome != m.Outcome {
			evs = append(evs, Event{Kind: "meet", Field: meetField(n, "outcome"), Before: m.Outcome, After: outcome})
			m.Outcome = outcome
		}
		if next != "" && next != m.Next {
			evs = append(evs, Event{Kind: "meet", Field: meetField(n, "next"), Before: m.Next, After: next})
			m.Next = next
		}
		return evs, nil
	})
}

func sortMeetings(d *Deal) {
	sort.SliceStable(d.Meetings, func(i, j int) bool { return d.Meetings[i].At.Before(d.Meetings[j].At) })
}

// MeetingOffers returns the checklist items meeting m evidences on deal d
// that are not ticked yet, for the user to confirm (never ticked here):
// a meeting booked or held with the deal's handler known fixes a time and
// place with the handler (s1.s1); a held meeting is a face-to-face visit
// (s2.m1). Items the playbook does not have are left out.
func (s *Service) MeetingOffers(d *Deal, m Meeting) []string {
	st := m.StatusAt(s.now())
	if st == MeetingCancelled {
		return nil
	}
	var out []string
	offer := func(id string) {
		if _, ok := s.Playbook.Item(id); ok && !d.IsChecked(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	handler := slices.ContainsFunc(d.Stakeholders, func(p Stakeholder) bool { return p.Role == RoleHandler })
	if handler {
		offer("s1.s1")
	}
	if st == MeetingHeld {
		offer("s2.m1")
	}
	return out
}
