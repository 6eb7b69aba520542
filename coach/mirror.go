package coach

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// The CRM mirror: every deal change queued in the store's outbox (see
// OutboxStore) is delivered to each mirror target (a Lark Base table, a
// webhook…) in the background. Chat stays the source of truth: a target is
// written to, never read back.

// Mirror change types, as sent to webhooks.
const (
	MirrorCreated = "deal.created"
	MirrorUpdated = "deal.updated"
)

// MirrorTarget is one system deal changes are mirrored to. Implementations
// live outside coach (storage/mirror/*).
type MirrorTarget interface {
	// Name is the target's stable id ("larkbase", "webhook"): it keys the
	// target's outbox cursor, so renaming it starts over with a resync.
	Name() string
	// Enabled reports whether the target mirrors team t (configured for
	// every team, or in t.Mirror).
	Enabled(t *Team) bool
	// Send delivers changes of team t, oldest first (several changes of
	// one deal keep their order). It returns how many leading changes were
	// delivered and acknowledged by the far side; err says why the rest
	// was not (a *MirrorError tells how to retry). A target must tolerate
	// a change it already delivered being sent again (after a crash
	// between delivery and acknowledgement).
	Send(ctx context.Context, t *Team, changes []MirrorChange) (int, error)
}

// MirrorChange is one deal change as a target receives it.
type MirrorChange struct {
	// ID identifies the change across retries and replicas: receivers
	// dedupe on it.
	ID     string
	Seq    int64
	Type   string // MirrorCreated or MirrorUpdated
	Resync bool   // a resync of the current state, not a change
	Team   string
	Deal   *Deal
	Row    MirrorRow
	// Changes are the events of this change (none for a resync).
	Changes []Event
	At      time.Time
}

// MirrorRow is the flat, table-shaped view of a deal, computed by coach so
// every target shows the same numbers the chat shows.
type MirrorRow struct {
	DealID         string
	Name           string
	Customer       string
	Owner          string // the owner's display name (else their id)
	StageReached   int
	StageCompleted int
	WinProbability int   // percent
	Value          int64 // whole currency units
	Currency       string
	WeightedValue  int64  // Value × WinProbability / 100
	CloseDate      string // YYYY-MM-DD or ""
	CloseDateAt    time.Time
	BuyerStage     int
	SyncVerdict    string // SyncInSync, SyncCatchUp…
	Status         Status
	NextStep       string // the next open checklist item, in the team's language
	LastProgressAt time.Time
	Flags          []string // flag codes (FlagStalled…)
}

// MirrorErrorKind tells the sender how to retry a failed send.
type MirrorErrorKind string

// Kinds of mirror errors.
const (
	MirrorTransient  MirrorErrorKind = "transient"  // network, 5xx, write conflict: back off and retry
	MirrorRateLimit  MirrorErrorKind = "rate_limit" // back off at least RetryAfter
	MirrorPermission MirrorErrorKind = "permission" // the bot may not write: tell the admins, keep retrying slowly
	MirrorConfig     MirrorErrorKind = "config"     // wrong table, bad URL…: tell the admins, keep retrying slowly
)

// MirrorError is a failed send with a retry hint.
type MirrorError struct {
	Kind       MirrorErrorKind
	RetryAfter time.Duration
	Err        error
}

func (e *MirrorError) Error() string { return string(e.Kind) + ": " + e.Err.Error() }
func (e *MirrorError) Unwrap() error { return e.Err }

// MirrorNotice tells a team admin that a mirror target needs them.
type MirrorNotice struct {
	Team   *Team
	To     string // admin member id
	Target string
	Kind   MirrorErrorKind // MirrorPermission or MirrorConfig
}

// MirrorNotifier delivers mirror notices (the bot renders them).
type MirrorNotifier interface {
	MirrorNotice(ctx context.Context, n MirrorNotice) error
}

// mirrorStatusScope keeps each target's last error in the store's mirror
// refs, so every replica (and `team mirror`) sees it.
const mirrorStatusScope = "mirror:status"

// mirrorFailure is the stored last error of a target, encoded as
// "kind|failures|unix ms|error".
type mirrorFailure struct {
	Error    string
	Kind     string
	At       time.Time
	Failures int
}

