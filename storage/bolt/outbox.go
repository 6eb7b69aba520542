package bolt

// The mirror outbox (coach.OutboxStore). Nested buckets of a team's bucket:
//
//	"outbox"  BE64(seq) → entry JSON (see wireEntry); seq from the bucket sequence
//	"obcur"   target → BE64(last acknowledged seq): the subscribed targets
//	"oblease" target → BE64(expiry, unix ns) + holder
//	"mref"    uvarint(len(scope)) + scope + key → value
//
// appendOutbox runs inside the CreateDeal and UpdateDeal transactions, so
// a stored change is always queued.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

var (
	bOutbox  = []byte("outbox")
	bObCur   = []byte("obcur")
	bObLease = []byte("oblease")
	bMRef    = []byte("mref")
)

// wireEntry is the stored form of an outbox entry (the Redis store uses
// the same shape). The deal and events are stored as encoded by the deal
// write itself.
type wireEntry struct {
	Seq    int64             `json:"seq"`
	Kind   string            `json:"kind"`
	Target string            `json:"target,omitempty"`
	AtMs   int64             `json:"at_ms,omitempty"`
	Deal   json.RawMessage   `json:"deal"`
	Events []json.RawMessage `json:"events,omitempty"`
}

func decodeEntry(team string, v []byte) (coach.OutboxEntry, error) {
	var w wireEntry
	if err := json.Unmarshal(v, &w); err != nil {
		return coach.OutboxEntry{}, fmt.Errorf("decode outbox entry: %w", err)
	}
	e := coach.OutboxEntry{Seq: w.Seq, Team: team, Kind: w.Kind, Target: w.Target, Deal: new(coach.Deal)}
	if err := json.Unmarshal(w.Deal, e.Deal); err != nil {
		return coach.OutboxEntry{}, fmt.Errorf("decode outbox deal: %w", err)
	}
	for _, raw := range w.Events {
		var ev coach.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return coach.OutboxEntry{}, fmt.Errorf("decode outbox event: %w", err)
		}
		e.Events = append(e.Events, ev)
	}
	e.At = e.Deal.UpdatedAt
	if w.AtMs != 0 {
		e.At = time.UnixMilli(w.AtMs).UTC()
	}
	return e, nil
}

func teamBucket(tx *bbolt.Tx, team string) *bbolt.Bucket {
	return tx.Bucket(bData).Bucket(teamName(team))
}

// subscribed reports whether the team bucket has any outbox subscriber.
func subscribed(tb *bbolt.Bucket) bool {
	cur := tb.Bucket(bObCur)
	if cur == nil {
		return false
	}
	k, _ := cur.Cursor().First()
	return k != nil
}

// appendOutbox queues one entry in the team's outbox when the team has a
// subscriber; deal is the deal JSON, events the event JSONs as stored.
func appendOutbox(tx *bbolt.Tx, team, kind, target string, deal []byte, events [][]byte, at time.Time) error {
	tb := teamBucket(tx, team)
	if tb == nil || !subscribed(tb) {
		return nil
	}
	ob, err := tb.CreateBucketIfNotExists(bOutbox)
	if err != nil {
		return err
	}
	seq, err := ob.NextSequence()
	if err != nil {
		return err
	}
	w := wireEntry{Seq: int64(seq), Kind: kind, Target: target, Deal: deal}
	if !at.IsZero() {
		w.AtMs = at.UnixMilli()
	}
	for _, e := range events {
		w.Events = append(w.Events, e)
	}
	js, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("encode outbox entry: %w", err)
	}
	return ob.Put(be64(seq), js)
}

// SubscribeOutbox implements coach.OutboxStore.
func (s *Store) SubscribeOutbox(ctx context.Context, team, target string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	created := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if _, err := teamBucketsRW(tx, team); err != nil {
			return err
		}
		tb := teamBucket(tx, team)
		cur, err := tb.CreateBucketIfNotExists(bObCur)
		if err != nil {
			return err
		}
		if cur.Get([]byte(target)) != nil {
			return nil
		}
		ob, err := tb.CreateBucketIfNotExists(bOutbox)
		if err != nil {
			return err
		}
		created = true
		return cur.Put([]byte(target), be64(ob.Sequence()))
	})
	if err != nil {
		return false, fmt.Errorf("bolt: subscribe %q to outbox of %q: %w", target, team, err)
	}
	return created, nil
}

