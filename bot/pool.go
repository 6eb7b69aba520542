package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// ErrPoolFull is returned by Submit when the queue is full.
var ErrPoolFull = errors.New("worker pool full")

// ErrPoolClosed is returned by Submit after Close.
var ErrPoolClosed = errors.New("worker pool closed")

// Pool runs work after the platform has been acknowledged: a fixed number
// of workers, a bounded queue, and a timeout per job. Adapters ack at once
// and Submit the rest.
type Pool struct {
	jobs    chan func(context.Context)
	timeout time.Duration
	log     *slog.Logger
	wg      sync.WaitGroup
	mu      sync.RWMutex
	closed  bool
	base    context.Context
	cancel  context.CancelFunc
}

// NewPool starts workers goroutines with a queue of queue jobs; each job
// gets a context that ends after timeout.
func NewPool(workers, queue int, timeout time.Duration, log *slog.Logger) *Pool {
	if workers < 1 {
		workers = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, cancel := context.WithCancel(context.Background())
	p := &Pool{jobs: make(chan func(context.Context), queue), timeout: timeout, log: log, base: base, cancel: cancel}
	p.wg.Add(workers)
	for range workers {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for job := range p.jobs {
		p.run(job)
	}
}

func (p *Pool) run(job func(context.Context)) {
	ctx, cancel := context.WithTimeout(p.base, p.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("worker panic", "panic", r)
		}
	}()
	job(ctx)
}

// Submit queues job. It never blocks: when the queue is full it returns
// ErrPoolFull so the caller can tell the user to try again.
func (p *Pool) Submit(job func(context.Context)) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrPoolClosed
	}
	select {
	case p.jobs <- job:
		return nil
	default:
		return ErrPoolFull
	}
}

// Close stops accepting work and waits for queued and running jobs to
// finish, or for ctx to end (then running jobs' contexts are cancelled).
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return ctx.Err()
	}
}
