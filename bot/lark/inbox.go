package lark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/stagecoach/stagecoach/bot"
)

// queue is the inbox queue of Lark deliveries.
const queue = "lark"

// job is the payload of a Lark inbox item: the message and where its
// answer goes (the chat, the user's message, the clicked card).
type job struct {
	Kind      string      `json:"k"` // "msg" or "card"
	Msg       bot.Message `json:"m"`
	MessageID string      `json:"mid,omitempty"` // msg: the user's message
	Text      bool        `json:"t,omitempty"`   // msg: a text message
	OpenMsg   string      `json:"om,omitempty"`  // card: the clicked card's message
}

// work is the inbox WorkFunc of Lark deliveries run from the store (after
// a crash, or given back): a message is answered as usual; a click's
// answer goes to the card (patch) or the chat, as for a late callback.
func (a *Adapter) work(ctx context.Context, it bot.InboxItem) error {
	var j job
	if err := json.Unmarshal(it.Payload, &j); err != nil {
		a.log.Error("undecodable inbox item dropped", "key", it.Key, "err", err)
		return nil
	}
	switch j.Kind {
	case "card":
		o := a.compute(ctx, j.Msg)
		if errors.Is(o.err, bot.ErrRetryLater) {
			return o.err
		}
		a.late(ctx, j.Msg, j.OpenMsg, o)
		return nil
	default:
		return a.answer(ctx, incoming{msg: j.Msg, messageID: j.MessageID, text: j.Text})
	}
}

// admit writes one delivery to the inbox before the ack. local, when not
// nil, runs it here first (a click waiting for its card).
func (a *Adapter) admit(ctx context.Context, kind, id string, j job, local bot.WorkFunc) (bot.Admission, error) {
	key := bot.DeliveryKey(bot.Lark, kind, j.Msg.Tenant, id)
	payload, err := json.Marshal(j)
	if err != nil {
		return bot.StoreDown, fmt.Errorf("lark: encode delivery: %w", err)
	}
	adm, err := a.inbox.Submit(ctx, queue, key, payload, local)
	switch adm {
	case bot.StoreDown, bot.StoreUnsure:
		a.log.Error("inbox write failed: not acknowledged as handled", "kind", kind, "err", err)
	case bot.Busy:
		a.log.Warn("shed: busy", "kind", kind, "tenant", j.Msg.Tenant)
	case bot.Duplicate:
		a.log.Debug("duplicate delivery", "key", key)
	}
	return adm, err
}

// deliveryToast tells a clicker why the click was not taken.
func deliveryToast(locale string, adm bot.Admission) *callback.Toast {
	return &callback.Toast{
		Type:        "error",
		Content:     bot.DeliveryText(locale, adm),
		I18nContent: map[string]string{"zh_cn": bot.DeliveryText("zh", adm), "en_us": bot.DeliveryText("en", adm)},
	}
}
