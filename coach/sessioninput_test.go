package coach_test

import (
	"context"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// TestSessionInput walks a phone invitation and a need discovery through
// the one coach call: answers, phase rules, the agreed meeting booked on
// the deal when the invitation ends.
func TestSessionInput(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, err := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.StartSession(ctx, bob, team, d.ID, coach.SessionPhone); err != nil {
		t.Fatal(err)
	}
	meet := &coach.ProposedMeeting{At: t0.Add(48 * time.Hour), Place: "HQ", Topic: "stock"}
	steps := []struct {
		in       coach.SessionInput
		wantNote string
		wantStep string
	}{
		{coach.SessionInput{Text: "we both run SAP"}, coach.NoteRecorded, "ph.1"},
		// a meeting before the meeting step is an answer like any other
		{coach.SessionInput{Text: "2026-12-03 10:00", Meeting: meet}, coach.NoteRecorded, "ph.1"},
		{coach.SessionInput{Op: coach.OpNext}, "", "ph.2"},
		{coach.SessionInput{Op: coach.OpUndo}, "", "ph.2"},
		{coach.SessionInput{Op: coach.OpNext}, "", "ph.3"},
		{coach.SessionInput{Text: "2026-12-03 10:00 HQ", Meeting: meet}, coach.NoteMeetingNoted, "ph.3"},
	}
	for i, s := range steps {
		st, err := svc.SessionInput(ctx, bob, team, d.ID, s.in)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if st.Note != s.wantNote || st.Session.CurrentStep() != s.wantStep {
			t.Fatalf("step %d: note %q step %q, want %q %q", i, st.Note, st.Session.CurrentStep(), s.wantNote, s.wantStep)
		}
	}
	bad := coach.SessionInput{Text: "2026-12-03 25:00", MeetingErr: coach.Errf(coach.CodeBadValue, "field", "time")}
	if _, err := svc.SessionInput(ctx, bob, team, d.ID, bad); !isCode(err, coach.CodeBadValue) {
		t.Fatalf("bad meeting time at the meeting step: %v", err)
	}
	st, err := svc.SessionInput(ctx, bob, team, d.ID, coach.SessionInput{Op: coach.OpNext})
	if err != nil {
		t.Fatal(err)
	}
	if st.Booked == nil || len(st.Deal.Meetings) != 1 || !st.Deal.Meetings[0].At.Equal(meet.At) {
		t.Fatalf("meeting not booked on the deal: %+v %+v", st.Booked, st.Deal)
	}
	st, err = svc.SessionInput(ctx, bob, team, "", coach.SessionInput{Op: coach.OpStop})
	if err != nil || st.Ended == nil || st.Ended.Meeting != nil {
		t.Fatalf("stop: %+v %v (the meeting must not be booked twice)", st.Ended, err)
	}

	// need discovery: confirm before the confirm phase changes nothing
	if _, _, _, err := svc.StartSession(ctx, bob, team, d.ID, coach.SessionNeeds); err != nil {
		t.Fatal(err)
	}
	for _, op := range []coach.SessionOp{coach.OpConfirm, coach.OpCorrect} {
		st, err := svc.SessionInput(ctx, bob, team, d.ID, coach.SessionInput{Op: op, Text: "x"})
		if err != nil || st.Note != coach.NoteConfirmNotYet || st.Session.CurrentStep() != "nd.1" {
			t.Fatalf("%s in the open phase: %+v %v", op, st, err)
		}
	}
	if _, err := svc.SessionInput(ctx, bob, team, d.ID, coach.SessionInput{Op: "dance"}); !isCode(err, coach.CodeBadValue) {
		t.Fatalf("unknown op: %v", err)
	}
}
