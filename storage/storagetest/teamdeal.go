package storagetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// runTeamDeal is the conformance sub-suite of coach.TeamDealStore: the
// combined read answers exactly what GetTeam and GetDeal answer, per team,
// with a missing team an error and a missing deal a nil deal.
func runTeamDeal(t *testing.T, newStore func(t *testing.T) coach.Store) {
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"SameAsSeparateReads", testTeamDealSame},
		{"Missing", testTeamDealMissing},
		{"OddIDs", testTeamDealOddIDs},
		{"Cancelled", testTeamDealCancelled},
	} {
		t.Run("TeamDeal/"+tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func putTeam(t *testing.T, s coach.Store, id string) *coach.Team {
	t.Helper()
	tm := &coach.Team{ID: id, Name: "Team " + id, Lang: "zh", Members: map[string]*coach.Member{
		"U1": {ID: "U1", Name: "Ann", Role: coach.RoleAdmin, JoinedAt: base},
	}, CreatedAt: base}
	if err := s.PutTeam(ctxT(t), tm); err != nil {
		t.Fatalf("PutTeam(%q): %v", id, err)
	}
	return tm
}

// sameTeamDeal checks TeamAndDeal(team, id) against GetTeam and GetDeal.
func sameTeamDeal(t *testing.T, s coach.Store, team, id string) (*coach.Team, *coach.Deal) {
	t.Helper()
	ctx := ctxT(t)
	gt, gd, err := s.TeamAndDeal(ctx, team, id)
	if err != nil {
		t.Fatalf("TeamAndDeal(%q, %q): %v", team, id, err)
	}
	wt, err := s.GetTeam(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gt, wt) {
		t.Fatalf("TeamAndDeal(%q, %q) team:\n got %+v\nwant %+v", team, id, gt, wt)
	}
	wd, err := s.GetDeal(ctx, team, id)
	switch {
	case errors.Is(err, coach.ErrNotFound):
		if gd != nil {
			t.Fatalf("TeamAndDeal(%q, %q) = deal %s, GetDeal: not found", team, id, gd.ID)
		}
	case err != nil:
		t.Fatal(err)
	case gd == nil:
		t.Fatalf("TeamAndDeal(%q, %q): no deal, GetDeal found %s", team, id, wd.ID)
	default:
		sameDeal(t, gd, wd)
		if gd.Version != wd.Version {
			t.Fatalf("TeamAndDeal(%q, %q): deal version %d, want %d", team, id, gd.Version, wd.Version)
		}
	}
	return gt, gd
}

func testTeamDealSame(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	tm := putTeam(t, s, "T1")
	d := mustCreate(t, s, fullDeal("T1"))
	gt, gd := sameTeamDeal(t, s, "T1", d.ID)
	if gd == nil || gt.Version != 1 || gd.Version != 1 || gt.Name != "Team T1" {
		t.Fatalf("TeamAndDeal: team v%d %q, deal %v", gt.Version, gt.Name, gd)
	}
	// Both change: the combined read sees the new versions of both.
	tm.Lang = "en"
	if err := s.PutTeam(ctx, tm); err != nil {
		t.Fatal(err)
	}
	d.Name = "Renamed"
	if err := s.UpdateDeal(ctx, d, []coach.Event{ev("edit", "U1", base)}); err != nil {
		t.Fatal(err)
	}
	gt, gd = sameTeamDeal(t, s, "T1", d.ID)
	if gt.Version != 2 || gt.Lang != "en" || gd == nil || gd.Version != 2 || gd.Name != "Renamed" {
		t.Fatalf("after updates: team v%d %q, deal %+v", gt.Version, gt.Lang, gd)
	}
}

func testTeamDealMissing(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	// No team: ErrNotFound, even when deals were stored under its id.
	mustCreate(t, s, newDeal("T0", "U1", "Orphan", base))
	if tm, d, err := s.TeamAndDeal(ctx, "T0", "D-1"); !errors.Is(err, coach.ErrNotFound) || tm != nil || d != nil {
		t.Fatalf("TeamAndDeal of unknown team = %v, %v, %v; want ErrNotFound", tm, d, err)
	}
	if _, _, err := s.TeamAndDeal(ctx, "nobody", "D-1"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("TeamAndDeal of unknown team: %v, want ErrNotFound", err)
	}
	// The team without that deal: the team, no deal, no error.
	putTeam(t, s, "T1")
	putTeam(t, s, "T2")
	d := mustCreate(t, s, newDeal("T1", "U1", "Acme", base))
	for _, id := range []string{"D-2", "D-999999999", "", "C-1", d.ID + "x"} {
		if gt, gd := sameTeamDeal(t, s, "T1", id); gt.ID != "T1" || gd != nil {
			t.Fatalf("TeamAndDeal(T1, %q) = %v, %v; want the team and no deal", id, gt, gd)
		}
	}
	// Another team's deal is not this team's.
	if gt, gd := sameTeamDeal(t, s, "T2", d.ID); gt.ID != "T2" || gd != nil {
		t.Fatalf("TeamAndDeal(T2, %s) = %v, %v; want T2 and no deal", d.ID, gt, gd)
	}
	if _, gd := sameTeamDeal(t, s, "T1", d.ID); gd == nil || gd.Name != "Acme" {
		t.Fatalf("TeamAndDeal(T1, %s) = %v", d.ID, gd)
	}
}

func testTeamDealOddIDs(t *testing.T, s coach.Store) {
	for _, team := range []string{"a}", "{a}", "a:deal:D-1", "团队 1", "%7B", ":"} {
		putTeam(t, s, team)
		d := mustCreate(t, s, newDeal(team, "U1", "deal of "+team, base))
		if gt, gd := sameTeamDeal(t, s, team, d.ID); gt.ID != team || gd == nil || gd.Name != "deal of "+team {
			t.Fatalf("TeamAndDeal(%q, %s) = %v, %v", team, d.ID, gt, gd)
		}
	}
}

func testTeamDealCancelled(t *testing.T, s coach.Store) {
	putTeam(t, s, "T1")
	d := mustCreate(t, s, newDeal("T1", "U1", "Acme", base))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if tm, gd, err := s.TeamAndDeal(ctx, "T1", d.ID); err == nil || errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("TeamAndDeal with a cancelled context = %v, %v, %v; want the context's error", tm, gd, err)
	}
}
