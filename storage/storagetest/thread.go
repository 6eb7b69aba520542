package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// runThreads is the chat-thread part of the suite (coach.ThreadStore).
func runThreads(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coach.Store)
	}{
		{"ThreadRoundTrip", testThreadRoundTrip},
		{"ThreadOverwrite", testThreadOverwrite},
		{"ThreadExpiry", testThreadExpiry},
		{"ThreadOddKeys", testThreadOddKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// threadIs checks which deal keys resolve to ("" = ErrNotFound).
func threadIs(t *testing.T, s coach.Store, team string, keys []string, want string) {
	t.Helper()
	got, err := s.ThreadDeal(ctxT(t), team, keys)
	switch {
	case want == "" && !errors.Is(err, coach.ErrNotFound):
		t.Errorf("ThreadDeal(%s, %q) = %q, %v; want ErrNotFound", team, keys, got, err)
	case want != "" && (err != nil || got != want):
		t.Errorf("ThreadDeal(%s, %q) = %q, %v; want %s", team, keys, got, err, want)
	}
}

func testThreadRoundTrip(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	threadIs(t, s, "A", []string{"slack/C1/1.1"}, "")
	if err := s.PutThread(ctx, "A", []string{"lark/oc1/om_card", "lark/oc1/om_root"}, "D-1", time.Hour); err != nil {
		t.Fatalf("PutThread: %v", err)
	}
	threadIs(t, s, "A", []string{"lark/oc1/om_card"}, "D-1")
	threadIs(t, s, "A", []string{"lark/oc1/om_root"}, "D-1")
	// the first key that is tied answers
	threadIs(t, s, "A", []string{"lark/oc1/om_other", "lark/oc1/om_root"}, "D-1")
	threadIs(t, s, "A", []string{"lark/oc1/om_other"}, "")
	// teams are apart
	threadIs(t, s, "B", []string{"lark/oc1/om_card"}, "")
	if err := s.PutThread(ctx, "B", []string{"lark/oc1/om_card"}, "D-7", time.Hour); err != nil {
		t.Fatal(err)
	}
	threadIs(t, s, "A", []string{"lark/oc1/om_card"}, "D-1")
	threadIs(t, s, "B", []string{"lark/oc1/om_card"}, "D-7")
}

// testThreadOverwrite: a later card in the same thread takes its place;
// the keys it does not name keep their deal; order decides between keys.
func testThreadOverwrite(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if err := s.PutThread(ctx, "A", []string{"k1", "k2"}, "D-1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.PutThread(ctx, "A", []string{"k1", "k3"}, "D-2", time.Hour); err != nil {
		t.Fatal(err)
	}
	threadIs(t, s, "A", []string{"k1"}, "D-2")
	threadIs(t, s, "A", []string{"k2"}, "D-1")
	threadIs(t, s, "A", []string{"k2", "k1"}, "D-1")
	threadIs(t, s, "A", []string{"k3", "k2"}, "D-2")
}

func testThreadExpiry(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	if err := s.PutThread(ctx, "A", []string{"short"}, "D-1", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.PutThread(ctx, "A", []string{"long"}, "D-2", time.Hour); err != nil {
		t.Fatal(err)
	}
	// a put renews: "renewed" was short, then long
	if err := s.PutThread(ctx, "A", []string{"renewed"}, "D-3", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.PutThread(ctx, "A", []string{"renewed"}, "D-3", time.Hour); err != nil {
		t.Fatal(err)
	}
	eventually(t, "short thread expires", func() bool {
		_, err := s.ThreadDeal(ctx, "A", []string{"short"})
		if err != nil && !errors.Is(err, coach.ErrNotFound) {
			t.Fatalf("ThreadDeal: %v", err)
		}
		return err != nil
	})
	// an expired key does not hide a live one after it
	threadIs(t, s, "A", []string{"short", "long"}, "D-2")
	threadIs(t, s, "A", []string{"renewed"}, "D-3")
	// an expired key can be tied again
	if err := s.PutThread(ctx, "A", []string{"short"}, "D-4", time.Hour); err != nil {
		t.Fatal(err)
	}
	threadIs(t, s, "A", []string{"short"}, "D-4")
	if err := s.PutThread(ctx, "A", []string{"zero"}, "D-1", 0); err == nil {
		t.Error("PutThread with ttl 0 succeeded")
	}
	threadIs(t, s, "A", []string{"zero"}, "")
}

func testThreadOddKeys(t *testing.T, s coach.Store) {
	ctx := ctxT(t)
	odd := []string{"5:slack2:C1}{1.2", "a:b", "a", "%-", "", "线程\x00\x7f:{x}"}
	for i, k := range odd {
		if err := s.PutThread(ctx, "{T}:1", []string{k}, "D-"+string(rune('1'+i)), time.Hour); err != nil {
			t.Fatalf("PutThread %q: %v", k, err)
		}
	}
	for i, k := range odd {
		threadIs(t, s, "{T}:1", []string{k}, "D-"+string(rune('1'+i)))
	}
	threadIs(t, s, "{T}", []string{"a"}, "")
}
