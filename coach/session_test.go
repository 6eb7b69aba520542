package coach_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// newService returns a service over a bbolt store in a temp dir with a
// fixed clock, a team T1 with alice (admin) and bob (rep).
func newService(tb testing.TB) (*coach.Service, *coach.Team, *time.Time) {
	tb.Helper()
	st, err := bolt.Open(filepath.Join(tb.TempDir(), "c.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	now := t0
	svc := coach.NewService(st, playbook.Default(), func() time.Time { return now }, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if _, _, err := svc.Join(ctx, coach.Actor{Team: "T1", User: "alice"}); err != nil {
		tb.Fatal(err)
	}
	team, _, err := svc.Join(ctx, coach.Actor{Team: "T1", User: "bob"})
	if err != nil {
		tb.Fatal(err)
	}
	return svc, team, &now
}

func actor(user string) coach.Actor { return coach.Actor{Team: "T1", User: user} }

func TestSessionStateMachine(t *testing.T) {
	type op struct {
		do        string // record:<text>, next, back, skip, tense, confirm, correct:<text>, undo
		wantStep  string
		wantPhase string
	}
	tests := []struct {
		name string
		kind string
		ops  []op
	}{
		{"needs walks open-control-confirm", coach.SessionNeeds, []op{
			{"record:a", "nd.1", coach.PhaseOpen},
			{"next", "nd.1", coach.PhaseControl},
			{"next", "nd.1", coach.PhaseConfirm},
			{"confirm", "nd.2", coach.PhaseOpen},
			{"next", "nd.2", coach.PhaseControl},
			{"tense", "nd.2", coach.PhaseOpen},
			{"skip", "nd.3", coach.PhaseOpen},
			{"back", "nd.2", coach.PhaseConfirm},
			{"back", "nd.2", coach.PhaseControl},
			{"back", "nd.2", coach.PhaseOpen},
			{"back", "nd.1", coach.PhaseConfirm},
			{"skip", "nd.2", coach.PhaseOpen},
			{"skip", "nd.3", coach.PhaseOpen},
			{"skip", "", coach.PhaseDone},
			{"back", "nd.3", coach.PhaseConfirm},
		}},
		{"budget walks steps", coach.SessionBudget, []op{
			{"next", "bp.2", coach.PhaseOpen},
			{"record:below 1m", "bp.2", coach.PhaseOpen},
			{"next", "bp.3", coach.PhaseOpen},
			{"back", "bp.2", coach.PhaseOpen},
			{"next", "bp.3", coach.PhaseOpen},
			{"next", "", coach.PhaseDone},
			{"next", "", coach.PhaseDone},
		}},
		{"back at the start stays", coach.SessionProcess, []op{
			{"back", "pp.1", coach.PhaseOpen},
			{"tense", "pp.1", coach.PhaseOpen},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := coach.NewSession("T1", "alice", "D-1", tc.kind, t0)
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range tc.ops {
				verb, arg, _ := strings.Cut(o.do, ":")
				var err error
				switch verb {
				case "record":
					err = s.Record(arg, t0)
				case "next":
					s.Next(t0)
				case "back":
					s.Back(t0)
				case "skip":
					s.Skip(t0)
				case "tense":
					s.Tense(t0)
				case "confirm":
					err = s.Confirm(t0)
				case "correct":
					err = s.Correct(arg, t0)
				}
				if err != nil {
					t.Fatalf("op %d %s: %v", i, o.do, err)
				}
				if s.CurrentStep() != o.wantStep || s.Phase != o.wantPhase {
					t.Fatalf("op %d %s: at %q/%s, want %q/%s", i, o.do, s.CurrentStep(), s.Phase, o.wantStep, o.wantPhase)
				}
			}
		})
	}
}

func TestSessionControlAndConfirm(t *testing.T) {
	s, _ := coach.NewSession("T1", "alice", "D-1", coach.SessionNeeds, t0)
	for _, p := range []string{"old ERP", "no training", "bad data", "manual steps"} {
		if err := s.Record(p, t0); err != nil {
			t.Fatal(err)
		}
	}
	// the control question offers the rep's own latest points
	if got := s.ControlChoices("nd.1"); !slices.Equal(got, []string{"no training", "bad data", "manual steps"}) {
		t.Fatalf("choices %v", got)
	}
	if err := s.Confirm(t0); err == nil {
		t.Fatal("confirm in the open phase accepted")
	}
	if err := s.Correct("x", t0); err == nil {
		t.Fatal("correct in the open phase accepted")
	}
	s.Next(t0)
	if err := s.Record("mostly bad data", t0); err != nil {
		t.Fatal(err)
	}
	if s.Points[coach.ControlKey("nd.1")][0] != "mostly bad data" || len(s.Points["nd.1"]) != 4 {
		t.Fatalf("control answer stored wrong: %v", s.Points)
	}
	if got, ok := s.Undo(t0); !ok || got != "mostly bad data" {
		t.Fatalf("undo %q %v", got, ok)
	}
	s.Record("bad master data", t0)
	s.Next(t0)
	if got := s.Summary("nd.1"); got != "bad master data" {
		t.Fatalf("summary %q", got)
	}
	if err := s.Correct("bad master data and no owner", t0); err != nil {
		t.Fatal(err)
	}
	if s.Summary("nd.1") != "bad master data and no owner" || s.Phase != coach.PhaseConfirm {
		t.Fatalf("correct: %q %s", s.Summary("nd.1"), s.Phase)
	}
	if err := s.Confirm(t0); err != nil || !s.Confirmed["nd.1"] || s.CurrentStep() != "nd.2" {
		t.Fatalf("confirm: %v %v %s", err, s.Confirmed, s.CurrentStep())
	}
	if err := s.Record("", t0); err == nil {
		t.Fatal("empty point accepted")
	}
	if ex := coach.ControlExamples(playbook.Default(), "nd.2"); len(ex) != 7 || ex[0].ID != "nd.2a" {
		t.Fatalf("nd.2 examples %v", ex)
	}
	if ex := coach.ControlExamples(playbook.Default(), "nd.1"); len(ex) != 0 {
		t.Fatalf("nd.1 examples %v", ex)
	}
}

func TestSessionOutcome(t *testing.T) {
	pb := playbook.Default()
	tests := []struct {
		name      string
		kind      string
		script    func(s *coach.Session)
		deal      coach.Deal
		wantInfo  map[string]string
		wantItems []string
		wantWho   []string
		wantForm  string
	}{
		{"needs all confirmed", coach.SessionNeeds, func(s *coach.Session) {
			for _, step := range []string{"cause A", "finance department and sales", "one system"} {
				s.Record(step, t0)
				s.Next(t0)
				s.Next(t0)
				s.Confirm(t0)
			}
		}, coach.Deal{}, map[string]string{"s2.i2.causes": "cause A", "s2.i2.impact": "finance department and sales", "s2.i2.departments": "finance department and sales", "s2.i2.conditions": "one system"}, []string{"s2.s1"}, nil, ""},
		{"needs unconfirmed offers no item", coach.SessionNeeds, func(s *coach.Session) { s.Record("cause A", t0) },
			coach.Deal{}, map[string]string{"s2.i2.causes": "cause A"}, nil, nil, ""},
		{"known info is not offered again", coach.SessionNeeds, func(s *coach.Session) { s.Record("cause A", t0) },
			coach.Deal{Info: map[string]string{"s2.i2.causes": "cause A"}}, map[string]string{}, nil, nil, ""},
		{"process", coach.SessionProcess, func(s *coach.Session) {
			s.Record("CFO Zhang", t0)
			s.Record("Wang", t0)
			s.Record("the board approves above 1m", t0)
			s.Next(t0)
			s.Record("total cost of ownership", t0)
			s.Skip(t0)
			s.Skip(t0)
			s.Record("by March", t0)
		}, coach.Deal{Stakeholders: []coach.Stakeholder{{ID: 1, Name: "Wang"}}},
			map[string]string{"s2.i1.key_people": "CFO Zhang; Wang; the board approves above 1m", "s2.i1.decision_process": "the board approves above 1m",
				"s4.i1.criteria": "total cost of ownership", "s2.i2.schedule": "by March"}, []string{"s2.s3"}, []string{"CFO Zhang"}, ""},
		{"budget prefers the tier answer", coach.SessionBudget, func(s *coach.Session) {
			s.Record("no budget yet", t0)
			s.Next(t0)
			s.Record("between 1 and 2m", t0)
		}, coach.Deal{}, map[string]string{"s2.i2.budget_range": "between 1 and 2m"}, nil, nil, ""},
		{"phone with meeting", coach.SessionPhone, func(s *coach.Session) {
			s.Next(t0)
			s.Record("stock counts wrong", t0)
			s.Next(t0)
			s.SetMeeting(t0.Add(72*time.Hour), "HQ", "stock", t0)
		}, coach.Deal{}, map[string]string{}, []string{"s1.s1"}, nil, "s1.t1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := coach.NewSession("T1", "alice", "D-1", tc.kind, t0)
			tc.script(s)
			o := s.Outcome(pb, &tc.deal, t0)
			got := map[string]string{}
			for _, kv := range o.Info {
				got[kv[0]] = kv[1]
			}
			if len(got) != len(tc.wantInfo) {
				t.Fatalf("info %v, want %v", got, tc.wantInfo)
			}
			for k, v := range tc.wantInfo {
				if got[k] != v {
					t.Fatalf("info %s = %q, want %q", k, got[k], v)
				}
			}
			if !slices.Equal(o.Items, tc.wantItems) || !slices.Equal(o.Contacts, tc.wantWho) || o.Form != tc.wantForm {
				t.Fatalf("items %v contacts %v form %q", o.Items, o.Contacts, o.Form)
			}
		})
	}
}

func TestServiceSessions(t *testing.T) {
	svc, team, now := newService(t)
	ctx := context.Background()
	d, err := svc.CreateDeal(ctx, actor("bob"), team, coach.NewDeal{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ActiveSession(ctx, actor("bob"), team, ""); !isCode(err, coach.CodeNoSession) {
		t.Fatalf("no session: %v", err)
	}
	if _, _, _, err := svc.StartSession(ctx, actor("bob"), team, d.ID, "dance"); !isCode(err, coach.CodeBadValue) {
		t.Fatalf("bad kind: %v", err)
	}
	s, _, prev, err := svc.StartSession(ctx, actor("bob"), team, d.ID, coach.SessionNeeds)
	if err != nil || prev != nil || s.Kind != coach.SessionNeeds {
		t.Fatalf("start: %v %v", err, prev)
	}
	if _, _, err := svc.UpdateSession(ctx, actor("bob"), team, "", func(s *coach.Session, d *coach.Deal, now time.Time) error {
		return s.Record("old ERP", now)
	}); err != nil {
		t.Fatal(err)
	}
	// alice (admin) has no session of her own on bob's deal
	if _, _, err := svc.ActiveSession(ctx, actor("alice"), team, d.ID); !isCode(err, coach.CodeNoSession) {
		t.Fatalf("alice: %v", err)
	}
	// starting another kind replaces the session and keeps its transcript
	_, _, prev, err = svc.StartSession(ctx, actor("bob"), team, d.ID, coach.SessionBudget)
	if err != nil || prev == nil || prev.Kind != coach.SessionNeeds {
		t.Fatalf("replace: %v %v", err, prev)
	}
	evs, _ := coach.StoreOf(svc).History(ctx, "T1", d.ID, 0)
	if last := evs[len(evs)-1]; last.Kind != "session" || last.Field != "needs" || !strings.Contains(last.After, "old ERP") {
		t.Fatalf("transcript event %+v", last)
	}
	// an idle session expires with the service clock
	*now = now.Add(svc.SessionTTL + time.Second)
	if _, _, err := svc.ActiveSession(ctx, actor("bob"), team, d.ID); !isCode(err, coach.CodeNoSession) {
		t.Fatalf("expired: %v", err)
	}
}

func TestEndSessionApply(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	d, _ := svc.CreateDeal(ctx, actor("bob"), team, coach.NewDeal{Name: "Acme"})
	svc.StartSession(ctx, actor("bob"), team, d.ID, coach.SessionPhone)
	sess, _, err := svc.UpdateSession(ctx, actor("bob"), team, "", func(s *coach.Session, d *coach.Deal, now time.Time) error {
		s.Next(now)
		s.Record("stock counts wrong", now)
		s.Next(now)
		return s.SetMeeting(t0.Add(48*time.Hour), "HQ", "stock", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.BookSessionMeeting(ctx, actor("bob"), team, sess)
	if err != nil || m == nil {
		t.Fatalf("book: %v %v", m, err)
	}
	res, err := svc.EndSession(ctx, actor("bob"), team, sess, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Meeting != nil {
		t.Fatal("meeting booked twice")
	}
	after, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
	if len(after.Meetings) != 1 || !after.IsChecked("s1.s1") {
		t.Fatalf("meetings %v checked %v", after.Meetings, after.Checked)
	}
	if _, err := coach.StoreOf(svc).GetSession(ctx, "T1", "bob", d.ID); err == nil {
		t.Fatal("session not deleted")
	}
}

func isCode(err error, code string) bool {
	ce, ok := coach.AsError(err)
	return ok && ce.Code == code
}

// TestLongTranscript: a long transcript goes to history in several events,
// each within the text limit.
func TestLongTranscript(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	d, _ := svc.CreateDeal(ctx, actor("bob"), team, coach.NewDeal{Name: "Acme"})
	svc.StartSession(ctx, actor("bob"), team, d.ID, coach.SessionNeeds)
	sess, _, err := svc.UpdateSession(ctx, actor("bob"), team, d.ID, func(s *coach.Session, d *coach.Deal, now time.Time) error {
		for i := 0; i < coach.MaxSessionPoints; i++ {
			if err := s.Record(strings.Repeat("x", 400), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Record("one too many", t0); !isCode(err, coach.CodeTooMany) {
		t.Fatalf("point limit: %v", err)
	}
	if _, err := svc.EndSession(ctx, actor("bob"), team, sess, false); err != nil {
		t.Fatal(err)
	}
	evs, _ := coach.StoreOf(svc).History(ctx, "T1", d.ID, 0)
	n := 0
	for _, e := range evs {
		if e.Kind == "session" {
			n++
			if len([]rune(e.After)) > coach.MaxTextLen {
				t.Fatalf("event of %d runes", len([]rune(e.After)))
			}
		}
	}
	if n < 2 {
		t.Fatalf("%d session events", n)
	}
}

// TestSessionConcurrentAnswers: answers handled at the same time (e.g. by
// two replicas) are all kept.
func TestSessionConcurrentAnswers(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	d, _ := svc.CreateDeal(ctx, actor("bob"), team, coach.NewDeal{Name: "Acme"})
	if _, _, _, err := svc.StartSession(ctx, actor("bob"), team, d.ID, coach.SessionNeeds); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, _, err := svc.UpdateSession(ctx, actor("bob"), team, d.ID, func(s *coach.Session, d *coach.Deal, now time.Time) error {
				return s.Record("point "+strconv.Itoa(i), now)
			})
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s, _, err := svc.ActiveSession(ctx, actor("bob"), team, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Points["nd.1"]); got != n {
		t.Fatalf("%d of %d answers kept: %v", got, n, s.Points)
	}
}
