package console

import (
	"strings"
	"unicode/utf8"
)

// wide lists the code points a terminal draws two columns wide: the East
// Asian Wide and Fullwidth ranges of Unicode's EastAsianWidth.txt that
// matter for chat text (CJK ideographs, kana, Hangul, full-width forms and
// punctuation, and the emoji our texts use). Ambiguous characters such as
// ■ □ → — count as one column, as in most non-CJK terminal setups.
var wide = [...][2]rune{
	{0x1100, 0x115F},   // Hangul Jamo initial consonants
	{0x231A, 0x231B},   // ⌚⌛
	{0x2329, 0x232A},   // 〈〉
	{0x23E9, 0x23EC},   // ⏩…⏬
	{0x23F0, 0x23F0},   // ⏰
	{0x23F3, 0x23F3},   // ⏳
	{0x25FD, 0x25FE},   // ◽◾
	{0x2614, 0x2615},   // ☔☕
	{0x2648, 0x2653},   // zodiac
	{0x267F, 0x267F},   // ♿
	{0x2693, 0x2693},   // ⚓
	{0x26A1, 0x26A1},   // ⚡
	{0x26AA, 0x26AB},   // ⚪⚫
	{0x26BD, 0x26BE},   // ⚽⚾
	{0x26C4, 0x26C5},   // ⛄⛅
	{0x26CE, 0x26CE},   // ⛎
	{0x26D4, 0x26D4},   // ⛔
	{0x26EA, 0x26EA},   // ⛪
	{0x26F2, 0x26F3},   // ⛲⛳
	{0x26F5, 0x26F5},   // ⛵
	{0x26FA, 0x26FA},   // ⛺
	{0x26FD, 0x26FD},   // ⛽
	{0x2705, 0x2705},   // ✅
	{0x270A, 0x270B},   // ✊✋
	{0x2728, 0x2728},   // ✨
	{0x274C, 0x274C},   // ❌
	{0x274E, 0x274E},   // ❎
	{0x2753, 0x2755},   // ❓❔❕
	{0x2757, 0x2757},   // ❗
	{0x2795, 0x2797},   // ➕➖➗
	{0x27B0, 0x27B0},   // ➰
	{0x27BF, 0x27BF},   // ➿
	{0x2B1B, 0x2B1C},   // ⬛⬜
	{0x2B50, 0x2B50},   // ⭐
	{0x2B55, 0x2B55},   // ⭕
	{0x2E80, 0x303E},   // CJK radicals, Kangxi, CJK symbols and punctuation (、。「」)
	{0x3041, 0x3247},   // Hiragana … enclosed CJK
	{0x3250, 0x33FF},   // … CJK compatibility
	{0x3400, 0x4DBF},   // CJK extension A
	{0x4E00, 0x9FFF},   // CJK unified ideographs
	{0xA000, 0xA4CF},   // Yi
	{0xA960, 0xA97F},   // Hangul Jamo extended A
	{0xAC00, 0xD7A3},   // Hangul syllables
	{0xF900, 0xFAFF},   // CJK compatibility ideographs
	{0xFE10, 0xFE19},   // vertical forms
	{0xFE30, 0xFE6F},   // CJK compatibility forms, small form variants
	{0xFF00, 0xFF60},   // full-width forms (，：（）？)
	{0xFFE0, 0xFFE6},   // full-width signs (￥)
	{0x16FE0, 0x16FF1}, // ideographic symbols
	{0x17000, 0x18D08}, // Tangut
	{0x1AFF0, 0x1AFFE}, // Kana extended B
	{0x1B000, 0x1B2FF}, // Kana supplement … Nushu
	{0x1F004, 0x1F004}, // 🀄
	{0x1F0CF, 0x1F0CF}, // 🃏
	{0x1F18E, 0x1F18E}, // 🆎
	{0x1F191, 0x1F19A}, // 🆑…🆚
	{0x1F200, 0x1F2FF}, // enclosed ideographic supplement
	{0x1F300, 0x1F320}, // 🌀…🌠
	{0x1F32D, 0x1F335}, // 🌭…🌵
	{0x1F337, 0x1F37C}, // 🌷…🍼
	{0x1F37E, 0x1F393}, // 🍾…🎓
	{0x1F3A0, 0x1F3CA}, // 🎠…🏊
	{0x1F3CF, 0x1F3D3}, // 🏏…🏓
	{0x1F3E0, 0x1F3F0}, // 🏠…🏰
	{0x1F3F4, 0x1F3F4}, // 🏴
	{0x1F3F8, 0x1F43E}, // 🏸…🐾
	{0x1F440, 0x1F440}, // 👀
	{0x1F442, 0x1F4FC}, // 👂…📼
	{0x1F4FF, 0x1F53D}, // 📿…🔽
	{0x1F54B, 0x1F54E}, // 🕋…🕎
	{0x1F550, 0x1F567}, // clock faces
	{0x1F57A, 0x1F57A}, // 🕺
	{0x1F595, 0x1F596}, // 🖕🖖
	{0x1F5A4, 0x1F5A4}, // 🖤
	{0x1F5FB, 0x1F64F}, // 🗻…🙏
	{0x1F680, 0x1F6C5}, // 🚀…🛅
	{0x1F6CC, 0x1F6CC}, // 🛌
	{0x1F6D0, 0x1F6D2}, // 🛐…🛒
	{0x1F6D5, 0x1F6D7}, // 🛕…🛗
	{0x1F6DD, 0x1F6DF}, // 🛝…🛟
	{0x1F6EB, 0x1F6EC}, // 🛫🛬
	{0x1F6F4, 0x1F6FC}, // 🛴…🛼
	{0x1F7E0, 0x1F7EB}, // coloured circles and squares
	{0x1F7F0, 0x1F7F0}, // 🟰
	{0x1F90C, 0x1F93A}, // 🤌…🤺
	{0x1F93C, 0x1F945}, // 🤼…🥅
	{0x1F947, 0x1F9FF}, // 🥇…🧿
	{0x1FA70, 0x1FAFF}, // symbols and pictographs extended A
	{0x20000, 0x2FFFD}, // CJK extensions B–F, compatibility supplement
	{0x30000, 0x3FFFD}, // CJK extension G and beyond
}

