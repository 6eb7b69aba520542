package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/stagecoach/stagecoach/bot"
)

// DedupeTTL is how long a finished delivery is remembered: the one rule
// shared with Lark (bot.DoneTTL).
const DedupeTTL = bot.DoneTTL

// Defaults for Config fields left zero.
const (
	DefaultCommand         = "/coach"
	DefaultMaxBody         = 1 << 20
	DefaultChannelInterval = time.Second
	DefaultFormTimeout     = 2500 * time.Millisecond
	defaultAPITimeout      = 10 * time.Second
	defaultJobTimeout      = 20 * time.Second
	defaultUserTTL         = time.Hour
	defaultUserCacheSize   = 10000
	maxNoticeWorkers       = 64
)

// Deduper keeps delivery marks and the durable inbox (bot.DeliveryStore);
// coach.Store satisfies it.
type Deduper = bot.DeliveryStore

// Config configures the adapter. Only cmd reads the environment; it fills
// this struct from SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET,
// SLACK_API_URL and SLACK_COMMAND.
type Config struct {
	// BotToken (xoxb-…) calls the Web API. Required.
	BotToken string
	// AppToken (xapp-…, scope connections:write) enables RunSocketMode.
	AppToken string
	// SigningSecret verifies HTTP requests. Required for Register; without
	// it every HTTP request is refused with 401.
	SigningSecret string
	// APIURL overrides the Web API base URL (tests, proxies). It must end
	// in "/"; one is added when missing.
	APIURL string
	// Command is the slash command (default "/coach"), used in hints.
	Command string
	// Workers, Queue and Timeout size the pool New creates when it is
	// given none. Timeout also bounds each job's Web API calls.
	Workers, Queue int
	Timeout        time.Duration
	// HTTPClient makes Web API and response_url calls. Default: a client
	// with a 10 s timeout.
	HTTPClient *http.Client
	// InlineAnswer, when > 0, lets a slash command's ack carry the answer
	// when the worker has it within this long (at most 1 s), instead of a
	// second request to response_url (inline.go). 0: off.
	InlineAnswer time.Duration
	// MaxBody caps an HTTP request body (default 1 MiB); larger → 413.
	MaxBody int64
	// ChannelInterval paces posts to one channel (default 1 s, Slack's
	// chat.postMessage limit); negative disables pacing.
	ChannelInterval time.Duration
	// FormTimeout bounds the handler on a modal submission, which must be
	// answered inside Slack's 3 s (default 2.5 s).
	FormTimeout time.Duration
	// UserCacheTTL and UserCacheSize bound the users.info cache
	// (default 1 h, 10,000 users).
	UserCacheTTL  time.Duration
	UserCacheSize int
	// Inbox, when set, is the durable inbox shared with other adapters
	// (cmd runs its Run). Otherwise New builds one on the Deduper and
	// runs it until Close.
	Inbox *bot.Inbox
	// Health, when set, hears the Socket Mode connection's state: up when
	// connected, down (with the error, if any) when it drops or fails.
	Health func(up bool, err error)
	// Posts hears where replies about a deal were posted (thread.go);
	// default: the handler, when it is a bot.PostRecorder.
	Posts bot.PostRecorder
}

// Adapter connects one Slack app to a bot.Handler. It implements
// bot.Sender. Create it with New; it is safe for concurrent use.
type Adapter struct {
	cfg     Config
	h       bot.Handler
	inbox   *bot.Inbox
	pool    *bot.Pool
	ownPool bool
	log     *slog.Logger
	api     *slackapi.Client
	hc      *http.Client
	pace    *pacer
	users   *userCache
	posts   bot.PostRecorder // thread.go

	botUser atomic.Value // string: the bot's user id, learnt from events

	base    context.Context // background work (busy notices) ends with Close
	cancel  context.CancelFunc
	mu      sync.Mutex // guards closed and wg.Add against Close's wg.Wait
	closed  bool
	wg      sync.WaitGroup
	notices chan struct{} // bounds background notices (the rest go inline)
	// stopInbox ends the sweeper of an inbox New built itself.
	stopInbox func()
}

