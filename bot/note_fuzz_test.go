package bot

import (
	"strings"
	"testing"
)

func TestNoteText(t *testing.T) {
	tests := []struct{ raw, ref, want string }{
		{"note D-1 she's the handler", "D-1", "she's the handler"},
		{`note "Acme ERP" met "Li"`, "Acme ERP", `met "Li"`},
		{"备注 远航物流 明天下午两点拜访\n王总", "远航物流", "明天下午两点拜访\n王总"},
		{"note", "", ""},
	}
	for _, tt := range tests {
		if got := noteText(tt.raw, tt.ref); got != tt.want {
			t.Errorf("noteText(%q, %q) = %q, want %q", tt.raw, tt.ref, got, tt.want)
		}
	}
}

func FuzzNoteText(f *testing.F) {
	for _, s := range []string{"note D-1 she's the handler", `note "Acme ERP" met`, "备注 远航 今天", "note", " ", "note \xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		ref := ""
		if len(toks) > 1 {
			ref = toks[1].Value
		}
		out := noteText(s, ref)
		if len(out) > len(s) || (out != "" && !strings.Contains(s, strings.TrimSpace(out))) {
			t.Fatalf("noteText(%q, %q) = %q", s, ref, out)
		}
	})
}
