package slack

import (
	"testing"

	"github.com/stagecoach/stagecoach/bot"
)

// TestTexts: the adapter's strings are keys of the bot catalog (whose
// parity test checks zh, en and placeholders); a missing key would come
// back as the key itself.
func TestTexts(t *testing.T) {
	for _, k := range []string{"error", "open_form", "submit", "cancel", "not_number", "form_failed", "form_hint", "image", "datetime_hint", "page", "more", "choose"} {
		for _, lang := range []string{"en", "zh"} {
			if got := tr(lang, k); got == "slack."+k || got == "" {
				t.Errorf("%s %s: no text", lang, k)
			}
		}
	}
	if got := tr("zh", "page", "label", "选择", "page", "2", "pages", "3"); got != "选择（2/3）" {
		t.Errorf("page: %q", got)
	}
}

func TestReplyLang(t *testing.T) {
	zh := bot.Reply{Lang: "zh", Blocks: []bot.Block{bot.Text{Text: "阶段 2"}}}
	en := bot.Reply{Lang: "en", Blocks: []bot.Block{bot.Text{Text: "Stage 2"}}}
	bare := bot.Reply{Blocks: []bot.Block{bot.Text{Text: "阶段 2"}}}
	for _, c := range []struct {
		r      bot.Reply
		locale string
		want   string
	}{
		{zh, "", "zh"}, {en, "", "en"}, {en, "zh", "en"}, {zh, "en", "zh"},
		{bare, "zh-CN", "zh"}, {bare, "en", "en"}, {bare, "", "en"},
	} {
		if got := replyLang(c.r, c.locale); got != c.want {
			t.Errorf("replyLang(%q, %q) = %s, want %s", c.r.Lang, c.locale, got, c.want)
		}
	}
	if got := tr("fr", "submit"); got != "Submit" {
		t.Errorf("unknown language: %q", got)
	}
	if got := textLang("阶段 2"); got != "zh" {
		t.Errorf("textLang: %q", got)
	}
}
