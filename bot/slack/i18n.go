package slack

import (
	"github.com/stagecoach/stagecoach/bot"
)

// tr returns the adapter's own text key ("slack.<key>" in the bot's
// catalog) in lang, with {placeholders} filled from kv pairs.
func tr(lang, key string, kv ...string) string {
	return bot.T(bot.LangOf(lang, bot.Slack), "slack."+key, kv...)
}

// normLang maps a locale hint to "zh" or "en" (bot.LangOf).
func normLang(locale string) string { return string(bot.LangOf(locale, bot.Slack)) }

// replyLang picks the language for the adapter's own strings around a
// reply: the reply's Lang, else the locale hint, else en (bot.ReplyLang).
func replyLang(r bot.Reply, locale string) string {
	return string(bot.ReplyLang(r, bot.Slack, locale))
}

// textLang is the language of a message the router has not answered yet
// (for a busy or error notice), by the router's own rule: zh when its first
// word is Chinese (bot.TypedChinese), else en. It is the locale hint given
// to bot.LangOf there.
func textLang(s string) string {
	if bot.TypedChinese(s) {
		return "zh"
	}
	return "en"
}
