// Package redis is the coach.Store on Redis (go-redis v9), for a single
// node, Sentinel or Cluster.
//
// Key layout (P is the prefix, "sc" by default; ids are escaped, see esc):
//
//	P:{team}:deal:D-1        hash  v=<version> d=<deal JSON>
//	P:{team}:hist:D-1        list  event JSON, oldest first
//	P:{team}:seq             counter of D-<n>
//	P:{team}:deals           zset  D-<n> by n
//	P:{team}:progress        zset  open D-<n> by LastProgressAt (unix ms)
//	P:{team}:nidx…           the name index, see nameindex.go
//	P:{team}:team            hash  v=<version> d=<team JSON>
//	P:{team}:cseq            counter of C-<n>
//	P:{team}:case:C-1        string case JSON
//	P:{team}:cases           zset  C-<n> by n
//	P:{team}:sess:user:D-1   string session JSON, with a ttl
//	P:{team}:sessions:user   zset  deal by UpdatedAt (unix ms), ttl ≥ its sessions'
//	P:teams                  set   team ids (the only cross-slot key)
//	P:seen:key               string, ttl (SeenEvent)
//	P:lock:name              string random token, ttl (TryLock)
//
// All of a team's keys share the hash tag {team}, so each write is one Lua
// script over one slot: it works unchanged in Redis Cluster. Scripts that
// create deals and cases derive the new key from the counter inside the
// script; that key is in the same slot as the declared ones.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// Store is a coach.Store on Redis. It is safe for concurrent use.
type Store struct {
	c         goredis.UniversalClient
	prefix    string
	opTimeout time.Duration
}

var _ coach.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default "sc"). Stores with
// different prefixes share nothing, so tests and environments can share a
// server.
func WithPrefix(p string) Option { return func(s *Store) { s.prefix = esc(p) } }

// WithOpTimeout bounds each method call when the caller's context has no
// earlier deadline (default 1s; 0 disables). Together with the client
// timeouts of NewClient it keeps a hung Redis from stalling a request.
func WithOpTimeout(d time.Duration) Option { return func(s *Store) { s.opTimeout = d } }

// New returns a Store using client. The caller keeps ownership of client:
// Store.Close does not close it.
func New(client goredis.UniversalClient, opts ...Option) *Store {
	s := &Store{c: client, prefix: "sc", opTimeout: time.Second}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close does nothing: the client belongs to the caller of New.
func (s *Store) Close() error { return nil }

func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.opTimeout <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= s.opTimeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opTimeout)
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := s.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

// splitID encodes v, whose JSON must start with {"team":<team>,"<field>":""
// (the field left empty), and returns the JSON before and after the empty
// field value. A script then puts an id it assigns between the two, so the
// id is known only inside Redis and the create stays one atomic script.
func splitID(v any, team, field string) (pre, suf string, err error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", "", err
	}
	tj, err := json.Marshal(team)
	if err != nil {
		return "", "", err
	}
	head := `{"team":` + string(tj) + `,"` + field + `":"`
	if len(js) < len(head)+1 || string(js[:len(head)]) != head || js[len(head)] != '"' {
		return "", "", fmt.Errorf("unexpected JSON layout of %T", v)
	}
	return head, string(js[len(head):]), nil
}

// unixMs is the index score of t: milliseconds, rounded down (also before
// 1970), so that score < ms(t) implies time < t.
func unixMs(t time.Time) int64 { return t.UnixMilli() }

func openFlag(d *coach.Deal) string {
	if d.Open() {
		return "1"
	}
	return "0"
}

var createDealScript = goredis.NewScript(nameIndexLua + `
local n = redis.call('INCR', KEYS[1])
local id = 'D-' .. n
local dk = ARGV[1] .. 'deal:' .. id
-- Only if the counter was lost: never overwrite a deal. The counter has
-- moved on, so the next create gets a free number.
if redis.call('EXISTS', dk) == 1 then return 0 end
redis.call('HSET', dk, 'v', '1', 'd', ARGV[2] .. id .. ARGV[3])
redis.call('ZADD', KEYS[2], n, id)
nameIndex(id, n == 1) -- name index (nameindex.go)
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[5], id)
end
local hk = ARGV[1] .. 'hist:' .. id
local evs = {}
for i = 6, #ARGV, 2 do
  evs[#evs + 1] = ARGV[i] .. id .. ARGV[i + 1]
  redis.call('RPUSH', hk, evs[#evs])
end
` + outboxLua("create", "ARGV[2] .. id .. ARGV[3]", "evs") + `
return n
`)

