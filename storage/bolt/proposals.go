package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// "readings": uvarint(len(team)) + team + user → BE64(expiry) + BE64(version)
// + note reading JSON. The bucket is created on first use.
var bReadings = []byte("readings")

func readingKey(team, user string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(team))), append([]byte(team), user...)...)
}

// PutReading stores the user's latest note reading until ttl from now.
func (s *Store) PutReading(ctx context.Context, r *coach.NoteReading, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkTTL(ttl); err != nil {
		return fmt.Errorf("bolt: put reading: %w", err)
	}
	r.Version = 1
	js, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("bolt: encode reading: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bReadings)
		if err != nil {
			return err
		}
		v := append(expiry(s.now(), ttl), be64(1)...)
		return b.Put(readingKey(r.Team, r.User), append(v, js...))
	})
	if err != nil {
		return fmt.Errorf("bolt: put reading %s/%s: %w", r.Team, r.User, err)
	}
	return nil
}

// GetReading returns the user's live reading, or coach.ErrNotFound.
func (s *Store) GetReading(ctx context.Context, team, user string) (*coach.NoteReading, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out coach.NoteReading
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bReadings)
		if b == nil {
			return coach.ErrNotFound
		}
		v := b.Get(readingKey(team, user))
		if len(v) < 16 || expired(v, s.now()) {
			return coach.ErrNotFound
		}
		if err := json.Unmarshal(v[16:], &out); err != nil {
			return err
		}
		out.Version = int64(binary.BigEndian.Uint64(v[8:16]))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: reading %s/%s: %w", team, user, err)
	}
	return &out, nil
}

// UpdateReading stores r if the stored version equals r.Version, keeping
// the expiry.
func (s *Store) UpdateReading(ctx context.Context, r *coach.NoteReading) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	next := r.Version + 1
	cp := *r
	cp.Version = next
	js, err := json.Marshal(&cp)
	if err != nil {
		return fmt.Errorf("bolt: encode reading: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bReadings)
		if b == nil {
			return coach.ErrNotFound
		}
		k := readingKey(r.Team, r.User)
		v := b.Get(k)
		if len(v) < 16 || expired(v, s.now()) {
			return coach.ErrNotFound
		}
		if int64(binary.BigEndian.Uint64(v[8:16])) != r.Version {
			return coach.ErrConflict
		}
		nv := append(append([]byte(nil), v[:8]...), be64(uint64(next))...)
		return b.Put(k, append(nv, js...))
	})
	if err != nil {
		return fmt.Errorf("bolt: update reading %s/%s: %w", r.Team, r.User, err)
	}
	r.Version = next
	return nil
}

// DeleteReading removes the user's reading; a missing one is not an error.
func (s *Store) DeleteReading(ctx context.Context, team, user string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bReadings)
		if b == nil {
			return nil
		}
		return b.Delete(readingKey(team, user))
	})
	if err != nil {
		return fmt.Errorf("bolt: delete reading %s/%s: %w", team, user, err)
	}
	return nil
}
