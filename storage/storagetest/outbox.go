package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// runOutbox runs the coach.OutboxStore part of the suite.
func runOutbox(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"NoSubscriberNoEntries", testOutboxNoSubscriber},
		{"EntriesWithDealWrites", testOutboxEntries},
		{"FailedWriteQueuesNothing", testOutboxFailedWrite},
		{"LeaseAndAck", testOutboxLease},
		{"LeaseExpiry", testOutboxLeaseExpiry},
		{"TwoTargets", testOutboxTwoTargets},
		{"Resync", testOutboxResync},
		{"Stats", testOutboxStats},
		{"MirrorRefs", testMirrorRefs},
		{"ConcurrentClaims", testOutboxConcurrentClaims},
	}
	for _, tt := range tests {
		t.Run("Outbox/"+tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func mustSubscribe(t *testing.T, s coach.Store, team, target string) {
	t.Helper()
	if _, err := s.SubscribeOutbox(ctxT(t), team, target); err != nil {
		t.Fatalf("SubscribeOutbox(%q, %q): %v", team, target, err)
	}
}

func claim(t *testing.T, s coach.Store, team, target, holder string, limit int) ([]coach.OutboxEntry, bool) {
	t.Helper()
	es, ok, err := s.ClaimOutbox(ctxT(t), team, target, holder, time.Minute, limit)
	if err != nil {
		t.Fatalf("ClaimOutbox(%q, %q, %q): %v", team, target, holder, err)
	}
	return es, ok
}

func seqs(es []coach.OutboxEntry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func testOutboxNoSubscriber(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := mustCreate(t, s, newDeal("T", "u", "before", base))
	if _, _, err := s.ClaimOutbox(ctx, "T", "hook", "a", time.Minute, 10); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("claim without subscription: err %v, want ErrNotFound", err)
	}
	if _, err := s.OutboxStats(ctx, "T", "hook"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("stats without subscription: err %v, want ErrNotFound", err)
	}
	if n, err := s.EnqueueResync(ctx, "T", "", base); err != nil || n != 0 {
		t.Fatalf("resync without subscribers = %d, %v; want 0, nil", n, err)
	}
	created, err := s.SubscribeOutbox(ctx, "T", "hook")
	if err != nil || !created {
		t.Fatalf("first SubscribeOutbox = %v, %v; want true, nil", created, err)
	}
	if again, err := s.SubscribeOutbox(ctx, "T", "hook"); err != nil || again {
		t.Fatalf("second SubscribeOutbox = %v, %v; want false, nil", again, err)
	}
	// The change made before the subscription is not queued.
	if es, ok := claim(t, s, "T", "hook", "a", 10); !ok || len(es) != 0 {
		t.Fatalf("claim after subscribing = %v (ok %v), want nothing", seqs(es), ok)
	}
	d.Name = "after"
	if err := s.UpdateDeal(ctx, d, []coach.Event{ev("edit", "u", base)}); err != nil {
		t.Fatal(err)
	}
	if es, _ := claim(t, s, "T", "hook", "a", 10); len(es) != 1 || es[0].Deal.Name != "after" {
		t.Fatalf("claim after update = %+v, want the update", es)
	}
	ts, err := s.OutboxTargets(ctx, "T")
	if err != nil || fmt.Sprint(ts) != "[hook]" {
		t.Fatalf("OutboxTargets = %v, %v; want [hook]", ts, err)
	}
	// Another team's writes are not in T's outbox.
	mustCreate(t, s, newDeal("U", "u", "other team", base))
	if es, _ := claim(t, s, "T", "hook", "a", 10); len(es) != 1 {
		t.Fatalf("claim after another team's write = %v, want 1 entry", seqs(es))
	}
}

func testOutboxEntries(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "base")
	d := mustCreate(t, s, newDeal("T", "u", "Acme", base), ev("create", "u", base))
	d.Value = 500
	d.UpdatedAt = base.Add(time.Minute)
	if err := s.UpdateDeal(ctx, d, []coach.Event{ev("info", "u", base.Add(time.Minute)), ev("check", "u", base.Add(time.Minute))}); err != nil {
		t.Fatal(err)
	}
	es, ok := claim(t, s, "T", "base", "a", 10)
	if !ok || len(es) != 2 {
		t.Fatalf("claim = %d entries (ok %v), want 2", len(es), ok)
	}
	if es[0].Seq <= 0 || es[1].Seq <= es[0].Seq {
		t.Fatalf("seqs %v: want increasing from ≥1", seqs(es))
	}
	c, u := es[0], es[1]
	if c.Kind != coach.OutboxCreate || u.Kind != coach.OutboxUpdate {
		t.Fatalf("kinds %q %q, want create, update", c.Kind, u.Kind)
	}
	if c.Team != "T" || c.Deal.ID != d.ID || c.Deal.Version != 1 || c.Deal.Value != 0 {
		t.Fatalf("create entry carries %+v, want version 1 of %s", c.Deal, d.ID)
	}
	sameDeal(t, u.Deal, d)
	want := []coach.Event{ev("info", "u", base.Add(time.Minute)), ev("check", "u", base.Add(time.Minute))}
	for i := range want {
		want[i].Team, want[i].Deal = "T", d.ID
	}
	sameEvents(t, u.Events, want)
	if len(c.Events) != 1 || c.Events[0].Deal != d.ID || c.Events[0].Kind != "create" {
		t.Fatalf("create entry events %+v", c.Events)
	}
	if !u.At.Equal(d.UpdatedAt.Truncate(time.Millisecond)) && !u.At.Equal(d.UpdatedAt) {
		t.Fatalf("update entry At %v, want the deal's UpdatedAt %v", u.At, d.UpdatedAt)
	}
	// A limit bounds the claim, oldest first.
	if es, _ := claim(t, s, "T", "base", "a", 1); len(es) != 1 || es[0].Seq != c.Seq {
		t.Fatalf("claim limit 1 = %v, want [%d]", seqs(es), c.Seq)
	}
}

func testOutboxFailedWrite(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "base")
	d := mustCreate(t, s, newDeal("T", "u", "Acme", base))
	stale := d.Clone()
	d.Name = "first"
	if err := s.UpdateDeal(ctx, d, []coach.Event{ev("edit", "u", base)}); err != nil {
		t.Fatal(err)
	}
	stale.Name = "loser"
	if err := s.UpdateDeal(ctx, stale, []coach.Event{ev("edit", "u", base)}); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	missing := newDeal("T", "u", "ghost", base)
	missing.ID, missing.Version = "D-99", 1
	if err := s.UpdateDeal(ctx, missing, []coach.Event{ev("edit", "u", base)}); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("missing update: %v, want ErrNotFound", err)
	}
	es, _ := claim(t, s, "T", "base", "a", 10)
	if len(es) != 2 || es[1].Deal.Name != "first" {
		t.Fatalf("entries %d, want create + one update named first", len(es))
	}
}

