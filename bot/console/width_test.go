package console_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/bot/console"
)

func TestStringWidth(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"中文", 4},
		{"，。：（）", 10},
		{"カナ", 4},
		{"한국", 4},
		{"e\u0301", 1}, // e + combining acute
		{"🎉⏰", 4},
		{"■◧□→—✓", 6}, // ambiguous and neutral symbols: one column
		{"ＡＢ", 4},     // full-width Latin
		{"a\tb", 2},   // control characters take no column
	} {
		t.Run(tt.s, func(t *testing.T) {
			if got := console.StringWidth(tt.s); got != tt.want {
				t.Fatalf("StringWidth(%q) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    string
		width int
		want  string
	}{
		{"no width", "alpha beta gamma", 0, "alpha beta gamma"},
		{"fits", "alpha beta", 10, "alpha beta"},
		{"at spaces", "alpha beta gamma", 10, "alpha beta\ngamma"},
		{"spaces at the break dropped", "alpha     beta", 7, "alpha\nbeta"},
		{"long word", "abcdefghijkl", 5, "abcde\nfghij\nkl"},
		{"chinese", "这是一个很长的中文句子，需要换行。", 10, "这是一个很\n长的中文句\n子，需要换\n行。"},
		{"no closing punctuation at line start", "一二三四五，", 10, "一二三四\n五，"},
		{"mixed", "已创建 D-1 “华东ERP”", 12, "已创建 D-1\n“华东ERP”"},
		{"indent kept", "  s2.m1 Visit the customer", 12, "  s2.m1\n  Visit the\n  customer"},
		{"list items hang", "  ✓ s2.m1 Visit the customer", 14, "  ✓ s2.m1\n    Visit the\n    customer"},
		{"bullet", "• s1.m3 The customer is fairly interested", 20, "• s1.m3 The customer\n  is fairly\n  interested"},
		{"dash needs a space", "-1234567890", 5, "-1234\n56789\n0"},
		{"deep indent dropped", "          abc def", 12, "abc def"},
		{"lines kept", "one two\n\nthree four", 7, "one two\n\nthree\nfour"},
		{"wide rune wider than the line", "中文", 1, "中\n文"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := console.Wrap(tt.in, tt.width); got != tt.want {
				t.Fatalf("Wrap(%q, %d) =\n%q\nwant\n%q", tt.in, tt.width, got, tt.want)
			}
		})
	}
}

func FuzzWrap(f *testing.F) {
	for _, s := range []string{"alpha beta gamma", "这是一个很长的中文句子，需要换行。", "  ✓ s2.m1 Visit\n  ✗ s2.m2", "e\u0301e\u0301", "\xff\xfe abc"} {
		f.Add(s, uint8(10))
	}
	f.Fuzz(func(t *testing.T, s string, w uint8) {
		width := int(w % 120)
		out := console.Wrap(s, width)
		if width == 0 {
			if out != s {
				t.Fatalf("width 0 changed the text")
			}
			return
		}
		// Wrapping only moves spaces and adds line breaks.
		strip := func(x string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(x) }
		if strip(out) != strip(s) {
			t.Fatalf("content changed:\n%q\n%q", s, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if console.StringWidth(line) > width && utf8.RuneCountInString(strings.TrimLeft(line, " ")) > 1 {
				t.Fatalf("line %q is %d columns, wider than %d", line, console.StringWidth(line), width)
			}
		}
	})
}

func BenchmarkWrap(b *testing.B) {
	s := strings.Repeat("D-12 华东ERP项目 reached stage 3 · 客户拜访与需求确认，下一步：安排演示。\n", 20)
	b.ReportAllocs()
	for b.Loop() {
		console.Wrap(s, 80)
	}
}
