package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/bolt"
	"github.com/stagecoach/stagecoach/storage/storagetest"
)

func open(t testing.TB, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) coach.Store {
		return open(t, filepath.Join(t.TempDir(), "stagecoach.db"))
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	d := &coach.Deal{Team: "A", Name: "x", Status: coach.StatusOpen, LastProgressAt: time.Unix(100, 0)}
	if err := s.CreateDeal(ctx, d, []coach.Event{{Kind: "create"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	got, err := s.GetDeal(ctx, "A", "D-1")
	if err != nil || got.Name != "x" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	d2 := &coach.Deal{Team: "A", Name: "y", Status: coach.StatusWon}
	if err := s.CreateDeal(ctx, d2, nil); err != nil || d2.ID != "D-2" {
		t.Fatalf("numbering after reopen: %s, %v", d2.ID, err)
	}
	ps, err := s.ProgressBefore(ctx, "A", time.Unix(101, 0), 0)
	if err != nil || len(ps) != 1 {
		t.Fatalf("index after reopen: %d, %v", len(ps), err)
	}
}

func TestOpenTwiceFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	open(t, path)
	_, err := bolt.Open(path)
	if err == nil {
		t.Fatal("second Open of the same file succeeded")
	}
	if errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("unexpected error kind: %v", err)
	}
	t.Logf("second open: %v", err)
}

func TestClosedStoreErrors(t *testing.T) {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping of a closed store succeeded")
	}
	if _, err := s.GetDeal(t.Context(), "A", "D-1"); err == nil || errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetDeal of a closed store: %v, want a non-NotFound error", err)
	}
}

func BenchmarkUpdateDeal(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "bench.db"))
	ctx := context.Background()
	d := &coach.Deal{Team: "T", Name: "bench", Status: coach.StatusOpen, Info: map[string]string{"s1.i1.size": "500"}}
	if err := s.CreateDeal(ctx, d, []coach.Event{{Kind: "create"}}); err != nil {
		b.Fatal(err)
	}
	ev := []coach.Event{{Kind: "info", Field: "s1.i1.size", Before: "500", After: "600", By: "U1"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.LastProgressAt = time.Unix(int64(i), 0)
		if err := s.UpdateDeal(ctx, d, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkUpdateDealParallel updates distinct deals from many goroutines;
// bbolt serialises writers, so this shows the file's write ceiling.
func BenchmarkUpdateDealParallel(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "bench.db"))
	ctx := context.Background()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		d := &coach.Deal{Team: fmt.Sprintf("T%d", next.Add(1)), Name: "bench", Status: coach.StatusOpen}
		if err := s.CreateDeal(ctx, d, nil); err != nil {
			b.Error(err)
			return
		}
		ev := []coach.Event{{Kind: "note", By: "U1"}}
		for pb.Next() {
			if err := s.UpdateDeal(ctx, d, ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