func testOutboxLease(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "hook")
	for i := range 3 {
		mustCreate(t, s, newDeal("T", "u", fmt.Sprint("d", i), base))
	}
	es, ok := claim(t, s, "T", "hook", "a", 2)
	if !ok || len(es) != 2 {
		t.Fatalf("a's claim = %v, ok %v", seqs(es), ok)
	}
	if es2, ok := claim(t, s, "T", "hook", "b", 10); ok || len(es2) != 0 {
		t.Fatalf("b's claim while a holds the lease = %v, ok %v; want nothing", seqs(es2), ok)
	}
	if err := s.AckOutbox(ctx, "T", "hook", "b", es[1].Seq); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("b's ack: %v, want ErrConflict", err)
	}
	if err := s.AckOutbox(ctx, "T", "hook", "a", es[1].Seq); err != nil {
		t.Fatalf("a's ack: %v", err)
	}
	// Acking an older seq again is harmless and does not move back.
	if err := s.AckOutbox(ctx, "T", "hook", "a", es[0].Seq); err != nil {
		t.Fatalf("a's repeated ack: %v", err)
	}
	rest, ok := claim(t, s, "T", "hook", "a", 10)
	if !ok || len(rest) != 1 || rest[0].Seq <= es[1].Seq {
		t.Fatalf("claim after ack = %v, want only the third entry", seqs(rest))
	}
	if err := s.ReleaseOutbox(ctx, "T", "hook", "b"); err != nil {
		t.Fatal(err)
	}
	if _, ok := claim(t, s, "T", "hook", "b", 10); ok {
		t.Fatal("b's release freed a's lease")
	}
	if err := s.ReleaseOutbox(ctx, "T", "hook", "a"); err != nil {
		t.Fatal(err)
	}
	got, ok := claim(t, s, "T", "hook", "b", 10)
	if !ok || fmt.Sprint(seqs(got)) != fmt.Sprint(seqs(rest)) {
		t.Fatalf("b's claim after a released = %v ok %v, want %v", seqs(got), ok, seqs(rest))
	}
	if err := s.AckOutbox(ctx, "T", "hook", "b", got[0].Seq); err != nil {
		t.Fatal(err)
	}
	st, err := s.OutboxStats(ctx, "T", "hook")
	if err != nil || st.Depth != 0 {
		t.Fatalf("stats after everything acked = %+v, %v", st, err)
	}
}

func testOutboxLeaseExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "hook")
	mustCreate(t, s, newDeal("T", "u", "d", base))
	es, ok, err := s.ClaimOutbox(ctx, "T", "hook", "a", 300*time.Millisecond, 10)
	if err != nil || !ok || len(es) != 1 {
		t.Fatalf("claim = %v %v %v", seqs(es), ok, err)
	}
	// a dies without acking: once the lease expires b gets the entry.
	var got []coach.OutboxEntry
	eventually(t, "b's claim after a's lease expired", func() bool {
		var ok bool
		got, ok, err = s.ClaimOutbox(ctx, "T", "hook", "b", time.Minute, 10)
		return err == nil && ok
	})
	if len(got) != 1 || got[0].Seq != es[0].Seq {
		t.Fatalf("b got %v, want %v", seqs(got), seqs(es))
	}
	// a's late ack is refused: b holds the lease now.
	if err := s.AckOutbox(ctx, "T", "hook", "a", es[0].Seq); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("late ack: %v, want ErrConflict", err)
	}
}

func testOutboxTwoTargets(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "base")
	mustSubscribe(t, s, "T", "hook")
	mustCreate(t, s, newDeal("T", "u", "one", base))
	mustCreate(t, s, newDeal("T", "u", "two", base))
	b, _ := claim(t, s, "T", "base", "a", 10)
	h, _ := claim(t, s, "T", "hook", "a", 10)
	if len(b) != 2 || len(h) != 2 {
		t.Fatalf("each target sees both entries: base %v hook %v", seqs(b), seqs(h))
	}
	if err := s.AckOutbox(ctx, "T", "base", "a", b[1].Seq); err != nil {
		t.Fatal(err)
	}
	// hook has not acked: its entries stay.
	if h2, _ := claim(t, s, "T", "hook", "a", 10); len(h2) != 2 {
		t.Fatalf("hook after base acked = %v, want both", seqs(h2))
	}
	if st, err := s.OutboxStats(ctx, "T", "base"); err != nil || st.Depth != 0 {
		t.Fatalf("base stats = %+v, %v; want depth 0", st, err)
	}
	// Unsubscribing hook lets its entries go; base keeps working.
	if err := s.UnsubscribeOutbox(ctx, "T", "hook"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ClaimOutbox(ctx, "T", "hook", "a", time.Minute, 10); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("claim after unsubscribe: %v, want ErrNotFound", err)
	}
	if ts, _ := s.OutboxTargets(ctx, "T"); fmt.Sprint(ts) != "[base]" {
		t.Fatalf("targets after unsubscribe = %v", ts)
	}
	mustCreate(t, s, newDeal("T", "u", "three", base))
	if b2, _ := claim(t, s, "T", "base", "a", 10); len(b2) != 1 || b2[0].Deal.Name != "three" {
		t.Fatalf("base after unsubscribe of hook = %v", seqs(b2))
	}
}

func testOutboxResync(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d1 := mustCreate(t, s, newDeal("T", "u", "one", base))
	mustCreate(t, s, newDeal("T", "u", "two", base))
	d1.Name = "one, renamed"
	if err := s.UpdateDeal(ctx, d1, []coach.Event{ev("edit", "u", base)}); err != nil {
		t.Fatal(err)
	}
	mustSubscribe(t, s, "T", "base")
	mustSubscribe(t, s, "T", "hook")
	at := base.Add(time.Hour)
	n, err := s.EnqueueResync(ctx, "T", "base", at)
	if err != nil || n != 2 {
		t.Fatalf("EnqueueResync = %d, %v; want 2", n, err)
	}
	es, _ := claim(t, s, "T", "base", "a", 10)
	if len(es) != 2 {
		t.Fatalf("resync entries = %d, want 2", len(es))
	}
	names := map[string]string{}
	for _, e := range es {
		if e.Kind != coach.OutboxResync || e.Target != "base" || len(e.Events) != 0 || !e.At.Equal(at.Truncate(time.Millisecond)) {
			t.Fatalf("resync entry %+v", e)
		}
		names[e.Deal.ID] = e.Deal.Name
	}
	if names[d1.ID] != "one, renamed" || names["D-2"] != "two" {
		t.Fatalf("resync carries %v, want the current states", names)
	}
	// The other target sees the entries too (marked for base) and skips them.
	if h, _ := claim(t, s, "T", "hook", "a", 10); len(h) != 2 || h[0].Target != "base" {
		t.Fatalf("hook's view of base's resync = %+v", h)
	}
	if n, err := s.EnqueueResync(ctx, "T", "", at); err != nil || n != 2 {
		t.Fatalf("resync for all = %d, %v", n, err)
	}
	if h, _ := claim(t, s, "T", "hook", "a", 10); len(h) != 4 || h[3].Target != "" {
		t.Fatalf("hook after resync for all = %d entries", len(h))
	}
}

