package coach

import (
	"context"
	"errors"
	"time"
)

// Store errors, checked with errors.Is. Any other error from a Store means
// the store could not be reached or failed: nothing was changed.
var (
	// ErrNotFound: no such deal, team, case or session.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the stored version differs from the one the update was
	// based on (someone else changed it first), or a create found the
	// object already there.
	ErrConflict = errors.New("version conflict")
)

// Store keeps deals, their history, teams, reference cases, guided
// sessions and the small records used for retry dedupe and cron locks.
// Implementations live in storage/*; every one passes storagetest.Run.
//
// All writes are atomic: a deal and its events are stored together or not
// at all.
type Store interface {
	SnapshotStore  // snapshot.go: the weekly digest snapshots
	ProposalStore  // proposals.go: each rep's latest note reading
	InboxStore     // delivery marks and the durable inbox (inbox.go)
	NameIndexStore // nameindex.go: deals by the start of their name or customer
	OutboxStore    // outbox.go: the mirror's durable queue of deal changes
	TeamDealStore  // teamdeal.go: a team and one of its deals in one read

	// CreateDeal assigns d.ID ("D-<n>", n counting up per team from 1),
	// sets d.Version to 1, fills Deal in each event, and stores the deal,
	// its events and its last-progress index entry.
	CreateDeal(ctx context.Context, d *Deal, events []Event) error
	// GetDeal returns ErrNotFound when the team has no such deal. The id
	// is matched exactly.
	GetDeal(ctx context.Context, team, id string) (*Deal, error)
	// UpdateDeal stores d if the stored version equals d.Version, then sets
	// d.Version to the new version (old+1). It appends the events and keeps
	// the last-progress index in step (open deals only). Errors:
	// ErrNotFound, ErrConflict.
	UpdateDeal(ctx context.Context, d *Deal, events []Event) error
	// ListDeals returns every deal of a team, ordered by number (D-1, D-2…).
	ListDeals(ctx context.Context, team string) ([]*Deal, error)
	// ProgressBefore returns the team's open deals whose LastProgressAt is
	// before t, oldest progress first, at most limit (<=0: no limit). It
	// reads the last-progress index, so its cost grows with the result,
	// not with the team's deals.
	ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*Deal, error)
	// History returns the deal's events oldest first; the newest limit of
	// them when limit > 0.
	History(ctx context.Context, team, deal string, limit int) ([]Event, error)

	// GetTeam returns ErrNotFound for an unknown team.
	GetTeam(ctx context.Context, id string) (*Team, error)
	// PutTeam creates the team when t.Version is 0 (ErrConflict if it
	// exists) or updates it when t.Version equals the stored version
	// (ErrConflict otherwise); on success t.Version is the new version.
	PutTeam(ctx context.Context, t *Team) error
	// Teams lists the ids of all teams.
	Teams(ctx context.Context) ([]string, error)

	// CreateCase assigns c.ID ("C-<n>" per team) and stores the case.
	CreateCase(ctx context.Context, c *Case) error
	// ListCases returns the team's cases ordered by number.
	ListCases(ctx context.Context, team string) ([]*Case, error)
	// DeleteCase returns ErrNotFound for an unknown case.
	DeleteCase(ctx context.Context, team, id string) error

	// PutSession stores a guided session keyed by team, user and deal; it
	// expires ttl after the last put.
	PutSession(ctx context.Context, s *Session, ttl time.Duration) error
	// GetSession returns ErrNotFound when there is none (or it expired).
	GetSession(ctx context.Context, team, user, deal string) (*Session, error)
	// Sessions lists a user's live sessions, most recently updated first.
	Sessions(ctx context.Context, team, user string) ([]*Session, error)
	// DeleteSession removes a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, team, user, deal string) error

	// SeenEvent records key for ttl and reports whether this is the first
	// time it is seen (true) or a repeat within ttl (false). Used for retry
	// dedupe and for once-per-period send markers.
	SeenEvent(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
	// ForgetEvent removes a key recorded by SeenEvent (after a failed send).
	ForgetEvent(ctx context.Context, key string) error
	// TryLock takes the named lock for ttl if nobody holds it. ok is false
	// when someone else holds it. release frees it only if still held by
	// this caller.
	TryLock(ctx context.Context, name string, ttl time.Duration) (release func(context.Context) error, ok bool, err error)

	// ImportStore: ImportTeam loads a whole exported team (see export.go).
	ImportStore

	// Ping checks the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}
