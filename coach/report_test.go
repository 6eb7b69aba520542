package coach_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// upTo returns the items that reach stage n: every milestone and success
// item of the stages before it and its milestone items.
func upTo(pb *playbook.Playbook, n int) []string {
	var ids []string
	for i := 1; i <= n; i++ {
		st := pb.Stage(i)
		for _, it := range st.Milestone {
			ids = append(ids, it.ID)
		}
		if i < n {
			for _, it := range st.Success {
				ids = append(ids, it.ID)
			}
		}
	}
	return ids
}

func (e *env) valued(owner, name string, value int64, close string, stage int) *coach.Deal {
	e.t.Helper()
	d, err := e.svc.CreateDeal(context.Background(), e.actor(owner), e.team, coach.NewDeal{Name: name, Value: value, CloseDate: close})
	if err != nil {
		e.t.Fatal(err)
	}
	if stage > 0 {
		e.tick(owner, d.ID, upTo(e.svc.Playbook, stage)...)
	}
	return d
}

// twoMondays is the done-when scenario: a manager (mgr) with two reps (ann,
// bob) and deals across stages; the digest runs on Monday t0 and Monday
// t0+7d, with a close date pushed out, a deal won and a stage completed in
// between.
//
//	D-1 ann Acme     1.2m close 2026-12-15, stage 4 (30 %); completes 4 in the week
//	D-2 ann Hooli    500k close 2026-12-20, stage 6 (60 %, commit); won in the week
//	D-3 bob Initech  800k close 2026-12-31 → 2027-02-15, stage 2 (10 %)
//	D-4 bob Globex   300k close 2027-01-31, stage 1, no meeting booked, stalled
//	D-5 bob Umbrella 200k no close date, stage 1, no meeting booked, stalled
func twoMondays(t *testing.T) (e *env, rec *recorder, first, second *coach.Digest) {
	e = newEnv(t, nil)
	ctx := context.Background()
	day := 24 * time.Hour
	e.clock.Set(t0.Add(-30 * day))
	e.valued("ann", "Acme", 1_200_000, "2026-12-15", 4)
	e.valued("ann", "Hooli", 500_000, "2026-12-20", 6)
	e.valued("bob", "Initech", 800_000, "2026-12-31", 2)
	e.valued("bob", "Globex", 300_000, "2027-01-31", 1)
	e.valued("bob", "Umbrella", 200_000, "", 1)

	rec = &recorder{}
	jobs := &coach.Jobs{Service: e.svc, Notify: rec}
	run := func(now time.Time) *coach.Digest {
		t.Helper()
		e.clock.Set(now)
		res, err := jobs.Digests(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range rec.digests {
			if n.To == "mgr" && n.Digest.To.Equal(now) {
				return n.Digest
			}
		}
		t.Fatalf("no digest for mgr at %v (%v)", now, res)
		return nil
	}
	first = run(t0)

	e.clock.Set(t0.Add(2 * day))
	if _, err := e.svc.EditDeal(ctx, e.actor("bob"), e.team, "D-3", coach.NewDeal{CloseDate: "2027-02-15"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(3 * day))
	if _, err := e.svc.SetStatus(ctx, e.actor("ann"), e.team, "D-2", coach.StatusWon, ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(4 * day))
	e.tick("ann", "D-1", "s4.s1", "s4.s2", "s4.s3", "s4.s4")
	second = run(t0.Add(7 * day))
	return e, rec, first, second
}

func TestDigestTwoMondays(t *testing.T) {
	_, _, first, second := twoMondays(t)

	t.Run("first Monday has no baseline", func(t *testing.T) {
		if !first.Baseline.IsZero() {
			t.Fatalf("baseline %v", first.Baseline)
		}
		if n := len(first.Changes.Moved) + len(first.Changes.Slipped); n != 0 {
			t.Fatalf("moves or slips without a baseline: %+v", first.Changes)
		}
		// 1.2m×30% + 500k×60% + 800k×10% + 300k×5% + 200k×5%
		if got := first.Pipeline.Total.Weighted; got != 765_000 {
			t.Fatalf("weighted %d, want 765000", got)
		}
	})

	t.Run("weighted pipeline vs last week", func(t *testing.T) {
		p := second.Pipeline
		if second.Baseline.IsZero() || !second.Baseline.Equal(t0) {
			t.Fatalf("baseline %v, want %v", second.Baseline, t0)
		}
		if p.Total.Open != 2_500_000 || p.Total.Weighted != 465_000 || p.Prev.Weighted != 765_000 {
			t.Fatalf("total %+v prev %+v", p.Total, p.Prev)
		}
		if p.Total.Commit != 0 || p.Prev.Commit != 500_000 {
			t.Fatalf("commit %d (prev %d), want 0 (500000)", p.Total.Commit, p.Prev.Commit)
		}
		if p.Total.BestCase != 1_200_000 || p.Prev.BestCase != 1_700_000 {
			t.Fatalf("best case %d (prev %d)", p.Total.BestCase, p.Prev.BestCase)
		}
		months := map[string]coach.MonthFigures{}
		for _, m := range p.Months {
			months[m.Month] = m
		}
		if len(p.Months) != 6 || p.Months[0].Month != "2026-10" || p.Months[5].Month != "2027-03" {
			t.Fatalf("months %+v", p.Months)
		}
		dec, feb := months["2026-12"], months["2027-02"]
		if dec.Weighted != 360_000 || dec.Prev.Weighted != 740_000 {
			t.Fatalf("December %+v", dec)
		}
		if feb.Weighted != 80_000 || feb.Prev.Weighted != 0 {
			t.Fatalf("February %+v", feb)
		}
	})

	t.Run("slipped, won and moved", func(t *testing.T) {
		c := second.Changes
		if len(c.Slipped) != 1 || c.Slipped[0].Deal.ID != "D-3" || c.Slipped[0].From != "2026-12-31" || c.Slipped[0].To != "2027-02-15" || c.Slipped[0].Deal.Value != 800_000 {
			t.Fatalf("slipped %+v", c.Slipped)
		}
		if len(c.Won) != 1 || c.Won[0].ID != "D-2" || c.Won[0].Value != 500_000 {
			t.Fatalf("won %+v", c.Won)
		}
		if len(c.Moved) != 1 || c.Moved[0].Deal.ID != "D-1" || c.Moved[0].FromCompleted != 3 || c.Moved[0].ToCompleted != 4 || !c.Moved[0].Up() {
			t.Fatalf("moved %+v", c.Moved)
		}
		if len(c.New)+len(c.Lost)+len(c.PulledIn) != 0 || c.More != 0 {
			t.Fatalf("unexpected changes %+v", c)
		}
	})

	t.Run("per rep totals and focus", func(t *testing.T) {
		if len(second.Reps) != 2 {
			t.Fatalf("reps %+v", second.Reps)
		}
		ann, bob := second.Reps[0], second.Reps[1]
		if ann.Rep != "ann" || ann.Figures.Open != 1_200_000 || ann.Figures.Weighted != 360_000 || ann.Moves != 2 {
			t.Fatalf("ann %+v", ann)
		}
		if bob.Rep != "bob" || bob.Figures.Open != 1_300_000 || bob.Figures.Weighted != 105_000 || bob.Moves != 0 {
			t.Fatalf("bob %+v", bob)
		}
		if bob.Focus == nil || bob.Focus.Rule != "f.meeting" || bob.Focus.Techniques[0] != "ph.3" || bob.Focus.Item != "s1.s1" || bob.Focus.Deals != 2 {
			t.Fatalf("bob's focus %+v", bob.Focus)
		}
	})

	t.Run("attention by value with a next step", func(t *testing.T) {
		var ids []string
		for _, a := range second.Attention {
			ids = append(ids, a.Deal.ID)
			if a.Next == "" {
				t.Fatalf("%s has no next step", a.Deal.ID)
			}
		}
		// D-1 (1.2m, no decision-maker), D-3 (800k, stalled), D-4, D-5
		if !equal(ids, []string{"D-1", "D-3", "D-4", "D-5"}) {
			t.Fatalf("attention %v", ids)
		}
	})
}

func TestDigestVisibility(t *testing.T) {
	e, _, _, _ := twoMondays(t)
	ctx := context.Background()
	e.setTeam(func(tm *coach.Team) {
		tm.Members["cat"] = &coach.Member{ID: "cat", Role: coach.RoleRep}
		tm.Members["mgr2"] = &coach.Member{ID: "mgr2", Role: coach.RoleManager}
	})
	e.valued("cat", "Wonka", 900_000, "2026-12-01", 2)
	tests := []struct {
		user  string
		err   string
		reps  []string
		total int64
	}{
		{"boss", "", []string{"ann", "bob", "cat"}, 3_400_000},
		{"mgr", "", []string{"ann", "bob"}, 2_500_000},
		{"mgr2", "", nil, 0},
		{"ann", coach.CodeForbidden, nil, 0},
		{"nobody", coach.CodeForbidden, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			d, err := e.svc.DigestFor(ctx, e.actor(tc.user), e.team, e.clock.Now())
			if tc.err != "" {
				if ce, ok := coach.AsError(err); !ok || ce.Code != tc.err {
					t.Fatalf("err %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var reps []string
			for _, r := range d.Reps {
				reps = append(reps, r.Rep)
			}
			if !equal(reps, tc.reps) || d.Pipeline.Total.Open != tc.total {
				t.Fatalf("reps %v total %d, want %v %d", reps, d.Pipeline.Total.Open, tc.reps, tc.total)
			}
		})
	}
}

func TestDigestSnapshots(t *testing.T) {
	e, rec, _, _ := twoMondays(t)
	ctx := context.Background()
	for _, week := range []string{"2026-11-23", "2026-11-30"} {
		s, err := e.store.GetSnapshot(ctx, "T1", week)
		if err != nil {
			t.Fatalf("snapshot %s: %v", week, err)
		}
		if len(s.Deals) == 0 || s.Deals[0].Win == 0 {
			t.Fatalf("snapshot %s: %+v", week, s.Deals)
		}
	}
	t.Run("a later run in the week keeps the baseline", func(t *testing.T) {
		before, _ := e.store.GetSnapshot(ctx, "T1", "2026-11-30")
		e.clock.Set(t0.Add(7*24*time.Hour + 3*time.Hour))
		e.tick("bob", "D-4", "s1.s1", "s1.s2")
		if _, err := e.svc.DigestFor(ctx, e.actor("mgr"), e.team, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		after, _ := e.store.GetSnapshot(ctx, "T1", "2026-11-30")
		if !after.At.Equal(before.At) {
			t.Fatalf("on-demand digest replaced the week's snapshot (%v → %v)", before.At, after.At)
		}
	})
	t.Run("no second digest the same week", func(t *testing.T) {
		n := len(rec.digests)
		if _, err := (&coach.Jobs{Service: e.svc, Notify: rec}).Digests(ctx, t0.Add(7*24*time.Hour+4*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if len(rec.digests) != n {
			t.Fatalf("sent %d more", len(rec.digests)-n)
		}
	})
}

// snapFail fails PutSnapshot: the digest is not sent and the marker freed.
type snapFail struct{ coach.Store }

var errSnap = errors.New("snapshot store down")

func (s snapFail) PutSnapshot(context.Context, *coach.Snapshot, int, bool) error { return errSnap }

func TestDigestSnapshotFailure(t *testing.T) {
	e := newEnv(t, nil)
	e.valued("ann", "Acme", 1_000, "", 1)
	rec := &recorder{}
	svc := *e.svc
	coach.SetStoreOf(&svc, snapFail{e.store})
	_, err := (&coach.Jobs{Service: &svc, Notify: rec}).Digests(context.Background(), t0)
	if !errors.Is(err, errSnap) || len(rec.digests) != 0 {
		t.Fatalf("err %v, sent %d", err, len(rec.digests))
	}
	// the send marker was forgotten, so the next run sends
	if _, err := (&coach.Jobs{Service: e.svc, Notify: rec}).Digests(context.Background(), t0.Add(time.Minute)); err != nil || len(rec.digests) == 0 {
		t.Fatalf("retry: %v, sent %d", err, len(rec.digests))
	}
}

func TestDigestChangeCap(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	jobs := &coach.Jobs{Service: e.svc, Notify: &recorder{}}
	if _, err := jobs.Digests(ctx, t0); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(24 * time.Hour))
	for i := 0; i < coach.DigestMaxChanges+4; i++ {
		e.valued("ann", fmt.Sprintf("New %02d", i), int64(1000*(i+1)), "", 0)
	}
	d, err := e.svc.DigestFor(ctx, e.actor("boss"), e.team, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := d.Changes
	if c.Len() != coach.DigestMaxChanges || c.More != 4 || c.New[0].Value != int64(1000*(coach.DigestMaxChanges+4)) {
		t.Fatalf("listed %d, more %d, first %+v", c.Len(), c.More, c.New[0])
	}
}

// TestCountsNowMatchesEvaluate: the replay's shortcut agrees with
// Evaluate(…).Counts on every item for deals at every stage, with items
// ticked out of order.
func TestCountsNowMatchesEvaluate(t *testing.T) {
	pb := playbook.Default()
	var all []string
	for i := range pb.Stages {
		all = append(all, pb.Stages[i].ItemIDs()...)
	}
	for n := 0; n <= len(pb.Stages); n++ {
		for _, extra := range [][]string{nil, {"s5.m1"}, {"s3.s1", "s8.r1"}, {all[len(all)-1]}} {
			checked := map[string]coach.Check{}
			for _, id := range append(upTo(pb, n), extra...) {
				checked[id] = coach.Check{}
			}
			d := &coach.Deal{Checked: checked}
			p := coach.Evaluate(pb, d)
			for _, id := range append(all, "unknown.x") {
				if got, want := coach.CountsNow(pb, checked, id), p.Counts(id); got != want {
					t.Fatalf("stage %d extra %v item %s: countsNow %v, Evaluate %v", n, extra, id, got, want)
				}
			}
		}
	}
}

// TestFocusFlagsKnown: the flags a playbook focus rule may name are the
// stall rules' flag codes.
func TestFocusFlagsKnown(t *testing.T) {
	codes := []string{coach.FlagStalled, coach.FlagCatchUp, coach.FlagGiveUp, coach.FlagClosePassed, coach.FlagNoDecisionMaker, coach.FlagNoSupporter, coach.FlagSuccessOverdue}
	if !equal(codes, playbook.FocusFlags) {
		t.Fatalf("coach flags %v, playbook.FocusFlags %v", codes, playbook.FocusFlags)
	}
}
