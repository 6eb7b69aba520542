package bottest

import (
	"context"
	"time"
)

// PutThread implements coach.ThreadStore.
func (c *CountingStore) PutThread(ctx context.Context, team string, keys []string, deal string, ttl time.Duration) error {
	c.count("PutThread")
	return c.Store.PutThread(ctx, team, keys, deal, ttl)
}

// ThreadDeal implements coach.ThreadStore.
func (c *CountingStore) ThreadDeal(ctx context.Context, team string, keys []string) (string, error) {
	c.count("ThreadDeal")
	return c.Store.ThreadDeal(ctx, team, keys)
}
