package lark

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/stagecoach/stagecoach/bot"
)

// mentionKey matches the placeholders Lark puts in text for @mentions.
var mentionKey = regexp.MustCompile(`@_(?:user_\d+|all)`)

// incoming is a message event that passed the filters, with where to answer.
type incoming struct {
	msg       bot.Message
	messageID string // the user's message, replied to in groups
	text      bool   // false: a non-text message, answered with a hint
}

// onMessage handles im.message.receive_v1. It runs inside the SDK's request
// or frame, so it only filters and writes the delivery to the inbox; the
// worker answers. It returns an error (Lark redelivers) when the inbox
// write fails, or when the message was shed and the busy notice could not
// be sent either.
func (a *Adapter) onMessage(ctx context.Context, ev *larkim.P2MessageReceiveV1) error {
	in, ok := a.parseMessage(ev)
	if !ok {
		return nil
	}
	if in.msg.Tenant == "" {
		a.log.Warn("message without tenant key ignored", "event_id", in.msg.EventID)
		return nil
	}
	j := job{Kind: "msg", Msg: in.msg, MessageID: in.messageID, Text: in.text}
	adm, err := a.admit(ctx, "event", in.msg.EventID, j, nil)
	switch adm {
	case bot.StoreDown, bot.StoreUnsure:
		return fmt.Errorf("lark: inbox: %w", err)
	case bot.Busy:
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), busyTimeout)
		defer cancel()
		r := bot.Reply{Blocks: []bot.Block{bot.Text{Text: bot.DeliveryText(a.locale, adm)}}, Error: true}
		if err := a.deliver(ctx, a.target(in), r, "ev:"+in.msg.EventID+":busy"); err != nil {
			a.log.Warn("busy notice failed: left for redelivery", "event_id", in.msg.EventID, "err", err)
			return fmt.Errorf("lark: busy, notice failed: %w", err)
		}
	}
	return nil
}

// parseMessage turns a message event into an incoming message, or reports
// false for messages the bot must ignore: from bots or itself, and group
// messages that do not @mention it.
func (a *Adapter) parseMessage(ev *larkim.P2MessageReceiveV1) (incoming, bool) {
	if ev == nil || ev.Event == nil || ev.Event.Message == nil || ev.Event.Sender == nil {
		return incoming{}, false
	}
	s, m := ev.Event.Sender, ev.Event.Message
	if t := larkcore.StringValue(s.SenderType); t != "" && t != "user" {
		return incoming{}, false
	}
	var openID string
	if s.SenderId != nil {
		openID = larkcore.StringValue(s.SenderId.OpenId)
	}
	if openID == "" || (a.cfg.BotOpenID != "" && openID == a.cfg.BotOpenID) {
		return incoming{}, false
	}
	direct := larkcore.StringValue(m.ChatType) == "p2p"
	if !direct && !a.mentioned(m.Mentions) {
		return incoming{}, false
	}
	tenant := larkcore.StringValue(s.TenantKey)
	var eventID string
	if ev.EventV2Base != nil && ev.EventV2Base.Header != nil {
		eventID = ev.EventV2Base.Header.EventID
		if ev.EventV2Base.Header.TenantKey != "" {
			tenant = ev.EventV2Base.Header.TenantKey
		}
	}
	if eventID == "" {
		eventID = larkcore.StringValue(m.MessageId)
	}
	in := incoming{
		msg: bot.Message{
			Platform: bot.Lark,
			Tenant:   tenant,
			User:     openID,
			Channel:  larkcore.StringValue(m.ChatId),
			Thread:   larkcore.StringValue(m.ThreadId),
			Locale:   "zh",
			EventID:  eventID,
			Direct:   direct,
		},
		messageID: larkcore.StringValue(m.MessageId),
	}
	if t, ok := messageText(larkcore.StringValue(m.MessageType), larkcore.StringValue(m.Content)); ok {
		in.text = true
		in.msg.Text = a.mentionText(t, m.Mentions) // people's mentions become <@open_id|name>
	} else if au, ok := audioContent(larkcore.StringValue(m.MessageType), larkcore.StringValue(m.Content)); ok {
		in.msg.Audio = au // a voice message (audio.go)
	}
	return in, true
}

// postLine is one line of a rich-text (post) message.
type postLine []struct {
	Tag  string `json:"tag"`
	Text string `json:"text"`
}

