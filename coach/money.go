package coach

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var errBadMoney = errors.New("bad amount")

var currencySymbols = []struct{ sym, code string }{{"HK$", "HKD"}, {"US$", "USD"}, {"$", "USD"}, {"¥", "CNY"}, {"￥", "CNY"}, {"€", "EUR"}, {"£", "GBP"}}

// lowSymbols are the currency symbols lower-cased, for running text.
var lowSymbols = func() []struct{ sym, code string } {
	out := make([]struct{ sym, code string }, len(currencySymbols))
	for i, c := range currencySymbols {
		out[i].sym, out[i].code = strings.ToLower(c.sym), c.code
	}
	return out
}()

// ParseMoney parses an amount such as 500000, 1,200,000, 500k, 1.2m, 3w,
// 50万, 1.5亿, ¥500k, $1.2m, 300000USD, "1.35 million" or "1.2 mn". It
// returns whole units and the currency code if one was given.
func ParseMoney(s string) (int64, string, error) {
	s = strings.TrimSpace(s)
	cur := ""
	for _, c := range currencySymbols {
		if strings.HasPrefix(s, c.sym) {
			s, cur = strings.TrimSpace(s[len(c.sym):]), c.code
			break
		}
	}
	if n := len(s); n > 3 {
		tail := s[n-3:]
		if isUpperAlpha(tail) {
			s, cur = strings.TrimSpace(s[:n-3]), tail
		}
	}
	for _, name := range []string{"元", "块", "人民币"} {
		s = strings.TrimSuffix(s, name)
	}
	if strings.HasSuffix(s, "rmb") || strings.HasSuffix(s, "RMB") {
		s, cur = strings.TrimSpace(s[:len(s)-3]), "CNY"
	}
	mult := 1.0
	low := strings.ToLower(s)
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"亿", 1e8}, {"万", 1e4}, {"千", 1e3}, {" million", 1e6}, {" billion", 1e9}, {" thousand", 1e3}, {"million", 1e6}, {"billion", 1e9}, {"mn", 1e6}, {"k", 1e3}, {"m", 1e6}, {"w", 1e4}, {"b", 1e9}} {
		if strings.HasSuffix(low, u.suffix) {
			mult, s = u.m, strings.TrimSpace(s[:len(s)-len(u.suffix)])
			break
		}
	}
	s = strings.ReplaceAll(s, ",", "")
	s = strings.ReplaceAll(s, "_", "")
	if s == "" || len(s) > 24 {
		return 0, "", errBadMoney
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(s, "eExXpP") {
		return 0, "", errBadMoney
	}
	v := f * mult
	if v > 1e15 {
		return 0, "", errBadMoney
	}
	return int64(math.Round(v)), cur, nil
}

func isUpperAlpha(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

// moneySpan is an amount found in running text.
type moneySpan struct {
	start, end int // byte offsets in the text
	value      int64
	currency   string
	rangeEnd   int64 // > 0: the text states a range value..rangeEnd
	text       string
	hasUnit    bool // written with a unit or a currency (万, k, m, $, 元, CNY)
}

// findMoney finds amounts in lower-cased normalised text: "120万",
// "1.2m", "1.35 million", "$900k", "900,000 元", ranges "900k to 1.1m",
// "100-120万", "100万到120万". Bare numbers without unit or currency are
// only taken when large (≥ 10,000), so dates, counts and times are not.
func findMoney(t string) []moneySpan {
	var out []moneySpan
	i := 0
	for i < len(t) {
		r, w := utf8.DecodeRuneInString(t[i:])
		start := i
		cur := ""
		// currency prefix
		for _, c := range lowSymbols {
			if t[i] == c.sym[0] && strings.HasPrefix(t[i:], c.sym) {
				cur = c.code
				i += len(c.sym)
				for i < len(t) && t[i] == ' ' {
					i++
				}
				break
			}
		}
		if cur == "" && strings.HasPrefix(t[i:], "rmb") {
			j := i + 3
			for j < len(t) && t[j] == ' ' {
				j++
			}
			if j < len(t) && t[j] >= '0' && t[j] <= '9' {
				cur, i = "CNY", j
			}
		}
		if i >= len(t) || t[i] < '0' || t[i] > '9' || (cur == "" && start > 0 && isWordByte(t[start-1])) {
			if cur == "" {
				i = start + w
				_ = r
			}
			continue
		}
		sp, ok := moneyAt(t, start, i, cur)
		if !ok {
			i = skipNumber(t, i)
			continue
		}
		// a range: "900k to 1.1m", "900k-1.1m", "100到120万", "100～120万"
		j := sp.end
		for _, sep := range []string{" to ", "-", "–", "~", "～", "到", "至", " - ", "—"} {
			if strings.HasPrefix(t[j:], sep) {
				k := j + len(sep)
				for k < len(t) && t[k] == ' ' {
					k++
				}
				if k < len(t) && (t[k] >= '0' && t[k] <= '9' || t[k] == '$' || strings.HasPrefix(t[k:], "¥")) {
					if sp2, ok := moneyAt(t, k, skipCurrency(t, k), sp.currency); ok && (sp2.hasUnit || sp.hasUnit) {
						lo := sp
						if !sp.hasUnit && sp2.hasUnit {
							// "100到120万": the unit of the second applies to the first
							if v, _, err := ParseMoney(strings.TrimSpace(t[sp.start:sp.end]) + unitOf(sp2.text)); err == nil {
								lo.value = v
							}
						}
						lo.rangeEnd = sp2.value
						lo.end = sp2.end
						lo.text = t[lo.start:lo.end]
						lo.hasUnit = true
						sp = lo
					}
				}
				break
			}
		}
		if sp.hasUnit || sp.value >= 10000 || sp.rangeEnd > 0 {
			out = append(out, sp)
		}
		i = sp.end
	}
	return out
}

func skipCurrency(t string, i int) int {
	for _, c := range lowSymbols {
		if strings.HasPrefix(t[i:], c.sym) {
			return i + len(c.sym)
		}
	}
	return i
}

func skipNumber(t string, i int) int {
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == ',') {
		i++
	}
	return i
}

