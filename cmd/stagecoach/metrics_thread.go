package main

import (
	"context"
	"time"
)

func (s *metricsStore) PutThread(ctx context.Context, team string, keys []string, deal string, ttl time.Duration) error {
	start := time.Now()
	err := s.next.PutThread(ctx, team, keys, deal, ttl)
	s.done(ctx, "PutThread", start, err)
	return err
}

func (s *metricsStore) ThreadDeal(ctx context.Context, team string, keys []string) (string, error) {
	start := time.Now()
	d, err := s.next.ThreadDeal(ctx, team, keys)
	s.done(ctx, "ThreadDeal", start, err)
	return d, err
}
