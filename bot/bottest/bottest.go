// Package bottest builds the whole bot for tests: the default playbook, a
// real store (bbolt in a temp dir unless given), a fake clock, the coach
// service and the router, with helpers to ask as a user and read the
// console-rendered answer.
package bottest

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/console"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the current fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Start is the fake clock's default start: Monday 2026-11-23 09:00 UTC.
var Start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Env is a running bot for tests.
type Env struct {
	TB       testing.TB
	Store    coach.Store
	Service  *coach.Service
	Router   *bot.Router
	Clock    *Clock
	Playbook *playbook.Playbook
	Team     string
	Platform bot.Platform
	Locale   string
}

// Option changes how New builds the Env.
type Option func(*Env)

// WithStore uses st instead of a fresh bbolt store.
func WithStore(st coach.Store) Option { return func(e *Env) { e.Store = st } }

// WithClock uses c as the clock.
func WithClock(c *Clock) Option { return func(e *Env) { e.Clock = c } }

// New builds an Env with team "T1" on the console platform, English.
func New(tb testing.TB, opts ...Option) *Env {
	tb.Helper()
	e := &Env{TB: tb, Team: "T1", Platform: bot.Console, Locale: "en", Playbook: playbook.Default()}
	for _, o := range opts {
		o(e)
	}
	if e.Clock == nil {
		e.Clock = NewClock(Start)
	}
	if e.Store == nil {
		st, err := bolt.Open(filepath.Join(tb.TempDir(), "test.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { st.Close() })
		e.Store = st
	}
	e.Service = coach.NewService(e.Store, e.Playbook, e.Clock.Now, slog.New(slog.DiscardHandler))
	e.Router = bot.NewRouter(e.Service, slog.New(slog.DiscardHandler))
	return e
}

// Message builds the message user would send with text.
func (e *Env) Message(user, text string) bot.Message {
	return bot.Message{Platform: e.Platform, Tenant: e.Team, User: user, UserName: user, Text: text, Locale: e.Locale, Direct: true}
}

// Reply sends text as user and returns the reply.
func (e *Env) Reply(user, text string) bot.Reply {
	e.TB.Helper()
	rep, err := e.Router.Handle(context.Background(), e.Message(user, text))
	if err != nil {
		e.TB.Fatalf("%s: %q: %v", user, text, err)
	}
	return rep
}

// Ask sends text as user and returns the console rendering of the reply.
func (e *Env) Ask(user, text string) string {
	e.TB.Helper()
	return console.Render(e.Reply(user, text))
}

// Act sends an interactive action as user and returns the reply.
func (e *Env) Act(user string, a *bot.Action) bot.Reply {
	e.TB.Helper()
	msg := e.Message(user, "")
	msg.Action = a
	if a.Kind == bot.ActionCommand {
		msg.Text = a.Value
	}
	rep, err := e.Router.Handle(context.Background(), msg)
	if err != nil {
		e.TB.Fatalf("%s: action %+v: %v", user, a, err)
	}
	return rep
}

// Deal reads a deal straight from the store.
func (e *Env) Deal(id string) *coach.Deal {
	e.TB.Helper()
	d, err := e.Store.GetDeal(context.Background(), e.Team, id)
	if err != nil {
		e.TB.Fatalf("get %s: %v", id, err)
	}
	return d
}