// New checks cfg and returns an adapter that answers through h. dedupe
// keeps the inbox and delivery marks (nil: in memory, lost on restart;
// ignored when cfg.Inbox is set). pool runs the
// work after each ack; when nil, New creates one from cfg.Workers,
// cfg.Queue and cfg.Timeout, and Close closes it. log may be nil.
func New(cfg Config, h bot.Handler, dedupe Deduper, pool *bot.Pool, log *slog.Logger) (*Adapter, error) {
	if h == nil {
		return nil, errors.New("slack: nil handler")
	}
	if cfg.BotToken == "" {
		return nil, errors.New("slack: bot token (SLACK_BOT_TOKEN) is required")
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slack: set a signing secret (HTTP mode) or an app token (Socket Mode)")
	}
	if cfg.APIURL != "" && !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.Command == "" {
		cfg.Command = DefaultCommand
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.ChannelInterval == 0 {
		cfg.ChannelInterval = DefaultChannelInterval
	}
	if cfg.FormTimeout <= 0 {
		cfg.FormTimeout = DefaultFormTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultJobTimeout
	}
	if cfg.UserCacheTTL <= 0 {
		cfg.UserCacheTTL = defaultUserTTL
	}
	if cfg.UserCacheSize <= 0 {
		cfg.UserCacheSize = defaultUserCacheSize
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultAPITimeout}
	}
	a := &Adapter{
		cfg: cfg, h: h, pool: pool, log: log.With("platform", "slack"), hc: hc,
		pace:    newPacer(max(cfg.ChannelInterval, 0)),
		users:   newUserCache(cfg.UserCacheTTL, cfg.UserCacheSize),
		notices: make(chan struct{}, maxNoticeWorkers),
		posts:   postRecorder(cfg.Posts, h),
	}
	if a.pool == nil {
		a.pool = bot.NewPool(max(cfg.Workers, 1), max(cfg.Queue, 64), cfg.Timeout, log)
		a.ownPool = true
	}
	a.api = slackapi.New(cfg.BotToken, a.apiOptions()...)
	a.base, a.cancel = context.WithCancel(context.Background())
	a.inbox = cfg.Inbox
	if a.inbox == nil {
		a.inbox = bot.NewInbox(dedupe, a.pool, bot.InboxConfig{}, log)
		ictx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = a.inbox.Run(ictx) }()
		a.stopInbox = func() { stop(); <-done }
	}
	a.inbox.Handle(queue, a.work)
	return a, nil
}

func (a *Adapter) apiOptions() []slackapi.Option {
	// OptionRetry wraps the client set before it, so it must come after
	// OptionHTTPClient; it retries 429s honouring Retry-After.
	opts := []slackapi.Option{slackapi.OptionHTTPClient(a.hc), slackapi.OptionRetry(3)}
	if a.cfg.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(a.cfg.APIURL))
	}
	return opts
}

// Close stops background notices and, when New created the pool, drains
// it. cmd closes a pool it passed in itself.
func (a *Adapter) Close(ctx context.Context) error {
	if a.stopInbox != nil {
		a.stopInbox()
	}
	var err error
	if a.ownPool {
		err = a.pool.Close(ctx)
	}
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		a.cancel()
		<-done
	}
	a.cancel()
	return err
}

// origin is where a message came from and so where its reply goes.
type origin struct {
	team, user  string
	channel     string // channel to answer in; "" → DM the user
	thread      string
	responseURL string // slash commands and message actions
	triggerID   string // lets a Form open as a modal (valid ~3 s)
	messageTS   string // message an action came from (chat.update)
	direct      bool   // DM / App Home: never ephemeral
	home        bool   // action from the App Home tab
	publish     bool   // app_home_opened: the reply is the Home tab
	command     bool   // slash command
}

// process runs the handler and delivers its reply.
func (a *Adapter) process(ctx context.Context, msg bot.Message, o origin, attempt int) error {
	if msg.User != "" && msg.UserName == "" && !msg.Overheard {
		msg.UserName = a.userName(ctx, msg.User)
	}
	a.attachAudio(&msg)
	reply, err := a.h.Handle(ctx, msg)
	if errors.Is(err, bot.ErrRetryLater) {
		// Durable: it runs again when the store is back. Say so once.
		if attempt <= 1 && !o.publish && !msg.Overheard {
			if derr := a.deliver(ctx, o, bot.LaterReply(textLang(msg.Text)), msg.Locale); derr != nil {
				a.log.Warn("later notice", "err", derr)
			}
		}
		return err
	}
	if err != nil {
		ref := newRef()
		a.log.Error("handler failed", "ref", ref, "team", msg.Tenant, "user", msg.User, "err", err)
		if o.publish {
			return nil
		}
		reply = errorReply(textLang(msg.Text), ref)
	}
	if err := a.deliverReply(ctx, msg, o, reply, msg.Locale); err != nil {
		a.log.Error("deliver reply", "team", msg.Tenant, "user", msg.User, "channel", o.channel, "err", err)
	}
	return nil
}

