package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// ImportTeam stores a whole team in one transaction (see
// coach.ImportStore): all or nothing.
func (s *Store) ImportTeam(ctx context.Context, snap *coach.TeamSnapshot, replace bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := snap.Team
	tjs, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("bolt: encode team %q: %w", t.ID, err)
	}
	type dealRec struct {
		n   uint64
		d   *coach.Deal
		v   []byte
		evs [][]byte
	}
	deals := make([]dealRec, 0, len(snap.Deals))
	for _, d := range snap.Deals {
		n, ok := parseNum("D-", d.ID)
		if !ok || d.Team != t.ID {
			return fmt.Errorf("bolt: import: bad deal id %q of team %q", d.ID, d.Team)
		}
		v, err := encodeDeal(d)
		if err != nil {
			return err
		}
		evs, err := encodeEvents(t.ID, d.ID, snap.History[d.ID])
		if err != nil {
			return err
		}
		deals = append(deals, dealRec{n, d, v, evs})
	}
	type caseRec struct {
		n  uint64
		js []byte
	}
	cases := make([]caseRec, 0, len(snap.Cases))
	for _, c := range snap.Cases {
		n, ok := parseNum("C-", c.ID)
		if !ok || c.Team != t.ID {
			return fmt.Errorf("bolt: import: bad case id %q of team %q", c.ID, c.Team)
		}
		js, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("bolt: encode case: %w", err)
		}
		cases = append(cases, caseRec{n, js})
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		teams := tx.Bucket(bTeams)
		b, err := teamBucketsRW(tx, t.ID)
		if err != nil {
			return err
		}
		if !replace {
			if teams.Get(teamName(t.ID)) != nil {
				return coach.ErrConflict
			}
			for _, r := range deals {
				if b.deals.Get(be64(r.n)) != nil {
					return coach.ErrConflict
				}
			}
			for _, r := range cases {
				if b.cases.Get(be64(r.n)) != nil {
					return coach.ErrConflict
				}
			}
		}
		fresh := b.deals.Cursor()
		hadDeals, _ := fresh.First()
		if err := teams.Put(teamName(t.ID), tjs); err != nil {
			return err
		}
		for _, r := range deals {
			if err := deleteHistory(b.hist, r.n); err != nil {
				return err
			}
			if err := b.deals.Put(be64(r.n), r.v); err != nil {
				return err
			}
			if err := appendEvents(b.hist, r.n, r.evs); err != nil {
				return err
			}
			if err := setProgress(b, r.d, r.n); err != nil {
				return err
			}
			if err := indexNames(tx, r.d, r.n); err != nil { // name index, nameindex.go
				return err
			}
			if b.deals.Sequence() < r.n {
				if err := b.deals.SetSequence(r.n); err != nil {
					return err
				}
			}
		}
		if hadDeals == nil {
			// the team had no deals: the name index holds all of them now
			_, of, err := nameBuckets(tx, t.ID)
			if err != nil {
				return err
			}
			if err := of.Put(kBuilt, []byte{1}); err != nil {
				return err
			}
		}
		for _, r := range cases {
			if err := b.cases.Put(be64(r.n), r.js); err != nil {
				return err
			}
			if b.cases.Sequence() < r.n {
				if err := b.cases.SetSequence(r.n); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: import team %q: %w", t.ID, err)
	}
	return nil
}

// deleteHistory removes the events of deal n.
func deleteHistory(hist *bbolt.Bucket, n uint64) error {
	prefix := be64(n)
	c := hist.Cursor()
	var keys [][]byte
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := hist.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
