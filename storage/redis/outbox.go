package redis

// The mirror outbox (coach.OutboxStore). Keys, all in the team's slot:
//
//	P:{team}:obsubs          hash   target → last acknowledged seq (the subscribers)
//	P:{team}:obseq           counter of outbox entries
//	P:{team}:outbox          zset   entry JSON scored by its seq
//	P:{team}:oblease:target  string holder, with a ttl (the target's lease)
//	P:{team}:mref:scope      hash   key → value (mirror bookkeeping)
//
// The create and update scripts end with outboxLua, so a stored change is
// queued in the same script: atomically, and in the same slot.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

func (k keys) obsubs() string               { return k.tp + "obsubs" }
func (k keys) obseq() string                { return k.tp + "obseq" }
func (k keys) outbox() string               { return k.tp + "outbox" }
func (k keys) oblease(target string) string { return k.tp + "oblease:" + esc(target) }
func (k keys) mref(scope string) string     { return k.tp + "mref:" + esc(scope) }
func (k keys) outboxKeys() []string         { return []string{k.obsubs(), k.obseq(), k.outbox()} }

// outboxLua is the block the deal write scripts end with: while the team
// has subscribers (KEYS[4]), it appends one entry to the outbox (KEYS[6])
// numbered by KEYS[5]. deal is a Lua expression for the deal JSON, events
// one for a table of event JSONs. The entry has the shape of wireEntry.
func outboxLua(kind, deal, events string) string {
	return `-- Mirror outbox (outbox.go): queue this change in the same script.
if redis.call('EXISTS', KEYS[4]) == 1 then
  local oseq = redis.call('INCR', KEYS[5])
  local oevs = ` + events + `
  redis.call('ZADD', KEYS[6], oseq, '{"seq":' .. oseq .. ',"kind":"` + kind + `","deal":' .. ` + deal + ` .. ',"events":[' .. table.concat(oevs, ',') .. ']}')
end`
}

// wireEntry is the stored form of an outbox entry.
type wireEntry struct {
	Seq    int64             `json:"seq"`
	Kind   string            `json:"kind"`
	Target string            `json:"target,omitempty"`
	AtMs   int64             `json:"at_ms,omitempty"`
	Deal   json.RawMessage   `json:"deal"`
	Events []json.RawMessage `json:"events,omitempty"`
}

func decodeEntry(team, v string) (coach.OutboxEntry, error) {
	var w wireEntry
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return coach.OutboxEntry{}, fmt.Errorf("decode outbox entry: %w", err)
	}
	e := coach.OutboxEntry{Seq: w.Seq, Team: team, Kind: w.Kind, Target: w.Target, Deal: new(coach.Deal)}
	if err := json.Unmarshal(w.Deal, e.Deal); err != nil {
		return coach.OutboxEntry{}, fmt.Errorf("decode outbox deal: %w", err)
	}
	for _, raw := range w.Events {
		var ev coach.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return coach.OutboxEntry{}, fmt.Errorf("decode outbox event: %w", err)
		}
		e.Events = append(e.Events, ev)
	}
	e.At = e.Deal.UpdatedAt
	if w.AtMs != 0 {
		e.At = time.UnixMilli(w.AtMs).UTC()
	}
	return e, nil
}

// trimLua removes the entries every subscriber (KEYS[1]) has acknowledged
// from the outbox (KEYS[3]); all of them when nobody is subscribed.
const trimLua = `
local curs = redis.call('HVALS', KEYS[1])
if #curs == 0 then
  redis.call('DEL', KEYS[3])
else
  local m = tonumber(curs[1])
  for i = 2, #curs do m = math.min(m, tonumber(curs[i])) end
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', m)
end
`

