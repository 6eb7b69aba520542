package bot

import (
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func init() { register(deliveryMessages) }

// deliveryMessages are the adapters' answers when a delivery is not taken:
// each says why and that nothing was changed.
var deliveryMessages = map[string]tx{
	"delivery.busy": {
		EN: "I'm too busy to take this right now, so nothing was changed. Please try again in a minute.",
		ZH: "我现在太忙，没有处理这条请求，未做任何更改。请一分钟后再试。",
	},
	"delivery.store_down": {
		EN: "I can't reach my storage right now, so nothing was changed. Please try again shortly.",
		ZH: "暂时无法连接数据存储，未做任何更改。请稍后再试。",
	},
	"delivery.unsure": {
		EN: "My storage stopped answering while I was taking this, so I can't confirm I have it. It may still be carried out in a moment: check before sending it again.",
		ZH: "接收这条请求时数据存储停止了响应，我无法确认是否已收到。它可能稍后仍会执行：再次发送前请先确认。",
	},
	"delivery.later": {
		EN: "My storage isn't answering right now. I have your request and will finish it as soon as the storage is back; nothing has been changed yet.",
		ZH: "数据存储暂时没有响应。你的请求我已收到，存储恢复后会立即完成；目前尚未做任何更改。",
	},
	"delivery.partial": {
		EN: "Part of this was saved before something went wrong on our side, so it may be incomplete. Look at the deal (`show`) before trying again.",
		ZH: "系统出错前已保存了部分内容，结果可能不完整。请先查看该商机（`show`），再决定是否重试。",
	},
	"err." + coach.CodeOutcomeUnknown: {
		EN: "I sent your change to {deal}, but the connection broke before it was confirmed and I could not check it afterwards. It may or may not have been saved: look at `show {deal}` before trying again.",
		ZH: "你对 {deal} 的更改已经发出，但在确认前连接中断，之后也无法核实。可能已保存，也可能没有：请先用 `show {deal}` 查看，再决定是否重试。",
	},
}

// DeliveryText is the text an adapter shows for a delivery it did not take
// (Busy or StoreDown), in lang ("zh" or anything else for en).
func DeliveryText(lang string, a Admission) string {
	l := playbook.EN
	if lang == "zh" {
		l = playbook.ZH
	}
	switch a {
	case StoreDown:
		return T(l, "delivery.store_down")
	case StoreUnsure:
		return T(l, "delivery.unsure")
	}
	return T(l, "delivery.busy")
}

// PartialReply replaces an internal-error reply whose request had already
// changed something (a write landed before the failure): it says so
// instead of "nothing was changed".
func PartialReply(r Reply) Reply {
	l := playbook.EN
	if r.Lang == string(playbook.ZH) {
		l = playbook.ZH
	}
	return Reply{Ephemeral: r.Ephemeral, Error: true, Lang: r.Lang, Blocks: []Block{Text{Text: T(l, "delivery.partial")}}}
}

// LaterReply tells the user an acked request waits for the store
// (ErrRetryLater); the real answer follows.
func LaterReply(lang string) Reply {
	l := playbook.EN
	if lang == "zh" {
		l = playbook.ZH
	}
	return Reply{Ephemeral: true, Error: true, Lang: string(l), Blocks: []Block{Text{Text: T(l, "delivery.later")}}}
}
