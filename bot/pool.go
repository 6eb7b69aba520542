package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// ErrPoolFull is returned by Submit when the queue is full (or admission
// control sheds the job, see Pool.Reserve).
var ErrPoolFull = errors.New("worker pool full")

// ErrPoolClosed is returned by Submit after Close.
var ErrPoolClosed = errors.New("worker pool closed")

// DefaultMaxWait is how long admitted work may expect to wait in the queue
// before a worker takes it (see Pool.SetMaxWait).
const DefaultMaxWait = time.Second

// Pool runs work after the platform has been acknowledged: a fixed number
// of workers, a bounded queue, and a timeout per job.
//
// Admission control sheds early: a job is admitted only while the queue
// ahead of it would take less than the maximum wait at the measured job
// duration (and the queue has room). Under overload the queue stays short,
// the workers stay busy with work users still wait for, and the rest is
// told "busy" at once instead of timing out later.
type Pool struct {
	jobs    chan func(context.Context)
	workers int
	timeout time.Duration
	log     *slog.Logger
	wg      sync.WaitGroup
	mu      sync.RWMutex
	closed  bool
	base    context.Context
	cancel  context.CancelFunc

	queued  atomic.Int64 // admitted, not yet taken by a worker
	avgNs   atomic.Int64 // moving average of job durations
	maxWait atomic.Int64 // ns
	shed    atomic.Int64
}

// NewPool starts workers goroutines with a queue of queue jobs; each job
// gets a context that ends after timeout.
func NewPool(workers, queue int, timeout time.Duration, log *slog.Logger) *Pool {
	if workers < 1 {
		workers = 1
	}
	if queue < 1 {
		queue = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, cancel := context.WithCancel(context.Background())
	p := &Pool{jobs: make(chan func(context.Context), queue), workers: workers, timeout: timeout, log: log, base: base, cancel: cancel}
	p.maxWait.Store(int64(DefaultMaxWait))
	p.wg.Add(workers)
	for range workers {
		go p.worker()
	}
	return p
}

// SetMaxWait sets the longest expected queue wait admission allows
// (default DefaultMaxWait); 0 or less admits up to the queue's capacity.
func (p *Pool) SetMaxWait(d time.Duration) { p.maxWait.Store(int64(d)) }

func (p *Pool) worker() {
	defer p.wg.Done()
	for job := range p.jobs {
		p.queued.Add(-1)
		p.run(job)
	}
}

func (p *Pool) run(job func(context.Context)) {
	ctx, cancel := context.WithTimeout(p.base, p.timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("worker panic", "panic", r)
		}
		p.observe(time.Since(start))
	}()
	job(ctx)
}

// observe folds one job duration into the average (weight 1/16).
func (p *Pool) observe(d time.Duration) {
	old := p.avgNs.Load()
	if old == 0 {
		p.avgNs.Store(int64(d))
		return
	}
	p.avgNs.Store(old + (int64(d)-old)/16)
}

// limit is how many jobs may wait: as many as the workers get through in
// maxWait at the average duration, at least one per worker, at most the
// queue's capacity.
func (p *Pool) limit() int64 {
	c := int64(cap(p.jobs))
	w, avg := p.maxWait.Load(), p.avgNs.Load()
	if w <= 0 || avg <= 0 {
		return c
	}
	n := int64(p.workers) * w / avg
	return min(max(n, int64(p.workers)), c)
}

// Slot is a place in the queue taken by Reserve: Run it exactly once, or
// Release it.
type Slot struct {
	p    *Pool
	done atomic.Bool
}

// Reserve takes a place in the queue for a job that will be submitted
// after a store write, so admitted work never finds the queue full
// afterwards. ok is false when the job is shed (or the pool is closed).
func (p *Pool) Reserve() (*Slot, bool) {
	p.mu.RLock()
	closed := p.closed
	p.mu.RUnlock()
	if closed {
		return nil, false
	}
	if n := p.queued.Add(1); n > p.limit() {
		p.queued.Add(-1)
		p.shed.Add(1)
		return nil, false
	}
	return &Slot{p: p}, true
}

// Run queues job in the reserved place. It returns ErrPoolClosed when the
// pool was closed meanwhile.
func (s *Slot) Run(job func(context.Context)) error {
	if !s.done.CompareAndSwap(false, true) {
		return errors.New("bot: slot used twice")
	}
	p := s.p
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		p.queued.Add(-1)
		return ErrPoolClosed
	}
	// Never blocks: queued counts this job and never exceeds cap(jobs).
	p.jobs <- job
	return nil
}

// Release gives the place back unused.
func (s *Slot) Release() {
	if s.done.CompareAndSwap(false, true) {
		s.p.queued.Add(-1)
	}
}

// Submit queues job. It never blocks: when admission sheds it or the
// queue is full it returns ErrPoolFull so the caller can tell the user.
func (p *Pool) Submit(job func(context.Context)) error {
	p.mu.RLock()
	closed := p.closed
	p.mu.RUnlock()
	if closed {
		return ErrPoolClosed
	}
	s, ok := p.Reserve()
	if !ok {
		return ErrPoolFull
	}
	return s.Run(job)
}

// Stats reports the jobs waiting, the current admission limit and the
// jobs shed so far.
func (p *Pool) Stats() (queued, limit, shed int64) {
	return p.queued.Load(), p.limit(), p.shed.Load()
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

// Workers is the number of workers.
func (p *Pool) Workers() int { return p.workers }

// Timeout is the per-job timeout.
func (p *Pool) Timeout() time.Duration { return p.timeout }

// Context is the pool's base context: it ends when Close gives up waiting.
func (p *Pool) Context() context.Context { return p.base }
