// Package bolt is the embedded coach.Store: one bbolt file, JSON values.
//
// Layout (bucket names in quotes):
//
//	"teams"    "t"+teamID → team JSON
//	"data"     one nested bucket per team, named "t"+teamID, holding
//	  "deals"    BE64(n) → BE64(version) + deal JSON; n from the bucket sequence
//	  "hist"     BE64(n) + BE64(seq) → event JSON
//	  "progress" BE64(unix s, sign-flipped) + BE32(ns) + BE64(n) → nothing (open deals only)
//	  "pkey"     BE64(n) → the deal's current "progress" key
//	  "cases"    BE64(n) → case JSON; n from the bucket sequence
//	  "names", "nameof"  the name index, see nameindex.go
//	  "sessions" uvarint(len(user)) + user + deal → BE64(expiry) + session JSON
//	"seen"     "k"+key → BE64(expiry)
//	"seenexp"  BE64(expiry) + "k"+key → nothing, so expired keys are swept in order
//	"locks"    "k"+name → BE64(expiry) + token
//
// Nesting per team (rather than a team\x00… key prefix) keeps teams apart
// whatever bytes their ids contain. Every write is one bolt transaction,
// and version checks happen inside it. Expiry times are unix nanoseconds;
// an expired record is treated as absent and removed lazily.
package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	bbolt "go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"

	"github.com/stagecoach/stagecoach/coach"
)

var (
	bTeams    = []byte("teams")
	bData     = []byte("data")
	bSeen     = []byte("seen")
	bSeenExp  = []byte("seenexp")
	bLocks    = []byte("locks")
	bDeals    = []byte("deals")
	bHist     = []byte("hist")
	bProgress = []byte("progress")
	bPKey     = []byte("pkey")
	bCases    = []byte("cases")
	bSessions = []byte("sessions")
)

// sweepBatch bounds how many expired seen-event keys one write removes.
const sweepBatch = 64

// Store is a coach.Store backed by a bbolt file. It is safe for concurrent
// use.
type Store struct {
	db  *bbolt.DB
	now func() time.Time
}

var _ coach.Store = (*Store)(nil)

// Open opens (creating if needed) the bbolt file at path. bbolt holds an
// exclusive file lock: if another Store (in this or another process) has
// the file open, Open fails after one second instead of blocking.
func Open(path string) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, bberrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: file is locked by another open store (same or other process): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bTeams, bData, bSeen, bSeenExp, bLocks} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: init %s: %w", path, err)
	}
	return &Store{db: db, now: time.Now}, nil
}

// Close closes the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close: %w", err)
	}
	return nil
}

// Ping reports an error when the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.db.View(func(*bbolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("bolt: ping: %w", err)
	}
	return nil
}

// teamBuckets are the nested buckets of one team.
type teamBuckets struct {
	deals, hist, progress, pkey, cases, sessions *bbolt.Bucket
}

func teamName(team string) []byte { return append([]byte("t"), team...) }

// teamBucketsRO returns the team's buckets in a read tx, or false when the
// team has never stored anything.
func teamBucketsRO(tx *bbolt.Tx, team string) (teamBuckets, bool) {
	tb := tx.Bucket(bData).Bucket(teamName(team))
	if tb == nil {
		return teamBuckets{}, false
	}
	return teamBuckets{
		deals: tb.Bucket(bDeals), hist: tb.Bucket(bHist), progress: tb.Bucket(bProgress),
		pkey: tb.Bucket(bPKey), cases: tb.Bucket(bCases), sessions: tb.Bucket(bSessions),
	}, true
}

// teamBucketsRW returns the team's buckets in a write tx, creating them.
func teamBucketsRW(tx *bbolt.Tx, team string) (teamBuckets, error) {
	tb, err := tx.Bucket(bData).CreateBucketIfNotExists(teamName(team))
	if err != nil {
		return teamBuckets{}, err
	}
	var out teamBuckets
	for _, x := range []struct {
		name []byte
		dst  **bbolt.Bucket
	}{{bDeals, &out.deals}, {bHist, &out.hist}, {bProgress, &out.progress}, {bPKey, &out.pkey}, {bCases, &out.cases}, {bSessions, &out.sessions}} {
		b, err := tb.CreateBucketIfNotExists(x.name)
		if err != nil {
			return teamBuckets{}, err
		}
		*x.dst = b
	}
	return out, nil
}