func (f mirrorFailure) encode() string {
	return f.Kind + "|" + strconv.Itoa(f.Failures) + "|" + strconv.FormatInt(f.At.UnixMilli(), 10) + "|" + f.Error
}

func decodeFailure(s string) (mirrorFailure, bool) {
	p := strings.SplitN(s, "|", 4)
	if len(p) != 4 {
		return mirrorFailure{}, false
	}
	n, err1 := strconv.Atoi(p[1])
	ms, err2 := strconv.ParseInt(p[2], 10, 64)
	if err1 != nil || err2 != nil {
		return mirrorFailure{}, false
	}
	return mirrorFailure{Kind: p[0], Failures: n, At: time.UnixMilli(ms).UTC(), Error: p[3]}, true
}

// Mirror drains the outbox to the targets. Several replicas may run one
// each: a per-team, per-target lease in the store makes sure only one of
// them sends a given entry.
type Mirror struct {
	Store    Store
	Playbook *playbook.Playbook
	Targets  []MirrorTarget
	Notifier MirrorNotifier // nil: notices are only logged
	Now      func() time.Time
	Log      *slog.Logger

	Holder     string        // this replica's lease holder id (random by default)
	Lease      time.Duration // lease ttl (default 20 s); a send gets two thirds of it
	Batch      int           // entries claimed per send (default 100)
	Poll       time.Duration // pause between passes when idle (default 2 s)
	MinBackoff time.Duration // first retry delay (default 1 s)
	MaxBackoff time.Duration // longest retry delay (default 5 min)
	// TeamRefresh is how often the team list and settings are re-read
	// (default 30 s).
	TeamRefresh time.Duration

	// OnSend, if set, observes every send attempt (for metrics).
	OnSend func(target string, changes, delivered int, err error)

	mu         sync.Mutex
	state      map[mirrorKey]*mirrorState
	subscribed map[mirrorKey]bool
	teams      []*Team
	teamsAt    time.Time
}

type mirrorKey struct{ team, target string }

type mirrorState struct {
	failures int
	next     time.Time // no attempt before
	noticed  bool      // admins told about the current problem
}

// NewMirror returns a Mirror with defaults; st and pb are required.
func NewMirror(st Store, pb *playbook.Playbook, targets []MirrorTarget, now func() time.Time, log *slog.Logger) *Mirror {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Mirror{
		Store: st, Playbook: pb, Targets: targets, Now: now, Log: log,
		Holder: fmt.Sprintf("r-%016x", mrand.Uint64()), // math/rand/v2 is seeded from the OS
		Lease:  20 * time.Second, Batch: 100, Poll: 2 * time.Second,
		MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, TeamRefresh: 30 * time.Second,
	}
}

// Run drains every target until ctx ends: one goroutine per target, so a
// target that is down never delays another.
func (m *Mirror) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, tg := range m.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, more := m.DrainTarget(ctx, tg)
				if more {
					continue
				}
				t := time.NewTimer(m.Poll)
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
			}
			// Hand the leases over at once on a clean shutdown.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			for _, t := range m.cachedTeams() {
				_ = m.Store.ReleaseOutbox(rctx, t.ID, tg.Name(), m.Holder)
			}
		}()
	}
	wg.Wait()
	return nil
}

// DrainAll runs one pass over every target (tests and the resync command
// use it); it returns the number of changes delivered and whether more
// are waiting.
func (m *Mirror) DrainAll(ctx context.Context) (int, bool) {
	total, more := 0, false
	for _, tg := range m.Targets {
		n, mo := m.DrainTarget(ctx, tg)
		total += n
		more = more || mo
	}
	return total, more
}

func (m *Mirror) cachedTeams() []*Team {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.teams
}

