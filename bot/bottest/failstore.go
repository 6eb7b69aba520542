package bottest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// ErrDown is what a FlakyStore returns while down.
var ErrDown = errors.New("store down (test)")

// FlakyStore wraps a store and fails every call while Down is set, as a
// store that cannot be reached would.
type FlakyStore struct {
	coach.Store
	Down atomic.Bool
	// Writes counts write calls that reached the wrapped store.
	Writes atomic.Int64
}

func (f *FlakyStore) err() error {
	if f.Down.Load() {
		return ErrDown
	}
	return nil
}

// CreateDeal implements coach.Store.
func (f *FlakyStore) CreateDeal(ctx context.Context, d *coach.Deal, evs []coach.Event) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.CreateDeal(ctx, d, evs)
}

// GetDeal implements coach.Store.
func (f *FlakyStore) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.GetDeal(ctx, team, id)
}

// UpdateDeal implements coach.Store.
func (f *FlakyStore) UpdateDeal(ctx context.Context, d *coach.Deal, evs []coach.Event) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.UpdateDeal(ctx, d, evs)
}

// ListDeals implements coach.Store.
func (f *FlakyStore) ListDeals(ctx context.Context, team string) ([]*coach.Deal, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.ListDeals(ctx, team)
}

// ProgressBefore implements coach.Store.
func (f *FlakyStore) ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*coach.Deal, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.ProgressBefore(ctx, team, t, limit)
}

// History implements coach.Store.
func (f *FlakyStore) History(ctx context.Context, team, deal string, limit int) ([]coach.Event, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.History(ctx, team, deal, limit)
}

// GetTeam implements coach.Store.
func (f *FlakyStore) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.GetTeam(ctx, id)
}

// PutTeam implements coach.Store.
func (f *FlakyStore) PutTeam(ctx context.Context, t *coach.Team) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.PutTeam(ctx, t)
}

// SeenEvent implements coach.Store.
func (f *FlakyStore) SeenEvent(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := f.err(); err != nil {
		return false, err
	}
	return f.Store.SeenEvent(ctx, key, ttl)
}

// PutSession implements coach.Store.
func (f *FlakyStore) PutSession(ctx context.Context, s *coach.Session, ttl time.Duration) error {
	if err := f.err(); err != nil {
		return err
	}
	f.Writes.Add(1)
	return f.Store.PutSession(ctx, s, ttl)
}

// GetSession implements coach.Store.
func (f *FlakyStore) GetSession(ctx context.Context, team, user, deal string) (*coach.Session, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.GetSession(ctx, team, user, deal)
}

// Sessions implements coach.Store.
func (f *FlakyStore) Sessions(ctx context.Context, team, user string) ([]*coach.Session, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.Sessions(ctx, team, user)
}

// Ping implements coach.Store.
func (f *FlakyStore) Ping(ctx context.Context) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.Ping(ctx)
}
