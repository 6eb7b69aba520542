package coach_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

type alertRec struct {
	mu   sync.Mutex
	got  []coach.AlertNotice
	fail bool
}

func (r *alertRec) Alert(_ context.Context, n coach.AlertNotice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errSend
	}
	r.got = append(r.got, n)
	return nil
}

func (r *alertRec) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.got {
		out = append(out, n.Deal.ID+" "+n.Kind+" → "+n.To)
	}
	return out
}

func TestDealAlerts(t *testing.T) {
	pb := playbook.Default()
	team := &coach.Team{ID: "T1", Alerts: coach.AlertSettings{On: true, Threshold: 500_000}, Members: map[string]*coach.Member{
		"mgr": {ID: "mgr", Role: coach.RoleManager},
		"ann": {ID: "ann", Role: coach.RoleRep, Manager: "mgr"},
		"cat": {ID: "cat", Role: coach.RoleRep},
	}}
	off := team.Clone()
	off.Alerts.On = false
	deal := func(owner string, value int64, close string, buyer int) *coach.Deal {
		return &coach.Deal{ID: "D-1", Owner: owner, Value: value, CloseDate: close, BuyerStage: buyer, Status: coach.StatusOpen}
	}
	tests := []struct {
		name          string
		team          *coach.Team
		before, after *coach.Deal
		want          []string
	}{
		{"slipped", team, deal("ann", 600_000, "2026-12-01", 0), deal("ann", 600_000, "2027-01-15", 0), []string{"slipped 2026-12-01→2027-01-15 mgr"}},
		{"pulled in", team, deal("ann", 600_000, "2026-12-01", 0), deal("ann", 600_000, "2026-11-15", 0), nil},
		{"date set first time", team, deal("ann", 600_000, "", 0), deal("ann", 600_000, "2027-01-15", 0), nil},
		{"at the threshold", team, deal("ann", 500_000, "2026-12-01", 0), deal("ann", 500_000, "2026-12-02", 0), []string{"slipped 2026-12-01→2026-12-02 mgr"}},
		{"below the threshold", team, deal("ann", 499_999, "2026-12-01", 0), deal("ann", 499_999, "2027-01-15", 0), nil},
		{"alerts off", off, deal("ann", 600_000, "2026-12-01", 0), deal("ann", 600_000, "2027-01-15", 0), nil},
		{"owner without manager", team, deal("cat", 600_000, "2026-12-01", 0), deal("cat", 600_000, "2027-01-15", 0), nil},
		{"turns give up", team, deal("ann", 600_000, "", 1), deal("ann", 600_000, "", 3), []string{"give_up mgr"}},
		{"already give up", team, deal("ann", 600_000, "", 3), deal("ann", 600_000, "", 4), nil},
		{"both", team, deal("ann", 600_000, "2026-12-01", 0), deal("ann", 600_000, "2027-01-15", 5), []string{"slipped 2026-12-01→2027-01-15 mgr", "give_up mgr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range coach.DealAlerts(pb, tc.team, tc.before, tc.after) {
				s := a.Kind
				if a.Kind == coach.AlertSlipped {
					s += " " + a.OldClose + "→" + a.NewClose
				}
				got = append(got, s+" "+a.To)
			}
			if !equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	closed := deal("ann", 600_000, "2027-01-15", 0)
	closed.Status = coach.StatusLost
	if a := coach.DealAlerts(pb, team, deal("ann", 600_000, "2026-12-01", 0), closed); len(a) != 0 {
		t.Fatalf("closed deal alerted: %+v", a)
	}
}

func TestAlertsDelivery(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	rec := &alertRec{}
	e.svc.Alerts = rec
	if _, err := e.svc.SetAlerts(ctx, e.actor("ann"), true, 0); err == nil {
		t.Fatal("a rep turned alerts on")
	}
	if _, err := e.svc.SetAlerts(ctx, e.actor("mgr"), true, -5); err == nil {
		t.Fatal("negative threshold accepted")
	}
	tm, err := e.svc.SetAlerts(ctx, e.actor("mgr"), true, 200_000)
	if err != nil || !tm.Alerts.On || tm.Alerts.Min() != 200_000 {
		t.Fatalf("%+v %v", tm, err)
	}
	e.team = tm
	d, err := e.svc.CreateDeal(ctx, e.actor("bob"), e.team, coach.NewDeal{Name: "Big", Value: 900_000, CloseDate: "2026-12-10"})
	if err != nil {
		t.Fatal(err)
	}
	push := func(at time.Time, close string) {
		t.Helper()
		e.clock.Set(at)
		if _, err := e.svc.EditDeal(ctx, e.actor("bob"), e.team, d.ID, coach.NewDeal{CloseDate: close}); err != nil {
			t.Fatal(err)
		}
	}
	// Monday 10:00 UTC: within working hours, sent at once
	push(t0.Add(time.Hour), "2026-12-20")
	if got := rec.kinds(); !equal(got, []string{"D-1 slipped → mgr"}) {
		t.Fatalf("at once: %v", got)
	}
	// the same slip again (back and forth) is not repeated
	push(t0.Add(2*time.Hour), "2026-12-10")
	push(t0.Add(3*time.Hour), "2026-12-20")
	if n := len(rec.kinds()); n != 1 {
		t.Fatalf("repeated: %v", rec.kinds())
	}
	// the week's snapshot, then a slip at 22:00: nothing at night…
	jobs := &coach.Jobs{Service: e.svc, Notify: &recorder{}}
	if _, err := jobs.Digests(ctx, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	push(t0.Add(13*time.Hour), "2027-01-31")
	if n := len(rec.kinds()); n != 1 {
		t.Fatalf("sent at night: %v", rec.kinds())
	}
	if _, err := jobs.Alerts(ctx, t0.Add(14*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.kinds()); n != 1 {
		t.Fatalf("catch-up sent at night: %v", rec.kinds())
	}
	// …and the hourly catch-up sends it next morning, once
	for _, h := range []time.Duration{24, 25} {
		res, err := jobs.Alerts(ctx, t0.Add(h*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if h == 24 && res.Sent != 1 {
			t.Fatalf("morning run: %v", res)
		}
	}
	rec.mu.Lock()
	last := rec.got[len(rec.got)-1]
	rec.mu.Unlock()
	if len(rec.got) != 2 || last.OldClose != "2026-12-20" || last.NewClose != "2027-01-31" {
		t.Fatalf("alerts %+v", rec.got)
	}
	// a failed send is retried by the catch-up
	rec.fail = true
	push(t0.Add(26*time.Hour), "2027-02-28")
	rec.fail = false
	if res, err := jobs.Alerts(ctx, t0.Add(27*time.Hour)); err != nil || res.Sent != 1 {
		t.Fatalf("retry: %v %v", res, err)
	}
}
