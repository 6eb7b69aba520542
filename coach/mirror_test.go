package coach_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// fakeTarget records what it receives; fail decides per call how it fails.
type fakeTarget struct {
	name string
	mu   sync.Mutex
	got  []coach.MirrorChange
	// fail returns (delivered prefix, error) for a batch; nil: deliver all.
	fail  func(batch []coach.MirrorChange) (int, error)
	calls int
}

func (f *fakeTarget) Name() string               { return f.name }
func (f *fakeTarget) Enabled(t *coach.Team) bool { return true }
func (f *fakeTarget) Send(ctx context.Context, t *coach.Team, cs []coach.MirrorChange) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	n, err := len(cs), error(nil)
	if f.fail != nil {
		n, err = f.fail(cs)
	}
	f.got = append(f.got, cs[:n]...)
	return n, err
}

func (f *fakeTarget) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.got {
		out = append(out, c.ID)
	}
	return out
}

func (f *fakeTarget) setFail(fn func([]coach.MirrorChange) (int, error)) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

type noticeRecorder struct {
	mu  sync.Mutex
	got []coach.MirrorNotice
}

func (r *noticeRecorder) MirrorNotice(ctx context.Context, n coach.MirrorNotice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

func newMirror(e *env, targets ...coach.MirrorTarget) *coach.Mirror {
	m := coach.NewMirror(e.store, playbook.Default(), targets, e.clock.Now, slog.New(slog.DiscardHandler))
	m.TeamRefresh = 0
	return m
}

// drain runs passes until nothing more is delivered (at most n passes).
func drain(t *testing.T, m *coach.Mirror) int {
	t.Helper()
	total := 0
	for range 50 {
		n, more := m.DrainAll(context.Background())
		total += n
		if n == 0 && !more {
			return total
		}
	}
	t.Fatal("mirror never settled")
	return total
}

func TestMirrorDeliversInOrder(t *testing.T) {
	e := newEnv(t, nil)
	tg := &fakeTarget{name: "fake"}
	m := newMirror(e, tg)
	drain(t, m) // subscribes
	d := e.newDeal("ann", "Acme rollout")
	e.tick("ann", d.ID, "s1.m1")
	drain(t, m)
	if len(tg.got) != 2 {
		t.Fatalf("got %d changes, want create + tick", len(tg.got))
	}
	c, u := tg.got[0], tg.got[1]
	if c.Type != coach.MirrorCreated || u.Type != coach.MirrorUpdated || c.Deal.ID != d.ID || u.Deal.Version != 2 {
		t.Fatalf("changes %s v%d, %s v%d", c.Type, c.Deal.Version, u.Type, u.Deal.Version)
	}
	if len(u.Changes) == 0 || u.Changes[0].Kind != "check" || u.Changes[0].Field != "s1.m1" {
		t.Fatalf("update carries events %+v", u.Changes)
	}
	if c.ID == u.ID || !strings.HasPrefix(c.ID, "evt_") {
		t.Fatalf("event ids %q %q", c.ID, u.ID)
	}
	st, err := e.store.OutboxStats(context.Background(), "T1", "fake")
	if err != nil || st.Depth != 0 {
		t.Fatalf("outbox after delivery = %+v, %v", st, err)
	}
	// Nothing new: nothing sent.
	calls := tg.calls
	drain(t, m)
	if tg.calls != calls {
		t.Fatal("an empty outbox caused a send")
	}
}

func TestMirrorSubscribeResyncs(t *testing.T) {
	e := newEnv(t, nil)
	e.newDeal("ann", "one")
	e.newDeal("bob", "two")
	tg := &fakeTarget{name: "late"}
	drain(t, newMirror(e, tg))
	if len(tg.got) != 2 || !tg.got[0].Resync || tg.got[0].Type != coach.MirrorUpdated {
		t.Fatalf("a new target gets the current deals: %+v", tg.got)
	}
}

func TestMirrorRetriesUntilDelivered(t *testing.T) {
	e := newEnv(t, nil)
	tg := &fakeTarget{name: "fake"}
	m := newMirror(e, tg)
	m.MinBackoff, m.MaxBackoff = time.Second, time.Minute
	drain(t, m)
	tg.setFail(func([]coach.MirrorChange) (int, error) {
		return 0, &coach.MirrorError{Kind: coach.MirrorTransient, Err: errors.New("503")}
	})
	d := e.newDeal("ann", "Acme")
	e.tick("ann", d.ID, "s1.m1")
	for range 5 {
		m.DrainAll(context.Background())
		e.clock.Advance(2 * time.Minute)
	}
	if len(tg.got) != 0 {
		t.Fatalf("delivered %d while down", len(tg.got))
	}
	// Backoff: without the clock moving, no new attempt.
	calls := tg.calls
	m.DrainAll(context.Background())
	if tg.calls != calls+1 {
		t.Fatalf("after the wait one attempt was expected, got %d", tg.calls-calls)
	}
	m.DrainAll(context.Background())
	if tg.calls != calls+1 {
		t.Fatal("retried before the backoff elapsed")
	}
	st, _ := e.svc.MirrorStatus(context.Background(), e.actor("boss"))
	if len(st) != 1 || st[0].Depth != 2 || !strings.Contains(st[0].LastError, "503") {
		t.Fatalf("status while down = %+v", st)
	}
	tg.setFail(nil)
	e.clock.Advance(2 * time.Minute)
	drain(t, m)
	if len(tg.got) != 2 || tg.got[0].Type != coach.MirrorCreated || tg.got[1].Deal.Version != 2 {
		t.Fatalf("after recovery got %d changes", len(tg.got))
	}
	st, _ = e.svc.MirrorStatus(context.Background(), e.actor("boss"))
	if len(st) != 1 || st[0].Depth != 0 || st[0].LastError != "" {
		t.Fatalf("status after recovery = %+v", st)
	}
}

func TestMirrorPartialDelivery(t *testing.T) {
	e := newEnv(t, nil)
	tg := &fakeTarget{name: "fake"}
	m := newMirror(e, tg)
	drain(t, m)
	for i := range 4 {
		e.newDeal("ann", fmt.Sprint("d", i))
	}
	tg.setFail(func(cs []coach.MirrorChange) (int, error) {
		return 1, errors.New("only one")
	})
	m.DrainAll(context.Background())
	tg.setFail(nil)
	e.clock.Advance(time.Hour)
	drain(t, m)
	ids := tg.ids()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("change %s delivered twice: %v", id, ids)
		}
		seen[id] = true
	}
	if len(ids) != 4 {
		t.Fatalf("delivered %d, want 4", len(ids))
	}
}