func errorReply(lang, ref string) bot.Reply {
	return bot.Reply{Ephemeral: true, Error: true, Blocks: []bot.Block{bot.Text{Text: tr(lang, "error", "ref", ref)}}}
}

// background runs f in a goroutine that Close waits for; after Close it
// runs nothing and returns false.
func (a *Adapter) background(f func()) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
	return true
}

func newRef() string { return strconv.FormatUint(rand.Uint64()|1<<40, 36)[:6] }

// onCommand handles a slash command and returns the ack body (nil: an
// empty 200; the answer follows on response_url). id names the delivery
// (digest of the signed request, or the Socket Mode envelope id): a replay
// is acked and dropped.
func (a *Adapter) onCommand(ctx context.Context, cmd slackapi.SlashCommand, id string) *slackapi.Msg {
	if cmd.Command != "" && cmd.Command != a.cfg.Command {
		a.log.Debug("unexpected slash command, handled anyway", "command", cmd.Command)
	}
	msg := bot.Message{
		Platform: bot.Slack, Tenant: cmd.TeamID, User: cmd.UserID,
		Channel: cmd.ChannelID, Text: strings.TrimSpace(cmd.Text),
	}
	o := origin{
		team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID,
		responseURL: cmd.ResponseURL, triggerID: cmd.TriggerID, command: true,
	}
	if adm := a.admit(ctx, "cmd", id, msg, o); adm == bot.Busy || adm == bot.StoreDown || adm == bot.StoreUnsure {
		if adm == bot.Busy {
			pause(ctx, busyAckDelay)
		}
		return &slackapi.Msg{ResponseType: slackapi.ResponseTypeEphemeral, Text: bot.DeliveryText(textLang(cmd.Text), adm)}
	}
	return nil
}

// errDedupe: the inbox write failed; the event must be redelivered.
var errDedupe = errors.New("slack: inbox store unavailable")

// errShed: the event was shed and the busy notice could not be sent
// either; a redelivery is the only way left not to lose it.
var errShed = errors.New("slack: busy, notice failed")

// onEvent handles one Events API delivery. A non-nil error means "do not
// acknowledge" (HTTP 5xx / no Socket Mode ack) so Slack redelivers it. id
// names the delivery when it has no event id.
func (a *Adapter) onEvent(ctx context.Context, ev slackevents.EventsAPIEvent, id string) error {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb == nil {
		return nil
	}
	team := cb.TeamID
	if team == "" {
		team = ev.TeamID
	}
	for _, au := range cb.Authorizations {
		if au.IsBot && au.UserID != "" {
			a.botUser.Store(au.UserID)
			break
		}
	}
	msg, o, ok := a.eventMessage(team, ev.InnerEvent.Data)
	if !ok {
		return nil
	}
	msg.EventID = cb.EventID
	if cb.EventID != "" {
		id = cb.EventID
	}
	switch adm := a.admit(ctx, "event", id, msg, o); adm {
	case bot.StoreDown, bot.StoreUnsure:
		return errDedupe
	case bot.Busy:
		if msg.Overheard { // not written to the bot: no notice, a redelivery
			return errShed
		}
		if err := a.notify(o, textLang(msg.Text), adm); err != nil {
			a.log.Warn("busy notice failed: left for redelivery", "team", team, "err", err)
			return errShed
		}
	}
	return nil
}

var leadingMention = regexp.MustCompile(`^\s*<@[A-Z0-9]+(\|[^>]*)?>[\s:,]*`)

// stripMention removes the bot's mention(s) from text; when the bot's id
// is not known yet, the leading mention (the one that triggered
// app_mention) is removed.
func stripMention(text, botUser string) string {
	if botUser != "" {
		re := regexp.MustCompile(`<@` + regexp.QuoteMeta(botUser) + `(\|[^>]*)?>[:,]?`)
		text = re.ReplaceAllString(text, "")
	} else {
		text = leadingMention.ReplaceAllString(text, "")
	}
	return strings.TrimSpace(text)
}

