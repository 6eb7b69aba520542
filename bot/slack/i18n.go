package slack

import (
	"fmt"
	"reflect"
	"unicode"

	"github.com/stagecoach/stagecoach/bot"
)

// texts holds every user-facing string the adapter writes itself (the
// router writes everything else). TestTextsParity keeps zh and en in step.
var texts = map[string]map[string]string{
	"en": {
		"busy":         "I'm busy right now. Please try again in a moment.",
		"error":        "Something went wrong (ref %s). Please try again.",
		"openForm":     "Open form",
		"submit":       "Submit",
		"cancel":       "Cancel",
		"notNumber":    "Enter a number.",
		"formFailed":   "Could not save this form. Please try again.",
		"formHint":     "To fill it in by text: %s",
		"image":        "Image: %s",
		"datetimeHint": "YYYY-MM-DD HH:MM",
		"page":         "%s (%d/%d)",
		"more":         "…and %d more",
		"choose":       "Choose…",
	},
	"zh": {
		"busy":         "我现在有点忙，请稍后再试。",
		"error":        "出错了（编号 %s），请再试一次。",
		"openForm":     "打开表单",
		"submit":       "提交",
		"cancel":       "取消",
		"notNumber":    "请输入数字。",
		"formFailed":   "表单未能保存，请再试一次。",
		"formHint":     "也可以用文字填写：%s",
		"image":        "图片：%s",
		"datetimeHint": "YYYY-MM-DD HH:MM",
		"page":         "%s（%d/%d）",
		"more":         "……还有 %d 项",
		"choose":       "请选择……",
	},
}

// tr returns the text for key in lang (en when lang is unknown), formatted
// with args when given.
func tr(lang, key string, args ...any) string {
	m, ok := texts[lang]
	if !ok {
		m = texts["en"]
	}
	s, ok := m[key]
	if !ok {
		s = texts["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// normLang maps a locale hint to "zh" or "en".
func normLang(locale string) string {
	if len(locale) >= 2 && (locale[:2] == "zh" || locale[:2] == "ZH") {
		return "zh"
	}
	return "en"
}

// replyLang picks the language for the adapter's own strings around a
// reply. bot.Reply has no language field yet, so: a string field named Lang
// on the Reply (read by reflection, so it takes effect as soon as the shared
// model grows one), else the message's Locale, else zh when the reply's text
// is mostly Chinese, else en.
func replyLang(r bot.Reply, locale string) string {
	if f := reflect.ValueOf(r).FieldByName("Lang"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		return normLang(f.String())
	}
	if locale != "" {
		return normLang(locale)
	}
	return textLang(r.PlainText())
}

// textLang guesses zh when s contains Han characters, else en.
func textLang(s string) string {
	for _, c := range s {
		if unicode.Is(unicode.Han, c) {
			return "zh"
		}
	}
	return "en"
}