// UnsubscribeOutbox implements coach.OutboxStore.
func (s *Store) UnsubscribeOutbox(ctx context.Context, team, target string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || tb.Bucket(bObCur) == nil {
			return nil
		}
		if err := tb.Bucket(bObCur).Delete([]byte(target)); err != nil {
			return err
		}
		if l := tb.Bucket(bObLease); l != nil {
			if err := l.Delete([]byte(target)); err != nil {
				return err
			}
		}
		return trimOutbox(tb)
	})
	if err != nil {
		return fmt.Errorf("bolt: unsubscribe %q from outbox of %q: %w", target, team, err)
	}
	return nil
}

// OutboxTargets implements coach.OutboxStore.
func (s *Store) OutboxTargets(ctx context.Context, team string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.db.View(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || tb.Bucket(bObCur) == nil {
			return nil
		}
		return tb.Bucket(bObCur).ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: outbox targets of %q: %w", team, err)
	}
	return out, nil
}

// trimOutbox removes the entries every subscriber has acknowledged (all
// of them when nobody is subscribed).
func trimOutbox(tb *bbolt.Bucket) error {
	ob := tb.Bucket(bOutbox)
	if ob == nil {
		return nil
	}
	minCur := ob.Sequence()
	if cur := tb.Bucket(bObCur); cur != nil {
		if err := cur.ForEach(func(_, v []byte) error {
			minCur = min(minCur, binary.BigEndian.Uint64(v))
			return nil
		}); err != nil {
			return err
		}
	}
	var dead [][]byte
	c := ob.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= minCur; k, _ = c.Next() {
		dead = append(dead, bytes.Clone(k))
	}
	for _, k := range dead {
		if err := ob.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// holds reports whether holder holds the live lease of target.
func (s *Store) holds(tb *bbolt.Bucket, target, holder string) bool {
	l := tb.Bucket(bObLease)
	if l == nil {
		return false
	}
	v := l.Get([]byte(target))
	return v != nil && !expired(v, s.now()) && string(v[8:]) == holder
}

// ClaimOutbox implements coach.OutboxStore.
func (s *Store) ClaimOutbox(ctx context.Context, team, target, holder string, ttl time.Duration, limit int) ([]coach.OutboxEntry, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := checkTTL(ttl); err != nil {
		return nil, false, fmt.Errorf("bolt: claim outbox: %w", err)
	}
	if limit <= 0 {
		limit = 100
	}
	var out []coach.OutboxEntry
	ok := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || tb.Bucket(bObCur) == nil {
			return coach.ErrNotFound
		}
		cv := tb.Bucket(bObCur).Get([]byte(target))
		if cv == nil {
			return coach.ErrNotFound
		}
		l, err := tb.CreateBucketIfNotExists(bObLease)
		if err != nil {
			return err
		}
		now := s.now()
		if v := l.Get([]byte(target)); v != nil && !expired(v, now) && string(v[8:]) != holder {
			return nil
		}
		ok = true
		if err := l.Put([]byte(target), append(expiry(now, ttl), holder...)); err != nil {
			return err
		}
		ob := tb.Bucket(bOutbox)
		if ob == nil {
			return nil
		}
		c := ob.Cursor()
		for k, v := c.Seek(be64(binary.BigEndian.Uint64(cv) + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			e, err := decodeEntry(team, v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("bolt: claim outbox of %q for %q: %w", team, target, err)
	}
	return out, ok, nil
}

// AckOutbox implements coach.OutboxStore.
func (s *Store) AckOutbox(ctx context.Context, team, target, holder string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || tb.Bucket(bObCur) == nil || tb.Bucket(bObCur).Get([]byte(target)) == nil {
			return coach.ErrConflict
		}
		if !s.holds(tb, target, holder) {
			return coach.ErrConflict
		}
		cur := tb.Bucket(bObCur)
		if seq <= 0 || uint64(seq) <= binary.BigEndian.Uint64(cur.Get([]byte(target))) {
			return nil
		}
		if err := cur.Put([]byte(target), be64(uint64(seq))); err != nil {
			return err
		}
		return trimOutbox(tb)
	})
	if err != nil {
		return fmt.Errorf("bolt: ack outbox of %q for %q: %w", team, target, err)
	}
	return nil
}

// ReleaseOutbox implements coach.OutboxStore.
func (s *Store) ReleaseOutbox(ctx context.Context, team, target, holder string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || !s.holds(tb, target, holder) {
			return nil
		}
		return tb.Bucket(bObLease).Delete([]byte(target))
	})
	if err != nil {
		return fmt.Errorf("bolt: release outbox of %q for %q: %w", team, target, err)
	}
	return nil
}

