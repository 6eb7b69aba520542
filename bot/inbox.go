package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// The delivery rule every adapter shares (Slack events, slash commands,
// interactions; Lark events and card callbacks): one key shape, one done
// ttl, one lease.
const (
	// DoneTTL is how long a finished delivery is remembered: more than
	// Lark's 7.1 h redelivery window (Slack's is 5 min, its signature
	// window 5 min too).
	DoneTTL = 9 * time.Hour
	// DefaultLease is how long a worker holds a delivery before another
	// replica may take it over (it must exceed the queue wait plus the
	// job timeout).
	DefaultLease = 2 * time.Minute
	// DefaultWriteTimeout bounds the inbox write made before the ack,
	// inside the platforms' 3 s.
	DefaultWriteTimeout = 1500 * time.Millisecond
	// maxAttempts drops a delivery that keeps killing its worker.
	maxAttempts = 5
)

// DeliveryKey is the dedupe key of one delivery: platform, kind (event,
// cmd, action, card…), tenant and the platform's delivery id or a digest
// of the signed request.
func DeliveryKey(p Platform, kind, tenant, id string) string {
	return string(p) + ":" + kind + ":" + tenant + ":" + id
}

// InboxItem and MarkState are the store's, re-exported so adapters need
// only this package.
type (
	InboxItem = coach.InboxItem
	MarkState = coach.MarkState
)

// WithRequest tags ctx with a delivery's key, so the updates it makes
// carry request tokens derived from it (coach.WithRequest).
func WithRequest(ctx context.Context, key string) context.Context { return coach.WithRequest(ctx, key) }

// DeliveryStore is what the inbox needs from the store; coach.Store
// satisfies it.
type DeliveryStore interface {
	BeginEvent(ctx context.Context, key, owner string, lease time.Duration) (coach.MarkState, error)
	FinishEvent(ctx context.Context, key string, ttl time.Duration) error
	AbandonEvent(ctx context.Context, key, owner string) error
	Enqueue(ctx context.Context, it *coach.InboxItem, owner string, lease time.Duration) (coach.MarkState, error)
	ClaimExpired(ctx context.Context, queue, owner string, lease time.Duration, n int) ([]coach.InboxItem, error)
}

// Admission is the inbox's answer to a delivery, which the adapter turns
// into its ack.
type Admission int

// Admissions.
const (
	// Accepted: durably queued; a worker will answer.
	Accepted Admission = iota + 1
	// Duplicate: done already, or being worked on: ack, do nothing.
	Duplicate
	// Busy: shed by admission control; nothing stored or changed.
	Busy
	// StoreDown: the inbox write failed; nothing was changed.
	StoreDown
	// StoreUnsure: the inbox write was sent but not confirmed (the store
	// stopped answering): it may still run. Treated as StoreDown, except
	// that the user is not told "nothing was changed".
	StoreUnsure
)

// ErrRetryLater is returned by a Handler when the store failed before
// anything was changed and the delivery should run again once the store is
// back (it is durable): the adapter tells the user it will follow, and its
// WorkFunc gives the delivery back. On the last attempt (FinalAttempt) the
// handler answers instead.
var ErrRetryLater = errors.New("bot: store unavailable, delivery runs again later")

type finalKey struct{}

// FinalAttempt reports whether ctx runs a delivery's last attempt.
func FinalAttempt(ctx context.Context) bool { return ctx.Value(finalKey{}) != nil }

func (a Admission) String() string {
	switch a {
	case Accepted:
		return "accepted"
	case Duplicate:
		return "duplicate"
	case Busy:
		return "busy"
	case StoreDown:
		return "store down"
	case StoreUnsure:
		return "store unsure"
	}
	return "invalid"
}

// InboxConfig tunes an Inbox; zero fields take the defaults.
type InboxConfig struct {
	// Owner names this replica in leases (default: random).
	Owner string
	// Lease (DefaultLease) and Poll (Lease/4, at most 5 s): how long a
	// delivery is held, how often expired ones are looked for.
	Lease, Poll time.Duration
	// WriteTimeout bounds the write before the ack (DefaultWriteTimeout).
	WriteTimeout time.Duration
}

// WorkFunc works on one delivery taken from the inbox: the first time on
// this replica (payload as submitted), or after a crash on any replica.
// It answers the user itself. A nil error finishes the delivery; an error
// gives it back so it runs again (at once, on any replica).
type WorkFunc func(ctx context.Context, it coach.InboxItem) error