var subscribeScript = goredis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], redis.call('GET', KEYS[2]) or '0')
return 1
`)

// SubscribeOutbox implements coach.OutboxStore.
func (s *Store) SubscribeOutbox(ctx context.Context, team, target string) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	r, err := subscribeScript.Run(ctx, s.c, []string{k.obsubs(), k.obseq()}, target).Int64()
	if err != nil {
		return false, fmt.Errorf("redis: subscribe %q to outbox of %q: %w", target, team, err)
	}
	return r == 1, nil
}

var unsubscribeScript = goredis.NewScript(`
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
` + trimLua + `
return 1
`)

// UnsubscribeOutbox implements coach.OutboxStore.
func (s *Store) UnsubscribeOutbox(ctx context.Context, team, target string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	if err := unsubscribeScript.Run(ctx, s.c, []string{k.obsubs(), k.oblease(target), k.outbox()}, target).Err(); err != nil {
		return fmt.Errorf("redis: unsubscribe %q from outbox of %q: %w", target, team, err)
	}
	return nil
}

// OutboxTargets implements coach.OutboxStore.
func (s *Store) OutboxTargets(ctx context.Context, team string) ([]string, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ts, err := s.c.HKeys(ctx, s.team(team).obsubs()).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: outbox targets of %q: %w", team, err)
	}
	return ts, nil
}

// claimScript: {-1} not subscribed, {0} another holder's lease is live,
// else {1, entry…}.
var claimScript = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return {-1} end
local h = redis.call('GET', KEYS[2])
if h and h ~= ARGV[2] then return {0} end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
local es = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. cur, '+inf', 'LIMIT', 0, tonumber(ARGV[4]))
table.insert(es, 1, 1)
return es
`)

// ClaimOutbox implements coach.OutboxStore. One round trip.
func (s *Store) ClaimOutbox(ctx context.Context, team, target, holder string, ttl time.Duration, limit int) ([]coach.OutboxEntry, bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ms, err := ttlMs(ttl)
	if err != nil {
		return nil, false, fmt.Errorf("redis: claim outbox: %w", err)
	}
	if limit <= 0 {
		limit = 100
	}
	k := s.team(team)
	raw, err := claimScript.Run(ctx, s.c, []string{k.obsubs(), k.oblease(target), k.outbox()}, target, holder, ms, limit).Slice()
	if err == nil && len(raw) == 0 {
		err = errors.New("empty reply")
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis: claim outbox of %q for %q: %w", team, target, err)
	}
	switch raw[0] {
	case int64(-1):
		return nil, false, fmt.Errorf("redis: claim outbox of %q for %q: %w", team, target, coach.ErrNotFound)
	case int64(0):
		return nil, false, nil
	}
	out := make([]coach.OutboxEntry, 0, len(raw)-1)
	for _, r := range raw[1:] {
		str, ok := r.(string)
		if !ok {
			return nil, false, fmt.Errorf("redis: claim outbox of %q: unexpected reply %T", team, r)
		}
		e, err := decodeEntry(team, str)
		if err != nil {
			return nil, false, fmt.Errorf("redis: claim outbox of %q: %w", team, err)
		}
		out = append(out, e)
	}
	return out, true, nil
}

var ackScript = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
if tonumber(ARGV[3]) <= tonumber(cur) then return 1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
` + trimLua + `
return 1
`)

// AckOutbox implements coach.OutboxStore. One round trip.
func (s *Store) AckOutbox(ctx context.Context, team, target, holder string, seq int64) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	r, err := ackScript.Run(ctx, s.c, []string{k.obsubs(), k.oblease(target), k.outbox()}, target, holder, seq).Int64()
	if err == nil && r == 0 {
		err = coach.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("redis: ack outbox of %q for %q: %w", team, target, err)
	}
	return nil
}

// ReleaseOutbox implements coach.OutboxStore.
func (s *Store) ReleaseOutbox(ctx context.Context, team, target, holder string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := unlockScript.Run(ctx, s.c, []string{s.team(team).oblease(target)}, holder).Err(); err != nil {
		return fmt.Errorf("redis: release outbox of %q for %q: %w", team, target, err)
	}
	return nil
}

// statsScript: {-1} not subscribed, else {depth, oldest entry or false}.
var statsScript = goredis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return {-1} end
local n = redis.call('ZCOUNT', KEYS[2], '(' .. cur, '+inf')
local first = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. cur, '+inf', 'LIMIT', 0, 1)
return {n, first[1] or false}
`)

