package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// Snapshots live in the team's bucket: "snaps" week → snapshot JSON. Week
// keys ("2006-01-02") sort by date, so the newest is last.
var bSnaps = []byte("snaps")

// PutSnapshot stores the team's snapshot of s.Week and drops all but the
// newest keep. Errors: coach.ErrConflict when one exists and !replace.
func (s *Store) PutSnapshot(ctx context.Context, snap *coach.Snapshot, keep int, replace bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	js, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("bolt: encode snapshot %s/%s: %w", snap.Team, snap.Week, err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		tb, err := tx.Bucket(bData).CreateBucketIfNotExists(teamName(snap.Team))
		if err != nil {
			return err
		}
		b, err := tb.CreateBucketIfNotExists(bSnaps)
		if err != nil {
			return err
		}
		if !replace && b.Get([]byte(snap.Week)) != nil {
			return coach.ErrConflict
		}
		if err := b.Put([]byte(snap.Week), js); err != nil {
			return err
		}
		if keep <= 0 {
			return nil
		}
		var all [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			all = append(all, append([]byte(nil), k...))
		}
		var drop [][]byte
		if len(all) > keep {
			drop = all[:len(all)-keep]
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: put snapshot %s/%s: %w", snap.Team, snap.Week, err)
	}
	return nil
}

// GetSnapshot returns the team's snapshot of week, or coach.ErrNotFound.
func (s *Store) GetSnapshot(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	return s.snapshot(ctx, team, week, func(c *bbolt.Cursor) ([]byte, []byte) {
		k, v := c.Seek([]byte(week))
		if string(k) != week {
			return nil, nil
		}
		return k, v
	})
}

// SnapshotBefore returns the newest snapshot of a week before week, or
// coach.ErrNotFound.
func (s *Store) SnapshotBefore(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	return s.snapshot(ctx, team, week, func(c *bbolt.Cursor) ([]byte, []byte) {
		k, _ := c.Seek([]byte(week))
		if k == nil {
			return c.Last()
		}
		return c.Prev()
	})
}

func (s *Store) snapshot(ctx context.Context, team, week string, find func(*bbolt.Cursor) ([]byte, []byte)) (*coach.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out coach.Snapshot
	err := s.db.View(func(tx *bbolt.Tx) error {
		tb := tx.Bucket(bData).Bucket(teamName(team))
		if tb == nil {
			return coach.ErrNotFound
		}
		b := tb.Bucket(bSnaps)
		if b == nil {
			return coach.ErrNotFound
		}
		k, v := find(b.Cursor())
		if k == nil {
			return coach.ErrNotFound
		}
		return json.Unmarshal(v, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: snapshot %s/%s: %w", team, week, err)
	}
	return &out, nil
}
