package coach_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// readCounter counts the reads JoinFor and Resolve make.
type readCounter struct {
	coach.Store
	mu    sync.Mutex
	calls []string
}

func (c *readCounter) note(s string) { c.mu.Lock(); c.calls = append(c.calls, s); c.mu.Unlock() }
func (c *readCounter) take() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.Join(c.calls, " ")
	c.calls = nil
	return s
}
func (c *readCounter) GetTeam(ctx context.Context, id string) (*coach.Team, error) {
	c.note("GetTeam")
	return c.Store.GetTeam(ctx, id)
}
func (c *readCounter) GetDeal(ctx context.Context, team, id string) (*coach.Deal, error) {
	c.note("GetDeal")
	return c.Store.GetDeal(ctx, team, id)
}
func (c *readCounter) TeamAndDeal(ctx context.Context, team, id string) (*coach.Team, *coach.Deal, error) {
	c.note("TeamAndDeal")
	return c.Store.TeamAndDeal(ctx, team, id)
}
func (c *readCounter) UpdateDeal(ctx context.Context, d *coach.Deal, evs []coach.Event) error {
	c.note("UpdateDeal")
	return c.Store.UpdateDeal(ctx, d, evs)
}

func newReadCounter(t *testing.T) (*coach.Service, *readCounter) {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "td.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rc := &readCounter{Store: st}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	svc := coach.NewService(rc, playbook.Default(), func() time.Time { return now }, nil)
	return svc, rc
}

