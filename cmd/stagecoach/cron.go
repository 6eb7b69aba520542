package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/console"
	"github.com/stagecoach/stagecoach/coach"
)

// digestGap spaces digest sends (10 a second), well under Slack's and
// Lark's per-app limits, so a large team's digests never burst.
const digestGap = 100 * time.Millisecond

// Scheduler returns the runner of the scheduled jobs (add it to Serve's
// runners): nudges hourly, meeting reminders and pre-call prep every 5
// minutes, the weekly-digest check every 5 minutes and the manager-alert
// catch-up hourly. Every run takes a
// store lock and every send a once-only marker, so several replicas may
// all run the scheduler. It returns when ctx ends, after the running jobs
// finish (at most 30 s).
func (m *Main) Scheduler() func(ctx context.Context) error {
	jobs := schedule(m.jobs(os.Stdout))
	for i := range jobs {
		run, kind := jobs[i].run, strings.TrimSuffix(jobs[i].name, "s")
		jobs[i].run = func(ctx context.Context, now time.Time) (coach.JobResult, error) {
			res, err := run(ctx, now)
			m.countJob(kind, res, err)
			return res, err
		}
	}
	return func(ctx context.Context) error {
		return runScheduler(ctx, jobs, m.Log, time.Now)
	}
}

var errSendFailed = errors.New("send failed")

// countJob records a job run's sends ("nudge", "reminder", "digest") and
// failures in the metrics.
func (m *Main) countJob(kind string, res coach.JobResult, err error) {
	if m.Metrics == nil {
		return
	}
	for range res.Sent {
		m.Metrics.Sent(kind, nil)
	}
	for range res.Failed {
		m.Metrics.Sent(kind, errSendFailed)
	}
	if err != nil {
		m.Metrics.Error("cron")
	}
}

// jobs builds the coach jobs delivering through the configured senders;
// fallback receives what no platform sender takes (the console printer).
// Without a notifier for manager alerts yet (`jobs run alerts`), the
// jobs' one delivers them.
func (m *Main) jobs(fallback io.Writer) *coach.Jobs {
	n := bot.NewNotifier(m.Router, m.senders(fallback))
	if m.Service.Alerts == nil {
		m.Service.Alerts = n
	}
	return &coach.Jobs{Service: m.Service, Notify: n, DigestGap: digestGap}
}

// senders returns the Sender for proactive messages: it routes each
// message to the adapter of the recipient's platform (Slack DM, Lark p2p
// message) and falls back to the console printer.
func (m *Main) senders(fallback io.Writer) bot.Sender {
	by := map[bot.Platform]bot.Sender{}
	for p, s := range m.platformSenders {
		by[p] = s
	}
	return &bot.MultiSender{By: by, Fallback: console.NewSender(fallback)}
}

// job is one scheduled job: its cron spec (UTC) and the coach method.
type job struct {
	name string
	spec string
	run  func(ctx context.Context, now time.Time) (coach.JobResult, error)
}

func schedule(j *coach.Jobs) []job {
	return []job{
		{"nudges", "0 * * * *", j.Nudges},
		{"reminders", "*/5 * * * *", j.Reminders},
		{"digest", "*/5 * * * *", j.Digests},
		{"alerts", "7 * * * *", j.Alerts},
	}
}

// runScheduler runs jobs on their schedules until ctx ends. Panics are
// recovered and a run still going when its next turn comes is skipped.
func runScheduler(ctx context.Context, jobs []job, log *slog.Logger, now func() time.Time) error {
	l := cronLogger{log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	for _, jb := range jobs {
		if _, err := c.AddFunc(jb.spec, func() { runJob(ctx, log, jb, now()) }); err != nil {
			return fmt.Errorf("schedule %s %q: %w", jb.name, jb.spec, err)
		}
	}
	c.Start()
	log.Info("scheduler started", "jobs", len(jobs))
	<-ctx.Done()
	stopped := c.Stop()
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case <-stopped.Done():
	case <-t.C:
		log.Warn("scheduler: jobs still running at shutdown")
	}
	return nil
}

func runJob(ctx context.Context, log *slog.Logger, jb job, now time.Time) {
	if ctx.Err() != nil {
		return
	}
	start := time.Now()
	res, err := jb.run(ctx, now)
	attrs := []any{"job", jb.name, "ran", res.Ran, "teams", res.Teams, "sent", res.Sent, "skipped", res.Skipped, "failed", res.Failed, "took", time.Since(start)}
	if err != nil {
		log.Error("job failed", append(attrs, "err", err)...)
		return
	}
	log.Info("job done", attrs...)
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...interface{}) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...interface{}) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
