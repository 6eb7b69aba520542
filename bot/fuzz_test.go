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
		"team role x admin", "lost D-1 price too high", "stage 9", "新建 “华东”", `"`, "help help"} {
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
