package lark

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/stagecoach/stagecoach/bot"
)

// codeRateLimited is Lark's "too many requests" code. The SDK returns it in
// resp.Code with no Go error and does not retry.
const codeRateLimited = 99991400

// maxRetries bounds retries after a rate-limit answer.
const maxRetries = 3

// maxBackoff caps the wait announced by x-ogw-ratelimit-reset.
const maxBackoff = 10 * time.Second

// target is where a message goes: a reply to a message, or a new message to
// an open_id or chat_id. chat keys the per-chat pacing.
type target struct {
	replyTo string
	idType  string // "open_id" | "chat_id"
	id      string
	chat    string
}

// Send delivers a proactive message (nudge, reminder, digest): to the chat
// to.Channel when set, else as a direct message to the user to.User. It
// implements bot.Sender, paces itself to Lark's limits and retries after
// rate-limit answers.
func (a *Adapter) Send(ctx context.Context, to bot.Recipient, r bot.Reply) error {
	if to.Platform != "" && to.Platform != bot.Lark {
		return fmt.Errorf("lark: recipient is on %s", to.Platform)
	}
	var t target
	switch {
	case to.Channel != "":
		t = target{idType: "chat_id", id: to.Channel, chat: to.Channel}
	case to.User != "":
		t = target{idType: "open_id", id: to.User, chat: to.User}
	default:
		return errors.New("lark: recipient has neither channel nor user")
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	idem := "send:" + hex.EncodeToString(b[:])
	if r.Deal == "" || a.posts == nil {
		return a.deliver(ctx, t, r, idem)
	}
	// a nudge or reminder about a deal: its thread follows the deal
	sctx, l := withSentLog(ctx)
	err := a.deliver(sctx, t, r, idem)
	a.reportSent(ctx, bot.Message{Platform: bot.Lark, Tenant: to.Tenant}, r, l)
	return err
}

// deliver renders r (uploading its images) and posts the cards to t.
func (a *Adapter) deliver(ctx context.Context, t target, r bot.Reply, idem string) error {
	return a.post(ctx, t, a.render(ctx, r), idem)
}

// render uploads the reply's images and renders it. An image that fails to
// upload is shown as its alt text.
func (a *Adapter) render(ctx context.Context, r bot.Reply) []Card {
	var keys map[int]string
	for i, b := range r.Blocks {
		im, ok := b.(bot.Image)
		if !ok || len(im.PNG) == 0 {
			continue
		}
		key, err := a.upload(ctx, im.PNG)
		if err != nil {
			a.log.Warn("image upload failed", "err", err)
			continue
		}
		if keys == nil {
			keys = map[int]string{}
		}
		keys[i] = key
	}
	loc := a.locale
	if r.Lang != "" { // the router's language for this user wins
		loc = normLocale(r.Lang)
	}
	return Render(r, RenderOptions{Locale: loc, ImageKeys: keys})
}

// post sends each card as an interactive message. idem makes the request
// ids (uuid) stable across retries, so Lark delivers each card once.
func (a *Adapter) post(ctx context.Context, t target, cards []Card, idem string) error {
	for i, c := range cards {
		content := string(marshal(c))
		uuid := requestUUID(idem, i)
		var err error
		if t.replyTo != "" {
			err = a.call(ctx, t.chat, func() (*larkcore.ApiResp, *larkcore.CodeError, error) {
				resp, err := a.cli.Im.V1.Message.Reply(ctx, larkim.NewReplyMessageReqBuilder().
					MessageId(t.replyTo).
					Body(larkim.NewReplyMessageReqBodyBuilder().MsgType("interactive").Content(content).Uuid(uuid).Build()).
					Build())
				if err != nil {
					return nil, nil, err
				}
				if resp.Success() && resp.Data != nil { // thread.go
					logSent(ctx, t.chat, resp.Data.ChatId, resp.Data.MessageId, resp.Data.RootId, resp.Data.ThreadId)
				}
				return resp.ApiResp, &resp.CodeError, nil
			})
		} else {
			err = a.call(ctx, t.chat, func() (*larkcore.ApiResp, *larkcore.CodeError, error) {
				resp, err := a.cli.Im.V1.Message.Create(ctx, larkim.NewCreateMessageReqBuilder().
					ReceiveIdType(t.idType).
					Body(larkim.NewCreateMessageReqBodyBuilder().ReceiveId(t.id).MsgType("interactive").Content(content).Uuid(uuid).Build()).
					Build())
				if err != nil {
					return nil, nil, err
				}
				if resp.Success() && resp.Data != nil { // thread.go
					logSent(ctx, t.chat, resp.Data.ChatId, resp.Data.MessageId, resp.Data.RootId, resp.Data.ThreadId)
				}
				return resp.ApiResp, &resp.CodeError, nil
			})
		}
		if err != nil {
			return fmt.Errorf("lark: send card %d/%d: %w", i+1, len(cards), err)
		}
	}
	return nil
}

// patch replaces the card of message id (a card the bot sent).
func (a *Adapter) patch(ctx context.Context, chat, id string, c Card) error {
	content := string(marshal(c))
	return a.call(ctx, chat, func() (*larkcore.ApiResp, *larkcore.CodeError, error) {
		resp, err := a.cli.Im.V1.Message.Patch(ctx, larkim.NewPatchMessageReqBuilder().
			MessageId(id).
			Body(larkim.NewPatchMessageReqBodyBuilder().Content(content).Build()).
			Build())
		if err != nil {
			return nil, nil, err
		}
		return resp.ApiResp, &resp.CodeError, nil
	})
}

// upload stores a PNG with im/v1/images and returns its image_key.
func (a *Adapter) upload(ctx context.Context, png []byte) (string, error) {
	var key string
	err := a.call(ctx, "", func() (*larkcore.ApiResp, *larkcore.CodeError, error) {
		resp, err := a.cli.Im.V1.Image.Create(ctx, larkim.NewCreateImageReqBuilder().
			Body(larkim.NewCreateImageReqBodyBuilder().ImageType("message").Image(bytes.NewReader(png)).Build()).
			Build())
		if err != nil {
			return nil, nil, err
		}
		if resp.Success() && resp.Data != nil {
			key = larkcore.StringValue(resp.Data.ImageKey)
		}
		return resp.ApiResp, &resp.CodeError, nil
	})
	if err == nil && key == "" {
		err = errors.New("lark: upload returned no image_key")
	}
	return key, err
}

// APIError is a Lark OpenAPI answer with a non-zero code.
type APIError struct {
	Code      int
	Msg       string
	RequestID string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("lark api: code %d: %s (request %s)", e.Code, e.Msg, e.RequestID)
}

// call paces one OpenAPI request per chat and per app, and retries it after
// rate-limit answers, waiting as long as x-ogw-ratelimit-reset says (1 s if
// absent, at most maxBackoff), at most maxRetries times.
func (a *Adapter) call(ctx context.Context, chat string, do func() (*larkcore.ApiResp, *larkcore.CodeError, error)) error {
	for attempt := 0; ; attempt++ {
		if err := a.sleep(ctx, a.pace.reserveChat(chat)); err != nil {
			return err
		}
		if err := a.sleep(ctx, a.pace.reserveApp()); err != nil {
			return err
		}
		raw, ce, err := do()
		if err != nil {
			return err
		}
		limited := ce.Code == codeRateLimited || (raw != nil && raw.StatusCode == http.StatusTooManyRequests)
		if !limited {
			if ce.Code != 0 {
				e := &APIError{Code: ce.Code, Msg: ce.Msg}
				if raw != nil {
					e.RequestID = raw.RequestId()
				}
				return e
			}
			return nil
		}
		if attempt >= maxRetries {
			return &APIError{Code: codeRateLimited, Msg: "rate limited, gave up after retries"}
		}
		wait := time.Second
		if raw != nil {
			if s, err := strconv.Atoi(raw.Header.Get("x-ogw-ratelimit-reset")); err == nil && s >= 0 {
				wait = time.Duration(s) * time.Second
			}
		}
		wait = min(wait, maxBackoff)
		a.log.Warn("rate limited", "chat", chat, "retry_in", wait, "attempt", attempt+1)
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// requestUUID derives the idempotency key of card i of a delivery (Lark
// allows 50 characters).
func requestUUID(idem string, i int) string {
	sum := sha256.Sum256([]byte(idem))
	return hex.EncodeToString(sum[:16]) + "-" + strconv.Itoa(i)
}

// Lark allows 5 messages/s per chat (shared by all bots in it) and 50/s per
// app.
const (
	chatInterval = 200 * time.Millisecond
	appInterval  = 20 * time.Millisecond
	maxPaced     = 10000
)

// pacer spaces requests per chat and per app by handing out send slots. It
// holds no goroutines: callers sleep until their slot.
type pacer struct {
	mu   sync.Mutex
	now  func() time.Time
	app  time.Time
	next map[string]time.Time
}

func newPacer(now func() time.Time) *pacer {
	return &pacer{now: now, next: map[string]time.Time{}}
}

// reserveChat books the next slot of chat and returns how long to wait for
// it. Callers then take an app-wide slot with reserveApp at wake-up, so a
// message held back by its chat does not hold back other chats.
func (p *pacer) reserveChat(chat string) time.Duration {
	if chat == "" {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.next) >= maxPaced {
		for k, t := range p.next {
			if t.Before(now) {
				delete(p.next, k)
			}
		}
	}
	slot := maxTime(now, p.next[chat])
	p.next[chat] = slot.Add(chatInterval)
	return slot.Sub(now)
}

// reserveApp books the next app-wide slot and returns how long to wait.
func (p *pacer) reserveApp() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	slot := maxTime(now, p.app)
	p.app = slot.Add(appInterval)
	return slot.Sub(now)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