// CreateDeal assigns the next D-<n> of d.Team, sets d.Version to 1 and
// stores d, its events (Team and Deal filled in) and its index entry in
// one script: one round trip. Errors: coach.ErrConflict if the team's
// counter was lost and the number is taken (the next call gets a free one).
func (s *Store) CreateDeal(ctx context.Context, d *coach.Deal, events []coach.Event) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	c := d.Clone()
	c.ID, c.Version = "", 1
	pre, suf, err := splitID(c, c.Team, "id")
	if err != nil {
		return fmt.Errorf("redis: encode deal: %w", err)
	}
	k := s.team(c.Team)
	args := make([]any, 0, 5+2*len(events))
	args = append(args, k.tp, pre, suf, openFlag(c), unixMs(c.LastProgressAt))
	args = append(args, nameIndexArg(k, "", c)) // the name index's, found by its marker (nameindex.go)
	for _, e := range events {
		e.Team, e.Deal = c.Team, ""
		ep, es, err := splitID(e, c.Team, "deal")
		if err != nil {
			return fmt.Errorf("redis: encode event: %w", err)
		}
		args = append(args, ep, es)
	}
	n, err := createDealScript.Run(ctx, s.c, append([]string{k.seq(), k.deals(), k.progress()}, k.outboxKeys()...), args...).Int64()
	if err == nil && n == 0 {
		err = fmt.Errorf("numbering counter behind stored deals: %w", coach.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("redis: create deal in team %q: %w", d.Team, err)
	}
	d.ID = "D-" + strconv.FormatInt(n, 10)
	d.Version = 1
	for i := range events {
		events[i].Team, events[i].Deal = d.Team, d.ID
	}
	return nil
}

// decodeVersioned decodes the d field of a versioned hash into v and
// returns the v field.
func decodeVersioned(vals []any, into any) (int64, error) {
	if len(vals) != 2 || vals[0] == nil || vals[1] == nil {
		return 0, coach.ErrNotFound
	}
	vs, ok1 := vals[0].(string)
	ds, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		return 0, fmt.Errorf("unexpected reply %T %T", vals[0], vals[1])
	}
	v, err := strconv.ParseInt(vs, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad version %q: %w", vs, err)
	}
	if err := json.Unmarshal([]byte(ds), into); err != nil {
		return 0, fmt.Errorf("decode: %w", err)
	}
	return v, nil
}

func decodeDeal(vals []any) (*coach.Deal, error) {
	var d coach.Deal
	v, err := decodeVersioned(vals, &d)
	if err != nil {
		return nil, err
	}
	d.Version = v
	return &d, nil
}

// GetDeal returns the deal, or coach.ErrNotFound. One round trip.
func (s *Store) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	vals, err := s.c.HMGet(ctx, s.team(team).deal(id), "v", "d").Result()
	if err != nil {
		return nil, fmt.Errorf("redis: deal %s/%s: %w", team, id, err)
	}
	d, err := decodeDeal(vals)
	if err != nil {
		return nil, fmt.Errorf("redis: deal %s/%s: %w", team, id, err)
	}
	return d, nil
}

var updateDealScript = goredis.NewScript(nameIndexLua + `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
-- ARGV[7] is the update's request token (coach.UpdateToken); field t
-- keeps the tokens of the deal's last 256 writes. Finding it is finding
-- this very update already applied (its reply was lost, or the delivery
-- ran again): success, nothing written twice. Equal bytes are not a
-- retry: two identical commands are two tokens and two events.
local t = redis.call('HGET', KEYS[1], 't') or ''
if string.find(t, ' ' .. ARGV[7] .. ' ', 1, true) then return 2 end
-- A read-back (checkUpdate) gave up on this token and told the caller it
-- was not applied: it must never land afterwards (f: recent fences).
if string.find(redis.call('HGET', KEYS[1], 'f') or '', ' ' .. ARGV[7] .. ' ', 1, true) then return -3 end
if v ~= ARGV[1] then return -2 end
local keep, n = {ARGV[7]}, 1
for tok in string.gmatch(t, '%S+') do
  if n >= 256 then break end
  n = n + 1
  keep[n] = tok
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3], 't', ' ' .. table.concat(keep, ' ') .. ' ')
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6])
else
  redis.call('ZREM', KEYS[3], ARGV[6])
end
for i = 8, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
nameIndex(nil, false) -- name index (nameindex.go)
` + outboxLua("update", "ARGV[3]", "{unpack(ARGV, 8)}") + `
return 1
`)

