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
// CreateDeal and UpdateDeal keep it in step inside their own scripts, so
// a deal and its index entries change together or not at all. To stay
// out of the way of the scripts' other arguments, the index passes one
// argument of its own, anywhere in ARGV, marked by its first bytes
// (nameIndexMark); nameIndexLua takes it out of ARGV before the script
// proper runs, and the script calls nameIndex once, after its checks.
// The index's keys are derived from the team's key prefix inside the
// script (same slot), so it adds no KEYS either.

func (k keys) nidx() string   { return k.tp + "nidx" }
func (k keys) nidxOf() string { return k.tp + "nidx:of" }
func (k keys) nidxOK() string { return k.tp + "nidx:ok" }

// nameIndexMark starts the name index's argument of the deal scripts.
const nameIndexMark = "\x00nidx\n"

// nameIndexArg is that argument: the mark, the team's key prefix, the
// deal id ("-" when the script assigns it) and the deal's normalised keys,
// one per line (none of them holds a newline: esc escapes control bytes,
// NormalizeName folds white space).
func nameIndexArg(k keys, id string, d *coach.Deal) string {
	if id == "" {
		id = "-"
	}
	return nameIndexMark + k.tp + "\n" + id + "\n" + strings.Join(coach.NameKeys(d), "\n")
}

// nameIndexLua starts the deal scripts (and buildIndexScript). It takes
// the index's argument out of ARGV and defines
//
//	nameIndexSet(tp, id, keys)  replace deal id's members by keys (a list)
//	nameIndex(created, first)   the same from the argument; created is the
//	                            id a create script assigned, first marks the
//	                            team's first deal (its index starts complete)
const nameIndexLua = `
local nidx
for i = 1, #ARGV do
  if string.sub(ARGV[i], 1, 6) == '\0nidx\n' then
    nidx = table.remove(ARGV, i)
    break
  end
end
local function nameIndexSet(tp, id, keys)
  local want = {}
  for _, k in ipairs(keys) do want[#want + 1] = k .. '\0' .. id end
  local joined = table.concat(want, '\n')
  local zkey, ofkey = tp .. 'nidx', tp .. 'nidx:of'
  local old = redis.call('HGET', ofkey, id)
  if old == joined then return end
  if old then
    for m in string.gmatch(old, '[^\n]+') do redis.call('ZREM', zkey, m) end
  end
  for _, m in ipairs(want) do redis.call('ZADD', zkey, 0, m) end
  if #want > 0 then redis.call('HSET', ofkey, id, joined) else redis.call('HDEL', ofkey, id) end
end
local function nameIndex(created, first)
  if not nidx then return end
  local f = {}
  for p in string.gmatch(string.sub(nidx, 7), '[^\n]+') do f[#f + 1] = p end
  local keys = {}
  for i = 3, #f do keys[#keys + 1] = f[i] end
  nameIndexSet(f[1], created or f[2], keys)
  if first then redis.call('SET', f[1] .. 'nidx:ok', '1') end
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

// buildIndexScript: KEYS nidx:of, nidx:ok; ARGV the team's key prefix,
// then for each deal its id and its normalised keys joined by "\n". Deals
// that already have entries were written since the index existed and are
// left alone (their entries are newer than the listing the pairs come
// from).
var buildIndexScript = goredis.NewScript(nameIndexLua + `
for i = 2, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then
    local keys = {}
    for k in string.gmatch(ARGV[i + 1], '[^\n]+') do keys[#keys + 1] = k end
    nameIndexSet(ARGV[1], ARGV[i], keys)
  end
end
redis.call('SET', KEYS[2], '1')
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
	args := make([]any, 0, 1+2*len(ds))
	args = append(args, k.tp)
	for _, d := range ds {
		args = append(args, d.ID, strings.Join(coach.NameKeys(d), "\n"))
	}
	return buildIndexScript.Run(ctx, s.c, []string{k.nidxOf(), k.nidxOK()}, args...).Err()
}

func sortByNumber(ds []*coach.Deal) {
	slices.SortStableFunc(ds, func(a, b *coach.Deal) int { return coach.DealNumber(a.ID) - coach.DealNumber(b.ID) })
}
