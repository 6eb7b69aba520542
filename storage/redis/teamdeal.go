package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// TeamAndDeal implements coach.TeamDealStore: both hashes are read in one
// MULTI/EXEC, one round trip and one moment. They share the team's hash
// slot, so this works in Redis Cluster too.
func (s *Store) TeamAndDeal(ctx context.Context, teamID, dealID string) (*coach.Team, *coach.Deal, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(teamID)
	var tc, dc *goredis.SliceCmd
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		tc = p.HMGet(ctx, k.teamRec(), "v", "d")
		dc = p.HMGet(ctx, k.deal(dealID), "v", "d")
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("redis: team %q and deal %s: %w", teamID, dealID, err)
	}
	var t coach.Team
	v, err := decodeVersioned(tc.Val(), &t)
	if err != nil {
		return nil, nil, fmt.Errorf("redis: team %q: %w", teamID, err)
	}
	t.Version = v
	d, err := decodeDeal(dc.Val())
	switch {
	case errors.Is(err, coach.ErrNotFound):
		return &t, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("redis: deal %s/%s: %w", teamID, dealID, err)
	}
	return &t, d, nil
}