// OutboxStats implements coach.OutboxStore.
func (s *Store) OutboxStats(ctx context.Context, team, target string) (coach.OutboxStats, error) {
	if err := ctx.Err(); err != nil {
		return coach.OutboxStats{}, err
	}
	var st coach.OutboxStats
	err := s.db.View(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || tb.Bucket(bObCur) == nil {
			return coach.ErrNotFound
		}
		cv := tb.Bucket(bObCur).Get([]byte(target))
		if cv == nil {
			return coach.ErrNotFound
		}
		ob := tb.Bucket(bOutbox)
		if ob == nil {
			return nil
		}
		c := ob.Cursor()
		k, v := c.Seek(be64(binary.BigEndian.Uint64(cv) + 1))
		if k == nil {
			return nil
		}
		e, err := decodeEntry(team, v)
		if err != nil {
			return err
		}
		st.Oldest = e.At
		for ; k != nil; k, _ = c.Next() {
			st.Depth++
		}
		return nil
	})
	if err != nil {
		return coach.OutboxStats{}, fmt.Errorf("bolt: outbox stats of %q for %q: %w", team, target, err)
	}
	return st, nil
}

// EnqueueResync implements coach.OutboxStore: one transaction reads every
// deal and queues it.
func (s *Store) EnqueueResync(ctx context.Context, team, target string, at time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.Update(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || !subscribed(tb) || tb.Bucket(bDeals) == nil {
			return nil
		}
		return tb.Bucket(bDeals).ForEach(func(_, v []byte) error {
			if len(v) < 8 {
				return fmt.Errorf("corrupt deal record")
			}
			n++
			return appendOutbox(tx, team, coach.OutboxResync, target, bytes.Clone(v[8:]), nil, at)
		})
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: resync outbox of %q: %w", team, err)
	}
	return n, nil
}

func mrefKey(scope, key string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(scope))), scope+key...)
}

// MirrorRefs implements coach.OutboxStore.
func (s *Store) MirrorRefs(ctx context.Context, team, scope string, keys []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	err := s.db.View(func(tx *bbolt.Tx) error {
		tb := teamBucket(tx, team)
		if tb == nil || tb.Bucket(bMRef) == nil {
			return nil
		}
		b := tb.Bucket(bMRef)
		for _, k := range keys {
			if v := b.Get(mrefKey(scope, k)); v != nil {
				out[k] = string(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: mirror refs of %q: %w", team, err)
	}
	return out, nil
}

// PutMirrorRefs implements coach.OutboxStore.
func (s *Store) PutMirrorRefs(ctx context.Context, team, scope string, refs map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if _, err := teamBucketsRW(tx, team); err != nil {
			return err
		}
		b, err := teamBucket(tx, team).CreateBucketIfNotExists(bMRef)
		if err != nil {
			return err
		}
		for k, v := range refs {
			if v == "" {
				err = b.Delete(mrefKey(scope, k))
			} else {
				err = b.Put(mrefKey(scope, k), []byte(v))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: put mirror refs of %q: %w", team, err)
	}
	return nil
}
