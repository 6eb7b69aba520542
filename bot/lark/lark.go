// Package lark is the Lark / Feishu adapter: it receives messages and card
// clicks over the long connection (default) or signed webhooks, turns them
// into bot.Message, calls the bot.Handler and renders the bot.Reply as
// JSON 2.0 interactive cards. It also implements bot.Sender for proactive
// messages. The adapter translates and renders only; it makes no deal or
// stage decision.
//
// Wiring, in cmd:
//
//	a, err := lark.New(lark.Config{AppID: …, AppSecret: …, Mode: os.Getenv("LARK_MODE"), …},
//		handler, store /* Deduper */, pool, log)
//	a.Register(mux)             // webhook mode: POST /lark/events on the shared mux
//	go a.RunLongConnection(ctx) // ws mode (default): returns when ctx ends
//	// a is also the bot.Sender for Lark recipients (nudges, digests).
//
// Message events are acknowledged at once and answered by a pool worker;
// card clicks are answered inline within 2.5 s (the updated card), or with
// a toast and a later patch of the card when the handler is slower.
package lark

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/stagecoach/stagecoach/bot"
)

// Modes of receiving events.
const (
	// ModeWS receives events over Lark's long connection: no public URL.
	ModeWS = "ws"
	// ModeWebhook receives signed, encrypted HTTP callbacks at /lark/events.
	ModeWebhook = "webhook"
)

// Config configures an Adapter. Only cmd fills it (from LARK_* variables).
type Config struct {
	AppID     string
	AppSecret string
	// Mode is ModeWS (default) or ModeWebhook.
	Mode string
	// EncryptKey and VerificationToken come from the app's "Events and
	// callbacks" page; both are required in webhook mode.
	EncryptKey        string
	VerificationToken string
	// Domain is "feishu" (default, open.feishu.cn) or "lark"
	// (open.larksuite.com).
	Domain string
	// BaseURL overrides the OpenAPI base URL given by Domain (tests, proxies).
	BaseURL string
	// HTTPClient is used for OpenAPI calls; nil means a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// BotOpenID is the bot's own open_id, if known: group messages then
	// count only when they @mention exactly this bot, and the bot's own
	// messages are ignored. Without it, any @mention of a bot counts (the
	// im:message.group_at_msg scope only delivers messages that @ the bot).
	BotOpenID string
	// Locale is the language of the few strings the adapter writes itself
	// ("zh" default, "en").
	Locale string
	// Inbox, when set, is the durable inbox shared with other adapters
	// (cmd runs its Run); otherwise New builds one on the Deduper and
	// RunInbox runs its sweeper.
	Inbox *bot.Inbox
	// Health, when set, hears the long connection's state: up on connect
	// and reconnect, down (with the error, if any) on a drop or failure.
	Health func(up bool, err error)
}

// Deduper keeps delivery marks and the durable inbox (bot.DeliveryStore),
// so a redelivered event is applied once and an acked one survives a
// crash. coach.Store satisfies it.
type Deduper = bot.DeliveryStore

// busyTimeout bounds the "busy" notice sent inline when the pool is full.
const busyTimeout = 1500 * time.Millisecond

// callbackBudget is how long a card callback waits for the handler before
// answering with a toast and patching the card later (Lark allows 3 s).
const callbackBudget = 2500 * time.Millisecond

// maxBody bounds a webhook request body.
const maxBody = 1 << 20

// Adapter connects one Lark app to a bot.Handler.
type Adapter struct {
	cfg     Config
	locale  string
	h       bot.Handler
	inbox   *bot.Inbox
	ownBox  bool
	pool    *bot.Pool
	log     *slog.Logger
	cli     *lark.Client
	hc      *http.Client
	baseURL string

	hook *dispatcher.EventDispatcher // webhook mode: decrypts and verifies
	ws   *dispatcher.EventDispatcher // long connection: plaintext frames

	pace  *pacer
	names names
	// Injected for tests.
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	budget time.Duration
}

