package bottest

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// coach.InboxStore of FlakyStore: every call fails while Down.

// BeginEvent implements coach.Store.
func (f *FlakyStore) BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error) {
	if err := f.err(); err != nil {
		return 0, err
	}
	return f.Store.BeginEvent(ctx, key, owner, lease)
}

// FinishEvent implements coach.Store.
func (f *FlakyStore) FinishEvent(ctx context.Context, key string, ttl time.Duration) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.FinishEvent(ctx, key, ttl)
}

// AbandonEvent implements coach.Store.
func (f *FlakyStore) AbandonEvent(ctx context.Context, key, owner string) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.AbandonEvent(ctx, key, owner)
}

// Enqueue implements coach.Store.
func (f *FlakyStore) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	if err := f.err(); err != nil {
		return 0, err
	}
	f.Writes.Add(1)
	return f.Store.Enqueue(ctx, it, owner, lease)
}

// ClaimExpired implements coach.Store.
func (f *FlakyStore) ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]coach.InboxItem, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.ClaimExpired(ctx, queue, owner, lease, n)
}

// InboxLen implements coach.Store.
func (f *FlakyStore) InboxLen(ctx context.Context, queue string) (int, error) {
	if err := f.err(); err != nil {
		return 0, err
	}
	return f.Store.InboxLen(ctx, queue)
}