func (a *Adapter) botUserID() string {
	s, _ := a.botUser.Load().(string)
	return s
}

// eventMessage translates an inner event. ok is false for events the bot
// ignores: its own and other bots' messages, edits, deletions, other tabs.
func (a *Adapter) eventMessage(team string, data any) (bot.Message, origin, bool) {
	me := a.botUserID()
	switch e := data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == me || e.Edited != nil {
			return bot.Message{}, origin{}, false
		}
		msg := bot.Message{
			Platform: bot.Slack, Tenant: team, User: e.User, Channel: e.Channel,
			Thread: e.ThreadTimeStamp, Text: stripMention(e.Text, me), Audio: audioFile(e.Files),
		}
		return msg, origin{team: team, user: e.User, channel: e.Channel, thread: e.ThreadTimeStamp}, true
	case *slackevents.MessageEvent:
		if !e.IsIM() {
			return a.channelMessage(team, e, me) // thread.go
		}
		// Any subtype (bot_message, message_changed, message_deleted,
		// channel_join…) is not a user typing to the bot, except a shared
		// voice clip (file_share with an audio file, audio.go).
		au := messageAudio(e)
		if !e.IsIM() || (e.SubType != "" && au == nil) || e.BotID != "" || e.User == "" || e.User == me {
			return bot.Message{}, origin{}, false
		}
		msg := bot.Message{
			Platform: bot.Slack, Tenant: team, User: e.User, Channel: e.Channel,
			Thread: e.ThreadTimeStamp, Text: stripMention(e.Text, me), Direct: true, Audio: au,
		}
		return msg, origin{team: team, user: e.User, channel: e.Channel, thread: e.ThreadTimeStamp, direct: true}, true
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" || e.User == "" {
			return bot.Message{}, origin{}, false
		}
		msg := bot.Message{Platform: bot.Slack, Tenant: team, User: e.User, Text: "home", Direct: true}
		return msg, origin{team: team, user: e.User, direct: true, home: true, publish: true}, true
	}
	return bot.Message{}, origin{}, false
}

// onInteraction handles block_actions and view_submission. The returned
// value, when not nil, is the ack body (a view_submission response). id
// names the delivery (digest of the signed request or envelope id).
func (a *Adapter) onInteraction(ctx context.Context, ic *slackapi.InteractionCallback, id string) any {
	switch ic.Type {
	case slackapi.InteractionTypeBlockActions:
		if len(ic.ActionCallback.BlockActions) == 0 || ic.ActionCallback.BlockActions[0] == nil {
			return nil
		}
		msg, ok := actionMessage(ic, ic.ActionCallback.BlockActions[0])
		if !ok {
			return nil
		}
		channel := ic.Channel.ID
		if channel == "" {
			channel = ic.Container.ChannelID
		}
		home := ic.View.Type == slackapi.VTHomeTab
		if home {
			channel = ""
		}
		msg.Channel = channel
		msg.Direct = home || strings.HasPrefix(channel, "D")
		msg.Thread = ic.Container.ThreadTs
		o := origin{
			team: msg.Tenant, user: msg.User, channel: channel, thread: ic.Container.ThreadTs,
			responseURL: ic.ResponseURL, triggerID: ic.TriggerID, messageTS: ic.Container.MessageTs,
			direct: msg.Direct, home: home,
		}
		if adm := a.admit(ctx, "action", id, msg, o); adm == bot.Busy || adm == bot.StoreDown || adm == bot.StoreUnsure {
			if err := a.notify(o, textLang(msg.Text), adm); err != nil {
				a.log.Error("click notice failed", "team", msg.Tenant, "user", msg.User, "err", err)
			}
		}
		return nil
	case slackapi.InteractionTypeViewSubmission:
		if ic.View.CallbackID != formCallbackID {
			return nil
		}
		return a.onFormSubmit(ctx, ic, id)
	}
	return nil
}

