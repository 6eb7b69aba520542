package bottest

import (
	"context"

	"github.com/stagecoach/stagecoach/coach"
)

// TeamAndDeal implements coach.TeamDealStore.
func (c *CountingStore) TeamAndDeal(ctx context.Context, teamID, dealID string) (*coach.Team, *coach.Deal, error) {
	c.count("TeamAndDeal")
	return c.Store.TeamAndDeal(ctx, teamID, dealID)
}
