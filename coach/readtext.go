package coach

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNoteRead bounds how much of a note the reader looks at (bytes), so
// reading time stays bounded whatever is pasted.
const MaxNoteRead = 8000

// clause is one clause of a note: the unit in which phrases are matched
// and in which negation, modality and tense are judged.
type clause struct {
	orig  string // as written (full-width ASCII folded, contractions expanded)
	low   string // orig, ASCII lower-cased (same byte offsets)
	sent  int    // index of its sentence
	cjk   bool
	whens []when
	mk    *markIdx // found on first use
	words []word   // found on first use
}

// sentence is a run of clauses ending in 。.!?; or a line break.
type sentence struct {
	orig    string
	clauses []int // indexes into the note's clauses
	hypo    bool  // conditional: "if", 如果 … — nothing is proposed from it
}

// fold maps full-width ASCII to ASCII, curly quotes to straight ones and
// white space runs to one space; invalid UTF-8 is dropped.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case r >= 0xFF01 && r <= 0xFF5E && r != '，' && r != '；' && r != '：' && r != '（' && r != '）':
			r -= 0xFEE0
		case r == '’' || r == '‘' || r == '`':
			r = '\''
		case r == '“' || r == '”':
			r = '"'
		case r == '\u3000':
			r = ' '
		case r == '\n' || r == '\r':
			b.WriteByte('\n')
			space = false
			continue
		}
		if r != '\n' && unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

var contractions = []struct{ from, to string }{
	{"won't", "will not"}, {"can't", "can not"}, {"cannot", "can not"}, {"n't", " not"}, {"'ll", " will"}, {"'re", " are"}, {"'ve", " have"}, {"'m ", " am "},
	{"he's", "he is"}, {"she's", "she is"}, {"it's", "it is"}, {"that's", "that is"}, {"who's", "who is"}, {"there's", "there is"}, {"what's", "what is"},
}

// expand expands English contractions, keeping the case of the rest.
func expand(s string) string {
	if !strings.ContainsRune(s, '\'') && !strings.Contains(s, "annot") {
		return s
	}
	low := lowerASCII(s)
	for _, c := range contractions {
		for off := 0; ; {
			k := strings.Index(low[off:], c.from)
			if k < 0 {
				break
			}
			i := off + k
			off = i + 1
			// whole words for the pronoun forms
			if c.from[0] != '\'' && c.from[0] != 'n' && i > 0 && isASCIILetter(low[i-1]) {
				continue
			}
			s = s[:i] + c.to + s[i+len(c.from):]
			low = low[:i] + c.to + low[i+len(c.from):]
			off = i + len(c.to)
		}
	}
	return s
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

var (
	hypoZH       = []string{"如果", "假如", "要是", "万一", "除非", "假设", "是否", "倘若", "如若", "若是", "一旦", "如能", "只要"}
	hypoZHExcept = []string{"主要是", "只要是", "需要是", "重要是", "不要是", "只要求"}
	// clause boundaries inside a sentence
	reClauseEN = regexp.MustCompile(`\s(?:but|though|although|however|whereas|yet)\s|\sand\s(?:then\s)?(?:we|they|he|she|it|i|the customer|the client|our|their|agreed|asked|said|promised|invited|wants|will|seems|seemed|is|was|says|told|tells|mentioned|explained)\s`)
	clauseZH   = []string{"但是", "不过", "可是", "然而", "而且", "并且", "同时"}
)

// segment splits a note into sentences and clauses.
func segment(text string) ([]sentence, []clause) {
	if len(text) > MaxNoteRead {
		cut := MaxNoteRead
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	text = expand(fold(text))
	var sents []sentence
	var cls []clause
	start := 0
	flush := func(end int) {
		s := strings.TrimSpace(text[start:end])
		start = end
		if s == "" {
			return
		}
		sent := sentence{orig: s}
		low := lowerASCII(s)
		if enMarkers(low, &markIdx{}) {
			sent.hypo = true
		}
		if zhMarker(s, hypoZH, hypoZHExcept, 0, 0) {
			sent.hypo = true
		}
		si := len(sents)
		for _, c := range splitClauses(s) {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			sent.clauses = append(sent.clauses, len(cls))
			cl := clause{orig: c, low: lowerASCII(c), sent: si}
			for _, r := range c {
				if isCJK(r) {
					cl.cjk = true
					break
				}
			}
			cls = append(cls, cl)
		}
		sents = append(sents, sent)
	}
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '。', '!', '?', ';', '；', '\n', '！', '？':
			flush(i + w)
		case '.':
			if endsSentence(text, i) {
				flush(i + w)
			}
		}
		i += w
	}
	flush(len(text))
	return sents, cls
}

// endsSentence reports whether the '.' at i ends a sentence: followed by
// space or the end, not a decimal point, not after Mr/Ms/Dr or an initial.
func endsSentence(t string, i int) bool {
	if i+1 < len(t) && t[i+1] != ' ' && t[i+1] != '\n' {
		return false
	}
	j := i
	for j > 0 && isASCIILetter(t[j-1]) {
		j--
	}
	w := strings.ToLower(t[j:i])
	switch w {
	case "mr", "ms", "mrs", "dr", "vs", "st", "e.g", "i.e", "etc", "approx", "no", "inc", "co", "ltd", "jr":
		return false
	}
	if len(w) == 1 && t[j] >= 'A' && t[j] <= 'Z' {
		return false // an initial: "J. Smith"
	}
	return true
}

func splitClauses(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		cut := false
		switch r {
		case ',', '，', ':', '：':
			// not inside a number "1,200,000" or a time "9:30"
			if !(i > 0 && i+1 < len(s) && s[i-1] >= '0' && s[i-1] <= '9' && s[i+1] >= '0' && s[i+1] <= '9') {
				cut = true
			}
		}
		if cut {
			out = append(out, s[start:i])
			start = i + w
		}
		i += w
	}
	out = append(out, s[start:])
	// conjunctions
	var res []string
	for _, c := range out {
		res = append(res, splitConj(c)...)
	}
	return res
}

// conjWords: the words reClauseEN needs (a cheap check before it runs)
var conjWords = []string{" but ", " though ", " although ", " however ", " whereas ", " yet ", " and "}

func splitConj(c string) []string {
	low := lowerASCII(c)
	// (a conjunction opening the clause, after its comma, is no cut: the
	// next one is)
	if !containsAny(low, conjWords) {
		goto zh
	}
	for _, m := range reClauseEN.FindAllStringIndex(low, 4) {
		if strings.TrimSpace(c[:m[0]]) != "" {
			return append([]string{c[:m[0]]}, splitConj(c[m[0]+1:])...)
		}
	}
zh:
	for _, z := range clauseZH {
		if i := strings.Index(c, z); i > 0 {
			return append([]string{c[:i]}, splitConj(c[i:])...)
		}
	}
	return []string{c}
}
