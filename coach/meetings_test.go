package coach_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

func TestMeetingLifecycle(t *testing.T) {
	svc, team, now := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, err := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	at1 := now.Add(48 * time.Hour)
	_, m1, err := svc.AddMeeting(ctx, bob, team, d.ID, at1, "HQ", "first visit")
	if err != nil || m1.Status != coach.MeetingBooked {
		t.Fatalf("book: %v %+v", err, m1)
	}
	_, past, err := svc.AddMeeting(ctx, bob, team, d.ID, now.Add(-24*time.Hour), "", "call")
	if err != nil || past.Status != coach.MeetingHeld {
		t.Fatalf("past meeting: %v %+v", err, past)
	}
	_, m3, err := svc.AddMeeting(ctx, bob, team, d.ID, now.Add(96*time.Hour), "", "demo")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		run  func() (coach.Change, error)
		code string
	}{
		{"move unknown", func() (coach.Change, error) { return svc.MoveMeeting(ctx, bob, team, d.ID, 9, at1) }, coach.CodeUnknownMeeting},
		{"cancel unknown", func() (coach.Change, error) { return svc.CancelMeeting(ctx, bob, team, d.ID, 0) }, coach.CodeUnknownMeeting},
		{"held unknown", func() (coach.Change, error) { return svc.MeetingHeld(ctx, bob, team, d.ID, 7, "", "") }, coach.CodeUnknownMeeting},
		{"move into the past", func() (coach.Change, error) { return svc.MoveMeeting(ctx, bob, team, d.ID, m1.ID, now.Add(-time.Hour)) }, coach.CodeMeetingPast},
		{"move a held one", func() (coach.Change, error) { return svc.MoveMeeting(ctx, bob, team, d.ID, past.ID, at1) }, coach.CodeMeetingState},
		{"cancel a held one", func() (coach.Change, error) { return svc.CancelMeeting(ctx, bob, team, d.ID, past.ID) }, coach.CodeMeetingState},
		{"not visible to others", func() (coach.Change, error) {
			carol := actor("carol")
			tm, _, _ := svc.Join(ctx, carol)
			return svc.CancelMeeting(ctx, carol, tm, d.ID, m1.ID)
		}, coach.CodeUnknownDeal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
			_, err := tc.run()
			if !isCode(err, tc.code) {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
			after, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
			if after.Version != before.Version {
				t.Fatal("a refused change was written")
			}
		})
	}

	t.Run("unknown lists the valid numbers", func(t *testing.T) {
		_, err := svc.CancelMeeting(ctx, bob, team, d.ID, 42)
		ce, _ := coach.AsError(err)
		if ce == nil || ce.Params["valid"] != "1, 2, 3" || !slices.Equal(ce.Suggestions, []string{"1", "2", "3"}) {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("move", func(t *testing.T) {
		to := now.Add(72 * time.Hour)
		ch, err := svc.MoveMeeting(ctx, bob, team, d.ID, m1.ID, to)
		if err != nil || len(ch.Events) != 1 || ch.Events[0].Field != "1.at" {
			t.Fatalf("move: %v %+v", err, ch.Events)
		}
		if nm, ok := ch.After.NextMeeting(*now); !ok || nm.ID != m1.ID || !nm.At.Equal(to) {
			t.Fatalf("next meeting %+v", nm)
		}
	})

	t.Run("cancel skips it in NextMeeting", func(t *testing.T) {
		ch, err := svc.CancelMeeting(ctx, bob, team, d.ID, m1.ID)
		if err != nil || len(ch.Events) != 1 || ch.Events[0].After != coach.MeetingCancelled {
			t.Fatalf("cancel: %v %+v", err, ch.Events)
		}
		if nm, ok := ch.After.NextMeeting(*now); !ok || nm.ID != m3.ID {
			t.Fatalf("next meeting %+v %v, want %d", nm, ok, m3.ID)
		}
		again, err := svc.CancelMeeting(ctx, bob, team, d.ID, m1.ID)
		if err != nil || len(again.Events) != 0 {
			t.Fatalf("second cancel: %v %+v", err, again.Events)
		}
		if _, err := svc.MeetingHeld(ctx, bob, team, d.ID, m1.ID, "", ""); !isCode(err, coach.CodeMeetingState) {
			t.Fatalf("held on cancelled: %v", err)
		}
		if _, err := svc.MoveMeeting(ctx, bob, team, d.ID, m1.ID, now.Add(100*time.Hour)); !isCode(err, coach.CodeMeetingState) {
			t.Fatalf("move cancelled: %v", err)
		}
	})

	t.Run("held early takes place now", func(t *testing.T) {
		ch, err := svc.MeetingHeld(ctx, bob, team, d.ID, m3.ID, "liked the demo", "send proposal")
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ch.After.Meetings, func(m coach.Meeting) bool { return m.ID == m3.ID })
		m := ch.After.Meetings[i]
		if m.Status != coach.MeetingHeld || m.Outcome != "liked the demo" || m.Next != "send proposal" || !m.At.Equal(*now) {
			t.Fatalf("held %+v", m)
		}
		if _, ok := ch.After.NextMeeting(*now); ok {
			t.Fatal("a held meeting is still next")
		}
		var fields []string
		for _, e := range ch.Events {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"3.status", "3.at", "3.outcome", "3.next"}) {
			t.Fatalf("events %v", fields)
		}
		// again: only the changed outcome is recorded
		ch, err = svc.MeetingHeld(ctx, bob, team, d.ID, m3.ID, "asked for prices", "")
		if err != nil || len(ch.Events) != 1 || ch.Events[0].Before != "liked the demo" {
			t.Fatalf("update outcome: %v %+v", err, ch.Events)
		}
	})

	t.Run("list", func(t *testing.T) {
		_, ms, err := svc.Meetings(ctx, bob, team, "acme")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Status)
		}
		if !slices.Equal(got, []string{coach.MeetingHeld, coach.MeetingHeld, coach.MeetingCancelled}) {
			t.Fatalf("statuses %v (%+v)", got, ms)
		}
	})
}