func be64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// parseNum parses "D-12" (prefix "D-") into 12. Only the canonical form
// matches, so ids are matched exactly.
func parseNum(prefix, id string) (uint64, bool) {
	if len(id) <= len(prefix) || id[:len(prefix)] != prefix {
		return 0, false
	}
	n, err := strconv.ParseUint(id[len(prefix):], 10, 64)
	if err != nil || n == 0 || prefix+strconv.FormatUint(n, 10) != id {
		return 0, false
	}
	return n, true
}

// timeKey encodes t so that byte order is time order, for any time
// (including the zero time and times before 1970).
func timeKey(t time.Time) []byte {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
	return b[:]
}

func progressKey(d *coach.Deal, n uint64) []byte {
	return append(timeKey(d.LastProgressAt), be64(n)...)
}

// encodeDeal returns the stored form of d: its version, then its JSON.
func encodeDeal(d *coach.Deal) ([]byte, error) {
	js, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode deal: %w", err)
	}
	return append(be64(uint64(d.Version)), js...), nil
}

func decodeDeal(v []byte) (*coach.Deal, error) {
	if len(v) < 8 {
		return nil, errors.New("corrupt deal record")
	}
	var d coach.Deal
	if err := json.Unmarshal(v[8:], &d); err != nil {
		return nil, fmt.Errorf("decode deal: %w", err)
	}
	d.Version = int64(binary.BigEndian.Uint64(v[:8]))
	return &d, nil
}

func encodeEvents(team, id string, events []coach.Event) ([][]byte, error) {
	out := make([][]byte, len(events))
	for i, e := range events {
		e.Team, e.Deal = team, id
		js, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode event: %w", err)
		}
		out[i] = js
	}
	return out, nil
}

func appendEvents(hist *bbolt.Bucket, n uint64, events [][]byte) error {
	for _, e := range events {
		seq, err := hist.NextSequence()
		if err != nil {
			return err
		}
		if err := hist.Put(append(be64(n), be64(seq)...), e); err != nil {
			return err
		}
	}
	return nil
}

// setProgress makes the index entry of deal n match d: present at
// d.LastProgressAt when d is open, absent otherwise.
func setProgress(b teamBuckets, d *coach.Deal, n uint64) error {
	nk := be64(n)
	if old := b.pkey.Get(nk); old != nil {
		if err := b.progress.Delete(bytes.Clone(old)); err != nil {
			return err
		}
	}
	if !d.Open() {
		return b.pkey.Delete(nk)
	}
	pk := progressKey(d, n)
	if err := b.progress.Put(pk, nil); err != nil {
		return err
	}
	return b.pkey.Put(nk, pk)
}

// CreateDeal assigns the next D-<n> of d.Team, sets d.Version to 1 and
// stores d with its events and index entry in one transaction. Team and
// Deal of each event are filled in.
func (s *Store) CreateDeal(ctx context.Context, d *coach.Deal, events []coach.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := d.Clone()
	c.Version = 1
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := teamBucketsRW(tx, c.Team)
		if err != nil {
			return err
		}
		n, err := b.deals.NextSequence()
		if err != nil {
			return err
		}
		c.ID = "D-" + strconv.FormatUint(n, 10)
		v, err := encodeDeal(c)
		if err != nil {
			return err
		}
		evs, err := encodeEvents(c.Team, c.ID, events)
		if err != nil {
			return err
		}
		if err := b.deals.Put(be64(n), v); err != nil {
			return err
		}
		if err := appendEvents(b.hist, n, evs); err != nil {
			return err
		}
		if err := setProgress(b, c, n); err != nil {
			return err
		}
		if err := indexNewDeal(tx, c, n); err != nil { // name index, nameindex.go
			return err
		}
		return appendOutbox(tx, c.Team, coach.OutboxCreate, "", v[8:], evs, c.UpdatedAt) // mirror: same transaction
	})
	if err != nil {
		return fmt.Errorf("bolt: create deal in team %q: %w", d.Team, err)
	}
	d.ID, d.Version = c.ID, c.Version
	for i := range events {
		events[i].Team, events[i].Deal = c.Team, c.ID
	}
	return nil
}

// GetDeal returns the deal, or coach.ErrNotFound.
func (s *Store) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, ok := parseNum("D-", id)
	if !ok {
		return nil, fmt.Errorf("bolt: deal %s/%s: %w", team, id, coach.ErrNotFound)
	}
	var d *coach.Deal
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return coach.ErrNotFound
		}
		v := b.deals.Get(be64(n))
		if v == nil {
			return coach.ErrNotFound
		}
		var err error
		d, err = decodeDeal(v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: deal %s/%s: %w", team, id, err)
	}
	return d, nil
}

