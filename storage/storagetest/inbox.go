package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// Delivery marks, the inbox and deal update tokens (coach.InboxStore,
// coach.UpdateToken). Leases and marks expire after 300 ms here.

func runInbox(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"Marks", testMarks},
		{"MarkLeaseExpiry", testMarkLeaseExpiry},
		{"MarkConcurrentBegin", testMarkConcurrent},
		{"Inbox", testInbox},
		{"InboxAbandon", testInboxAbandon},
		{"UpdateTokens", testUpdateTokens},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func wantMark(t *testing.T, what string, got coach.MarkState, err error, want coach.MarkState) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func testMarks(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	st, err := s.BeginEvent(ctx, "slack:ev:T:E1", "r1", time.Hour)
	wantMark(t, "first Begin", st, err, coach.MarkClaimed)
	st, err = s.BeginEvent(ctx, "slack:ev:T:E1", "r2", time.Hour)
	wantMark(t, "Begin while leased", st, err, coach.MarkInProgress)
	st, err = s.BeginEvent(ctx, "slack:ev:T:E1", "r1", time.Hour)
	wantMark(t, "Begin by the holder again", st, err, coach.MarkInProgress)
	// A non-holder cannot abandon; the holder can, and the key runs again.
	if err := s.AbandonEvent(ctx, "slack:ev:T:E1", "r2"); err != nil {
		t.Fatal(err)
	}
	st, err = s.BeginEvent(ctx, "slack:ev:T:E1", "r3", time.Hour)
	wantMark(t, "Begin after a stranger's Abandon", st, err, coach.MarkInProgress)
	if err := s.AbandonEvent(ctx, "slack:ev:T:E1", "r1"); err != nil {
		t.Fatal(err)
	}
	st, err = s.BeginEvent(ctx, "slack:ev:T:E1", "r3", time.Hour)
	wantMark(t, "Begin after Abandon", st, err, coach.MarkClaimed)
	if err := s.FinishEvent(ctx, "slack:ev:T:E1", time.Hour); err != nil {
		t.Fatal(err)
	}
	st, err = s.BeginEvent(ctx, "slack:ev:T:E1", "r4", time.Hour)
	wantMark(t, "Begin after Finish", st, err, coach.MarkDone)
	// Abandon of a done key changes nothing.
	if err := s.AbandonEvent(ctx, "slack:ev:T:E1", "r3"); err != nil {
		t.Fatal(err)
	}
	st, err = s.BeginEvent(ctx, "slack:ev:T:E1", "r4", time.Hour)
	wantMark(t, "Begin after Abandon of a done key", st, err, coach.MarkDone)
	// Keys are independent, whatever their bytes; Finish without Begin works.
	for _, k := range []string{"slack:ev:T:E2", "lark:ev:T:E1", "a}{b", "a\x00", ""} {
		st, err = s.BeginEvent(ctx, k, "r1", time.Hour)
		wantMark(t, fmt.Sprintf("Begin(%q)", k), st, err, coach.MarkClaimed)
	}
	if err := s.FinishEvent(ctx, "never begun", time.Hour); err != nil {
		t.Fatal(err)
	}
	st, err = s.BeginEvent(ctx, "never begun", "r1", time.Hour)
	wantMark(t, "Begin after a bare Finish", st, err, coach.MarkDone)
}

func testMarkLeaseExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	const short = 300 * time.Millisecond
	st, err := s.BeginEvent(ctx, "k", "dead", short)
	wantMark(t, "Begin", st, err, coach.MarkClaimed)
	// The worker died: once its lease ends, a retry runs.
	eventually(t, "expired lease taken over", func() bool {
		st, err := s.BeginEvent(ctx, "k", "alive", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return st == coach.MarkClaimed
	})
	if err := s.FinishEvent(ctx, "k", short); err != nil {
		t.Fatal(err)
	}
	st, err = s.BeginEvent(ctx, "k", "x", time.Hour)
	wantMark(t, "Begin right after Finish", st, err, coach.MarkDone)
	eventually(t, "done mark expires", func() bool {
		st, err := s.BeginEvent(ctx, "k", "x", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return st == coach.MarkClaimed
	})
}

func testMarkConcurrent(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[coach.MarkState]int{}
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var st coach.MarkState
			var err error
			if i%2 == 0 {
				st, err = s.BeginEvent(ctx, "race", fmt.Sprint("w", i), time.Hour)
			} else {
				st, err = s.Enqueue(ctx, &coach.InboxItem{Key: "race", Queue: "q", Payload: []byte("x")}, fmt.Sprint("w", i), time.Hour)
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			counts[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[coach.MarkClaimed] != 1 || counts[coach.MarkInProgress] != 19 {
		t.Fatalf("20 concurrent claims: %v, want 1 claimed and 19 in progress", counts)
	}
}

func testInbox(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	const short = 300 * time.Millisecond
	it := &coach.InboxItem{Key: "slack:cmd:T:abc", Queue: "slack", Payload: []byte(`{"text":"note D-1 hi"}`)}
	st, err := s.Enqueue(ctx, it, "r1", short)
	wantMark(t, "Enqueue", st, err, coach.MarkClaimed)
	if it.Attempts != 1 {
		t.Fatalf("Attempts %d, want 1", it.Attempts)
	}
	dup := &coach.InboxItem{Key: it.Key, Queue: "slack", Payload: []byte("other")}
	st, err = s.Enqueue(ctx, dup, "r2", time.Hour)
	wantMark(t, "Enqueue of a leased key", st, err, coach.MarkInProgress)
	other := &coach.InboxItem{Key: "lark:ev:T:1", Queue: "lark", Payload: []byte("l")}
	st, err = s.Enqueue(ctx, other, "r1", time.Hour)
	wantMark(t, "Enqueue on another queue", st, err, coach.MarkClaimed)
	if n, err := s.InboxLen(ctx, "slack"); err != nil || n != 1 {
		t.Fatalf("InboxLen(slack) = %d, %v; want 1", n, err)
	}
	if got, err := s.ClaimExpired(ctx, "slack", "r2", time.Hour, 10); err != nil || len(got) != 0 {
		t.Fatalf("ClaimExpired while leased: %v, %v; want none", got, err)
	}
	// r1 dies: after the lease, r2 claims the item with its payload.
	var got []coach.InboxItem
	eventually(t, "expired item claimed", func() bool {
		got, err = s.ClaimExpired(ctx, "slack", "r2", time.Hour, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(got) > 0
	})
	if len(got) != 1 || got[0].Key != it.Key || got[0].Queue != "slack" || string(got[0].Payload) != string(it.Payload) || got[0].Attempts != 2 {
		t.Fatalf("claimed %+v, want the item with attempt 2", got)
	}
	// Claimed: leased to r2, so neither a retry nor another sweep takes it.
	st, err = s.Enqueue(ctx, dup, "r3", time.Hour)
	wantMark(t, "Enqueue of a claimed key", st, err, coach.MarkInProgress)
	if again, err := s.ClaimExpired(ctx, "slack", "r3", time.Hour, 10); err != nil || len(again) != 0 {
		t.Fatalf("second ClaimExpired: %v, %v; want none", again, err)
	}
	if err := s.FinishEvent(ctx, it.Key, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, err := s.InboxLen(ctx, "slack"); err != nil || n != 0 {
		t.Fatalf("InboxLen after Finish = %d, %v; want 0", n, err)
	}
	st, err = s.Enqueue(ctx, dup, "r3", time.Hour)
	wantMark(t, "Enqueue of a done key", st, err, coach.MarkDone)
	if n, err := s.InboxLen(ctx, "slack"); err != nil || n != 0 {
		t.Fatalf("InboxLen after a duplicate = %d, %v; want 0", n, err)
	}
	if n, err := s.InboxLen(ctx, "lark"); err != nil || n != 1 {
		t.Fatalf("InboxLen(lark) = %d, %v; want 1", n, err)
	}
	if got, err := s.ClaimExpired(ctx, "slack", "r3", time.Hour, 0); err != nil || len(got) != 0 {
		t.Fatalf("ClaimExpired n=0: %v, %v", got, err)
	}
}

func testInboxAbandon(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	for i := range 3 {
		it := &coach.InboxItem{Key: fmt.Sprint("k", i), Queue: "q", Payload: []byte{byte(i)}}
		st, err := s.Enqueue(ctx, it, "r1", time.Hour)
		wantMark(t, "Enqueue", st, err, coach.MarkClaimed)
	}
	// The worker gives up on k1 (shutting down): claimable at once.
	if err := s.AbandonEvent(ctx, "k1", "r1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimExpired(ctx, "q", "r2", time.Hour, 10)
	if err != nil || len(got) != 1 || got[0].Key != "k1" || got[0].Payload[0] != 1 {
		t.Fatalf("ClaimExpired after Abandon: %+v, %v; want k1", got, err)
	}
	// n bounds the claim.
	for _, k := range []string{"k0", "k2"} {
		if err := s.AbandonEvent(ctx, k, "r1"); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.ClaimExpired(ctx, "q", "r2", time.Hour, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("ClaimExpired n=1: %+v, %v", got, err)
	}
}

// testUpdateTokens: a repeat of one update token is applied once; two
// updates with equal bytes and distinct tokens are both applied.
func testUpdateTokens(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	d := mustCreate(t, s, newDeal("A", "u", "tok", base))
	upd := func(tok string, from *coach.Deal) error {
		c := from.Clone()
		c.Notes = append(c.Notes, coach.Note{By: "u", At: base, Text: "same"})
		err := s.UpdateDeal(coach.WithUpdateToken(ctx, tok), c, []coach.Event{{At: base, By: "u", Kind: "note", After: "same"}})
		if err == nil {
			from.Version = c.Version
		}
		return err
	}
	v1 := d.Clone()
	if err := upd("t1", v1); err != nil {
		t.Fatal(err)
	}
	// The same update again, from the same base (its reply was lost) and
	// from the new state (the delivery ran again): applied once.
	again := d.Clone()
	if err := upd("t1", again); err != nil {
		t.Fatalf("repeat of t1 from the old version: %v", err)
	}
	if again.Version != 2 {
		t.Fatalf("repeat reports version %d, want 2", again.Version)
	}
	fresh := mustGet(t, s, "A", d.ID)
	if err := upd("t1", fresh); err != nil {
		t.Fatalf("repeat of t1 from the new version: %v", err)
	}
	if h, _ := s.History(ctx, "A", d.ID, 0); len(h) != 2 {
		t.Fatalf("%d events after three tries of one update, want 2", len(h))
	}
	// Identical bytes, distinct tokens: the second is a conflict, not a
	// "retry", and both land once each after re-reading.
	a, b := mustGet(t, s, "A", d.ID), mustGet(t, s, "A", d.ID)
	if err := upd("t2", a); err != nil {
		t.Fatal(err)
	}
	if err := upd("t3", b); err == nil {
		t.Fatal("an identical update with another token from a stale version succeeded: its event would be lost")
	}
	b = mustGet(t, s, "A", d.ID)
	if err := upd("t3", b); err != nil {
		t.Fatal(err)
	}
	// A repeat is still recognized after many other writes (a re-run
	// after a lease on a busy deal).
	for i := range 100 {
		if err := upd(fmt.Sprint("other-", i), b); err != nil {
			t.Fatal(err)
		}
	}
	if err := upd("t2", mustGet(t, s, "A", d.ID)); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, "A", d.ID, 0)
	if err != nil || len(h) != 104 {
		t.Fatalf("%d events, %v; want 104 (t2 repeated after 100 others must not write)", len(h), err)
	}
	h = h[:4]
	if err != nil || len(h) != 4 {
		t.Fatalf("%d events, %v; want 4 (create and three distinct notes)", len(h), err)
	}
	if got := mustGet(t, s, "A", d.ID); got.Version != 104 {
		t.Fatalf("deal at version %d, want 104", got.Version)
	}
}
