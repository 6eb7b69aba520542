package lark

// texts holds every user-facing string the adapter itself writes (the
// router writes everything else). Keys must exist in every language: see
// TestTextsParity.
var texts = map[string]map[string]string{
	"zh": {
		"submit":      "提交",
		"more":        "……内容过长，其余部分已省略",
		"busy":        "机器人正忙，请稍后再试。",
		"failed":      "出错了，请稍后再试。（参考编号 %s）",
		"unsupported": "目前只能处理文字消息。发送 help 查看可用命令。",
		"working":     "处理中，稍后更新卡片……",
		"select":      "请选择",
	},
	"en": {
		"submit":      "Submit",
		"more":        "…more (the rest was too long to show)",
		"busy":        "The bot is busy, please try again in a moment.",
		"failed":      "Something went wrong, please try again. (ref %s)",
		"unsupported": "I can only read text messages. Send help to see the commands.",
		"working":     "Working on it, the card will update shortly…",
		"select":      "Choose…",
	},
}

// defaultLocale is the language of adapter strings when none is configured:
// Lark teams are mostly Chinese-speaking.
const defaultLocale = "zh"

// text returns the adapter string key in locale, falling back to zh.
func text(locale, key string) string {
	if m, ok := texts[locale]; ok {
		if s, ok := m[key]; ok {
			return s
		}
	}
	return texts[defaultLocale][key]
}

// normLocale maps a locale hint ("zh-CN", "en_US", "") to a key of texts.
func normLocale(l string) string {
	if len(l) >= 2 {
		if _, ok := texts[l[:2]]; ok {
			return l[:2]
		}
	}
	return defaultLocale
}
