package lark

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// FuzzInboxPayload feeds arbitrary stored payloads to the inbox WorkFunc:
// it must never panic.
func FuzzInboxPayload(f *testing.F) {
	f.Add([]byte(`{"k":"msg","m":{"Platform":"lark","Tenant":"tk","User":"ou","Channel":"oc","Text":"help"},"mid":"om_1","t":true}`))
	f.Add([]byte(`{"k":"card","m":{"Tenant":"tk","User":"ou","Action":{"Kind":"command","Value":"deals"}},"om":"om_2"}`))
	f.Add([]byte(`{"k":1}`))
	fx := newFixture(f, ModeWS)
	f.Fuzz(func(t *testing.T, payload []byte) {
		_ = fx.a.work(context.Background(), coach.InboxItem{Key: "k", Queue: queue, Payload: payload, Attempts: 2})
	})
}
