package bot

import (
	"regexp"
	"slices"
	"testing"
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
