package bolt_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// TestPrefixDealsBuildsTheIndexOnce: a file written before the index
// existed (here: its buckets deleted) is indexed on the first lookup; a
// deal written since keeps the entries its own write made.
func TestPrefixDealsBuildsTheIndexOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var ds []*coach.Deal
	for _, n := range []string{"Old Acme", "Acme Two", "Beta"} {
		d := &coach.Deal{Team: "T", Name: n, Status: coach.StatusOpen, LastProgressAt: time.Unix(100, 0)}
		if err := s.CreateDeal(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	s.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		tb := tx.Bucket([]byte("data")).Bucket([]byte("tT"))
		for _, b := range []string{"names", "nameof"} {
			if err := tb.DeleteBucket([]byte(b)); err != nil {
				return fmt.Errorf("%s: %w", b, err)
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	ds[0].Name = "Renamed"
	if err := s.UpdateDeal(ctx, ds[0], nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{{"acme", []string{"D-2"}}, {"old", nil}, {"renamed", []string{"D-1"}}, {"beta", []string{"D-3"}}} {
		got, err := s.PrefixDeals(ctx, "T", tc.prefix, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("PrefixDeals(%q) = %v, want %v", tc.prefix, ids, tc.want)
		}
	}
}
