package bot_test

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/bot/bottest"
)

// FuzzRouter: any text through the whole bot (parser, router, service,
// store) gives a reply, never a panic or an error.
func FuzzRouter(f *testing.F) {
	for _, s := range []string{`new "Acme ERP" customer=Acme value=1.2m close=2027-03-31`, "check D-1 s1.m1,s1.m2", "show acme", "buyer D-1 3",
		"contact D-1 add Wang role=handler level=L2", "meet D-1 2026-12-01 10:00 place=HQ", "info D-1 size=500", "uncheck 1 s1.m1", "export json",
		"team role x admin", "lost D-1 price too high", "stage 9", "新建 “华东”", `"`, "help help",
		"meetings D-1", "meet D-1 held 1 outcome=ok next=demo", "meet D-1 move 1 2026-12-02 10:00", "meet D-1 cancel #1", "won D-1", "won D-1 确认 value=1m date=2026-11-01",
		"lost D-1 x competitor=Y", "history D-1 2", "form D-1 s4.t2 raised_by=Li demand=x contact=1", "form D-1 s4.t2 edit 1 status=open", "form D-1 s4.t2 remove 1"} {
		f.Add(s)
	}
	e := bottest.New(f)
	e.Ask("alice", `new "Acme ERP"`)
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := e.Router.Handle(context.Background(), e.Message("alice", s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if len(rep.Blocks) == 0 && rep.Summary == "" {
			t.Fatalf("%q: empty reply", s)
		}
	})
}
