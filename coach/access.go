package coach

import (
	"context"
	"slices"
	"time"
)

// Scope is which deals a list shows.
type Scope string

// Scopes of a deal list.
const (
	ScopeMine Scope = "mine" // the actor's own deals
	ScopeTeam Scope = "team" // every deal the actor may see
)

// VisibleIn returns the deals the actor may see in scope, by number.
func (s *Service) VisibleIn(ctx context.Context, a Actor, team *Team, scope Scope) ([]*Deal, error) {
	deals, err := s.Visible(ctx, a, team)
	if err != nil {
		return nil, err
	}
	if scope == ScopeMine {
		deals = slices.DeleteFunc(deals, func(d *Deal) bool { return d.Owner != a.User })
	}
	return deals, nil
}

// PipelineFor is the funnel of the open deals in scope. A rep's funnel is
// always their own.
func (s *Service) PipelineFor(ctx context.Context, a Actor, team *Team, scope Scope) ([]StageStat, error) {
	if !team.SeesOthers(a.User) {
		scope = ScopeMine
	}
	deals, err := s.VisibleIn(ctx, a, team, scope)
	if err != nil {
		return nil, err
	}
	return Pipeline(s.Playbook, deals), nil
}

// DigestFor is the weekly digest up to now as the actor sees it (the
// on-demand `digest`); managers and admins only (CodeForbidden for a rep).
// When the team has no snapshot for this week yet, this one is kept as the
// week's baseline for the next digest.
func (s *Service) DigestFor(ctx context.Context, a Actor, team *Team, now time.Time) (*Digest, error) {
	if !team.SeesOthers(a.User) {
		return nil, Errf(CodeForbidden, "action", "digest")
	}
	r, err := s.Report(ctx, team, now)
	if err != nil {
		return nil, err
	}
	if err := s.saveSnapshot(ctx, r, false); err != nil {
		return nil, err
	}
	return r.For(a.User), nil
}
