package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// PrefixDeals implements coach.NameIndexStore (timed like every store call).
func (s *metricsStore) PrefixDeals(ctx context.Context, team, prefix string, limit int) ([]*coach.Deal, error) {
	start := time.Now()
	ds, err := s.next.PrefixDeals(ctx, team, prefix, limit)
	s.done(ctx, "PrefixDeals", start, err)
	return ds, err
}
