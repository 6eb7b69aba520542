package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/stagecoach/stagecoach/bot"
)

// Send delivers a proactive message (nudge, reminder, digest): to
// to.Channel, or as a DM to to.User (conversations.open) when Channel is
// empty. Images are uploaded to the same conversation with files upload
// v2. Posts are paced per channel. It implements bot.Sender.
func (a *Adapter) Send(ctx context.Context, to bot.Recipient, r bot.Reply) error {
	if to.Platform != "" && to.Platform != bot.Slack {
		return fmt.Errorf("slack: recipient is on %s", to.Platform)
	}
	if to.Channel == "" && to.User == "" {
		return errors.New("slack: recipient has neither channel nor user")
	}
	o := origin{team: to.Tenant, user: to.User, channel: to.Channel, direct: to.Channel == ""}
	// a nudge or reminder about a deal: its thread follows the deal
	return a.deliverReply(ctx, bot.Message{Platform: bot.Slack, Tenant: to.Tenant}, o, r, "")
}

// maxResponseURLUses is how many posts one response_url accepts.
const maxResponseURLUses = 5

// deliver renders r and sends it where o says.
func (a *Adapter) deliver(ctx context.Context, o origin, r bot.Reply, locale string) error {
	lang := replyLang(r, locale)
	opts := renderOpts{lang: lang, surface: surfaceMessage, modalForms: o.triggerID != "", command: a.cfg.Command}
	if o.publish || (o.home && r.Replace) {
		opts.surface = surfaceHome
	}
	rd := render(r, opts)
	var errs []error
	for i, f := range rd.forms {
		if i == 0 {
			meta := formMeta{Form: f.ID, Deal: f.Deal, Channel: o.channel, Thread: o.thread, Lang: lang}
			_, err := a.api.OpenViewContext(ctx, o.triggerID, renderModal(f, meta, lang))
			if err == nil {
				continue
			}
			// The trigger lives ~3 s; past that, fall back to the button.
			a.log.Warn("views.open", "user", o.user, "err", err)
		}
		rd.blocks = append(rd.blocks, renderFormButton(f, lang, a.cfg.Command)...)
	}
	if opts.surface == surfaceHome {
		return a.publishHome(ctx, o.user, viewBlocks(rd.blocks, lang))
	}
	msgs := splitMessages(rd.blocks, maxMessageBlocks)
	text := fallbackText(r)
	if len(msgs) == 0 && len(rd.images) == 0 && text != "" {
		msgs = [][]slackapi.Block{nil}
	}
	if len(msgs) == 0 && len(rd.images) == 0 {
		return nil
	}
	channel := o.channel
	// A slash command has no message of its own to replace.
	replace := r.Replace && !o.command
	switch {
	case o.responseURL != "" && o.command && !replace && len(msgs) == 1 && len(rd.images) == 0 && a.answerInline(ctx, o, msgs[0], text, r.Ephemeral):
		// The slash command's ack carries the answer (inline.go).
	case o.responseURL != "":
		for i, bs := range msgs {
			var err error
			if i >= maxResponseURLUses && channel != "" && !r.Ephemeral {
				// response_url takes 5 posts; the rest go to the channel.
				_, err = a.post(ctx, channel, o.thread, bs, text)
			} else {
				err = a.postResponseURL(ctx, o, bs, text, r.Ephemeral, replace && i == 0)
			}
			if err != nil {
				errs = append(errs, err)
				break
			}
		}
	case replace && o.messageTS != "" && channel != "":
		for i, bs := range msgs {
			var err error
			if i == 0 {
				err = a.update(ctx, channel, o.messageTS, bs, text)
			} else {
				_, err = a.post(ctx, channel, o.thread, bs, text)
			}
			if err != nil {
				errs = append(errs, err)
				break
			}
		}
	default:
		if channel == "" {
			ch, err := a.openDM(ctx, o.user)
			if err != nil {
				return err
			}
			channel = ch
		}
		ephemeral := r.Ephemeral && !o.direct && o.user != ""
		for _, bs := range msgs {
			var err error
			if ephemeral {
				err = a.postEphemeral(ctx, channel, o.user, o.thread, bs, text)
			} else {
				_, err = a.post(ctx, channel, o.thread, bs, text)
			}
			if err != nil {
				errs = append(errs, err)
				break
			}
		}
	}
	for _, img := range rd.images {
		if channel == "" {
			ch, err := a.openDM(ctx, o.user)
			if err != nil {
				errs = append(errs, err)
				break
			}
			channel = ch
		}
		if err := a.upload(ctx, channel, o.thread, img); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (a *Adapter) openDM(ctx context.Context, user string) (string, error) {
	if user == "" {
		return "", errors.New("slack: no user to DM")
	}
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("conversations.open %s: %w", user, err)
	}
	return ch.ID, nil
}

func msgOptions(bs []slackapi.Block, text, thread string) []slackapi.MsgOption {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false)}
	if len(bs) > 0 {
		opts = append(opts, slackapi.MsgOptionBlocks(bs...))
	}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	return opts
}

