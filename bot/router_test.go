package bot_test

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot/bottest"
)

func TestWalkDealThroughStages(t *testing.T) {
	e := bottest.New(t)
	out := e.Ask("alice", `new "Acme ERP" customer=Acme value=1.2m close=2027-03-31`)
	if !strings.Contains(out, "Created D-1") {
		t.Fatalf("create: %s", out)
	}
	if out := e.Ask("alice", "check acme s1.m1 s1.m2 s1.m3"); !strings.Contains(out, "stage 1 · Customer planning & phone invitation reached") {
		t.Fatalf("reach s1: %s", out)
	}
}
