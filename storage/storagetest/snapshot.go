package storagetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
)

// runSnapshots is the SnapshotStore part of the suite: round trip, the
// replace flag, SnapshotBefore, trimming to keep, and teams kept apart.
func runSnapshots(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"SnapshotRoundTrip", testSnapshotRoundTrip},
		{"SnapshotReplace", testSnapshotReplace},
		{"SnapshotBefore", testSnapshotBefore},
		{"SnapshotKeep", testSnapshotKeep},
		{"SnapshotTeamIsolation", testSnapshotIsolation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func snap(team, week string, values ...int64) *coach.Snapshot {
	s := &coach.Snapshot{Team: team, Week: week, At: base, Deals: []coach.SnapshotDeal{}}
	for i, v := range values {
		s.Deals = append(s.Deals, coach.SnapshotDeal{ID: fmt.Sprintf("D-%d", i+1), Owner: "u:" + team, Reached: i % 9,
			Completed: max(i%9-1, 0), Value: v, Close: "2026-12-31", Win: 5 * (i % 9), Status: coach.StatusOpen, Sync: coach.SyncInSync})
	}
	return s
}

func mustPutSnap(t *testing.T, s coach.Store, sn *coach.Snapshot, keep int, replace bool) {
	t.Helper()
	if err := s.PutSnapshot(ctxT(t), sn, keep, replace); err != nil {
		t.Fatalf("PutSnapshot %s/%s: %v", sn.Team, sn.Week, err)
	}
}

func testSnapshotRoundTrip(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if _, err := s.GetSnapshot(ctx, "T1", "2026-03-02"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("GetSnapshot on empty store: %v, want ErrNotFound", err)
	}
	want := snap("T1", "2026-03-02", 100, 2_000_000, 0, 35)
	mustPutSnap(t, s, want, coach.SnapshotKeep, false)
	got, err := s.GetSnapshot(ctx, "T1", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if !got.At.Equal(want.At) {
		t.Fatalf("At %v, want %v", got.At, want.At)
	}
	got.At = want.At
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if _, err := s.GetSnapshot(ctx, "T1", "2026-03-09"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("other week: %v, want ErrNotFound", err)
	}
}

func testSnapshotReplace(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustPutSnap(t, s, snap("T1", "2026-03-02", 1), 0, false)
	if err := s.PutSnapshot(ctx, snap("T1", "2026-03-02", 2), 0, false); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("second put without replace: %v, want ErrConflict", err)
	}
	if got, err := s.GetSnapshot(ctx, "T1", "2026-03-02"); err != nil || got.Deals[0].Value != 1 {
		t.Fatalf("after refused put: %+v %v, want the first", got, err)
	}
	mustPutSnap(t, s, snap("T1", "2026-03-02", 3), 0, true)
	if got, err := s.GetSnapshot(ctx, "T1", "2026-03-02"); err != nil || got.Deals[0].Value != 3 {
		t.Fatalf("after replace: %+v %v, want the replacement", got, err)
	}
}

func testSnapshotBefore(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if _, err := s.SnapshotBefore(ctx, "T1", "2026-03-09"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("empty: %v, want ErrNotFound", err)
	}
	// put out of order: Before goes by week, not by insertion
	for _, w := range []string{"2026-03-09", "2026-02-23", "2026-03-02"} {
		mustPutSnap(t, s, snap("T1", w, 1), 0, false)
	}
	tests := []struct{ week, want string }{
		{"2026-03-16", "2026-03-09"},
		{"2026-03-09", "2026-03-02"}, // strictly before
		{"2026-03-05", "2026-03-02"},
		{"2026-03-02", "2026-02-23"},
		{"2026-02-23", ""},
		{"2025-01-01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.week, func(t *testing.T) {
			got, err := s.SnapshotBefore(ctx, "T1", tc.week)
			if tc.want == "" {
				if !errors.Is(err, coach.ErrNotFound) {
					t.Fatalf("got %+v %v, want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got.Week != tc.want {
				t.Fatalf("got %+v %v, want week %s", got, err, tc.want)
			}
		})
	}
}

func testSnapshotKeep(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	const keep = 13
	var weeks []string
	for i := 0; i < keep+3; i++ {
		w := base.AddDate(0, 0, 7*i).Format("2006-01-02")
		weeks = append(weeks, w)
		mustPutSnap(t, s, snap("T1", w, int64(i)), keep, false)
	}
	for i, w := range weeks {
		_, err := s.GetSnapshot(ctx, "T1", w)
		if i < 3 && !errors.Is(err, coach.ErrNotFound) {
			t.Fatalf("week %s (one of the 3 oldest) still there: %v", w, err)
		}
		if i >= 3 && err != nil {
			t.Fatalf("week %s (one of the newest %d) gone: %v", w, keep, err)
		}
	}
	if _, err := s.SnapshotBefore(ctx, "T1", weeks[3]); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("before the oldest kept: %v, want ErrNotFound", err)
	}
}

func testSnapshotIsolation(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	teams := []string{"T1", "T1:x", "{T1}", "T\x002"}
	for i, tm := range teams {
		mustPutSnap(t, s, snap(tm, "2026-03-02", int64(i+1)), 1, false)
	}
	// trimming one team must not touch another's
	mustPutSnap(t, s, snap("T1", "2026-03-09", 9), 1, false)
	for i, tm := range teams[1:] {
		got, err := s.GetSnapshot(ctx, tm, "2026-03-02")
		if err != nil || got.Team != tm || got.Deals[0].Value != int64(i+2) {
			t.Fatalf("team %q: %+v %v", tm, got, err)
		}
	}
	if _, err := s.SnapshotBefore(ctx, "T2", "2026-03-09"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("team without snapshots: %v", err)
	}
}