// OutboxStats implements coach.OutboxStore. One round trip.
func (s *Store) OutboxStats(ctx context.Context, team, target string) (coach.OutboxStats, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	raw, err := statsScript.Run(ctx, s.c, []string{k.obsubs(), k.outbox()}, target).Slice()
	if err == nil && len(raw) == 0 {
		err = errors.New("empty reply")
	}
	if err != nil {
		return coach.OutboxStats{}, fmt.Errorf("redis: outbox stats of %q for %q: %w", team, target, err)
	}
	n, _ := raw[0].(int64)
	if n < 0 {
		return coach.OutboxStats{}, fmt.Errorf("redis: outbox stats of %q for %q: %w", team, target, coach.ErrNotFound)
	}
	st := coach.OutboxStats{Depth: int(n)}
	if len(raw) > 1 {
		if str, ok := raw[1].(string); ok {
			e, err := decodeEntry(team, str)
			if err != nil {
				return coach.OutboxStats{}, fmt.Errorf("redis: outbox stats of %q: %w", team, err)
			}
			st.Oldest = e.At
		}
	}
	return st, nil
}

// resyncPage is how many deals one resync script queues.
const resyncPage = 500

// resyncScript queues the current state of the deals ARGV[3]..ARGV[4]
// (ranks in the deals zset) and returns how many it read; -1 when the team
// has no subscribers. ARGV[2] is the entry JSON between the seq and the
// deal ('"kind":…,"deal":').
var resyncScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local ids = redis.call('ZRANGE', KEYS[4], ARGV[3], ARGV[4])
for _, id in ipairs(ids) do
  local d = redis.call('HGET', ARGV[1] .. 'deal:' .. id, 'd')
  if d then
    local oseq = redis.call('INCR', KEYS[2])
    redis.call('ZADD', KEYS[3], oseq, '{"seq":' .. oseq .. ',' .. ARGV[2] .. d .. '}')
  end
end
return #ids
`)

// EnqueueResync implements coach.OutboxStore: one script per page of
// resyncPage deals, each reading and queuing its deals atomically.
func (s *Store) EnqueueResync(ctx context.Context, team, target string, at time.Time) (int, error) {
	k := s.team(team)
	tj, err := json.Marshal(target)
	if err != nil {
		return 0, err
	}
	var mid strings.Builder
	mid.WriteString(`"kind":"` + coach.OutboxResync + `"`)
	if target != "" {
		mid.WriteString(`,"target":` + string(tj))
	}
	mid.WriteString(`,"at_ms":` + strconv.FormatInt(at.UnixMilli(), 10) + `,"deal":`)
	total := 0
	for off := 0; ; off += resyncPage {
		cctx, cancel := s.ctx(ctx)
		n, err := resyncScript.Run(cctx, s.c, []string{k.obsubs(), k.obseq(), k.outbox(), k.deals()},
			k.tp, mid.String(), off, off+resyncPage-1).Int64()
		cancel()
		if err != nil {
			return total, fmt.Errorf("redis: resync outbox of %q: %w", team, err)
		}
		if n < 0 {
			return 0, nil
		}
		total += int(n)
		if n < resyncPage {
			return total, nil
		}
	}
}

// MirrorRefs implements coach.OutboxStore. One round trip.
func (s *Store) MirrorRefs(ctx context.Context, team, scope string, ks []string) (map[string]string, error) {
	out := make(map[string]string, len(ks))
	if len(ks) == 0 {
		return out, nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	vals, err := s.c.HMGet(ctx, s.team(team).mref(scope), ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: mirror refs of %q: %w", team, err)
	}
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[ks[i]] = str
		}
	}
	return out, nil
}

// PutMirrorRefs implements coach.OutboxStore. One round trip.
func (s *Store) PutMirrorRefs(ctx context.Context, team, scope string, refs map[string]string) error {
	if len(refs) == 0 {
		return nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	key := s.team(team).mref(scope)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		for k, v := range refs {
			if v == "" {
				p.HDel(ctx, key, k)
			} else {
				p.HSet(ctx, key, k, v)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: put mirror refs of %q: %w", team, err)
	}
	return nil
}
