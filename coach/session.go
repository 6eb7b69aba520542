package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Guided-session kinds (spec §3.2–3.5).
const (
	SessionNeeds   = "needs"   // need discovery nd.1 → nd.2 → nd.3
	SessionPhone   = "phone"   // phone invitation ph.1 → ph.2 → ph.3
	SessionBudget  = "budget"  // budget probing bp.1 → bp.3
	SessionProcess = "process" // purchase-process questions pp.1 → pp.4
)

// SessionKinds lists the kinds in display order.
var SessionKinds = []string{SessionNeeds, SessionPhone, SessionBudget, SessionProcess}

// Session phases. Need discovery runs every step as open → control →
// confirm (spec q.fallback); the other kinds only record answers per step.
const (
	PhaseOpen    = "open"
	PhaseControl = "control"
	PhaseConfirm = "confirm"
	PhaseDone    = "done" // all steps walked; waiting for apply or stop
)

// Limits of a session, so a chatty session cannot grow without bound.
const (
	MaxSessionPoints     = 30  // per step
	MaxSessionTranscript = 400 // lines
	maxTranscriptLine    = 500 // runes
	maxTranscriptEvents  = 10  // history events per session
)

// Data keys of a phone session's booked meeting.
const (
	DataMeetAt    = "meet.at" // RFC 3339
	DataMeetPlace = "meet.place"
	DataMeetTopic = "meet.topic"

	dataMeetBooked = "meet.booked"
)

var sessionSteps = map[string][]string{
	SessionNeeds:   {"nd.1", "nd.2", "nd.3"},
	SessionPhone:   {"ph.1", "ph.2", "ph.3"},
	SessionBudget:  {"bp.1", "bp.2", "bp.3"},
	SessionProcess: {"pp.1", "pp.2", "pp.3", "pp.4"},
}

// SessionSteps returns the technique ids a kind walks through, in order.
func SessionSteps(kind string) []string { return sessionSteps[kind] }

// ValidSessionKind reports whether kind is a session kind.
func ValidSessionKind(kind string) bool { _, ok := sessionSteps[kind]; return ok }

// phased reports whether a kind runs open → control → confirm per step.
func phased(kind string) bool { return kind == SessionNeeds }

// NewSession starts a guided session at the first step's open phase.
func NewSession(team, user, deal, kind string, now time.Time) (*Session, error) {
	if !ValidSessionKind(kind) {
		return nil, Errf(CodeBadValue, "field", "kind", "value", kind, "expected", strings.Join(SessionKinds, "|"))
	}
	s := &Session{Team: team, User: user, Deal: deal, Kind: kind, Phase: PhaseOpen,
		Points: map[string][]string{}, Confirmed: map[string]bool{}, Data: map[string]string{},
		StartedAt: now, UpdatedAt: now}
	s.log("start " + kind)
	return s, nil
}

// CurrentStep is the technique id of the current step ("" when done).
func (s *Session) CurrentStep() string {
	steps := sessionSteps[s.Kind]
	if s.Phase == PhaseDone || s.Step < 0 || s.Step >= len(steps) {
		return ""
	}
	return steps[s.Step]
}

// Phased reports whether the session runs open → control → confirm.
func (s *Session) Phased() bool { return phased(s.Kind) }

func (s *Session) log(line string) {
	if len(s.Transcript) >= MaxSessionTranscript {
		return
	}
	if r := []rune(line); len(r) > maxTranscriptLine {
		line = string(r[:maxTranscriptLine-1]) + "…"
	}
	s.Transcript = append(s.Transcript, line)
}

func (s *Session) touch(now time.Time) { s.UpdatedAt = now }

// Record adds one point the rep typed (the customer's answer) to the
// current step.
func (s *Session) Record(text string, now time.Time) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return Errf(CodeMissingArg, "arg", "text")
	}
	if err := checkLen("text", text, MaxTextLen); err != nil {
		return err
	}
	step := s.CurrentStep()
	if step == "" {
		return Errf(CodeNoSession, "deal", " ("+s.Deal+")")
	}
	if s.Points == nil {
		s.Points = map[string][]string{}
	}
	key := s.pointsKey()
	if len(s.Points[key]) >= MaxSessionPoints {
		return Errf(CodeTooMany, "field", "points", "max", strconv.Itoa(MaxSessionPoints))
	}
	s.Points[key] = append(s.Points[key], text)
	// a new point changes what the confirming question restates
	delete(s.Confirmed, step)
	s.log(fmt.Sprintf("[%s %s] %s", step, s.Phase, text))
	s.touch(now)
	return nil
}