// loadTeams returns the teams. The team list is read on every pass (one
// cheap call), so a new team is picked up at once; each team's settings
// are re-read every TeamRefresh.
func (m *Mirror) loadTeams(ctx context.Context) ([]*Team, error) {
	ids, err := m.Store.Teams(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror: teams: %w", err)
	}
	m.mu.Lock()
	refresh := m.teams == nil || m.Now().Sub(m.teamsAt) >= m.TeamRefresh
	known := map[string]*Team{}
	if !refresh {
		for _, t := range m.teams {
			known[t.ID] = t
		}
	}
	m.mu.Unlock()
	out := make([]*Team, 0, len(ids))
	for _, id := range ids {
		if t, ok := known[id]; ok {
			out = append(out, t)
			continue
		}
		t, err := m.Store.GetTeam(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("mirror: team %s: %w", id, err)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	m.mu.Lock()
	m.teams = out
	if refresh {
		m.teamsAt = m.Now()
	}
	m.mu.Unlock()
	return out, nil
}

// RefreshTeams makes the next pass re-read the teams (after a settings
// change).
func (m *Mirror) RefreshTeams() {
	m.mu.Lock()
	m.teamsAt = time.Time{}
	m.mu.Unlock()
}

// DrainTarget runs one pass of tg over every team: at most one batch per
// team. It returns the changes delivered and whether a team has more.
func (m *Mirror) DrainTarget(ctx context.Context, tg MirrorTarget) (int, bool) {
	teams, err := m.loadTeams(ctx)
	if err != nil {
		m.Log.Warn("mirror: list teams", "target", tg.Name(), "err", err)
		return 0, false
	}
	total, more := 0, false
	for _, t := range teams {
		if ctx.Err() != nil {
			break
		}
		n, mo, err := m.drainTeam(ctx, t, tg)
		total += n
		more = more || mo
		if err != nil {
			m.Log.Debug("mirror: drain", "team", t.ID, "target", tg.Name(), "err", err)
		}
	}
	return total, more
}

func (m *Mirror) stateOf(k mirrorKey) *mirrorState {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state == nil {
		m.state = map[mirrorKey]*mirrorState{}
	}
	st := m.state[k]
	if st == nil {
		st = &mirrorState{}
		m.state[k] = st
	}
	return st
}

// ensureSubscribed subscribes tg to the team's outbox (first time: with a
// resync of every deal, so the target starts complete) or unsubscribes a
// target the team no longer uses.
func (m *Mirror) ensureSubscribed(ctx context.Context, t *Team, tg MirrorTarget) (bool, error) {
	k := mirrorKey{t.ID, tg.Name()}
	enabled := tg.Enabled(t)
	m.mu.Lock()
	if m.subscribed == nil {
		m.subscribed = map[mirrorKey]bool{}
	}
	was, known := m.subscribed[k]
	m.mu.Unlock()
	if known && was == enabled {
		return enabled, nil
	}
	if !enabled {
		ts, err := m.Store.OutboxTargets(ctx, t.ID)
		if err != nil {
			return false, err
		}
		for _, name := range ts {
			if name == tg.Name() {
				if err := m.Store.UnsubscribeOutbox(ctx, t.ID, name); err != nil {
					return false, err
				}
				m.Log.Info("mirror: target unsubscribed", "team", t.ID, "target", name)
			}
		}
	} else {
		created, err := m.Store.SubscribeOutbox(ctx, t.ID, tg.Name())
		if err != nil {
			return false, err
		}
		if created {
			n, err := m.Store.EnqueueResync(ctx, t.ID, tg.Name(), m.Now())
			if err != nil {
				// Try again on the next pass: unsubscribe so the resync
				// is not skipped.
				_ = m.Store.UnsubscribeOutbox(ctx, t.ID, tg.Name())
				return false, err
			}
			m.Log.Info("mirror: target subscribed", "team", t.ID, "target", tg.Name(), "resync", n)
		}
	}
	m.mu.Lock()
	m.subscribed[k] = enabled
	m.mu.Unlock()
	return enabled, nil
}

// drainTeam sends one batch of the team's outbox to tg.
func (m *Mirror) drainTeam(ctx context.Context, t *Team, tg MirrorTarget) (int, bool, error) {
	on, err := m.ensureSubscribed(ctx, t, tg)
	if err != nil || !on {
		return 0, false, err
	}
	k := mirrorKey{t.ID, tg.Name()}
	st := m.stateOf(k)
	if m.Now().Before(st.next) {
		return 0, false, nil
	}
	entries, ok, err := m.Store.ClaimOutbox(ctx, t.ID, tg.Name(), m.Holder, m.Lease, m.Batch)
	if errors.Is(err, ErrNotFound) {
		// Unsubscribed meanwhile (by another replica): subscribe again.
		m.mu.Lock()
		delete(m.subscribed, k)
		m.mu.Unlock()
		return 0, false, nil
	}
	if err != nil || !ok || len(entries) == 0 {
		return 0, false, err
	}
	changes := make([]MirrorChange, 0, len(entries))
	idx := make([]int, 0, len(entries)) // entry index of each change
	for i, e := range entries {
		if e.Target != "" && e.Target != tg.Name() {
			continue
		}
		changes = append(changes, m.Change(t, e))
		idx = append(idx, i)
	}
	delivered, sendErr := 0, error(nil)
	if len(changes) > 0 {
		// The send must end before the lease does, or another replica
		// could send the same entries meanwhile.
		sctx, cancel := context.WithTimeout(ctx, m.Lease*2/3)
		delivered, sendErr = tg.Send(sctx, t, changes)
		cancel()
		delivered = max(0, min(delivered, len(changes)))
		if m.OnSend != nil {
			m.OnSend(tg.Name(), len(changes), delivered, sendErr)
		}
	}
	// Ack every entry before the first undelivered change (skipped entries
	// of other targets included).
	upto := len(entries)
	if delivered < len(changes) {
		upto = idx[delivered]
	}
	if upto > 0 {
		if err := m.Store.AckOutbox(ctx, t.ID, tg.Name(), m.Holder, entries[upto-1].Seq); err != nil {
			// Lease lost: whoever holds it now resends from its cursor.
			return delivered, false, fmt.Errorf("mirror: ack: %w", err)
		}
	}
	if sendErr != nil || delivered < len(changes) {
		if sendErr == nil {
			sendErr = errors.New("target delivered only part of the batch")
		}
		m.failed(ctx, t, tg.Name(), st, sendErr)
		return delivered, false, sendErr
	}
	m.succeeded(ctx, t.ID, tg.Name(), st)
	return delivered, len(entries) == m.Batch, nil
}

// backoffFor is the retry delay after n consecutive failures: doubling
// from MinBackoff up to MaxBackoff, with full jitter in its upper half.
func (m *Mirror) backoffFor(n int) time.Duration {
	d := m.MinBackoff << min(n-1, 20)
	if d <= 0 || d > m.MaxBackoff {
		d = m.MaxBackoff
	}
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

func (m *Mirror) failed(ctx context.Context, t *Team, target string, st *mirrorState, err error) {
	kind := MirrorTransient
	var retry time.Duration
	var me *MirrorError
	if errors.As(err, &me) {
		kind, retry = me.Kind, me.RetryAfter
	}
	m.mu.Lock()
	st.failures++
	n := st.failures
	d := m.backoffFor(n)
	if kind == MirrorPermission || kind == MirrorConfig {
		// Only an admin can fix it: retry slowly until they have.
		d = m.MaxBackoff
	}
	d = max(d, retry)
	st.next = m.Now().Add(d)
	notify := (kind == MirrorPermission || kind == MirrorConfig) && !st.noticed
	if notify {
		st.noticed = true
	}
	m.mu.Unlock()
	if n == 1 || notify {
		m.Log.Warn("mirror: send failed", "team", t.ID, "target", target, "kind", kind, "retry_in", d.Round(time.Millisecond), "err", err)
	} else {
		m.Log.Debug("mirror: send failed", "team", t.ID, "target", target, "kind", kind, "failures", n, "retry_in", d.Round(time.Millisecond), "err", err)
	}
	f := mirrorFailure{Error: err.Error(), Kind: string(kind), At: m.Now().UTC(), Failures: n}
	if perr := m.Store.PutMirrorRefs(ctx, t.ID, mirrorStatusScope, map[string]string{target: f.encode()}); perr != nil {
		m.Log.Debug("mirror: store status", "err", perr)
	}
	if notify {
		m.notifyAdmins(ctx, t, target, kind)
	}
}

func (m *Mirror) succeeded(ctx context.Context, team, target string, st *mirrorState) {
	m.mu.Lock()
	had := st.failures > 0
	st.failures, st.next, st.noticed = 0, time.Time{}, false
	m.mu.Unlock()
	if had {
		m.Log.Info("mirror: target recovered", "team", team, "target", target)
		if err := m.Store.PutMirrorRefs(ctx, team, mirrorStatusScope, map[string]string{target: ""}); err != nil {
			m.Log.Debug("mirror: store status", "err", err)
		}
	}
}

// notifyAdmins tells every admin of the team, once per problem.
func (m *Mirror) notifyAdmins(ctx context.Context, t *Team, target string, kind MirrorErrorKind) {
	if m.Notifier == nil {
		return
	}
	for _, id := range memberIDs(t) {
		if t.Members[id].Role != RoleAdmin {
			continue
		}
		// One notice per team, target and problem across replicas and
		// restarts for a day.
		key := "mirror:notice:" + t.ID + ":" + target + ":" + string(kind) + ":" + id
		first, err := m.Store.SeenEvent(ctx, key, 24*time.Hour)
		if err != nil || !first {
			continue
		}
		if err := m.Notifier.MirrorNotice(ctx, MirrorNotice{Team: t, To: id, Target: target, Kind: kind}); err != nil {
			_ = m.Store.ForgetEvent(ctx, key)
			m.Log.Warn("mirror: notice", "team", t.ID, "to", id, "err", err)
		}
	}
}

// Change turns an outbox entry into what targets receive.
func (m *Mirror) Change(t *Team, e OutboxEntry) MirrorChange {
	c := MirrorChange{
		ID: mirrorEventID(e), Seq: e.Seq, Type: MirrorUpdated, Resync: e.Kind == OutboxResync,
		Team: e.Team, Deal: e.Deal, Changes: e.Events, At: e.At,
	}
	if e.Kind == OutboxCreate {
		c.Type = MirrorCreated
	}
	c.Row = MirrorRowOf(m.Playbook, t, e.Deal, m.Now())
	return c
}

// mirrorEventID is stable for an entry: the same on every retry and every
// replica, different for every entry (a resync of an unchanged deal too).
func mirrorEventID(e OutboxEntry) string {
	h := fnv.New128a()
	for _, s := range []string{e.Team, strconv.FormatInt(e.Seq, 10), e.Kind, e.Deal.ID, strconv.FormatInt(e.Deal.Version, 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("evt_%x", h.Sum(nil))
}

// MirrorRowOf computes the table view of d at now.
func MirrorRowOf(pb *playbook.Playbook, t *Team, d *Deal, now time.Time) MirrorRow {
	a := Assess(pb, t, d, now)
	p := a.Progress
	r := MirrorRow{
		DealID: d.ID, Name: d.Name, Customer: d.Customer, Owner: d.Owner,
		StageReached: p.Reached, StageCompleted: p.Completed, WinProbability: p.WinProbability,
		Value: d.Value, Currency: d.Currency, WeightedValue: d.Value * int64(p.WinProbability) / 100,
		CloseDate: d.CloseDate, BuyerStage: d.BuyerStage, SyncVerdict: a.Sync.Verdict,
		Status: d.Status, LastProgressAt: d.LastProgressAt,
	}
	if r.Status == "" {
		r.Status = StatusOpen
	}
	if t != nil {
		if mem, ok := t.Members[d.Owner]; ok && mem.Name != "" {
			r.Owner = mem.Name
		}
	}
	if d.CloseDate != "" {
		if cd, err := time.ParseInLocation("2006-01-02", d.CloseDate, Location(t, "")); err == nil {
			r.CloseDateAt = cd
		}
	}
	if d.Open() && len(p.Missing) > 0 {
		lang := playbook.EN
		if t != nil {
			if l, ok := playbook.ParseLang(t.Lang); ok {
				lang = l
			}
		}
		if it, ok := pb.Item(p.Missing[0]); ok {
			r.NextStep = it.ID + " " + it.Text.In(lang)
		}
	}
	for _, f := range a.Flags {
		r.Flags = append(r.Flags, f.Code)
	}
	return r
}

// QueueStats sums, per target, the changes waiting over every team and
// the oldest of them (for metrics).
func (m *Mirror) QueueStats(ctx context.Context) (map[string]int, map[string]time.Time, error) {
	teams, err := m.loadTeams(ctx)
	if err != nil {
		return nil, nil, err
	}
	depth, oldest := map[string]int{}, map[string]time.Time{}
	for _, t := range teams {
		names, err := m.Store.OutboxTargets(ctx, t.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, n := range names {
			st, err := m.Store.OutboxStats(ctx, t.ID, n)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			depth[n] += st.Depth
			if st.Depth > 0 && (oldest[n].IsZero() || st.Oldest.Before(oldest[n])) {
				oldest[n] = st.Oldest
			}
		}
	}
	return depth, oldest, nil
}