// TestJoinForReadsTeamAndDealOnce: a request naming a deal by id reads
// team and deal together once; the prefetched deal serves that request's
// one Resolve of that id and nothing else; permissions, missing deals,
// conflicts and later reads behave exactly as without it.
func TestJoinForReadsTeamAndDealOnce(t *testing.T) {
	svc, rc := newReadCounter(t)
	ctx := t.Context()
	admin := coach.Actor{Team: "T", User: "U1"}
	rep := coach.Actor{Team: "T", User: "U2"}
	other := coach.Actor{Team: "T", User: "U3"}
	for _, a := range []coach.Actor{admin, rep, other} {
		if _, _, err := svc.Join(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	team, _, _ := svc.Join(ctx, admin)
	d1, err := svc.CreateDeal(ctx, admin, team, coach.NewDeal{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeal(ctx, other, team, coach.NewDeal{Name: "Other's"}); err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		if ce, ok := coach.AsError(err); ok {
			return string(ce.Code)
		}
		if err != nil {
			return err.Error()
		}
		return "ok"
	}
	for _, tc := range []struct {
		name  string
		actor coach.Actor
		hint  string
		refs  []string // resolved in turn
		want  string   // codes of the Resolves, in turn
		calls string
	}{
		{"id: one read", admin, "D-1", []string{"D-1"}, "ok", "TeamAndDeal"},
		{"id in another form", admin, "#1", []string{"d1"}, "ok", "TeamAndDeal"},
		{"second resolve reads again", admin, "D-1", []string{"D-1", "D-1"}, "ok ok", "TeamAndDeal GetDeal"},
		{"other id reads", admin, "D-1", []string{"D-2"}, "ok", "TeamAndDeal GetDeal"},
		{"missing deal from the prefetch", admin, "D-9", []string{"D-9"}, "unknown_deal", "TeamAndDeal"},
		{"rep cannot see another's deal", rep, "D-2", []string{"D-2"}, "unknown_deal", "TeamAndDeal"},
		{"name is plain Join", admin, "acme", []string{"D-1"}, "ok", "GetTeam GetDeal"},
		{"no hint", admin, "", []string{"D-1"}, "ok", "GetTeam GetDeal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc.take()
			team, _, err := svc.JoinFor(ctx, tc.actor, tc.hint)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ref := range tc.refs {
				_, err := svc.Resolve(ctx, tc.actor, team, ref)
				got = append(got, code(err))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("resolves = %s, want %s", g, tc.want)
			}
			if c := rc.take(); c != tc.calls {
				t.Errorf("store reads = %s, want %s", c, tc.calls)
			}
		})
	}

	t.Run("stale prefetch: the update conflicts, is retried on a fresh read", func(t *testing.T) {
		team, _, err := svc.JoinFor(ctx, admin, d1.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Someone else ticks an item between the read and this request's
		// update.
		t2, _, _ := svc.Join(ctx, other)
		if _, err := svc.Tick(ctx, admin, t2, d1.ID, []string{"s1.m1"}, nil); err != nil {
			t.Fatal(err)
		}
		rc.take()
		res, err := svc.Tick(ctx, admin, team, d1.ID, []string{"s1.m2"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Change.After.IsChecked("s1.m1") || !res.Change.After.IsChecked("s1.m2") {
			t.Errorf("after both ticks: s1.m1 %v s1.m2 %v, want both", res.Change.After.IsChecked("s1.m1"), res.Change.After.IsChecked("s1.m2"))
		}
		if c := rc.take(); c != "UpdateDeal GetDeal UpdateDeal" {
			t.Errorf("store calls = %s, want the prefetch, a conflict, a fresh read", c)
		}
		// The update dropped nothing the next Resolve needs: it reads.
		d, err := svc.Resolve(ctx, admin, team, d1.ID)
		if err != nil || !d.IsChecked("s1.m2") {
			t.Fatalf("resolve after the update: %v, %v", d, err)
		}
		if c := rc.take(); c != "GetDeal" {
			t.Errorf("store calls = %s, want GetDeal", c)
		}
	})

	t.Run("an update drops the prefetch", func(t *testing.T) {
		team, _, err := svc.JoinFor(ctx, admin, "D-1")
		if err != nil {
			t.Fatal(err)
		}
		// A write that does not go through Resolve first.
		if _, err := svc.Tick(ctx, admin, team, "acme", nil, []string{"s1.m1"}); err != nil {
			t.Fatal(err)
		}
		rc.take()
		d, err := svc.Resolve(ctx, admin, team, "D-1")
		if err != nil || d.IsChecked("s1.m1") {
			t.Fatalf("resolve after untick: s1.m1 checked %v, %v; want the update seen", d != nil && d.IsChecked("s1.m1"), err)
		}
		if c := rc.take(); c != "GetDeal" {
			t.Errorf("store calls = %s, want GetDeal (the prefetch is stale)", c)
		}
	})

	t.Run("an old prefetch is not used", func(t *testing.T) {
		now := svc.Now()
		defer func() { svc.Now = func() time.Time { return now } }()
		team, _, err := svc.JoinFor(ctx, admin, "D-1")
		if err != nil {
			t.Fatal(err)
		}
		svc.Now = func() time.Time { return now.Add(3 * time.Second) }
		rc.take()
		if _, err := svc.Resolve(ctx, admin, team, "D-1"); err != nil {
			t.Fatal(err)
		}
		if c := rc.take(); c != "GetDeal" {
			t.Errorf("store calls = %s, want GetDeal (the prefetch is 3 s old)", c)
		}
	})

	t.Run("new team", func(t *testing.T) {
		a := coach.Actor{Team: "NEW", User: "U1"}
		team, m, err := svc.JoinFor(ctx, a, "D-1")
		if err != nil || m.Role != coach.RoleAdmin || team.Version != 1 {
			t.Fatalf("JoinFor of a new team: %+v, %+v, %v", team, m, err)
		}
		if _, err := svc.Resolve(ctx, a, team, "D-1"); code(err) != "unknown_deal" {
			t.Fatalf("resolve in a new team: %v", err)
		}
	})

	t.Run("store failure", func(t *testing.T) {
		fs := &failingTeamDeal{Store: rc}
		fsvc := coach.NewService(fs, playbook.Default(), nil, nil)
		if _, _, err := fsvc.JoinFor(ctx, admin, "D-1"); !errors.Is(err, errTeamDealDown) {
			t.Fatalf("JoinFor with the store down: %v", err)
		}
	})
}

var errTeamDealDown = errors.New("store down")

type failingTeamDeal struct{ coach.Store }

func (f *failingTeamDeal) TeamAndDeal(context.Context, string, string) (*coach.Team, *coach.Deal, error) {
	return nil, nil, errTeamDealDown
}