// ControlKey is the Points key of the customer's answers to a step's
// control questions; the open answers are kept under the step id itself.
func ControlKey(step string) string { return step + ".control" }

// pointsKey is where a point typed now goes.
func (s *Session) pointsKey() string {
	if s.Phased() && s.Phase == PhaseControl {
		return ControlKey(s.CurrentStep())
	}
	return s.CurrentStep()
}

// Undo removes the last point of the current step and phase.
func (s *Session) Undo(now time.Time) (string, bool) {
	key := s.pointsKey()
	pts := s.Points[key]
	if len(pts) == 0 {
		return "", false
	}
	last := pts[len(pts)-1]
	s.Points[key] = pts[:len(pts)-1]
	s.log(fmt.Sprintf("[%s] undo: %s", s.CurrentStep(), last))
	s.touch(now)
	return last, true
}

// Next moves on: open → control → confirm → the next step's open phase for
// need discovery, else straight to the next step; after the last step the
// session is done.
func (s *Session) Next(now time.Time) {
	defer s.touch(now)
	if s.Phase == PhaseDone {
		return
	}
	if s.Phased() {
		switch s.Phase {
		case PhaseOpen:
			s.Phase = PhaseControl
			s.log(fmt.Sprintf("[%s] → control", s.CurrentStep()))
			return
		case PhaseControl:
			s.Phase = PhaseConfirm
			s.log(fmt.Sprintf("[%s] → confirm", s.CurrentStep()))
			return
		}
	}
	s.advance()
}

// advance goes to the next step's open phase, or to done.
func (s *Session) advance() {
	s.Step++
	if s.Step >= len(sessionSteps[s.Kind]) {
		s.Step = len(sessionSteps[s.Kind]) - 1
		s.Phase = PhaseDone
		s.log("done")
		return
	}
	s.Phase = PhaseOpen
	s.log(fmt.Sprintf("[%s] open", s.CurrentStep()))
}

// Skip leaves the current step as it is and goes to the next one.
func (s *Session) Skip(now time.Time) {
	if s.Phase == PhaseDone {
		return
	}
	s.log(fmt.Sprintf("[%s] skipped", s.CurrentStep()))
	s.advance()
	s.touch(now)
}

// Back goes one phase back (need discovery) or one step back.
func (s *Session) Back(now time.Time) {
	defer s.touch(now)
	if s.Phase == PhaseDone {
		if s.Phased() {
			s.Phase = PhaseConfirm
		} else {
			s.Phase = PhaseOpen
		}
		s.log(fmt.Sprintf("[%s] back", s.CurrentStep()))
		return
	}
	if s.Phased() {
		switch s.Phase {
		case PhaseConfirm:
			s.Phase = PhaseControl
			s.log(fmt.Sprintf("[%s] back to control", s.CurrentStep()))
			return
		case PhaseControl:
			s.Phase = PhaseOpen
			s.log(fmt.Sprintf("[%s] back to open", s.CurrentStep()))
			return
		}
	}
	if s.Step == 0 {
		return
	}
	s.Step--
	s.Phase = PhaseOpen
	if s.Phased() {
		s.Phase = PhaseConfirm
	}
	s.log(fmt.Sprintf("[%s] back", s.CurrentStep()))
}

// Tense records that the customer became tense and falls back to the
// current step's open questions (spec q.fallback).
func (s *Session) Tense(now time.Time) {
	if s.Phase == PhaseDone {
		return
	}
	s.Phase = PhaseOpen
	s.log(fmt.Sprintf("[%s] customer tense → open questions", s.CurrentStep()))
	s.touch(now)
}

