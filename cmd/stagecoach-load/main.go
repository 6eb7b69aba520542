// Command stagecoach-load drives a running Stagecoach (or any Slack app
// in HTTP mode, such as the Bolt peer) on loopback with correctly signed
// Slack slash commands and interactions and, optionally, encrypted and
// signed Lark events, at a fixed open-loop rate for a fixed time, and
// prints two summary lines, the acks and the work:
//
//	throughput=<acks/s> p50_ms=<…> p95_ms=<…> p99_ms=<…> max_ms=<…> errors=<n>
//	work=<replies/s> busy=<n> failed=<n> reply_p50_ms=<…> reply_p99_ms=<…> unanswered=<n> [cpu_us_per_cmd_<name>=<µs>…]
//
// An ack is not work: a busy ack ("I'm busy right now…") is counted in
// busy, never as served. With -receive the tool serves the fake Slack Web
// API and response_url itself, matches each reply to its request (the
// request id is the last segment of the response_url it sends) and counts
// as work the commands answered during the measured window; the latency
// is from the ack to the first reply, measured at the fake. Without
// -receive the work line shows only the busy acks.
//
// With -fake-slack-api it instead serves a tiny stand-in for the Slack Web
// API (and for response_url) that answers {"ok":true}, for benchmarks that
// must not reach slack.com.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Limits that keep every run bounded whatever the flags say.
const (
	maxDuration = time.Hour
	maxWarmup   = 10 * time.Minute
	maxFakeFor  = 24 * time.Hour
)

const defaultMix = "show=50,check=15,uncheck=15,note=10,tick=5,button=5"

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stagecoach-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of the server under test")
	secret := fs.String("secret", "", "Slack signing secret (required for Slack ops)")
	rate := fs.Float64("rate", 1000, "open-loop request rate in req/s; 0 = closed loop, as fast as -connections allow")
	duration := fs.Duration("duration", 10*time.Second, "measured phase length (max 1h)")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured warm-up at the same rate and mix before the measured phase")
	deals := fs.Int("deals", 20, "deals to create first (new \"Load deal <i>\"); ops pick D-1…D-<deals>")
	conns := fs.Int("connections", 50, "workers = maximum requests in flight = TCP connections")
	team := fs.String("team", "", "team_id / tenant_key (default: a fresh TLOAD<time> so the deals are D-1…D-n)")
	users := fs.Int("users", 1, "distinct user ids U1…U<n>, picked at random per request")
	channel := fs.String("channel", "C0LOAD", "channel_id (the prefix of the ids with -channels > 1)")
	channels := fs.Int("channels", 1, "spread requests over this many channel ids <channel>1…<channel>n")
	mixFlag := fs.String("mix", defaultMix, "op weights; ops: show, check, uncheck, note, deals (slash), tick, button (interactions), lark")
	timeout := fs.Duration("timeout", 3*time.Second, "per-request timeout (Slack's ack budget is 3s); a timeout counts as an error")
	maxReq := fs.Int64("max-requests", 2_000_000, "cap on all requests sent (setup, warm-up and measured)")
	path := fs.String("path", "/slack/commands", "path of slash commands (Bolt's single endpoint: /slack/events)")
	ipath := fs.String("interactivity-path", "/slack/interactivity", "path of interactions")
	lpath := fs.String("lark-path", "/lark/events", "path of Lark events")
	command := fs.String("command", "/coach", "slash command name")
	items := fs.String("items", "s1.m1,s1.m2,s1.m3", "checklist item ids used by check, uncheck and tick")
	respURL := fs.String("response-url", "http://127.0.0.1:3998/response", "response_url sent with commands and interactions (the server posts replies there)")
	larkKey := fs.String("lark-encrypt-key", "", "Lark encrypt key (needed by the lark op)")
	larkToken := fs.String("lark-token", "", "Lark verification token put in event headers")
	seed := fs.Uint64("seed", 0, "random seed for the op mix (0: random)")
	settle := fs.Duration("settle", 500*time.Millisecond, "pause after creating the deals (the server creates them after the ack)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback target (forbidden in this workplace)")
	fake := fs.String("fake-slack-api", "", "serve a fake Slack Web API on this loopback address (e.g. :3998) instead of sending load")
	fakeFor := fs.Duration("fake-for", 30*time.Minute, "with -fake-slack-api: stop after this long (max 24h)")
	receive := fs.String("receive", "", "serve the fake Slack Web API and response_url on this loopback address during the run and count the replies (the server's Slack API URL: http://<addr>/api/); replaces -response-url")
	drain := fs.Duration("drain", 3*time.Second, "with -receive: after the measured phase, wait at most this long for replies still owed")
	cpuPIDs := fs.String("cpu-pids", "", "server processes to measure CPU time of over the measured window (/proc/<pid>/stat), as name=pid,…")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stagecoach-load: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *fake != "" {
		if *fakeFor <= 0 || *fakeFor > maxFakeFor {
			fmt.Fprintln(stderr, "stagecoach-load: -fake-for must be in (0, 24h]")
			return 2
		}
		ctx, cancel := context.WithTimeout(ctx, *fakeFor)
		defer cancel()
		if err := serveFakeSlack(ctx, *fake, *allowRemote, stderr); err != nil {
			fmt.Fprintln(stderr, "stagecoach-load:", err)
			return 1
		}
		return 0
	}

	mix, err := ParseMix(*mixFlag)
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach-load:", err)
		return 2
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "stagecoach-load: -target %q: want a base URL like http://127.0.0.1:8080\n", *target)
		return 2
	}
	if !*allowRemote {
		for _, s := range []string{*target, *respURL} {
			v, err := url.Parse(s)
			if err == nil {
				err = CheckLoopback(ctx, v)
			}
			if err != nil {
				fmt.Fprintln(stderr, "stagecoach-load: refusing:", err)
				return 2
			}
		}
	}
	if *duration > maxDuration || *warmup < 0 || *warmup > maxWarmup {
		fmt.Fprintln(stderr, "stagecoach-load: -duration must be ≤ 1h and -warmup in [0, 10m]")
		return 2
	}
	if *secret == "" && (mix.Has(OpShow) || mix.Has(OpCheck) || mix.Has(OpUncheck) || mix.Has(OpNote) || mix.Has(OpDeals) || mix.Has(OpTick) || mix.Has(OpButton) || *deals > 0) {
		fmt.Fprintln(stderr, "stagecoach-load: -secret is required for Slack requests")
		return 2
	}
	pids, err := ParsePIDs(*cpuPIDs)
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach-load:", err)
		return 2
	}
	if *drain < 0 || *drain > time.Minute {
		fmt.Fprintln(stderr, "stagecoach-load: -drain must be in [0, 1m]")
		return 2
	}
	if *team == "" {
		*team = fmt.Sprintf("TLOAD%d", time.Now().Unix())
	}
	if *seed == 0 {
		*seed = mrand.Uint64()
	}
	var itemList []string
	for it := range strings.SplitSeq(*items, ",") {
		if it = strings.TrimSpace(it); it != "" {
			itemList = append(itemList, it)
		}
	}
	cfg := Config{
		Target: u, Secret: *secret, Rate: *rate, Duration: *duration, Warmup: *warmup,
		Connections: *conns, MaxRequests: *maxReq, Timeout: *timeout,
		Deals: *deals, Team: *team, Users: *users, Channel: *channel, Channels: *channels, Items: itemList, Mix: mix, Seed: *seed,
		Command: *command, Path: *path, InteractivityPath: *ipath, ResponseURL: *respURL,
		LarkPath: *lpath, LarkEncryptKey: *larkKey, LarkToken: *larkToken,
		Receive: *receive, AllowRemote: *allowRemote, Drain: *drain, CPUPIDs: pids,
	}
	res, err := Run(ctx, cfg, *settle, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach-load:", err)
		return 1
	}
	fmt.Fprintln(stdout, res.Summary())
	fmt.Fprintln(stdout, res.WorkLine())
	return 0
}

