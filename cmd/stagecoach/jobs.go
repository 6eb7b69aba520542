package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
)

const jobsUsage = "usage: stagecoach jobs run nudges|reminders|digest|alerts [--now <RFC 3339 time>]"

// runJobs is the operator command `stagecoach jobs run nudges|reminders|digest
// [--now T]`: it runs one job once against the configured store and
// delivers through the configured senders (the console printer writes to
// stdout what it would send). With --now the job behaves exactly as at
// that moment (working hours, snoozes, periods); `digest` sends the digest
// for the week ending at --now whatever the weekday. Runs are idempotent:
// a second run with the same --now sends nothing. Exit codes: 0 done, 1
// failed (or another replica holds the job's lock), 2 usage.
func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 || args[0] != "run" {
		fmt.Fprintln(stderr, jobsUsage)
		return 2
	}
	name := args[1]
	fs := flag.NewFlagSet("stagecoach jobs run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nowFlag := fs.String("now", "", "run as at this RFC 3339 time (default: now)")
	if err := fs.Parse(args[2:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, jobsUsage)
		return 2
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "--now %q: want an RFC 3339 time like 2026-11-23T09:00:00Z\n", *nowFlag)
			return 2
		}
		now = t
	}
	cfg, err := LoadConfig(environ)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	m := &Main{Config: cfg, Log: newLogger(cfg, stderr, true)}
	j := func() *coach.Jobs { return m.jobs(stdout) }
	var run func(ctx context.Context, now time.Time) (coach.JobResult, error)
	switch name {
	case "nudges":
		run = func(ctx context.Context, now time.Time) (coach.JobResult, error) { return j().Nudges(ctx, now) }
	case "reminders":
		run = func(ctx context.Context, now time.Time) (coach.JobResult, error) { return j().Reminders(ctx, now) }
	case "digest":
		run = func(ctx context.Context, now time.Time) (coach.JobResult, error) { return j().DigestNow(ctx, now) }
	case "alerts":
		run = func(ctx context.Context, now time.Time) (coach.JobResult, error) { return j().Alerts(ctx, now) }
	default:
		fmt.Fprintln(stderr, jobsUsage)
		return 2
	}
	if err := m.Open(ctx); err != nil {
		fmt.Fprintln(stderr, "stagecoach:", err)
		return 1
	}
	defer m.Close()
	if cfg.Slack() || cfg.Lark() {
		// Build the adapters for sending only: no HTTP server, no socket.
		m.Pool = bot.NewPool(cfg.Workers, cfg.Queue, cfg.WorkTimeout, m.Log)
		if _, err := m.adapters(ctx, http.NewServeMux(), m.Router); err != nil {
			fmt.Fprintln(stderr, "stagecoach:", err)
			return 1
		}
		defer m.stopAdapters(context.Background())
	}
	res, err := run(ctx, now)
	fmt.Fprintln(stderr, res.String())
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "stagecoach:", err)
		return 1
	case !res.Ran || res.Failed > 0:
		return 1
	}
	return 0
}
