package coach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SessionOp is what a message does to a running guided session.
type SessionOp string

// Session operations. OpAnswer records the customer's words.
const (
	OpAnswer  SessionOp = ""
	OpNext    SessionOp = "next"
	OpTense   SessionOp = "tense"
	OpSkip    SessionOp = "skip"
	OpBack    SessionOp = "back"
	OpStop    SessionOp = "stop"
	OpStatus  SessionOp = "status"
	OpConfirm SessionOp = "confirmed"
	OpCorrect SessionOp = "correct"
	OpApply   SessionOp = "apply"
	OpUndo    SessionOp = "undo"
)

// SessionOps lists the operations a rep can name, in display order.
var SessionOps = []SessionOp{OpNext, OpTense, OpSkip, OpBack, OpStop, OpStatus, OpConfirm, OpCorrect, OpApply, OpUndo}

// SessionInput is one message of the rep during a session.
type SessionInput struct {
	Op   SessionOp
	Text string // OpAnswer: the customer's words; OpCorrect: the corrected summary
	// Meeting is the meeting an answer proposes ("2026-12-03 14:00
	// place=HQ"), as parsed by the caller; MeetingErr is set instead when
	// the answer looks like a meeting with an invalid time. Both matter
	// only at a step that sets the meeting (the phone invitation's last
	// step); elsewhere the answer is recorded as words.
	Meeting    *ProposedMeeting
	MeetingErr error
}

// ProposedMeeting is a meeting agreed during a phone invitation.
type ProposedMeeting struct {
	At           time.Time
	Place, Topic string
}

// What a SessionInput did, beside moving the session (SessionStep.Note).
const (
	NoteTense         = "tense_note"      // the customer is tense: back to open questions
	NoteUndone        = "undone"          // Point was removed
	NoteConfirmNotYet = "confirm_not_yet" // confirm/correct before the confirm phase: nothing changed
	NoteConfirmed     = "confirmed_note"  // Step was confirmed
	NoteCorrected     = "corrected_note"
	NoteMeetingNoted  = "meeting_noted" // the answer set the meeting
	NoteRecorded      = "recorded"      // the answer was recorded
)

// SessionStep is the result of a SessionInput: the session and deal after
// it, and what changed.
type SessionStep struct {
	Session *Session
	Deal    *Deal
	Note    string // one of the Note… codes, "" for none
	Point   string // NoteUndone: the point removed
	Step    string // NoteConfirmed: the step confirmed
	// Booked is the meeting booked on the deal when a phone invitation
	// reached its end.
	Booked *Meeting
	// Ended is set by OpStop and OpApply.
	Ended *SessionResult
}

// BooksMeeting reports whether the session's current step is the one that
// sets the meeting: the last step of a phone invitation.
func (s *Session) BooksMeeting() bool {
	steps := SessionSteps(s.Kind)
	return s.Kind == SessionPhone && len(steps) > 0 && s.CurrentStep() == steps[len(steps)-1]
}

// SessionInput applies one message of the rep to their session on the
// deal ref ("" = their most recently used session): the whole questioning
// workflow, phase rules and meeting booking included. Errors:
// CodeNoSession, the coded errors of the session steps.
func (s *Service) SessionInput(ctx context.Context, a Actor, team *Team, ref string, in SessionInput) (SessionStep, error) {
	switch in.Op {
	case OpStop, OpApply:
		sess, _, err := s.ActiveSession(ctx, a, team, ref)
		if err != nil {
			return SessionStep{}, err
		}
		res, err := s.EndSession(ctx, a, team, sess, in.Op == OpApply)
		if err != nil {
			return SessionStep{}, err
		}
		return SessionStep{Session: res.Session, Deal: res.Change.After, Ended: &res}, nil
	case OpStatus:
		sess, d, err := s.ActiveSession(ctx, a, team, ref)
		if err != nil {
			return SessionStep{}, err
		}
		return SessionStep{Session: sess, Deal: d}, nil
	}
	var st SessionStep
	sess, d, err := s.UpdateSession(ctx, a, team, ref, func(sess *Session, d *Deal, now time.Time) error {
		st = SessionStep{} // fn may run again
		return st.apply(sess, in, now)
	})
	if err != nil {
		return SessionStep{}, err
	}
	st.Session, st.Deal = sess, d
	if sess.Kind == SessionPhone && sess.Phase == PhaseDone {
		// the phone invitation ends by booking the agreed meeting
		m, ch, err := s.bookAgreedMeeting(ctx, a, team, sess)
		if err != nil {
			return SessionStep{}, err
		}
		if m != nil {
			st.Booked, st.Deal = m, ch.After
		}
	}
	return st, nil
}

func (st *SessionStep) apply(s *Session, in SessionInput, now time.Time) error {
	switch in.Op {
	case OpNext:
		s.Next(now)
	case OpTense:
		s.Tense(now)
		st.Note = NoteTense
	case OpSkip:
		s.Skip(now)
	case OpBack:
		s.Back(now)
	case OpUndo:
		if p, ok := s.Undo(now); ok {
			st.Note, st.Point = NoteUndone, p
		}
	case OpConfirm, OpCorrect:
		if s.Phased() && s.Phase != PhaseConfirm {
			// not an error: the rep is told to ask the confirm question first
			st.Note = NoteConfirmNotYet
			return nil
		}
		if in.Op == OpCorrect {
			if err := s.Correct(in.Text, now); err != nil {
				return err
			}
			st.Note = NoteCorrected
			return nil
		}
		step := s.CurrentStep()
		if err := s.Confirm(now); err != nil {
			return err
		}
		st.Note, st.Step = NoteConfirmed, step
	case OpAnswer:
		if s.BooksMeeting() {
			if in.MeetingErr != nil {
				return in.MeetingErr
			}
			if m := in.Meeting; m != nil {
				if err := s.SetMeeting(m.At, m.Place, m.Topic, now); err != nil {
					return err
				}
				st.Note = NoteMeetingNoted
				return nil
			}
		}
		if err := s.Record(in.Text, now); err != nil {
			return err
		}
		st.Note = NoteRecorded
	default:
		return Errf(CodeBadValue, "field", "session", "value", string(in.Op), "expected", fmt.Sprint(SessionOps))
	}
	return nil
}

// bookAgreedMeeting books the session's meeting on the deal, under the
// session lock.
func (s *Service) bookAgreedMeeting(ctx context.Context, a Actor, team *Team, sess *Session) (*Meeting, Change, error) {
	unlock, err := s.lockSessions(ctx, a)
	if err != nil {
		return nil, Change{}, err
	}
	defer unlock()
	cur, err := s.store.GetSession(ctx, a.Team, a.User, sess.Deal)
	if errors.Is(err, ErrNotFound) {
		return nil, Change{}, nil
	}
	if err != nil {
		return nil, Change{}, fmt.Errorf("session %s: %w", sess.Deal, err)
	}
	m, ch, err := s.bookSessionMeeting(ctx, a, team, cur)
	if err == nil {
		*sess = *cur
	}
	return m, ch, err
}