// UpdateDeal stores d if the stored version equals d.Version, appends the
// events and moves the index entry, all in one transaction; d.Version is
// then the new version. Errors: coach.ErrNotFound, coach.ErrConflict.
func (s *Store) UpdateDeal(ctx context.Context, d *coach.Deal, events []coach.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n, ok := parseNum("D-", d.ID)
	if !ok {
		return fmt.Errorf("bolt: update deal %s/%s: %w", d.Team, d.ID, coach.ErrNotFound)
	}
	c := d.Clone()
	c.Version = d.Version + 1
	// Encode before the transaction: the write lock is held only for the
	// check and the puts.
	v, err := encodeDeal(c)
	if err != nil {
		return err
	}
	evs, err := encodeEvents(c.Team, c.ID, events)
	if err != nil {
		return err
	}
	tok := coach.UpdateToken(ctx)
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if tb := tx.Bucket(bData).Bucket(teamName(c.Team)); tb == nil {
			return coach.ErrNotFound
		}
		b, err := teamBucketsRW(tx, c.Team)
		if err != nil {
			return err
		}
		old := b.deals.Get(be64(n))
		if old == nil {
			return coach.ErrNotFound
		}
		if same, err := sameUpdate(tx, c.Team, n, tok); err != nil || same {
			// The same update again (coach.UpdateToken): applied already.
			c.Version = int64(binary.BigEndian.Uint64(old[:8]))
			return err
		}
		if int64(binary.BigEndian.Uint64(old[:8])) != d.Version {
			return coach.ErrConflict
		}
		if err := b.deals.Put(be64(n), v); err != nil {
			return err
		}
		if err := appendEvents(b.hist, n, evs); err != nil {
			return err
		}
		if err := setProgress(b, c, n); err != nil {
			return err
		}
		if err := indexNames(tx, c, n); err != nil { // name index, nameindex.go
			return err
		}
		return appendOutbox(tx, c.Team, coach.OutboxUpdate, "", v[8:], evs, c.UpdatedAt) // mirror: same transaction
	})
	if err != nil {
		return fmt.Errorf("bolt: update deal %s/%s: %w", d.Team, d.ID, err)
	}
	d.Version = c.Version
	return nil
}

// ListDeals returns the team's deals ordered by number.
func (s *Store) ListDeals(ctx context.Context, team string) ([]*coach.Deal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*coach.Deal
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return nil
		}
		return b.deals.ForEach(func(_, v []byte) error {
			d, err := decodeDeal(v)
			if err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: list deals of %q: %w", team, err)
	}
	return out, nil
}

// ProgressBefore walks the team's last-progress index from the oldest entry
// and stops at t or at limit.
func (s *Store) ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*coach.Deal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bound := timeKey(t)
	var out []*coach.Deal
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return nil
		}
		c := b.progress.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:12], bound) < 0; k, _ = c.Next() {
			if limit > 0 && len(out) >= limit {
				break
			}
			v := b.deals.Get(k[12:])
			if v == nil {
				return fmt.Errorf("index entry without deal %d", binary.BigEndian.Uint64(k[12:]))
			}
			d, err := decodeDeal(v)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: deals of %q before %s: %w", team, t, err)
	}
	return out, nil
}

// History returns the deal's events oldest first, the newest limit of them
// when limit > 0. An unknown deal has no events.
func (s *Store) History(ctx context.Context, team, id string, limit int) ([]coach.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, ok := parseNum("D-", id)
	if !ok {
		return nil, nil
	}
	var raw [][]byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return nil
		}
		prefix := be64(n)
		c := b.hist.Cursor()
		// Walk back from the end of the deal's key range, so a limit reads
		// only what it returns.
		k, _ := c.Seek(be64(n + 1))
		var v []byte
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if limit > 0 && len(raw) >= limit {
				break
			}
			raw = append(raw, bytes.Clone(v))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: history of %s/%s: %w", team, id, err)
	}
	out := make([]coach.Event, len(raw))
	for i, v := range raw {
		if err := json.Unmarshal(v, &out[len(raw)-1-i]); err != nil {
			return nil, fmt.Errorf("bolt: history of %s/%s: decode: %w", team, id, err)
		}
	}
	return out, nil
}

// GetTeam returns the team, or coach.ErrNotFound.
func (s *Store) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var t coach.Team
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bTeams).Get(teamName(id))
		if v == nil {
			return coach.ErrNotFound
		}
		return json.Unmarshal(v, &t)
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: team %q: %w", id, err)
	}
	return &t, nil
}

