package coach_test

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

func TestCloseDateValidation(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := context.Background()
	bob := actor("bob")
	d, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	tests := []struct {
		date string
		code string
	}{
		{"2027-02-30", coach.CodeNoSuchDay},
		{"2026-13-01", coach.CodeNoSuchDay},
		{"2027-2-3", coach.CodeBadValue},
		{"next week", coach.CodeBadValue},
		{"2027-02-28", ""},
	}
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			_, err := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "X " + tc.date, CloseDate: tc.date})
			_, err2 := svc.EditDeal(ctx, bob, team, d.ID, coach.NewDeal{CloseDate: tc.date})
			if tc.code == "" {
				if err != nil || err2 != nil {
					t.Fatalf("valid date refused: %v %v", err, err2)
				}
				return
			}
			if !isCode(err, tc.code) || !isCode(err2, tc.code) {
				t.Fatalf("create %v, edit %v; want %s", err, err2, tc.code)
			}
		})
	}
}

func TestDealWarnings(t *testing.T) {
	svc, team, _ := newService(t) // today is 2026-11-23
	ctx := context.Background()
	bob, alice := actor("bob"), actor("alice")
	first, _ := svc.CreateDeal(ctx, bob, team, coach.NewDeal{Name: "Acme"})
	if _, err := svc.CreateDeal(ctx, alice, team, coach.NewDeal{Name: "Globex"}); err != nil { // not bob's
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		deal  coach.NewDeal
		codes []string
	}{
		{"clean", coach.NewDeal{Name: "Initech", CloseDate: "2026-11-23"}, nil},
		{"past close date", coach.NewDeal{Name: "Hooli", CloseDate: "2026-11-22"}, []string{coach.WarnClosePast}},
		{"duplicate name, any case", coach.NewDeal{Name: "acme "}, []string{coach.WarnDuplicateName}},
		{"both", coach.NewDeal{Name: "ACME", CloseDate: "2025-01-01"}, []string{coach.WarnClosePast, coach.WarnDuplicateName}},
		{"a deal bob cannot see is no duplicate", coach.NewDeal{Name: "Globex"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := svc.CreateDeal(ctx, bob, team, tc.deal)
			if err != nil {
				t.Fatalf("a warning must not refuse: %v", err)
			}
			ws, err := svc.DealWarnings(ctx, bob, team, d)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, w := range ws {
				codes = append(codes, w.Code)
				if w.Code == coach.WarnDuplicateName && w.Params["deals"] == "" {
					t.Fatalf("duplicate without ids: %+v", w)
				}
			}
			if len(codes) != len(tc.codes) {
				t.Fatalf("warnings %v, want %v", codes, tc.codes)
			}
			for i := range codes {
				if codes[i] != tc.codes[i] {
					t.Fatalf("warnings %v, want %v", codes, tc.codes)
				}
			}
		})
	}
	ws, _ := svc.DealWarnings(ctx, bob, team, first)
	if len(ws) != 1 || ws[0].Params["deals"] == "" {
		t.Fatalf("first Acme sees its duplicates: %+v", ws)
	}
}
