package coach_test

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// TestCreateDealOncePerDelivery: a delivery run again (its done mark was
// lost in a crash) finds the deal its first run created; without a
// delivery, or in another delivery, the same `new` is a second deal.
func TestCreateDealOncePerDelivery(t *testing.T) {
	svc, team, _ := newService(t)
	ctx := coach.WithRequest(context.Background(), "slack:T1:cmd-42")
	nd := coach.NewDeal{Name: "Acme ERP", Customer: "Acme"}
	first, err := svc.CreateDeal(ctx, actor("alice"), team, nd)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.CreateDeal(coach.RestartRequest(ctx), actor("alice"), team, nd)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID {
		t.Fatalf("re-run of the delivery created %s besides %s", again.ID, first.ID)
	}
	other, err := svc.CreateDeal(coach.WithRequest(context.Background(), "slack:T1:cmd-43"), actor("alice"), team, nd)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := svc.CreateDeal(context.Background(), actor("alice"), team, nd)
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == first.ID || plain.ID == first.ID || plain.ID == other.ID {
		t.Fatalf("distinct creates share ids: %s %s %s", first.ID, other.ID, plain.ID)
	}
	deals, err := svc.Visible(context.Background(), actor("alice"), team)
	if err != nil {
		t.Fatal(err)
	}
	if len(deals) != 3 {
		t.Fatalf("%d deals, want 3", len(deals))
	}
}
