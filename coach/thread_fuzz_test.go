package coach

import (
	"slices"
	"testing"
)

// FuzzThreadKeys: two threads that differ in platform, channel or id
// never share a store key, and a thread gives at most maxThreadIDs keys.
func FuzzThreadKeys(f *testing.F) {
	f.Add("slack", "C1", "1700000000.0001", "slack", "C1", "1700000000.0002")
	f.Add("lark", "oc_1", "om_1", "lark", "oc_1om_1", "")
	f.Add("5:slack", "", "x", "5", "slack", "x")
	f.Add("", "1:a", "b", "1", "a1:b", "")
	f.Fuzz(func(t *testing.T, p1, c1, id1, p2, c2, id2 string) {
		a := ChatThread{Platform: p1, Channel: c1, IDs: []string{id1, id1, "x", "y", "z", "w"}}.keys()
		if len(a) > maxThreadIDs {
			t.Fatalf("%d keys", len(a))
		}
		k1 := ChatThread{Platform: p1, Channel: c1, IDs: []string{id1}}.keys()
		k2 := ChatThread{Platform: p2, Channel: c2, IDs: []string{id2}}.keys()
		if len(k1) == 0 || len(k2) == 0 {
			return // an empty or oversized id is no key
		}
		same := p1 == p2 && c1 == c2 && slices.Equal(k1, ChatThread{Platform: p1, Channel: c1, IDs: []string{id2}}.keys())
		if (k1[0] == k2[0]) != same {
			t.Fatalf("(%q %q %q) and (%q %q %q): keys %q %q", p1, c1, id1, p2, c2, id2, k1[0], k2[0])
		}
	})
}
