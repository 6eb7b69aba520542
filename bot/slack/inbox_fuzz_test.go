package slack

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// FuzzInboxPayload feeds arbitrary stored payloads to the inbox WorkFunc
// (items come back from the store after a crash, possibly from another
// version): it must never panic, and always finishes or answers.
func FuzzInboxPayload(f *testing.F) {
	f.Add([]byte(`{"m":{"Platform":"slack","Tenant":"T1","User":"U1","Text":"deals"},"o":{"team":"T1","user":"U1","ch":"C1","url":""}}`))
	f.Add([]byte(`{"m":{"Action":{"Kind":"checklist","Deal":"D-1","Selected":["a"]}},"o":{}}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	e := newEnv(f, 1, 64)
	f.Fuzz(func(t *testing.T, payload []byte) {
		if err := e.a.work(context.Background(), coach.InboxItem{Key: "k", Queue: queue, Payload: payload, Attempts: 2}); err != nil {
			t.Fatalf("work: %v", err)
		}
	})
}
