package coach

import (
	"context"
	"sync"
	"time"
)

// TeamDealStore reads a team and one of its deals together: on Redis one
// round trip instead of two, for the commands that name a deal by id
// (`show D-1`, `check D-1 s1.m1`, a checklist click).
type TeamDealStore interface {
	// TeamAndDeal returns the team and its deal dealID as of one moment.
	// ErrNotFound when there is no such team (the deal is then nil); a
	// nil deal and a nil error when the team exists without that deal.
	// dealID is matched exactly, as by GetDeal.
	TeamAndDeal(ctx context.Context, teamID, dealID string) (*Team, *Deal, error)
}

// prefetch is a deal read with its team by JoinFor, kept on the team for
// the one Resolve of the same request that names it. It is taken once:
// a later Resolve (a retry after a conflict, a second look at the deal)
// reads the store again, and any update through the service drops it.
// It is never used prefetchTTL after the read, so a team kept past its
// request cannot answer with an old deal.
type prefetch struct {
	mu    sync.Mutex
	id    string
	deal  *Deal // nil: the team had no such deal
	at    time.Time
	taken bool
}

// prefetchTTL bounds how long after JoinFor's read the deal may serve
// Resolve (a request resolves its deal right after Join).
const prefetchTTL = 2 * time.Second

// take returns the prefetched deal for id once; ok is false when there
// is none (another id, already taken, dropped or too old).
func (p *prefetch) take(id string, now time.Time) (d *Deal, ok bool) {
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.taken || p.id != id || now.Sub(p.at) >= prefetchTTL || now.Before(p.at) {
		return nil, false
	}
	p.taken = true
	return p.deal, true
}

// drop forgets the prefetched deal.
func (p *prefetch) drop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.taken = true
	p.mu.Unlock()
}

// JoinFor is Join for a request about the deal ref (the command's deal
// argument or a clicked card's deal; "" when none). When ref is a deal id
// the team and the deal are read together (TeamDealStore), and the
// request's Resolve of that id uses the deal so read instead of reading
// it again: `show D-1` costs one store round trip, `check D-1 …` two.
// A name, or no ref, is plain Join.
func (s *Service) JoinFor(ctx context.Context, a Actor, ref string) (*Team, *Member, error) {
	id, ok := NormalizeDealID(ref)
	if !ok {
		return s.Join(ctx, a)
	}
	var pre *prefetch
	first := func() (*Team, error) {
		t, d, err := s.store.TeamAndDeal(ctx, a.Team, id)
		if err != nil {
			return nil, err
		}
		pre = &prefetch{id: id, deal: d, at: s.Now()}
		return t, nil
	}
	t, m, err := s.join(ctx, a, first)
	if err == nil && pre != nil {
		t.pre = pre
	}
	return t, m, err
}

// getDeal is GetDeal, answered from the request's prefetch (JoinFor)
// when it holds id.
func (s *Service) getDeal(ctx context.Context, team *Team, teamID, id string) (*Deal, error) {
	if team != nil {
		if d, ok := team.pre.take(id, s.Now()); ok {
			if d == nil {
				return nil, ErrNotFound
			}
			return d, nil
		}
	}
	return s.store.GetDeal(ctx, teamID, id)
}