// UpdateDeal stores d if the stored version equals d.Version, appends the
// events and moves the index entry in one script (one round trip); d.Version
// is then the new version. The update's request token (coach.UpdateToken)
// is stored with the deal: a repeat of the same token is reported applied
// without a second write, and when the reply is lost after sending, the
// token is read back (checkUpdate) so the caller learns what happened.
// Errors: coach.ErrNotFound, coach.ErrConflict, coach.ErrOutcomeUnknown
// (sent, and the read-back failed too).
func (s *Store) UpdateDeal(ctx context.Context, d *coach.Deal, events []coach.Event) error {
	tok := strings.ReplaceAll(coach.UpdateToken(ctx), " ", "_") // tokens are space-separated in the deal
	octx := ctx
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	c := d.Clone()
	c.Version = d.Version + 1
	js, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("redis: encode deal: %w", err)
	}
	k := s.team(c.Team)
	args := make([]any, 0, 7+len(events))
	args = append(args, strconv.FormatInt(d.Version, 10), strconv.FormatInt(c.Version, 10), js,
		openFlag(c), unixMs(c.LastProgressAt), c.ID, "")
	args = append(args, nameIndexArg(k, c.ID, c)) // the name index's, found by its marker (nameindex.go)
	for _, e := range events {
		e.Team, e.Deal = c.Team, c.ID
		ej, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("redis: encode event: %w", err)
		}
		args = append(args, ej)
	}
	var r int64
	for range 4 {
		args[6] = tok
		r, err = updateDealScript.Run(ctx, s.c, append([]string{k.deal(c.ID), k.hist(c.ID), k.progress()}, k.outboxKeys()...), args...).Int64()
		if err != nil && maybeSent(err) {
			r, err = s.checkUpdate(octx, k.deal(c.ID), tok, err)
		}
		if err != nil || r != -3 {
			break
		}
		// An earlier attempt with this token was reported not applied and
		// fenced (so its lost original can never land): this attempt is a
		// new one. A derived token keeps a re-run of it idempotent too.
		tok += "'"
	}
	if err == nil {
		switch r {
		case -1:
			err = coach.ErrNotFound
		case -2:
			err = coach.ErrConflict
		case -3:
			err = errors.New("given up after a lost reply")
		case 2:
			// Applied before: report the version it produced (or a later one).
			if v, verr := s.c.HGet(ctx, k.deal(c.ID), "v").Int64(); verr == nil {
				c.Version = v
			}
		}
	}
	if err != nil {
		return fmt.Errorf("redis: update deal %s/%s: %w", d.Team, d.ID, err)
	}
	d.Version = c.Version
	return nil
}

// fetchDeals reads the deals of ids with one pipeline; deals that vanished
// meanwhile are skipped.
// fetchBatch is how many deals one pipeline of fetchDeals reads.
const fetchBatch = 500

