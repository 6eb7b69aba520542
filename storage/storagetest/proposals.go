package storagetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// runProposals is the note-reading part of the suite.
func runProposals(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"ReadingRoundTrip", testReadingRoundTrip},
		{"ReadingVersions", testReadingVersions},
		{"ReadingExpiry", testReadingExpiry},
		{"ReadingClaimOnce", testReadingClaimOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func reading(team, user string) *coach.NoteReading {
	return &coach.NoteReading{Team: team, User: user, Deal: "D-1", DealName: "Acme", Note: "met Li Wei, 她是经手人",
		State: coach.ReadingOpen, CreatedAt: base,
		Proposals: []coach.Proposal{
			{N: 1, Kind: coach.ProposeCheck, Source: coach.SourceRules, Item: "s2.m2", Evidence: "她是经手人"},
			{N: 2, Kind: coach.ProposeBookMeeting, Source: coach.SourceModel, At: base.Add(48 * time.Hour), Place: "HQ", Evidence: "meet on the 8th"},
		}}
}

func testReadingRoundTrip(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if _, err := s.GetReading(ctx, "A", "u1"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetReading before put: %v, want ErrNotFound", err)
	}
	r := reading("A", "u1")
	if err := s.PutReading(ctx, r, time.Hour); err != nil {
		t.Fatalf("PutReading: %v", err)
	}
	if r.Version != 1 {
		t.Errorf("version after put = %d, want 1", r.Version)
	}
	got, err := s.GetReading(ctx, "A", "u1")
	if err != nil {
		t.Fatalf("GetReading: %v", err)
	}
	if got.Note != r.Note || len(got.Proposals) != 2 || got.Proposals[1].Source != coach.SourceModel || !got.Proposals[1].At.Equal(r.Proposals[1].At) || got.Version != 1 {
		t.Errorf("round trip: got %+v", got)
	}
	// other users and teams are apart
	for _, k := range [][2]string{{"A", "u2"}, {"B", "u1"}} {
		if _, err := s.GetReading(ctx, k[0], k[1]); !errors.Is(err, coach.ErrNotFound) {
			t.Errorf("GetReading %v: %v, want ErrNotFound", k, err)
		}
	}
	// a new note replaces the old one
	r2 := reading("A", "u1")
	r2.Note = "second"
	r2.Applied = nil
	if err := s.PutReading(ctx, r2, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetReading(ctx, "A", "u1"); got == nil || got.Note != "second" || got.Version != 1 {
		t.Errorf("after second put: %+v", got)
	}
	if err := s.DeleteReading(ctx, "A", "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetReading(ctx, "A", "u1"); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.DeleteReading(ctx, "A", "u1"); err != nil {
		t.Errorf("deleting a missing reading: %v", err)
	}
}

func testReadingVersions(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if err := s.UpdateReading(ctx, reading("A", "u1")); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("UpdateReading of a missing reading: %v, want ErrNotFound", err)
	}
	r := reading("A", "u1")
	if err := s.PutReading(ctx, r, time.Hour); err != nil {
		t.Fatal(err)
	}
	stale := *r
	r.Applied = []int{1}
	if err := s.UpdateReading(ctx, r); err != nil {
		t.Fatalf("UpdateReading: %v", err)
	}
	if r.Version != 2 {
		t.Errorf("version after update = %d, want 2", r.Version)
	}
	stale.Applied = []int{2}
	if err := s.UpdateReading(ctx, &stale); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("stale UpdateReading: %v, want ErrConflict", err)
	}
	got, err := s.GetReading(ctx, "A", "u1")
	if err != nil || len(got.Applied) != 1 || got.Applied[0] != 1 || got.Version != 2 {
		t.Fatalf("after conflict: %+v, %v", got, err)
	}
}

func testReadingExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if err := s.PutReading(ctx, reading("A", "u1"), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.PutReading(ctx, reading("A", "u2"), time.Hour); err != nil {
		t.Fatal(err)
	}
	eventually(t, "short reading expires", func() bool {
		_, err := s.GetReading(ctx, "A", "u1")
		if err != nil && !errors.Is(err, coach.ErrNotFound) {
			t.Fatalf("GetReading: %v", err)
		}
		return err != nil
	})
	r := reading("A", "u1")
	r.Version = 1
	if err := s.UpdateReading(ctx, r); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("UpdateReading of an expired reading: %v, want ErrNotFound", err)
	}
	if _, err := s.GetReading(ctx, "A", "u2"); err != nil {
		t.Errorf("long reading: %v", err)
	}
	if err := s.PutReading(ctx, reading("A", "u1"), 0); err == nil {
		t.Error("PutReading with ttl 0 succeeded")
	}
}

// testReadingClaimOnce: of concurrent claims from the same version, one
// wins (a double click applies once).
func testReadingClaimOnce(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if err := s.PutReading(ctx, reading("A", "u1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.GetReading(ctx, "A", "u1")
			if err != nil {
				t.Error(err)
				return
			}
			if r.Version != 1 {
				return // someone already claimed
			}
			r.Applied = []int{1, 2}
			switch err := s.UpdateReading(ctx, r); {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, coach.ErrConflict):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d claims won, want exactly 1", wins.Load())
	}
}
