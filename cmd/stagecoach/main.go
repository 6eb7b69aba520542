// Command stagecoach runs the sales-coach bot: a console chat on the
// embedded store when no chat platform is configured, otherwise the Slack
// and/or Lark adapters with the HTTP endpoints and the scheduler.
// `stagecoach serve` insists on the service, `stagecoach health` checks a
// running one, `stagecoach jobs run …` runs one job once (see usageText).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"syscall"
	"time"
	_ "time/tzdata" // team and user timezones work in any container image

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := parseArgs(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "stagecoach:", err)
		return 2
	}
	switch a.Command {
	case "jobs":
		return runJobs(ctx, a.Args, stdout, stderr)
	case "mirror":
		return runMirror(ctx, a.Args, stdout, stderr) // mirror.go
	case "health":
		return runHealth(ctx, stdout, stderr)
	case "export", "import":
		return runTransfer(ctx, a.Command, a.Args, stdin, stdout, stderr)
	}
	cfg, err := LoadConfig(environ)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if a.Lang != "" {
		cfg.Lang = a.Lang
		if err := cfg.validate(); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	consoleMode := !cfg.Slack() && !cfg.Lark()
	if consoleMode && a.Command == "serve" {
		fmt.Fprintln(stderr, "stagecoach:", errNoPlatform)
		return 2
	}
	logw := stderr
	if consoleMode {
		logw = consoleLog(stdin, stdout, stderr)
	}
	m := &Main{Config: cfg, Log: newLogger(cfg, logw, consoleMode)}
	if err := m.Open(ctx); err != nil {
		m.Log.Error("start failed", "err", err)
		fmt.Fprintln(stderr, "stagecoach:", err)
		return 1
	}
	defer m.Close()
	if consoleMode {
		return runConsole(ctx, m, a, stdin, stdout, stderr)
	}
	if err := m.Serve(ctx); err != nil {
		m.Log.Error("serve failed", "err", err)
		return 1
	}
	return 0
}

func consoleLang(l string) playbook.Lang {
	if l == "zh" {
		return playbook.ZH
	}
	return playbook.EN
}

func defaultUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "me"
}

func newLogger(cfg Config, w io.Writer, console bool) *slog.Logger {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	if console && cfg.LogLevel == "info" {
		level = slog.LevelWarn // keep the chat readable
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Main holds the running service's parts; Open builds them, Close releases
// them in reverse order.
type Main struct {
	Config   Config
	Log      *slog.Logger
	Playbook *playbook.Playbook
	Store    coach.Store
	Service  *coach.Service
	Router   *bot.Router
	Pool     *bot.Pool
	Metrics  *Metrics

	closers []func() error
	// platformSenders deliver proactive messages per platform; stops shut
	// the adapters down (after the HTTP server, before the pool).
	platformSenders map[bot.Platform]bot.Sender
	health          *health // adapter states (reliab.go)
	stops           []func(context.Context) error
}

// Open loads the playbook (refusing an invalid one), opens the store and
// builds the service and router.
func (m *Main) Open(ctx context.Context) error {
	pb, err := loadPlaybook(m.Config.Playbook)
	if err != nil {
		return err
	}
	m.Playbook = pb
	st, err := openStore(ctx, m.Config, m.Log)
	if err != nil {
		return err
	}
	// Everything uses the metered store, so store latency and errors are
	// measured wherever they happen.
	m.Metrics = NewMetrics()
	st = m.Metrics.Store(st)
	m.Store = st
	m.closers = append(m.closers, st.Close)
	m.Service = coach.NewService(st, pb, time.Now, m.Log)
	m.Service.SessionTTL = m.Config.SessionTTL
	if m.Config.PrepLeadHours > 0 {
		m.Service.PrepLead = time.Duration(m.Config.PrepLeadHours) * time.Hour
	}
	if err := wireLLM(m); err != nil {
		return err
	}
	if err := wireASR(m); err != nil { // asr.go: voice notes
		return err
	}
	m.Router = bot.NewRouter(m.Service, m.Log)
	return nil
}

func loadPlaybook(path string) (*playbook.Playbook, error) {
	if path == "" {
		return playbook.Default(), nil
	}
	pb, err := playbook.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("playbook %s is invalid, refusing to start:\n%w", path, err)
	}
	return pb, nil
}

// Close releases everything Open and Serve started.
func (m *Main) Close() {
	for i := len(m.closers) - 1; i >= 0; i-- {
		if err := m.closers[i](); err != nil {
			m.Log.Warn("close", "err", err)
		}
	}
	m.closers = nil
}

// shutdownDrain bounds the drain after SIGTERM (HTTP server, adapters,
// worker pool). docker-compose.yml's stop_grace_period must be longer, or
// Docker kills the process mid-drain; a test keeps the two in step.
const shutdownDrain = 20 * time.Second

// Serve runs the chat adapters, the HTTP endpoints and the scheduler until
// ctx ends, then drains in-flight work.
func (m *Main) Serve(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", m.readyz) // store and adapters (reliab.go)
	ctx, cancelRunners := context.WithCancel(ctx)
	defer cancelRunners()
	m.Pool = bot.NewPool(m.Config.Workers, m.Config.Queue, m.Config.WorkTimeout, m.Log)
	h := bot.Chain(m.Router, bot.RequestID(m.Log), m.Metrics.Bot(CommandNamer(m.Router)), retryStoreFailures(m.Log))
	runners, err := m.adapters(ctx, mux, h)
	if err != nil {
		return err
	}
	// Manager alerts follow deal changes on every replica, scheduler or not.
	m.Service.Alerts = bot.NewNotifier(m.Router, m.senders(os.Stdout))
	if m.Config.EnableCron {
		runners = append(runners, m.Scheduler())
	}
	runners = append(runners, m.mirrorRunners()...) // mirror.go: CRM mirror sender
	if m.Config.PprofAddr != "" {
		go servePprof(ctx, m.Config.PprofAddr, m.Log) // pprof.go: opt-in, loopback only
	}
	srv := &http.Server{Addr: m.Config.HTTPAddr, Handler: m.Metrics.HTTP(mux), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	errc := make(chan error, len(runners)+1)
	go func() {
		m.Log.Info("http listening", "addr", m.Config.HTTPAddr)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	for _, r := range runners {
		go func() {
			if err := r(ctx); err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	m.Log.Info("shutting down: draining in-flight work")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownDrain)
	defer cancel()
	_ = srv.Shutdown(sctx)
	cancelRunners()
	m.stopAdapters(sctx)
	return runErr
}

// stopAdapters shuts the adapters down, then drains the worker pool.
func (m *Main) stopAdapters(ctx context.Context) {
	for _, stop := range m.stops {
		if err := stop(ctx); err != nil {
			m.Log.Warn("adapter shutdown", "err", err)
		}
	}
	m.stops = nil
	if m.Pool != nil {
		if err := m.Pool.Close(ctx); err != nil {
			m.Log.Warn("drain", "err", err)
		}
	}
}
