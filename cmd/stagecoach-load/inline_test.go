package main

import (
	"net/http"
	"testing"

	slackbot "github.com/stagecoach/stagecoach/bot/slack"
)

// The header the adapter sets on busy acks is the one the tool reads.
func TestBusyHeaderMatchesAdapter(t *testing.T) {
	if BusyHeader != slackbot.BusyHeader {
		t.Fatalf("load tool reads %q, the Slack adapter sets %q", BusyHeader, slackbot.BusyHeader)
	}
}

// Acks shaped exactly as Stagecoach writes them (bot/slack inline.go and
// onCommand): an inline answer is work, a busy ack never is, even when its
// body is a message.
func TestAckClassStagecoachShapes(t *testing.T) {
	js := http.Header{"Content-Type": {"application/json"}}
	busy := http.Header{"Content-Type": {"application/json"}, BusyHeader: {"1"}}
	card := `{"text":"D-1 · Acme ERP","blocks":[{"type":"header","text":{"type":"plain_text","text":"D-1 · Acme ERP","emoji":true}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"Stage 2 \u003c3","verbatim":true}}],"response_type":"ephemeral","replace_original":false,"delete_original":false}`
	for _, tc := range []struct {
		name string
		h    http.Header
		body string
		want class
	}{
		{"inline deal card", js, card, classWork},
		{"inline card marked busy", busy, card, classBusy},
		{"busy ack", busy, `{"response_type":"ephemeral","text":"I'm busy right now. Nothing was changed: please try again in a moment."}`, classBusy},
		{"busy ack in Chinese", busy, `{"response_type":"ephemeral","text":"我现在有点忙，没有做任何更改，请稍后再试。"}`, classBusy},
		{"empty ack", http.Header{}, "", classEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ackClass(tc.h, []byte(tc.body)); got != tc.want {
				t.Errorf("ackClass = %d, want %d", got, tc.want)
			}
		})
	}
}
