package bottest

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// PutReading implements coach.Store.
func (f *FlakyStore) PutReading(ctx context.Context, r *coach.NoteReading, ttl time.Duration) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.PutReading(ctx, r, ttl)
}

// GetReading implements coach.Store.
func (f *FlakyStore) GetReading(ctx context.Context, team, user string) (*coach.NoteReading, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.GetReading(ctx, team, user)
}

// UpdateReading implements coach.Store.
func (f *FlakyStore) UpdateReading(ctx context.Context, r *coach.NoteReading) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.UpdateReading(ctx, r)
}

// DeleteReading implements coach.Store.
func (f *FlakyStore) DeleteReading(ctx context.Context, team, user string) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.DeleteReading(ctx, team, user)
}