func (s *Store) fetchDeals(ctx context.Context, k keys, ids []string) ([]*coach.Deal, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*goredis.SliceCmd, len(ids))
	// One pipeline per fetchBatch deals: the client's read timeout bounds
	// the reading of a whole pipeline's replies, and a large team's deals
	// would not fit in it.
	for lo := 0; lo < len(ids); lo += fetchBatch {
		hi := min(lo+fetchBatch, len(ids))
		_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for i := lo; i < hi; i++ {
				cmds[i] = p.HMGet(ctx, k.deal(ids[i]), "v", "d")
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]*coach.Deal, 0, len(ids))
	for _, cmd := range cmds {
		d, err := decodeDeal(cmd.Val())
		if errors.Is(err, coach.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// ListDeals returns the team's deals ordered by number. Two round trips.
func (s *Store) ListDeals(ctx context.Context, team string) ([]*coach.Deal, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	ids, err := s.c.ZRange(ctx, k.deals(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: list deals of %q: %w", team, err)
	}
	ds, err := s.fetchDeals(ctx, k, ids)
	if err != nil {
		return nil, fmt.Errorf("redis: list deals of %q: %w", team, err)
	}
	return ds, nil
}

// progressScript returns the ids of the progress index that may be before
// ARGV[1] (unix ms): every entry scored below it (at most ARGV[2] when > 0)
// and then every entry sharing the last score taken: a full page may end
// inside a millisecond whose entries are ordered by id, not by time. When
// the page is not full, the entries of ARGV[1]'s own millisecond follow.
// Ids may repeat.
var progressScript = goredis.NewScript(`
local limit = tonumber(ARGV[2])
local out
if limit > 0 then
  out = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES', 'LIMIT', 0, limit)
else
  out = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES')
end
local ids = {}
for i = 1, #out, 2 do ids[#ids + 1] = out[i] end
local more
if limit > 0 and #ids == limit then
  more = redis.call('ZRANGEBYSCORE', KEYS[1], out[#out], out[#out])
else
  more = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
end
for i = 1, #more do ids[#ids + 1] = more[i] end
return ids
`)

// ProgressBefore reads the team's progress index (scored in milliseconds),
// then the deals, and orders and bounds them by their exact
// LastProgressAt. Two round trips.
func (s *Store) ProgressBefore(ctx context.Context, team string, t time.Time, limit int) ([]*coach.Deal, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	if limit < 0 {
		limit = 0
	}
	raw, err := progressScript.Run(ctx, s.c, []string{k.progress()}, unixMs(t), limit).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redis: deals of %q before %s: %w", team, t, err)
	}
	ids := raw[:0]
	seen := make(map[string]bool, len(raw))
	for _, id := range raw {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	ds, err := s.fetchDeals(ctx, k, ids)
	if err != nil {
		return nil, fmt.Errorf("redis: deals of %q before %s: %w", team, t, err)
	}
	// Re-check: entries in t's millisecond may be later than t, and a deal
	// may have changed between the two round trips.
	out := ds[:0]
	for _, d := range ds {
		if d.Open() && d.LastProgressAt.Before(t) {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastProgressAt.Before(out[j].LastProgressAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// History returns the deal's events oldest first, the newest limit of them
// when limit > 0. An unknown deal has no events. One round trip.
func (s *Store) History(ctx context.Context, team, id string, limit int) ([]coach.Event, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	start := int64(0)
	if limit > 0 {
		start = -int64(limit)
	}
	raw, err := s.c.LRange(ctx, s.team(team).hist(id), start, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: history of %s/%s: %w", team, id, err)
	}
	out := make([]coach.Event, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal([]byte(r), &out[i]); err != nil {
			return nil, fmt.Errorf("redis: history of %s/%s: decode: %w", team, id, err)
		}
	}
	return out, nil
}

// GetTeam returns the team, or coach.ErrNotFound.
func (s *Store) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	vals, err := s.c.HMGet(ctx, s.team(id).teamRec(), "v", "d").Result()
	if err != nil {
		return nil, fmt.Errorf("redis: team %q: %w", id, err)
	}
	var t coach.Team
	v, err := decodeVersioned(vals, &t)
	if err != nil {
		return nil, fmt.Errorf("redis: team %q: %w", id, err)
	}
	t.Version = v
	return &t, nil
}

var putTeamScript = goredis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v') or '0'
if v ~= ARGV[1] then
  if v == '0' then return -1 end
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
return 1
`)

// PutTeam creates (t.Version 0) or updates (t.Version = stored version) the
// team, then adds it to the set of teams. Errors: coach.ErrConflict.
func (s *Store) PutTeam(ctx context.Context, t *coach.Team) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	c := *t
	c.Version = t.Version + 1
	js, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("redis: encode team %q: %w", t.ID, err)
	}
	r, err := putTeamScript.Run(ctx, s.c, []string{s.team(t.ID).teamRec()},
		strconv.FormatInt(t.Version, 10), strconv.FormatInt(c.Version, 10), js).Int64()
	if err != nil {
		return fmt.Errorf("redis: put team %q: %w", t.ID, err)
	}
	if r >= 0 {
		// The team exists now: make sure Teams lists it. The set is in
		// another slot, so this is a separate, idempotent command; a
		// conflict still adds, which repairs a PutTeam that failed here.
		if err := s.c.SAdd(ctx, s.teamsKey(), t.ID).Err(); err != nil {
			return fmt.Errorf("redis: put team %q: add to teams: %w", t.ID, err)
		}
	}
	if r != 1 {
		return fmt.Errorf("redis: put team %q: %w", t.ID, coach.ErrConflict)
	}
	t.Version = c.Version
	return nil
}

// Teams lists the ids of all teams stored with PutTeam.
func (s *Store) Teams(ctx context.Context) ([]string, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ids, err := s.c.SMembers(ctx, s.teamsKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: teams: %w", err)
	}
	return ids, nil
}

var createCaseScript = goredis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local id = 'C-' .. n
local ck = ARGV[1] .. 'case:' .. id
if redis.call('EXISTS', ck) == 1 then return 0 end
redis.call('SET', ck, ARGV[2] .. id .. ARGV[3])
redis.call('ZADD', KEYS[2], n, id)
return n
`)

// CreateCase assigns the next C-<n> of c.Team and stores the case.
// Errors: coach.ErrConflict as for CreateDeal.
func (s *Store) CreateCase(ctx context.Context, c *coach.Case) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	cc := *c
	cc.ID = ""
	pre, suf, err := splitID(&cc, c.Team, "id")
	if err != nil {
		return fmt.Errorf("redis: encode case: %w", err)
	}
	k := s.team(c.Team)
	n, err := createCaseScript.Run(ctx, s.c, []string{k.caseSeq(), k.cases()}, k.tp, pre, suf).Int64()
	if err == nil && n == 0 {
		err = fmt.Errorf("numbering counter behind stored cases: %w", coach.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("redis: create case in team %q: %w", c.Team, err)
	}
	c.ID = "C-" + strconv.FormatInt(n, 10)
	return nil
}

// ListCases returns the team's cases ordered by number. Two round trips.
func (s *Store) ListCases(ctx context.Context, team string) ([]*coach.Case, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	ids, err := s.c.ZRange(ctx, k.cases(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: list cases of %q: %w", team, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ks := make([]string, len(ids))
	for i, id := range ids {
		ks[i] = k.caseRec(id)
	}
	vals, err := s.c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: list cases of %q: %w", team, err)
	}
	out := make([]*coach.Case, 0, len(vals))
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue // deleted meanwhile
		}
		var c coach.Case
		if err := json.Unmarshal([]byte(str), &c); err != nil {
			return nil, fmt.Errorf("redis: list cases of %q: decode: %w", team, err)
		}
		out = append(out, &c)
	}
	return out, nil
}

// DeleteCase removes the case. Errors: coach.ErrNotFound.
func (s *Store) DeleteCase(ctx context.Context, team, id string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	var del *goredis.IntCmd
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		del = p.Del(ctx, k.caseRec(id))
		p.ZRem(ctx, k.cases(), id)
		return nil
	})
	if err == nil && del.Val() == 0 {
		err = coach.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("redis: delete case %s/%s: %w", team, id, err)
	}
	return nil
}

// ttlMs converts a ttl to whole milliseconds, at least 1.
func ttlMs(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("ttl %v: must be positive", ttl)
	}
	ms := (ttl + time.Millisecond - 1) / time.Millisecond
	return int64(ms), nil
}

var putSessionScript = goredis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
`)

// PutSession stores the session until ttl (positive) from now and lists it
// under its user. One round trip.
func (s *Store) PutSession(ctx context.Context, sess *coach.Session, ttl time.Duration) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ms, err := ttlMs(ttl)
	if err != nil {
		return fmt.Errorf("redis: put session: %w", err)
	}
	js, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("redis: encode session: %w", err)
	}
	k := s.team(sess.Team)
	err = putSessionScript.Run(ctx, s.c, []string{k.session(sess.User, sess.Deal), k.sessions(sess.User)},
		js, ms, unixMs(sess.UpdatedAt), sess.Deal).Err()
	if err != nil {
		return fmt.Errorf("redis: put session %s/%s/%s: %w", sess.Team, sess.User, sess.Deal, err)
	}
	return nil
}

// GetSession returns the live session, or coach.ErrNotFound.
func (s *Store) GetSession(ctx context.Context, team, user, deal string) (*coach.Session, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	js, err := s.c.Get(ctx, s.team(team).session(user, deal)).Bytes()
	if errors.Is(err, goredis.Nil) {
		err = coach.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redis: session %s/%s/%s: %w", team, user, deal, err)
	}
	var out coach.Session
	if err := json.Unmarshal(js, &out); err != nil {
		return nil, fmt.Errorf("redis: session %s/%s/%s: decode: %w", team, user, deal, err)
	}
	return &out, nil
}

// dropSessionsScript removes listed members whose session key is gone;
// checking inside the script keeps a session put meanwhile listed.
var dropSessionsScript = goredis.NewScript(`
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('ZREM', KEYS[1], ARGV[i - 1])
  end
end
return 1
`)

// Sessions lists the user's live sessions, most recently updated first,
// and drops expired ones from the user's list.
func (s *Store) Sessions(ctx context.Context, team, user string) ([]*coach.Session, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	deals, err := s.c.ZRevRange(ctx, k.sessions(user), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: sessions of %s/%s: %w", team, user, err)
	}
	if len(deals) == 0 {
		return nil, nil
	}
	ks := make([]string, len(deals))
	for i, d := range deals {
		ks[i] = k.session(user, d)
	}
	vals, err := s.c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: sessions of %s/%s: %w", team, user, err)
	}
	var out []*coach.Session
	staleKeys := []string{k.sessions(user)}
	var staleDeals []any
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			staleKeys = append(staleKeys, ks[i])
			staleDeals = append(staleDeals, deals[i])
			continue
		}
		var sess coach.Session
		if err := json.Unmarshal([]byte(str), &sess); err != nil {
			return nil, fmt.Errorf("redis: sessions of %s/%s: decode: %w", team, user, err)
		}
		out = append(out, &sess)
	}
	if len(staleDeals) > 0 {
		if err := dropSessionsScript.Run(ctx, s.c, staleKeys, staleDeals...).Err(); err != nil {
			return nil, fmt.Errorf("redis: sessions of %s/%s: drop expired: %w", team, user, err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].Deal < out[j].Deal
	})
	return out, nil
}

// DeleteSession removes the session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, team, user, deal string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Del(ctx, k.session(user, deal))
		p.ZRem(ctx, k.sessions(user), deal)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: delete session %s/%s/%s: %w", team, user, deal, err)
	}
	return nil
}

// SeenEvent records key for ttl (positive) with SET NX PX and reports
// whether it is new. A repeat does not extend the ttl.
func (s *Store) SeenEvent(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ms, err := ttlMs(ttl)
	if err != nil {
		return false, fmt.Errorf("redis: seen event: %w", err)
	}
	first, err := s.c.SetNX(ctx, s.seenKey(key), 1, time.Duration(ms)*time.Millisecond).Result()
	if err != nil {
		return false, fmt.Errorf("redis: seen event %q: %w", key, err)
	}
	return first, nil
}

// ForgetEvent removes a key recorded by SeenEvent.
func (s *Store) ForgetEvent(ctx context.Context, key string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := s.c.Del(ctx, s.seenKey(key)).Err(); err != nil {
		return fmt.Errorf("redis: forget event %q: %w", key, err)
	}
	return nil
}

var unlockScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// TryLock takes the named lock for ttl (positive) with SET NX PX and a
// random token. release deletes the lock only if it still holds the token.
func (s *Store) TryLock(ctx context.Context, name string, ttl time.Duration) (func(context.Context) error, bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ms, err := ttlMs(ttl)
	if err != nil {
		return nil, false, fmt.Errorf("redis: lock %q: %w", name, err)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, false, fmt.Errorf("redis: lock %q: token: %w", name, err)
	}
	tok := hex.EncodeToString(b[:])
	key := s.lockKey(name)
	ok, err := s.c.SetNX(ctx, key, tok, time.Duration(ms)*time.Millisecond).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redis: lock %q: %w", name, err)
	}
	if !ok {
		return nil, false, nil
	}
	release := func(ctx context.Context) error {
		ctx, cancel := s.ctx(ctx)
		defer cancel()
		if err := unlockScript.Run(ctx, s.c, []string{key}, tok).Err(); err != nil {
			return fmt.Errorf("redis: unlock %q: %w", name, err)
		}
		return nil
	}
	return release, true, nil
}