// Inbox is the durable queue between the ack and the work: a delivery is
// written to the store (with a lease) before the platform is acked, then
// run on the Pool; it is marked done only after the work. A replica that
// dies leaves its leased deliveries to be claimed after the lease by any
// replica that serves the same queue.
type Inbox struct {
	store DeliveryStore
	pool  *Pool
	cfg   InboxConfig
	log   *slog.Logger

	mu   sync.Mutex
	work map[string]WorkFunc
	wake chan struct{}
}

// NewInbox builds an inbox on store running work on pool. store nil keeps
// deliveries in memory (one process, nothing survives a restart: tests
// and the console).
func NewInbox(store DeliveryStore, pool *Pool, cfg InboxConfig, log *slog.Logger) *Inbox {
	if store == nil {
		store = NewMemoryDeliveries()
	}
	if cfg.Owner == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		cfg.Owner = hex.EncodeToString(b[:])
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = min(cfg.Lease/4, 5*time.Second)
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Inbox{store: store, pool: pool, cfg: cfg, log: log, work: map[string]WorkFunc{}, wake: make(chan struct{}, 1)}
}

// Owner is this replica's lease name.
func (ib *Inbox) Owner() string { return ib.cfg.Owner }

// Store is the delivery store (for marks of deliveries answered inline).
func (ib *Inbox) Store() DeliveryStore { return ib.store }

// Handle sets the work function of queue; Run then also recovers the
// queue's expired deliveries.
func (ib *Inbox) Handle(queue string, fn WorkFunc) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.work[queue] = fn
}

func (ib *Inbox) workFor(queue string) WorkFunc {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return ib.work[queue]
}

// Submit admits one delivery: admission control first (Busy: nothing
// stored), then the durable write within WriteTimeout (StoreDown: nothing
// stored), then the work on the pool. local, when not nil, replaces the
// queue's WorkFunc for this first run (a card callback waiting for its
// answer); recovery after a crash always uses the WorkFunc.
func (ib *Inbox) Submit(ctx context.Context, queue, key string, payload []byte, local WorkFunc) (Admission, error) {
	slot, ok := ib.pool.Reserve()
	if !ok {
		return Busy, ErrPoolFull
	}
	wctx, cancel := context.WithTimeout(ctx, ib.cfg.WriteTimeout)
	it := coach.InboxItem{Key: key, Queue: queue, Payload: payload}
	leaseEnd := time.Now().Add(ib.cfg.Lease)
	st, err := ib.store.Enqueue(wctx, &it, ib.cfg.Owner, ib.cfg.Lease)
	cancel()
	if err != nil {
		slot.Release()
		if coach.IsOutcomeUnknown(err) {
			return StoreUnsure, fmt.Errorf("inbox: %w", err)
		}
		return StoreDown, fmt.Errorf("inbox: %w", err)
	}
	if st != coach.MarkClaimed {
		slot.Release()
		return Duplicate, nil
	}
	fn := local
	if fn == nil {
		fn = ib.workFor(queue)
	}
	if fn == nil {
		slot.Release()
		return StoreDown, fmt.Errorf("inbox: no worker for queue %q", queue)
	}
	if err := slot.Run(func(ctx context.Context) { ib.runItem(ctx, it, leaseEnd, fn) }); err != nil {
		// Closing: give it back for another replica or a restart.
		ib.abandon(it.Key)
	}
	return Accepted, nil
}

// runItem works on it and finishes or gives it back. It starts only while
// the lease (ending at leaseEnd) outlasts a whole job: otherwise another
// replica may claim it meanwhile, so it is given back for a fresh claim.
func (ib *Inbox) runItem(ctx context.Context, it coach.InboxItem, leaseEnd time.Time, fn WorkFunc) {
	if left := time.Until(leaseEnd); left < ib.pool.Timeout() {
		ib.log.Warn("lease ran low in the queue; given back for a fresh claim", "key", it.Key, "left", left)
		ib.abandon(it.Key)
		return
	}
	finished := false
	defer func() {
		if !finished {
			// A panic or shutdown: give it back so it runs again.
			ib.abandon(it.Key)
		}
	}()
	ctx = coach.WithRequest(ctx, it.Key)
	if it.Attempts >= maxAttempts {
		ctx = context.WithValue(ctx, finalKey{}, true)
	}
	err := fn(ctx, it)
	if err != nil {
		if it.Attempts < maxAttempts {
			ib.log.Warn("delivery given back", "key", it.Key, "attempt", it.Attempts, "err", err)
			return
		}
		ib.log.Error("delivery dropped after repeated failures", "key", it.Key, "attempts", it.Attempts, "err", err)
	}
	ib.finishBy(it.Key, leaseEnd)
	finished = true
}