func (a *Adapter) post(ctx context.Context, channel, thread string, bs []slackapi.Block, text string) (string, error) {
	if err := a.pace.wait(ctx, channel); err != nil {
		return "", err
	}
	_, ts, err := a.api.PostMessageContext(ctx, channel, msgOptions(bs, text, thread)...)
	if err != nil {
		return "", fmt.Errorf("chat.postMessage %s: %w", channel, err)
	}
	logPost(ctx, channel, thread, ts) // thread.go
	return ts, nil
}

func (a *Adapter) postEphemeral(ctx context.Context, channel, user, thread string, bs []slackapi.Block, text string) error {
	if err := a.pace.wait(ctx, channel); err != nil {
		return err
	}
	if _, err := a.api.PostEphemeralContext(ctx, channel, user, msgOptions(bs, text, thread)...); err != nil {
		return fmt.Errorf("chat.postEphemeral %s: %w", channel, err)
	}
	return nil
}

func (a *Adapter) update(ctx context.Context, channel, ts string, bs []slackapi.Block, text string) error {
	if err := a.pace.wait(ctx, channel); err != nil {
		return err
	}
	if _, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, msgOptions(bs, text, "")...); err != nil {
		return fmt.Errorf("chat.update %s: %w", channel, err)
	}
	return nil
}

// answerInline hands a slash command's answer to its ack when the ack is
// still waiting (inline.go); false: post it as usual.
func (a *Adapter) answerInline(ctx context.Context, o origin, bs []slackapi.Block, text string, ephemeral bool) bool {
	s := inlineFrom(ctx)
	if s == nil {
		return false
	}
	body, err := responseMessage(o, bs, text, ephemeral, false).encode()
	if err != nil {
		return false
	}
	return s.offer(body)
}

// postResponseURL answers through a slash command's or action's
// response_url (good for 30 min, 5 uses; works where the bot is not a
// member and for ephemeral messages). It is not paced like
// chat.postMessage: a response_url has its own budget (5 posts in 30 min,
// capped by the caller), and pacing it made every reply in a busy channel
// wait its turn and filled the worker pool under load.
func (a *Adapter) postResponseURL(ctx context.Context, o origin, bs []slackapi.Block, text string, ephemeral, replace bool) error {
	body, err := responseMessage(o, bs, text, ephemeral, replace).encode()
	if err != nil {
		return fmt.Errorf("response_url: encode: %w", err)
	}
	if err := a.postJSON(ctx, o.responseURL, body); err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	return nil
}

// responseMessage is the message for a response_url post (or, for a slash
// command, its ack body): ephemeral or in channel unless it replaces the
// message the action came from.
func responseMessage(o origin, bs []slackapi.Block, text string, ephemeral, replace bool) outMessage {
	m := outMessage{Text: text, Blocks: bs, Replace: replace, ThreadTS: o.thread}
	if !replace {
		m.ResponseType = slackapi.ResponseTypeInChannel
		if ephemeral {
			m.ResponseType = slackapi.ResponseTypeEphemeral
		}
	}
	return m
}

