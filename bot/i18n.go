package bot

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/stagecoach/stagecoach/playbook"
)

// catalog holds every user-facing text of the bot package, in zh and en.
// Files add their own groups of messages through register, so each feature
// keeps its texts beside its code; TestCatalogParity checks both languages
// exist with the same placeholders.
var catalog = map[string]playbook.Text{}

func register(m map[string]playbook.Text) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("bot: duplicate message key " + k)
		}
		catalog[k] = v
	}
}

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// T returns the message key in lang with {placeholders} filled from kv
// pairs. A missing key returns the key itself, so a gap is visible rather
// than silent (the parity test keeps this from shipping).
func T(lang playbook.Lang, key string, kv ...string) string {
	m, ok := catalog[key]
	if !ok {
		return key
	}
	s := m.In(lang)
	if len(kv) == 0 {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Tf is T with fmt-style convenience for a single numeric placeholder.
func Tf(lang playbook.Lang, key, name string, n int) string {
	return T(lang, key, name, fmt.Sprint(n))
}

// catalogKeys returns the keys in order, for tests.
func catalogKeys() []string {
	keys := make([]string, 0, len(catalog))
	for k := range catalog {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