func TestMirrorPermissionNotifiesAdminsOnce(t *testing.T) {
	e := newEnv(t, nil)
	tg := &fakeTarget{name: "larkbase"}
	rec := &noticeRecorder{}
	m := newMirror(e, tg)
	m.Notifier = rec
	drain(t, m)
	tg.setFail(func([]coach.MirrorChange) (int, error) {
		return 0, &coach.MirrorError{Kind: coach.MirrorPermission, Err: errors.New("91403 forbidden")}
	})
	e.newDeal("ann", "Acme")
	for range 4 {
		m.DrainAll(context.Background())
		e.clock.Advance(10 * time.Minute)
	}
	if len(rec.got) != 1 || rec.got[0].To != "boss" || rec.got[0].Kind != coach.MirrorPermission || rec.got[0].Target != "larkbase" {
		t.Fatalf("notices %+v, want one to the admin", rec.got)
	}
	tg.setFail(nil)
	drain(t, m)
	if len(tg.got) != 1 {
		t.Fatalf("after access was granted got %d", len(tg.got))
	}
}

// TestMirrorReplicasNoDuplicates: two mirrors (replicas) over one store
// drain concurrently; every change arrives exactly once.
func TestMirrorReplicasNoDuplicates(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := newEnv(t, st)
	tg := &fakeTarget{name: "fake"}
	m1, m2 := newMirror(e, tg), newMirror(e, tg)
	m1.Batch, m2.Batch = 3, 3
	drain(t, m1)
	drain(t, m2)
	const n = 60
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, m := range []*coach.Mirror{m1, m2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				m.DrainAll(ctx)
			}
		}()
	}
	for i := range n {
		e.newDeal("ann", fmt.Sprint("d", i))
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(tg.ids()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	ids := tg.ids()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("change %s delivered twice", id)
		}
		seen[id] = true
	}
	if len(ids) != n {
		t.Fatalf("delivered %d, want %d", len(ids), n)
	}
}

