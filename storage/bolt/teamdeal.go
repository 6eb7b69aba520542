package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/stagecoach/stagecoach/coach"
)

// TeamAndDeal implements coach.TeamDealStore: the team and the deal in one
// read transaction.
func (s *Store) TeamAndDeal(ctx context.Context, teamID, dealID string) (*coach.Team, *coach.Deal, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var t coach.Team
	var d *coach.Deal
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bTeams).Get(teamName(teamID))
		if v == nil {
			return coach.ErrNotFound
		}
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		n, ok := parseNum("D-", dealID)
		if !ok {
			return nil
		}
		b, ok := teamBucketsRO(tx, teamID)
		if !ok {
			return nil
		}
		if v := b.deals.Get(be64(n)); v != nil {
			var err error
			d, err = decodeDeal(v)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("bolt: team %q and deal %s: %w", teamID, dealID, err)
	}
	return &t, d, nil
}