func unitOf(s string) string {
	for _, u := range []string{"亿", "万", "k", "m"} {
		if strings.Contains(s, u) {
			return u
		}
	}
	return ""
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '/' || b == ':' || b == '-'
}

// moneyAt reads one amount whose digits start at i (start includes any
// currency symbol).
func moneyAt(t string, start, i int, cur string) (moneySpan, bool) {
	j := i
	digits := 0
	for j < len(t) {
		c := t[j]
		switch {
		case c >= '0' && c <= '9':
			digits++
			j++
		case (c == ',' || c == '.') && j+1 < len(t) && t[j+1] >= '0' && t[j+1] <= '9':
			j++
		default:
			goto done
		}
	}
done:
	if digits > 16 {
		return moneySpan{}, false
	}
	num := t[i:j]
	// a time (9:30, 14:00) or a date (12/8, 2026-12-08) is not money
	if j < len(t) && (t[j] == ':' || t[j] == '/') || j < len(t) && t[j] == '-' && j+1 < len(t) && t[j+1] >= '0' && t[j+1] <= '9' && strings.Count(num, ",") == 0 && len(num) == 4 {
		return moneySpan{}, false
	}
	unit := ""
	k := j
	for k < len(t) && t[k] == ' ' {
		k++
	}
	rest := t[k:]
	for _, u := range []struct{ s, canon string }{{"million", " million"}, {"billion", " billion"}, {"thousand", " thousand"}, {"mn", "mn"}, {"亿", "亿"}, {"万", "万"}, {"k", "k"}, {"m", "m"}, {"w", "w"}, {"b", "b"}} {
		if strings.HasPrefix(rest, u.s) {
			end := k + len(u.s)
			// the unit must end the word: "10 months", "5 km", "3 weeks" are not money
			if end < len(t) && (t[end] >= 'a' && t[end] <= 'z') {
				continue
			}
			if (u.s == "m" || u.s == "b" || u.s == "w" || u.s == "k") && k != j {
				continue // "3 m" is not 3 million; letters must follow the digits
			}
			unit, j = u.canon, end
			break
		}
	}
	// trailing currency: 元, 块, rmb, usd, cny
	k = j
	for k < len(t) && t[k] == ' ' {
		k++
	}
	for _, c := range []struct{ s, code string }{{"元", "CNY"}, {"块", "CNY"}, {"人民币", "CNY"}, {"rmb", "CNY"}, {"usd", "USD"}, {"cny", "CNY"}, {"eur", "EUR"}, {"dollars", "USD"}, {"美元", "USD"}, {"美金", "USD"}} {
		if strings.HasPrefix(t[k:], c.s) && (k+len(c.s) >= len(t) || !(t[k+len(c.s)] >= 'a' && t[k+len(c.s)] <= 'z')) {
			if cur == "" {
				cur = c.code
			}
			j = k + len(c.s)
			break
		}
	}
	v, _, err := ParseMoney(strings.ReplaceAll(num, ",", "") + strings.TrimSpace(unit))
	if err != nil {
		return moneySpan{}, false
	}
	if unit == " million" || unit == " billion" || unit == " thousand" {
		v, _, err = ParseMoney(strings.ReplaceAll(num, ",", "") + unit)
		if err != nil {
			return moneySpan{}, false
		}
	}
	return moneySpan{start: start, end: j, value: v, currency: cur, text: t[start:j], hasUnit: unit != "" || cur != ""}, true
}

// isCJK reports whether r is a Han character.
func isCJK(r rune) bool { return unicode.Is(unicode.Han, r) }
