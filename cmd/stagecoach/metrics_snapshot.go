package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

func (s *metricsStore) PutSnapshot(ctx context.Context, snap *coach.Snapshot, keep int, replace bool) error {
	start := time.Now()
	err := s.next.PutSnapshot(ctx, snap, keep, replace)
	s.done(ctx, "PutSnapshot", start, err)
	return err
}

func (s *metricsStore) GetSnapshot(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	start := time.Now()
	v, err := s.next.GetSnapshot(ctx, team, week)
	s.done(ctx, "GetSnapshot", start, err)
	return v, err
}

func (s *metricsStore) SnapshotBefore(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	start := time.Now()
	v, err := s.next.SnapshotBefore(ctx, team, week)
	s.done(ctx, "SnapshotBefore", start, err)
	return v, err
}