// Summary is what the confirming question of step restates: the rep's
// correction when given, else the customer's answers to the control
// questions (they narrowed it down), else the open answers.
func (s *Session) Summary(step string) string {
	if c := s.Data[step+".summary"]; c != "" {
		return c
	}
	if c := s.Points[ControlKey(step)]; len(c) > 0 {
		return strings.Join(c, "; ")
	}
	return strings.Join(s.Points[step], "; ")
}

// AllPoints are the open and control answers of a step.
func (s *Session) AllPoints(step string) []string {
	return append(slices.Clone(s.Points[step]), s.Points[ControlKey(step)]...)
}

// Correct replaces what the confirming question restates with the
// customer's correction; the new draft must be confirmed again.
func (s *Session) Correct(text string, now time.Time) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return Errf(CodeMissingArg, "arg", "text")
	}
	if err := checkLen("text", text, MaxTextLen); err != nil {
		return err
	}
	step := s.CurrentStep()
	if step == "" {
		return Errf(CodeNoSession, "deal", " ("+s.Deal+")")
	}
	if s.Phased() && s.Phase != PhaseConfirm {
		return Errf(CodeBadValue, "field", "phase", "value", s.Phase, "expected", PhaseConfirm)
	}
	if s.Data == nil {
		s.Data = map[string]string{}
	}
	s.Data[step+".summary"] = text
	delete(s.Confirmed, step)
	s.log(fmt.Sprintf("[%s] corrected: %s", step, text))
	s.touch(now)
	return nil
}

// Confirm records that the customer affirmed the current step's summary
// and moves on to the next step. Outside the confirm phase it is refused:
// there is nothing to confirm yet.
func (s *Session) Confirm(now time.Time) error {
	step := s.CurrentStep()
	if step == "" {
		return Errf(CodeNoSession, "deal", " ("+s.Deal+")")
	}
	if s.Phased() && s.Phase != PhaseConfirm {
		return Errf(CodeBadValue, "field", "phase", "value", s.Phase, "expected", PhaseConfirm)
	}
	if s.Summary(step) == "" {
		return Errf(CodeMissingArg, "arg", "points")
	}
	if s.Confirmed == nil {
		s.Confirmed = map[string]bool{}
	}
	s.Confirmed[step] = true
	s.log(fmt.Sprintf("[%s] confirmed: %s", step, s.Summary(step)))
	s.advance()
	s.touch(now)
	return nil
}

// SetMeeting records the meeting agreed in a phone session's ph.3 step.
func (s *Session) SetMeeting(at time.Time, place, topic string, now time.Time) error {
	if err := checkLen("place", place, MaxNameLen); err != nil {
		return err
	}
	if err := checkLen("topic", topic, MaxTextLen); err != nil {
		return err
	}
	if s.Data == nil {
		s.Data = map[string]string{}
	}
	s.Data[DataMeetAt] = at.UTC().Format(time.RFC3339)
	s.Data[DataMeetPlace] = strings.TrimSpace(place)
	s.Data[DataMeetTopic] = strings.TrimSpace(topic)
	delete(s.Data, dataMeetBooked) // a new agreement is a new meeting
	s.log(fmt.Sprintf("[%s] meeting %s %s %s", s.CurrentStep(), s.Data[DataMeetAt], place, topic))
	s.touch(now)
	return nil
}

// Meeting returns the meeting a phone session booked, if any.
func (s *Session) Meeting() (at time.Time, place, topic string, ok bool) {
	v := s.Data[DataMeetAt]
	if v == "" {
		return time.Time{}, "", "", false
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, "", "", false
	}
	return at, s.Data[DataMeetPlace], s.Data[DataMeetTopic], true
}

// ControlChoices are the rep's own recorded open answers of the step that
// a control question offers as choices ("Is it mainly A, B or C?"): the
// latest three, oldest first.
func (s *Session) ControlChoices(step string) []string {
	pts := s.Points[step]
	if len(pts) > 3 {
		pts = pts[len(pts)-3:]
	}
	return slices.Clone(pts)
}