func TestMirrorRow(t *testing.T) {
	e := newEnv(t, nil)
	e.setTeam(func(t *coach.Team) {
		t.Lang = "zh"
		t.Members["ann"].Name = "Ann Lee"
	})
	d, err := e.svc.CreateDeal(context.Background(), e.actor("ann"), e.team, coach.NewDeal{Name: "Acme", Customer: "Acme Co", Value: 1000, CloseDate: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	pb := playbook.Default()
	var m1 []string
	for _, it := range pb.Stages[0].Milestone {
		m1 = append(m1, it.ID)
	}
	e.tick("ann", d.ID, m1...)
	d = e.deal(d.ID)
	r := coach.MirrorRowOf(pb, e.team, d, e.clock.Now())
	wp := pb.Stages[0].WinProbability
	if r.StageReached != 1 || r.StageCompleted != 0 || r.WinProbability != wp || r.WeightedValue != 1000*int64(wp)/100 {
		t.Fatalf("row %+v", r)
	}
	if r.Owner != "Ann Lee" || r.Customer != "Acme Co" || r.Status != coach.StatusOpen || r.CloseDateAt.IsZero() {
		t.Fatalf("row %+v", r)
	}
	first := pb.Stages[0].Success[0]
	if r.NextStep != first.ID+" "+first.Text.ZH {
		t.Fatalf("next step %q, want the first success item in Chinese", r.NextStep)
	}
}

func TestMirrorSettings(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	tests := []struct {
		name     string
		user     string
		fn       func(a coach.Actor) error
		wantCode string
	}{
		{"rep may not set a base", "ann", func(a coach.Actor) error {
			_, err := e.svc.SetMirrorBase(ctx, a, "bascnAbCdEf123", "tblAbC123")
			return err
		}, coach.CodeForbidden},
		{"bad app token", "boss", func(a coach.Actor) error {
			_, err := e.svc.SetMirrorBase(ctx, a, "no/slashes", "tblAbC123")
			return err
		}, coach.CodeBadValue},
		{"bad table id", "boss", func(a coach.Actor) error {
			_, err := e.svc.SetMirrorBase(ctx, a, "bascnAbCdEf123", "view1")
			return err
		}, coach.CodeBadValue},
		{"plain http webhook", "boss", func(a coach.Actor) error {
			_, err := e.svc.SetMirrorWebhook(ctx, a, "http://example.com/hook", "0123456789abcdef")
			return err
		}, coach.CodeBadValue},
		{"short secret", "boss", func(a coach.Actor) error {
			_, err := e.svc.SetMirrorWebhook(ctx, a, "https://example.com/hook", "short")
			return err
		}, coach.CodeBadValue},
		{"rep may not resync", "ann", func(a coach.Actor) error {
			_, err := e.svc.MirrorResync(ctx, a)
			return err
		}, coach.CodeForbidden},
		{"rep may not see status", "bob", func(a coach.Actor) error {
			_, err := e.svc.MirrorStatus(ctx, a)
			return err
		}, coach.CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn(e.actor(tt.user))
			ce, ok := coach.AsError(err)
			if !ok || ce.Code != tt.wantCode {
				t.Fatalf("err %v, want code %s", err, tt.wantCode)
			}
			if strings.Contains(err.Error(), "0123456789abcdef") {
				t.Fatal("the secret is echoed in the error")
			}
		})
	}
	tm, err := e.svc.SetMirrorBase(ctx, e.actor("boss"), "bascnAbCdEf123", "tblAbC123")
	if err != nil || tm.Mirror.BaseAppToken != "bascnAbCdEf123" || tm.Mirror.BaseTableID != "tblAbC123" {
		t.Fatalf("SetMirrorBase = %+v, %v", tm.Mirror, err)
	}
	tm, err = e.svc.SetMirrorWebhook(ctx, e.actor("boss"), "https://example.com/hook", "0123456789abcdef")
	if err != nil || tm.Mirror.WebhookURL != "https://example.com/hook" || tm.Mirror.WebhookSecret != "0123456789abcdef" {
		t.Fatalf("SetMirrorWebhook = %+v, %v", tm.Mirror, err)
	}
	tm, err = e.svc.SetMirrorBase(ctx, e.actor("boss"), "off", "")
	if err != nil || tm.Mirror.BaseAppToken != "" || tm.Mirror.WebhookURL == "" {
		t.Fatalf("base off = %+v, %v", tm.Mirror, err)
	}
	// Resync with no subscribed target queues nothing, and says so.
	if n, err := e.svc.MirrorResync(ctx, e.actor("boss")); err != nil || n != 0 {
		t.Fatalf("resync = %d, %v", n, err)
	}
}

func FuzzValidWebhookURL(f *testing.F) {
	for _, s := range []string{"https://example.com/h", "http://127.0.0.1:8080/x", "http://localhost/", "ftp://x", "https://u:p@x/", "http://[::1]/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !coach.ValidWebhookURL(s) {
			return
		}
		// Whatever is accepted, net/url and net/http read the same way.
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.User != nil || u.Scheme != "https" && u.Scheme != "http" {
			t.Fatalf("accepted %q: %v %+v", s, err, u)
		}
		if u.Scheme == "http" && u.Hostname() != "localhost" && !net.ParseIP(u.Hostname()).IsLoopback() {
			t.Fatalf("accepted plain http to %q", u.Hostname())
		}
	})
}

