package coach_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// Monday 2026-11-23 09:00 UTC.
var t0 = bottest.Start

// env is a service over a bolt store with a fake clock and a team T1:
// admin "boss", manager "mgr", reps "ann" and "bob" (reporting to mgr).
type env struct {
	t     testing.TB
	store coach.Store
	svc   *coach.Service
	clock *bottest.Clock
	team  *coach.Team
}

func newEnv(tb testing.TB, store coach.Store) *env {
	tb.Helper()
	if store == nil {
		st, err := bolt.Open(filepath.Join(tb.TempDir(), "t.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { st.Close() })
		store = st
	}
	e := &env{t: tb, store: store, clock: bottest.NewClock(t0)}
	e.svc = coach.NewService(store, playbook.Default(), e.clock.Now, slog.New(slog.DiscardHandler))
	e.team = &coach.Team{ID: "T1", Name: "Team One", Platform: "console", Members: map[string]*coach.Member{
		"boss": {ID: "boss", Role: coach.RoleAdmin},
		"mgr":  {ID: "mgr", Role: coach.RoleManager},
		"ann":  {ID: "ann", Role: coach.RoleRep, Manager: "mgr"},
		"bob":  {ID: "bob", Role: coach.RoleRep, Manager: "mgr"},
	}, CreatedAt: t0}
	if err := store.PutTeam(context.Background(), e.team); err != nil {
		tb.Fatal(err)
	}
	return e
}

// setTeam changes the stored team.
func (e *env) setTeam(fn func(t *coach.Team)) {
	e.t.Helper()
	t, err := coach.UpdateTeamOf(e.svc)(context.Background(), "T1", func(t *coach.Team) error { fn(t); return nil })
	if err != nil {
		e.t.Fatal(err)
	}
	e.team = t
}

func (e *env) actor(user string) coach.Actor { return coach.Actor{Team: "T1", User: user} }

func (e *env) newDeal(owner, name string) *coach.Deal {
	e.t.Helper()
	d, err := e.svc.CreateDeal(context.Background(), e.actor(owner), e.team, coach.NewDeal{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) tick(user, deal string, items ...string) {
	e.t.Helper()
	if _, err := e.svc.Tick(context.Background(), e.actor(user), e.team, deal, items, nil); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) deal(id string) *coach.Deal {
	e.t.Helper()
	d, err := e.store.GetDeal(context.Background(), "T1", id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// recorder is a coach.Notifier that records notices; fail makes sends fail.
type recorder struct {
	mu        sync.Mutex
	nudges    []coach.NudgeNotice
	reminders []coach.ReminderNotice
	digests   []coach.DigestNotice
	fail      bool
}

var errSend = errors.New("send failed")

func (r *recorder) Nudge(ctx context.Context, n coach.NudgeNotice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errSend
	}
	r.nudges = append(r.nudges, n)
	return nil
}

func (r *recorder) Reminder(ctx context.Context, n coach.ReminderNotice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errSend
	}
	r.reminders = append(r.reminders, n)
	return nil
}

func (r *recorder) Digest(ctx context.Context, n coach.DigestNotice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errSend
	}
	r.digests = append(r.digests, n)
	return nil
}

func (r *recorder) nudgedDeals() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, n := range r.nudges {
		ids = append(ids, n.Deal.ID)
	}
	sort.Strings(ids)
	return ids
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.nudges, r.reminders, r.digests = nil, nil, nil
	r.mu.Unlock()
}

func flagCodes(a coach.Assessment) []string {
	var out []string
	for _, f := range a.Flags {
		out = append(out, f.Code)
	}
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStallThresholds(t *testing.T) {
	pb := playbook.Default()
	day := 24 * time.Hour
	s1 := time.Duration(pb.Stage(1).StallDays) * day
	s2 := time.Duration(pb.Stage(2).StallDays) * day
	stage2 := map[string]coach.Check{}
	for _, it := range pb.Stage(1).Checklist() {
		stage2[it.ID] = coach.Check{At: t0}
	}
	tests := []struct {
		name     string
		checked  map[string]coach.Check
		override map[int]int
		idle     time.Duration
		meeting  time.Duration // relative to now; 0 = none
		want     bool
	}{
		{"stage 1 just under", nil, nil, s1 - time.Minute, 0, false},
		{"stage 1 exactly at", nil, nil, s1, 0, false},
		{"stage 1 over by less than a day", nil, nil, s1 + 23*time.Hour, 0, false},
		{"stage 1 a whole day over", nil, nil, s1 + day, 0, true},
		{"stage 2 uses its own threshold: under", stage2, nil, s2 + 23*time.Hour, 0, false},
		{"stage 2 a whole day over", stage2, nil, s2 + day, 0, true},
		{"team override: just under", nil, map[int]int{1: 3}, 4*day - time.Minute, 0, false},
		{"team override: a whole day over", nil, map[int]int{1: 3}, 4 * day, 0, true},
		{"future meeting suppresses the stall", nil, nil, s1 + day, 2 * time.Hour, false},
		{"past meeting does not", nil, nil, s1 + day, -2 * time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := t0.Add(60 * day)
			d := &coach.Deal{ID: "D-1", Status: coach.StatusOpen, Checked: tc.checked, LastProgressAt: now.Add(-tc.idle)}
			if tc.meeting != 0 {
				d.Meetings = []coach.Meeting{{ID: 1, At: now.Add(tc.meeting)}}
			}
			team := &coach.Team{ID: "T1", StallDays: tc.override}
			a := coach.Assess(pb, team, d, now)
			if a.Stalled() != tc.want {
				t.Fatalf("stalled = %v, want %v (flags %v, threshold %v, idle %v)", a.Stalled(), tc.want, flagCodes(a), a.Threshold, a.Idle)
			}
		})
	}
}

func TestOtherFlags(t *testing.T) {
	pb := playbook.Default()
	day := 24 * time.Hour
	now := t0
	ticked := func(upTo int, success bool, at time.Time) map[string]coach.Check {
		m := map[string]coach.Check{}
		for n := 1; n <= upTo; n++ {
			st := pb.Stage(n)
			for _, it := range st.Milestone {
				m[it.ID] = coach.Check{At: at}
			}
			if n < upTo || success {
				for _, it := range st.Success {
					m[it.ID] = coach.Check{At: at}
				}
			}
		}
		return m
	}
	dm := coach.Stakeholder{ID: 1, Name: "Li", Role: coach.RoleDecisionMaker}
	sup := coach.Stakeholder{ID: 2, Name: "Wang", Role: coach.RoleHandler, Attitude: coach.AttitudeSupporter}
	tests := []struct {
		name string
		deal coach.Deal
		want []string
		not  []string
	}{
		{"buyer one ahead", coach.Deal{BuyerStage: 1}, []string{coach.FlagCatchUp}, []string{coach.FlagStalled}},
		{"buyer far ahead", coach.Deal{BuyerStage: 3}, []string{coach.FlagGiveUp}, nil},
		{"buyer in sync", coach.Deal{BuyerStage: 2, Checked: ticked(2, true, now)}, nil, []string{coach.FlagCatchUp, coach.FlagGiveUp}},
		{"close date passed", coach.Deal{CloseDate: "2026-11-20"}, []string{coach.FlagClosePassed}, nil},
		{"close date today is not passed", coach.Deal{CloseDate: "2026-11-23"}, nil, []string{coach.FlagClosePassed}},
		{"stage 3 without decision-maker or supporter", coach.Deal{Checked: ticked(3, true, now)}, []string{coach.FlagNoDecisionMaker, coach.FlagNoSupporter}, nil},
		{"stage 3 with both", coach.Deal{Checked: ticked(3, true, now), Stakeholders: []coach.Stakeholder{dm, sup}}, nil, []string{coach.FlagNoDecisionMaker, coach.FlagNoSupporter}},
		{"stage 2 needs neither", coach.Deal{Checked: ticked(2, true, now)}, nil, []string{coach.FlagNoDecisionMaker, coach.FlagNoSupporter}},
		{"success open for twice the threshold", coach.Deal{Checked: ticked(2, false, now.Add(-43*day))}, []string{coach.FlagSuccessOverdue}, nil},
		{"success open just under twice", coach.Deal{Checked: ticked(2, false, now.Add(-41*day))}, nil, []string{coach.FlagSuccessOverdue}},
		{"closed deals carry no flags", coach.Deal{Status: coach.StatusLost, BuyerStage: 5, CloseDate: "2020-01-01"}, nil, []string{coach.FlagGiveUp, coach.FlagClosePassed, coach.FlagStalled}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal
			if d.Status == "" {
				d.Status = coach.StatusOpen
			}
			d.ID, d.LastProgressAt = "D-1", now
			a := coach.Assess(pb, &coach.Team{ID: "T1"}, &d, now)
			got := flagCodes(a)
			for _, w := range tc.want {
				if !has(got, w) {
					t.Errorf("missing flag %s; got %v", w, got)
				}
			}
			for _, n := range tc.not {
				if has(got, n) {
					t.Errorf("unexpected flag %s; got %v", n, got)
				}
			}
		})
	}
}

func TestWorkingHours(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want bool
	}{
		{"Mon 09:00 UTC", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), time.UTC, true},
		{"Mon 08:59 UTC", time.Date(2026, 11, 23, 8, 59, 0, 0, time.UTC), time.UTC, false},
		{"Mon 17:59 UTC", time.Date(2026, 11, 23, 17, 59, 0, 0, time.UTC), time.UTC, true},
		{"Mon 18:00 UTC", time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC), time.UTC, false},
		{"Mon 02:00 UTC is 10:00 in Shanghai", time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC), sh, true},
		{"Mon 12:00 UTC is 20:00 in Shanghai", time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), sh, false},
		{"Fri 17:00 UTC is Sat 01:00 in Shanghai", time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC), sh, false},
		{"Sat 10:00 UTC", time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), time.UTC, false},
		{"Mon 03:00 UTC is Sun 22:00 in New York", time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), ny, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := coach.WorkingHours(tc.at, tc.loc); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// stalledEnv has deals D-1 (ann) and D-2 (bob) created at t0 and idle
