package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

func (s *metricsStore) PutReading(ctx context.Context, r *coach.NoteReading, ttl time.Duration) error {
	start := time.Now()
	err := s.next.PutReading(ctx, r, ttl)
	s.done(ctx, "PutReading", start, err)
	return err
}

func (s *metricsStore) GetReading(ctx context.Context, team, user string) (*coach.NoteReading, error) {
	start := time.Now()
	r, err := s.next.GetReading(ctx, team, user)
	s.done(ctx, "GetReading", start, err)
	return r, err
}

func (s *metricsStore) UpdateReading(ctx context.Context, r *coach.NoteReading) error {
	start := time.Now()
	err := s.next.UpdateReading(ctx, r)
	s.done(ctx, "UpdateReading", start, err)
	return err
}

func (s *metricsStore) DeleteReading(ctx context.Context, team, user string) error {
	start := time.Now()
	err := s.next.DeleteReading(ctx, team, user)
	s.done(ctx, "DeleteReading", start, err)
	return err
}
