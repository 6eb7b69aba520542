package bot

import (
	"strings"
	"testing"
)

// FuzzUserRef: never panics; a token built from an id and a name gives
// them back (ids that are no platform id are refused by coach).
func FuzzUserRef(f *testing.F) {
	for _, s := range []string{"<@ou_1|张三>", "<@U123>", "@wang", "U9", "<@>", "<@|x>", "<@a|b|c>", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, name := userRef(s)
		if tok := "<@" + id + "|" + name + ">"; !strings.Contains(id, "|") && !strings.Contains(id, ">") && !strings.Contains(name, ">") && id != "" {
			if id2, name2 := userRef(tok); id2 != id || name2 != name {
				t.Fatalf("round trip %q: %q %q", tok, id2, name2)
			}
		}
	})
}