// zero lists combining marks and invisible format characters: they take
// no column of their own.
var zero = [...][2]rune{
	{0x0300, 0x036F}, // combining diacritical marks
	{0x1AB0, 0x1AFF},
	{0x1DC0, 0x1DFF},
	{0x200B, 0x200F}, // zero-width space, joiners, direction marks
	{0x2028, 0x202E},
	{0x2060, 0x2064},
	{0x20D0, 0x20FF}, // combining marks for symbols
	{0xFE00, 0xFE0F}, // variation selectors
	{0xFE20, 0xFE2F},
	{0xFEFF, 0xFEFF}, // byte-order mark
	{0xE0100, 0xE01EF},
}

func in(r rune, table [][2]rune) bool {
	// binary search: the tables are sorted and disjoint
	lo, hi := 0, len(table)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < table[m][0]:
			hi = m
		case r > table[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// RuneWidth is the number of terminal columns r takes: 0 for control
// characters and combining marks, 2 for East Asian wide and full-width
// characters, 1 otherwise.
func RuneWidth(r rune) int {
	switch {
	case r < 0x20 || (r >= 0x7F && r < 0xA0):
		return 0
	case r < 0x300:
		return 1
	case in(r, zero[:]):
		return 0
	case r >= 0x1100 && in(r, wide[:]):
		return 2
	}
	return 1
}

// StringWidth is the number of terminal columns s takes on one line.
func StringWidth(s string) int {
	n := 0
	for _, r := range s {
		n += RuneWidth(r)
	}
	return n
}

// noLineStart holds closing punctuation that must not begin a line: a break
// before it moves the previous character down with it.
const noLineStart = "，。、：；！？）」』》〉】〕,.;:!?)]}”’…"

// bullets start list items that Render and the catalog produce.
var bullets = [...]string{"•", "-", "*", "✓", "✗", "→", "○", "●"}

// noLineEnd holds opening punctuation that must not end a line: it moves
// down with the character after it.
const noLineEnd = "（「『《〈【〔([{“‘"

// Wrap breaks every line of s so that it fits in width terminal columns.
// Lines break at spaces; a word longer than the width, and text without
// spaces such as Chinese, break between two characters (never before
// closing punctuation). Continuation lines keep the line's indentation, and
// a list item's ("• …", "✓ …") continue under its text, so checklists stay
// aligned. width <= 0 returns s unchanged.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		wrapLine(&b, line, width)
	}
	return b.String()
}

