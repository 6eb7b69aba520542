package coach_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func TestFillForm(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	d, _ := svc.CreateDeal(ctx, actor("bob"), team, coach.NewDeal{Name: "Acme"})
	tests := []struct {
		name     string
		tool     string
		values   map[string]string
		complete bool
		code     string // expected error code
		field    string // expected error field
	}{
		{"unknown tool", "s9.t1", map[string]string{"a": "b"}, false, coach.CodeUnknownTool, ""},
		{"unknown field", "s2.t1", map[string]string{"nope": "x"}, false, coach.CodeUnknownField, "nope"},
		{"bad date", "s2.t1", map[string]string{"visit_date": "2026-02-30"}, false, coach.CodeBadValue, "visit_date"},
		{"bad choice", "s2.t2", map[string]string{"resource": "helicopter"}, false, coach.CodeBadValue, "resource"},
		{"bad number", "s2.t3", map[string]string{"cost": "lots"}, false, coach.CodeBadValue, "cost"},
		{"required on submit", "s2.t1", map[string]string{"visit_date": "2026-12-01"}, true, coach.CodeMissingArg, ""},
		{"partial fill", "s2.t1", map[string]string{"visit_date": "2026-12-01", "cause": "manual entry", "impact": "finance overtime"}, false, "", ""},
		{"choice by label", "s2.t2", map[string]string{"resource": "专家"}, false, "", ""},
		{"number with commas", "s2.t3", map[string]string{"cost": "12,500"}, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := svc.FillForm(ctx, actor("bob"), team, d.ID, tc.tool, tc.values, tc.complete)
			if tc.code != "" {
				ce, ok := coach.AsError(err)
				if !ok || ce.Code != tc.code || (tc.field != "" && ce.Params["field"] != tc.field) {
					t.Fatalf("err %v, want %s field %s", err, tc.code, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Fields) == 0 {
				t.Fatal("nothing changed")
			}
		})
	}
	got, _ := coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
	if got.Forms["s2.t2"]["resource"] != "expert" || got.Forms["s2.t3"]["cost"] != "12500" {
		t.Fatalf("forms %v", got.Forms)
	}
	// info links: cause and impact also set the info fields, in one update
	if got.Info["s2.i2.causes"] != "manual entry" || got.Info["s2.i2.impact"] != "finance overtime" {
		t.Fatalf("info %v", got.Info)
	}
	evs, _ := coach.StoreOf(svc).History(ctx, "T1", d.ID, 0)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind+" "+e.Field)
	}
	for _, want := range []string{"form s2.t1.cause", "info s2.i2.causes", "info s2.i2.impact", "form s2.t1.visit_date"} {
		if !slices.Contains(kinds, want) {
			t.Fatalf("no event %q in %v", want, kinds)
		}
	}
	// the form status of stage 2
	st := coach.FormsStatus(playbook.Default(), got, 2)
	if st[0].Tool.ID != "s2.t1" || st[0].Filled != 3 || st[0].RequiredFilled != 1 || st[0].Required != 4 || st[0].Complete() {
		t.Fatalf("status %+v", st[0])
	}
	// a complete submit; then clearing a field with an empty value
	res, err := svc.FillForm(ctx, actor("bob"), team, d.ID, "s2.t1", map[string]string{"attendees": "Wang", "pain": "slow close", "next_step": "proposal", "cause": ""}, true)
	if err != nil || len(res.MissingRequired) != 0 {
		t.Fatalf("complete: %v %v", err, res.MissingRequired)
	}
	got, _ = coach.StoreOf(svc).GetDeal(ctx, "T1", d.ID)
	if _, ok := got.Info["s2.i2.causes"]; ok || got.Forms["s2.t1"]["cause"] != "" {
		t.Fatal("cleared field still set")
	}
	if st := coach.FormsStatus(playbook.Default(), got, 2); !st[0].Complete() {
		t.Fatalf("not complete: %+v", st[0])
	}
}
