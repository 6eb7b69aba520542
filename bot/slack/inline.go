package slack

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Answering a slash command in its ack. Slack shows a JSON message in the
// ack body of a slash command as the answer (its "immediate response"):
// when the worker has the answer within inlineBudget, the ack carries it
// and the response_url POST (a second HTTP request, and the CPU of the
// client side of it) is skipped. Otherwise the ack is empty as before and
// the answer follows on response_url. Nothing else changes: the delivery
// is in the inbox before the worker starts, the worker runs it exactly as
// before, and only the last step (where the answer goes) differs. The
// budget (Config.InlineAnswer, off by default, capped at 1 s) is far
// inside Slack's 3 s.
//
// The handoff is a slot keyed by the delivery key. The HTTP handler opens
// it before admitting the command; the worker (on this replica, first
// attempt) finds it and offers the encoded answer; the handler takes it or,
// when the budget is over, closes the slot, after which the worker posts
// to response_url. Exactly one of the two wins (under the slot's lock).

// maxInlineBudget caps Config.InlineAnswer, so the ack stays far inside
// Slack's 3 s whatever is configured.
const maxInlineBudget = time.Second

// inlineBudget is how long a slash command's ack waits for the answer
// (0: never; the answer always goes to response_url).
func (a *Adapter) inlineBudget() time.Duration {
	return min(max(a.cfg.InlineAnswer, 0), maxInlineBudget)
}

// inlineSlots maps delivery key → *inlineSlot for the acks now waiting.
var inlineSlots sync.Map

type slotState uint8

const (
	slotWaiting slotState = iota
	slotOffered           // the worker handed over the answer: the ack carries it
	slotClosed            // the handler stopped waiting: the worker posts itself
)

type inlineSlot struct {
	a     *Adapter
	key   string
	mu    sync.Mutex
	state slotState
	body  []byte
	ready chan struct{} // closed when offered
}

// openInline registers a slot for key; nil when inline answers are off or
// another request with the same key (a replay) already waits.
// It is also nil when the worker pool has a backlog: the answer would not
// be ready soon, and a waiting ack only holds the connection (under load
// every ack then took the whole budget).
func (a *Adapter) openInline(key string) *inlineSlot {
	if a.inlineBudget() <= 0 {
		return nil
	}
	if a.pool != nil {
		if queued, _, _ := a.pool.Stats(); queued >= int64(max(a.pool.Workers()/2, 1)) {
			return nil
		}
	}
	s := &inlineSlot{a: a, key: key, ready: make(chan struct{})}
	if _, loaded := inlineSlots.LoadOrStore(key, s); loaded {
		return nil
	}
	return s
}

// inlineFor is the slot waiting for the delivery key, if any, on this
// adapter.
func (a *Adapter) inlineFor(key string) *inlineSlot {
	v, ok := inlineSlots.Load(key)
	if !ok {
		return nil
	}
	s := v.(*inlineSlot)
	if s.a != a {
		return nil
	}
	return s
}

// wait waits at most d (and while ctx lives) for the answer. ok false: the
// slot is closed and the worker answers on response_url.
func (s *inlineSlot) wait(ctx context.Context, d time.Duration) (body []byte, ok bool) {
	t := time.NewTimer(d)
	select {
	case <-s.ready:
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	return s.close()
}

// close ends the wait and unregisters the slot. It returns the answer when
// the worker offered one first.
func (s *inlineSlot) close() ([]byte, bool) {
	if s == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inlineSlots.CompareAndDelete(s.key, s)
	if s.state == slotOffered {
		return s.body, true
	}
	s.state = slotClosed
	return nil, false
}

// offer hands the encoded answer to the waiting ack; false when the ack
// has stopped waiting (the caller then posts it itself).
func (s *inlineSlot) offer(body []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != slotWaiting {
		return false
	}
	s.state, s.body = slotOffered, body
	close(s.ready)
	return true
}

type inlineKey struct{}

func withInline(ctx context.Context, s *inlineSlot) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, inlineKey{}, s)
}

func inlineFrom(ctx context.Context) *inlineSlot {
	s, _ := ctx.Value(inlineKey{}).(*inlineSlot)
	return s
}

// writeMessage writes an encoded message as the ack body.
func writeMessage(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
