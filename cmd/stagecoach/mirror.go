package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase"
	"github.com/stagecoach/stagecoach/storage/mirror/webhook"
)

// MirrorConfig is the CRM mirror's part of Config (read in LoadConfig).
type MirrorConfig struct {
	Enabled         bool          // STAGECOACH_MIRROR: run the mirror sender (default true)
	Batch           int           // STAGECOACH_MIRROR_BATCH: outbox entries per send (default 100)
	Poll            time.Duration // STAGECOACH_MIRROR_POLL: pause between passes when idle (default 2s)
	Lease           time.Duration // STAGECOACH_MIRROR_LEASE: a replica's hold on a team's queue (default 20s); after a crash another replica takes over when it expires
	BaseAppToken    string        // LARK_BASE_APP_TOKEN: default Base for every team without its own
	BaseTableID     string        // LARK_BASE_TABLE_ID
	BaseBatch       int           // LARK_BASE_BATCH: records per batch call (default 500, max 1000)
	BaseMinInterval time.Duration // LARK_BASE_MIN_INTERVAL: spacing of writes to one table (default 100ms)
	WebhookURL      string        // STAGECOACH_WEBHOOK_URL: default webhook for every team without its own
	WebhookSecret   string        // STAGECOACH_WEBHOOK_SECRET (secret): HMAC-SHA256 key of the signature
	WebhookTimeout  time.Duration // STAGECOACH_WEBHOOK_TIMEOUT: per request (default 10s)
	// WebhookAllowPrivate (STAGECOACH_WEBHOOK_ALLOW_PRIVATE) lets team
	// webhooks (set with `team webhook`) reach loopback and private
	// addresses; off by default so a team admin cannot probe the
	// deployment's network. The default webhook is the operator's and may
	// point anywhere.
	WebhookAllowPrivate bool
}