// actionMessage translates one block action into a Message.
func actionMessage(ic *slackapi.InteractionCallback, act *slackapi.BlockAction) (bot.Message, bool) {
	team := ic.Team.ID
	if team == "" {
		team = ic.View.TeamID
	}
	// ic.User.Name is the legacy handle, not a display name: the worker
	// looks the name up with users.info.
	msg := bot.Message{Platform: bot.Slack, Tenant: team, User: ic.User.ID}
	switch act.Type {
	case slackapi.ActionType(slackapi.METButton):
		if act.Value == "" {
			return msg, false
		}
		msg.Text = act.Value
		msg.Action = &bot.Action{Kind: bot.ActionCommand, Value: act.Value}
	case slackapi.ActionType(slackapi.OptTypeStatic):
		if act.SelectedOption.Value == "" {
			return msg, false
		}
		msg.Text = act.SelectedOption.Value
		msg.Action = &bot.Action{Kind: bot.ActionCommand, Value: act.SelectedOption.Value}
	case slackapi.ActionType(slackapi.METCheckboxGroups):
		deal, ids, ok := parseChecklistBlockID(act.BlockID)
		if !ok {
			return msg, false
		}
		if shown := shownOptions(ic, act.BlockID, act.ActionID); shown != nil {
			ids = shown
		}
		selected := make([]string, 0, len(act.SelectedOptions))
		for _, o := range act.SelectedOptions {
			selected = append(selected, o.Value)
		}
		msg.Action = &bot.Action{Kind: bot.ActionChecklist, Deal: deal, Options: ids, Selected: selected}
	default:
		return msg, false
	}
	return msg, true
}

// shownOptions reads the option values of a checkboxes element back from
// the message or view the action came from (nil when it is not there, as
// for ephemeral messages).
func shownOptions(ic *slackapi.InteractionCallback, blockID, actionID string) []string {
	for _, set := range [][]slackapi.Block{ic.Message.Blocks.BlockSet, ic.View.Blocks.BlockSet} {
		for _, b := range set {
			ab, ok := b.(*slackapi.ActionBlock)
			if !ok || ab.BlockID != blockID || ab.Elements == nil {
				continue
			}
			for _, el := range ab.Elements.ElementSet {
				cb, ok := el.(*slackapi.CheckboxGroupsBlockElement)
				if !ok || cb.ActionID != actionID {
					continue
				}
				ids := make([]string, 0, len(cb.Options))
				for _, o := range cb.Options {
					if o != nil {
						ids = append(ids, o.Value)
					}
				}
				return ids
			}
		}
	}
	return nil
}

