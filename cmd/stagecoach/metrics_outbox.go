package main

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// The coach.OutboxStore methods of the metered store.

func (s *metricsStore) SubscribeOutbox(ctx context.Context, team, target string) (bool, error) {
	start := time.Now()
	ok, err := s.next.SubscribeOutbox(ctx, team, target)
	s.done(ctx, "SubscribeOutbox", start, err)
	return ok, err
}

func (s *metricsStore) UnsubscribeOutbox(ctx context.Context, team, target string) error {
	start := time.Now()
	err := s.next.UnsubscribeOutbox(ctx, team, target)
	s.done(ctx, "UnsubscribeOutbox", start, err)
	return err
}

func (s *metricsStore) OutboxTargets(ctx context.Context, team string) ([]string, error) {
	start := time.Now()
	ts, err := s.next.OutboxTargets(ctx, team)
	s.done(ctx, "OutboxTargets", start, err)
	return ts, err
}

func (s *metricsStore) ClaimOutbox(ctx context.Context, team, target, holder string, ttl time.Duration, limit int) ([]coach.OutboxEntry, bool, error) {
	start := time.Now()
	es, ok, err := s.next.ClaimOutbox(ctx, team, target, holder, ttl, limit)
	s.done(ctx, "ClaimOutbox", start, err)
	return es, ok, err
}

func (s *metricsStore) AckOutbox(ctx context.Context, team, target, holder string, seq int64) error {
	start := time.Now()
	err := s.next.AckOutbox(ctx, team, target, holder, seq)
	s.done(ctx, "AckOutbox", start, err)
	return err
}

func (s *metricsStore) ReleaseOutbox(ctx context.Context, team, target, holder string) error {
	start := time.Now()
	err := s.next.ReleaseOutbox(ctx, team, target, holder)
	s.done(ctx, "ReleaseOutbox", start, err)
	return err
}

func (s *metricsStore) OutboxStats(ctx context.Context, team, target string) (coach.OutboxStats, error) {
	start := time.Now()
	st, err := s.next.OutboxStats(ctx, team, target)
	s.done(ctx, "OutboxStats", start, err)
	return st, err
}

func (s *metricsStore) EnqueueResync(ctx context.Context, team, target string, at time.Time) (int, error) {
	start := time.Now()
	n, err := s.next.EnqueueResync(ctx, team, target, at)
	s.done(ctx, "EnqueueResync", start, err)
	return n, err
}

func (s *metricsStore) MirrorRefs(ctx context.Context, team, scope string, keys []string) (map[string]string, error) {
	start := time.Now()
	m, err := s.next.MirrorRefs(ctx, team, scope, keys)
	s.done(ctx, "MirrorRefs", start, err)
	return m, err
}

func (s *metricsStore) PutMirrorRefs(ctx context.Context, team, scope string, refs map[string]string) error {
	start := time.Now()
	err := s.next.PutMirrorRefs(ctx, team, scope, refs)
	s.done(ctx, "PutMirrorRefs", start, err)
	return err
}