func loadMirrorConfig(getenv func(string) string, larkApp bool) (MirrorConfig, error) {
	c := MirrorConfig{
		Enabled:      true,
		BaseAppToken: getenv("LARK_BASE_APP_TOKEN"), BaseTableID: getenv("LARK_BASE_TABLE_ID"),
		WebhookURL: getenv("STAGECOACH_WEBHOOK_URL"), WebhookSecret: getenv("STAGECOACH_WEBHOOK_SECRET"),
	}
	var errs []string
	if v := getenv("STAGECOACH_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("STAGECOACH_WEBHOOK_ALLOW_PRIVATE=%q: want true or false", v))
		}
		c.WebhookAllowPrivate = b
	}
	if v := getenv("STAGECOACH_MIRROR"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("STAGECOACH_MIRROR=%q: want true or false", v))
		}
		c.Enabled = b
	}
	for _, x := range []struct {
		env      string
		dst      *int
		def, max int
	}{{"STAGECOACH_MIRROR_BATCH", &c.Batch, 100, 1000}, {"LARK_BASE_BATCH", &c.BaseBatch, 500, 1000}} {
		n, err := intEnv(getenv, x.env, x.def)
		if err != nil || n < 1 || n > x.max {
			errs = append(errs, fmt.Sprintf("%s=%q: want a whole number from 1 to %d", x.env, getenv(x.env), x.max))
		}
		*x.dst = n
	}
	for _, x := range []struct {
		env string
		dst *time.Duration
		def time.Duration
	}{{"STAGECOACH_MIRROR_POLL", &c.Poll, 2 * time.Second}, {"STAGECOACH_MIRROR_LEASE", &c.Lease, 20 * time.Second}, {"LARK_BASE_MIN_INTERVAL", &c.BaseMinInterval, 100 * time.Millisecond}, {"STAGECOACH_WEBHOOK_TIMEOUT", &c.WebhookTimeout, 10 * time.Second}} {
		*x.dst = x.def
		if v := getenv(x.env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Sprintf("%s=%q: want a duration like 100ms", x.env, v))
			}
			*x.dst = d
		}
	}
	if (c.BaseAppToken == "") != (c.BaseTableID == "") {
		errs = append(errs, "set both LARK_BASE_APP_TOKEN and LARK_BASE_TABLE_ID (from the Base URL …/base/<app_token>?table=<table_id>)")
	}
	if c.BaseAppToken != "" && !larkApp {
		errs = append(errs, "LARK_BASE_APP_TOKEN needs the Lark app credentials (LARK_APP_ID, LARK_APP_SECRET)")
	}
	if c.WebhookURL != "" {
		if !coach.ValidWebhookURL(c.WebhookURL) {
			errs = append(errs, "STAGECOACH_WEBHOOK_URL must be an https:// URL (http only to localhost)")
		}
		if len(c.WebhookSecret) < coach.MinWebhookSecretLen {
			errs = append(errs, fmt.Sprintf("STAGECOACH_WEBHOOK_URL needs STAGECOACH_WEBHOOK_SECRET of at least %d characters", coach.MinWebhookSecretLen))
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// mirrorTargets builds the targets: Lark Base when a Lark app is
// configured (teams may set their own table with `team base`), the
// webhook always (teams may set their own with `team webhook`).
func (m *Main) mirrorTargets() []coach.MirrorTarget {
	var ts []coach.MirrorTarget
	if m.Config.Lark() {
		base := m.Config.LarkBaseURL
		if base == "" {
			base = lark.FeishuBaseUrl
			if m.Config.LarkDomain == "lark" {
				base = lark.LarkBaseUrl
			}
		}
		cli := lark.NewClient(m.Config.LarkAppID, m.Config.LarkAppSecret, lark.WithOpenBaseUrl(base),
			lark.WithReqTimeout(15*time.Second), lark.WithHttpClient(&http.Client{Timeout: 20 * time.Second}),
			lark.WithLogLevel(larkcore.LogLevelError))
		ts = append(ts, larkbase.New(cli, m.Store, larkbase.Config{
			AppToken: m.Config.Mirror.BaseAppToken, TableID: m.Config.Mirror.BaseTableID,
			BatchSize: m.Config.Mirror.BaseBatch, MinInterval: m.Config.Mirror.BaseMinInterval,
		}, m.Log.With("mirror", larkbase.Name)))
	}
	team := webhook.NewPublicClient(m.Config.Mirror.WebhookTimeout)
	if m.Config.Mirror.WebhookAllowPrivate {
		team = webhook.NewClient(m.Config.Mirror.WebhookTimeout)
	}
	ts = append(ts, webhook.New(m.Config.Mirror.WebhookURL, m.Config.Mirror.WebhookSecret, webhook.NewClient(m.Config.Mirror.WebhookTimeout), team))
	return ts
}

// newMirror builds the mirror sender over the service's store, with
// metrics and admin notices delivered like nudges.
func (m *Main) newMirror(fallback io.Writer) *coach.Mirror {
	mir := coach.NewMirror(m.Store, m.Playbook, m.mirrorTargets(), time.Now, m.Log.With("component", "mirror"))
	mir.Batch, mir.Poll, mir.Lease = m.Config.Mirror.Batch, m.Config.Mirror.Poll, m.Config.Mirror.Lease
	if n, ok := any(bot.NewNotifier(m.Router, m.senders(fallback))).(coach.MirrorNotifier); ok {
		mir.Notifier = n
	} else {
		mir.Notifier = logNotifier{m}
	}
	if m.Metrics != nil {
		m.Metrics.Mirror(mir)
	}
	return mir
}

// logNotifier logs mirror notices until the bot renders them.
type logNotifier struct{ m *Main }

func (l logNotifier) MirrorNotice(ctx context.Context, n coach.MirrorNotice) error {
	l.m.Log.Warn("mirror: the team admin must act", "team", n.Team.ID, "admin", n.To, "target", n.Target, "kind", n.Kind)
	return nil
}

// mirrorRunners returns the mirror sender as a Serve runner (none when
// STAGECOACH_MIRROR=false). The chat never waits for it: a target that is
// down only grows the outbox, and /readyz does not look at it.
func (m *Main) mirrorRunners() []func(context.Context) error {
	if !m.Config.Mirror.Enabled {
		return nil
	}
	mir := m.newMirror(os.Stdout)
	m.Log.Info("mirror: started", "targets", len(mir.Targets))
	return []func(context.Context) error{mir.Run}
}

const mirrorUsage = "usage: stagecoach mirror resync [--team T] | stagecoach mirror status [--team T]"

// runMirror is the operator command `stagecoach mirror resync [--team T]`
// (queue the current state of every deal of every team, or of T, for
// every target; the running service sends it) and `stagecoach mirror
// status [--team T]` (each target's queue and last error). Exit codes: 0
// done, 1 failed, 2 usage.
func runMirror(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || args[0] != "resync" && args[0] != "status" {
		fmt.Fprintln(stderr, mirrorUsage)
		return 2
	}
	fs := flag.NewFlagSet("stagecoach mirror "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	teamFlag := fs.String("team", "", "only this team (default: every team)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, mirrorUsage)
		return 2
	}
	m, code := openForCommand(ctx, environ, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	teams := []string{*teamFlag}
	if *teamFlag == "" {
		var err error
		if teams, err = m.Store.Teams(ctx); err != nil {
			fmt.Fprintln(stderr, "stagecoach:", err)
			return 1
		}
		sort.Strings(teams)
	}
	for _, t := range teams {
		if _, err := m.Store.GetTeam(ctx, t); err != nil {
			fmt.Fprintf(stderr, "stagecoach: team %q: %v\n", t, err)
			return 1
		}
		if args[0] == "resync" {
			n, err := m.Store.EnqueueResync(ctx, t, "", time.Now())
			if err != nil {
				fmt.Fprintln(stderr, "stagecoach:", err)
				return 1
			}
			fmt.Fprintf(stdout, "%s: %d deals queued\n", t, n)
			continue
		}
		targets, err := m.Store.OutboxTargets(ctx, t)
		if err != nil {
			fmt.Fprintln(stderr, "stagecoach:", err)
			return 1
		}
		sort.Strings(targets)
		for _, tg := range targets {
			st, err := m.Store.OutboxStats(ctx, t, tg)
			if err != nil {
				fmt.Fprintln(stderr, "stagecoach:", err)
				return 1
			}
			age := "-"
			if st.Depth > 0 {
				age = time.Since(st.Oldest).Round(time.Second).String()
			}
			fmt.Fprintf(stdout, "%s\t%s\tqueued %d\toldest %s\n", t, tg, st.Depth, age)
		}
	}
	return 0
}

// Mirror exposes the mirror on /metrics:
//
//	stagecoach_mirror_sent_total{target}          changes delivered
//	stagecoach_mirror_errors_total{target,kind}   failed sends by kind (transient, rate_limit, permission, config)
//	stagecoach_mirror_queue_depth{target}         changes waiting, all teams
//	stagecoach_mirror_queue_age_seconds{target}   age of the oldest waiting change, all teams
func (m *Metrics) Mirror(mir *coach.Mirror) {
	sent := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stagecoach_mirror_sent_total", Help: "Deal changes delivered to a mirror target."}, []string{"target"})
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stagecoach_mirror_errors_total", Help: "Failed mirror sends by target and kind (transient, rate_limit, permission, config)."}, []string{"target", "kind"})
	m.reg.MustRegister(sent, errs, &mirrorCollector{mir: mir,
		depth: prometheus.NewDesc("stagecoach_mirror_queue_depth", "Deal changes waiting for a mirror target (all teams).", []string{"target"}, nil),
		age:   prometheus.NewDesc("stagecoach_mirror_queue_age_seconds", "Age of the oldest deal change waiting for a mirror target (all teams); 0 when none waits.", []string{"target"}, nil),
	})
	for _, t := range mir.Targets {
		sent.WithLabelValues(t.Name())
	}
	prev := mir.OnSend
	mir.OnSend = func(target string, changes, delivered int, err error) {
		sent.WithLabelValues(target).Add(float64(delivered))
		if err != nil {
			kind := coach.MirrorTransient
			var me *coach.MirrorError
			if errors.As(err, &me) {
				kind = me.Kind
			}
			errs.WithLabelValues(target, string(kind)).Inc()
			m.errors.WithLabelValues("mirror").Inc()
		}
		if prev != nil {
			prev(target, changes, delivered, err)
		}
	}
}

// mirrorCollector reads the outbox depth and age at scrape time.
type mirrorCollector struct {
	mir        *coach.Mirror
	depth, age *prometheus.Desc
}

func (c *mirrorCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth; ch <- c.age }

func (c *mirrorCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	depth, oldest, err := c.mir.QueueStats(ctx)
	if err != nil {
		return
	}
	now := time.Now()
	for _, t := range c.mir.Targets {
		n := t.Name()
		age := 0.0
		if o := oldest[n]; !o.IsZero() {
			age = now.Sub(o).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(depth[n]), n)
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age, n)
	}
}