// postJSON POSTs an encoded message as slack-go's PostWebhook does: a 429
// with Retry-After is a *slackapi.RateLimitedError, any other non-200 a
// slackapi.StatusCodeError.
func (a *Adapter) postJSON(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64); err == nil {
			return &slackapi.RateLimitedError{RetryAfter: time.Duration(s) * time.Second}
		}
	}
	if resp.StatusCode != http.StatusOK {
		return slackapi.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	return nil
}

func (a *Adapter) publishHome(ctx context.Context, user string, bs []slackapi.Block) error {
	_, err := a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{
		UserID: user,
		View:   slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: bs}},
	})
	if err != nil {
		return fmt.Errorf("views.publish %s: %w", user, err)
	}
	return nil
}

// upload shares a PNG in channel with files upload v2
// (files.getUploadURLExternal, upload, files.completeUploadExternal).
func (a *Adapter) upload(ctx context.Context, channel, thread string, img bot.Image) error {
	if len(img.PNG) == 0 {
		return nil
	}
	if err := a.pace.wait(ctx, channel); err != nil {
		return err
	}
	name := strings.TrimSpace(img.Title)
	if name == "" {
		name = "chart"
	}
	_, err := a.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
		Reader: bytes.NewReader(img.PNG), FileSize: len(img.PNG), Filename: name + ".png",
		Title: img.Title, AltTxt: trunc(img.Alt, 1000), Channel: channel, ThreadTimestamp: thread,
	})
	if err != nil {
		return fmt.Errorf("files upload v2 %s: %w", channel, err)
	}
	return nil
}

// pacer spaces posts to one channel by interval (Slack allows about one
// message per second per channel). It holds no goroutine: callers sleep
// on a timer bounded by their context. Old entries are pruned so the map
// stays small.
type pacer struct {
	interval time.Duration
	now      func() time.Time
	mu       sync.Mutex
	next     map[string]time.Time
}

const pacerPrune = 4096

func newPacer(interval time.Duration) *pacer {
	return &pacer{interval: interval, now: time.Now, next: map[string]time.Time{}}
}

// reserve books the next slot for key and returns how long to wait for it.
func (p *pacer) reserve(key string) time.Duration {
	if p.interval <= 0 {
		return 0
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.next) >= pacerPrune {
		for k, t := range p.next {
			if !t.After(now) {
				delete(p.next, k)
			}
		}
	}
	t, ok := p.next[key]
	if !ok || t.Before(now) {
		t = now
	}
	p.next[key] = t.Add(p.interval)
	return t.Sub(now)
}

func (p *pacer) wait(ctx context.Context, key string) error {
	d := p.reserve(key)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// userCache keeps display names for ttl, at most size entries.
type userCache struct {
	ttl  time.Duration
	size int
	now  func() time.Time
	mu   sync.Mutex
	m    map[string]userEntry
}

type userEntry struct {
	name string
	exp  time.Time
}

func newUserCache(ttl time.Duration, size int) *userCache {
	return &userCache{ttl: ttl, size: size, now: time.Now, m: map[string]userEntry{}}
}

func (c *userCache) get(user string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[user]
	if !ok || c.now().After(e.exp) {
		return "", false
	}
	return e.name, true
}

// cached returns the name if cached, else "" (no API call).
func (c *userCache) cached(user string) string {
	n, _ := c.get(user)
	return n
}

func (c *userCache) put(user, name string) { c.putTTL(user, name, c.ttl) }

// putTTL caches name for ttl (a failed lookup is cached briefly as "", so a
// missing users:read scope does not cost one API call per message).
func (c *userCache) putTTL(user, name string, ttl time.Duration) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[user]; !ok && len(c.m) >= c.size {
		for k, e := range c.m {
			if now.After(e.exp) {
				delete(c.m, k)
			}
		}
		// Still full: drop arbitrary entries (map order is random).
		for k := range c.m {
			if len(c.m) < c.size {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[user] = userEntry{name: name, exp: now.Add(ttl)}
}