// finish marks an inline delivery done (three tries).
func (ib *Inbox) finish(key string) {
	ib.finishBy(key, time.Now().Add(2*time.Second))
}

// finishBy marks the delivery done, trying again until shortly before
// leaseEnd (a store outage of a few seconds does not make the delivery run
// twice). If it still fails, the delivery runs again after the lease: its
// deal updates are idempotent by request token, its reply is sent again.
func (ib *Inbox) finishBy(key string, leaseEnd time.Time) {
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := ib.store.FinishEvent(ctx, key, DoneTTL)
		cancel()
		if err == nil {
			return
		}
		wait := time.Duration(min(100*(i+1), 500)) * time.Millisecond
		if time.Until(leaseEnd) < wait+time.Second {
			ib.log.Error("finish delivery failed: it will run again after its lease", "key", key, "tries", i+1, "err", err)
			return
		}
		ib.log.Warn("finish delivery", "key", key, "try", i+1, "err", err)
		time.Sleep(wait)
	}
}

func (ib *Inbox) abandon(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := ib.store.AbandonEvent(ctx, key, ib.cfg.Owner); err != nil {
		ib.log.Warn("abandon delivery", "key", key, "err", err)
	}
	select {
	case ib.wake <- struct{}{}:
	default:
	}
}

// Run claims expired deliveries of the handled queues (left by a replica
// that died, or given back) and works on them, until ctx ends. Several
// replicas may run it: each delivery is claimed by one.
func (ib *Inbox) Run(ctx context.Context) error {
	t := time.NewTicker(ib.cfg.Poll)
	defer t.Stop()
	for {
		ib.sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-ib.wake:
		}
	}
}

func (ib *Inbox) sweep(ctx context.Context) {
	ib.mu.Lock()
	queues := make(map[string]WorkFunc, len(ib.work))
	for q, fn := range ib.work {
		queues[q] = fn
	}
	ib.mu.Unlock()
	for q, fn := range queues {
		for ctx.Err() == nil {
			// Claim only what the workers take up soon, so a claimed
			// lease is not spent waiting in the queue.
			queued, _, _ := ib.pool.Stats()
			n := ib.pool.Workers() - int(queued)
			if n <= 0 {
				if !sleepCtx(ctx, 20*time.Millisecond) {
					return
				}
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, ib.cfg.WriteTimeout)
			leaseEnd := time.Now().Add(ib.cfg.Lease)
			items, err := ib.store.ClaimExpired(cctx, q, ib.cfg.Owner, ib.cfg.Lease, n)
			cancel()
			if err != nil {
				ib.log.Warn("inbox sweep", "queue", q, "err", err)
				break
			}
			for _, it := range items {
				ib.log.Info("recovered delivery", "queue", q, "key", it.Key, "attempt", it.Attempts)
				slot, ok := ib.pool.Reserve()
				if !ok {
					ib.abandon(it.Key)
					continue
				}
				if err := slot.Run(func(ctx context.Context) { ib.runItem(ctx, it, leaseEnd, fn) }); err != nil {
					ib.abandon(it.Key)
				}
			}
			if len(items) < n {
				break
			}
		}
	}
}

// Begin takes the in-progress mark of a delivery answered inline (a
// modal submission): the caller works, then calls Finish or Abandon.
func (ib *Inbox) Begin(ctx context.Context, key string) (Admission, error) {
	wctx, cancel := context.WithTimeout(ctx, ib.cfg.WriteTimeout)
	defer cancel()
	st, err := ib.store.BeginEvent(wctx, key, ib.cfg.Owner, ib.cfg.Lease)
	switch {
	case err != nil:
		return StoreDown, err
	case st != coach.MarkClaimed:
		return Duplicate, nil
	}
	return Accepted, nil
}

// Finish marks an inline delivery done.
func (ib *Inbox) Finish(key string) { ib.finish(key) }

// Abandon gives an inline delivery back (its work failed).
func (ib *Inbox) Abandon(key string) { ib.abandon(key) }

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