// ControlExamples are the method's example control questions of a step
// (nd.2 → nd.2a…nd.2g).
func ControlExamples(pb *playbook.Playbook, step string) []playbook.Technique {
	var out []playbook.Technique
	for _, t := range pb.TechniquesWithPrefix(step) {
		if rest := strings.TrimPrefix(t.ID, step); len(rest) == 1 && rest[0] >= 'a' && rest[0] <= 'z' {
			out = append(out, t)
		}
	}
	return out
}

// SessionOutcome is what a session offers to record on the deal: never
// applied without the rep's confirmation.
type SessionOutcome struct {
	// Info holds the information fields (full keys) and their values.
	Info [][2]string
	// Items are checklist items the session supports that are still open.
	Items []string
	// Contacts are people named as deciders, not yet stakeholders.
	Contacts []string
	// Form is a tool the session can fill (phone: the call log s1.t1).
	Form       string
	FormValues [][2]string
}

// Empty reports whether there is nothing to apply.
func (o SessionOutcome) Empty() bool {
	return len(o.Info) == 0 && len(o.Items) == 0 && len(o.Contacts) == 0 && o.Form == ""
}

// departmentWords mark a need-discovery point as naming a department.
var departmentWords = []string{"department", "dept", "division", "team", "office", "部门", "部", "处", "科", "中心", "事业部"}

// decisionWords mark a purchase-process point as describing how the
// decision is made.
var decisionWords = []string{"decide", "decision", "approve", "approval", "sign", "board", "committee", "决定", "决策", "审批", "批准", "签字", "拍板", "委员会"}

// matching returns the points that contain one of words.
func matching(points, words []string) []string {
	var out []string
	for _, p := range points {
		lp := strings.ToLower(p)
		for _, w := range words {
			if strings.Contains(lp, w) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// Outcome computes what the session found for deal d: info fields, the
// checklist items it supports, stakeholders named.
func (s *Session) Outcome(pb *playbook.Playbook, d *Deal, now time.Time) SessionOutcome {
	var o SessionOutcome
	info := func(key, v string) {
		v = strings.TrimSpace(v)
		if v == "" || d.Info[key] == v {
			return
		}
		if _, err := infoExists(pb, key); err != nil {
			return
		}
		if len([]rune(v)) > MaxTextLen {
			v = string([]rune(v)[:MaxTextLen])
		}
		o.Info = append(o.Info, [2]string{key, v})
	}
	item := func(id string) {
		if !d.IsChecked(id) {
			if _, ok := pb.Item(id); ok {
				o.Items = append(o.Items, id)
			}
		}
	}
	switch s.Kind {
	case SessionNeeds:
		info("s2.i2.causes", s.Summary("nd.1"))
		info("s2.i2.impact", s.Summary("nd.2"))
		info("s2.i2.departments", strings.Join(matching(s.AllPoints("nd.2"), departmentWords), "; "))
		info("s2.i2.conditions", s.Summary("nd.3"))
		if s.Confirmed["nd.1"] && s.Confirmed["nd.2"] && s.Confirmed["nd.3"] {
			item("s2.s1")
		}
	case SessionBudget:
		r := s.Summary("bp.2")
		if r == "" {
			r = s.Summary("bp.1")
		}
		info("s2.i2.budget_range", r)
	case SessionProcess:
		info("s2.i1.key_people", s.Summary("pp.1"))
		info("s2.i1.decision_process", strings.Join(matching(s.AllPoints("pp.1"), decisionWords), "; "))
		info("s4.i1.criteria", s.Summary("pp.2"))
		info("s2.i2.basic_requirements", s.Summary("pp.3"))
		info("s2.i2.schedule", s.Summary("pp.4"))
		if len(s.Points["pp.1"]) > 0 && len(s.Points["pp.4"]) > 0 {
			item("s2.s3")
		}
		for _, p := range s.Points["pp.1"] {
			// a short answer that is not about how they decide names a person
			if len(matching([]string{p}, decisionWords)) > 0 {
				continue
			}
			if _, err := findStakeholder(d, p); err != nil && len([]rune(p)) <= 40 && len(o.Contacts) < 5 {
				o.Contacts = append(o.Contacts, p)
			}
		}
	case SessionPhone:
		pain := s.Summary("ph.2")
		if _, _, _, ok := s.Meeting(); ok {
			item("s1.s1")
		}
		if pain != "" || s.Data[DataMeetAt] != "" {
			o.Form = "s1.t1"
			o.FormValues = append(o.FormValues, [2]string{"date", now.UTC().Format("2006-01-02")})
			if pain != "" {
				o.FormValues = append(o.FormValues, [2]string{"pain", pain})
			}
			if s.Data[DataMeetAt] != "" {
				o.FormValues = append(o.FormValues, [2]string{"outcome", "meeting_booked"})
			}
		}
	}
	return o
}

func infoExists(pb *playbook.Playbook, key string) (string, error) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return "", Errf(CodeUnknownField, "field", key)
	}
	g, ok := pb.InfoGroup(key[:i])
	if !ok {
		return "", Errf(CodeUnknownField, "field", key)
	}
	for _, f := range g.Fields {
		if f.Key == key[i+1:] {
			return key, nil
		}
	}
	return "", Errf(CodeUnknownField, "field", key)
}

// transcriptChunks splits the transcript into history values of at most
// MaxTextLen runes each, whole lines, at most maxTranscriptEvents of them.
func (s *Session) transcriptChunks() []string {
	var out []string
	var cur []string
	n := 0
	for _, line := range s.Transcript {
		l := len([]rune(line)) + 1
		if n+l > MaxTextLen && len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur, n = nil, 0
		}
		cur = append(cur, line)
		n += l
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	if len(out) > maxTranscriptEvents {
		out = append(out[:maxTranscriptEvents-1], "…")
	}
	return out
}

// ---------------------------------------------------------------- service

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL <= 0 {
		return 24 * time.Hour
	}
	return s.SessionTTL
}

