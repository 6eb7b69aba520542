package lark

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

// TestCardButtonsConfirmWonAndTickOffers: through Lark's card buttons and
// the real router — `won` below stage 8 answers with a confirm button that
// records the win only when pressed; a booked meeting's s1.s1 offer is a
// button that ticks it.
func TestCardButtonsConfirmWonAndTickOffers(t *testing.T) {
	env := bottest.New(t)
	env.Team = "tk_1"
	f := newFixture(t, ModeWS)
	f.rec.reply = func(m bot.Message) (bot.Reply, error) { return env.Router.Handle(context.Background(), m) }
	n := 0
	press := func(cmd string) string {
		t.Helper()
		n++
		out, err := f.a.ws.Do(t.Context(), cardEvent("cb_honest_"+string(rune('a'+n)), map[string]any{"tag": "button", "value": map[string]any{"cmd": cmd}}))
		if err != nil {
			t.Fatal(err)
		}
		f.rec.next(t)
		if resp, ok := out.(*callback.CardActionTriggerResponse); ok && resp.Card != nil {
			b, _ := json.Marshal(resp.Card.Data) // the card replaced in place
			return string(b)
		}
		c := f.api.next(t) // or a new card sent to the chat
		b, _ := json.Marshal(c)
		return string(b)
	}
	env.Ask("ou_user", "lang en")
	env.Ask("ou_user", `new "Acme ERP"`)
	env.Ask("ou_user", "contact D-1 add Wang role=handler")

	card := press("meet D-1 2026-11-25 10:00 place=HQ")
	if !strings.Contains(card, "check D-1 s1.s1") || env.Deal("D-1").IsChecked("s1.s1") {
		t.Fatalf("booking: no s1.s1 button, or ticked silently:\n%s", card)
	}
	press("check D-1 s1.s1")
	if !env.Deal("D-1").IsChecked("s1.s1") {
		t.Fatal("the s1.s1 button did not tick it")
	}

	card = press("won D-1")
	if !strings.Contains(card, "has not reached stage 8") || !strings.Contains(card, "won D-1 confirm") || env.Deal("D-1").Status != coach.StatusOpen {
		t.Fatalf("won below stage 8 on a card:\n%s", card)
	}
	card = press("won D-1 confirm")
	if d := env.Deal("D-1"); d.Status != coach.StatusWon || !d.WonOverride || !strings.Contains(card, "override below stage 8") {
		t.Fatalf("confirm button: %+v\n%s", d, card)
	}
}
