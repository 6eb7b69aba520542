package coach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Weekly snapshots: at each digest the team's open deals are recorded in a
// compact form, so the next digest computes its week-over-week changes
// (stage moves, slipped close dates, pipeline deltas) against what the
// deals looked like then, not from event timestamps: the changes stay
// right when history is trimmed or clocks differ.

// SnapshotKeep is how many weekly snapshots a team keeps (half a year;
// the digest needs the last one, a quarter's trend needs 13).
const SnapshotKeep = 26

// SnapshotStore keeps the teams' weekly snapshots. It is part of Store.
type SnapshotStore interface {
	// PutSnapshot stores s under (s.Team, s.Week). An existing snapshot of
	// that week is replaced when replace is true; otherwise PutSnapshot
	// returns ErrConflict and changes nothing. Afterwards only the team's
	// newest keep snapshots (by Week) are kept (keep <= 0: all).
	PutSnapshot(ctx context.Context, s *Snapshot, keep int, replace bool) error
	// GetSnapshot returns the team's snapshot of week, or ErrNotFound.
	GetSnapshot(ctx context.Context, team, week string) (*Snapshot, error)
	// SnapshotBefore returns the team's newest snapshot whose Week sorts
	// before week, or ErrNotFound.
	SnapshotBefore(ctx context.Context, team, week string) (*Snapshot, error)
}

// Snapshot is a team's open deals at one digest.
type Snapshot struct {
	Team string `json:"team"`
	// Week is the date (YYYY-MM-DD, team's timezone) of the digest slot the
	// snapshot belongs to; weeks sort as strings.
	Week  string         `json:"week"`
	At    time.Time      `json:"at"`    // when it was taken
	Deals []SnapshotDeal `json:"deals"` // open deals, by number
}

// SnapshotDeal is one open deal in a snapshot. Short JSON names keep a
// 20,000-deal snapshot near 1.5 MB.
type SnapshotDeal struct {
	ID        string `json:"i"`
	Owner     string `json:"o"`
	Reached   int    `json:"r,omitempty"`
	Completed int    `json:"c,omitempty"`
	Value     int64  `json:"v,omitempty"`
	Close     string `json:"d,omitempty"` // YYYY-MM-DD
	Win       int    `json:"p,omitempty"` // win probability, percent
	Status    Status `json:"s"`
	Sync      string `json:"y,omitempty"` // buyer-sync verdict
}

// SnapshotWeek is the week key of the digest slot at or before now.
func SnapshotWeek(t *Team, now time.Time) string {
	return DigestSlot(t, now).In(Location(t, "")).Format("2006-01-02")
}

// snapshotOf records a deal's progress as assessed.
func snapshotOf(a Assessment) SnapshotDeal {
	d := a.Deal
	return SnapshotDeal{ID: d.ID, Owner: d.Owner, Reached: a.Progress.Reached, Completed: a.Progress.Completed,
		Value: d.Value, Close: d.CloseDate, Win: a.Progress.WinProbability, Status: d.Status, Sync: a.Sync.Verdict}
}

// saveSnapshot stores the report's snapshot as its week's; replace says
// whether an existing one is overwritten (an operator's forced run) or kept
// (the first digest of the week wins, so later recipients and on-demand
// digests do not move the baseline).
func (s *Service) saveSnapshot(ctx context.Context, r *Report, replace bool) error {
	err := s.store.PutSnapshot(ctx, r.Snapshot, SnapshotKeep, replace)
	if err != nil && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("team %s: snapshot %s: %w", r.Team.ID, r.Snapshot.Week, err)
	}
	return nil
}
