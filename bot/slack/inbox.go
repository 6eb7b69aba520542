package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/stagecoach/stagecoach/bot"
)

// queue is the inbox queue of Slack deliveries.
const queue = "slack"

// noticeTimeout bounds a busy / store-down notice sent inline.
const noticeTimeout = 2 * time.Second

// busyAckDelay holds a "busy" ack back a little: the decision is made at
// once (nothing is stored), but a client that retries at once is slowed
// down, so a storm of refused requests does not starve the workers of the
// CPU the admitted work needs (well inside Slack's 3 s).
var busyAckDelay = 200 * time.Millisecond

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// wireOrigin is origin as stored with an inbox item, so any replica can
// answer (response_url, channel, thread, message).
type wireOrigin struct {
	Team        string `json:"team"`
	User        string `json:"user"`
	Channel     string `json:"ch,omitempty"`
	Thread      string `json:"th,omitempty"`
	ResponseURL string `json:"url,omitempty"`
	TriggerID   string `json:"trig,omitempty"`
	MessageTS   string `json:"ts,omitempty"`
	Direct      bool   `json:"dm,omitempty"`
	Home        bool   `json:"home,omitempty"`
	Publish     bool   `json:"pub,omitempty"`
	Command     bool   `json:"cmd,omitempty"`
}

// job is the payload of a Slack inbox item.
type job struct {
	Msg    bot.Message `json:"m"`
	Origin wireOrigin  `json:"o"`
}

func (o origin) wire() wireOrigin {
	return wireOrigin{Team: o.team, User: o.user, Channel: o.channel, Thread: o.thread, ResponseURL: o.responseURL,
		TriggerID: o.triggerID, MessageTS: o.messageTS, Direct: o.direct, Home: o.home, Publish: o.publish, Command: o.command}
}

func (w wireOrigin) origin() origin {
	return origin{team: w.Team, user: w.User, channel: w.Channel, thread: w.Thread, responseURL: w.ResponseURL,
		triggerID: w.TriggerID, messageTS: w.MessageTS, direct: w.Direct, home: w.Home, publish: w.Publish, command: w.Command}
}

// requestDigest names a signed request by its timestamp and body: a replay
// inside the 5-minute signature window has the same digest.
func requestDigest(ts string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write([]byte{':'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// work is the inbox WorkFunc of Slack deliveries: on this replica right
// after the ack, or on any replica after a crash.
func (a *Adapter) work(ctx context.Context, it bot.InboxItem) error {
	var j job
	if err := json.Unmarshal(it.Payload, &j); err != nil {
		// Nothing can ever run it: finish it (logged) rather than retry.
		a.log.Error("undecodable inbox item dropped", "key", it.Key, "err", err)
		return nil
	}
	return a.run(ctx, it, j)
}

// run works on one decoded delivery. Right after the ack (admit's local
// work) the job is the one just encoded, so it is not decoded again.
func (a *Adapter) run(ctx context.Context, it bot.InboxItem, j job) error {
	if it.Attempts > 1 {
		// The trigger id lived ~3 s: a recovered delivery cannot open a modal.
		j.Origin.TriggerID = ""
	} else if s := a.inlineFor(it.Key); s != nil {
		ctx = withInline(ctx, s) // the ack may still carry the answer (inline.go)
	}
	return a.process(ctx, j.Msg, j.Origin.origin(), it.Attempts)
}

// admit puts one delivery in the inbox (durable before the ack).
func (a *Adapter) admit(ctx context.Context, kind, id string, msg bot.Message, o origin) bot.Admission {
	key := bot.DeliveryKey(bot.Slack, kind, msg.Tenant, id)
	j := job{Msg: msg, Origin: o.wire()}
	payload, err := json.Marshal(j)
	if err != nil {
		a.log.Error("encode delivery", "err", err)
		return bot.StoreDown
	}
	// On this replica the job runs from j itself; a redelivery (crash,
	// retry) decodes the stored payload in work.
	local := func(ctx context.Context, it bot.InboxItem) error { return a.run(ctx, it, j) }
	adm, err := a.inbox.Submit(ctx, queue, key, payload, local)
	switch adm {
	case bot.StoreDown, bot.StoreUnsure:
		a.log.Error("inbox write failed: not acknowledged as handled", "team", msg.Tenant, "user", msg.User, "kind", kind, "err", err)
	case bot.Busy:
		a.log.Warn("shed: busy", "team", msg.Tenant, "user", msg.User, "kind", kind)
	case bot.Duplicate:
		a.log.Debug("duplicate delivery", "team", msg.Tenant, "kind", kind, "key", key)
	}
	return adm
}

func noticeReply(lang string, adm bot.Admission) bot.Reply {
	return bot.Reply{Ephemeral: true, Error: true, Blocks: []bot.Block{bot.Text{Text: bot.DeliveryText(lang, adm)}}}
}

// notify tells the user a delivery was not taken, and why. It is never
// dropped: it runs on the notice workers when one is free, else inline
// (bounded by noticeTimeout). It returns an error when the notice could
// not be sent.
func (a *Adapter) notify(o origin, lang string, adm bot.Admission) error {
	if o.publish {
		return nil
	}
	r := noticeReply(lang, adm)
	select {
	case a.notices <- struct{}{}:
		if a.background(func() {
			defer func() { <-a.notices }()
			ctx, cancel := context.WithTimeout(a.base, noticeTimeout)
			defer cancel()
			if err := a.deliver(ctx, o, r, lang); err != nil {
				a.log.Warn("notice", "kind", adm.String(), "err", err)
			}
		}) {
			return nil
		}
		<-a.notices
	default:
	}
	ctx, cancel := context.WithTimeout(a.base, noticeTimeout)
	defer cancel()
	if err := a.deliver(ctx, o, r, lang); err != nil {
		return fmt.Errorf("slack: notice: %w", err)
	}
	return nil
}
