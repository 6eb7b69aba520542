package coach

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Acme", "acme"},
		{"  ACME   Corp\t\n", "acme corp"},
		{"ＡＣＭＥ　Ｃｏｒｐ", "acme corp"}, // full-width letters and the ideographic space
		{"Ａｃｍｅ（上海）", "acme(上海)"},
		{"华为 技术", "华为 技术"},
		{"华为　　技术", "华为 技术"},
		{"Straße", "straße"},
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
		{"ſtar", "star"},
		{"\u212Aelvin", "kelvin"},
		{"a\x00b\u0007c", "abc"},
		{"bad\xffutf8", "badutf8"},
		{"１２３", "123"},
		{"", ""},
		{" \u3000 ", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := NormalizeName(tc.in); got != tc.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNameKeys(t *testing.T) {
	for _, tc := range []struct {
		name, customer string
		want           []string
	}{
		{"Acme renewal", "Acme", []string{"acme renewal", "acme"}},
		{"ACME", "acme", []string{"acme"}},
		{"Acme", "", []string{"acme"}},
		{"", "Acme", []string{"acme"}},
		{" ", "", nil},
	} {
		got := NameKeys(&Deal{Name: tc.name, Customer: tc.customer})
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("NameKeys(%q, %q) = %q, want %q", tc.name, tc.customer, got, tc.want)
		}
	}
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"Acme", "ＡＣＭＥ　Ｃｏｒｐ", "华为 技术", "\x00\xff", "ſΣς\u212A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeName(s)
		if !utf8.ValidString(n) || strings.ContainsAny(n, "\x00\n\t") || strings.Contains(n, "\xff") || strings.Contains(n, "  ") {
			t.Fatalf("NormalizeName(%q) = %q: invalid, a separator or a double space", s, n)
		}
		if n != strings.TrimSpace(n) {
			t.Fatalf("NormalizeName(%q) = %q: not trimmed", s, n)
		}
		if again := NormalizeName(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		if NormalizeName(strings.ToUpper(s)) != NormalizeName(strings.ToLower(s)) && utf8.ValidString(s) && isSimple(s) {
			t.Fatalf("case: %q", s)
		}
	})
}

// isSimple: ASCII only (upper/lower casing of other scripts may change
// the rune count, e.g. ß → SS, and is not a folding).
func isSimple(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