// StartSession starts a guided session of kind on a deal, replacing the
// actor's running session on that deal (whose transcript goes to the
// deal's history first). It returns the new session, the deal and the
// replaced session, if any.
func (s *Service) StartSession(ctx context.Context, a Actor, team *Team, ref, kind string) (*Session, *Deal, *Session, error) {
	kind = strings.ToLower(strings.TrimSpace(kind))
	if !ValidSessionKind(kind) {
		return nil, nil, nil, Errf(CodeBadValue, "field", "kind", "value", kind, "expected", strings.Join(SessionKinds, "|"))
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	if !d.Open() {
		return nil, nil, nil, Errf(CodeDealClosed, "deal", d.ID, "status", string(d.Status))
	}
	unlock, err := s.lockSessions(ctx, a)
	if err != nil {
		return nil, nil, nil, err
	}
	defer unlock()
	prev, err := s.store.GetSession(ctx, a.Team, a.User, d.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		prev = nil
	case err != nil:
		return nil, nil, nil, fmt.Errorf("session %s: %w", d.ID, err)
	default:
		if _, err := s.endSession(ctx, a, team, prev, false); err != nil {
			return nil, nil, nil, err
		}
	}
	sess, err := NewSession(a.Team, a.User, d.ID, kind, s.now())
	if err != nil {
		return nil, nil, nil, err
	}
	if err := s.store.PutSession(ctx, sess, s.sessionTTL()); err != nil {
		return nil, nil, nil, fmt.Errorf("session %s: %w", d.ID, err)
	}
	return sess, d, prev, nil
}

// sessionExpired applies the TTL with the service's clock as well as the
// store's, so an idle session ends on time whatever clock the store keeps.
func (s *Service) sessionExpired(sess *Session) bool {
	return s.now().Sub(sess.UpdatedAt) > s.sessionTTL()
}

// ActiveSession returns the actor's session on the deal ref, or, with ref
// empty, their most recently updated live session, with its deal.
// CodeNoSession when there is none.
func (s *Service) ActiveSession(ctx context.Context, a Actor, team *Team, ref string) (*Session, *Deal, error) {
	var sess *Session
	if ref == "" {
		all, err := s.store.Sessions(ctx, a.Team, a.User)
		if err != nil {
			return nil, nil, fmt.Errorf("sessions: %w", err)
		}
		if len(all) == 0 {
			return nil, nil, Errf(CodeNoSession, "deal", "")
		}
		for _, x := range all {
			if s.sessionExpired(x) {
				continue
			}
			if sess == nil || x.UpdatedAt.After(sess.UpdatedAt) {
				sess = x
			}
		}
		if sess == nil {
			return nil, nil, Errf(CodeNoSession, "deal", "")
		}
	} else {
		d, err := s.Resolve(ctx, a, team, ref)
		if err != nil {
			return nil, nil, err
		}
		sess, err = s.store.GetSession(ctx, a.Team, a.User, d.ID)
		if err == nil && s.sessionExpired(sess) {
			err = ErrNotFound
		}
		if errors.Is(err, ErrNotFound) {
			return nil, nil, Errf(CodeNoSession, "deal", " ("+d.ID+")")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("session %s: %w", d.ID, err)
		}
	}
	d, err := s.store.GetDeal(ctx, a.Team, sess.Deal)
	if errors.Is(err, ErrNotFound) || (err == nil && !team.CanSee(a.User, d.Owner)) {
		// the deal is gone or no longer ours: the session is stale
		_ = s.store.DeleteSession(ctx, a.Team, a.User, sess.Deal)
		return nil, nil, Errf(CodeNoSession, "deal", " ("+sess.Deal+")")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("deal %s: %w", sess.Deal, err)
	}
	return sess, d, nil
}

// UpdateSession applies fn to the actor's session (see ActiveSession for
// ref) and stores it again, renewing its expiry. When fn fails nothing is
// stored.
func (s *Service) UpdateSession(ctx context.Context, a Actor, team *Team, ref string, fn func(sess *Session, d *Deal, now time.Time) error) (*Session, *Deal, error) {
	unlock, err := s.lockSessions(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	sess, d, err := s.ActiveSession(ctx, a, team, ref)
	if err != nil {
		return nil, nil, err
	}
	if err := fn(sess, d, s.now()); err != nil {
		return nil, nil, err
	}
	if err := s.store.PutSession(ctx, sess, s.sessionTTL()); err != nil {
		return nil, nil, fmt.Errorf("session %s: %w", sess.Deal, err)
	}
	return sess, d, nil
}

// SessionResult is what ending a session did.
type SessionResult struct {
	Session *Session
	Outcome SessionOutcome // what was offered (and applied, when Applied)
	Applied bool
	Change  Change
	Before  Progress
	After   Progress
	Meeting *Meeting // a phone session's meeting, recorded on the deal
}

// EndSession ends a session: its transcript goes to the deal's history as
// a "session" event. With apply, the outcome's info fields and checklist
// items are recorded in the same update (the rep asked for it); a phone
// session's agreed meeting is booked either way, since the rep entered it
// as a fact.
//
// The session is read again under the actor's session lock, so the result
// includes answers recorded in between (e.g. through another replica).
func (s *Service) EndSession(ctx context.Context, a Actor, team *Team, sess *Session, apply bool) (SessionResult, error) {
	unlock, err := s.lockSessions(ctx, a)
	if err != nil {
		return SessionResult{}, err
	}
	defer unlock()
	cur, err := s.store.GetSession(ctx, a.Team, a.User, sess.Deal)
	if errors.Is(err, ErrNotFound) {
		return SessionResult{}, Errf(CodeNoSession, "deal", " ("+sess.Deal+")")
	}
	if err != nil {
		return SessionResult{}, fmt.Errorf("session %s: %w", sess.Deal, err)
	}
	return s.endSession(ctx, a, team, cur, apply)
}

// endSession is EndSession with the session lock held.
func (s *Service) endSession(ctx context.Context, a Actor, team *Team, sess *Session, apply bool) (SessionResult, error) {
	res := SessionResult{Session: sess, Applied: apply}
	m, _, err := s.bookSessionMeeting(ctx, a, team, sess)
	if err != nil {
		return res, err
	}
	res.Meeting = m
	ch, err := s.update(ctx, a, team, sess.Deal, func(d *Deal, now time.Time) ([]Event, error) {
		res.Outcome = sess.Outcome(s.Playbook, d, now)
		var evs []Event
		if apply {
			for _, kv := range res.Outcome.Info {
				old := d.Info[kv[0]]
				if d.Info == nil {
					d.Info = map[string]string{}
				}
				if len(d.Info) >= MaxInfoFields && old == "" {
					return nil, Errf(CodeTooMany, "field", "info", "max", strconv.Itoa(MaxInfoFields))
				}
				d.Info[kv[0]] = kv[1]
				evs = append(evs, Event{Kind: "info", Field: kv[0], Before: old, After: kv[1]})
			}
			if len(res.Outcome.Items) > 0 && !d.Open() {
				return nil, Errf(CodeDealClosed, "deal", d.ID, "status", string(d.Status))
			}
			for _, id := range res.Outcome.Items {
				if d.Checked == nil {
					d.Checked = map[string]Check{}
				}
				d.Checked[id] = Check{By: a.User, At: now}
				evs = append(evs, Event{Kind: "check", Field: id, After: "✓"})
				d.LastProgressAt = now
			}
		}
		if len(sess.Points) > 0 || len(sess.Transcript) > 1 {
			for _, c := range sess.transcriptChunks() {
				evs = append(evs, Event{Kind: "session", Field: sess.Kind, After: c})
			}
		}
		return evs, nil
	})
	if err != nil {
		return res, err
	}
	res.Change = ch
	res.Before = Evaluate(s.Playbook, ch.Before)
	res.After = Evaluate(s.Playbook, ch.After)
	if err := s.store.DeleteSession(ctx, a.Team, a.User, sess.Deal); err != nil {
		return res, fmt.Errorf("session %s: %w", sess.Deal, err)
	}
	return res, nil
}

// BookSessionMeeting records the meeting a phone session agreed (ph.3) on
// the deal through AddMeeting, once: it returns nil when there is none or
// it is booked already.
func (s *Service) BookSessionMeeting(ctx context.Context, a Actor, team *Team, sess *Session) (*Meeting, error) {
	unlock, err := s.lockSessions(ctx, a)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, err := s.store.GetSession(ctx, a.Team, a.User, sess.Deal)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", sess.Deal, err)
	}
	m, _, err := s.bookSessionMeeting(ctx, a, team, cur)
	if err == nil {
		*sess = *cur
	}
	return m, err
}

// bookSessionMeeting is BookSessionMeeting with the session lock held.
// The change is the deal's, with the meeting (zero when none was booked).
func (s *Service) bookSessionMeeting(ctx context.Context, a Actor, team *Team, sess *Session) (*Meeting, Change, error) {
	at, place, topic, ok := sess.Meeting()
	if !ok || sess.Data[dataMeetBooked] != "" {
		return nil, Change{}, nil
	}
	ch, m, err := s.AddMeeting(ctx, a, team, sess.Deal, at, place, topic)
	if err != nil {
		return nil, Change{}, err
	}
	sess.Data[dataMeetBooked] = strconv.Itoa(m.ID)
	sess.log(fmt.Sprintf("[%s] meeting booked #%d", sess.CurrentStep(), m.ID))
	// keep the booking on record, so a later end does not book it twice
	if err := s.store.PutSession(ctx, sess, s.sessionTTL()); err != nil {
		return nil, Change{}, fmt.Errorf("session %s: %w", sess.Deal, err)
	}
	return m, ch, nil
}

// sessionLockTTL bounds how long a crashed holder blocks a user's sessions.
const sessionLockTTL = 10 * time.Second

// lockSessions serialises changes to the actor's sessions across replicas:
// sessions carry no version, so two messages handled at once could
// otherwise lose an answer. It returns the release function.
func (s *Service) lockSessions(ctx context.Context, a Actor) (func(), error) {
	name := "session/" + a.Team + "/" + a.User
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		release, ok, err := s.store.TryLock(ctx, name, sessionLockTTL)
		if err != nil {
			return nil, fmt.Errorf("session lock: %w", err)
		}
		if ok {
			return func() { _ = release(context.WithoutCancel(ctx)) }, nil
		}
		backoff(ctx, attempt)
	}
	return nil, Errf(CodeBusy)
}