func testOutboxStats(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "hook")
	st, err := s.OutboxStats(ctx, "T", "hook")
	if err != nil || st.Depth != 0 || !st.Oldest.IsZero() {
		t.Fatalf("empty stats = %+v, %v", st, err)
	}
	d := newDeal("T", "u", "one", base)
	mustCreate(t, s, d)
	d2 := newDeal("T", "u", "two", base.Add(time.Hour))
	mustCreate(t, s, d2)
	st, err = s.OutboxStats(ctx, "T", "hook")
	if err != nil || st.Depth != 2 || !st.Oldest.Equal(base.Truncate(time.Millisecond)) && !st.Oldest.Equal(base) {
		t.Fatalf("stats = %+v, %v; want depth 2, oldest %v", st, err, base)
	}
	es, _ := claim(t, s, "T", "hook", "a", 1)
	if err := s.AckOutbox(ctx, "T", "hook", "a", es[0].Seq); err != nil {
		t.Fatal(err)
	}
	st, _ = s.OutboxStats(ctx, "T", "hook")
	if st.Depth != 1 || !normTime(st.Oldest).Equal(normTime(d2.UpdatedAt)) && !st.Oldest.Equal(d2.UpdatedAt.Truncate(time.Millisecond)) {
		t.Fatalf("stats after one ack = %+v, want depth 1 oldest %v", st, d2.UpdatedAt)
	}
}

func testMirrorRefs(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if err := s.PutMirrorRefs(ctx, "T", "base:app/tbl", map[string]string{"D-1": "rec1", "D-2": "rec2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMirrorRefs(ctx, "T", "base:other", map[string]string{"D-1": "x"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.MirrorRefs(ctx, "T", "base:app/tbl", []string{"D-1", "D-2", "D-3"})
	if err != nil || len(got) != 2 || got["D-1"] != "rec1" || got["D-2"] != "rec2" {
		t.Fatalf("MirrorRefs = %v, %v", got, err)
	}
	if err := s.PutMirrorRefs(ctx, "T", "base:app/tbl", map[string]string{"D-1": ""}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.MirrorRefs(ctx, "T", "base:app/tbl", []string{"D-1", "D-2"})
	if len(got) != 1 || got["D-2"] != "rec2" {
		t.Fatalf("after delete = %v", got)
	}
	if got, _ := s.MirrorRefs(ctx, "U", "base:app/tbl", []string{"D-2"}); len(got) != 0 {
		t.Fatalf("another team sees %v", got)
	}
	if got, _ := s.MirrorRefs(ctx, "T", "base:other", []string{"D-1"}); got["D-1"] != "x" {
		t.Fatalf("scopes mixed: %v", got)
	}
}

// testOutboxConcurrentClaims: holders racing for one target never get the
// same entry while each acks what it got.
func testOutboxConcurrentClaims(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	mustSubscribe(t, s, "T", "hook")
	const n = 40
	for i := range n {
		mustCreate(t, s, newDeal("T", "u", fmt.Sprint("d", i), base))
	}
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	for _, h := range []string{"a", "b", "c", "d"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				es, ok, err := s.ClaimOutbox(ctx, "T", "hook", h, time.Minute, 3)
				if err != nil {
					errc <- err
					return
				}
				if !ok {
					continue
				}
				mu.Lock()
				for _, e := range es {
					if prev, dup := seen[e.Seq]; dup {
						mu.Unlock()
						errc <- fmt.Errorf("entry %d claimed by %s and %s", e.Seq, prev, h)
						return
					}
					seen[e.Seq] = h
				}
				mu.Unlock()
				if len(es) > 0 {
					if err := s.AckOutbox(ctx, "T", "hook", h, es[len(es)-1].Seq); err != nil {
						errc <- err
						return
					}
				}
				// Hand over so the others get a turn.
				if err := s.ReleaseOutbox(ctx, "T", "hook", h); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("%d entries delivered, want %d", len(seen), n)
	}
}
