package coach

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

var errBadMoney = errors.New("bad amount")

var currencySymbols = map[string]string{"$": "USD", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP", "HK$": "HKD"}

// ParseMoney parses an amount such as 500000, 1,200,000, 500k, 1.2m, 3w,
// 50万, 1.5亿, ¥500k, $1.2m or 300000USD. It returns whole units and the
// currency code if one was given.
func ParseMoney(s string) (int64, string, error) {
	s = strings.TrimSpace(s)
	cur := ""
	for sym, code := range currencySymbols {
		if strings.HasPrefix(s, sym) {
			s, cur = strings.TrimSpace(s[len(sym):]), code
			break
		}
	}
	if n := len(s); n > 3 {
		tail := s[n-3:]
		if isUpperAlpha(tail) {
			s, cur = strings.TrimSpace(s[:n-3]), tail
		}
	}
	for _, name := range []string{"元", "块"} {
		s = strings.TrimSuffix(s, name)
	}
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "亿"):
		mult, s = 1e8, strings.TrimSuffix(s, "亿")
	case strings.HasSuffix(s, "万"):
		mult, s = 1e4, strings.TrimSuffix(s, "万")
	case strings.HasSuffix(strings.ToLower(s), "k"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(strings.ToLower(s), "m"):
		mult, s = 1e6, s[:len(s)-1]
	case strings.HasSuffix(strings.ToLower(s), "w"):
		mult, s = 1e4, s[:len(s)-1]
	case strings.HasSuffix(strings.ToLower(s), "b"):
		mult, s = 1e9, s[:len(s)-1]
	}
	s = strings.ReplaceAll(s, ",", "")
	s = strings.ReplaceAll(s, "_", "")
	if s == "" {
		return 0, "", errBadMoney
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
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
