package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

func (s *metricsStore) ImportTeam(ctx context.Context, snap *coach.TeamSnapshot, replace bool) error {
	start := time.Now()
	err := s.next.ImportTeam(ctx, snap, replace)
	s.done(ctx, "ImportTeam", start, err)
	return err
}
