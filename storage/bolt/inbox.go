package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// Delivery marks and the inbox (coach.InboxStore):
//
//	"marks"    "k"+key → BE64(expiry) + 'd' (done) | 'p' + owner (in progress)
//	"markexp"  BE64(expiry) + "k"+key → nothing, so expired marks are swept in order
//	"inbox"    "k"+key → item JSON (queue, payload, attempts, lease end)
//
// The buckets are created by the first write that needs them.
var (
	bMarks   = []byte("marks")
	bMarkExp = []byte("markexp")
	bInbox   = []byte("inbox")
)

type inboxRec struct {
	Queue    string `json:"q"`
	Payload  []byte `json:"p"`
	Attempts int    `json:"a"`
	Until    int64  `json:"u"` // lease end, unix ns
}

type markTx struct {
	marks, exp, inbox *bbolt.Bucket
	now               time.Time
}

func (s *Store) markUpdate(ctx context.Context, fn func(m *markTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		var m markTx
		var err error
		if m.marks, err = tx.CreateBucketIfNotExists(bMarks); err != nil {
			return err
		}
		if m.exp, err = tx.CreateBucketIfNotExists(bMarkExp); err != nil {
			return err
		}
		if m.inbox, err = tx.CreateBucketIfNotExists(bInbox); err != nil {
			return err
		}
		m.now = s.now()
		if err := sweepSeen(m.marks, m.exp, m.now); err != nil {
			return err
		}
		return fn(&m)
	})
}

// get returns the live mark of k: 'd', 'p' (with owner) or 0 when absent
// or expired.
func (m *markTx) get(k []byte) (byte, string) {
	v := m.marks.Get(k)
	if len(v) < 9 || expired(v, m.now) {
		return 0, ""
	}
	return v[8], string(v[9:])
}

func (m *markTx) put(k []byte, state byte, owner string, ttl time.Duration) error {
	if err := m.del(k); err != nil {
		return err
	}
	e := expiry(m.now, ttl)
	v := append(append(bytes.Clone(e), state), owner...)
	if err := m.marks.Put(k, v); err != nil {
		return err
	}
	return m.exp.Put(append(e, k...), nil)
}

func (m *markTx) del(k []byte) error {
	old := m.marks.Get(k)
	if old == nil {
		return nil
	}
	if len(old) >= 8 {
		if err := m.exp.Delete(append(bytes.Clone(old[:8]), k...)); err != nil {
			return err
		}
	}
	return m.marks.Delete(k)
}

func (m *markTx) begin(k []byte, owner string, lease time.Duration) (coach.MarkState, error) {
	switch st, _ := m.get(k); st {
	case 'd':
		return coach.MarkDone, nil
	case 'p':
		return coach.MarkInProgress, nil
	}
	return coach.MarkClaimed, m.put(k, 'p', owner, lease)
}

func positive(d time.Duration) time.Duration { return max(d, time.Millisecond) }

