package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// TeamAndDeal implements coach.TeamDealStore (timed like every store call).
func (s *metricsStore) TeamAndDeal(ctx context.Context, teamID, dealID string) (*coach.Team, *coach.Deal, error) {
	start := time.Now()
	t, d, err := s.next.TeamAndDeal(ctx, teamID, dealID)
	s.done(ctx, "TeamAndDeal", start, err)
	return t, d, err
}
