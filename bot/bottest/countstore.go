package bottest

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// CountingStore wraps a store and counts the calls per method, so a test
// can pin how many store round trips a command costs (on Redis each call
// is at least one round trip).
type CountingStore struct {
	coach.Store
	mu    sync.Mutex
	calls map[string]int
}

// NewCountingStore wraps st.
func NewCountingStore(st coach.Store) *CountingStore {
	return &CountingStore{Store: st, calls: map[string]int{}}
}

func (c *CountingStore) count(method string) {
	c.mu.Lock()
	c.calls[method]++
	c.mu.Unlock()
}

// Reset forgets the calls counted so far.
func (c *CountingStore) Reset() {
	c.mu.Lock()
	clear(c.calls)
	c.mu.Unlock()
}

// Calls returns the calls per method since the last Reset.
func (c *CountingStore) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// Total is the number of calls since the last Reset.
func (c *CountingStore) Total() int {
	n := 0
	for _, v := range c.Calls() {
		n += v
	}
	return n
}

// String is "GetDeal=1 GetTeam=1 UpdateDeal=1", methods sorted.
func (c *CountingStore) String() string {
	calls := c.Calls()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(calls)) {
		parts = append(parts, k+"="+strconv.Itoa(calls[k]))
	}
	return strings.Join(parts, " ")
}

// CreateDeal implements coach.Store.
func (c *CountingStore) CreateDeal(ctx context.Context, d *coach.Deal, evs []coach.Event) error {
	c.count("CreateDeal")
	return c.Store.CreateDeal(ctx, d, evs)
}

// GetDeal implements coach.Store.
func (c *CountingStore) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	c.count("GetDeal")
	return c.Store.GetDeal(ctx, team, id)
}

// UpdateDeal implements coach.Store.
func (c *CountingStore) UpdateDeal(ctx context.Context, d *coach.Deal, evs []coach.Event) error {
	c.count("UpdateDeal")
	return c.Store.UpdateDeal(ctx, d, evs)
}

// ListDeals implements coach.Store.
func (c *CountingStore) ListDeals(ctx context.Context, team string) ([]*coach.Deal, error) {
	c.count("ListDeals")
	return c.Store.ListDeals(ctx, team)
}

// ProgressBefore implements coach.Store.
func (c *CountingStore) ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*coach.Deal, error) {
	c.count("ProgressBefore")
	return c.Store.ProgressBefore(ctx, team, t, limit)
}

// History implements coach.Store.
func (c *CountingStore) History(ctx context.Context, team, deal string, limit int) ([]coach.Event, error) {
	c.count("History")
	return c.Store.History(ctx, team, deal, limit)
}

// GetTeam implements coach.Store.
func (c *CountingStore) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	c.count("GetTeam")
	return c.Store.GetTeam(ctx, id)
}

// PutTeam implements coach.Store.
func (c *CountingStore) PutTeam(ctx context.Context, t *coach.Team) error {
	c.count("PutTeam")
	return c.Store.PutTeam(ctx, t)
}

// Teams implements coach.Store.
func (c *CountingStore) Teams(ctx context.Context) ([]string, error) {
	c.count("Teams")
	return c.Store.Teams(ctx)
}

// CreateCase implements coach.Store.
func (c *CountingStore) CreateCase(ctx context.Context, cs *coach.Case) error {
	c.count("CreateCase")
	return c.Store.CreateCase(ctx, cs)
}

// ListCases implements coach.Store.
func (c *CountingStore) ListCases(ctx context.Context, team string) ([]*coach.Case, error) {
	c.count("ListCases")
	return c.Store.ListCases(ctx, team)
}

// DeleteCase implements coach.Store.
func (c *CountingStore) DeleteCase(ctx context.Context, team, id string) error {
	c.count("DeleteCase")
	return c.Store.DeleteCase(ctx, team, id)
}

// PutSession implements coach.Store.
func (c *CountingStore) PutSession(ctx context.Context, s *coach.Session, ttl time.Duration) error {
	c.count("PutSession")
	return c.Store.PutSession(ctx, s, ttl)
}

// GetSession implements coach.Store.
func (c *CountingStore) GetSession(ctx context.Context, team, user, deal string) (*coach.Session, error) {
	c.count("GetSession")
	return c.Store.GetSession(ctx, team, user, deal)
}

// Sessions implements coach.Store.
func (c *CountingStore) Sessions(ctx context.Context, team, user string) ([]*coach.Session, error) {
	c.count("Sessions")
	return c.Store.Sessions(ctx, team, user)
}

// DeleteSession implements coach.Store.
func (c *CountingStore) DeleteSession(ctx context.Context, team, user, deal string) error {
	c.count("DeleteSession")
	return c.Store.DeleteSession(ctx, team, user, deal)
}

// SeenEvent implements coach.Store.
func (c *CountingStore) SeenEvent(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	c.count("SeenEvent")
	return c.Store.SeenEvent(ctx, key, ttl)
}

// ForgetEvent implements coach.Store.
func (c *CountingStore) ForgetEvent(ctx context.Context, key string) error {
	c.count("ForgetEvent")
	return c.Store.ForgetEvent(ctx, key)
}

// TryLock implements coach.Store.
func (c *CountingStore) TryLock(ctx context.Context, name string, ttl time.Duration) (func(context.Context) error, bool, error) {
	c.count("TryLock")
	return c.Store.TryLock(ctx, name, ttl)
}

// Ping implements coach.Store.
func (c *CountingStore) Ping(ctx context.Context) error {
	c.count("Ping")
	return c.Store.Ping(ctx)
}