func TestMeetingStatusLegacy(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		m    coach.Meeting
		want string
		next bool
	}{
		{"legacy past reads held", coach.Meeting{At: now.Add(-time.Hour)}, coach.MeetingHeld, false},
		{"legacy future reads booked", coach.Meeting{At: now.Add(time.Hour)}, coach.MeetingBooked, true},
		{"booked past stays booked (overdue)", coach.Meeting{At: now.Add(-time.Hour), Status: coach.MeetingBooked}, coach.MeetingBooked, false},
		{"cancelled future", coach.Meeting{At: now.Add(time.Hour), Status: coach.MeetingCancelled}, coach.MeetingCancelled, false},
		{"held future", coach.Meeting{At: now.Add(time.Hour), Status: coach.MeetingHeld}, coach.MeetingHeld, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.StatusAt(now); got != tc.want {
				t.Fatalf("status %s, want %s", got, tc.want)
			}
			d := &coach.Deal{Meetings: []coach.Meeting{tc.m}}
			if _, ok := d.NextMeeting(now); ok != tc.next {
				t.Fatalf("next %v, want %v", ok, tc.next)
			}
			if _, due := coach.DueReminder(tc.m, now, 24*time.Hour); due != tc.next {
				t.Fatalf("reminder due %v, want %v", due, tc.next)
			}
		})
	}
}

func TestMeetingOffers(t *testing.T) {
	svc, team, now := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	_, m, _ := svc.AddMeeting(ctx, bob, team, d.ID, now.Add(time.Hour), "", "")
	got, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
	if offers := svc.MeetingOffers(got, *m); len(offers) != 0 {
		t.Fatalf("no handler known, offers %v", offers)
	}
	name, role := "Li", coach.RoleHandler
	if _, _, err := svc.AddStakeholder(ctx, bob, team, d.ID, coach.StakeholderInput{Name: &name, Role: &role}); err != nil {
		t.Fatal(err)
	}
	got, _ = coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
	if offers := svc.MeetingOffers(got, *m); !slices.Equal(offers, []string{"s1.s1"}) {
		t.Fatalf("booked with handler: %v", offers)
	}
	if got.IsChecked("s1.s1") {
		t.Fatal("offered item ticked silently")
	}
	ch, err := svc.MeetingHeld(ctx, bob, team, d.ID, m.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if offers := svc.MeetingOffers(ch.After, ch.After.Meetings[0]); !slices.Equal(offers, []string{"s1.s1", "s2.m1"}) {
		t.Fatalf("held: %v", offers)
	}
	if _, err := svc.Check(ctx, bob, team, d.ID, []string{"s1.s1", "s2.m1"}, true); err != nil {
		t.Fatal(err)
	}
	got, _ = coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
	if offers := svc.MeetingOffers(got, got.Meetings[0]); len(offers) != 0 {
		t.Fatalf("ticked items are offered again: %v", offers)
	}
	cancelled := coach.Meeting{At: now.Add(time.Hour), Status: coach.MeetingCancelled}
	if offers := svc.MeetingOffers(&coach.Deal{Stakeholders: got.Stakeholders}, cancelled); len(offers) != 0 {
		t.Fatalf("cancelled: %v", offers)
	}
}
