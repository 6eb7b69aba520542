package bot

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/stagecoach/stagecoach/playbook"
)

// catalog holds every user-facing text of the bot package and of the
// adapters (keys "slack.…", "lark.…"), in zh and en. Files add their own
// groups of messages through register, so each feature keeps its texts
// beside its code; TestCatalogParity checks both languages exist with the
// same placeholders.
var catalog = map[string]playbook.Text{}

// compiled holds each message split at its {placeholders}, per language
// (0 en, 1 zh), so T fills them without building a replacer per call.
var compiled = map[string][2][]part{}

// part is literal text followed by an optional placeholder name.
type part struct {
	lit, ph string
}

func register(m map[string]playbook.Text) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("bot: duplicate message key " + k)
		}
		catalog[k] = v
		compiled[k] = [2][]part{compile(v.In(playbook.EN)), compile(v.In(playbook.ZH))}
	}
}

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

func compile(s string) []part {
	var parts []part
	at := 0
	for _, loc := range placeholderRE.FindAllStringIndex(s, -1) {
		parts = append(parts, part{lit: s[at:loc[0]], ph: s[loc[0]+1 : loc[1]-1]})
		at = loc[1]
	}
	if at < len(s) || len(parts) == 0 {
		parts = append(parts, part{lit: s[at:]})
	}
	return parts
}

// T returns the message key in lang with {placeholders} filled from kv
// pairs. The one fallback rule: zh when lang is zh, else en (a message
// lacking the language falls back to the other one). A missing key
// returns the key itself, so a gap is visible rather than silent (the
// parity test keeps this from shipping); a placeholder without a value
// stays as written.
func T(lang playbook.Lang, key string, kv ...string) string {
	if len(kv) >= 2 {
		key = pluralKey(key, kv)
	}
	m, ok := catalog[key]
	if !ok {
		return key
	}
	if len(kv) < 2 {
		return m.In(lang)
	}
	i := 0
	if lang == playbook.ZH && m.ZH != "" {
		i = 1
	} else if m.EN == "" {
		i = 1
	}
	parts := compiled[key][i]
	n := 0
	for _, p := range parts {
		n += len(p.lit) + 8
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		b.WriteString(p.lit)
		if p.ph == "" {
			continue
		}
		v, found := "", false
		for j := 0; j+1 < len(kv); j += 2 {
			if kv[j] == p.ph {
				v, found = kv[j+1], true
				break
			}
		}
		if !found {
			v = "{" + p.ph + "}"
		}
		b.WriteString(v)
	}
	return b.String()
}

// pluralKey picks key+".one" (the singular text, where the catalog has
// one) when the count placeholder {n} or {days} is 1: "1 contact".
func pluralKey(key string, kv []string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "1" && (kv[i] == "n" || kv[i] == "days") {
			if _, ok := catalog[key+".one"]; ok {
				return key + ".one"
			}
		}
	}
	return key
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
