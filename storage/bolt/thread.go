package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// "threads":   uvarint(len(team)) + team + key → BE64(expiry) + deal id
// "threadexp": BE64(expiry) + the "threads" key → nothing, so expired
// threads are swept in expiry order (a few on every put).
// Both buckets are created on first use.
var (
	bThreads   = []byte("threads")
	bThreadExp = []byte("threadexp")
)

func threadKey(team, key string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(team))), append([]byte(team), key...)...)
}

// PutThread ties each of keys to deal until ttl from now.
func (s *Store) PutThread(ctx context.Context, team string, keys []string, deal string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkTTL(ttl); err != nil {
		return fmt.Errorf("bolt: put thread: %w", err)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bThreads)
		if err != nil {
			return err
		}
		exp, err := tx.CreateBucketIfNotExists(bThreadExp)
		if err != nil {
			return err
		}
		now := s.now()
		if err := sweepSeen(b, exp, now); err != nil {
			return err
		}
		e := expiry(now, ttl)
		for _, key := range keys {
			k := threadKey(team, key)
			if old := b.Get(k); len(old) >= 8 {
				if err := exp.Delete(append(bytes.Clone(old[:8]), k...)); err != nil {
					return err
				}
			}
			if err := b.Put(k, append(bytes.Clone(e), deal...)); err != nil {
				return err
			}
			if err := exp.Put(append(bytes.Clone(e), k...), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: put thread %s: %w", team, err)
	}
	return nil
}

// ThreadDeal returns the deal of the first live key, or coach.ErrNotFound.
func (s *Store) ThreadDeal(ctx context.Context, team string, keys []string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var deal string
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bThreads)
		if b == nil {
			return coach.ErrNotFound
		}
		now := s.now()
		for _, key := range keys {
			if v := b.Get(threadKey(team, key)); len(v) > 8 && !expired(v, now) {
				deal = string(v[8:])
				return nil
			}
		}
		return coach.ErrNotFound
	})
	if err != nil {
		return "", fmt.Errorf("bolt: thread %s: %w", team, err)
	}
	return deal, nil
}
