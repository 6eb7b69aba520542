package coach

import (
	"context"
	"fmt"
	"time"
)

// Notifier delivers domain notices to people (a chat DM in practice). It
// is implemented by the bot; coach knows nothing of chat platforms.
// An error means the notice was not delivered: the job forgets its send
// marker so a later run retries.
type Notifier interface {
	Nudge(ctx context.Context, n NudgeNotice) error
	Reminder(ctx context.Context, n ReminderNotice) error
	Digest(ctx context.Context, n DigestNotice) error
}

// NudgeNotice asks a deal's owner to move a flagged deal.
type NudgeNotice struct {
	Team *Team
	To   string // member id
	Assessment
	// NextItem is the next open checklist item ("" when none); Question
	// an open question of the active stage to ask (playbook question id,
	// "" when the playbook has none).
	NextItem string
	Question string
}

// Reminder kinds.
const (
	ReminderPrep = "prep" // pre-call prep, PrepLead before the meeting
	ReminderSoon = "soon" // the meeting starts within MeetingSoon
)

// DigestNotice is the weekly digest for one manager or admin.
type DigestNotice struct {
	Team   *Team
	To     string
	Digest *Digest
}

// Jobs are the scheduled jobs: nudges, meeting reminders and weekly
// digests. Each run takes a store lock so only one replica runs it, and
// every send is guarded by a SeenEvent marker so a restart or a retried
// run never sends twice. The methods take now; nothing here reads a clock
// except Sleep between digest sends.
type Jobs struct {
	Service *Service
	Notify  Notifier
	// DigestGap spaces digest sends so a large team does not burst the
	// platform's rate limits (default 0: adapters pace themselves).
	DigestGap time.Duration
	// Sleep waits between digest sends; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// JobResult counts what one run did.
type JobResult struct {
	Job     string
	Ran     bool // false: another replica held the lock
	Teams   int
	Sent    int
	Skipped int // due but held back: snoozed, muted, outside working hours, already sent
	Failed  int
}

func (r JobResult) String() string {
	if !r.Ran {
		return r.Job + ": skipped (another replica holds the lock)"
	}
	return fmt.Sprintf("%s: %d teams, %d sent, %d skipped, %d failed", r.Job, r.Teams, r.Sent, r.Skipped, r.Failed)
}

// Lock TTLs: longer than a run should take, shorter than the schedule so
// a crashed replica's lock frees itself before the next run.
const (
	nudgeLockTTL  = 50 * time.Minute
	shortLockTTL  = 4 * time.Minute
	digestLockTTL = 20 * time.Minute // paced sends may take a while
	minMarkerTTL  = 24 * time.Hour
	digestMarkTTL = 8 * 24 * time.Hour
)

// lock takes the job's store lock; ok false means another replica has it.
func (j *Jobs) lock(ctx context.Context, name string, ttl time.Duration) (func(), bool, error) {
	release, ok, err := j.Service.store.TryLock(ctx, "job:"+name, ttl)
	if err != nil || !ok {
		return nil, ok, err
	}
	return func() {
		if err := release(context.WithoutCancel(ctx)); err != nil {
			j.Service.Log.Warn("job unlock", "job", name, "err", err)
		}
	}, true, nil
}

// teams loads every team; a team that vanished meanwhile is skipped.
func (j *Jobs) teams(ctx context.Context) ([]*Team, error) {
	ids, err := j.Service.store.Teams(ctx)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	var out []*Team
	for _, id := range ids {
		t, err := j.Service.store.GetTeam(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			j.Service.Log.Warn("job: load team", "team", id, "err", err)
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// send claims marker key for ttl and calls deliver; on failure the marker
// is forgotten so a later run retries. sent is false when the marker was
// already set.
func (j *Jobs) send(ctx context.Context, key string, ttl time.Duration, deliver func() error) (sent bool, err error) {
	first, err := j.Service.store.SeenEvent(ctx, key, ttl)
	if err != nil {
		return false, fmt.Errorf("marker %s: %w", key, err)
	}
	if !first {
		return false, nil
	}
	if err := deliver(); err != nil {
		if ferr := j.Service.store.ForgetEvent(context.WithoutCancel(ctx), key); ferr != nil {
			j.Service.Log.Error("job: forget marker after failed send", "key", key, "err", ferr)
		}
		return false, err
	}
	return true, nil
}

// forEachTeam runs one job over every team: it takes the job's store lock
// (another replica holding it means the run is skipped: Ran stays false),
// then calls fn per team; an error from fn ends the run.
func (j *Jobs) forEachTeam(ctx context.Context, job string, lockTTL time.Duration, fn func(t *Team, res *JobResult) error) (JobResult, error) {
	res := JobResult{Job: job}
	unlock, ok, err := j.lock(ctx, job, lockTTL)
	if err != nil || !ok {
		return res, err
	}
	defer unlock()
	res.Ran = true
	teams, err := j.teams(ctx)
	if err != nil {
		return res, err
	}
	for _, t := range teams {
		res.Teams++
		if err := fn(t, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// tally adds one send's outcome to res (a failure is logged with the
// given attributes) and returns the context's error once the run must stop.
func (j *Jobs) tally(ctx context.Context, res *JobResult, sent bool, err error, attrs ...any) error {
	switch {
	case err != nil:
		res.Failed++
		j.Service.Log.Warn(res.Job+": send failed", append(attrs, "err", err)...)
		return ctx.Err()
	case sent:
		res.Sent++
	default:
		res.Skipped++
	}
	return nil
}
