package bot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolRunsAndDrains(t *testing.T) {
	p := NewPool(2, 10, time.Second, nil)
	var n atomic.Int32
	for range 10 {
		if err := p.Submit(func(context.Context) { n.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 10 {
		t.Fatalf("ran %d jobs, want 10", n.Load())
	}
	if err := p.Submit(func(context.Context) {}); err != ErrPoolClosed {
		t.Fatalf("submit after close: %v", err)
	}
}

func TestPoolFullAndPanic(t *testing.T) {
	p := NewPool(1, 1, time.Second, nil)
	block := make(chan struct{})
	started := make(chan struct{})
	_ = p.Submit(func(context.Context) { close(started); <-block })
	<-started
	if err := p.Submit(func(context.Context) { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(func(context.Context) {}); err != ErrPoolFull {
		t.Fatalf("want ErrPoolFull, got %v", err)
	}
	close(block)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestPoolShedsEarly: admission keeps the queue as short as the workers
// get through within the maximum wait at the measured job duration, so
// under overload the rest is refused at once instead of waiting too long.
func TestPoolShedsEarly(t *testing.T) {
	tests := []struct {
		name    string
		maxWait time.Duration
		avg     time.Duration
		want    int
	}{
		{"no measurement yet: capacity", time.Second, 0, 100},
		{"fast jobs: capacity bounds", time.Second, time.Millisecond, 100},
		{"50 ms jobs, 100 ms wait, 2 workers", 100 * time.Millisecond, 50 * time.Millisecond, 4},
		{"slow jobs: at least one per worker", 100 * time.Millisecond, time.Second, 2},
		{"no max wait: capacity", 0, time.Second, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPool(2, 100, time.Second, nil)
			defer p.Close(context.Background())
			p.SetMaxWait(tt.maxWait)
			if tt.avg > 0 {
				p.observe(tt.avg)
			}
			var slots []*Slot
			for {
				s, ok := p.Reserve()
				if !ok {
					break
				}
				slots = append(slots, s)
			}
			if len(slots) != tt.want {
				t.Fatalf("admitted %d, want %d", len(slots), tt.want)
			}
			if _, _, shed := p.Stats(); shed != 1 {
				t.Fatalf("shed %d, want 1", shed)
			}
			slots[0].Release()
			if _, ok := p.Reserve(); !ok {
				t.Fatal("a released place was not reusable")
			}
			for _, s := range slots[1:] {
				s.Release()
			}
		})
	}
}
