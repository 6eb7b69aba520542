package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
)

// readBackTries and readBackTimeout bound the read-back of an update whose
// reply was lost: a short stall (a second or so) is ridden out, a dead
// Redis gives up after about a second.
const (
	readBackTries   = 4
	readBackTimeout = 300 * time.Millisecond
)

// maybeSent reports whether a failed command may have reached Redis: a
// server error reply, a refused dial or an empty pool mean it did not.
func maybeSent(err error) bool {
	if _, isServer := errors.AsType[goredis.Error](err); isServer {
		return false
	}
	if errors.Is(err, goredis.ErrPoolTimeout) || errors.Is(err, goredis.ErrClosed) {
		return false
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return false
	}
	return true
}

// checkUpdateScript reads back whether the update with token ARGV[1] was
// applied (1). If not, it fences the token (0): the update, still in
// flight somewhere, can no longer land, so "not applied" stays true.
var checkUpdateScript = goredis.NewScript(`
local t = redis.call('HGET', KEYS[1], 't') or ''
if string.find(t, ' ' .. ARGV[1] .. ' ', 1, true) then return 1 end
if redis.call('EXISTS', KEYS[1]) == 1 then
  local f, keep, n = redis.call('HGET', KEYS[1], 'f') or '', {ARGV[1]}, 1
  for tok in string.gmatch(f, '%S+') do
    if n >= 64 then break end
    n = n + 1
    keep[n] = tok
  end
  redis.call('HSET', KEYS[1], 'f', ' ' .. table.concat(keep, ' ') .. ' ')
end
return 0
`)

// checkUpdate decides the outcome of an update whose reply was lost: 1
// (applied) or the original error (not applied, and fenced); when Redis
// cannot be asked either, an error wrapping coach.ErrOutcomeUnknown.
func (s *Store) checkUpdate(ctx context.Context, key, tok string, sendErr error) (int64, error) {
	ctx = context.WithoutCancel(ctx)
	var err error
	for range readBackTries {
		cctx, cancel := context.WithTimeout(ctx, readBackTimeout)
		var r int64
		r, err = checkUpdateScript.Run(cctx, s.c, []string{key}, tok).Int64()
		cancel()
		if err == nil {
			if r == 1 {
				return 1, nil
			}
			return 0, fmt.Errorf("not applied (checked): %w", sendErr)
		}
	}
	return 0, fmt.Errorf("%w: sent, then %v; read-back: %v", coach.ErrOutcomeUnknown, sendErr, err)
}
