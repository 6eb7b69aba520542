package bottest

import (
	"context"

	"github.com/stagecoach/stagecoach/coach"
)

// TeamAndDeal implements coach.TeamDealStore.
func (f *FlakyStore) TeamAndDeal(ctx context.Context, teamID, dealID string) (*coach.Team, *coach.Deal, error) {
	if err := f.err(); err != nil {
		return nil, nil, err
	}
	return f.Store.TeamAndDeal(ctx, teamID, dealID)
}