// messageText extracts the text of a text or rich-text (post) message;
// other types report false.
func messageText(typ, content string) (string, bool) {
	switch typ {
	case "text":
		var c struct {
			Text string `json:"text"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return "", false
		}
		return c.Text, true
	case "post":
		var c struct {
			Title   string     `json:"title"`
			Content []postLine `json:"content"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return "", false
		}
		var lines []string
		for _, l := range c.Content {
			var b strings.Builder
			for _, e := range l {
				if e.Tag == "text" || e.Tag == "a" || e.Tag == "code_block" {
					b.WriteString(e.Text)
				}
			}
			if strings.TrimSpace(b.String()) != "" {
				lines = append(lines, b.String())
			}
		}
		if len(lines) == 0 {
			return "", false
		}
		return strings.Join(lines, "\n"), true
	}
	return "", false
}

// mentioned reports whether the mentions include this bot.
func (a *Adapter) mentioned(ms []*larkim.MentionEvent) bool {
	for _, m := range ms {
		if m == nil {
			continue
		}
		if a.cfg.BotOpenID != "" {
			if m.Id != nil && larkcore.StringValue(m.Id.OpenId) == a.cfg.BotOpenID {
				return true
			}
			continue
		}
		if t := larkcore.StringValue(m.MentionedType); t == "" || t == "bot" {
			return true
		}
	}
	return false
}

