package bot

import (
	"strings"

	"github.com/stagecoach/stagecoach/playbook"
)

// LangOf is the one rule for the language of text written before (or
// without) a user's stored choice: the locale hint when it names zh or en
// ("zh", "zh-CN", "zh_TW", "en-US"), else the platform's default — zh on
// Lark, whose teams mostly write Chinese, en elsewhere.
func LangOf(locale string, p Platform) playbook.Lang {
	if l, ok := playbook.ParseLang(locale); ok {
		return l
	}
	switch l := strings.ToLower(strings.TrimSpace(locale)); {
	case strings.HasPrefix(l, "zh"):
		return playbook.ZH
	case strings.HasPrefix(l, "en"):
		return playbook.EN
	}
	if p == Lark {
		return playbook.ZH
	}
	return playbook.EN
}

// ReplyLang is the language of the adapter's own strings around a reply:
// the reply's Lang (the router and the Notifier set it on every reply),
// else LangOf(locale, p).
func ReplyLang(r Reply, p Platform, locale string) playbook.Lang {
	if l, ok := playbook.ParseLang(r.Lang); ok {
		return l
	}
	return LangOf(locale, p)
}
