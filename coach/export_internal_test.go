package coach

import "context"

// CountsNow exposes countsNow to the external tests.
var CountsNow = countsNow

// StoreOf exposes a Service's store to the external tests.
func StoreOf(s *Service) Store { return s.store }

// UpdateTeamOf exposes the team update loop to the external tests.
func UpdateTeamOf(s *Service) func(ctx context.Context, team string, fn func(t *Team) error) (*Team, error) {
	return s.updateTeam
}

// SetStoreOf swaps a Service's store, for tests that inject failures.
func SetStoreOf(s *Service, st Store) { s.store = st }