// PutTeam creates (t.Version 0) or updates (t.Version = stored version) the
// team. Errors: coach.ErrConflict.
func (s *Store) PutTeam(ctx context.Context, t *coach.Team) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := *t
	c.Version = t.Version + 1
	js, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("bolt: encode team %q: %w", t.ID, err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bTeams)
		var cur int64
		if v := b.Get(teamName(t.ID)); v != nil {
			var old struct {
				Version int64 `json:"version"`
			}
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
			cur = old.Version
		}
		if cur != t.Version {
			return coach.ErrConflict
		}
		return b.Put(teamName(t.ID), js)
	})
	if err != nil {
		return fmt.Errorf("bolt: put team %q: %w", t.ID, err)
	}
	t.Version = c.Version
	return nil
}

// Teams lists the ids of all teams stored with PutTeam.
func (s *Store) Teams(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bTeams).ForEach(func(k, _ []byte) error {
			out = append(out, string(k[1:]))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: teams: %w", err)
	}
	return out, nil
}

// CreateCase assigns the next C-<n> of c.Team and stores the case.
func (s *Store) CreateCase(ctx context.Context, c *coach.Case) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cc := *c
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := teamBucketsRW(tx, c.Team)
		if err != nil {
			return err
		}
		n, err := b.cases.NextSequence()
		if err != nil {
			return err
		}
		cc.ID = "C-" + strconv.FormatUint(n, 10)
		js, err := json.Marshal(&cc)
		if err != nil {
			return err
		}
		return b.cases.Put(be64(n), js)
	})
	if err != nil {
		return fmt.Errorf("bolt: create case in team %q: %w", c.Team, err)
	}
	c.ID = cc.ID
	return nil
}

// ListCases returns the team's cases ordered by number.
func (s *Store) ListCases(ctx context.Context, team string) ([]*coach.Case, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*coach.Case
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return nil
		}
		return b.cases.ForEach(func(_, v []byte) error {
			var c coach.Case
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out = append(out, &c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: list cases of %q: %w", team, err)
	}
	return out, nil
}

// DeleteCase removes the case. Errors: coach.ErrNotFound.
func (s *Store) DeleteCase(ctx context.Context, team, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n, ok := parseNum("C-", id)
	if !ok {
		return fmt.Errorf("bolt: delete case %s/%s: %w", team, id, coach.ErrNotFound)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok || b.cases.Get(be64(n)) == nil {
			return coach.ErrNotFound
		}
		return b.cases.Delete(be64(n))
	})
	if err != nil {
		return fmt.Errorf("bolt: delete case %s/%s: %w", team, id, err)
	}
	return nil
}

func userPrefix(user string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(user))), user...)
}

func sessionKey(user, deal string) []byte { return append(userPrefix(user), deal...) }

func expired(v []byte, now time.Time) bool {
	return len(v) < 8 || int64(binary.BigEndian.Uint64(v[:8])) <= now.UnixNano()
}

func expiry(now time.Time, ttl time.Duration) []byte {
	return be64(uint64(now.Add(ttl).UnixNano()))
}

func checkTTL(ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("ttl %v: must be positive", ttl)
	}
	return nil
}

// PutSession stores the session until ttl from now (ttl must be positive).
// The user's expired sessions are removed on the way.
func (s *Store) PutSession(ctx context.Context, sess *coach.Session, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkTTL(ttl); err != nil {
		return fmt.Errorf("bolt: put session: %w", err)
	}
	js, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("bolt: encode session: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b, err := teamBucketsRW(tx, sess.Team)
		if err != nil {
			return err
		}
		now := s.now()
		prefix := userPrefix(sess.User)
		// Collect first: deleting under a bbolt cursor can skip keys.
		var stale [][]byte
		c := b.sessions.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if expired(v, now) {
				stale = append(stale, bytes.Clone(k))
			}
		}
		for _, k := range stale {
			if err := b.sessions.Delete(k); err != nil {
				return err
			}
		}
		return b.sessions.Put(sessionKey(sess.User, sess.Deal), append(expiry(now, ttl), js...))
	})
	if err != nil {
		return fmt.Errorf("bolt: put session %s/%s/%s: %w", sess.Team, sess.User, sess.Deal, err)
	}
	return nil
}

// GetSession returns the live session, or coach.ErrNotFound.
func (s *Store) GetSession(ctx context.Context, team, user, deal string) (*coach.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out coach.Session
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return coach.ErrNotFound
		}
		v := b.sessions.Get(sessionKey(user, deal))
		if v == nil || expired(v, s.now()) {
			return coach.ErrNotFound
		}
		return json.Unmarshal(v[8:], &out)
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: session %s/%s/%s: %w", team, user, deal, err)
	}
	return &out, nil
}

