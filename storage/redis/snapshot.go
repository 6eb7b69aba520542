package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// Snapshot keys (in the team's slot):
//
//	P:{team}:snap:<week>   string  snapshot JSON
//	P:{team}:snaps         zset    escaped week, all scored 0 (ordered by name)

// snapPrefix is the prefix of the team's snapshot keys.
func (k keys) snapPrefix() string { return k.tp + "snap:" }

// snaps is the zset of the team's snapshot weeks.
func (k keys) snaps() string { return k.tp + "snaps" }

// putSnapshotScript stores ARGV[1] as week ARGV[2] (escaped) unless it
// exists and ARGV[4] is "0" (then returns 0), and drops the oldest weeks
// beyond ARGV[3] (> 0). ARGV[5] is the snapshot key prefix.
var putSnapshotScript = goredis.NewScript(`
local key = ARGV[5] .. ARGV[2]
if ARGV[4] == '0' and redis.call('EXISTS', key) == 1 then return 0 end
redis.call('SET', key, ARGV[1])
redis.call('ZADD', KEYS[1], 0, ARGV[2])
local keep = tonumber(ARGV[3])
if keep > 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n > keep then
    local old = redis.call('ZRANGE', KEYS[1], 0, n - keep - 1)
    for i = 1, #old do
      redis.call('DEL', ARGV[5] .. old[i])
      redis.call('ZREM', KEYS[1], old[i])
    end
  end
end
return 1
`)

// snapshotBeforeScript returns the newest snapshot of a week before
// ARGV[1] (escaped), or false.
var snapshotBeforeScript = goredis.NewScript(`
local m = redis.call('ZREVRANGEBYLEX', KEYS[1], '(' .. ARGV[1], '-', 'LIMIT', 0, 1)
if #m == 0 then return false end
return redis.call('GET', ARGV[2] .. m[1])
`)

// PutSnapshot stores the snapshot and trims the team's older ones in one
// script. Errors: coach.ErrConflict when one exists and !replace.
func (s *Store) PutSnapshot(ctx context.Context, snap *coach.Snapshot, keep int, replace bool) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	js, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("redis: encode snapshot %s/%s: %w", snap.Team, snap.Week, err)
	}
	k := s.team(snap.Team)
	rep := "0"
	if replace {
		rep = "1"
	}
	n, err := putSnapshotScript.Run(ctx, s.c, []string{k.snaps()}, string(js), esc(snap.Week), keep, rep, k.snapPrefix()).Int()
	if err != nil {
		return fmt.Errorf("redis: put snapshot %s/%s: %w", snap.Team, snap.Week, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: put snapshot %s/%s: %w", snap.Team, snap.Week, coach.ErrConflict)
	}
	return nil
}

// GetSnapshot returns the team's snapshot of week, or coach.ErrNotFound.
func (s *Store) GetSnapshot(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	v, err := s.c.Get(ctx, s.team(team).snapPrefix()+esc(week)).Result()
	return decodeSnapshot(team, week, v, err)
}

// SnapshotBefore returns the newest snapshot of a week before week, or
// coach.ErrNotFound. One round trip.
func (s *Store) SnapshotBefore(ctx context.Context, team, week string) (*coach.Snapshot, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	k := s.team(team)
	v, err := snapshotBeforeScript.Run(ctx, s.c, []string{k.snaps()}, esc(week), k.snapPrefix()).Text()
	return decodeSnapshot(team, week, v, err)
}

func decodeSnapshot(team, week, v string, err error) (*coach.Snapshot, error) {
	if errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("redis: snapshot %s/%s: %w", team, week, coach.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("redis: snapshot %s/%s: %w", team, week, err)
	}
	var out coach.Snapshot
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, fmt.Errorf("redis: snapshot %s/%s: decode: %w", team, week, err)
	}
	return &out, nil
}
