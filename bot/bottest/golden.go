package bottest

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
)

// Named is one reply of the real router, for an adapter's golden files.
type Named struct {
	Name  string
	Reply bot.Reply
}

// RealReplies are the replies users see, produced by the real router on a
// real deal (bolt on a temp dir, the fixed clock Start): the deal card in
// English and Chinese, a tick answered from the card, the meeting form,
// help, and the short confirmation of an update. Adapters render them in
// their golden files, so those files protect the card users get.
func RealReplies(tb testing.TB) []Named {
	tb.Helper()
	out := []Named{}
	for _, lang := range []string{"en", "zh"} {
		e := New(tb)
		e.Locale = lang
		e.Ask("ann", `new "Acme ERP" customer=Acme value=1.2m close=2027-03-31 industry=manufacturing`)
		e.Ask("ann", "check D-1 s1.m1 s1.m2 s1.m3 s1.s1 s1.s2 s2.m1 s2.m2")
		e.Ask("ann", `contact D-1 add "Wang Li" title="IT Director" role=handler attitude=supporter influence=high level=L2`)
		e.Ask("ann", `meet D-1 2026-11-26 10:00 place="Acme HQ" topic="first visit"`)
		e.Ask("ann", "buyer D-1 2")
		out = append(out, Named{"deal_card_" + lang, e.Reply("ann", "show D-1")})
		if lang == "zh" {
			continue
		}
		tick := e.Router
		msg := e.Message("ann", "")
		msg.Action = &bot.Action{Kind: bot.ActionChecklist, Deal: "D-1", Options: []string{"s2.s1"}, Selected: []string{"s2.s1"}}
		rep, err := tick.Handle(context.Background(), msg)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out,
			Named{"checklist_tick", rep},
			Named{"meet_form", e.Reply("ann", "meet D-1")},
			Named{"confirmation", e.Reply("ann", "info D-1 budget_range=1-1.5m")},
			Named{"help", e.Reply("ann", "help")},
		)
	}
	return out
}
