package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stagecoach/stagecoach/coach"
)

// importScript stores a whole team in one script (one slot: every key has
// the team's hash tag), so an import is all or nothing; the name index
// (nameindex.go) is kept in step.
//
// KEYS: team, seq, deals, progress, cseq, cases, then per deal its deal and
// hist keys, then per case its case key.
// ARGV: replace, team version, team JSON, #deals, #cases, the team's key
// prefix, then per deal: id, n, version, JSON, open flag, progress ms, its
// name keys joined by "\n", #events, events…; then per case: id, n, JSON.
// Returns 1, or 0 (nothing written) when, without replace, the team or an
// id exists.
var importScript = goredis.NewScript(nameIndexLua + `
local replace = ARGV[1] == '1'
local nd, nc, tp = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local dealKey = function(i) return KEYS[6 + 2 * i - 1] end
local histKey = function(i) return KEYS[6 + 2 * i] end
local caseKey = function(j) return KEYS[6 + 2 * nd + j] end
if not replace then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  for i = 1, nd do
    if redis.call('EXISTS', dealKey(i)) == 1 then return 0 end
  end
  for j = 1, nc do
    if redis.call('EXISTS', caseKey(j)) == 1 then return 0 end
  end
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
local a = 7
local maxd = tonumber(redis.call('GET', KEYS[2]) or '0')
for i = 1, nd do
  local id, n, v, js, open, ms, nk, ne = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], tonumber(ARGV[a + 7])
  a = a + 8
  redis.call('HSET', dealKey(i), 'v', v, 'd', js)
  redis.call('ZADD', KEYS[3], n, id)
  if open == '1' then
    redis.call('ZADD', KEYS[4], ms, id)
  else
    redis.call('ZREM', KEYS[4], id)
  end
  redis.call('DEL', histKey(i))
  for e = 1, ne do
    redis.call('RPUSH', histKey(i), ARGV[a])
    a = a + 1
  end
  local keys = {}
  for k in string.gmatch(nk, '[^\n]+') do keys[#keys + 1] = k end
  nameIndexSet(tp, id, keys)
  if n > maxd then maxd = n end
end
redis.call('SET', KEYS[2], maxd)
if redis.call('ZCARD', KEYS[3]) == nd then
  redis.call('SET', tp .. 'nidx:ok', '1') -- every deal of the team is indexed
end
local maxc = tonumber(redis.call('GET', KEYS[5]) or '0')
for j = 1, nc do
  local id, n, js = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2]
  a = a + 3
  redis.call('SET', caseKey(j), js)
  redis.call('ZADD', KEYS[6], n, id)
  if n > maxc then maxc = n end
end
redis.call('SET', KEYS[5], maxc)
return 1
`)

// ImportTeam stores a whole team in one script (see coach.ImportStore):
// all or nothing. The team is then added to the set of teams (another
// slot; idempotent, as in PutTeam).
func (s *Store) ImportTeam(ctx context.Context, snap *coach.TeamSnapshot, replace bool) error {
	t := snap.Team
	tjs, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("redis: encode team %q: %w", t.ID, err)
	}
	k := s.team(t.ID)
	keys := []string{k.teamRec(), k.seq(), k.deals(), k.progress(), k.caseSeq(), k.cases()}
	rep := "0"
	if replace {
		rep = "1"
	}
	args := []any{rep, strconv.FormatInt(t.Version, 10), tjs, len(snap.Deals), len(snap.Cases), k.tp}
	for _, d := range snap.Deals {
		n, ok := dealNum(d.ID)
		if !ok || d.Team != t.ID {
			return fmt.Errorf("redis: import: bad deal id %q of team %q", d.ID, d.Team)
		}
		js, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("redis: encode deal: %w", err)
		}
		keys = append(keys, k.deal(d.ID), k.hist(d.ID))
		evs := snap.History[d.ID]
		args = append(args, d.ID, n, strconv.FormatInt(d.Version, 10), js, openFlag(d), unixMs(d.LastProgressAt), strings.Join(coach.NameKeys(d), "\n"), len(evs))
		for _, e := range evs {
			e.Team, e.Deal = t.ID, d.ID
			ej, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("redis: encode event: %w", err)
			}
			args = append(args, ej)
		}
	}
	for _, c := range snap.Cases {
		n, ok := caseNum(c.ID)
		if !ok || c.Team != t.ID {
			return fmt.Errorf("redis: import: bad case id %q of team %q", c.ID, c.Team)
		}
		js, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("redis: encode case: %w", err)
		}
		keys = append(keys, k.caseRec(c.ID))
		args = append(args, c.ID, n, js)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	r, err := importScript.Run(ctx, s.c, keys, args...).Int64()
	if err != nil {
		return fmt.Errorf("redis: import team %q: %w", t.ID, err)
	}
	if r != 1 {
		return fmt.Errorf("redis: import team %q: %w", t.ID, coach.ErrConflict)
	}
	if err := s.c.SAdd(ctx, s.teamsKey(), t.ID).Err(); err != nil {
		return fmt.Errorf("redis: import team %q: add to teams: %w", t.ID, err)
	}
	return nil
}

func dealNum(id string) (int64, bool) { return prefixedNum("D-", id) }
func caseNum(id string) (int64, bool) { return prefixedNum("C-", id) }

// prefixedNum parses the canonical "D-12" form only.
func prefixedNum(prefix, id string) (int64, bool) {
	if len(id) <= len(prefix) || id[:len(prefix)] != prefix {
		return 0, false
	}
	n, err := strconv.ParseInt(id[len(prefix):], 10, 64)
	if err != nil || n <= 0 || prefix+strconv.FormatInt(n, 10) != id {
		return 0, false
	}
	return n, true
}
