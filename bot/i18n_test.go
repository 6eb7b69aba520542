package bot

import (
	"regexp"
	"slices"
	"testing"

	"github.com/stagecoach/stagecoach/playbook"
)

// TestCatalogParity: every message exists in zh and en with the same
// placeholders.
func TestCatalogParity(t *testing.T) {
	for _, k := range catalogKeys() {
		m := catalog[k]
		if m.ZH == "" || m.EN == "" {
			t.Errorf("%s: missing %s", k, map[bool]string{true: "zh", false: "en"}[m.ZH == ""])
			continue
		}
		zh, en := placeholderRE.FindAllString(m.ZH, -1), placeholderRE.FindAllString(m.EN, -1)
		slices.Sort(zh)
		slices.Sort(en)
		if !slices.Equal(slices.Compact(zh), slices.Compact(en)) {
			t.Errorf("%s: placeholders differ: zh %v, en %v", k, zh, en)
		}
	}
}

func TestT(t *testing.T) {
	if got := T("en", "new.created", "id", "D-1", "name", "Acme"); got != "Created D-1 “Acme”." {
		t.Fatalf("got %q", got)
	}
	if got := T("zh", "missing.key"); got != "missing.key" {
		t.Fatalf("missing key rendered %q", got)
	}
	for _, tc := range []struct {
		lang playbook.Lang
		key  string
		kv   []string
		want string
	}{
		{"en", "err.deal_closed", []string{"deal", "D-2", "status", "won"}, "D-2 is won; reopen it first with `reopen D-2`."},
		{"en", "new.created", []string{"id", "D-1"}, "Created D-1 “{name}”."},
		{"en", "new.created", []string{"id"}, "Created {id} “{name}”."},
		{"fr", "help.examples", nil, "Examples:"},
		{"zh", "hint.usage", []string{"usage", "note <deal>"}, "用法：note <deal>"},
	} {
		if got := T(tc.lang, tc.key, tc.kv...); got != tc.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", tc.lang, tc.key, tc.kv, got, tc.want)
		}
	}
}

// TestChinesePunctuation: zh texts use full-width punctuation beside
// Chinese characters, as the playbook does (commands in backticks and
// {placeholders} excepted).
func TestChinesePunctuation(t *testing.T) {
	code := regexp.MustCompile("`[^`]*`|\\{[a-z_]+\\}")
	// beside Chinese, and also beside a placeholder or a number ("{id}:{until}")
	half := regexp.MustCompile(`\p{Han}[,?]|[,][\p{Han}]|[:;()]`)
	for _, k := range catalogKeys() {
		if !regexp.MustCompile(`\p{Han}`).MatchString(catalog[k].ZH) {
			continue
		}
		if m := half.FindString(code.ReplaceAllString(catalog[k].ZH, "")); m != "" {
			t.Errorf("%s: half-width punctuation %q in %q", k, m, catalog[k].ZH)
		}
	}
}
