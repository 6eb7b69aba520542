package bot

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []Token
	}{
		{"", nil},
		{"show D-1", []Token{{Value: "show"}, {Value: "D-1"}}},
		{`new "Acme ERP" customer=Acme`, []Token{{Value: "new"}, {Value: "Acme ERP", Quoted: true}, {Key: "customer", Value: "Acme"}}},
		{`new x customer="Acme Corp" value=1.2m`, []Token{{Value: "new"}, {Value: "x"}, {Key: "customer", Value: "Acme Corp", Quoted: true}, {Key: "value", Value: "1.2m"}}},
		{"新建 “华东 ERP” 客户＝华东", []Token{{Value: "新建"}, {Value: "华东 ERP", Quoted: true}, {Key: "客户", Value: "华东"}}},
		{"note D-1 a=b=c", []Token{{Value: "note"}, {Value: "D-1"}, {Key: "a", Value: "b=c"}}},
		{"note D-1 https://x.y/?a=1", []Token{{Value: "note"}, {Value: "D-1"}, {Value: "https://x.y/?a=1"}}},
		{`show "unterminated name`, []Token{{Value: "show"}, {Value: "unterminated name", Quoted: true}}},
		{"check\u3000D-1\ts1.m1", []Token{{Value: "check"}, {Value: "D-1"}, {Value: "s1.m1"}}},
		{`info D-1 size=""`, []Token{{Value: "info"}, {Value: "D-1"}, {Key: "size", Value: "", Quoted: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Tokenize(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		v    int64
		cur  string
		fail bool
	}{
		{"500000", 500000, "", false},
		{"1,200,000", 1200000, "", false},
		{"500k", 500000, "", false},
		{"1.2m", 1200000, "", false},
		{"120万", 1200000, "", false},
		{"1.5亿", 150000000, "", false},
		{"3w", 30000, "", false},
		{"¥500k", 500000, "CNY", false},
		{"$1.2M", 1200000, "USD", false},
		{"300000USD", 300000, "USD", false},
		{"abc", 0, "", true},
		{"-5", 0, "", true},
		{"", 0, "", true},
		{"1e30", 0, "", true},
		{"NaN", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, cur, err := ParseMoney(tt.in)
			if (err != nil) != tt.fail {
				t.Fatalf("err = %v, want fail=%v", err, tt.fail)
			}
			if !tt.fail && (v != tt.v || cur != tt.cur) {
				t.Fatalf("ParseMoney(%q) = %d %q, want %d %q", tt.in, v, cur, tt.v, tt.cur)
			}
		})
	}
}

func TestParseMeetingTimeAndDuration(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	at, err := ParseMeetingTime("2026-12-03 14:30", loc)
	if err != nil || at.UTC().Format(time.RFC3339) != "2026-12-03T06:30:00Z" {
		t.Fatalf("got %v %v", at, err)
	}
	if at, err := ParseMeetingTime("2026-12-01 09:30 +0800", loc); err != nil || at.UTC().Format(time.RFC3339) != "2026-12-01T01:30:00Z" {
		t.Fatalf("lark form time: %v %v", at, err)
	}
	if _, err := ParseMeetingTime("2026-13-03 14:30", loc); err == nil {
		t.Fatal("month 13 accepted")
	}
	for in, want := range map[string]time.Duration{"1d": 24 * time.Hour, "3天": 72 * time.Hour, "1w": 168 * time.Hour, "2h": 2 * time.Hour} {
		if d, err := ParseDuration(in); err != nil || d != want {
			t.Errorf("ParseDuration(%q) = %v %v, want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"", "0d", "-1d", "5", "d", "999w"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

// FuzzTokenize: the tokenizer never panics, never invents text, and keys
// are plain identifiers.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{`new "Acme ERP" customer=Acme value=1.2m`, "check D-1 s1.m1,s1.m2", "新建 “华东” 客户＝华东", `"`, "a=\"b", "\u3000", "k：v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		for _, tok := range toks {
			if tok.Key != "" && !isIdent(tok.Key) {
				t.Fatalf("key %q is not an identifier", tok.Key)
			}
			if !utf8.ValidString(tok.Value) {
				t.Fatalf("invalid UTF-8 value %q", tok.Value)
			}
			if !tok.Quoted && strings.ContainsFunc(tok.Value, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) {
				t.Fatalf("unquoted token with space: %q", tok.Value)
			}
		}
	})
}

// FuzzParseMoney: never panics; accepted amounts are non-negative and bounded.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1.2m", "120万", "¥500k", "$1", "1e308", "-0", "300000USD"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, _, err := ParseMoney(s)
		if err == nil && (v < 0 || v > 1e15) {
			t.Fatalf("ParseMoney(%q) = %d", s, v)
		}
	})
}