func wrapLine(b *strings.Builder, line string, width int) {
	if StringWidth(line) <= width {
		b.WriteString(line)
		return
	}
	body := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(body)]
	if 2*len(indent) >= width {
		indent = "" // too deep to keep: the line starts at the margin
	}
	// A list item ("• …", "✗ …") hangs: its continuation lines start
	// under the text, not under the bullet.
	hang := indent
	for _, m := range bullets {
		if strings.HasPrefix(body, m+" ") {
			if h := indent + strings.Repeat(" ", StringWidth(m)+1); 2*len(h) < width {
				hang = h
			}
			break
		}
	}
	b.WriteString(indent)
	col := len(indent)
	lineStart := true // nothing but indentation on the current output line
	newline := func() {
		b.WriteByte('\n')
		b.WriteString(hang)
		col = len(hang)
		lineStart = true
	}
	space := ""
	for _, tok := range tokens(body) {
		if tok[0] == ' ' {
			space = tok
			continue
		}
		w := StringWidth(tok)
		switch {
		case col+len(space)+w <= width:
			if !lineStart {
				b.WriteString(space)
				col += len(space)
			}
		case !lineStart:
			newline()
		}
		space = ""
		if col+w <= width {
			b.WriteString(tok)
			col += w
			lineStart = false
			continue
		}
		// A token wider than a whole line: break it between characters.
		for len(tok) > 0 {
			r, n := utf8.DecodeRuneInString(tok)
			if rw := RuneWidth(r); col+rw > width && !lineStart {
				newline()
			}
			b.WriteString(tok[:n]) // the bytes as they were, even if not UTF-8
			col += RuneWidth(r)
			lineStart = false
			tok = tok[n:]
		}
	}
}

// tokens splits s into runs of spaces, words, and single wide characters
// (Chinese breaks between any two characters); closing punctuation sticks
// to the token before it, opening punctuation to the token after it.
func tokens(s string) []string {
	var out []string
	start := 0
	kind := 0 // 0 none, 1 space run, 2 word, 3 wide character
	flush := func(i int) {
		if i > start {
			out = append(out, s[start:i])
		}
		start = i
	}
	glue := false // the previous rune opens: the next one joins its token
	for i, r := range s {
		joined := glue && r != ' '
		glue = strings.ContainsRune(noLineEnd, r)
		switch {
		case joined:
			if kind != 3 && RuneWidth(r) != 2 {
				kind = 2
			}
		case r == ' ':
			if kind != 1 {
				flush(i)
				kind = 1
			}
		case i > 0 && kind != 1 && (RuneWidth(r) == 0 || strings.ContainsRune(noLineStart, r)):
			// closing punctuation and combining marks stay with the
			// character before them
		case RuneWidth(r) == 2:
			flush(i)
			kind = 3 // a wide character is a token of its own
		default:
			if kind != 2 {
				flush(i)
				kind = 2
			}
		}
	}
	flush(len(s))
	return out
}
