package lark

import "github.com/stagecoach/stagecoach/bot"

// text returns the adapter's own text key ("lark.<key>" in the bot's
// catalog) in locale, with {placeholders} filled from kv pairs. The
// language rule is bot.LangOf: an unknown locale means zh on Lark.
func text(locale, key string, kv ...string) string {
	return bot.T(bot.LangOf(locale, bot.Lark), "lark."+key, kv...)
}

// normLocale maps a locale hint ("zh-CN", "en_US", "") to "zh" or "en"
// (bot.LangOf).
func normLocale(l string) string { return string(bot.LangOf(l, bot.Lark)) }