// New validates cfg and builds an Adapter. Webhook mode refuses to start
// without EncryptKey and VerificationToken: without them the SDK checks no
// signature and forged events would be dispatched.
func New(cfg Config, h bot.Handler, dedupe Deduper, pool *bot.Pool, log *slog.Logger) (*Adapter, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("lark: app id and app secret are required")
	}
	if h == nil || dedupe == nil || pool == nil {
		return nil, errors.New("lark: handler, deduper and pool are required")
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = ModeWS
	case ModeWS:
	case ModeWebhook:
		if cfg.EncryptKey == "" || cfg.VerificationToken == "" {
			return nil, errors.New("lark: webhook mode needs an encrypt key and a verification token")
		}
	default:
		return nil, fmt.Errorf("lark: unknown mode %q (want %q or %q)", cfg.Mode, ModeWS, ModeWebhook)
	}
	base := cfg.BaseURL
	if base == "" {
		switch cfg.Domain {
		case "", "feishu":
			base = lark.FeishuBaseUrl
		case "lark":
			base = lark.LarkBaseUrl
		default:
			return nil, fmt.Errorf("lark: unknown domain %q (want feishu or lark)", cfg.Domain)
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("platform", "lark")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	sdkLog := sdkLogger{log}
	a := &Adapter{
		cfg:     cfg,
		locale:  normLocale(cfg.Locale),
		h:       h,
		pool:    pool,
		log:     log,
		baseURL: base,
		hc:      hc,
		cli: lark.NewClient(cfg.AppID, cfg.AppSecret,
			lark.WithOpenBaseUrl(base),
			lark.WithReqTimeout(10*time.Second),
			lark.WithHttpClient(hc),
			lark.WithLogger(sdkLog),
			lark.WithLogLevel(larkcore.LogLevelWarn)),
		pace:   newPacer(time.Now),
		now:    time.Now,
		sleep:  sleepCtx,
		budget: callbackBudget,
	}
	a.inbox, a.ownBox = cfg.Inbox, false
	if a.inbox == nil {
		a.inbox, a.ownBox = bot.NewInbox(dedupe, pool, bot.InboxConfig{}, log), true
	}
	a.inbox.Handle(queue, a.work)
	if cfg.Mode == ModeWebhook {
		a.hook = a.dispatcher(cfg.VerificationToken, cfg.EncryptKey)
	}
	// The long-connection dispatcher also serves tests of the frame path.
	a.ws = a.dispatcher("", "")
	return a, nil
}

func (a *Adapter) dispatcher(token, key string) *dispatcher.EventDispatcher {
	d := dispatcher.NewEventDispatcher(token, key)
	// The SDK's default event logger prints request bodies at debug level.
	d.InitConfig(larkevent.WithLogger(sdkLogger{a.log}), larkevent.WithLogLevel(larkcore.LogLevelWarn))
	d.OnP2MessageReceiveV1(a.onMessage)
	d.OnP2CardActionTrigger(a.onCardAction)
	return d
}

// Register adds POST /lark/events (events and card callbacks) to mux in
// webhook mode; in long-connection mode it adds nothing.
func (a *Adapter) Register(mux *http.ServeMux) {
	if a.hook == nil {
		return
	}
	mux.Handle("POST /lark/events", http.HandlerFunc(a.serveHTTP))
}

// RunLongConnection receives events over Lark's long connection until ctx
// ends; it then returns nil. The SDK reconnects after drops; an error it
// does not retry (app not found, bad secret, connection limit) is returned,
// for cmd to log, report and retry with backoff. In webhook mode it just
// waits for ctx.
func (a *Adapter) RunLongConnection(ctx context.Context) error {
	if a.cfg.Mode != ModeWS {
		<-ctx.Done()
		return nil
	}
	c := larkws.NewClient(a.cfg.AppID, a.cfg.AppSecret,
		larkws.WithEventHandler(a.ws),
		larkws.WithDomain(a.baseURL),
		larkws.WithLogger(sdkLogger{a.log}),
		larkws.WithLogLevel(larkcore.LogLevelWarn),
		larkws.WithHttpClient(a.hc),
		larkws.WithOnError(func(err error) {
			a.log.Warn("long connection", "err", err)
			a.health(false, err)
		}),
		larkws.WithOnReady(func() { a.health(true, nil) }),
		larkws.WithOnReconnected(func() { a.health(true, nil) }),
		larkws.WithOnDisconnected(func() { a.health(false, nil) }),
	)
	err := c.Start(ctx)
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lark: long connection: %w", err)
	}
	return nil
}

func (a *Adapter) health(up bool, err error) {
	if a.cfg.Health != nil {
		a.cfg.Health(up, err)
	}
}

// RunInbox recovers expired deliveries of an inbox New built itself (no
// Config.Inbox) until ctx ends; with a shared inbox, cmd runs it instead.
func (a *Adapter) RunInbox(ctx context.Context) error {
	if !a.ownBox {
		<-ctx.Done()
		return nil
	}
	return a.inbox.Run(ctx)
}

// sdkLogger routes SDK logs to slog. Debug is dropped: the SDK logs whole
// payloads (message text) there.
type sdkLogger struct{ l *slog.Logger }

func (s sdkLogger) Debug(context.Context, ...any) {}
func (s sdkLogger) Info(ctx context.Context, args ...any) {
	s.l.DebugContext(ctx, "sdk", "msg", fmt.Sprint(args...))
}
func (s sdkLogger) Warn(ctx context.Context, args ...any) {
	s.l.WarnContext(ctx, "sdk", "msg", fmt.Sprint(args...))
}
func (s sdkLogger) Error(ctx context.Context, args ...any) {
	s.l.ErrorContext(ctx, "sdk", "msg", fmt.Sprint(args...))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