// Sessions lists the user's live sessions, most recently updated first.
func (s *Store) Sessions(ctx context.Context, team, user string) ([]*coach.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*coach.Session
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return nil
		}
		now := s.now()
		prefix := userPrefix(user)
		c := b.sessions.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if expired(v, now) {
				continue
			}
			var sess coach.Session
			if err := json.Unmarshal(v[8:], &sess); err != nil {
				return err
			}
			out = append(out, &sess)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: sessions of %s/%s: %w", team, user, err)
	}
	sortSessions(out)
	return out, nil
}

func sortSessions(ss []*coach.Session) {
	sort.SliceStable(ss, func(i, j int) bool {
		if !ss[i].UpdatedAt.Equal(ss[j].UpdatedAt) {
			return ss[i].UpdatedAt.After(ss[j].UpdatedAt)
		}
		return ss[i].Deal < ss[j].Deal
	})
}

// DeleteSession removes the session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, team, user, deal string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, ok := teamBucketsRO(tx, team)
		if !ok {
			return nil
		}
		return b.sessions.Delete(sessionKey(user, deal))
	})
	if err != nil {
		return fmt.Errorf("bolt: delete session %s/%s/%s: %w", team, user, deal, err)
	}
	return nil
}

func plainKey(key string) []byte { return append([]byte("k"), key...) }

// SeenEvent records key for ttl (positive) and reports whether it is new.
// A repeat does not extend the ttl. Each call also sweeps a few expired
// keys.
func (s *Store) SeenEvent(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := checkTTL(ttl); err != nil {
		return false, fmt.Errorf("bolt: seen event: %w", err)
	}
	first := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		seen, exp := tx.Bucket(bSeen), tx.Bucket(bSeenExp)
		now := s.now()
		if err := sweepSeen(seen, exp, now); err != nil {
			return err
		}
		k := plainKey(key)
		if v := seen.Get(k); v != nil && !expired(v, now) {
			return nil
		} else if v != nil {
			if err := exp.Delete(append(bytes.Clone(v[:8]), k...)); err != nil {
				return err
			}
		}
		first = true
		e := expiry(now, ttl)
		if err := seen.Put(k, e); err != nil {
			return err
		}
		return exp.Put(append(e, k...), nil)
	})
	if err != nil {
		return false, fmt.Errorf("bolt: seen event %q: %w", key, err)
	}
	return first, nil
}

func sweepSeen(seen, exp *bbolt.Bucket, now time.Time) error {
	c := exp.Cursor()
	n := 0
	for k, _ := c.First(); k != nil && n < sweepBatch && expired(k, now); k, _ = c.First() {
		if err := seen.Delete(k[8:]); err != nil {
			return err
		}
		if err := c.Delete(); err != nil {
			return err
		}
		n++
	}
	return nil
}

// ForgetEvent removes a key recorded by SeenEvent.
func (s *Store) ForgetEvent(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		seen, exp := tx.Bucket(bSeen), tx.Bucket(bSeenExp)
		k := plainKey(key)
		v := seen.Get(k)
		if v == nil {
			return nil
		}
		if err := exp.Delete(append(bytes.Clone(v[:8]), k...)); err != nil {
			return err
		}
		return seen.Delete(k)
	})
	if err != nil {
		return fmt.Errorf("bolt: forget event %q: %w", key, err)
	}
	return nil
}

// TryLock takes the named lock for ttl (positive) unless someone else
// holds it. release frees it only while this caller still holds it.
func (s *Store) TryLock(ctx context.Context, name string, ttl time.Duration) (func(context.Context) error, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := checkTTL(ttl); err != nil {
		return nil, false, fmt.Errorf("bolt: lock %q: %w", name, err)
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, false, fmt.Errorf("bolt: lock %q: token: %w", name, err)
	}
	ok := false
	k := plainKey(name)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bLocks)
		now := s.now()
		if v := b.Get(k); v != nil && !expired(v, now) {
			return nil
		}
		ok = true
		return b.Put(k, append(expiry(now, ttl), tok[:]...))
	})
	if err != nil {
		return nil, false, fmt.Errorf("bolt: lock %q: %w", name, err)
	}
	if !ok {
		return nil, false, nil
	}
	release := func(ctx context.Context) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.db.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket(bLocks)
			// The lock may have expired and been taken by someone else:
			// delete only our own token.
			if v := b.Get(k); len(v) >= 8 && bytes.Equal(v[8:], tok[:]) {
				return b.Delete(k)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bolt: unlock %q (token %s): %w", name, hex.EncodeToString(tok[:4]), err)
		}
		return nil
	}
	return release, true, nil
}
