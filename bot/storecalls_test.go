package bot_test

import (
	"path/filepath"
	"testing"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// TestStoreCallsPerCommand pins the store calls of the deal commands: the
// team is read once and the deal is resolved once (by id: both in one
// TeamAndDeal; by name: GetTeam, then one PrefixDeals, the name index) and
// a change is written once. On
// Redis every call is a round trip, so this is the latency budget of a
// command.
func TestStoreCallsPerCommand(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "calls.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := bottest.NewCountingStore(st)
	e := bottest.New(t, bottest.WithStore(cs))
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	e.Ask("alice", `contact D-1 add "Wang Li" role=handler`)
	tests := []struct {
		in   string
		want string
	}{
		{"show D-1", "TeamAndDeal=1"},
		{"show acme", "GetTeam=1 PrefixDeals=1"},
		{"check D-1 s1.m1", "TeamAndDeal=1 UpdateDeal=1"},
		{"check acme s1.m2", "GetTeam=1 PrefixDeals=1 UpdateDeal=1"},
		{"uncheck D-1 s1.m2", "TeamAndDeal=1 UpdateDeal=1"},
		{"note D-1 CFO worried about cost", "TeamAndDeal=1 UpdateDeal=1"},
		{"note acme budget next year", "GetTeam=1 PrefixDeals=1 UpdateDeal=1"},
		{"buyer D-1 1", "TeamAndDeal=1 UpdateDeal=1"},
		{"buyer acme 2", "GetTeam=1 PrefixDeals=1 UpdateDeal=1"},
		{"info D-1", "TeamAndDeal=1"},
		{"info D-1 size=500", "TeamAndDeal=1 UpdateDeal=1"},
		{"info acme size=600", "GetTeam=1 PrefixDeals=1 UpdateDeal=1"},
		{`contact D-1 add "Zhao Min" role=dm`, "TeamAndDeal=1 UpdateDeal=1"},
		{`contact acme add "Qian Lei"`, "GetTeam=1 PrefixDeals=1 UpdateDeal=1"},
		{"meet D-1 2026-12-09 10:00 place=HQ", "TeamAndDeal=1 UpdateDeal=1"},
		{"meet acme 2026-12-10 10:00", "GetTeam=1 PrefixDeals=1 UpdateDeal=1"},
		{"check D-9 s1.m1", "TeamAndDeal=1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cs.Reset()
			out := e.Ask("alice", tt.in)
			if got := cs.String(); got != tt.want {
				t.Errorf("store calls = %s, want %s\n%s", got, tt.want, out)
			}
		})
	}
}
