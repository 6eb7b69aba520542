package bot

import (
	"strings"
	"testing"
)

func FuzzChatURL(f *testing.F) {
	for _, s := range []string{"<https://example.com/h>", "<https://example.com/h|label>", "https://x", "<>", "<|>", "off"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := chatURL(s)
		if len(u) > len(s) || !strings.Contains(s, u) {
			t.Fatalf("chatURL(%q) = %q", s, u)
		}
		if short := shortURL(u); strings.Contains(short, "?") && !strings.HasSuffix(short, "?…") {
			t.Fatalf("shortURL(%q) = %q shows a query", u, short)
		}
	})
}
