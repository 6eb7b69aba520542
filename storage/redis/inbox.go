package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// Delivery marks and the inbox (coach.InboxStore). All their keys share
// the hash tag {ev}, so each operation is one script over one slot:
//
//	P:{ev}:m:key     string "d" (done) or "p:<owner>" (in progress), ttl
//	P:{ev}:q:queue   zset   item key → lease end (unix ms)
//	P:{ev}:i         hash   item key → item JSON (key, queue, payload)
//	P:{ev}:iq        hash   item key → queue (escaped)
//	P:{ev}:a         hash   item key → claims so far
//
// Item keys in the zset and hashes are escaped (esc), so they also build
// the mark key inside the scripts.

func (s *Store) evp() string               { return s.prefix + ":{ev}:" }
func (s *Store) markKey(key string) string { return s.evp() + "m:" + esc(key) }
func (s *Store) queueKey(q string) string  { return s.evp() + "q:" + esc(q) }
func (s *Store) itemsKey() string          { return s.evp() + "i" }
func (s *Store) itemQueuesKey() string     { return s.evp() + "iq" }
func (s *Store) attemptsKey() string       { return s.evp() + "a" }
func (s *Store) markPrefix() string        { return s.evp() + "m:" }
func (s *Store) queuePrefix() string       { return s.evp() + "q:" }
func leaseMs(lease time.Duration) int64    { return max(lease.Milliseconds(), 1) }
func untilMs(lease time.Duration) string {
	return strconv.FormatInt(time.Now().Add(lease).UnixMilli(), 10)
}
func nowMs() string                     { return strconv.FormatInt(time.Now().UnixMilli(), 10) }
func markState(n int64) coach.MarkState { return coach.MarkState(n) }

// beginScript: KEYS mark; ARGV owner, lease ms.
var beginScript = goredis.NewScript(`
local m = redis.call('GET', KEYS[1])
if m == 'd' then return 3 end
if m then return 2 end
redis.call('SET', KEYS[1], 'p:' .. ARGV[1], 'PX', ARGV[2])
return 1
`)

// BeginEvent takes the in-progress lease on key unless it is done or
// leased (the lease is the mark's ttl, so an expired one is simply gone).
func (s *Store) BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := beginScript.Run(ctx, s.c, []string{s.markKey(key)}, owner, leaseMs(lease)).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis: begin event %q: %w", key, err)
	}
	return markState(n), nil
}

// finishScript: KEYS mark, items, item queues, attempts; ARGV ttl ms,
// escaped key, queue prefix.
var finishScript = goredis.NewScript(`
redis.call('SET', KEYS[1], 'd', 'PX', ARGV[1])
local q = redis.call('HGET', KEYS[3], ARGV[2])
if q then
  redis.call('ZREM', ARGV[3] .. q, ARGV[2])
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
  redis.call('HDEL', KEYS[4], ARGV[2])
end
return 1
`)

// FinishEvent marks key done for ttl and removes its inbox item.
func (s *Store) FinishEvent(ctx context.Context, key string, ttl time.Duration) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ms, err := ttlMs(ttl)
	if err != nil {
		return fmt.Errorf("redis: finish event: %w", err)
	}
	err = finishScript.Run(ctx, s.c, []string{s.markKey(key), s.itemsKey(), s.itemQueuesKey(), s.attemptsKey()},
		ms, esc(key), s.queuePrefix()).Err()
	if err != nil {
		return fmt.Errorf("redis: finish event %q: %w", key, err)
	}
	return nil
}

