package bot

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
)

// MaxCommandLen bounds a command's text in bytes.
const MaxCommandLen = 8000

// Token is one word of a command: a plain word, or key=value.
type Token struct {
	Key    string // lower-case key of key=value, "" for a plain word
	Value  string // the word, or the value of key=value, quotes removed
	Quoted bool   // the word (or value) was quoted
}

// String renders the token back as typed (normalised).
func (t Token) String() string {
	if t.Key != "" {
		return t.Key + "=" + t.Value
	}
	return t.Value
}

var openQuotes = map[rune]rune{'"': '"', '\'': '\'', '“': '”', '‘': '’', '「': '」', '『': '』', '«': '»'}

// Tokenize splits a command into tokens. Words are separated by white space
// (including the ideographic space); "…", '…', “…”, ‘…’ and 「…」 quote
// words with spaces, anywhere in a word (customer="Acme Corp"); key=value
// (also key＝value and key：value) gives a keyed token when key is a plain
// identifier. An unterminated quote runs to the end. It never fails.
func Tokenize(s string) []Token {
	var toks []Token
	var cur strings.Builder
	inWord, quoted := false, false
	var closeQ rune
	flush := func() {
		if !inWord {
			return
		}
		toks = append(toks, makeToken(cur.String(), quoted))
		cur.Reset()
		inWord, quoted = false, false
	}
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		switch {
		case closeQ != 0:
			if r == closeQ {
				closeQ = 0
			} else {
				cur.WriteRune(r)
			}
		case unicode.IsSpace(r):
			flush()
		default:
			if c, ok := openQuotes[r]; ok {
				closeQ = c
				inWord, quoted = true, true
				continue
			}
			inWord = true
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

func makeToken(w string, quoted bool) Token {
	for i, r := range w {
		if r == '=' || r == '＝' || r == '：' {
			key := w[:i]
			if isIdent(key) {
				return Token{Key: strings.ToLower(key), Value: w[i+utf8.RuneLen(r):], Quoted: quoted}
			}
			break
		}
	}
	return Token{Value: w, Quoted: quoted}
}

func isIdent(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// Args is a parsed command's arguments.
type Args struct {
	Words []Token // plain words, in order
	KV    []Token // key=value tokens, in order
}

// Split separates plain words from key=value tokens.
func Split(toks []Token) Args {
	var a Args
	for _, t := range toks {
		if t.Key != "" {
			a.KV = append(a.KV, t)
		} else {
			a.Words = append(a.Words, t)
		}
	}
	return a
}

// Get returns the last value of key (case-insensitive) and whether present.
func (a Args) Get(key string) (string, bool) {
	v, ok := "", false
	for _, t := range a.KV {
		if t.Key == key {
			v, ok = t.Value, true
		}
	}
	return v, ok
}

// Word returns plain word i or "".
func (a Args) Word(i int) string {
	if i < len(a.Words) {
		return a.Words[i].Value
	}
	return ""
}

// Rest joins the plain words from i on with spaces.
func (a Args) Rest(i int) string {
	var parts []string
	for j := i; j < len(a.Words); j++ {
		parts = append(parts, a.Words[j].Value)
	}
	return strings.Join(parts, " ")
}

// ParseMoney parses an amount such as 500000, 1,200,000, 500k, 1.2m, 3w,
// 50万, 1.5亿, ¥500k, $1.2m or 300000USD (see coach.ParseMoney: one
// parser for deal values and number fields of forms alike).
func ParseMoney(s string) (int64, string, error) { return coach.ParseMoney(s) }

// ParseMeetingTime parses "YYYY-MM-DD HH:MM" (given as one or two words,
// also with a T) in loc.
func ParseMeetingTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(strings.Replace(s, "T", " ", 1))
	// Lark's date-time picker sends "2026-12-01 09:30 +0800".
	for _, layout := range []string{"2006-01-02 15:04 -0700", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-1-2 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

// ParseDuration parses a snooze length: 30m, 2h, 1d, 3d, 1w (also 天, 周).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	unit := time.Duration(0)
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"min", time.Minute}, {"m", time.Minute}, {"h", time.Hour}, {"小时", time.Hour}, {"d", 24 * time.Hour}, {"天", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"周", 7 * 24 * time.Hour}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSuffix(s, u.suffix), u.d
			break
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || unit == 0 || n <= 0 || n > 366*24*60 {
		return 0, errors.New("bad duration")
	}
	d := time.Duration(n) * unit
	if d > 366*24*time.Hour {
		return 0, errors.New("bad duration")
	}
	return d, nil
}

// ParseLevel parses a relationship level: L1, l2, 3.
func ParseLevel(s string) (int, bool) {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "l")
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 3 {
		return 0, false
	}
	return n, true
}

// SplitItems splits item arguments that may be comma-separated.
func SplitItems(words []Token) []string {
	var out []string
	for _, w := range words {
		for _, p := range strings.FieldsFunc(w.Value, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, strings.ToLower(p))
			}
		}
	}
	return out
}
