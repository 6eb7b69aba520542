package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// The name index (coach.NameIndexStore), two more buckets in each team's
// bucket:
//
//	"names"   normalised key + 0x00 + BE64(n) → nothing, for the name and
//	          the customer of every deal
//	"nameof"  BE64(n) → the deal's "names" keys, each prefixed by its
//	          uvarint length; and "built" → 1 once the index holds every deal
//	          (deals stored before the index existed are added once, on the
//	          first lookup)
//
// CreateDeal and UpdateDeal call indexNames in their own transaction, so
// a deal and its index entries change together or not at all.
var (
	bNames  = []byte("names")
	bNameOf = []byte("nameof")
	kBuilt  = []byte("built")
)

// nameBuckets returns the team's index buckets in a write tx, creating them.
func nameBuckets(tx *bbolt.Tx, team string) (names, of *bbolt.Bucket, err error) {
	tb, err := tx.Bucket(bData).CreateBucketIfNotExists(teamName(team))
	if err != nil {
		return nil, nil, err
	}
	if names, err = tb.CreateBucketIfNotExists(bNames); err != nil {
		return nil, nil, err
	}
	of, err = tb.CreateBucketIfNotExists(bNameOf)
	return names, of, err
}

// nameEntries are the "names" keys of deal n with normalised keys ks.
func nameEntries(ks []string, n uint64) [][]byte {
	out := make([][]byte, 0, len(ks))
	for _, k := range ks {
		e := make([]byte, 0, len(k)+9)
		e = append(e, k...)
		e = append(e, 0)
		out = append(out, append(e, be64(n)...))
	}
	return out
}

func packEntries(es [][]byte) []byte {
	var b []byte
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(len(e)))
		b = append(b, e...)
	}
	return b
}

func unpackEntries(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return nil, fmt.Errorf("bolt: corrupt name index record")
		}
		out = append(out, b[w:w+int(n)])
		b = b[w+int(n):]
	}
	return out, nil
}

// indexNames replaces deal n's entries in the name index by those of d.
func indexNames(tx *bbolt.Tx, d *coach.Deal, n uint64) error {
	names, of, err := nameBuckets(tx, d.Team)
	if err != nil {
		return err
	}
	return putNames(names, of, coach.NameKeys(d), n)
}

// indexNewDeal indexes a created deal; a team's first deal starts its
// index complete (nothing older to add).
func indexNewDeal(tx *bbolt.Tx, d *coach.Deal, n uint64) error {
	names, of, err := nameBuckets(tx, d.Team)
	if err != nil {
		return err
	}
	if n == 1 {
		if err := of.Put(kBuilt, []byte{1}); err != nil {
			return err
		}
	}
	return putNames(names, of, coach.NameKeys(d), n)
}

func putNames(names, of *bbolt.Bucket, ks []string, n uint64) error {
	want := nameEntries(ks, n)
	packed := packEntries(want)
	old := of.Get(be64(n))
	if old != nil && bytes.Equal(old, packed) {
		return nil
	}
	if old != nil {
		es, err := unpackEntries(old)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := names.Delete(e); err != nil {
				return err
			}
		}
	}
	for _, e := range want {
		if err := names.Put(e, nil); err != nil {
			return err
		}
	}
	if len(want) == 0 {
		return of.Delete(be64(n))
	}
	return of.Put(be64(n), packed)
}

// buildNames adds the deals stored before the index existed.
func buildNames(tx *bbolt.Tx, team string) error {
	names, of, err := nameBuckets(tx, team)
	if err != nil {
		return err
	}
	if of.Get(kBuilt) != nil {
		return nil
	}
	if b, ok := teamBucketsRO(tx, team); ok {
		err := b.deals.ForEach(func(k, v []byte) error {
			n := binary.BigEndian.Uint64(k)
			if of.Get(be64(n)) != nil {
				return nil
			}
			d, err := decodeDeal(v)
			if err != nil {
				return err
			}
			return putNames(names, of, coach.NameKeys(d), n)
		})
		if err != nil {
			return err
		}
	}
	return of.Put(kBuilt, []byte{1})
}

// PrefixDeals returns the team's deals whose normalised name or customer
// starts with the normalised prefix, reading only the index entries and
// the deals that match.
func (s *Store) PrefixDeals(ctx context.Context, team, prefix string, limit int) ([]*coach.Deal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := []byte(coach.NormalizeName(prefix))
	if len(p) == 0 {
		return nil, nil
	}
	var out []*coach.Deal
	query := func(tx *bbolt.Tx) (bool, error) {
		out = out[:0]
		tb := tx.Bucket(bData).Bucket(teamName(team))
		if tb == nil {
			return true, nil
		}
		names, of := tb.Bucket(bNames), tb.Bucket(bNameOf)
		if names == nil || of == nil || of.Get(kBuilt) == nil {
			return false, nil
		}
		deals := tb.Bucket(bDeals)
		seen := map[uint64]bool{}
		c := names.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			if len(k) < 9 || k[len(k)-9] != 0 {
				return false, fmt.Errorf("bolt: corrupt name index key")
			}
			n := binary.BigEndian.Uint64(k[len(k)-8:])
			if seen[n] {
				continue
			}
			seen[n] = true
			v := deals.Get(be64(n))
			if v == nil {
				continue
			}
			d, err := decodeDeal(v)
			if err != nil {
				return false, err
			}
			out = append(out, d)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return true, nil
	}
	var built bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		built, err = query(tx)
		return err
	})
	if err == nil && !built {
		err = s.db.Update(func(tx *bbolt.Tx) error {
			if err := buildNames(tx, team); err != nil {
				return err
			}
			_, err := query(tx)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: deals of %q by name %q: %w", team, prefix, err)
	}
	slices.SortStableFunc(out, func(a, b *coach.Deal) int { return coach.DealNumber(a.ID) - coach.DealNumber(b.ID) })
	return out, nil
}