// abandonScript: KEYS mark, item queues; ARGV owner, escaped key, queue
// prefix.
var abandonScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) ~= 'p:' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
local q = redis.call('HGET', KEYS[2], ARGV[2])
if q then redis.call('ZADD', ARGV[3] .. q, 0, ARGV[2]) end
return 1
`)

// AbandonEvent drops owner's lease; the item, if any, is claimable now.
func (s *Store) AbandonEvent(ctx context.Context, key, owner string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	err := abandonScript.Run(ctx, s.c, []string{s.markKey(key), s.itemQueuesKey()}, owner, esc(key), s.queuePrefix()).Err()
	if err != nil {
		return fmt.Errorf("redis: abandon event %q: %w", key, err)
	}
	return nil
}

// enqueueScript: KEYS mark, queue, items, item queues, attempts; ARGV
// owner, lease ms, lease end ms, escaped key, item JSON, escaped queue.
var enqueueScript = goredis.NewScript(`
local m = redis.call('GET', KEYS[1])
if m == 'd' then return {3, 0} end
if m then return {2, 0} end
redis.call('SET', KEYS[1], 'p:' .. ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
redis.call('HSET', KEYS[4], ARGV[4], ARGV[6])
return {1, redis.call('HINCRBY', KEYS[5], ARGV[4], 1)}
`)

// storedItem is an item's JSON in P:{ev}:i.
type storedItem struct {
	Key     string `json:"k"`
	Queue   string `json:"q"`
	Payload []byte `json:"p"`
}

// Enqueue stores the item leased to owner unless its key is done or leased.
func (s *Store) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	js, err := json.Marshal(storedItem{Key: it.Key, Queue: it.Queue, Payload: it.Payload})
	if err != nil {
		return 0, fmt.Errorf("redis: enqueue: %w", err)
	}
	ek := esc(it.Key)
	res, err := enqueueScript.Run(ctx, s.c,
		[]string{s.markKey(it.Key), s.queueKey(it.Queue), s.itemsKey(), s.itemQueuesKey(), s.attemptsKey()},
		owner, leaseMs(lease), untilMs(lease), ek, js, esc(it.Queue)).Int64Slice()
	if err != nil {
		if maybeSent(err) {
			// It may have landed (and will then run): not "nothing changed".
			return 0, fmt.Errorf("redis: enqueue %q: %w: %v", it.Key, coach.ErrOutcomeUnknown, err)
		}
		return 0, fmt.Errorf("redis: enqueue %q: %w", it.Key, err)
	}
	if len(res) != 2 {
		return 0, fmt.Errorf("redis: enqueue %q: unexpected reply %v", it.Key, res)
	}
	if res[0] == int64(coach.MarkClaimed) {
		it.Attempts = int(res[1])
	}
	return markState(res[0]), nil
}

// inboxClaimScript: KEYS queue, items, attempts, item queues; ARGV now ms,
// lease ms, lease end ms, n, owner, mark prefix. Returns item JSON and
// claim count pairs.
var inboxClaimScript = goredis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local mk = ARGV[6] .. id
  local v = redis.call('HGET', KEYS[2], id)
  if redis.call('GET', mk) == 'd' or not v then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  else
    redis.call('SET', mk, 'p:' .. ARGV[5], 'PX', ARGV[2])
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    table.insert(out, v)
    table.insert(out, redis.call('HINCRBY', KEYS[3], id, 1))
  end
end
return out
`)

// ClaimExpired leases up to n items of queue whose lease has ended.
func (s *Store) ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]coach.InboxItem, error) {
	if n <= 0 {
		return nil, nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	res, err := inboxClaimScript.Run(ctx, s.c,
		[]string{s.queueKey(queue), s.itemsKey(), s.attemptsKey(), s.itemQueuesKey()},
		nowMs(), leaseMs(lease), untilMs(lease), n, owner, s.markPrefix()).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: claim %q: %w", queue, err)
	}
	out := make([]coach.InboxItem, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		js, _ := res[i].(string)
		att, _ := res[i+1].(int64)
		var si storedItem
		if err := json.Unmarshal([]byte(js), &si); err != nil {
			return out, fmt.Errorf("redis: claim %q: decode item: %w", queue, err)
		}
		out = append(out, coach.InboxItem{Key: si.Key, Queue: si.Queue, Payload: si.Payload, Attempts: int(att)})
	}
	return out, nil
}

// InboxLen counts the queue's items.
func (s *Store) InboxLen(ctx context.Context, queue string) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	n, err := s.c.ZCard(ctx, s.queueKey(queue)).Result()
	if err != nil {
		return 0, fmt.Errorf("redis: inbox length %q: %w", queue, err)
	}
	return int(n), nil
}
