package bot

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// MemoryDeliveries is an in-process DeliveryStore: the same marks and
// leases as the stores, but nothing survives the process. NewInbox uses
// it when given no store (tests, the console).
type MemoryDeliveries struct {
	mu    sync.Mutex
	now   func() time.Time
	marks map[string]memMark
	items map[string]*memItem
}

type memMark struct {
	done  bool
	owner string
	until time.Time
}

type memItem struct {
	it    coach.InboxItem
	until time.Time
}

// NewMemoryDeliveries returns an empty MemoryDeliveries.
func NewMemoryDeliveries() *MemoryDeliveries {
	return &MemoryDeliveries{now: time.Now, marks: map[string]memMark{}, items: map[string]*memItem{}}
}

func (m *MemoryDeliveries) begin(key, owner string, lease time.Duration) coach.MarkState {
	now := m.now()
	if mk, ok := m.marks[key]; ok && now.Before(mk.until) {
		if mk.done {
			return coach.MarkDone
		}
		return coach.MarkInProgress
	}
	m.marks[key] = memMark{owner: owner, until: now.Add(lease)}
	return coach.MarkClaimed
}

// BeginEvent implements DeliveryStore.
func (m *MemoryDeliveries) BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.begin(key, owner, lease), nil
}

// FinishEvent implements DeliveryStore.
func (m *MemoryDeliveries) FinishEvent(ctx context.Context, key string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.marks[key] = memMark{done: true, until: m.now().Add(ttl)}
	delete(m.items, key)
	return nil
}

// AbandonEvent implements DeliveryStore.
func (m *MemoryDeliveries) AbandonEvent(ctx context.Context, key, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mk, ok := m.marks[key]; !ok || mk.done || mk.owner != owner {
		return nil
	}
	delete(m.marks, key)
	if it, ok := m.items[key]; ok {
		it.until = time.Time{}
	}
	return nil
}

// Enqueue implements DeliveryStore.
func (m *MemoryDeliveries) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.begin(it.Key, owner, lease)
	if st != coach.MarkClaimed {
		return st, nil
	}
	att := 1
	if old, ok := m.items[it.Key]; ok {
		att = old.it.Attempts + 1
	}
	it.Attempts = att
	c := *it
	c.Payload = append([]byte(nil), it.Payload...)
	m.items[it.Key] = &memItem{it: c, until: m.now().Add(lease)}
	return st, nil
}

// ClaimExpired implements DeliveryStore.
func (m *MemoryDeliveries) ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]coach.InboxItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var cs []*memItem
	for _, it := range m.items {
		if it.it.Queue == queue && !now.Before(it.until) {
			cs = append(cs, it)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].until.Before(cs[j].until) })
	var out []coach.InboxItem
	for _, it := range cs {
		if len(out) >= n {
			break
		}
		it.it.Attempts++
		it.until = now.Add(lease)
		m.marks[it.it.Key] = memMark{owner: owner, until: it.until}
		out = append(out, it.it)
	}
	return out, nil
}

// InboxLen counts the queue's items.
func (m *MemoryDeliveries) InboxLen(ctx context.Context, queue string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, it := range m.items {
		if it.it.Queue == queue {
			n++
		}
	}
	return n, nil
}
