package coach

import (
	"context"
	"time"
)

// Outbox entry kinds.
const (
	OutboxCreate = "create" // written by CreateDeal
	OutboxUpdate = "update" // written by UpdateDeal
	OutboxResync = "resync" // written by EnqueueResync: the deal's current state
)

// OutboxEntry is one queued deal change for the mirror targets (Lark Base,
// webhooks). Stores write it in the same atomic write as the deal itself,
// so a change that is stored is never missing from the outbox.
type OutboxEntry struct {
	// Seq numbers the team's entries from 1, in write order; it is never
	// reused.
	Seq    int64
	Team   string
	Kind   string // OutboxCreate, OutboxUpdate, OutboxResync
	Deal   *Deal  // the deal as stored by this write
	Events []Event
	// Target is set on resync entries meant for one target only; entries
	// with another target are skipped by that target's claims.
	Target string
	// At is when the entry was written (the deal's UpdatedAt for creates
	// and updates).
	At time.Time
}

// OutboxStats describes what one target still has to deliver.
type OutboxStats struct {
	Depth  int       // entries not yet acknowledged by the target
	Oldest time.Time // At of the oldest of them; zero when Depth is 0
}

// OutboxStore is the durable outbox of deal changes. A team's outbox is
// one ordered log; every subscribed target reads it through its own
// cursor and lease.
//
// Writes: while a team has at least one subscribed target, CreateDeal and
// UpdateDeal append one entry (the stored deal and its events) in the
// same atomic write as the deal. Without subscribers nothing is queued.
type OutboxStore interface {
	// SubscribeOutbox makes target a reader of the team's outbox, starting
	// after the entries already queued. It reports whether the
	// subscription is new (the caller then enqueues a resync so the
	// target gets the current state). Subscribing twice is a no-op.
	SubscribeOutbox(ctx context.Context, team, target string) (created bool, err error)
	// UnsubscribeOutbox removes target's cursor and lease; entries no
	// other target needs are removed. Unknown targets are no error.
	UnsubscribeOutbox(ctx context.Context, team, target string) error
	// OutboxTargets lists the team's subscribed targets.
	OutboxTargets(ctx context.Context, team string) ([]string, error)
	// ClaimOutbox takes (or renews, for the same holder) target's lease on
	// the team's outbox for ttl, and returns up to limit of the oldest
	// entries target has not acknowledged, oldest first. ok is false when
	// another holder's lease is live: nothing is returned, so two replicas
	// never send the same entries. ErrNotFound: target is not subscribed.
	ClaimOutbox(ctx context.Context, team, target, holder string, ttl time.Duration, limit int) (entries []OutboxEntry, ok bool, err error)
	// AckOutbox records that target has delivered every entry up to and
	// including seq, if holder still holds the lease (ErrConflict
	// otherwise: the lease expired and may be someone else's now). Entries
	// every subscribed target has acknowledged are removed.
	AckOutbox(ctx context.Context, team, target, holder string, seq int64) error
	// ReleaseOutbox frees target's lease if holder holds it.
	ReleaseOutbox(ctx context.Context, team, target, holder string) error
	// OutboxStats returns what target still has to deliver.
	// ErrNotFound: target is not subscribed.
	OutboxStats(ctx context.Context, team, target string) (OutboxStats, error)
	// EnqueueResync appends an OutboxResync entry with the current state
	// of every deal of the team, for target ("" = every subscribed
	// target), each in the same atomic step as reading the deal, so an
	// entry never carries an older state than one queued before it. at is
	// the entries' At. It returns the number of entries queued (0 when the
	// team has no subscribers).
	EnqueueResync(ctx context.Context, team, target string, at time.Time) (int, error)

	// MirrorRefs returns the stored values of keys in the team's mirror
	// bookkeeping under scope (e.g. Lark Base record ids by deal); missing
	// keys are absent from the map.
	MirrorRefs(ctx context.Context, team, scope string, keys []string) (map[string]string, error)
	// PutMirrorRefs stores refs under scope; an empty value deletes the
	// key.
	PutMirrorRefs(ctx context.Context, team, scope string, refs map[string]string) error
}
