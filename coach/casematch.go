package coach

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Case matching compares whole words, not substrings: industry "IT" must
// not match "utilities", nor tag "erp" the word "interpret". Han text has
// no spaces between words, so a run of Han characters is compared by
// containment instead (制造 in 汽车制造业), for runs of two characters or
// more.

// caseWords splits s into lower-case words: runs of letters or digits, a run
// of Han characters being one word.
func caseWords(s string) []string {
	var out []string
	var b strings.Builder
	han := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		isHan := unicode.Is(unicode.Han, r)
		switch {
		case isHan:
			if !han {
				flush()
			}
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if han {
				flush()
			}
			b.WriteRune(r)
		default:
			flush()
		}
		han = isHan
	}
	flush()
	return out
}

func isHanWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.Is(unicode.Han, r)
}

// sameWord reports whether word w (of a tag or industry) matches word x
// of the text: equal, or for Han words of two or more characters one
// containing the other.
func sameWord(w, x string) bool {
	if w == x {
		return true
	}
	if !isHanWord(w) || !isHanWord(x) {
		return false
	}
	short, long := w, x
	if utf8.RuneCountInString(short) > utf8.RuneCountInString(long) {
		short, long = long, short
	}
	return utf8.RuneCountInString(short) >= 2 && strings.Contains(long, short)
}

// containsPhrase reports whether the words of phrase occur consecutively
// in text (both already split by words).
func containsPhrase(text, phrase []string) bool {
	if len(phrase) == 0 || len(phrase) > len(text) {
		return false
	}
	for i := 0; i+len(phrase) <= len(text); i++ {
		ok := true
		for j, w := range phrase {
			if !sameWord(w, text[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// sameIndustry reports whether two industries match: every word of the
// one with fewer words is a word of the other ("IT" and "IT services",
// "manufacturing" and "discrete manufacturing"; not "IT" and "utilities").
func sameIndustry(a, b string) bool {
	wa, wb := caseWords(a), caseWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	for _, w := range wa {
		found := false
		for _, x := range wb {
			if sameWord(w, x) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