// stripMentions removes @mention placeholders and tidies spaces, keeping
// line breaks (multi-line notes).
func stripMentions(s string, ms []*larkim.MentionEvent) string {
	for _, m := range ms {
		if m != nil && m.Key != nil && *m.Key != "" {
			s = strings.ReplaceAll(s, *m.Key, " ")
		}
	}
	s = mentionKey.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// answer runs in a pool worker: call the handler and deliver the reply.
// It returns bot.ErrRetryLater when the delivery must run again later.
func (a *Adapter) answer(ctx context.Context, in incoming) error {
	if !in.text && in.msg.Audio == nil {
		a.notice(ctx, in, "unsupported", "")
		return nil
	}
	a.attachAudio(&in)
	in.msg.UserName = a.userName(ctx, in.msg.User)
	rep, err := a.h.Handle(ctx, in.msg)
	if errors.Is(err, bot.ErrRetryLater) {
		return err
	}
	if err != nil {
		ref := newRef()
		a.log.Error("handler failed", "ref", ref, "event_id", in.msg.EventID, "err", err)
		a.notice(ctx, in, "failed", ref)
		return nil
	}
	if len(rep.Blocks) == 0 {
		return nil
	}
	if err := a.deliver(ctx, a.target(in), rep, "ev:"+in.msg.EventID); err != nil {
		a.log.Error("reply failed", "event_id", in.msg.EventID, "err", err)
	}
	return nil
}

// target is where the answer to in goes: a reply to the user's message in
// groups (keeps the thread of conversation), a new message in direct chats.
func (a *Adapter) target(in incoming) target {
	if !in.msg.Direct && in.messageID != "" {
		return target{replyTo: in.messageID, chat: in.msg.Channel}
	}
	if in.msg.Channel != "" {
		return target{idType: "chat_id", id: in.msg.Channel, chat: in.msg.Channel}
	}
	return target{idType: "open_id", id: in.msg.User, chat: in.msg.User}
}

// notice sends one of the adapter's own texts (busy, failed, unsupported).
func (a *Adapter) notice(ctx context.Context, in incoming, key, ref string) {
	r := bot.Reply{Blocks: []bot.Block{bot.Text{Text: text(a.locale, key, "ref", ref)}}, Error: key != "unsupported", Lang: a.locale}
	if err := a.deliver(ctx, a.target(in), r, "ev:"+in.msg.EventID+":"+key); err != nil {
		a.log.Error("notice failed", "event_id", in.msg.EventID, "err", err)
	}
}

func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// actionMessage maps a card callback to a bot.Message, or reports false for
// clicks that carry nothing the bot understands.
func actionMessage(ev *callback.CardActionTriggerEvent) (bot.Message, bool) {
	if ev == nil || ev.Event == nil || ev.Event.Action == nil {
		return bot.Message{}, false
	}
	e, act := ev.Event, ev.Event.Action
	msg := bot.Message{Platform: bot.Lark, Locale: "zh"}
	if ev.EventV2Base != nil && ev.EventV2Base.Header != nil {
		msg.EventID = ev.EventV2Base.Header.EventID
		msg.Tenant = ev.EventV2Base.Header.TenantKey
	}
	if e.Operator != nil {
		msg.User = e.Operator.OpenID
		if msg.Tenant == "" {
			msg.Tenant = larkcore.StringValue(e.Operator.TenantKey)
		}
	}
	if e.Context != nil {
		msg.Channel = e.Context.OpenChatID
	}
	if msg.User == "" {
		return bot.Message{}, false
	}
	v := act.Value
	kind := str(v[keyKind])
	switch {
	case act.Tag == "checker" || kind == kindChecklist:
		item := str(v[keyItem])
		if item == "" {
			return bot.Message{}, false
		}
		sel := []string{}
		if act.Checked {
			sel = []string{item}
		}
		msg.Action = &bot.Action{Kind: bot.ActionChecklist, Deal: str(v[keyDeal]), Options: []string{item}, Selected: sel}
	case act.FormValue != nil || kind == kindForm:
		vals := make(map[string]string, len(act.FormValue))
		for k, x := range act.FormValue {
			vals[k] = formString(x)
		}
		msg.Action = &bot.Action{Kind: bot.ActionForm, Form: str(v[keyForm]), Deal: str(v[keyDeal]), Values: vals}
	default:
		cmd := str(v[keyCmd])
		if cmd == "" {
			cmd = act.Option // select_static: the chosen option's value
		}
		cmd = strings.TrimSpace(cmd)
		if cmd == "" {
			return bot.Message{}, false
		}
		msg.Text = cmd
		msg.Action = &bot.Action{Kind: bot.ActionCommand, Value: cmd}
	}
	return msg, true
}

func str(x any) string {
	s, _ := x.(string)
	return s
}

// dateTZ matches Lark's date picker values, "2024-04-01 +0800".
var dateTZ = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}) [+-]\d{4}$`)

// formString renders a submitted form value as a string: dates as
// YYYY-MM-DD, date-times as Lark sends them ("2024-04-29 07:07 +0800"),
// multi-selects joined with commas.
func formString(x any) string {
	switch x := x.(type) {
	case nil:
		return ""
	case string:
		if m := dateTZ.FindStringSubmatch(x); m != nil {
			return m[1]
		}
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, formString(e))
		}
		return strings.Join(parts, ",")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// outcome is a card callback's result, computed by a pool worker.
type outcome struct {
	rep   bot.Reply
	cards []Card
	err   error
	ref   string
}

// handoff passes an outcome from the worker to the waiting callback, or,
// once the callback has given up, tells the worker to deliver it itself.
type handoff struct {
	mu        sync.Mutex
	abandoned bool
	ch        chan outcome // buffered 1
}

// onCardAction handles card.action.trigger. Lark waits at most 3 s and
// never re-pushes a callback: the handler gets a.budget, after which the
// callback answers with a toast and the worker patches the card later.
func (a *Adapter) onCardAction(ctx context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
	msg, ok := actionMessage(ev)
	if !ok {
		return &callback.CardActionTriggerResponse{}, nil
	}
	if msg.Tenant == "" {
		a.log.Warn("card callback without tenant key ignored", "event_id", msg.EventID)
		return &callback.CardActionTriggerResponse{}, nil
	}
	var openMsg string
	if ev.Event.Context != nil {
		openMsg = ev.Event.Context.OpenMessageID
	}
	h := &handoff{ch: make(chan outcome, 1)}
	// Callbacks are never re-pushed: a click is written to the inbox (so
	// a crash cannot lose it) and run here at once, its answer waited for
	// within the budget.
	id := msg.EventID
	if id == "" {
		id = newRef() + newRef()
	}
	adm, _ := a.admit(ctx, "card", id, job{Kind: "card", Msg: msg, OpenMsg: openMsg}, func(ctx context.Context, it bot.InboxItem) error {
		o := a.compute(ctx, msg)
		var retry error
		if errors.Is(o.err, bot.ErrRetryLater) {
			// Say it will follow; the delivery is given back and runs
			// again (patching the card) when the store is back.
			retry, o = o.err, outcome{rep: bot.LaterReply(a.locale)}
		}
		h.mu.Lock()
		if !h.abandoned {
			h.ch <- o
			h.mu.Unlock()
			return retry
		}
		h.mu.Unlock()
		a.late(ctx, msg, openMsg, o)
		return retry
	})
	switch adm {
	case bot.Duplicate:
		return &callback.CardActionTriggerResponse{}, nil
	case bot.Busy, bot.StoreDown, bot.StoreUnsure:
		return &callback.CardActionTriggerResponse{Toast: deliveryToast(a.locale, adm)}, nil
	}
	var o outcome
	t := time.NewTimer(a.budget)
	defer t.Stop()
	select {
	case o = <-h.ch:
	case <-t.C:
		if o, ok = h.giveUp(); !ok {
			return &callback.CardActionTriggerResponse{Toast: a.toast("info", "working")}, nil
		}
	case <-ctx.Done():
		if o, ok = h.giveUp(); !ok {
			return &callback.CardActionTriggerResponse{Toast: a.toast("info", "working")}, nil
		}
	}
	return a.respond(ctx, msg, o), nil
}

// giveUp marks the handoff abandoned unless the outcome has just arrived,
// which it then returns with true.
func (h *handoff) giveUp() (outcome, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case o := <-h.ch:
		return o, true
	default:
		h.abandoned = true
		return outcome{}, false
	}
}

// compute runs the handler for a click and renders its reply (uploading
// images first).
func (a *Adapter) compute(ctx context.Context, msg bot.Message) outcome {
	msg.UserName = a.userName(ctx, msg.User)
	rep, err := a.h.Handle(ctx, msg)
	if err != nil {
		ref := newRef()
		a.log.Error("handler failed", "ref", ref, "event_id", msg.EventID, "err", err)
		return outcome{err: err, ref: ref}
	}
	return outcome{rep: rep, cards: a.render(ctx, rep)}
}

// respond turns an outcome into the callback's answer: the updated card for
// a Replace reply, a toast for errors; other replies are posted to the chat.
func (a *Adapter) respond(ctx context.Context, msg bot.Message, o outcome) *callback.CardActionTriggerResponse {
	if o.err != nil {
		t := a.toast("error", "failed")
		t.Content = fmt.Sprintf(t.Content, o.ref)
		for k, v := range t.I18nContent {
			t.I18nContent[k] = fmt.Sprintf(v, o.ref)
		}
		return &callback.CardActionTriggerResponse{Toast: t}
	}
	resp := &callback.CardActionTriggerResponse{}
	if o.rep.Error {
		resp.Toast = &callback.Toast{Type: "error", Content: toastText(o.rep)}
		if !o.rep.Replace && fitsToast(o.rep) {
			// A short mistake ("no deal D-9") needs no message in the chat.
			return resp
		}
	}
	if len(o.rep.Blocks) == 0 {
		return resp
	}
	rest := o.cards
	if o.rep.Replace && len(o.cards) > 0 {
		resp.Card = &callback.Card{Type: "raw", Data: o.cards[0]}
		rest = o.cards[1:]
	}
	if len(rest) > 0 {
		// Posting may wait on rate limits: leave it to a worker.
		post := func(ctx context.Context) {
			if err := a.post(ctx, a.clickTarget(msg), rest, "cb:"+msg.EventID); err != nil {
				a.log.Error("reply failed", "event_id", msg.EventID, "err", err)
			}
		}
		if err := a.pool.Submit(post); err != nil {
			// The click was applied: its answer is not shed. Post it now.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), busyTimeout)
			post(ctx)
			cancel()
		}
	}
	return resp
}

// late delivers an outcome the callback stopped waiting for: it patches the
// clicked card for a Replace reply, else posts to the chat.
func (a *Adapter) late(ctx context.Context, msg bot.Message, openMsg string, o outcome) {
	if o.err != nil {
		r := bot.Reply{Blocks: []bot.Block{bot.Text{Text: text(a.locale, "failed", "ref", o.ref)}}, Error: true}
		o.cards = Render(r, RenderOptions{Locale: a.locale})
		o.rep = r
	}
	if len(o.cards) == 0 || len(o.rep.Blocks) == 0 {
		return
	}
	rest := o.cards
	if o.rep.Replace && openMsg != "" {
		if err := a.patch(ctx, msg.Channel, openMsg, o.cards[0]); err != nil {
			a.log.Error("late patch failed", "event_id", msg.EventID, "err", err)
		}
		rest = o.cards[1:]
	}
	if len(rest) > 0 {
		if err := a.post(ctx, a.clickTarget(msg), rest, "cb:"+msg.EventID); err != nil {
			a.log.Error("late reply failed", "event_id", msg.EventID, "err", err)
		}
	}
}

// clickTarget is where a reply to a click is posted: the card's chat.
func (a *Adapter) clickTarget(msg bot.Message) target {
	if msg.Channel != "" {
		return target{idType: "chat_id", id: msg.Channel, chat: msg.Channel}
	}
	return target{idType: "open_id", id: msg.User, chat: msg.User}
}

func (a *Adapter) toast(typ, key string) *callback.Toast {
	return &callback.Toast{
		Type:        typ,
		Content:     text(a.locale, key),
		I18nContent: map[string]string{"zh_cn": text("zh", key), "en_us": text("en", key)},
	}
}

// fitsToast reports whether the reply is short text that a toast shows in
// full.
func fitsToast(r bot.Reply) bool {
	for _, b := range r.Blocks {
		switch b.(type) {
		case bot.Heading, bot.Text, bot.Context:
		default:
			return false
		}
	}
	s := r.PlainText()
	return !strings.Contains(s, "\n") && utf8.RuneCountInString(s) <= 100
}

// toastText is a one-line summary of a reply for a toast.
func toastText(r bot.Reply) string {
	s := r.PlainText()
	if len(r.FieldErrors) > 0 && s == "" {
		keys := make([]string, 0, len(r.FieldErrors))
		for k := range r.FieldErrors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s = r.FieldErrors[keys[0]]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncateRunes(s, 100)
}