// Run does the whole test: setup, warm-up, measured phase. Progress and
// details go to log; the caller prints the summary.
func Run(ctx context.Context, cfg Config, settle time.Duration, log io.Writer) (Result, error) {
	l, err := NewLoader(cfg)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	mode := fmt.Sprintf("rate=%g/s", cfg.Rate)
	if cfg.Rate == 0 {
		mode = "closed loop"
	}
	fmt.Fprintf(log, "target=%s team=%s %s connections=%d duration=%s warmup=%s deals=%d\n",
		cfg.Target, cfg.Team, mode, cfg.Connections, cfg.Duration, cfg.Warmup, cfg.Deals)
	if u := l.ReceiveURL(); u != "" {
		fmt.Fprintf(log, "fake slack: %s/api/ and %s/response/<id>\n", u, u)
	}
	if cfg.Deals > 0 {
		bad, first, err := l.Setup(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("setup: %w", err)
		}
		fmt.Fprintf(log, "setup: sent %d new-deal commands, %d failed\n", cfg.Deals, bad)
		if bad > 0 {
			fmt.Fprintf(log, "setup: first failure: %v\n", first)
		}
		if bad == cfg.Deals {
			return Result{}, fmt.Errorf("setup: every new-deal command failed, first with %v (wrong -secret, -path or -target?)", first)
		}
		if err := sleep(ctx, settle); err != nil {
			return Result{}, err
		}
	}
	if cfg.Warmup > 0 {
		w := l.phase(ctx, cfg.Warmup, 0)
		fmt.Fprintf(log, "warmup: %s | %s | %s\n", w.Summary(), w.WorkLine(), w.Details())
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	res := l.Phase(ctx, cfg.Duration)
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	fmt.Fprintln(log, "measured:", res.Details())
	fmt.Fprintln(log, "measured work:", res.Work.Details())
	if b := res.Behind(); b != "" {
		fmt.Fprintln(log, "WARNING:", b)
	}
	return res, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
