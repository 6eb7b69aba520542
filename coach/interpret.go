package coach

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"
)

// NoteMeaning is what a plain chat message (no command) means: a note on
// Deal (Text is the note), or a note whose deal is unclear (Ask lists the
// candidates), or neither (both empty: not a note).
type NoteMeaning struct {
	Deal *Deal
	Text string
	Ask  []*Deal
}

// MaxAsk is how many deals a "which deal?" question offers.
const MaxAsk = 5

// NoteTarget decides whether a plain message is a note, and on which of
// the actor's open deals: the one whose name or customer it names
// ("Acme: met Li…", "远航物流 今天…"); when none or several are named but
// the message reads like a note (it states something the reader can
// propose, or is long prose), the deals to ask about.
func (s *Service) NoteTarget(ctx context.Context, a Actor, team *Team, text string) (NoteMeaning, error) {
	return s.noteTarget(ctx, a, team, text, false, inThread{})
}

// ProseNote decides whether a message that starts with a command word is
// prose rather than the command ("new system needed at Acme, demo went
// well"): it is a note when it is a sentence of five words or more (or a
// dozen Chinese characters) naming exactly one of the actor's deals after
// its first two words, where a command would take its deal argument.
func (s *Service) ProseNote(ctx context.Context, a Actor, team *Team, text string) (NoteMeaning, error) {
	return s.ProseNoteIn(ctx, a, team, text, ChatThread{})
}

// ProseNoteIn is ProseNote for a message written in the chat thread th
// (thread.go): prose naming no deal in the thread of one of the bot's deal
// cards is a note on that deal. The thread is read only for prose.
func (s *Service) ProseNoteIn(ctx context.Context, a Actor, team *Team, text string, th ChatThread) (NoteMeaning, error) {
	text = strings.TrimSpace(text)
	words := strings.Fields(text)
	cjk := strings.ContainsFunc(text, isCJK)
	if len(words) < 5 && !(cjk && utf8.RuneCountInString(text) >= 12) {
		return NoteMeaning{}, nil
	}
	// a deal id as the argument is a command; prose has sentence
	// punctuation or runs on (checked before any deal is read)
	if len(words) > 1 {
		if _, ok := NormalizeDealID(words[1]); ok {
			return NoteMeaning{}, nil
		}
	}
	if !strings.ContainsAny(text, ",;!?，。；！？") && !strings.Contains(text+" ", ". ") && len(words) < 8 {
		return NoteMeaning{}, nil
	}
	deal, err := s.threadDeal(ctx, a.Team, th)
	if err != nil {
		return NoteMeaning{}, err
	}
	return s.noteTarget(ctx, a, team, text, true, inThread{deal: deal})
}

func (s *Service) noteTarget(ctx context.Context, a Actor, team *Team, text string, prose bool, in inThread) (NoteMeaning, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxTextLen {
		return NoteMeaning{}, nil
	}
	deals, err := s.Visible(ctx, a, team)
	if err != nil {
		return NoteMeaning{}, err
	}
	var open, mine []*Deal
	for _, d := range deals {
		if d.Open() {
			open = append(open, d)
			if d.Owner == a.User {
				mine = append(mine, d)
			}
		}
	}
	low := strings.ToLower(fold(text))
	var hits []dealHit
	for _, d := range open {
		best := dealHit{d: d, at: -1}
		for _, name := range []string{d.Name, d.Customer} {
			n := strings.ToLower(strings.TrimSpace(fold(name)))
			if utf8.RuneCountInString(n) < 2 {
				continue
			}
			if i := strings.Index(low, n); i >= 0 && wordEdge(low, i) && wordEdge(low, i+len(n)) && len(n) > best.len {
				best = dealHit{d, i, len(n)}
			}
		}
		if best.at >= 0 {
			hits = append(hits, best)
		}
	}
	// a name inside a longer named one ("Acme" in "Acme Logistics") is the longer one
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].len > hits[j].len })
	var named []dealHit
	for _, h := range hits {
		inside := false
		for _, k := range named {
			if h.at >= k.at && h.at+h.len <= k.at+k.len {
				inside = true
			}
		}
		if !inside {
			named = append(named, h)
		}
	}
	note := stripDealPrefix(fold(text), named)
	td := threadDealOf(open, in) // thread.go
	if prose {
		// the deal must come after where a command takes its argument
		f := strings.Fields(low)
		head := 0
		if len(f) >= 2 {
			head = strings.Index(low, f[1]) + len(f[1])
		}
		if len(named) == 1 && named[0].at >= head {
			return NoteMeaning{Deal: named[0].d, Text: fold(text)}, nil
		}
		if len(named) == 0 && td != nil {
			return NoteMeaning{Deal: td, Text: fold(text)}, nil
		}
		return NoteMeaning{}, nil
	}
	if in.overheard && !s.readsLikeNote(team, text) {
		return NoteMeaning{}, nil
	}
	if len(named) == 1 {
		return NoteMeaning{Deal: named[0].d, Text: note}, nil
	}
	if len(named) == 0 && td != nil && s.worthNoting(team, text, in) {
		return NoteMeaning{Deal: td, Text: note}, nil
	}
	if in.overheard || !s.readsLikeNote(team, text) { // an overheard message never asks
		return NoteMeaning{}, nil
	}
	var ask []*Deal
	if len(named) > 1 {
		for _, h := range named {
			ask = append(ask, h.d)
		}
	} else {
		ask = mine
		if len(ask) == 0 {
			ask = open
		}
	}
	if len(ask) > MaxAsk {
		ask = ask[:MaxAsk]
	}
	if len(ask) == 0 {
		return NoteMeaning{}, nil
	}
	return NoteMeaning{Text: note, Ask: ask}, nil
}

// dealHit is a deal named in a message, at byte offset at (folded,
// lower-cased text), len bytes long.
type dealHit struct {
	d   *Deal
	at  int
	len int
}

// stripDealPrefix drops a leading "Acme:" or "远航物流：" naming the deal;
// text is folded (same offsets as the hits).
func stripDealPrefix(text string, named []dealHit) string {
	if len(named) != 1 || named[0].at != 0 {
		return text
	}
	rest := text[named[0].len:]
	for _, sep := range []string{":", "：", ",", "，", "-", " "} {
		if r, ok := strings.CutPrefix(rest, sep); ok {
			if r = strings.TrimSpace(r); r != "" {
				return r
			}
		}
	}
	return text
}

// readsLikeNote reports whether a message without a deal name is worth
// asking about: the rules reader finds something in it, or it is prose of
// several sentences or words.
func (s *Service) readsLikeNote(team *Team, text string) bool {
	rd, err := s.noteReader().Read(context.Background(), ReadInput{Text: text, Deal: &Deal{}, Loc: TeamLocation(team), Now: s.Now()})
	if err == nil && len(rd.Proposals) > 0 {
		return true
	}
	return len(strings.Fields(text)) >= 8 || utf8.RuneCountInString(text) >= 24 && strings.ContainsFunc(text, isCJK)
}
