package redis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// The name index (coach.NameIndexStore), all in the team's slot:
//
//	P:{team}:nidx      zset, every score 0: "<normalised key>\x00<deal id>"
//	                   for the name and the customer of every deal
//	P:{team}:nidx:of   hash  deal id → its members, joined by "\n"
//	P:{team}:nidx:ok   string: the index holds every deal of the team
//	                   (deals stored before the index existed are added
//	                   once, on the first lookup)
//
// CreateDeal and UpdateDeal keep it in step inside their own scripts (the
// nameIndex Lua function below, called once in each), so a deal and its
// index entries change together or not at all.

func (k keys) nidx() string   { return k.tp + "nidx" }
func (k keys) nidxOf() string { return k.tp + "nidx:of" }
func (k keys) nidxOK() string { return k.tp + "nidx:ok" }

// nameIndexArg is the argument the deal scripts pass to nameIndex: the
// deal's normalised keys, one per line (they hold no newline).
func nameIndexArg(d *coach.Deal) string { return strings.Join(coach.NameKeys(d), "\n") }

// nameIndexLua defines nameIndex(zset, ofHash, id, keys): it replaces the
// deal's members of the index by those of keys (see nameIndexArg). The
// deal scripts start with it.
const nameIndexLua = `
local function nameIndex(zkey, ofkey, id, keys)
  local want = {}
  for k in string.gmatch(keys, '[^\n]+') do want[#want + 1] = k .. '\0' .. id end
  local joined = table.concat(want, '\n')
  local old = redis.call('HGET', ofkey, id)
  if old == joined then return end
  if old then
    for m in string.gmatch(old, '[^\n]+') do redis.call('ZREM', zkey, m) end
  end
  for _, m in ipairs(want) do redis.call('ZADD', zkey, 0, m) end
  if #want > 0 then redis.call('HSET', ofkey, id, joined) else redis.call('HDEL', ofkey, id) end
end
`

// prefixScript: KEYS nidx, nidx:ok; ARGV normalised prefix, deal key
// prefix (k.tp), limit (deals; <= 0 all). It returns false when the index
// is not built yet, else id, v, d of each matching deal, at most limit
// deals in the order of their first matching member.
var prefixScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local limit = tonumber(ARGV[3])
local count = -1
if limit > 0 then count = 2 * limit end
local ms = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1], '(' .. ARGV[1] .. '\255', 'LIMIT', 0, count)
local out, seen, n = {}, {}, 0
for _, m in ipairs(ms) do
  local id = string.match(m, '%z(.*)$')
  if id and not seen[id] then
    seen[id] = true
    local vd = redis.call('HMGET', ARGV[2] .. 'deal:' .. id, 'v', 'd')
    if vd[1] then
      out[#out + 1] = id
      out[#out + 1] = vd[1]
      out[#out + 1] = vd[2]
      n = n + 1
      if limit > 0 and n >= limit then break end
    end
  end
end
return out
`)

// buildIndexScript: KEYS nidx, nidx:of, nidx:ok; ARGV pairs of deal id and
// nameIndexArg. Deals that already have entries were written since the
// index existed and are left alone (their entries are newer than the
// listing the pairs come from).
var buildIndexScript = goredis.NewScript(nameIndexLua + `
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then
    nameIndex(KEYS[1], KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
redis.call('SET', KEYS[3], '1')
return 1
`)

// PrefixDeals returns the team's deals whose normalised name or customer
// starts with the normalised prefix: one round trip (one script reads the
// index and the matching deals), plus a one-off build of the index for a
// team whose deals predate it.
func (s *Store) PrefixDeals(ctx context.Context, team, prefix string, limit int) ([]*coach.Deal, error) {
	p := coach.NormalizeName(prefix)
	if p == "" {
		return nil, nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	for attempt := 0; ; attempt++ {
		raw, err := prefixScript.Run(ctx, s.c, []string{k.nidx(), k.nidxOK()}, p, k.tp, limit).Slice()
		if err == goredis.Nil && attempt == 0 {
			if err := s.buildNameIndex(ctx, team, k); err != nil {
				return nil, fmt.Errorf("redis: build name index of %q: %w", team, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("redis: deals of %q by name %q: %w", team, prefix, err)
		}
		out := make([]*coach.Deal, 0, len(raw)/3)
		for i := 0; i+2 < len(raw); i += 3 {
			d, err := decodeDeal(raw[i+1 : i+3])
			if err != nil {
				return nil, fmt.Errorf("redis: deal %s/%v: %w", team, raw[i], err)
			}
			out = append(out, d)
		}
		sortByNumber(out)
		return out, nil
	}
}

// buildNameIndex adds the deals stored before the index existed.
func (s *Store) buildNameIndex(ctx context.Context, team string, k keys) error {
	ds, err := s.ListDeals(ctx, team)
	if err != nil {
		return err
	}
	args := make([]any, 0, 2*len(ds))
	for _, d := range ds {
		args = append(args, d.ID, nameIndexArg(d))
	}
	return buildIndexScript.Run(ctx, s.c, []string{k.nidx(), k.nidxOf(), k.nidxOK()}, args...).Err()
}

func sortByNumber(ds []*coach.Deal) {
	slices.SortStableFunc(ds, func(a, b *coach.Deal) int { return coach.DealNumber(a.ID) - coach.DealNumber(b.ID) })
}
