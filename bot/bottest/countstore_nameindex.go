package bottest

import (
	"context"

	"github.com/stagecoach/stagecoach/coach"
)

// PrefixDeals implements coach.NameIndexStore.
func (c *CountingStore) PrefixDeals(ctx context.Context, team, prefix string, limit int) ([]*coach.Deal, error) {
	c.count("PrefixDeals")
	return c.Store.PrefixDeals(ctx, team, prefix, limit)
}
