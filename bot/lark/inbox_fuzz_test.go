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
	// Nobody reads the recorder's messages or the fake API's calls here:
	// drain both, or their buffered channels fill up and every later
	// call blocks (the fuzz worker then looks hung).
	done := make(chan struct{})
	f.Cleanup(func() { close(done) })
	go func() {
		for {
			select {
			case <-fx.api.ch:
			case <-fx.rec.ch:
			case <-done:
				return
			}
		}
	}()
	f.Fuzz(func(t *testing.T, payload []byte) {
		_ = fx.a.work(context.Background(), coach.InboxItem{Key: "k", Queue: queue, Payload: payload, Attempts: 2})
	})
}
