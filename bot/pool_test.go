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
