package coach_test

import (
	"context"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// seeded builds a team with an admin (boss), a manager (mgr) with two reps
// (ann, bob), and a rep without a manager (cat), and deals at various
// stages with check events before and during the week [t0, t0+7d):
//
//	D-1 bob  created t0-30d, buyer at C2, no progress: stalled, consider giving up
//	D-2 ann  created t0-10d, s1 milestone t0-10d; s1 success t0+1d (completes 1);
//	         s2 milestone t0+2d (reaches 2); s2.s1 after the week
//	D-3 bob  created t0+12h, won t0+3d
//	D-4 ann  created t0+1d; s2.m1 ticked out of order t0+1d
//	D-5 cat  created t0+1d, lost t0+4d
func seeded(t *testing.T) (*env, time.Time) {
	e := newEnv(t, nil)
	e.setTeam(func(tm *coach.Team) {
		tm.Members["cat"] = &coach.Member{ID: "cat", Role: coach.RoleRep}
	})
	ctx := context.Background()
	day := 24 * time.Hour
	at := func(d time.Duration) { e.clock.Set(t0.Add(d)) }

	at(-30 * day)
	e.newDeal("bob", "Initech") // D-1
	if _, err := e.svc.SetBuyerStage(ctx, e.actor("bob"), e.team, "D-1", 2); err != nil {
		t.Fatal(err)
	}
	at(-10 * day)
	e.newDeal("ann", "Acme") // D-2
	e.tick("ann", "D-2", "s1.m1", "s1.m2", "s1.m3")
	at(12 * time.Hour)
	e.newDeal("bob", "Globex") // D-3
	at(day)
	e.newDeal("ann", "Hooli") // D-4
	e.tick("ann", "D-4", "s2.m1")
	e.newDeal("cat", "Umbrella") // D-5
	e.tick("ann", "D-2", "s1.s1", "s1.s2")
	at(2 * day)
	e.tick("ann", "D-2", "s2.m1", "s2.m2")
	at(3 * day)
	if _, err := e.svc.SetStatus(ctx, e.actor("bob"), e.team, "D-3", coach.StatusWon, ""); err != nil {
		t.Fatal(err)
	}
	at(4 * day)
	if _, err := e.svc.SetStatus(ctx, e.actor("cat"), e.team, "D-5", coach.StatusLost, "budget cut"); err != nil {
		t.Fatal(err)
	}
	at(8 * day)
	e.tick("ann", "D-2", "s2.s1") // after the week: must not count
	return e, t0.Add(7 * day)
}

func changeLines(d *coach.Digest) []string {
	var out []string
	for _, x := range d.Changes.Won {
		out = append(out, x.ID+" won")
	}
	for _, x := range d.Changes.Lost {
		out = append(out, x.ID+" lost "+x.LostReason)
	}
	for _, x := range d.Changes.New {
		out = append(out, x.ID+" new")
	}
	return out
}

func score(list []coach.RepScore, rep string) coach.RepScore {
	for _, s := range list {
		if s.Rep == rep {
			return s
		}
	}
	return coach.RepScore{Rep: "missing " + rep}
}

func TestDigestContent(t *testing.T) {
	e, end := seeded(t)
	ctx := context.Background()
	t1, _ := e.store.GetTeam(ctx, "T1")
	rep, err := e.svc.Report(ctx, t1, end)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("manager sees their reps only", func(t *testing.T) {
		d := rep.For("mgr")
		if len(d.Flagged) != 1 || d.Flagged[0].Deal.ID != "D-1" || !d.Flagged[0].Stalled() || !d.Flagged[0].Has(coach.FlagGiveUp) {
			t.Fatalf("flagged %+v", d.Flagged)
		}
		// no snapshot before this report: new, won and lost come from the
		// deals' dates (D-3 was created and won in the week, D-4 is new)
		if got, want := changeLines(d), []string{"D-3 won", "D-4 new"}; !equal(got, want) {
			t.Fatalf("changes %v, want %v", got, want)
		}
		// open deals: D-1 (stage 0), D-2 (stage 2), D-4 (stage 0)
		if d.Pipeline.Total.Deals != 3 || d.Pipeline.Total.Weighted != 0 {
			t.Fatalf("pipeline %+v", d.Pipeline.Total)
		}
		var reps []string
		for _, s := range d.Week {
			reps = append(reps, s.Rep)
		}
		if !equal(reps, []string{"ann", "bob"}) {
			t.Fatalf("scorecard reps %v", reps)
		}
	})

	t.Run("scorecards", func(t *testing.T) {
		d := rep.For("boss")
		tests := []struct {
			name    string
			list    []coach.RepScore
			rep     string
			items   map[string]int
			ticks   int
			late    int
			stalled int
		}{
			{"ann week", d.Week, "ann", map[string]int{"s1.e1": 1, "s1.e3": 1, "s2.e1": 1}, 5, 1, 0},
			{"ann quarter", d.Quarter, "ann", map[string]int{"s1.e1": 2, "s1.e2": 1, "s1.e3": 1, "s2.e1": 1}, 8, 1, 0},
			{"bob week", d.Week, "bob", map[string]int{"s1.e1": 1}, 0, 0, 1},
			{"bob quarter", d.Quarter, "bob", map[string]int{"s1.e1": 2}, 0, 0, 1},
			{"cat week", d.Week, "cat", map[string]int{"s1.e1": 1}, 0, 0, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := score(tc.list, tc.rep)
				for id, n := range tc.items {
					if s.Items[id] != n {
						t.Errorf("%s = %d, want %d (all %v)", id, s.Items[id], n, s.Items)
					}
				}
				if s.Achieved() != sum(tc.items) {
					t.Errorf("achieved %d, want %d: %v", s.Achieved(), sum(tc.items), s.Items)
				}
				if s.Ticks != tc.ticks || s.OutOfOrder != tc.late || s.Stalled != tc.stalled {
					t.Errorf("ticks %d late %d stalled %d, want %d %d %d", s.Ticks, s.OutOfOrder, s.Stalled, tc.ticks, tc.late, tc.stalled)
				}
			})
		}
		if got := changeLines(d); !has(got, "D-5 lost budget cut") {
			t.Fatalf("admin changes %v", got)
		}
	})

	t.Run("scorecard visibility", func(t *testing.T) {
		tests := []struct {
			user, rep string
			want      []string
			code      string
		}{
			{"ann", "", []string{"ann"}, ""},
			{"ann", "bob", nil, coach.CodeForbidden},
			{"mgr", "", []string{"ann", "bob"}, ""},
			{"mgr", "cat", nil, coach.CodeForbidden},
			{"boss", "cat", []string{"cat"}, ""},
			{"boss", "nobody", nil, coach.CodeUnknownMember},
		}
		for _, tc := range tests {
			week, quarter, _, err := e.svc.Scorecards(ctx, t1, tc.user, tc.rep, end)
			if tc.code != "" {
				if ce, ok := coach.AsError(err); !ok || ce.Code != tc.code {
					t.Errorf("%s→%s: err %v, want %s", tc.user, tc.rep, err, tc.code)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range week {
				got = append(got, s.Rep)
			}
			if !equal(got, tc.want) || len(quarter) != len(week) {
				t.Errorf("%s→%s: %v, want %v", tc.user, tc.rep, got, tc.want)
			}
		}
	})
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestEvalItemsReferToChecklist keeps the scorecard honest: every
// evaluation item names checklist items (or "created") that exist.
func TestEvalItemsReferToChecklist(t *testing.T) {
	pb := playbook.Default()
	for _, e := range coach.EvalItems(pb) {
		if len(e.Items) == 0 {
			t.Errorf("%s has no items", e.ID)
		}
		for _, id := range e.Items {
			if _, ok := pb.Item(id); !ok && id != coach.CreatedItem {
				t.Errorf("%s: unknown item %s", e.ID, id)
			}
		}
	}
}

// TestFlaggedUsesIndex: the scan returns only deals the last-progress
// index yields; a deal with fresh progress and a passed close date is
// left to the touch check and the digest (the documented trade-off).
func TestFlaggedUsesIndex(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.newDeal("ann", "Old")
	if _, err := e.svc.CreateDeal(ctx, e.actor("ann"), e.team, coach.NewDeal{Name: "Late", CloseDate: "2026-11-30"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * 24 * time.Hour)
	e.tick("ann", "D-2", "s1.m1")
	got, err := e.svc.Flagged(ctx, e.team, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Deal.ID != "D-1" {
		t.Fatalf("flagged %v", got)
	}
	if a := coach.Assess(e.svc.Playbook, e.team, e.deal("D-2"), e.clock.Now()); !a.Has(coach.FlagClosePassed) {
		t.Fatalf("touch check misses the close date: %v", flagCodes(a))
	}
}
