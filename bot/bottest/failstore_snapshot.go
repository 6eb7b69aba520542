package bottest

import (
	"context"

	"github.com/stagecoach/stagecoach/coach"
)

// PutSnapshot implements coach.Store.
func (f *FlakyStore) PutSnapshot(ctx context.Context, s *coach.Snapshot, keep int, replace bool) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.PutSnapshot(ctx, s, keep, replace)
}

// GetSnapshot implements coach.Store.
func (f *FlakyStore) GetSnapshot(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.GetSnapshot(ctx, team, week)
}

// SnapshotBefore implements coach.Store.
func (f *FlakyStore) SnapshotBefore(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.SnapshotBefore(ctx, team, week)
}
