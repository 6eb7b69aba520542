package bot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// failingDeliveries fails every write while down is set.
type failingDeliveries struct {
	*MemoryDeliveries
	down atomic.Bool
}

func (f *failingDeliveries) Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error) {
	if f.down.Load() {
		return 0, errors.New("store down")
	}
	return f.MemoryDeliveries.Enqueue(ctx, it, owner, lease)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInboxAdmissions(t *testing.T) {
	store := &failingDeliveries{MemoryDeliveries: NewMemoryDeliveries()}
	pool := NewPool(1, 1, 5*time.Second, nil)
	defer pool.Close(context.Background())
	ib := NewInbox(store, pool, InboxConfig{Owner: "r1", Lease: time.Minute}, nil)
	var mu sync.Mutex
	ran := map[string]int{}
	block := make(chan struct{})
	ib.Handle("q", func(ctx context.Context, it coach.InboxItem) error {
		if string(it.Payload) == "slow" {
			<-block
		}
		mu.Lock()
		ran[it.Key]++
		mu.Unlock()
		return nil
	})
	ctx := context.Background()
	tests := []struct {
		name, key, payload string
		down               bool
		want               Admission
	}{
		{"first delivery", "k1", "x", false, Accepted},
		{"store down: nothing stored", "k2", "x", true, StoreDown},
		{"slow one occupies the worker", "k3", "slow", false, Accepted},
		{"one queued", "k4", "x", false, Accepted},
		{"queue full: shed before any write", "k5", "x", false, Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store.down.Store(tt.down)
			if tt.key != "k5" {
				waitFor(t, "queue empty (the slow job started)", func() bool { q, _, _ := pool.Stats(); return q == 0 })
			}
			got, _ := ib.Submit(ctx, "q", tt.key, []byte(tt.payload), nil)
			if got != tt.want {
				t.Fatalf("Submit(%s) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
	store.down.Store(false)
	if n, _ := store.InboxLen(ctx, "q"); n != 2 {
		t.Fatalf("%d items stored, want 2 (k3 running, k4 queued; k1 done, k2 and k5 refused)", n)
	}
	close(block)
	waitFor(t, "all done", func() bool { n, _ := store.InboxLen(ctx, "q"); return n == 0 })
	// Repeats of finished deliveries are duplicates; refused ones run now.
	for _, r := range []struct {
		key  string
		want Admission
	}{{"k1", Duplicate}, {"k3", Duplicate}, {"k2", Accepted}, {"k5", Accepted}} {
		waitFor(t, "queue empty", func() bool { q, _, _ := pool.Stats(); return q == 0 })
		if got, _ := ib.Submit(ctx, "q", r.key, []byte("x"), nil); got != r.want {
			t.Errorf("repeat of %s = %v, want %v", r.key, got, r.want)
		}
	}
	waitFor(t, "repeats done", func() bool { n, _ := store.InboxLen(ctx, "q"); return n == 0 })
	mu.Lock()
	defer mu.Unlock()
	for _, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
		if ran[k] != 1 {
			t.Errorf("%s ran %d times, want 1", k, ran[k])
		}
	}
}

// TestInboxRecoversAfterCrash: deliveries leased by a replica that died
// are claimed after the lease by another and run once each; a failing run
// is given back and runs again.
func TestInboxRecoversAfterCrash(t *testing.T) {
	store := NewMemoryDeliveries()
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		if st, err := store.Enqueue(ctx, &coach.InboxItem{Key: k, Queue: "q", Payload: []byte(k)}, "dead", 50*time.Millisecond); err != nil || st != coach.MarkClaimed {
			t.Fatal(st, err)
		}
	}
	pool := NewPool(2, 8, time.Second, nil)
	defer pool.Close(context.Background())
	ib := NewInbox(store, pool, InboxConfig{Owner: "alive", Lease: 5 * time.Second, Poll: 10 * time.Millisecond}, nil)
	var mu sync.Mutex
	runs := map[string][]int{}
	ib.Handle("q", func(ctx context.Context, it coach.InboxItem) error {
		mu.Lock()
		defer mu.Unlock()
		runs[it.Key] = append(runs[it.Key], it.Attempts)
		if it.Key == "b" && len(runs["b"]) == 1 {
			return errors.New("transient")
		}
		return nil
	})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go ib.Run(rctx)
	waitFor(t, "all recovered", func() bool { n, _ := store.InboxLen(ctx, "q"); return n == 0 })
	mu.Lock()
	defer mu.Unlock()
	if len(runs["a"]) != 1 || len(runs["c"]) != 1 || len(runs["b"]) != 2 {
		t.Fatalf("runs %v: want a and c once, b twice (given back once)", runs)
	}
	if runs["a"][0] != 2 || runs["b"][1] != 3 {
		t.Fatalf("attempts %v: the dead replica's claim counts as the first", runs)
	}
	for _, k := range []string{"a", "b", "c"} {
		if st, _ := store.BeginEvent(ctx, k, "x", time.Minute); st != coach.MarkDone {
			t.Errorf("%s is %v, want done", k, st)
		}
	}
}

// TestInboxGivesBackWhenLeaseRunsLow: a delivery whose lease would end
// before a whole job could is not started (another replica may claim it);
// it is given back and claimed fresh.
func TestInboxGivesBackWhenLeaseRunsLow(t *testing.T) {
	store := NewMemoryDeliveries()
	pool := NewPool(1, 4, 300*time.Millisecond, nil)
	defer pool.Close(context.Background())
	// Lease shorter than the job timeout: every fresh start is refused.
	ib := NewInbox(store, pool, InboxConfig{Owner: "r", Lease: 100 * time.Millisecond}, nil)
	var n atomic.Int32
	ib.Handle("q", func(context.Context, coach.InboxItem) error { n.Add(1); return nil })
	if got, _ := ib.Submit(context.Background(), "q", "k", nil, nil); got != Accepted {
		t.Fatal(got)
	}
	waitFor(t, "given back", func() bool {
		st, _ := store.BeginEvent(context.Background(), "k", "other", time.Minute)
		return st == coach.MarkClaimed
	})
	if n.Load() != 0 {
		t.Fatal("ran on a lease that could end mid-job")
	}
}
