package coach

import (
	"context"
	"time"
)

// Delivery marks and the durable inbox: how a platform delivery (event,
// slash command, click) is applied exactly once even when the platform
// retries it, the store stalls, or the process dies after the ack.
//
// A delivery key goes through three states: absent, in progress (a short
// lease held by one worker) and done (kept DoneTTL-long, more than the
// longest platform retry window). A retry that finds a done mark is a
// duplicate; one that finds a live lease is being worked on; one that
// finds no mark, or an expired lease, runs. The mark is written only when
// the work is done, so a stalled store can never turn a delivery that was
// not applied into a "duplicate".

// MarkState is the state of a delivery key as seen by the caller.
type MarkState int

// Delivery states.
const (
	// MarkClaimed: the caller now holds the in-progress lease and must do
	// the work (then FinishEvent, or AbandonEvent on failure).
	MarkClaimed MarkState = iota + 1
	// MarkInProgress: another worker holds a live lease.
	MarkInProgress
	// MarkDone: the delivery was applied; drop the repeat.
	MarkDone
)

func (m MarkState) String() string {
	switch m {
	case MarkClaimed:
		return "claimed"
	case MarkInProgress:
		return "in progress"
	case MarkDone:
		return "done"
	}
	return "invalid"
}

// InboxItem is one acknowledged delivery waiting to be worked on. Payload
// is the adapter's own encoding of the message and of where the reply goes
// (response_url, channel, Lark message id), so any replica can finish it.
type InboxItem struct {
	Key     string // the delivery key: one item per key
	Queue   string // which adapter takes it ("slack", "lark")
	Payload []byte
	// Attempts counts the claims of this item (1 on the first); set by
	// the store on Enqueue and ClaimExpired.
	Attempts int
}

// InboxStore keeps delivery marks and the inbox. coach.Store embeds it.
// Any error means the store could not answer: nothing was recorded.
type InboxStore interface {
	// BeginEvent takes the in-progress lease on key for owner unless key
	// is done (MarkDone) or leased by someone else until later
	// (MarkInProgress). An expired lease is taken over.
	BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (MarkState, error)
	// FinishEvent marks key done for ttl, dropping its lease and its inbox
	// item if any.
	FinishEvent(ctx context.Context, key string, ttl time.Duration) error
	// AbandonEvent gives up owner's lease on key (the work failed and may
	// run again at once); an inbox item stays and is claimable now. It
	// does nothing when owner does not hold the lease.
	AbandonEvent(ctx context.Context, key, owner string) error
	// Enqueue is BeginEvent that also stores it in the inbox, leased to
	// owner until lease from now, when the result is MarkClaimed (and sets
	// it.Attempts). A repeat of a done or leased key stores nothing.
	Enqueue(ctx context.Context, it *InboxItem, owner string, lease time.Duration) (MarkState, error)
	// ClaimExpired leases to owner up to n items of queue whose lease has
	// expired (their worker died or gave up), oldest lease first.
	ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]InboxItem, error)
	// InboxLen counts the items of queue, leased or not.
	InboxLen(ctx context.Context, queue string) (int, error)
}