// TestMirrorSettingsChangeResyncs: a new table or receiver gets every deal.
func TestMirrorSettingsChangeResyncs(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.newDeal("ann", "one")
	e.newDeal("bob", "two")
	for _, tg := range []string{coach.MirrorTargetBase, coach.MirrorTargetWebhook} {
		if _, err := e.store.SubscribeOutbox(ctx, "T1", tg); err != nil {
			t.Fatal(err)
		}
	}
	depth := func(tg string) int {
		st, err := e.store.OutboxStats(ctx, "T1", tg)
		if err != nil {
			t.Fatal(err)
		}
		return st.Depth
	}
	if _, err := e.svc.SetMirrorBase(ctx, e.actor("boss"), "bascnAbCdEf123", "tblAbC123"); err != nil {
		t.Fatal(err)
	}
	// Entries for one target are seen (and skipped) by the others too, so
	// count what the sender would deliver: entries for base or for all.
	es, _, err := e.store.ClaimOutbox(ctx, "T1", coach.MirrorTargetWebhook, "x", time.Minute, 100)
	if err != nil || len(es) != 2 || es[0].Target != coach.MirrorTargetBase {
		t.Fatalf("after team base: %d entries (%v), want 2 for larkbase", len(es), err)
	}
	// The same table again changes nothing.
	if _, err := e.svc.SetMirrorBase(ctx, e.actor("boss"), "bascnAbCdEf123", "tblAbC123"); err != nil {
		t.Fatal(err)
	}
	if d := depth(coach.MirrorTargetBase); d != 2 {
		t.Fatalf("depth %d after setting the same table, want 2", d)
	}
	if _, err := e.svc.SetMirrorWebhook(ctx, e.actor("boss"), "https://example.com/h", "0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if d := depth(coach.MirrorTargetWebhook); d != 4 {
		t.Fatalf("webhook depth %d, want 4 (2 skipped + 2 for it)", d)
	}
}

func TestValidWebhookURL(t *testing.T) {
	for _, tt := range []struct {
		u  string
		ok bool
	}{
		{"https://example.com/hook", true},
		{"https://example.com:8443/hook?token=x", true},
		{"https://example.com", true},
		{"https://[2001:db8::1]:443/h", true},
		{"http://localhost:8080/h", true},
		{"http://127.0.0.1/h", true},
		{"http://[::1]:9000/h", true},
		{"http://example.com/h", false},
		{"http://127.0.0.1.evil.com/h", false},
		{"https://user:pass@example.com/h", false},
		{"https://example.com:port/h", false},
		{"https:///h", false},
		{"https://exa mple.com/h", false},
		{"ftp://example.com", false},
		{"example.com/hook", false},
		{"https://[::1/h", false},
		{"", false},
	} {
		t.Run(tt.u, func(t *testing.T) {
			if got := coach.ValidWebhookURL(tt.u); got != tt.ok {
				t.Fatalf("ValidWebhookURL(%q) = %v, want %v", tt.u, got, tt.ok)
			}
		})
	}
}
