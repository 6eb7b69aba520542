package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// reading is a hash with a ttl: v = version, d = note reading JSON.
//
//	P:{team}:reading:user
func (k keys) reading(user string) string { return k.tp + "reading:" + esc(user) }

var putReadingScript = goredis.NewScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', '1', 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// updateReadingScript: 0 missing, -1 version conflict, else the new version.
var updateReadingScript = goredis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 0 end
if v ~= ARGV[1] then return -1 end
local n = tonumber(v) + 1
redis.call('HSET', KEYS[1], 'v', tostring(n), 'd', ARGV[2])
return n
`)

// PutReading stores the user's latest note reading until ttl from now.
func (s *Store) PutReading(ctx context.Context, r *coach.NoteReading, ttl time.Duration) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ms, err := ttlMs(ttl)
	if err != nil {
		return fmt.Errorf("redis: put reading: %w", err)
	}
	r.Version = 1
	js, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("redis: encode reading: %w", err)
	}
	if err := putReadingScript.Run(ctx, s.c, []string{s.team(r.Team).reading(r.User)}, js, ms).Err(); err != nil {
		return fmt.Errorf("redis: put reading %s/%s: %w", r.Team, r.User, err)
	}
	return nil
}

// GetReading returns the user's live reading, or coach.ErrNotFound.
func (s *Store) GetReading(ctx context.Context, team, user string) (*coach.NoteReading, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	vals, err := s.c.HMGet(ctx, s.team(team).reading(user), "v", "d").Result()
	if err != nil {
		return nil, fmt.Errorf("redis: reading %s/%s: %w", team, user, err)
	}
	v, ok1 := vals[0].(string)
	d, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("redis: reading %s/%s: %w", team, user, coach.ErrNotFound)
	}
	var out coach.NoteReading
	if err := json.Unmarshal([]byte(d), &out); err != nil {
		return nil, fmt.Errorf("redis: reading %s/%s: decode: %w", team, user, err)
	}
	out.Version, err = strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("redis: reading %s/%s: bad version: %w", team, user, err)
	}
	return &out, nil
}

// UpdateReading stores r if the stored version equals r.Version, keeping
// the ttl.
func (s *Store) UpdateReading(ctx context.Context, r *coach.NoteReading) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	cp := *r
	cp.Version = r.Version + 1
	js, err := json.Marshal(&cp)
	if err != nil {
		return fmt.Errorf("redis: encode reading: %w", err)
	}
	n, err := updateReadingScript.Run(ctx, s.c, []string{s.team(r.Team).reading(r.User)}, strconv.FormatInt(r.Version, 10), js).Int64()
	switch {
	case err != nil:
		return fmt.Errorf("redis: update reading %s/%s: %w", r.Team, r.User, err)
	case n == 0:
		return fmt.Errorf("redis: update reading %s/%s: %w", r.Team, r.User, coach.ErrNotFound)
	case n < 0:
		return fmt.Errorf("redis: update reading %s/%s: %w", r.Team, r.User, coach.ErrConflict)
	}
	r.Version = n
	return nil
}

// DeleteReading removes the user's reading; a missing one is not an error.
func (s *Store) DeleteReading(ctx context.Context, team, user string) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := s.c.Del(ctx, s.team(team).reading(user)).Err(); err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis: delete reading %s/%s: %w", team, user, err)
	}
	return nil
}
