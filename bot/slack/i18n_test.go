package slack

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
)

// TestTextsParity fails when a language misses a key the other has, or a
// translation changes the number of format verbs.
func TestTextsParity(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		if _, ok := texts[lang]; !ok {
			t.Fatalf("no %s texts", lang)
		}
	}
	for a, am := range texts {
		for b, bm := range texts {
			for k, v := range am {
				w, ok := bm[k]
				if !ok {
					t.Errorf("%s has %q, %s does not", a, k, b)
					continue
				}
				if strings.Count(v, "%") != strings.Count(w, "%") {
					t.Errorf("%q: %s and %s differ in format verbs", k, a, b)
				}
				if w == "" {
					t.Errorf("%s %q is empty", b, k)
				}
			}
		}
	}
}

func TestReplyLang(t *testing.T) {
	zh := bot.Reply{Blocks: []bot.Block{bot.Text{Text: "阶段 2"}}}
	en := bot.Reply{Blocks: []bot.Block{bot.Text{Text: "Stage 2"}}}
	for _, c := range []struct {
		r      bot.Reply
		locale string
		want   string
	}{
		{zh, "", "zh"}, {en, "", "en"}, {en, "zh", "zh"}, {zh, "en", "en"}, {en, "zh-CN", "zh"},
	} {
		if got := replyLang(c.r, c.locale); got != c.want {
			t.Errorf("replyLang(%q, %q) = %s, want %s", c.r.PlainText(), c.locale, got, c.want)
		}
	}
	if got := tr("fr", "submit"); got != "Submit" {
		t.Errorf("unknown language: %q", got)
	}
}
