package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// coach.InboxStore of the metered store.

func (s *metricsStore) BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error) {
	start := time.Now()
	st, err := s.next.BeginEvent(ctx, key, owner, lease)
	s.done(ctx, "BeginEvent", start, err)
	return st, err
}

func (s *metricsStore) FinishEvent(ctx context.Context, key string, ttl time.Duration) error {
	start := time.Now()
	err := s.next.FinishEvent(ctx, key, ttl)
	s.done(ctx, "FinishEvent", start, err)
	return err
}

func (s *metricsStore) AbandonEvent(ctx context.Context, key, owner string) error {
	start := time.Now()
	err := s.next.AbandonEvent(ctx, key, owner)
	s.done(ctx, "AbandonEvent", start, err)
	return err
}

func (s *metricsStore) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	start := time.Now()
	st, err := s.next.Enqueue(ctx, it, owner, lease)
	s.done(ctx, "Enqueue", start, err)
	return st, err
}

func (s *metricsStore) ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]coach.InboxItem, error) {
	start := time.Now()
	items, err := s.next.ClaimExpired(ctx, queue, owner, lease, n)
	s.done(ctx, "ClaimExpired", start, err)
	return items, err
}

func (s *metricsStore) InboxLen(ctx context.Context, queue string) (int, error) {
	start := time.Now()
	n, err := s.next.InboxLen(ctx, queue)
	s.done(ctx, "InboxLen", start, err)
	return n, err
}
