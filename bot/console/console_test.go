package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
)

func TestRender(t *testing.T) {
	r := bot.Reply{Blocks: []bot.Block{
		bot.Heading{Text: "D-1 · Acme"},
		bot.Fields{Items: []bot.Field{{Label: "Customer", Value: "Acme"}}},
		bot.Progress{Label: "Stage 2 reached · stage 1 completed", Reached: 2, Completed: 1, Total: 8},
		bot.Checklist{Title: "Stage 2", Deal: "D-1", Items: []bot.CheckItem{{ID: "s2.m1", Label: "s2.m1 Visit", Checked: true}, {ID: "s2.m2", Label: "s2.m2 Handler", Note: "later"}}},
		bot.Buttons{Items: []bot.Button{{Label: "Prep", Command: "prep D-1"}}},
		bot.Select{Label: "Buyer", Options: []bot.Option{{Label: "unknown", Command: "buyer D-1 0"}, {Label: "C1", Command: "buyer D-1 1"}}, Initial: 1},
		bot.Form{Title: "New deal", Command: "new", Fields: []bot.FormField{{Key: "name", Label: "Name", Required: true}, {Key: "id", Kind: "hidden"}}},
	}}
	out := console.Render(r)
	for _, want := range []string{"== D-1 · Acme ==", "Customer: Acme", "■◧□□□□□□  Stage 2 reached", "  ✓ s2.m1 Visit", "  ✗ s2.m2 Handler  (later)",
		"→ Prep: `prep D-1`", "Buyer = C1 (`buyer D-1 <n>`)", "  name — Name *", "→ `new name=…`"} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hidden") || strings.Contains(out, "id —") {
		t.Errorf("hidden field shown:\n%s", out)
	}
}

func TestRunReadsLinesUntilEOFOrQuit(t *testing.T) {
	e := bottest.New(t)
	for _, tt := range []struct {
		in       string
		want     []string
		notAfter string
	}{
		{"new Acme\n\nshow acme\n", []string{"Created D-1", "D-1 · Acme"}, ""},
		{"deals\nquit\nnew Never\n", []string{"Open deals"}, "Created D-2"},
	} {
		var out bytes.Buffer
		c := console.New(strings.NewReader(tt.in), &out, e.Router, e.Team, "alice", "en")
		if err := c.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("output lacks %q:\n%s", w, out.String())
			}
		}
		if tt.notAfter != "" && strings.Contains(out.String(), tt.notAfter) {
			t.Errorf("ran a command after quit:\n%s", out.String())
		}
	}
}

func TestSenderPrintsRecipient(t *testing.T) {
	var out bytes.Buffer
	s := console.NewSender(&out)
	if err := s.Send(context.Background(), bot.Recipient{Tenant: "T1", User: "alice"}, bot.Reply{Blocks: []bot.Block{bot.Text{Text: "nudge"}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "── to alice (T1) ──\nnudge") {
		t.Fatalf("got %q", out.String())
	}
}
