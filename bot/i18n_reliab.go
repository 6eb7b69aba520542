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
	if a == StoreDown {
		return T(l, "delivery.store_down")
	}
	return T(l, "delivery.busy")
}
