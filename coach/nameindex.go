package coach

import (
	"context"
	"fmt"
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

// resolveLimit bounds the deals a name lookup reads at first; only when
// more deals than that start with the name, and the first of them do not
// settle it, are all the matching deals read.
const resolveLimit = 50

// resolveByName is Resolve for a name or customer: it reads only the deals
// whose normalised name or customer starts with ref (NameIndexStore),
// never the team's other deals.
func (s *Service) resolveByName(ctx context.Context, a Actor, team *Team, ref string) (*Deal, error) {
	nref := NormalizeName(ref)
	if nref == "" {
		return nil, Errf(CodeMissingArg, "arg", "deal")
	}
	all, err := s.store.PrefixDeals(ctx, a.Team, nref, resolveLimit)
	if err != nil {
		return nil, fmt.Errorf("deals named %q: %w", ref, err)
	}
	d, tier, ambiguous, found := pickByName(visibleOnly(all, a, team), nref)
	// The index returns exact keys first, so a cut-short batch settles an
	// exact match and an ambiguous name prefix; anything else (nothing
	// visible, one visible prefix match, customers only) is decided on
	// every deal that matches.
	if len(all) >= resolveLimit && !(found && (tier == 0 || (tier == 1 && ambiguous))) {
		if all, err = s.store.PrefixDeals(ctx, a.Team, nref, 0); err != nil {
			return nil, fmt.Errorf("deals named %q: %w", ref, err)
		}
		d, _, ambiguous, found = pickByName(visibleOnly(all, a, team), nref)
	}
	switch {
	case found && !ambiguous:
		return d, nil
	case found:
		return nil, Errf(CodeAmbiguousDeal, "deal", ref).WithSuggestions(labels(ambiguousSet(visibleOnly(all, a, team), nref), 8)...)
	}
	// Nothing starts with ref: suggest deals that start like it (a typo
	// after the first characters), still without a scan.
	var sugg []string
	if r := []rune(nref); len(r) > 1 {
		near, err := s.store.PrefixDeals(ctx, a.Team, string(r[:min(2, len(r)-1)]), resolveLimit)
		if err != nil {
			return nil, fmt.Errorf("deals named %q: %w", ref, err)
		}
		sugg = closestDeals(visibleOnly(near, a, team), nref, 3)
	}
	return nil, Errf(CodeUnknownDeal, "deal", ref).WithSuggestions(sugg...)
}

func visibleOnly(ds []*Deal, a Actor, team *Team) []*Deal {
	out := make([]*Deal, 0, len(ds))
	for _, d := range ds {
		if team.CanSee(a.User, d.Owner) {
			out = append(out, d)
		}
	}
	return out
}

// nameTiers sorts the deals that match nref, best first: exact name, name
// prefix, exact customer, customer prefix.
func nameTiers(ds []*Deal, nref string) [4][]*Deal {
	var t [4][]*Deal
	for _, d := range ds {
		n, c := NormalizeName(d.Name), NormalizeName(d.Customer)
		switch {
		case n == nref:
			t[0] = append(t[0], d)
		case strings.HasPrefix(n, nref):
			t[1] = append(t[1], d)
		case c == nref:
			t[2] = append(t[2], d)
		case c != "" && strings.HasPrefix(c, nref):
			t[3] = append(t[3], d)
		}
	}
	return t
}

// pickByName applies Resolve's rule to the candidates: the best tier with
// any deal decides; within it one deal, or one open deal, wins.
func pickByName(ds []*Deal, nref string) (d *Deal, tier int, ambiguous, found bool) {
	for i, set := range nameTiers(ds, nref) {
		switch {
		case len(set) == 1:
			return set[0], i, false, true
		case len(set) > 1:
			if open := openOnly(set); len(open) == 1 {
				return open[0], i, false, true
			}
			return nil, i, true, true
		}
	}
	return nil, 0, false, false
}

// ambiguousSet is the tier that made the name ambiguous.
func ambiguousSet(ds []*Deal, nref string) []*Deal {
	for _, set := range nameTiers(ds, nref) {
		if len(set) > 0 {
			return set
		}
	}
	return nil
}
