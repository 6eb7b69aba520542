package coach_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

func TestLogKeepsEveryEntry(t *testing.T) {
	svc, team, now := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	name := "Li Wei"
	if _, _, err := svc.AddStakeholder(ctx, bob, team, d.ID, coach.StakeholderInput{Name: &name}); err != nil {
		t.Fatal(err)
	}

	r1, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"raised_by": "Li", "demand": "SSO support"}, false)
	if err != nil || r1.Entry != 1 {
		t.Fatalf("first entry: %v %+v", err, r1)
	}
	*now = now.Add(time.Hour)
	r2, err := svc.FillForm(ctx, actor("alice"), team, d.ID, "s4.t2", map[string]string{"raised_by": "Wang", "demand": "on-prem install", "contact": "1"}, false)
	if err != nil || r2.Entry != 2 {
		t.Fatalf("second entry: %v %+v", err, r2)
	}
	es := coach.LogEntries(r2.After, "s4.t2")
	if len(es) != 2 {
		t.Fatalf("entries %v", es)
	}
	if es[0].Values["demand"] != "SSO support" || es[0].By != "bob" || es[0].Contact != 0 {
		t.Fatalf("entry 1 %+v", es[0])
	}
	if es[1].Values["demand"] != "on-prem install" || es[1].By != "alice" || !es[1].At.Equal(*now) || es[1].Contact != 1 {
		t.Fatalf("entry 2 %+v", es[1])
	}
	if got := r2.After.Info["s4.i3.open_demands"]; got != "on-prem install; SSO support" {
		t.Fatalf("linked info %q", got)
	}
	if len(r2.After.Forms["s4.t2"]) != 0 {
		t.Fatal("a log entry went into the single form")
	}
	st := coach.FormsStatus(svc.Playbook, r2.After, 4)
	i := slices.IndexFunc(st, func(f coach.FormStatus) bool { return f.Tool.ID == "s4.t2" })
	if st[i].Entries != 2 || !st[i].Complete() {
		t.Fatalf("status %+v", st[i])
	}

	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"edit unknown entry", func() error {
			_, err := svc.EditLogEntry(ctx, bob, team, d.ID, "s4.t2", 7, map[string]string{"answer": "x"})
			return err
		}, coach.CodeUnknownEntry},
		{"remove unknown entry", func() error {
			_, err := svc.RemoveLogEntry(ctx, bob, team, d.ID, "s4.t2", 0)
			return err
		}, coach.CodeUnknownEntry},
		{"edit a form that is no log", func() error {
			_, err := svc.EditLogEntry(ctx, bob, team, d.ID, "s2.t1", 1, map[string]string{"pain": "x"})
			return err
		}, coach.CodeNotLog},
		{"unknown field", func() error {
			_, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"colour": "red"}, false)
			return err
		}, coach.CodeUnknownField},
		{"unknown contact", func() error {
			_, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"demand": "x", "contact": "Zhao"}, false)
			return err
		}, coach.CodeUnknownContact},
		{"empty entry", func() error {
			_, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"answer": ""}, false)
			return err
		}, coach.CodeMissingArg},
		{"submitted entry needs the required fields", func() error {
			_, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"answer": "soon"}, true)
			return err
		}, coach.CodeMissingArg},
		{"edit may not empty an entry", func() error {
			_, err := svc.EditLogEntry(ctx, bob, team, d.ID, "s4.t2", 1, map[string]string{"raised_by": "", "demand": ""})
			return err
		}, coach.CodeMissingArg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
			if err := tc.run(); !isCode(err, tc.code) {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
			if after, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID); after.Version != before.Version {
				t.Fatal("a refused change was written")
			}
		})
	}
	t.Run("unknown entry lists the valid numbers", func(t *testing.T) {
		_, err := svc.RemoveLogEntry(ctx, bob, team, d.ID, "s4.t2", 9)
		ce, _ := coach.AsError(err)
		if ce == nil || ce.Params["valid"] != "1, 2" {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("edit one entry by number", func(t *testing.T) {
		res, err := svc.EditLogEntry(ctx, bob, team, d.ID, "s4.t2", 1, map[string]string{"answer": "in Q3", "status": "answered", "contact": "Li Wei"})
		if err != nil {
			t.Fatal(err)
		}
		es := coach.LogEntries(res.After, "s4.t2")
		if es[0].Values["answer"] != "in Q3" || es[0].Values["status"] != "answered" || es[0].Contact != 1 || es[1].Values["answer"] != "" {
			t.Fatalf("entries after edit %v", es)
		}
		var fields []string
		for _, e := range res.Events {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"s4.t2#1.answer", "s4.t2#1.status", "s4.t2#1.contact"}) {
			t.Fatalf("events %v", fields)
		}
	})

	t.Run("a removed last entry's number is not given again", func(t *testing.T) {
		r, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"raised_by": "Sun", "demand": "tmp"}, false)
		if err != nil || r.Entry != 3 {
			t.Fatalf("add: %v %d", err, r.Entry)
		}
		if _, err := svc.RemoveLogEntry(ctx, bob, team, d.ID, "s4.t2", 3); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("remove one entry; numbers stay", func(t *testing.T) {
		res, err := svc.RemoveLogEntry(ctx, bob, team, d.ID, "s4.t2", 1)
		if err != nil {
			t.Fatal(err)
		}
		es := coach.LogEntries(res.After, "s4.t2")
		if len(es) != 1 || es[0].N != 2 {
			t.Fatalf("entries %v", es)
		}
		if got := res.After.Info["s4.i3.open_demands"]; got != "on-prem install" {
			t.Fatalf("info after remove %q", got)
		}
		if !strings.Contains(res.Events[0].Before, "SSO support") {
			t.Fatalf("remove event %+v", res.Events[0])
		}
		r3, err := svc.FillForm(ctx, bob, team, d.ID, "s4.t2", map[string]string{"raised_by": "Li", "demand": "API"}, false)
		if err != nil || r3.Entry != 4 {
			t.Fatalf("next number after removals: %v %d", err, r3.Entry)
		}
	})
}

// TestLogContactField: a log with its own contact field (the call log)
// keeps the text and links the entry when it names a stakeholder exactly.
func TestLogContactField(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	name := "Li Wei"
	svc.AddStakeholder(ctx, bob, team, d.ID, coach.StakeholderInput{Name: &name})
	base := map[string]string{"date": "2026-11-20", "outcome": "call_back"}
	for _, tc := range []struct {
		contact string
		link    int
	}{{"li wei", 1}, {"#1", 1}, {"Li", 0}, {"Zhang San", 0}} {
		t.Run(tc.contact, func(t *testing.T) {
			vals := map[string]string{"contact": tc.contact}
			for k, v := range base {
				vals[k] = v
			}
			res, err := svc.FillForm(ctx, bob, team, d.ID, "s1.t1", vals, true)
			if err != nil {
				t.Fatal(err)
			}
			es := coach.LogEntries(res.After, "s1.t1")
			e := es[len(es)-1]
			if e.Values["contact"] != tc.contact || e.Contact != tc.link {
				t.Fatalf("entry %+v", e)
			}
		})
	}
}

// TestLogLegacyForm: a form filled before its tool became a log reads as
// entry 1 and stays entry 1 when the next entry is added.
func TestLogLegacyForm(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	d.Forms = map[string]map[string]string{"s6.t3": {"raised_by": "Li", "objection": "too expensive"}}
	if err := coach.StoreOf(svc).UpdateDeal(ctx, d, []coach.Event{{Team: "T1", Deal: d.ID, Kind: "form"}}); err != nil {
		t.Fatal(err)
	}
	if es := coach.LogEntries(d, "s6.t3"); len(es) != 1 || es[0].N != 1 || es[0].Values["objection"] != "too expensive" {
		t.Fatalf("legacy read %v", es)
	}
	res, err := svc.FillForm(ctx, bob, team, d.ID, "s6.t3", map[string]string{"raised_by": "Wang", "objection": "no local support"}, false)
	if err != nil || res.Entry != 2 {
		t.Fatalf("add: %v %+v", err, res)
	}
	es := coach.LogEntries(res.After, "s6.t3")
	if len(es) != 2 || es[0].Values["objection"] != "too expensive" || len(res.After.Forms["s6.t3"]) != 0 {
		t.Fatalf("after add %v / forms %v", es, res.After.Forms)
	}
}
