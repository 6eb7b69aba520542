package bolt_test

import (
	"errors"
	"path/filepath"
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
