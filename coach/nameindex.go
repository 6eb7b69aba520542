package coach

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameIndexStore finds deals by the start of their name or customer
// without reading the team's other deals: stores keep an index of the
// normalised names and customers (NormalizeName) in step with every
// CreateDeal and UpdateDeal, inside the same atomic write.
type NameIndexStore interface {
	// PrefixDeals returns the team's deals, open and closed, whose
	// normalised name or customer starts with the normalised prefix. An
	// empty normalised prefix matches nothing (never the whole team).
	// When more than limit deals match (limit <= 0: no limit), the deals
	// whose matching key sorts first are kept, so an exact match is never
	// dropped for a longer one. The result is ordered by deal number. Its
	// cost grows with the deals that match, not with the team's deals.
	PrefixDeals(ctx context.Context, team, prefix string, limit int) ([]*Deal, error)
}

// NormalizeName is the form deal names and customers are indexed and
// looked up in: full-width ASCII (ＡＣＭＥ，１２３) as half-width, letters
// case-folded, every run of white space (including the ideographic space)
// as one ASCII space, no leading or trailing space. Chinese and other
// scripts are kept as they are. The result holds no NUL, newline or 0xFF
// byte, so stores may use those as separators and range ends.
func NormalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case r == 0x3000 || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - 0x21
		case unicode.IsControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune maps every rune of a case-folding orbit (K, k and the Kelvin
// sign; S, s and ſ; Σ, σ and ς) to one: the lower case of its smallest
// member.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}

// NameKeys returns the normalised keys a deal is indexed under: its name
// and its customer, without empty or repeated ones.
func NameKeys(d *Deal) []string {
	var out []string
	for _, s := range []string{d.Name, d.Customer} {
		if k := NormalizeName(s); k != "" && (len(out) == 0 || out[0] != k) {
			out = append(out, k)
		}
	}
	return out
}
