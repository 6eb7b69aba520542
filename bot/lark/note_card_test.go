package lark

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
)

// TestProposalCard: the notes card renders as checkers carrying the
// "~note" deal and the proposal number, and Apply / Discard buttons.
func TestProposalCard(t *testing.T) {
	rep := bot.Reply{Blocks: []bot.Block{
		bot.Checklist{Title: "Read from your note", Deal: "~note", Items: []bot.CheckItem{{ID: "1", Label: "1. Tick s4.m1", Note: "“Gave the demo”"}}},
		bot.Buttons{Items: []bot.Button{{Label: "Apply all (1)", Command: "apply", Style: "primary"}, {Label: "Discard", Command: "discard", Style: "danger"}}},
	}}
	js, err := json.Marshal(Render(rep, RenderOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"checker"`, `~note`, `"apply"`, `"discard"`, `Gave the demo`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("card lacks %s: %s", want, js)
		}
	}
}
