package main

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

// tripCounter is a go-redis hook counting round trips: one per command
// sent alone, one per pipeline (or MULTI/EXEC) sent at once.
type tripCounter struct {
	n    atomic.Int64
	mu   sync.Mutex
	cmds []string // what was sent since reset, one entry a round trip
}

func (c *tripCounter) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (c *tripCounter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.n.Add(1)
		c.note(cmd.Name())
		return next(ctx, cmd)
	}
}
func (c *tripCounter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		c.n.Add(1)
		names := make([]string, 0, len(cmds))
		for _, cmd := range cmds {
			names = append(names, cmd.Name())
		}
		c.note("[" + strings.Join(names, " ") + "]")
		return next(ctx, cmds)
	}
}

func (c *tripCounter) note(name string) {
	c.mu.Lock()
	c.cmds = append(c.cmds, name)
	c.mu.Unlock()
}

func (c *tripCounter) reset() {
	c.mu.Lock()
	c.n.Store(0)
	c.cmds = nil
	c.mu.Unlock()
}

func (c *tripCounter) sent() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.cmds, ", ")
}

// TestRedisRoundTripsPerCommand pins what the hot commands cost in Redis
// round trips through the production wiring (router, coach, the metered
// store, the Redis store): `show` by id is one (team and deal read
// together), `check`/`uncheck`/`note` by id two (that read, then the
// update script), by name one more (the name index). A change that adds
// a round trip to these paths fails here.
func TestRedisRoundTripsPerCommand(t *testing.T) {
	c := redistest.Client(t)
	cnt := &tripCounter{}
	c.AddHook(cnt)
	st := NewMetrics().Store(redisstore.New(c, redisstore.WithPrefix(redistest.Prefix(t, c)), redisstore.WithOpTimeout(10*time.Second)))
	e := bottest.New(t, bottest.WithStore(st))
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	e.Ask("alice", `new "Beta Cloud" customer=Beta`)
	e.Ask("alice", `contact D-1 add "Wang Li" role=handler`)
	// Load every script once (EVALSHA falls back to EVAL on a fresh
	// server), as a running server has.
	e.Ask("alice", "check D-2 s1.m1")
	e.Ask("alice", "show beta")
	e.Ask("alice", "note D-2 warm up the note reading")
	tick := &bot.Action{Kind: bot.ActionChecklist, Deal: "D-1", Options: []string{"s1.m1", "s1.m2"}, Selected: []string{"s1.m1", "s1.m2"}}
	tests := []struct {
		in     string
		action *bot.Action
		want   int64
		reply  string // a word the reply must contain (it did the work)
	}{
		{in: "show D-1", want: 1, reply: "Acme ERP"},
		{in: "show acme", want: 2, reply: "Acme ERP"},
		{in: "check D-1 s1.m1", want: 2, reply: "s1.m1"},
		{in: "check acme s1.m3", want: 3, reply: "s1.m3"},
		{in: "uncheck D-1 s1.m1", want: 2, reply: "s1.m1"},
		{in: "note D-1 CFO worried about cost", want: 3, reply: "D-1"},
		{in: "info D-1 size=500", want: 2, reply: "D-1"},
		{in: "show D-9", want: 1, reply: "D-9"},
		{in: "tick button", action: tick, want: 2, reply: "Acme ERP"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cnt.reset()
			var out string
			if tt.action != nil {
				out = console.Render(e.Act("alice", tt.action))
			} else {
				out = e.Ask("alice", tt.in)
			}
			if got := cnt.n.Load(); got != tt.want {
				t.Errorf("%s: %d Redis round trips (%s), want %d", tt.in, got, cnt.sent(), tt.want)
			}
			if !strings.Contains(out, tt.reply) {
				t.Errorf("%s: reply lacks %q:\n%s", tt.in, tt.reply, out)
			}
			t.Logf("%s: %d round trips: %s", tt.in, cnt.n.Load(), cnt.sent())
		})
	}
}