// since; D-3 (ann) has fresh progress.
func stalledEnv(t *testing.T) (*env, *recorder, *coach.Jobs) {
	return stalledEnvOn(t, nil)
}

func stalledEnvOn(t *testing.T, store coach.Store) (*env, *recorder, *coach.Jobs) {
	e := newEnv(t, store)
	e.newDeal("ann", "Acme")
	e.newDeal("bob", "Globex")
	e.newDeal("ann", "Fresh")
	rec := &recorder{}
	return e, rec, &coach.Jobs{Service: e.svc, Notify: rec}
}

func TestNudgesTimezoneAndWeekend(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name     string
		teamTZ   string
		memberTZ string // ann's
		at       time.Time
		want     []string
	}{
		{"UTC team, working hours", "", "", time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC), []string{"D-1", "D-2"}},
		{"UTC team, evening", "", "", time.Date(2026, 12, 9, 19, 0, 0, 0, time.UTC), nil},
		{"UTC team, Saturday", "", "", time.Date(2026, 12, 12, 10, 0, 0, 0, time.UTC), nil},
		{"Shanghai team, 10:00 local", "Asia/Shanghai", "", time.Date(2026, 12, 9, 2, 0, 0, 0, time.UTC), []string{"D-1", "D-2"}},
		{"Shanghai team, 19:00 local", "Asia/Shanghai", "", time.Date(2026, 12, 9, 11, 0, 0, 0, time.UTC), nil},
		{"member zone wins over the team's", "Asia/Shanghai", "Europe/London", time.Date(2026, 12, 9, 11, 0, 0, 0, time.UTC), []string{"D-1"}},
		{"Shanghai Saturday morning is Friday in UTC", "Asia/Shanghai", "", time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, rec, jobs := stalledEnv(t)
			e.clock.Advance(15 * day)
			e.tick("ann", "D-3", "s1.m1")
			e.setTeam(func(tm *coach.Team) {
				tm.Timezone = tc.teamTZ
				tm.Members["ann"].Timezone = tc.memberTZ
			})
			res, err := jobs.Nudges(context.Background(), tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.nudgedDeals(); !equal(got, tc.want) {
				t.Fatalf("nudged %v, want %v (%s)", got, tc.want, res)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNudgeContent(t *testing.T) {
	e, rec, jobs := stalledEnv(t)
	e.tick("ann", "D-1", "s1.m1", "s1.m2", "s1.m3", "s1.s1", "s1.s2") // stage 1 completed: active stage 2
	now := t0.Add(22 * 24 * time.Hour).Add(time.Hour)                 // Tue 10:00, idle > 21 d
	if _, err := jobs.Nudges(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	var n *coach.NudgeNotice
	for i := range rec.nudges {
		if rec.nudges[i].Deal.ID == "D-1" {
			n = &rec.nudges[i]
		}
	}
	if n == nil {
		t.Fatalf("D-1 not nudged: %v", rec.nudgedDeals())
	}
	if n.To != "ann" || n.NextItem != "s2.m1" || !n.Stalled() || n.Progress.Active != 2 {
		t.Fatalf("nudge %+v", n)
	}
	if q, ok := e.svc.Playbook.Question(n.Question); !ok || len(e.svc.Playbook.QuestionsFor("s2")) == 0 || q.ID[:6] != "oq.s2." {
		t.Fatalf("question %q is not an open question of s2", n.Question)
	}
}

func TestSnoozeAndMute(t *testing.T) {
	day := 24 * time.Hour
	e, rec, jobs := stalledEnv(t)
	ctx := context.Background()
	e.clock.Advance(15 * day) // Tue 2026-12-08 09:00
	e.tick("ann", "D-3", "s1.m1")
	if _, err := e.svc.Snooze(ctx, e.actor("ann"), e.team, "D-1", e.clock.Now().Add(3*day)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Mute(ctx, e.actor("mgr"), e.team, "D-2", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Mute(ctx, e.actor("ann"), e.team, "D-2", true); err == nil {
		t.Fatal("ann muted bob's deal")
	}
	d1 := e.deal("D-1")
	if !d1.SnoozedUntil.Equal(e.clock.Now().Add(3*day)) || !e.deal("D-2").Muted {
		t.Fatalf("snooze/mute not stored: %v %v", d1.SnoozedUntil, e.deal("D-2").Muted)
	}
	evs, _ := e.store.History(ctx, "T1", "D-1", 1)
	if len(evs) != 1 || evs[0].Kind != "snooze" || evs[0].By != "ann" {
		t.Fatalf("snooze event %+v", evs)
	}
	now := e.clock.Now().Add(time.Hour)
	if _, err := jobs.Nudges(ctx, now); err != nil {
		t.Fatal(err)
	}
	if got := rec.nudgedDeals(); len(got) != 0 {
		t.Fatalf("snoozed/muted deals nudged: %v", got)
	}
	// after the snooze ends D-1 is nudged; D-2 stays muted until unmuted
	if _, err := jobs.Nudges(ctx, now.Add(3*day)); err != nil {
		t.Fatal(err)
	}
	if got := rec.nudgedDeals(); !equal(got, []string{"D-1"}) {
		t.Fatalf("after snooze: %v", got)
	}
	if _, err := e.svc.Mute(ctx, e.actor("bob"), e.team, "D-2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Nudges(ctx, now.Add(3*day+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := rec.nudgedDeals(); !equal(got, []string{"D-1", "D-2"}) {
		t.Fatalf("after unmute: %v", got)
	}
}

// TestNudgeIdempotentTwoSchedulers: two scheduler instances (two services,
// as on two replicas) share one store; run at once and again, each stalled
// deal is nudged once per threshold period. A failed send is retried.
//
// The Redis variant (storage/redis/redistest) is not in this branch yet;
// the lead can run this with a Redis store through newEnv(t, store).
// TestNudgeIdempotentTwoSchedulers: two replicas' schedulers run the nudge
// job at once, repeatedly; each deal is nudged once per period. On bbolt
// both share one store; on Redis each replica has its own client to one
// server, as two bot processes would.
func TestNudgeIdempotentTwoSchedulers(t *testing.T) {
	t.Run("bolt", func(t *testing.T) {
		e, rec, jobsA := stalledEnv(t)
		testTwoSchedulers(t, e, rec, jobsA, e.store)
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.StartServer(t)
		client := func() *redisstore.Store {
			c, err := redisstore.NewClient(redisstore.Config{URL: "redis://" + srv.Addr})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return redisstore.New(c, redisstore.WithPrefix("nudges"))
		}
		e, rec, jobsA := stalledEnvOn(t, client())
		testTwoSchedulers(t, e, rec, jobsA, client())
	})
}

func testTwoSchedulers(t *testing.T, e *env, rec *recorder, jobsA *coach.Jobs, storeB coach.Store) {
	day := 24 * time.Hour
	svcB := coach.NewService(storeB, e.svc.Playbook, e.clock.Now, slog.New(slog.DiscardHandler))
	jobsB := &coach.Jobs{Service: svcB, Notify: rec}
	ctx := context.Background()
	now := t0.Add(15*day + time.Hour) // Tue 10:00, D-1..D-3 idle 15 d
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		for _, j := range []*coach.Jobs{jobsA, jobsB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := j.Nudges(ctx, now.Add(time.Duration(round)*time.Minute)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	if got := rec.nudgedDeals(); !equal(got, []string{"D-1", "D-2", "D-3"}) {
		t.Fatalf("nudged %v, want each once", got)
	}
	// the next threshold period nudges again, once
	rec.reset()
	later := now.Add(14 * day)
	for _, j := range []*coach.Jobs{jobsA, jobsB, jobsA} {
		if _, err := j.Nudges(ctx, later); err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.nudgedDeals(); !equal(got, []string{"D-1", "D-2", "D-3"}) {
		t.Fatalf("next period nudged %v", got)
	}
	// a failed send forgets its marker: the next run retries it
	rec.reset()
	rec.fail = true
	next := later.Add(14 * day)
	res, err := jobsA.Nudges(ctx, next)
	if err != nil || res.Failed != 3 {
		t.Fatalf("failing run: %s, %v", res, err)
	}
	rec.fail = false
	if _, err := jobsB.Nudges(ctx, next.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := rec.nudgedDeals(); !equal(got, []string{"D-1", "D-2", "D-3"}) {
		t.Fatalf("retry nudged %v", got)
	}
}

// TestJobLock: while one replica holds a job's lock the other skips the run.
func TestJobLock(t *testing.T) {
	e, rec, jobs := stalledEnv(t)
	ctx := context.Background()
	release, ok, err := e.store.TryLock(ctx, "job:nudges", time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	res, err := jobs.Nudges(ctx, t0.Add(15*24*time.Hour+time.Hour))
	if err != nil || res.Ran || len(rec.nudges) != 0 {
		t.Fatalf("ran under someone else's lock: %s %v", res, err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = jobs.Nudges(ctx, t0.Add(15*24*time.Hour+time.Hour))
	if err != nil || !res.Ran || res.Sent != 3 {
		t.Fatalf("after release: %s %v", res, err)
	}
}

func TestReminders(t *testing.T) {
	e, rec, jobs := stalledEnv(t)
	ctx := context.Background()
	meet := t0.Add(3 * 24 * time.Hour) // Thu 09:00
	if _, _, err := e.svc.AddMeeting(ctx, e.actor("ann"), e.team, "D-1", meet, "HQ", "first visit"); err != nil {
		t.Fatal(err)
	}
	e.setTeam(func(tm *coach.Team) { tm.PrepLeadHours = 48 })
	steps := []struct {
		at   time.Time
		want []string // kinds sent at this run
	}{
		{meet.Add(-49 * time.Hour), nil},
		{meet.Add(-47 * time.Hour), []string{coach.ReminderPrep}},
		{meet.Add(-47 * time.Hour), nil}, // same moment again: nothing
		{meet.Add(-20 * time.Hour), nil},
		{meet.Add(-50 * time.Minute), []string{coach.ReminderSoon}},
		{meet.Add(-45 * time.Minute), nil},
		{meet.Add(time.Minute), nil},
	}
	for i, s := range steps {
		rec.reset()
		if _, err := jobs.Reminders(ctx, s.at); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rec.reminders {
			got = append(got, r.Kind)
			if r.To != "ann" || r.Deal.ID != "D-1" || r.Meeting.Place != "HQ" {
				t.Errorf("step %d: reminder %+v", i, r)
			}
		}
		if !equal(got, s.want) {
			t.Fatalf("step %d at %s: sent %v, want %v", i, s.at, got, s.want)
		}
	}
}

func TestDigestSlot(t *testing.T) {
	tests := []struct {
		name    string
		weekday int
		clock   string
		tz      string
		now     time.Time
		want    time.Time
	}{
		{"default Monday 09:00 UTC, just after", 0, "", "", time.Date(2026, 11, 23, 9, 1, 0, 0, time.UTC), time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)},
		{"default, just before: last week's", 0, "", "", time.Date(2026, 11, 23, 8, 59, 0, 0, time.UTC), time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)},
		{"Friday 16:30 Shanghai", 5, "16:30", "Asia/Shanghai", time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)},
		{"Sunday (7)", 7, "10:00", "", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm := &coach.Team{DigestWeekday: tc.weekday, DigestTime: tc.clock, Timezone: tc.tz}
			if got := coach.DigestSlot(tm, tc.now); !got.Equal(tc.want) {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDigestJob(t *testing.T) {
	e, rec, jobs := stalledEnv(t)
	ctx := context.Background()
	e.setTeam(func(tm *coach.Team) {
		tm.Timezone = "Asia/Shanghai"
		tm.DigestWeekday, tm.DigestTime = 1, "09:00"
	})
	var slept []time.Duration
	jobs.DigestGap = 2 * time.Second
	jobs.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	mon := time.Date(2026, 11, 30, 0, 55, 0, 0, time.UTC) // Mon 08:55 Shanghai
	steps := []struct {
		at   time.Time
		want int
	}{
		{mon, 0},
		{mon.Add(10 * time.Minute), 2}, // 09:05: mgr and boss
		{mon.Add(15 * time.Minute), 0},
		{mon.Add(26 * time.Hour), 0}, // Tuesday: this week's is sent
		{mon.Add(7 * 24 * time.Hour).Add(10 * time.Minute), 2},
	}
	for i, s := range steps {
		rec.reset()
		if _, err := jobs.Digests(ctx, s.at); err != nil {
			t.Fatal(err)
		}
		if len(rec.digests) != s.want {
			t.Fatalf("step %d: %d digests, want %d", i, len(rec.digests), s.want)
		}
		for _, d := range rec.digests {
			if d.To != "boss" && d.To != "mgr" {
				t.Fatalf("digest sent to %s", d.To)
			}
		}
	}
	if len(slept) != 2 {
		t.Fatalf("digest sends not spaced: slept %v", slept)
	}
	// the operator's digest ignores the slot and is idempotent per end
	rec.reset()
	sat := time.Date(2026, 12, 12, 3, 0, 0, 0, time.UTC)
	for range 2 {
		if _, err := jobs.DigestNow(ctx, sat); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.digests) != 2 || !rec.digests[0].Digest.To.Equal(sat) {
		t.Fatalf("DigestNow: %d digests", len(rec.digests))
	}
}

// TestNudgeThresholdViaJob: the hourly job nudges once a deal is a whole
// day over the stage's threshold (in whole days), not before, and a booked
// meeting holds it back.
func TestNudgeThresholdViaJob(t *testing.T) {
	limit := 14 * 24 * time.Hour // stage 1
	tests := []struct {
		name    string
		after   time.Duration
		meeting bool
		want    []string
	}{
		{"just under a whole day over", limit + 23*time.Hour, false, nil},
		{"a whole day over", limit + 24*time.Hour, false, []string{"D-1"}},
		{"a whole day over with a meeting booked", limit + 24*time.Hour, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.newDeal("ann", "Acme")
			if tc.meeting {
				if _, _, err := e.svc.AddMeeting(context.Background(), e.actor("ann"), e.team, "D-1", t0.Add(20*24*time.Hour), "", ""); err != nil {
					t.Fatal(err)
				}
			}
			rec := &recorder{}
			jobs := &coach.Jobs{Service: e.svc, Notify: rec}
			if _, err := jobs.Nudges(context.Background(), t0.Add(tc.after)); err != nil {
				t.Fatal(err)
			}
			if got := rec.nudgedDeals(); !equal(got, tc.want) {
				t.Fatalf("nudged %v, want %v", got, tc.want)
			}
		})
	}
}