// onFormSubmit runs the handler inline (bounded by FormTimeout) because a
// view_submission must answer field errors in its own response.
func (a *Adapter) onFormSubmit(ctx context.Context, ic *slackapi.InteractionCallback, id string) any {
	var meta formMeta
	if err := json.Unmarshal([]byte(ic.View.PrivateMetadata), &meta); err != nil || meta.Form == "" {
		a.log.Warn("form submission without metadata", "err", err)
		return nil
	}
	lang := normLang(meta.Lang)
	blockIDs := inputBlockIDs(ic)
	values := map[string]string{}
	fieldErrs := map[string]string{}
	if ic.View.State != nil {
		for blockID, acts := range ic.View.State.Values {
			for actionID, v := range acts {
				val := fieldValue(actionID, v)
				if actionID == fieldNumber && val != "" {
					// a number field takes an amount as a deal value does (1.2m, 120万)
					if _, err := strconv.ParseFloat(strings.ReplaceAll(val, ",", ""), 64); err != nil && !isAmount(val) {
						fieldErrs[blockID] = tr(lang, "not_number")
					}
				}
				values[blockID] = val
			}
		}
	}
	if len(fieldErrs) > 0 {
		return slackapi.NewErrorsViewSubmissionResponse(fieldErrs)
	}
	team := ic.Team.ID
	if team == "" {
		team = ic.View.TeamID
	}
	msg := bot.Message{
		Platform: bot.Slack, Tenant: team, User: ic.User.ID, Channel: meta.Channel, Thread: meta.Thread,
		Direct: meta.Channel == "" || strings.HasPrefix(meta.Channel, "D"),
		Action: &bot.Action{Kind: bot.ActionForm, Form: meta.Form, Deal: meta.Deal, Values: values},
	}
	msg.UserName = a.users.cached(msg.User)
	// Answered inline (field errors go in the ack), so only the mark: a
	// replayed submission is dropped, a failed store refuses it.
	key := bot.DeliveryKey(bot.Slack, "form", team, id)
	switch adm, err := a.inbox.Begin(ctx, key); adm {
	case bot.Duplicate:
		return nil
	case bot.StoreDown:
		a.log.Error("form mark failed", "team", team, "user", msg.User, "err", err)
		if len(blockIDs) == 0 {
			return nil
		}
		return slackapi.NewErrorsViewSubmissionResponse(map[string]string{blockIDs[0]: trunc(bot.DeliveryText(lang, adm), maxLabel)})
	}
	hctx, cancel := context.WithTimeout(bot.WithRequest(ctx, key), a.cfg.FormTimeout)
	reply, err := a.h.Handle(hctx, msg)
	cancel()
	if err != nil {
		a.inbox.Abandon(key)
	} else {
		a.inbox.Finish(key)
	}
	if err != nil {
		ref := newRef()
		a.log.Error("form handler failed", "ref", ref, "team", team, "user", msg.User, "form", meta.Form, "err", err)
		if len(blockIDs) == 0 {
			return nil
		}
		return slackapi.NewErrorsViewSubmissionResponse(map[string]string{blockIDs[0]: tr(lang, "form_failed") + " (ref " + ref + ")"})
	}
	if len(reply.FieldErrors) > 0 {
		return slackapi.NewErrorsViewSubmissionResponse(fieldErrors(reply.FieldErrors, blockIDs))
	}
	if len(reply.Blocks) == 0 && reply.Summary == "" {
		return nil
	}
	o := origin{team: team, user: msg.User, channel: meta.Channel, thread: meta.Thread, direct: msg.Direct}
	send := func(ctx context.Context) {
		if err := a.deliverReply(ctx, msg, o, reply, ""); err != nil {
			a.log.Error("deliver form reply", "team", team, "user", msg.User, "err", err)
		}
	}
	if err := a.pool.Submit(send); err != nil {
		// The form is saved: its answer must not be shed. Send it now.
		ctx, cancel := context.WithTimeout(a.base, noticeTimeout)
		send(ctx)
		cancel()
	}
	return nil
}

// fieldErrors keys errors by input block id; messages for keys that are
// not a block of the modal go on the first block, so none is lost (Slack
// rejects errors for unknown block ids).
func fieldErrors(errs map[string]string, blockIDs []string) map[string]string {
	known := map[string]bool{}
	for _, id := range blockIDs {
		known[id] = true
	}
	out := map[string]string{}
	var extra []string
	for k, v := range errs {
		if known[k] {
			out[k] = trunc(v, maxLabel)
		} else {
			extra = append(extra, v)
		}
	}
	if len(extra) > 0 && len(blockIDs) > 0 {
		first := blockIDs[0]
		msgs := append([]string{}, extra...)
		if out[first] != "" {
			msgs = append([]string{out[first]}, msgs...)
		}
		slices.Sort(msgs[1:])
		out[first] = trunc(strings.Join(msgs, " "), maxLabel)
	}
	return out
}

// inputBlockIDs lists the modal's input blocks in display order.
func inputBlockIDs(ic *slackapi.InteractionCallback) []string {
	var ids []string
	for _, b := range ic.View.Blocks.BlockSet {
		if in, ok := b.(*slackapi.InputBlock); ok && in.BlockID != "" {
			ids = append(ids, in.BlockID)
		}
	}
	if len(ids) == 0 && ic.View.State != nil {
		for id := range ic.View.State.Values {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	return ids
}

func fieldValue(actionID string, v slackapi.BlockAction) string {
	switch actionID {
	case fieldDate:
		return v.SelectedDate
	case fieldTime:
		return v.SelectedTime
	case fieldChoice:
		return v.SelectedOption.Value
	}
	return strings.TrimSpace(v.Value)
}

// userName returns the user's display name via users.info, cached.
func (a *Adapter) userName(ctx context.Context, user string) string {
	if name, ok := a.users.get(user); ok {
		return name
	}
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		a.log.Debug("users.info", "user", user, "err", err)
		a.users.putTTL(user, "", a.cfg.UserCacheTTL/10)
		return ""
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	a.users.put(user, name)
	return name
}

func isAmount(s string) bool {
	_, _, err := bot.ParseMoney(s)
	return err == nil
}
