package bottest

import (
	"context"
	"time"
)

// PutThread implements coach.ThreadStore.
func (f *FlakyStore) PutThread(ctx context.Context, team string, keys []string, deal string, ttl time.Duration) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.PutThread(ctx, team, keys, deal, ttl)
}

// ThreadDeal implements coach.ThreadStore.
func (f *FlakyStore) ThreadDeal(ctx context.Context, team string, keys []string) (string, error) {
	if err := f.err(); err != nil {
		return "", err
	}
	return f.Store.ThreadDeal(ctx, team, keys)
}
