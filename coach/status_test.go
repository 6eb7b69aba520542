package coach_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

func TestWinBelowLastStage(t *testing.T) {
	svc, team, now := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme", Value: 100, CloseDate: "2027-03-01"})
	if _, err := svc.Check(ctx, bob, team, d.ID, []string{"s1.m1"}, true); err != nil {
		t.Fatal(err)
	}
	before, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)

	res, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NeedsConfirm || res.Reached != 0 || len(res.Missing) == 0 || !slices.Contains(res.Missing, "s8.m1") || res.Missing[0] == "s8.m1" {
		t.Fatalf("unconfirmed: %+v", res)
	}
	if got, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID); got.Version != before.Version || got.Status != coach.StatusOpen {
		t.Fatalf("unconfirmed win changed the deal: %+v", got)
	}

	*now = now.Add(time.Hour)
	res, err = svc.Win(ctx, bob, team, d.ID, coach.WinInput{Confirm: true, Value: 250, Date: "2026-11-20"})
	if err != nil {
		t.Fatal(err)
	}
	a := res.After
	if res.NeedsConfirm || !res.Override || a.Status != coach.StatusWon || !a.WonOverride || a.Value != 250 || a.CloseDate != "2026-11-20" || !a.ClosedAt.Equal(*now) {
		t.Fatalf("confirmed: %+v / %+v", res, a)
	}
	var kinds []string
	for _, e := range res.Events {
		kinds = append(kinds, e.Kind+":"+e.Field)
	}
	if !slices.Equal(kinds, []string{"status:status", "override:won", "edit:value", "edit:close"}) {
		t.Fatalf("events %v", kinds)
	}

	t.Run("won to lost only through reopen", func(t *testing.T) {
		if _, err := svc.Lose(ctx, bob, team, d.ID, "price", ""); !isCode(err, coach.CodeDealClosed) {
			t.Fatalf("lost on won: %v", err)
		}
		if _, err := svc.SetStatus(ctx, bob, team, d.ID, coach.StatusLost, "price"); !isCode(err, coach.CodeDealClosed) {
			t.Fatalf("SetStatus lost on won: %v", err)
		}
		ch, err := svc.Reopen(ctx, bob, team, d.ID)
		if err != nil || ch.After.Status != coach.StatusOpen || ch.After.WonOverride {
			t.Fatalf("reopen: %v %+v", err, ch.After)
		}
		ch, err = svc.Lose(ctx, bob, team, d.ID, "price too high", "Initech")
		if err != nil || ch.After.LostReason != "price too high" || ch.After.Competitor != "Initech" {
			t.Fatalf("lose: %v %+v", err, ch.After)
		}
		// lost again: new reason and competitor, same status
		ch, err = svc.Lose(ctx, bob, team, d.ID, "budget cut", "Globex")
		if err != nil || ch.After.Status != coach.StatusLost || ch.After.LostReason != "budget cut" || ch.After.Competitor != "Globex" || len(ch.Events) != 2 {
			t.Fatalf("lose again: %v %+v %+v", err, ch.After, ch.Events)
		}
		if _, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{Confirm: true}); !isCode(err, coach.CodeDealClosed) {
			t.Fatalf("won on lost: %v", err)
		}
	})
}

func TestWinAtLastStage(t *testing.T) {
	svc, team, now := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	ids := append(completedThrough(svc.Playbook, 7), "s8.m1")
	if _, err := svc.Check(ctx, bob, team, d.ID, ids, true); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{})
	if err != nil || res.NeedsConfirm || res.Override || res.After.Status != coach.StatusWon || res.After.WonOverride {
		t.Fatalf("win: %v %+v", err, res)
	}
	if res.After.CloseDate != now.Format("2006-01-02") {
		t.Fatalf("close date %q, want today", res.After.CloseDate)
	}
	for _, e := range res.Events {
		if e.Kind == "override" {
			t.Fatal("override recorded for a deal at the last stage")
		}
	}
}

func TestWinLoseInput(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"future date", func() error {
			_, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{Confirm: true, Date: "2026-11-24"})
			return err
		}, coach.CodeFutureDate},
		{"no such day", func() error {
			_, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{Confirm: true, Date: "2026-02-30"})
			return err
		}, coach.CodeNoSuchDay},
		{"bad date", func() error {
			_, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{Confirm: true, Date: "30.11.2026"})
			return err
		}, coach.CodeBadValue},
		{"negative value", func() error {
			_, err := svc.Win(ctx, bob, team, d.ID, coach.WinInput{Confirm: true, Value: -1})
			return err
		}, coach.CodeBadValue},
		{"lost without reason", func() error {
			_, err := svc.Lose(ctx, bob, team, d.ID, "  ", "X")
			return err
		}, coach.CodeMissingArg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !isCode(err, tc.code) {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
			if got, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID); got.Version != d.Version {
				t.Fatal("refused input changed the deal")
			}
		})
	}
}

// TestWonOverrideInDigest: a win confirmed below the last stage is a
// marked win and counts on the rep's scorecard.
func TestWonOverrideInDigest(t *testing.T) {
	e, end := seeded(t) // D-3 (bob) is won at stage 0
	r, err := e.svc.Report(context.Background(), e.team, end)
	if err != nil {
		t.Fatal(err)
	}
	// the override is on the deal, which the digest's won line marks
	if d, err := coach.StoreOf(e.svc).GetDeal(context.Background(), "T1", "D-3"); err != nil || !d.WonOverride || d.Status != coach.StatusWon {
		t.Fatalf("D-3: %+v %v", d, err)
	}
	if got := r.Week["bob"].WonOverrides; got != 1 {
		t.Fatalf("bob's week overrides %d, want 1", got)
	}
	if got := r.Quarter["bob"].WonOverrides; got != 1 {
		t.Fatalf("bob's quarter overrides %d, want 1", got)
	}
	if s := r.Week["ann"]; s != nil && s.WonOverrides != 0 {
		t.Fatalf("ann's overrides %d", s.WonOverrides)
	}
}