// BeginEvent takes the in-progress lease on key unless it is done or leased.
func (s *Store) BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error) {
	var st coach.MarkState
	err := s.markUpdate(ctx, func(m *markTx) (err error) {
		st, err = m.begin(plainKey(key), owner, positive(lease))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: begin event %q: %w", key, err)
	}
	return st, nil
}

// FinishEvent marks key done for ttl and removes its inbox item.
func (s *Store) FinishEvent(ctx context.Context, key string, ttl time.Duration) error {
	if err := checkTTL(ttl); err != nil {
		return fmt.Errorf("bolt: finish event: %w", err)
	}
	err := s.markUpdate(ctx, func(m *markTx) error {
		k := plainKey(key)
		if err := m.put(k, 'd', "", ttl); err != nil {
			return err
		}
		return m.inbox.Delete(k)
	})
	if err != nil {
		return fmt.Errorf("bolt: finish event %q: %w", key, err)
	}
	return nil
}

// AbandonEvent drops owner's lease; the item, if any, is claimable now.
func (s *Store) AbandonEvent(ctx context.Context, key, owner string) error {
	err := s.markUpdate(ctx, func(m *markTx) error {
		k := plainKey(key)
		if st, o := m.get(k); st != 'p' || o != owner {
			return nil
		}
		if err := m.del(k); err != nil {
			return err
		}
		v := m.inbox.Get(k)
		if v == nil {
			return nil
		}
		var r inboxRec
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		r.Until = 0
		return m.putItem(k, r)
	})
	if err != nil {
		return fmt.Errorf("bolt: abandon event %q: %w", key, err)
	}
	return nil
}

func (m *markTx) putItem(k []byte, r inboxRec) error {
	js, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return m.inbox.Put(k, js)
}

// Enqueue stores the item leased to owner unless its key is done or leased.
func (s *Store) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	lease = positive(lease)
	var st coach.MarkState
	err := s.markUpdate(ctx, func(m *markTx) (err error) {
		k := plainKey(it.Key)
		if st, err = m.begin(k, owner, lease); err != nil || st != coach.MarkClaimed {
			return err
		}
		r := inboxRec{Queue: it.Queue, Payload: it.Payload, Until: m.now.Add(lease).UnixNano(), Attempts: 1}
		if v := m.inbox.Get(k); v != nil {
			var old inboxRec
			if json.Unmarshal(v, &old) == nil {
				r.Attempts = old.Attempts + 1
			}
		}
		it.Attempts = r.Attempts
		return m.putItem(k, r)
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: enqueue %q: %w", it.Key, err)
	}
	return st, nil
}

// ClaimExpired leases up to n items of queue whose lease has ended, oldest
// lease first. It reads the whole inbox, which admission keeps small.
func (s *Store) ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]coach.InboxItem, error) {
	if n <= 0 {
		return nil, nil
	}
	lease = positive(lease)
	var out []coach.InboxItem
	err := s.markUpdate(ctx, func(m *markTx) error {
		out = nil
		type cand struct {
			k []byte
			r inboxRec
		}
		var cs []cand
		err := m.inbox.ForEach(func(k, v []byte) error {
			var r inboxRec
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.Queue == queue && r.Until <= m.now.UnixNano() {
				cs = append(cs, cand{bytes.Clone(k), r})
			}
			return nil
		})
		if err != nil {
			return err
		}
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].r.Until < cs[j].r.Until })
		for _, c := range cs {
			if len(out) == n {
				break
			}
			if st, _ := m.get(c.k); st == 'd' {
				if err := m.inbox.Delete(c.k); err != nil {
					return err
				}
				continue
			}
			if err := m.put(c.k, 'p', owner, lease); err != nil {
				return err
			}
			c.r.Attempts++
			c.r.Until = m.now.Add(lease).UnixNano()
			if err := m.putItem(c.k, c.r); err != nil {
				return err
			}
			out = append(out, coach.InboxItem{Key: string(c.k[1:]), Queue: c.r.Queue, Payload: c.r.Payload, Attempts: c.r.Attempts})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: claim %q: %w", queue, err)
	}
	return out, nil
}

// InboxLen counts the queue's items.
func (s *Store) InboxLen(ctx context.Context, queue string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bInbox)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r inboxRec
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.Queue == queue {
				n++
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: inbox length %q: %w", queue, err)
	}
	return n, nil
}

// Deal update tokens (coach.UpdateToken): "dtok" "t"+team+0+BE64(n) → the
// tokens of the deal's last 256 writes (JSON list, newest first), so a
// repeat of the same update (the delivery ran again after a crash) is
// reported applied, not written twice.
var bDealTok = []byte("dtok")

func dealTokKey(team string, n uint64) []byte {
	k := append(teamName(team), 0)
	return binary.BigEndian.AppendUint64(k, n)
}

// sameUpdate reports whether tok is among the tokens of the deal's recent
// writes; otherwise it records tok for the write about to happen (the
// caller's transaction commits or discards both).
func sameUpdate(tx *bbolt.Tx, team string, n uint64, tok string) (bool, error) {
	b, err := tx.CreateBucketIfNotExists(bDealTok)
	if err != nil {
		return false, err
	}
	k := dealTokKey(team, n)
	var toks []string
	if v := b.Get(k); v != nil {
		_ = json.Unmarshal(v, &toks)
	}
	for _, t := range toks {
		if t == tok {
			return true, nil
		}
	}
	toks = append([]string{tok}, toks[:min(len(toks), recentTokens-1)]...)
	js, err := json.Marshal(toks)
	if err != nil {
		return false, err
	}
	return false, b.Put(k, js)
}

// recentTokens is how many update tokens a deal remembers.
const recentTokens = 256
