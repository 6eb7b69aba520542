package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// thread is a string with a ttl: the deal id a chat thread is tied to.
//
//	P:{team}:thread:key
func (k keys) thread(key string) string { return k.tp + "thread:" + esc(key) }

// PutThread ties each of keys to deal until ttl from now (one MULTI: the
// team's keys share a hash slot).
func (s *Store) PutThread(ctx context.Context, team string, keys []string, deal string, ttl time.Duration) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if _, err := ttlMs(ttl); err != nil {
		return fmt.Errorf("redis: put thread: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	k := s.team(team)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		for _, key := range keys {
			p.Set(ctx, k.thread(key), deal, ttl)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: put thread %s: %w", team, err)
	}
	return nil
}

// ThreadDeal returns the deal of the first live key (one MGET), or
// coach.ErrNotFound.
func (s *Store) ThreadDeal(ctx context.Context, team string, keys []string) (string, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if len(keys) == 0 {
		return "", fmt.Errorf("redis: thread %s: %w", team, coach.ErrNotFound)
	}
	k := s.team(team)
	ks := make([]string, len(keys))
	for i, key := range keys {
		ks[i] = k.thread(key)
	}
	vals, err := s.c.MGet(ctx, ks...).Result()
	if err != nil {
		return "", fmt.Errorf("redis: thread %s: %w", team, err)
	}
	for _, v := range vals {
		if d, ok := v.(string); ok && d != "" {
			return d, nil
		}
	}
	return "", fmt.Errorf("redis: thread %s: %w", team, coach.ErrNotFound)
}
