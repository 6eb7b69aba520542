package coach

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/playbook"
)

// phrase is one compiled evidence phrase.
type phrase struct {
	segs      []string // lower-cased parts between gaps
	id        string
	stage     int
	value     string
	agreement bool
	customer  bool
}

// RulesReader is the deterministic, offline NoteReader: it finds the
// playbook's evidence phrases, dates, times, amounts and names in a note
// and proposes only what a sentence states as done or agreed; negated,
// conditional, uncertain and planned statements propose nothing (a
// planned meeting is still a meeting). It is safe for concurrent use.
type RulesReader struct {
	pb *playbook.Playbook
	// per kind, per language (0 zh, 1 en)
	items, roles, attitudes, buyers, info phraseSet
}

// phraseSet holds the phrases of one kind per language (0 zh, 1 en),
// indexed by their first word (en) or first character (zh), so a clause
// only tries the phrases that can start in it.
type phraseSet struct {
	list  [2][]phrase
	first [2]map[string][]int
}

func (ps *phraseSet) index() {
	for li := range ps.list {
		ps.first[li] = map[string][]int{}
		for i, p := range ps.list[li] {
			ps.first[li][firstKey(p.segs[0], li == 1)] = append(ps.first[li][firstKey(p.segs[0], li == 1)], i)
		}
	}
}

// firstKey is the index key of a text: its first ASCII word (en), or its
// first character (zh).
func firstKey(s string, en bool) string {
	if en {
		if ws := words(s); len(ws) > 0 && ws[0].s == 0 {
			return ws[0].w
		}
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

var rulesReaders sync.Map // *playbook.Playbook → *RulesReader

// NewRulesReader compiles the playbook's evidence phrases.
func NewRulesReader(pb *playbook.Playbook) *RulesReader {
	if r, ok := rulesReaders.Load(pb); ok {
		return r.(*RulesReader)
	}
	r := &RulesReader{pb: pb}
	compile := func(set *phraseSet, list []playbook.Phrases) {
		dst := &set.list
		defer set.index()
		seen := [2]map[string]bool{{}, {}}
		for _, ph := range list {
			for li, lang := range []playbook.Lang{playbook.ZH, playbook.EN} {
				for _, s0 := range ph.In(lang) {
					s0 = lowerASCII(expand(fold(s0)))
					vs := variants(s0)
					if li == 0 {
						vs = []string{s0}
					}
					for _, s := range vs {
						if seen[li][s] {
							continue
						}
						seen[li][s] = true
						p := phrase{id: ph.ID, stage: ph.Stage, value: ph.Value, agreement: ph.Agreement, customer: ph.Customer}
						for _, seg := range strings.Split(s, playbook.Gap) {
							if seg = strings.TrimSpace(seg); seg != "" {
								p.segs = append(p.segs, seg)
							}
						}
						if len(p.segs) > 0 {
							dst[li] = append(dst[li], p)
						}
					}
				}
			}
		}
	}
	compile(&r.items, pb.Evidence.Items)
	compile(&r.roles, pb.Evidence.Roles)
	compile(&r.attitudes, pb.Evidence.Attitudes)
	compile(&r.buyers, pb.Evidence.BuyerStages)
	compile(&r.info, pb.Evidence.Info)
	rulesReaders.Store(pb, r)
	return r
}

// hit is a phrase found in a clause.
type hit struct {
	p          *phrase
	start, end int
	segs       [][2]int // the spans of its parts, without the gaps
}

func wordEdge(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return true
	}
	a, b := s[i-1], s[i]
	isW := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	return !(isW(a) && isW(b))
}

// find returns the first occurrence of p in s and its parts' spans.
func (p *phrase) find(s string) (int, int, [][2]int, bool) {
	first := p.segs[0]
	lead := segLead(first)
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], lead)
		if i < 0 {
			return 0, 0, nil, false
		}
		i += off
		off = i + 1
		if !wordEdge(s, i) {
			continue
		}
		e, ok := matchSeg(s, i, first)
		if !ok {
			continue
		}
		end := e
		spans := [][2]int{{i, end}}
		for _, seg := range p.segs[1:] {
			j, je, ok := findSeg(s, end, seg)
			if !ok {
				break
			}
			spans = append(spans, [2]int{j, je})
			end = je
		}
		if len(spans) == len(p.segs) {
			return i, end, spans, true
		}
	}
	return 0, 0, nil, false
}

// findSeg finds seg in s after from, at most MaxGap runes on.
func findSeg(s string, from int, seg string) (int, int, bool) {
	lead := segLead(seg)
	for off := from; off < len(s); {
		j := strings.Index(s[off:], lead)
		if j < 0 || gapTooLong(s[from:off+j], seg[0] < 0x80) {
			return 0, 0, false
		}
		j += off
		off = j + 1
		if !wordEdge(s, j) {
			continue
		}
		if e, ok := matchSeg(s, j, seg); ok {
			return j, e, true
		}
	}
	return 0, 0, false
}

// gapTooLong reports whether the text between two parts of a phrase is
// more than a gap: MaxGap runes, or twice that for an English part
// (English says in 40 letters what Chinese says in 20 characters; the
// gap stays inside its clause either way).
func gapTooLong(gap string, en bool) bool {
	if en {
		return len(gap) > 2*playbook.MaxGap
	}
	return utf8.RuneCountInString(gap) > playbook.MaxGap
}

// segLead is the part of a phrase part searched for: its first word
// when it is English words, else all of it.
func segLead(seg string) string {
	if k := strings.IndexByte(seg, ' '); k > 0 && seg[0] < 0x80 {
		return seg[:k]
	}
	// (up to the 了 a result complement may go before)
	if seg[0] < 0x80 {
		return seg
	}
	if k := strings.Index(seg, zhLe); k > 0 && endsWithDoneVerb(seg[:k]) {
		return seg[:k]
	}
	return seg
}

// intensifiers are the words a note puts inside a phrase without
// changing it ("sounded really keen", "went down really well").
var intensifiers = map[string]bool{"really": true, "very": true, "quite": true, "genuinely": true, "so": true, "pretty": true, "extremely": true, "super": true, "actually": true, "definitely": true, "fairly": true, "clearly": true, "truly": true, "incredibly": true, "reasonably": true, "rather": true}

// determiners stand for one another inside a phrase.
var determiners = map[string]bool{"the": true, "a": true, "an": true, "our": true, "their": true, "its": true, "this": true, "his": true, "her": true}

// matchSeg matches the phrase part seg at s[i:], letting one intensifier
// stand before any of its English words after the first; it returns
// the end of the match.
func matchSeg(s string, i int, seg string) (int, bool) {
	j := i
	for k := 0; k < len(seg); k++ {
		if seg[k] == ':' && k == len(seg)-1 && seg[0] < 0x80 {
			// "buying process:" is a label: its clause ends there
			if strings.TrimSpace(s[j:]) == "" {
				return len(s), true
			}
			return 0, false
		}
		if seg[k] == ' ' && seg[0] < 0x80 {
			if j >= len(s) || s[j] != ' ' {
				return 0, false
			}
			j++
			// an intensifier the phrase does not have here
			w := j
			for w < len(s) && s[w] >= 'a' && s[w] <= 'z' {
				w++
			}
			if w > j && w < len(s) && s[w] == ' ' && intensifiers[s[j:w]] && !strings.HasPrefix(seg[k+1:], s[j:w]) {
				j = w + 1
				w = j
				for w < len(s) && s[w] >= 'a' && s[w] <= 'z' {
					w++
				}
			}
			// a determiner for another ("submitted our formal proposal"
			// for "submitted the formal proposal"), or none
			sw := k + 1
			for sw < len(seg) && seg[sw] >= 'a' && seg[sw] <= 'z' {
				sw++
			}
			segWord, textWord := seg[k+1:sw], s[j:w]
			segDet := sw < len(seg) && seg[sw] == ' ' && determiners[segWord]
			textDet := w > j && w < len(s) && s[w] == ' ' && determiners[textWord]
			switch {
			case segWord == textWord:
			case segDet && textDet:
				k, j = sw, w+1
			case segDet:
				k = sw
			case textDet && !determiners[segWord]:
				j = w + 1
			}
			continue
		}
		// "做完了", "提交好了" for "做了", "提交了": a result before 了
		if seg[k] == zhLe[0] && seg[0] >= 0x80 && strings.HasPrefix(seg[k:], zhLe) && (strings.HasPrefix(s[j:], "完了") || strings.HasPrefix(s[j:], "好了")) && endsWithDoneVerb(seg[:k]) {
			j += len("完")
		}
		if j >= len(s) || s[j] != seg[k] {
			return 0, false
		}
		j++
	}
	return j, wordEdge(s, j)
}

// triedPool holds the phrase-tried sets of match, reused across calls
// (a map per call was most of the reader's garbage).
var triedPool = sync.Pool{New: func() any { return map[int]bool{} }}

func (r *RulesReader) match(c *clause, set phraseSet) []hit {
	var out []hit
	tried := triedPool.Get().(map[int]bool)
	defer func() {
		clear(tried)
		triedPool.Put(tried)
	}()
	try := func(li int, idx []int) {
		for _, i := range idx {
			if tried[i+li<<20] {
				continue
			}
			tried[i+li<<20] = true
			p := &set.list[li][i]
			if s, e, spans, ok := p.find(c.low); ok {
				out = append(out, hit{p, s, e, spans})
			}
		}
	}
	if c.words == nil {
		c.words = words(c.low)
	}
	for _, w := range c.words {
		if idx := set.first[1][w.w]; len(idx) > 0 {
			try(1, idx)
		}
	}
	if c.cjk {
		for i, r := range c.low {
			if r < 0x80 && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				continue
			}
			n := utf8.RuneLen(r)
			if idx := set.first[0][c.low[i:i+n]]; len(idx) > 0 {
				try(0, idx)
			}
		}
	}
	return out
}

// noteCtx is the state of reading one note.
type noteCtx struct {
	in      ReadInput
	now     time.Time // in the team's zone
	sents   []sentence
	cls     []clause
	active  int
	props   []Proposal
	zh      bool
	persons [][]person // per clause
}

// Read implements NoteReader.
func (r *RulesReader) Read(ctx context.Context, in ReadInput) (Reading, error) {
	if in.Deal == nil {
		in.Deal = &Deal{}
	}
	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	n := &noteCtx{in: in, now: in.Now.In(loc), props: make([]Proposal, 0, 8)}
	n.sents, n.cls = segment(in.Text)
	n.active = Evaluate(r.pb, in.Deal).Active
	cjk := 0
	for i := range n.cls {
		n.cls[i].whens = findWhens(n.cls[i].low, n.now)
		if n.cls[i].cjk {
			cjk++
		}
	}
	n.zh = cjk*2 > len(n.cls) || (in.Lang == playbook.ZH && cjk > 0)
	n.pastWeekdays()
	exclude := map[string]bool{}
	for _, w := range strings.Fields(lowerASCII(in.Deal.Name + " " + in.Deal.Customer)) {
		exclude[w] = true
	}
	exclude[lowerASCII(strings.TrimSpace(in.Deal.Name))] = true
	exclude[lowerASCII(strings.TrimSpace(in.Deal.Customer))] = true
	n.persons = make([][]person, len(n.cls))
	for i := range n.cls {
		c := &n.cls[i]
		ps := enPersons(c.orig, exclude)
		if c.cjk {
			ps = append(ps, zhPersons(c.orig)...)
		}
		for _, p := range ps {
			if !exclude[lowerASCII(p.name)] && !strings.Contains(in.Deal.Customer, p.name) && !strings.Contains(in.Deal.Name, p.name) {
				n.persons[i] = append(n.persons[i], p)
			}
		}
	}
	n.dropBareInitials()
	r.dropCompetitorNames(n)
	r.checks(n)
	r.status(n)
	// a competitor a lost deal went to is no contact
	for _, p := range n.props {
		if p.Kind == ProposeLost && p.Competitor != "" {
			for i := range n.persons {
				n.persons[i] = slices.DeleteFunc(n.persons[i], func(x person) bool { return strings.EqualFold(x.name, p.Competitor) })
			}
		}
	}
	r.contacts(n)
	titleRoles(n)
	r.reachedHandler(n)
	r.mappedSides(n)
	r.meetings(n)
	r.money(n)
	r.closeDate(n)
	r.buyer(n)
	r.infos(n)
	for i := range n.props {
		n.props[i].N = i + 1
		n.props[i].Source = SourceRules
	}
	return Reading{Proposals: n.props}, nil
}

// dropBareInitials drops a one-word English "name" that opens a clause
// before a weak verb ("Word is …", "Rumour has it …") unless the deal or
// the note knows it as a name: a capital at a sentence's start is no
// evidence of a person, and "is"/"has" after it none either ("Karen
// approved …" is kept).
var reWeakAfter = regexp.MustCompile(`^\s+(?:is|was|has|had|seems|will)\b`)

func (n *noteCtx) dropBareInitials() {
	known := map[string]bool{}
	for _, c := range n.in.Deal.Stakeholders {
		for _, w := range strings.Fields(c.Name) {
			known[w] = true
		}
	}
	for _, ps := range n.persons {
		for _, p := range ps {
			if f := strings.Fields(p.name); len(f) > 1 || p.start > 0 {
				for _, w := range f {
					known[w] = true
				}
			}
		}
	}
	for i, ps := range n.persons {
		n.persons[i] = slices.DeleteFunc(ps, func(p person) bool {
			return p.start == 0 && !n.cls[i].cjk && !strings.Contains(p.name, " ") && !known[p.name] && reWeakAfter.MatchString(n.cls[i].orig[p.end:])
		})
	}
}

// dropCompetitorNames: in a clause about competitors ("Siemens and Itron
// are both in the running", "竞争对手是…"), a one-word name the deal does
// not know is a company, not a person.
var reCompetitorEN = regexp.MustCompile(`\b(?:competitors?|competing|competition|rivals?|in the running|up against|also talking to|also evaluating|shortlisted alongside|incumbent)\b`)

func (r *RulesReader) dropCompetitorNames(n *noteCtx) {
	for i := range n.cls {
		c := &n.cls[i]
		if len(n.persons[i]) == 0 {
			continue
		}
		comp := reCompetitorEN.MatchString(c.low) || c.cjk && containsAny(c.orig, []string{"竞争对手", "对手", "竞品", "友商"})
		if !comp {
			for _, h := range r.match(c, r.info) {
				if strings.HasSuffix(h.p.id, ".competitors") {
					comp = true
				}
			}
		}
		if !comp {
			continue
		}
		n.persons[i] = slices.DeleteFunc(n.persons[i], func(p person) bool {
			if p.titled || strings.Contains(p.name, " ") || c.cjk && p.surname != "" {
				return false
			}
			_, known := matchContact(n.in.Deal, p.name, p.surname, p.titled)
			return !known
		})
	}
}

func (n *noteCtx) add(p Proposal) { n.props = append(n.props, p) }

// sentMarks joins the marks of a sentence's clauses.
func (n *noteCtx) sentMarks(si int) marks {
	var out marks
	for _, ci := range n.sents[si].clauses {
		m := clauseMarks(&n.cls[ci], 0, 0)
		out.neg, out.unc, out.plan, out.past, out.future = out.neg || m.neg, out.unc || m.unc, out.plan || m.plan, out.past || m.past, out.future || m.future
	}
	return out
}

// pastWeekdays reads a bare weekday ("周五", "on Friday") as the last one
// when its clause, or else the note, is told in the past tense.
var (
	theirPlaceZH   = []string{"我们过去", "我们上门", "上门拜访", "去他们那", "到他们那"}
	reTheirPlaceEN = regexp.MustCompile(`\b(?:have us over|come over|come by|host us|at their place|on site|onsite)\b`)
)

var reForDayEN = regexp.MustCompile(`\b(?:for|until|till|to)\s+(?:on\s+)?$`)

func (n *noteCtx) pastWeekdays() {
	today := midnight(n.now)
	// a sentence with no tense ("First visit to Trinity on Friday
	// afternoon.") takes the note's: past when the note tells only of the
	// past
	notePast, noteAhead := false, false
	for i := range n.cls {
		m := clauseMarks(&n.cls[i], 0, 0)
		notePast = notePast || m.past
		noteAhead = noteAhead || m.plan || m.future
	}
	for i := range n.cls {
		c := &n.cls[i]
		m := clauseMarks(c, 0, 0)
		sm := n.sentMarks(c.sent)
		isPast := m.past && !m.plan || sm.past && !sm.plan
		untensed := !sm.past && !sm.plan && !sm.future && notePast && !noteAhead
		for k := range c.whens {
			w := &c.whens[k]
			// (a clock time there reads as a booking: "周五上午十点跟对方谈判")
			// ("emailed to confirm the workshop for Friday", "moved it to
			// Friday": a day something is for or moved to is ahead)
			if w.bare && (isPast || untensed && !w.hasTime) && w.day.After(today) && !reForDayEN.MatchString(c.low[:w.start]) {
				w.day = w.day.AddDate(0, 0, -7)
			}
		}
	}
}

func (n *noteCtx) has(kind, key string) bool {
	for _, p := range n.props {
		if p.Kind == kind && (key == "" || p.Item == key || p.Field == key) {
			return true
		}
	}
	return false
}

// blocked reports whether a statement at [s,e) of clause ci proposes
// nothing: conditional sentence, negated or uncertain clause, or (unless
// allowPlan) a planned one; futureOK lets a future date through.
func (n *noteCtx) blocked(ci, s, e int, allowPlan, futureOK bool) bool {
	return n.blockedIn(ci, [][2]int{{s, e}}, allowPlan, futureOK)
}

func (n *noteCtx) blockedHit(ci int, h hit, allowPlan, futureOK bool) bool {
	return n.blockedIn(ci, h.segs, allowPlan, futureOK)
}

func (n *noteCtx) blockedIn(ci int, spans [][2]int, allowPlan, futureOK bool) bool {
	c := &n.cls[ci]
	if n.sents[c.sent].hypo {
		return true
	}
	m := clauseMarksIn(c, spans)
	// a hedged agreement ("基本谈妥") with something named as still open
	// in the sentence ("还差付款方式没有确定") is no agreement yet
	if !m.unc && c.cjk && containsAny(c.orig, uncZHExcept) && containsAny(n.sents[c.sent].orig, stillOpenZH) {
		return true
	}
	if (m.plan || m.future) && !c.cjk && pastThenPlan(c, spans) {
		m.plan, m.future = false, false
	}
	if m.neg || m.unc {
		return true
	}
	if !allowPlan && m.plan {
		return true
	}
	if !futureOK {
		if m.future {
			return true
		}
		for _, w := range c.whens {
			if w.day.After(midnight(n.now)) || w.period {
				return true
			}
		}
	}
	return false
}

// planBefore reports a plan marker before a phrase or in its gaps
// ("will agree to a demo"); one after an agreement is what was agreed
// ("agreed we will send a proposal").
func planBefore(c *clause, h hit) bool {
	for _, x := range c.markers().plan {
		if x[0] < h.start || x[0] < h.end && !inSpans(x, h.segs) {
			return true
		}
	}
	return false
}

var stillOpenZH = []string{"还差", "还没", "没有确定", "没确定", "还有分歧", "待定", "还要再", "还需要再", "尚未"}

// pastThenPlan: a statement that opens with a past verb, whose plan or
// future markers all come after it ("Interviewed finance this morning to
// get their requirements before we draft the proposal"): what is ahead is
// the next step, not this statement.
func pastThenPlan(c *clause, spans [][2]int) bool {
	ws := words(c.low[spans[0][0]:spans[0][1]])
	if len(ws) == 0 || ws[0].s != 0 {
		return false
	}
	v := ws[0].w
	if enMark[v]&mkPast == 0 && !(strings.HasSuffix(v, "ed") && len(v) > 4) {
		return false
	}
	// not "will have interviewed", "to be submitted"
	if pre := strings.Fields(c.low[:spans[0][0]]); len(pre) > 0 {
		switch pre[len(pre)-1] {
		case "will", "to", "be", "have", "has", "should", "would", "could", "must", "may", "might":
			return false
		}
	}
	mk := c.markers()
	for _, idx := range [][][]int{mk.plan, mk.future} {
		for _, x := range idx {
			if !inSpans(x, spans) && x[0] < spans[0][0] {
				return false
			}
		}
	}
	return true
}

func inSpans(x []int, spans [][2]int) bool {
	for _, s := range spans {
		if x[0] < s[1] && x[1] > s[0] {
			return true
		}
	}
	return false
}

func (n *noteCtx) quote(ci int) string { return n.cls[ci].orig }
func (n *noteCtx) quoteSent(si int) string {
	s := n.sents[si].orig
	if utf8.RuneCountInString(s) > 300 {
		s = string([]rune(s)[:300]) + "…"
	}
	return s
}

type cand struct {
	id    string
	stage int
	ci    int
	len   int
}

// impliedItems: an item that, once stated, states another too.
var impliedItems = map[string][]string{"s5.s2": {"s5.m1"}}

// firstVisit: at the visit stage, with no visit yet, meeting the
// customer's people in person (见了…, met …, sat down with …), told as
// done, is the first face-to-face visit (s2.m1). Not a call or a video
// meeting, not one negated, planned or ahead.
var (
	reMetEN    = regexp.MustCompile(`\b(?:met|met with|sat down with|saw|visited|on site with|on-site with|in person with|face to face with|face-to-face with)\b`)
	metZH      = []string{"见了", "见到了", "见到", "见面了", "碰了面", "拜访了", "聊了", "谈了", "交流了"}
	reRemoteEN = regexp.MustCompile(`\b(?:call|called|phone|video|zoom|teams|online|virtual|webex|remote|remotely)\b`)
	remoteZH   = []string{"电话", "视频", "线上", "微信", "腾讯会议", "远程"}
)

func (r *RulesReader) firstVisit(n *noteCtx) (cand, bool) {
	if _, ok := r.pb.Item("s2.m1"); !ok || n.active != 2 || n.in.Deal.IsChecked("s2.m1") {
		return cand{}, false
	}
	for ci := range n.cls {
		c := &n.cls[ci]
		if len(n.persons[ci]) == 0 {
			continue
		}
		so := n.sents[c.sent].orig
		var at []int
		if c.cjk {
			for _, w := range metZH {
				if i := strings.Index(c.orig, w); i >= 0 {
					at = []int{i, i + len(w)}
					break
				}
			}
			if at != nil && containsAny(so, remoteZH) {
				continue
			}
		} else {
			at = reMetEN.FindStringIndex(c.low)
			if at != nil && reRemoteEN.MatchString(lowerASCII(so)) {
				continue
			}
		}
		// talking counts only at their place ("在国泰总部和钱伟聊了两个小时"),
		// the person before the verb
		if at != nil && c.cjk && strings.Contains("聊了谈了交流了", c.orig[at[0]:at[1]]) {
			if findPlace(so) == "" || n.blocked(ci, at[0], at[1], false, false) {
				continue
			}
			return cand{"s2.m1", 2, ci, at[1] - at[0]}, true
		}
		// the person met comes after the verb
		if at == nil || !slices.ContainsFunc(n.persons[ci], func(p person) bool { return p.start >= at[1] }) || n.blocked(ci, at[0], at[1], false, false) {
			continue
		}
		return cand{"s2.m1", 2, ci, at[1] - at[0]}, true
	}
	return cand{}, false
}

func (r *RulesReader) checks(n *noteCtx) {
	var all []cand
	for ci := range n.cls {
		hits := r.match(&n.cls[ci], r.items)
		// overlapping hits: keep the longest, then the one nearest the
		// deal's active stage ("满意…方案" is s3 early on, s5 later)
		sort.SliceStable(hits, func(i, j int) bool {
			li, lj := hits[i].end-hits[i].start, hits[j].end-hits[j].start
			if li != lj {
				return li > lj
			}
			return abs(playbook.StageOf(hits[i].p.id)-n.active) < abs(playbook.StageOf(hits[j].p.id)-n.active)
		})
		var kept []hit
		for _, h := range hits {
			over := false
			for _, k := range kept {
				if h.start < k.end && k.start < h.end && h.p.id != k.p.id {
					over = true
				}
			}
			if over {
				continue
			}
			kept = append(kept, h)
			// an agreement far ahead of the deal is some other agreement
			// said in its words ("答应…演示" at the first call is no s3
			// agreement to a demo): agreements reach one stage ahead
			if st := playbook.StageOf(h.p.id); n.active > 0 && h.p.agreement && st > n.active+1 {
				continue
			}
			if n.blockedHit(ci, h, h.p.agreement && !planBefore(&n.cls[ci], h), h.p.agreement) {
				continue
			}
			// the customer's approval said of one named person is that
			// person's attitude
			if h.p.customer && slices.ContainsFunc(n.persons[ci], func(p person) bool { return p.end <= h.start }) {
				continue
			}
			all = append(all, cand{h.p.id, playbook.StageOf(h.p.id), ci, h.end - h.start})
		}
	}
	// what an item states implies another: a needs analysis the customer
	// confirmed in writing was done
	for _, c := range all {
		for _, id := range impliedItems[c.id] {
			if _, ok := r.pb.Item(id); ok {
				all = append(all, cand{id, playbook.StageOf(id), c.ci, c.len})
			}
		}
	}
	if c, ok := r.firstVisit(n); ok {
		all = append(all, c)
	}
	sort.SliceStable(all, func(i, j int) bool { return itemOrder(all[i].id) < itemOrder(all[j].id) })
	for _, c := range all {
		if n.in.Deal.IsChecked(c.id) || n.has(ProposeCheck, c.id) {
			continue
		}
		n.add(Proposal{Kind: ProposeCheck, Item: c.id, Evidence: n.quote(c.ci)})
	}
	// a visit booked with time and place at stage 1 fixes them with the handler (s1.s1)
}

func itemOrder(id string) int {
	st := playbook.StageOf(id)
	k := 0
	switch playbook.KindOf(id) {
	case playbook.KindSuccess:
		k = 1
	case playbook.KindRelationship:
		k = 2
	}
	num, _ := strconv.Atoi(id[strings.IndexByte(id, '.')+2:])
	return st*10000 + k*100 + num
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

var rePronoun = regexp.MustCompile(`\b(he|she|him|her|they)\b|他|她`)

func (r *RulesReader) contacts(n *noteCtx) {
	type acc struct {
		name, title, role, attitude string
		surname                     string
		titled                      bool
		sent                        int
	}
	var people []*acc
	find := func(p person) *acc {
		for _, a := range people {
			if a.name == p.name || (p.titled && a.surname == p.surname && a.titled) {
				return a
			}
		}
		// "郑总" after "副总经理郑伟": the one person of that surname named
		// in full in the note
		if p.titled && p.surname != "" {
			var same []*acc
			for _, a := range people {
				if !a.titled && a.surname == p.surname {
					same = append(same, a)
				}
			}
			if len(same) == 1 {
				return same[0]
			}
		}
		// "Sarah" after "Sarah Lin": the same person
		if !p.titled && p.surname == "" {
			for _, a := range people {
				if a.surname == "" && !a.titled && (slices.Contains(strings.Fields(a.name), p.name) || slices.Contains(strings.Fields(p.name), a.name)) {
					if len(p.name) > len(a.name) {
						a.name = p.name
					}
					return a
				}
			}
		}
		return nil
	}
	last := map[int]*acc{} // sentence → last person so far
	// onePersonSoFar: sentence si has named exactly one person up to
	// here, so a pronoun can only mean that one
	onePersonSoFar := func(si int) bool {
		k := 0
		for _, a := range people {
			if a.sent == si {
				k++
			}
		}
		return k == 1
	}
	var prevLast *acc
	for si, s := range n.sents {
		pendingRole := ""
		for _, ci := range s.clauses {
			c := &n.cls[ci]
			var here []*acc
			for _, p := range n.persons[ci] {
				a := find(p)
				if a == nil {
					a = &acc{name: p.name, surname: p.surname, titled: p.titled, sent: si}
					people = append(people, a)
				}
				if a.title == "" && p.title != "" {
					a.title = p.title
				}
				here = append(here, a)
				last[si] = a
			}
			if pendingRole != "" {
				// a role said before any name goes to a name in the very
				// next clause only ("formed a buying committee, chaired by
				// Karen"), not to whoever comes up later
				if len(here) > 0 && here[0].role == "" {
					here[0].role = pendingRole
				}
				pendingRole = ""
			}
			// who do this clause's roles and attitudes describe? Not
			// the one who reports them ("Patel says the COO …")
			speaker := make([]bool, len(here))
			for k, p := range n.persons[ci] {
				speaker[k] = reSpeech.MatchString(c.orig[p.end:])
			}
			target := func(pos int) *acc {
				var cands []*acc
				for k, a := range here {
					if !speaker[k] {
						cands = append(cands, a)
					}
				}
				if len(here) > 0 && len(cands) == 0 {
					// "刘经理说他们只是用系统的": the speaker speaking of
					// themselves
					if len(here) == 1 && reSelfAfterSpeech.MatchString(c.orig[n.persons[ci][0].end:]) {
						return here[0]
					}
					return nil
				}
				if len(cands) == 1 {
					return cands[0]
				}
				if len(here) > 1 {
					var best *acc
					for k, p := range n.persons[ci] {
						if p.start <= pos {
							best = here[k]
						}
					}
					if best == nil {
						best = here[0]
					}
					return best
				}
				if a := last[si]; a != nil {
					return a
				}
				if prevLast != nil && rePronoun.MatchString(c.low) {
					return prevLast
				}
				return nil
			}
			for _, h := range r.match(c, r.roles) {
				if n.blockedHit(ci, h, true, true) {
					continue
				}
				// "…, but the final call sits with their CIO, Helen Wu": a
				// role said of a title with no name here is the title's
				// holder's, not the last person's
				if len(here) == 0 && !c.cjk {
					if loc := findTitle(c); loc != nil && loc[0] >= h.end {
						if pendingRole == "" {
							pendingRole = h.p.id
						}
						continue
					}
				}
				if a := target(h.start); a != nil && a.role == "" {
					a.role = h.p.id
				} else if a == nil && len(here) == 0 && pendingRole == "" && !roleIsObject(c, h.start) {
					pendingRole = h.p.id // "formed a buying committee, chaired by Karen"
				}
			}
			hits := r.match(c, r.attitudes)
			sort.SliceStable(hits, func(i, j int) bool { return hits[i].end-hits[i].start > hits[j].end-hits[j].start })
			var used []hit
			for _, h := range hits {
				over := false
				for _, u := range used {
					if h.start < u.end && u.start < h.end {
						over = true
					}
				}
				if over {
					continue
				}
				used = append(used, h)
				if n.blockedHit(ci, h, true, true) {
					continue
				}
				if a := target(h.start); a != nil && a.attitude == "" {
					a.attitude = h.p.id
				}
			}
			// "给王总打了电话，他是物流部经理": a clause of its own, a
			// pronoun and a title, said of the sentence's one person so far
			if c.cjk && len(here) == 0 {
				if a := last[si]; a != nil && a.title == "" && onePersonSoFar(si) {
					if m := reZhPronounTitle.FindStringSubmatch(strings.TrimSpace(c.orig)); m != nil {
						a.title = m[1]
					}
				}
			}
			if loc := findTitle(c); loc != nil && !c.cjk {
				title := c.orig[loc[0]:loc[1]]
				var a *acc
				// next to a name: "Tom Baker (CFO)", "CFO Tom Baker"
				for k, p := range n.persons[ci] {
					if gap := loc[0] - p.end; gap >= 0 && gap <= 3 {
						a = here[k]
					}
					if gap := p.start - loc[1]; gap >= 0 && gap <= 3 {
						a = here[k]
					}
				}
				// at the end of a clause before a name: "their CIO, Linda Park"
				if a == nil && strings.TrimSpace(c.low[loc[1]:]) == "" {
					if next := nextClause(n, si, ci); next >= 0 && len(n.persons[next]) > 0 && n.persons[next][0].start == 0 {
						p := n.persons[next][0]
						a = find(p)
						if a == nil {
							a = &acc{name: p.name, surname: p.surname, titled: p.titled, sent: si}
							people = append(people, a)
						}
					}
				}
				if a == nil && len(here) == 0 && last[si] != nil && appositive(c.low, loc[0]) {
					a = last[si] // "Tom, the CFO"
				}
				if a == nil && len(here) == 1 && !speaker[0] {
					a = here[0]
				}
				if a != nil && a.title == "" {
					a.title = title
				}
			}
		}
		if a := last[si]; a != nil {
			prevLast = a
		}
	}
	for _, a := range people {
		ev := n.quoteSent(a.sent)
		if i, ok := matchContact(n.in.Deal, a.name, a.surname, a.titled); ok {
			ex := n.in.Deal.Stakeholders[i]
			p := Proposal{Kind: ProposeEditContact, ContactID: ex.ID, Name: ex.Name, Evidence: ev}
			changed := false
			if a.role != "" && a.role != ex.Role {
				p.Role, changed = a.role, true
			}
			if a.attitude != "" && a.attitude != ex.Attitude {
				p.Attitude, changed = a.attitude, true
			}
			if a.title != "" && ex.Title == "" {
				p.Title, changed = a.title, true
			}
			if changed {
				n.add(p)
			}
			continue
		}
		n.add(Proposal{Kind: ProposeAddContact, Name: a.name, Role: a.role, Attitude: a.attitude, Title: a.title, Evidence: ev})
	}
}

var (
	reReachedEN = regexp.MustCompile(`\b(?:called|phoned|rang|spoke (?:with|to)|talked (?:with|to)|got through to|reached|had a call with|on the phone with|call back from|callback from|call from|called back|returned my call)\b`)
	reachedZH   = []string{"通了电话", "打了电话", "通电话", "联系上了", "联系上", "电话联系了", "电话沟通", "打给", "打电话给", "回了电话", "回电话", "打了个电话", "打了通电话", "通了个电话"}
	reSpeechIn  = regexp.MustCompile(`说|表示|告诉|提到|\b(?:says|said|told|tells|mentioned)\b`)
)

// reachedHandler: at the first stage, a call with someone the deal or the
// note knows as the project handler is reaching the handler (s1.m2).
func (r *RulesReader) reachedHandler(n *noteCtx) {
	if _, ok := r.pb.Item("s1.m2"); !ok || n.active > 1 || n.in.Deal.IsChecked("s1.m2") || n.has(ProposeCheck, "s1.m2") {
		return
	}
	handler := func(p person) bool {
		if i, ok := matchContact(n.in.Deal, p.name, p.surname, p.titled); ok && n.in.Deal.Stakeholders[i].Role == RoleHandler {
			return true
		}
		return slices.ContainsFunc(n.props, func(q Proposal) bool {
			return (q.Kind == ProposeAddContact || q.Kind == ProposeEditContact) && q.Role == RoleHandler && q.Name == p.name
		})
	}
	for ci := range n.cls {
		c := &n.cls[ci]
		reached := reReachedEN.FindStringIndex(c.low)
		if reached == nil && c.cjk {
			for _, w := range reachedZH {
				if i := strings.Index(c.orig, w); i >= 0 {
					reached = []int{i, i + len(w)}
					break
				}
			}
		}
		if reached == nil || n.blocked(ci, reached[0], reached[1], false, false) {
			continue
		}
		// the handler named in the call's clause or a later clause of
		// its sentence ("打给信息中心，对接人是赵海峰"), not one only
		// reported by someone else ("她说这事归周经理管")
		cl := n.sents[c.sent].clauses
		for _, k := range cl[slices.Index(cl, ci):] {
			if k != ci && reSpeechIn.MatchString(n.cls[k].low) {
				break
			}
			if slices.ContainsFunc(n.persons[k], handler) {
				n.add(Proposal{Kind: ProposeCheck, Item: "s1.m2", Evidence: n.quoteSent(c.sent)})
				return
			}
		}
	}
}

// roleIsObject reports whether the role phrase at i is the object of a
// preposition ("给采购小组做了演示", "presented to the buying committee"):
// the group is who something was done for, not what the next person is.
var reRoleObjEN = regexp.MustCompile(`\b(?:to|for|with|before|in front of)\s+(?:the\s+|their\s+|our\s+|its\s+)?(?:[a-z0-9&.-]+'s\s+)?$`)

func roleIsObject(c *clause, i int) bool {
	before := c.orig[:i]
	if c.cjk {
		rs := []rune(before)
		if len(rs) > 8 {
			rs = rs[len(rs)-8:]
		}
		return strings.ContainsAny(string(rs), "给向为对跟和与同")
	}
	return reRoleObjEN.MatchString(c.low[:i])
}

var titleStems = []string{"gm", "ceo", "cfo", "cio", "cto", "coo", "cpo", "cmo", "vp", "head", "manager", "director", "lead", "engineer", "architect", "chairman", "president", "buyer", "controller", "chief"}

func findTitle(c *clause) []int {
	if !containsAny(c.low, titleStems) {
		return nil
	}
	return reEnTitle.FindStringIndex(c.low)
}

// the speaker speaking of themselves: "说他们只是…", "says she owns …"
var reSelfAfterSpeech = regexp.MustCompile(`^\s*(?:说|表示|告诉我们|提到)(?:他们|他|她|我们这边|自己)|^\s*(?:says|said|told us|tells us|mentioned)\s+(?:that\s+)?(?:he|she|they|his team|her team)\b`)

var reSpeech = regexp.MustCompile(`^\s*(?:says|said|told us|tells us|mentioned|reports|reported|thinks that|说|表示|告诉|提到|反馈|透露|认为)`)

// nextClause returns the clause after ci in sentence si, or -1.
// appositive reports whether the title at i opens the clause ("the CFO",
// "their procurement director"): it describes the person just named.
func appositive(low string, i int) bool {
	head := strings.TrimSpace(low[:i])
	switch head {
	case "", "the", "their", "our", "his", "her", "its":
		return true
	}
	// "Redwood's head of digital": the company's title
	return strings.HasSuffix(head, "'s") && !strings.Contains(head, " ")
}

func nextClause(n *noteCtx, si, ci int) int {
	cl := n.sents[si].clauses
	for k, x := range cl {
		if x == ci && k+1 < len(cl) {
			return cl[k+1]
		}
	}
	return -1
}

// matchContact finds the deal's stakeholder a mention names: the same
// name, a first or last name of one stakeholder only, or a "王总" mention
// of the only stakeholder with that surname.
func matchContact(d *Deal, name, surname string, titled bool) (int, bool) {
	for i, p := range d.Stakeholders {
		if strings.EqualFold(p.Name, name) {
			return i, true
		}
	}
	var hits []int
	for i, p := range d.Stakeholders {
		switch {
		case titled && surname != "" && strings.HasPrefix(p.Name, surname):
			hits = append(hits, i)
		case !titled && surname == "" && (slices.ContainsFunc(strings.Fields(p.Name), func(w string) bool { return strings.EqualFold(w, name) }) ||
			slices.ContainsFunc(strings.Fields(name), func(w string) bool { return strings.EqualFold(w, p.Name) })):
			hits = append(hits, i)
		case !titled && surname != "" && utf8.RuneCountInString(p.Name) <= 4 && strings.HasPrefix(p.Name, surname) && isZhTitled(p.Name):
			hits = append(hits, i)
		}
	}
	if len(hits) == 1 {
		return hits[0], true
	}
	return 0, false
}

func isZhTitled(name string) bool {
	rs := []rune(name)
	if len(rs) < 2 {
		return false
	}
	rest := string(rs[1:])
	return slices.Contains(zhTitles, rest)
}

// meeting cue words and the topic they give
var meetCues = []struct{ cue, zh, en string }{
	{"技术交流", "技术交流", "Technical exchange"}, {"交流会", "技术交流", "Technical exchange"}, {"方案演示", "方案演示", "Demo"}, {"演示", "方案演示", "Demo"},
	{"商务谈判", "商务谈判", "Negotiation"}, {"谈判", "商务谈判", "Negotiation"}, {"再谈", "沟通", "Follow-up"}, {"谈商务", "商务谈判", "Negotiation"}, {"过去谈", "沟通", "Meeting"}, {"过来谈", "沟通", "Meeting"}, {"谈合同", "商务谈判", "Negotiation"}, {"签约", "签约", "Contract signing"}, {"签合同", "签约", "Contract signing"},
	{"讲标", "讲标", "Bid presentation"}, {"汇报", "汇报", "Presentation"}, {"拜访", "拜访", "Visit"}, {"上门", "拜访", "Visit"}, {"来访", "来访", "Visit"},
	{"电话会", "电话会议", "Call"}, {"视频会", "视频会议", "Call"}, {"见面", "会面", "Meeting"}, {"会面", "会面", "Meeting"}, {"面谈", "面谈", "Meeting"},
	{"碰头", "会面", "Meeting"}, {"参观", "参观", "Visit"}, {"考察", "考察", "Visit"}, {"详细聊", "会面", "Meeting"}, {"面聊", "会面", "Meeting"}, {"聊一聊", "会面", "Meeting"}, {"开会", "会议", "Meeting"}, {"会议", "会议", "Meeting"}, {"吃饭", "吃饭", "Dinner"}, {"午餐", "午餐", "Lunch"}, {"晚餐", "晚餐", "Dinner"},
	{"technical exchange", "技术交流", "Technical exchange"}, {"technical session", "技术交流", "Technical exchange"}, {"tech session", "技术交流", "Technical exchange"},
	{"workshop", "研讨会", "Workshop"}, {"demonstration", "方案演示", "Demo"}, {"demo", "方案演示", "Demo"}, {"negotiation", "商务谈判", "Negotiation"}, {"negotiate", "商务谈判", "Negotiation"},
	{"signing", "签约", "Contract signing"}, {"sign the contract", "签约", "Contract signing"}, {"presentation", "汇报", "Presentation"},
	{"site visit", "拜访", "Visit"}, {"visit", "拜访", "Visit"}, {"video call", "视频会议", "Call"}, {"call", "电话会议", "Call"}, {"meeting", "会议", "Meeting"},
	{"meet", "会面", "Meeting"}, {"sit-down", "会面", "Meeting"}, {"catch up", "会面", "Meeting"}, {"locked in", "会面", "Meeting"}, {"pencilled in", "会面", "Meeting"}, {"penciled in", "会面", "Meeting"}, {"come over", "拜访", "Visit"}, {"have us over", "拜访", "Visit"}, {"host us", "拜访", "Visit"}, {"invited us over", "拜访", "Visit"}, {"invited us in", "拜访", "Visit"}, {"come by", "拜访", "Visit"}, {"drop by", "拜访", "Visit"}, {"stop by", "拜访", "Visit"}, {"lunch", "午餐", "Lunch"}, {"dinner", "晚餐", "Dinner"}, {"review", "评审", "Review"},
}

var (
	reMoveEN        = regexp.MustCompile(`\b(moved|move|moving|rescheduled|reschedule|rescheduling|pushed|push|postponed|postpone|bumped|bump|brought forward|shifted|delayed)\b`)
	moveZH          = []string{"改到", "改期", "改在", "推迟", "延期", "推到", "延到", "挪到", "提前到", "调整到", "换到", "顺延", "改成"}
	reCancelEN      = regexp.MustCompile(`\b(cancel|cancelled|canceled|cancelling|called off|call off|called it off|scrapped|is off|are off|not happening)\b`)
	cancelZH        = []string{"取消", "不开了", "不来了", "不搞了", "不做了", "不见了"}
	reUnconfirmedEN = regexp.MustCompile(`\b(to be confirmed|tbc|tbd|waiting for (?:them|the customer|the client|him|her)? ?to confirm|not confirmed|unconfirmed|yet to confirm|pending confirmation|still waiting)\b`)
	unconfirmedZH   = []string{"待确认", "还在等", "等客户确认", "等对方确认", "等他们确认", "还没确认", "未确认", "没确定", "还没定", "待定"}
	rePlaceEN       = regexp.MustCompile(`\b(?:at|in|visiting|visit|to)\s+((?:their|our|the|his|her)\s+)?((?:[a-z0-9&'-]+\s+){0,3}(?:office|offices|hq|headquarters|site|plant|factory|warehouse|branch|campus|building|meeting room|boardroom|hotel|cafe|restaurant|lab|center|centre|facility|depot))\b`)
	rePlaceZH       = regexp.MustCompile(`(?:在|到|去)((?:他们|对方|客户|我们|我司|贵司|他们的|对方的|客户的|我们的)?(?:[\p{Han}A-Za-z0-9]{0,8}?)(?:总部|办公室|办公楼|写字楼|大楼|公司|会议室|工厂|厂房|车间|分公司|园区|大厦|酒店|厂区|仓库|基地|门店|中心|展厅|现场|部))`)
)

func (r *RulesReader) meetings(n *noteCtx) {
	d := n.in.Deal
	for si, s := range n.sents {
		if s.hypo {
			continue
		}
		// the cue, its clause, and the dates of the sentence
		cueCI, cueAt, cueEnd, topic := -1, -1, -1, ""
		for _, ci := range s.clauses {
			c := &n.cls[ci]
			for _, mc := range meetCues {
				// English cues take endings: visit, visits, visiting
				if i := strings.Index(c.low, mc.cue); i >= 0 && wordEdge(c.low, i) && (wordEdge(c.low, i+len(mc.cue)) || mc.cue[0] < 0x80 && cueEnding(c.low[i+len(mc.cue):])) {
					cueCI, cueAt = ci, i
					if n.zh {
						topic = mc.zh
					} else {
						topic = mc.en
					}
					break
				}
			}
			if cueCI >= 0 {
				break
			}
		}
		var whens []when
		var whenCI []int
		for _, ci := range s.clauses {
			for _, w := range n.cls[ci].whens {
				whens = append(whens, w)
				whenCI = append(whenCI, ci)
			}
		}
		whens = joinDayTime(whens)
		low := lowerASCII(s.orig)
		move := containsAny(low, moveStems) && reMoveEN.MatchString(low) || containsAny(s.orig, moveZH)
		cancel := !move && (containsAny(low, cancelStems) && reCancelEN.MatchString(low) || containsAny(s.orig, cancelZH))
		if cueCI < 0 && !move && !cancel {
			// "周四下午两点去他们工厂", "Heading to their district office
			// Wednesday at 1:30": going to a place is a visit
			ci, at, end := n.goesTo(si)
			if ci < 0 {
				continue
			}
			cueCI, cueAt, cueEnd, topic = ci, at, end, "Visit"
			if n.zh {
				topic = "拜访"
			}
		}
		if cueCI < 0 {
			// "moved to Thursday" of the only booked meeting
			cueCI = s.clauses[0]
			cueAt = 0
		}
		m := clauseMarks(&n.cls[cueCI], cueAt, max(cueAt, cueEnd))
		if m.unc || (m.neg && !cancel) {
			continue
		}
		// a time the customer has yet to confirm is no booking
		if !cancel && (containsAny(low, unconfirmedStems) && reUnconfirmedEN.MatchString(low) || containsAny(s.orig, unconfirmedZH)) {
			continue
		}
		booked := bookedMeetings(d, n.now)
		switch {
		case cancel:
			if strings.Contains(low, "project") || strings.Contains(s.orig, "项目") {
				continue
			}
			if idx := pickMeeting(booked, whens, n.now, topic); idx >= 0 {
				mt := booked[idx]
				n.add(Proposal{Kind: ProposeCancelMeeting, Meeting: mt.ID, At: mt.At, Topic: mt.Topic, Evidence: n.quoteSent(si)})
			}
		case move:
			if len(whens) == 0 {
				continue
			}
			nw := whens[len(whens)-1]
			old := pickMeeting(booked, whens[:len(whens)-1], n.now, topic)
			if old < 0 && len(whens) == 1 {
				old = pickMeeting(booked, nil, n.now, topic)
			}
			at := nw.at()
			if old >= 0 {
				om := booked[old].At.In(n.now.Location())
				// "bump our Tuesday session to Wednesday": a bare weekday is
				// that day of the meeting's own week
				if nw.bare && !nw.day.IsZero() {
					if d := mondayOf(om).AddDate(0, 0, (int(nw.day.Weekday())+6)%7); d.After(midnight(n.now)) {
						nw.day = d
						at = nw.at()
					}
				}
				if nw.day.IsZero() || (nw.hasTime && sameDay(nw.day, n.now) && !mentionsToday(n.cls[whenCI[len(whens)-1]].low)) {
					at = time.Date(om.Year(), om.Month(), om.Day(), nw.hour, nw.min, 0, 0, om.Location())
				} else if !nw.hasTime {
					at = time.Date(nw.day.Year(), nw.day.Month(), nw.day.Day(), om.Hour(), om.Minute(), 0, 0, om.Location())
				}
				if !at.After(n.now) || at.Equal(om) {
					continue
				}
				n.add(Proposal{Kind: ProposeMoveMeeting, Meeting: booked[old].ID, At: at, Topic: booked[old].Topic, Evidence: n.quoteSent(si)})
				continue
			}
			if nw.period || !at.After(n.now) {
				continue
			}
			n.add(Proposal{Kind: ProposeBookMeeting, At: at, NoTime: !nw.hasTime, Topic: topic, Place: findPlace(s.orig), Evidence: n.quoteSent(si)})
		default:
			// a booking: a future day in the sentence; not a meeting told
			// in the past tense without a plan
			var nw *when
			nwCI := -1
			for i := range whens {
				w := whens[i]
				if w.period || w.day.IsZero() {
					continue
				}
				if w.at().After(n.now) && (w.hasTime || w.day.After(midnight(n.now))) {
					nw, nwCI = &whens[i], whenCIOf(n, s, w)
					break
				}
			}
			if nw == nil {
				continue
			}
			// "讲标已经结束，…，结果预计下周三公布": the meeting is told as
			// done; the day ahead is of something else
			if nwCI != cueCI && m.past && !m.plan && !m.future {
				continue
			}
			if m.neg {
				continue
			}
			at := nw.at()
			if dup(d, at) || n.hasMeeting(at) {
				continue
			}
			if !nw.hasTime && pickMeeting(booked, []when{*nw}, n.now, "") >= 0 && sameDay(booked[pickMeeting(booked, []when{*nw}, n.now, "")].At.In(n.now.Location()), nw.day) {
				continue // "tomorrow's demo": the meeting already booked that day
			}
			place := findPlace(s.orig)
			n.add(Proposal{Kind: ProposeBookMeeting, At: at, NoTime: !nw.hasTime, Topic: topic, Place: place, Evidence: n.quoteSent(si)})
			// at stage 1, a visit fixed with a time and a place is s1.s1
			// ("我们过去", "have us over": their place, if unnamed)
			if n.active <= 1 && nw.hasTime && (place != "" || containsAny(s.orig, theirPlaceZH) || reTheirPlaceEN.MatchString(low)) && !d.IsChecked("s1.s1") && !n.has(ProposeCheck, "s1.s1") {
				n.add(Proposal{Kind: ProposeCheck, Item: "s1.s1", Evidence: n.quoteSent(si)})
			}
		}
	}
}

var (
	reGoToEN   = regexp.MustCompile(`\b(?:head(?:ing)?|go(?:ing)?|driv(?:e|ing)|fly(?:ing)?|travel(?:l?ing)?|pop(?:ping)?|swing(?:ing)?)\s+(?:over\s+|out\s+|down\s+|up\s+)?(?:to|by)\b|\b(?:wants?|invited|asked|expects?)\s+us\s+(?:at|over at|to come to)\b`)
	reGoToZH   = regexp.MustCompile(`(?:去|到|过去|前往)(?:他们|对方|客户|他们的|对方的|客户的)?[\p{Han}A-Za-z0-9]{0,8}?(?:总部|办公室|公司|会议室|工厂|分公司|园区|大厦|酒店|厂区|仓库|基地|门店|中心|展厅|现场)(?:看看|看一看|转转|坐坐)?`)
	goToStems  = []string{"head", "go", "driv", "fly", "travel", "pop", "swing", " us "}
	sendVerbZH = "寄送发交转传收放搬运递"
)

// goesTo finds, in sentence si, the rep going to a place (a visit without
// a meeting word): its clause and offset, or -1. Not things sent there
// ("寄到他们总部").
func (n *noteCtx) goesTo(si int) (int, int, int) {
	for _, ci := range n.sents[si].clauses {
		c := &n.cls[ci]
		if c.cjk {
			if !containsAny(c.orig, []string{"去", "到", "前往"}) || !containsAny(c.orig, placeNounsZH) {
				continue
			}
			if m := reGoToZH.FindStringIndex(c.orig); m != nil {
				if r, _ := utf8.DecodeLastRuneInString(c.orig[:m[0]]); !strings.ContainsRune(sendVerbZH, r) {
					return ci, m[0], m[1]
				}
			}
			continue
		}
		if !containsAny(c.low, goToStems) {
			continue
		}
		if m := reGoToEN.FindStringIndex(c.low); m != nil && findPlace(c.orig) != "" {
			return ci, m[0], m[1]
		}
	}
	return -1, -1, -1
}

var (
	moveStems        = []string{"mov", "resched", "push", "postpon", "bump", "brought forward", "shift", "delay"}
	cancelStems      = []string{"cancel", "call", "scrap", " off", "not happening"}
	unconfirmedStems = []string{"confirm", "tbc", "tbd", "waiting"}
)

// whenCIOf returns the clause of sentence s a when was found in.
func whenCIOf(n *noteCtx, s sentence, w when) int {
	for _, ci := range s.clauses {
		for _, x := range n.cls[ci].whens {
			if x.start == w.start && x.day.Equal(w.day) {
				return ci
			}
		}
	}
	return -1
}

// joinDayTime gives a day said without a time the time said right
// after it on its own ("下周三讲标，时间是上午十点").
func joinDayTime(ws []when) []when {
	for k := 0; k+1 < len(ws); k++ {
		a, b := ws[k], ws[k+1]
		if !a.day.IsZero() && !a.hasTime && !a.period && b.hasTime && (b.day.IsZero() || b.alone) {
			a.hasTime, a.hour, a.min = true, b.hour, b.min
			ws = append(append(ws[:k:k], a), ws[k+2:]...)
		}
	}
	return ws
}

func cueEnding(s string) bool {
	for _, e := range []string{"s", "ing", "ed", "d"} {
		if strings.HasPrefix(s, e) && wordEdge(s, len(e)) {
			return true
		}
	}
	return false
}

func mentionsToday(s string) bool {
	return strings.Contains(s, "today") || strings.Contains(s, "今天")
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func containsAny(s string, list []string) bool {
	for _, x := range list {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func (n *noteCtx) hasMeeting(at time.Time) bool {
	for _, p := range n.props {
		if (p.Kind == ProposeBookMeeting || p.Kind == ProposeMoveMeeting) && p.At.Equal(at) {
			return true
		}
	}
	return false
}

func dup(d *Deal, at time.Time) bool {
	for _, m := range d.Meetings {
		if m.At.Equal(at) && m.Status != MeetingCancelled {
			return true
		}
	}
	return false
}

// bookedMeetings are the deal's meetings still booked (not held or
// cancelled), by time.
func bookedMeetings(d *Deal, now time.Time) []Meeting {
	var out []Meeting
	for _, m := range d.Meetings {
		if m.StatusAt(now) == MeetingBooked || m.Overdue(now) {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// pickMeeting chooses the booked meeting a sentence means: the one on a
// day it names, else the one whose topic it names, else the next one.
func pickMeeting(booked []Meeting, whens []when, now time.Time, topic string) int {
	if len(booked) == 0 {
		return -1
	}
	for _, w := range whens {
		for i, m := range booked {
			if !w.day.IsZero() && sameDay(m.At.In(now.Location()), w.day) {
				return i
			}
		}
	}
	if topic != "" {
		var hits []int
		for i, m := range booked {
			if m.Topic != "" && (strings.EqualFold(m.Topic, topic) || strings.Contains(lowerASCII(m.Topic), lowerASCII(topic))) {
				hits = append(hits, i)
			}
		}
		if len(hits) >= 1 {
			return hits[0]
		}
	}
	for i, m := range booked {
		if !m.At.Before(now) {
			return i
		}
	}
	return len(booked) - 1
}

var (
	placeNounsEN = []string{"office", "hq", "headquarters", "site", "plant", "factory", "warehouse", "branch", "campus", "building", "meeting room", "boardroom", "hotel", "cafe", "restaurant", "lab", "center", "centre", "facility", "depot"}
	placeNounsZH = []string{"总部", "办公室", "楼", "厂房", "车间", "公司", "会议室", "工厂", "园区", "大厦", "酒店", "厂区", "仓库", "基地", "门店", "中心", "展厅", "现场", "部"}
)

// windowStart backs up to n bytes before i, to a rune start.
func windowStart(s string, i, n int) int {
	st := max(0, i-n)
	for st > 0 && !utf8.RuneStart(s[st]) {
		st--
	}
	return st
}

// firstIndex is the first index in s of any of list, or -1.
func firstIndex(s string, list []string) int {
	best := -1
	for _, x := range list {
		if i := strings.Index(s, x); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

func findPlace(s string) string {
	// the regexps below backtrack: run them only from shortly before the
	// first place noun, and not at all without one
	zi, ei := firstIndex(s, placeNounsZH), firstIndex(lowerASCII(s), placeNounsEN)
	if zi < 0 && ei < 0 {
		return ""
	}
	full := s
	if zi >= 0 {
		s = full[windowStart(full, zi, 48):]
	}
	if m := rePlaceZH.FindStringSubmatch(s); m != nil {
		p := m[1]
		for _, pre := range []string{"他们的", "对方的", "客户的", "我们的", "他们", "对方", "客户", "我们"} {
			p = strings.TrimPrefix(p, pre)
		}
		if utf8.RuneCountInString(p) >= 2 && p != "内部" && p != "全部" && p != "外部" && p != "局部" {
			return p
		}
	}
	if ei < 0 {
		return ""
	}
	s = full[windowStart(full, ei, 80):]
	low := lowerASCII(s)
	if m := rePlaceEN.FindStringSubmatchIndex(low); m != nil {
		// "in the afternoon at their office": the place is after the last
		// preposition inside the match
		p, pl := s[m[4]:m[5]], low[m[4]:m[5]]
		for _, prep := range []string{" at ", " in ", " to "} {
			if i := strings.LastIndex(pl, prep); i >= 0 {
				p, pl = p[i+len(prep):], pl[i+len(prep):]
			}
		}
		for _, pre := range []string{"their ", "our ", "the ", "his ", "her "} {
			if strings.HasPrefix(pl, pre) {
				p, pl = p[len(pre):], pl[len(pre):]
			}
		}
		return strings.TrimSpace(p)
	}
	return ""
}

// status: won or lost.
var (
	reWonEN   = regexp.MustCompile(`\b(we won the deal|won the deal|closed won|we won it|deal is won|signed the contract|contract signed|contract is signed|contract was signed|contract has been signed|signed the deal|inked the deal)\b`)
	wonZH     = []string{"签了合同", "合同今天签下来了", "合同签下来了", "合同已经签下来了", "合同签了", "签订了合同", "正式签约了", "签约完成", "合同已签", "签署了合同", "完成签约", "合同已经签了", "签下了合同", "拿下了这个单", "成交了", "赢单", "签单了"}
	reLostEN  = regexp.MustCompile(`\b(?:we lost(?: the deal| it| the bid| the tender)?(?: to)?|lost (?:the deal|the bid|the tender|out)(?: to)?|lost to|went with|chose|picked|selected|awarded (?:it|the contract|the deal|the tender|the project) to|gave (?:it|the contract|the deal) to|closed lost|deal is lost|decided to go with)\b`)
	lostZH    = []string{"中标的是", "我们输了", "项目输了", "丢单", "丢了这个单", "输给了", "输给", "选择了", "选了", "定了", "没有中标", "没中标", "未中标", "落标", "被", "给了"}
	reBecause = regexp.MustCompile(`\b(?:because(?: of)?|due to)\s+(.+)$`)
	reOnPrice = regexp.MustCompile(`\bon (price|cost|pricing|budget|features|relationship)\b`)
	reCompEN  = regexp.MustCompile(`^\s*([A-Z][A-Za-z0-9&.-]*(?:\s+[A-Z][A-Za-z0-9&.-]*){0,2})`)
	reCompZH  = regexp.MustCompile(`^([\p{Han}A-Za-z0-9]{2,8}?)(?:了|的|，|,|。|$|因为|由于|中标|拿下|，|\s)`)
)

// "went with a local reseller": a vendor not named is still a vendor
var reOtherVendor = regexp.MustCompile(`^\s+(?:a|an|another|the other|some)\s+(?:[a-z-]+\s+){0,2}(?:vendor|supplier|reseller|competitor|provider|partner|integrator|company|firm|player)\b`)

func (r *RulesReader) status(n *noteCtx) {
	d := n.in.Deal
	if !d.Open() {
		return
	}
	for ci := range n.cls {
		c := &n.cls[ci]
		// lost
		if loc := findLost(c); loc != nil && !c.cjk {
			if n.blocked(ci, loc[0], loc[1], false, true) {
				continue
			}
			comp := ""
			if m := reCompEN.FindStringSubmatch(c.orig[loc[1]:]); m != nil {
				comp = strings.TrimRight(m[1], ".-")
			}
			verb := c.low[loc[0]:loc[1]]
			lostWord := strings.Contains(verb, "lost") || strings.Contains(verb, "closed lost") || strings.Contains(verb, "awarded") || strings.Contains(verb, "gave")
			if comp == "" && !lostWord && !reOtherVendor.MatchString(c.low[loc[1]:]) {
				continue
			}
			if comp != "" && (strings.EqualFold(comp, "us") || enNotName[comp] && !lostWord && !vendorAcronym(comp)) {
				continue
			}
			// "chose X" must be about the customer's choice of a vendor
			// ("Orchard chose SAP": the customer's first name word)
			if sl := lowerASCII(n.sents[c.sent].orig); !lostWord && !strings.Contains(sl, "they") && !strings.Contains(sl, "customer") && !strings.Contains(sl, "client") && !strings.Contains(sl, lowerASCII(d.Customer)) && !namesCustomer(sl[:max(0, strings.Index(sl, verb))], d) {
				continue
			}
			n.add(Proposal{Kind: ProposeLost, Competitor: comp, Reason: lostReason(n, c.sent), Evidence: n.quoteSent(c.sent)})
			return
		}
		if c.cjk {
			for _, w := range lostZH {
				i := strings.Index(c.orig, w)
				if i < 0 {
					continue
				}
				after := c.orig[i+len(w):]
				comp := ""
				if m := reCompZH.FindStringSubmatch(after); m != nil {
					comp = m[1]
				}
				switch w {
				case "被":
					// "被华为拿下了"
					if !strings.Contains(after, "拿下") && !strings.Contains(after, "抢走") {
						continue
					}
					comp = after[:max(0, strings.Index(after, "拿下"))]
					if strings.Contains(after, "抢走") && comp == "" {
						comp = after[:strings.Index(after, "抢走")]
					}
				case "选择了", "选了", "定了", "给了":
					if comp == "" || strings.HasPrefix(after, "我们") || strings.HasPrefix(after, "我方") || !strings.ContainsAny(c.orig+n.sents[c.sent].orig, "客户对方他们最终最后") {
						continue
					}
					if w == "定了" || w == "给了" {
						if !strings.Contains(after, "供应商") && !strings.Contains(after, "中标") && !strings.Contains(after, "做") {
							continue
						}
					}
				}
				neg := w == "没有中标" || w == "没中标" || w == "未中标" || w == "丢单"
				if !neg && n.blocked(ci, i, i+len(w), false, true) {
					continue
				}
				if neg && (n.sents[c.sent].hypo || clauseMarks(c, i, i+len(w)).unc) {
					continue
				}
				if w == "我们输了" || w == "项目输了" {
					// "我们输了，中标的是浪潮": the winner in the sentence
					comp = ""
					so := n.sents[c.sent].orig
					if k := strings.Index(so, "中标的是"); k >= 0 {
						if m := reCompZH.FindStringSubmatch(so[k+len("中标的是"):]); m != nil {
							comp = m[1]
						}
					}
				}
				if comp == "我们" || comp == "我方" {
					continue
				}
				n.add(Proposal{Kind: ProposeLost, Competitor: strings.TrimSpace(comp), Reason: lostReason(n, c.sent), Evidence: n.quoteSent(c.sent)})
				return
			}
		}
	}
	r.signedBySubject(n)
	// the contract signed (s8.m1) is the deal won, at the customer's last stage
	for _, p := range n.props {
		if p.Kind == ProposeCheck && p.Item == "s8.m1" {
			n.add(Proposal{Kind: ProposeWon, Evidence: p.Evidence})
			if d.BuyerStage < len(r.pb.Stages) {
				n.add(Proposal{Kind: ProposeBuyerStage, Stage: len(r.pb.Stages), Evidence: p.Evidence})
			}
			return
		}
	}
	for ci := range n.cls {
		c := &n.cls[ci]
		if !containsAny(c.low, wonStems) {
			// no English win words; the Chinese ones follow
		} else if loc := reWonEN.FindStringIndex(c.low); loc != nil {
			if !n.blocked(ci, loc[0], loc[1], false, false) {
				n.add(Proposal{Kind: ProposeWon, Evidence: n.quote(ci)})
				return
			}
		}
		for _, w := range wonZH {
			if i := strings.Index(c.orig, w); i >= 0 && !n.blocked(ci, i, i+len(w), false, false) {
				n.add(Proposal{Kind: ProposeWon, Evidence: n.quote(ci)})
				return
			}
		}
	}
}

// "Greenleaf signed yesterday", "they signed today": the customer, named
// alone as the subject, signed; late in the deal that is the contract
// (s8.m1). Not "signed off", "signed up", "signed the NDA".
var reSubjectSigned = regexp.MustCompile(`^\s*(?:(?:so|and|finally|today|yesterday),?\s+)?([a-z][a-z0-9&.'-]*(?:\s+[a-z][a-z0-9&.'-]*){0,2}?)(?:'ve|\s+have|\s+has)?(?:\s+(?:finally|officially|just|actually))?\s+signed\b`)

func (r *RulesReader) signedBySubject(n *noteCtx) {
	d := n.in.Deal
	if _, ok := r.pb.Item("s8.m1"); !ok || n.active < len(r.pb.Stages)-1 || d.IsChecked("s8.m1") || n.has(ProposeCheck, "s8.m1") {
		return
	}
	subjects := map[string]bool{"they": true, "the customer": true, "the client": true}
	for _, name := range []string{d.Name, d.Customer} {
		if f := strings.Fields(lowerASCII(name)); len(f) > 0 {
			subjects[f[0]] = true
			subjects[strings.Join(f, " ")] = true
		}
	}
	for ci := range n.cls {
		c := &n.cls[ci]
		if c.cjk || !strings.Contains(c.low, "signed") {
			continue
		}
		m := reSubjectSigned.FindStringSubmatchIndex(c.low)
		if m == nil || !subjects[strings.TrimSuffix(c.low[m[2]:m[3]], "'s")] {
			continue
		}
		rest := strings.TrimSpace(c.low[m[1]:])
		if strings.HasPrefix(rest, "off") || strings.HasPrefix(rest, "up") || strings.HasPrefix(rest, "-off") || strings.HasPrefix(rest, "the nda") || strings.HasPrefix(rest, "an nda") || strings.HasPrefix(rest, "the loi") {
			continue
		}
		if n.blocked(ci, m[0], m[1], false, false) {
			continue
		}
		n.add(Proposal{Kind: ProposeCheck, Item: "s8.m1", Evidence: n.quote(ci)})
		return
	}
}

var lostStems = []string{"lost", "went with", "chose", "picked", "selected", "awarded", "gave", "decided"}
var wonStems = []string{"won", "sign", "inked"}

func findLost(c *clause) []int {
	if c.cjk || !containsAny(c.low, lostStems) {
		return nil
	}
	return reLostEN.FindStringIndex(c.low)
}

func lostReason(n *noteCtx, si int) string {
	s := n.sents[si].orig
	for _, k := range []string{"因为", "由于", "原因是", "主要是"} {
		if i := strings.Index(s, k); i >= 0 {
			return strings.Trim(strings.TrimSpace(s[i+len(k):]), "。.，,")
		}
	}
	low := lowerASCII(s)
	if m := reBecause.FindStringSubmatchIndex(low); m != nil {
		return strings.Trim(strings.TrimSpace(s[m[2]:m[3]]), ".,")
	}
	if m := reOnPrice.FindStringSubmatch(low); m != nil {
		return m[1]
	}
	return ""
}

// deal value
var (
	reValueEN = regexp.MustCompile(`\b(deal value|contract value|deal size|worth|valued at|total|total value|total price|total amount|total of|contract for|contract of|order value|order of|priced at|quoted|quote|quotation|our offer|we offered|price is|price of|final price|agreed price|agreed on|a deal of|deal at|came in at|amount|settled at|settled on|closed at|landed at|landed on|agreed at)\b`)
	valueZH   = []string{"合同金额", "合同额", "合同总额", "合同价", "总金额", "金额", "总价", "报价", "项目金额", "成交价", "价格", "订单金额", "单子", "的合同", "的订单", "的项目", "的单", "价钱", "谈到", "定在", "总额"}
	reNoValue = regexp.MustCompile(`\b(budget|competitor|competitors|rival|their offer|they offered|last offer|discount|off)\b`)
	noValueZH = []string{"预算", "竞争对手", "对手", "竞品", "折扣", "优惠", "降价", "便宜", "首付", "预付"}
	// a clause that closes the deal's terms: an amount alone after it
	// ("Contract signed today, 1.35 million.", "…达成共识，135万") is
	// the deal's
	reDealDoneEN = regexp.MustCompile(`\b(signed|countersigned|consensus|agreed|agreement|settled|terms)\b`)
	dealDoneZH   = []string{"签订", "签了", "签约", "签下", "达成共识", "达成一致", "谈妥", "谈好了"}
	reAfterEN    = regexp.MustCompile(`^\s*(deal|contract|order|project|opportunity|po)\b`)
)

// amountAlone reports whether the amount at [s,e) is all its clause
// says, but for an "at"/"about" or 左右/约 around it.
func amountAlone(low string, s, e int) bool {
	rest := strings.TrimSpace(strings.Trim(strings.TrimSpace(low[:s]+" "+low[e:]), "左右约大概.;!。；！"))
	for _, w := range []string{"at", "for", "about", "around", "roughly", "approximately", "some", "in total", "total"} {
		rest = strings.TrimSpace(strings.TrimPrefix(rest, w+" "))
		rest = strings.TrimSpace(strings.TrimSuffix(rest, " "+w))
		if rest == w {
			rest = ""
		}
	}
	return rest == ""
}

func (r *RulesReader) money(n *noteCtx) {
	d := n.in.Deal
	for ci := range n.cls {
		c := &n.cls[ci]
		if !strings.ContainsAny(c.low, "0123456789") {
			continue
		}
		spans := findMoney(c.low)
		if len(spans) == 0 {
			continue
		}
		cue := reValueEN.FindStringIndex(c.low)
		if c.cjk && cue == nil {
			for _, w := range valueZH {
				if i := strings.Index(c.low, w); i >= 0 {
					cue = []int{i, i + len(w)}
					break
				}
			}
		}
		// "价格基本谈妥，118万，…": the amount alone in its clause is the
		// amount the clause before it names
		if cue == nil && len(spans) == 1 && amountAlone(c.low, spans[0].start, spans[0].end) && ci > 0 && n.cls[ci-1].sent == c.sent {
			pc := &n.cls[ci-1]
			if pm := clauseMarks(pc, 0, 0); c.cjk && !pm.neg && !pm.unc && !n.sents[c.sent].hypo && (containsAny(pc.low, valueZH) || containsAny(pc.low, dealDoneZH)) && !containsAny(pc.low, noValueZH) ||
				!c.cjk && !pm.neg && !pm.unc && !n.sents[c.sent].hypo && (reValueEN.MatchString(pc.low) || reDealDoneEN.MatchString(pc.low)) && !reNoValue.MatchString(pc.low) && !reLostEN.MatchString(pc.low) {
				sp := spans[0]
				if sp.rangeEnd == 0 && sp.value > 0 && sp.value != d.Value && !n.has(ProposeValue, "") && !isThreshold(c.low, sp.start, sp.end) {
					n.add(Proposal{Kind: ProposeValue, Value: sp.value, Currency: sp.currency, Evidence: n.quoteSent(c.sent)})
				}
				continue
			}
		}
		for _, sp := range spans {
			if cue == nil && !reAfterEN.MatchString(c.low[sp.end:]) {
				continue
			}
			// "金额超过50万还要报集团", "anything over 500k": a threshold
			if isThreshold(c.low, sp.start, sp.end) {
				continue
			}
			if reNoValue.MatchString(c.low) || containsAny(c.low, noValueZH) {
				break
			}
			if sp.rangeEnd > 0 {
				break // a range is no deal value
			}
			s, e := sp.start, sp.end
			if cue != nil {
				s, e = min(s, cue[0]), max(e, cue[1])
			}
			if n.blocked(ci, s, e, true, true) {
				break
			}
			if sp.value <= 0 || sp.value == d.Value || n.has(ProposeValue, "") {
				break
			}
			cur := sp.currency
			if cur == "" && strings.ContainsAny(c.low[sp.start:sp.end], "万亿") && d.Currency == "" {
				cur = ""
			}
			n.add(Proposal{Kind: ProposeValue, Value: sp.value, Currency: cur, Evidence: n.quote(ci)})
			break
		}
	}
}

// isThreshold reports whether the amount at [s,e) is a bound ("超过50万",
// "50万以上", "over 500k", "up to 1m"), not an amount of the deal.
var (
	reThresholdBeforeEN = regexp.MustCompile(`\b(?:over|above|under|below|more than|less than|up to|at least|at most|exceeding|exceeds|beyond|anything over|no more than|not more than)\s*(?:[a-z$¥€£]{0,4}\s*)?$`)
	reThresholdAfterEN  = regexp.MustCompile(`^\s*(?:or more|or less|or above|and above|and up|or over|plus)\b`)
	thresholdBeforeZH   = []string{"超过", "超出", "不超过", "低于", "高于", "少于", "多于", "不到", "上限", "至少", "最多", "大于", "小于", "以上的", "起步"}
	thresholdAfterZH    = []string{"以上", "以下", "以内", "之内", "上下浮动"}
)

func isThreshold(low string, s, e int) bool {
	before := low[max(0, s-18):s]
	for !utf8.ValidString(before) && len(before) > 0 {
		before = before[1:]
	}
	if reThresholdBeforeEN.MatchString(before) || reThresholdAfterEN.MatchString(low[e:]) {
		return true
	}
	for _, w := range thresholdBeforeZH {
		if strings.HasSuffix(strings.TrimSpace(before), w) {
			return true
		}
	}
	for _, w := range thresholdAfterZH {
		if strings.HasPrefix(strings.TrimSpace(low[e:]), w) {
			return true
		}
	}
	return false
}

var (
	reCloseEN = regexp.MustCompile(`\b(close|closing|close date|sign|signing|signed by|contract by|po by|go-live|decision by|award)\b`)
	closeZH   = []string{"签约", "签合同", "成交", "签单", "落地", "下单"}
)

var reTenderCloses = regexp.MustCompile(`\b(?:submissions?|bids?|bidding|tenders?|rfps?|rfqs?|responses?|applications?|registration|window|q&a|questions?)\s+(?:will\s+|to\s+|shall\s+)?$`)

func (r *RulesReader) closeDate(n *noteCtx) {
	d := n.in.Deal
	for ci := range n.cls {
		c := &n.cls[ci]
		if len(c.whens) == 0 {
			continue
		}
		cue := reCloseEN.FindStringIndex(c.low)
		if cue == nil && c.cjk {
			for _, w := range closeZH {
				if i := strings.Index(c.low, w); i >= 0 {
					cue = []int{i, i + len(w)}
					break
				}
			}
		}
		if cue != nil && strings.HasPrefix(c.low[cue[1]:], "-off") || cue != nil && strings.HasPrefix(c.low[cue[1]:], " off") {
			cue = nil
		}
		if cue == nil {
			continue
		}
		// "decision by" is a decision date, read as an info field
		if strings.HasPrefix(c.low[cue[0]:], "decision by") {
			continue
		}
		// "submissions close on December 22": the bid deadline, not ours
		if reTenderCloses.MatchString(c.low[:cue[0]]) {
			continue
		}
		for _, w := range c.whens {
			if !w.day.After(midnight(n.now)) {
				continue
			}
			if n.blocked(ci, min(cue[0], w.start), max(cue[1], w.end), true, true) {
				break
			}
			date := w.day.Format("2006-01-02")
			if date != d.CloseDate && !n.has(ProposeCloseDate, "") {
				n.add(Proposal{Kind: ProposeCloseDate, Date: date, Evidence: n.quote(ci)})
			}
			break
		}
	}
}

func (r *RulesReader) buyer(n *noteCtx) {
	if n.has(ProposeBuyerStage, "") {
		return
	}
	best, bestCI := 0, -1
	for ci := range n.cls {
		for _, h := range r.match(&n.cls[ci], r.buyers) {
			if n.blockedHit(ci, h, false, false) {
				continue
			}
			if h.p.stage > best {
				best, bestCI = h.p.stage, ci
			}
		}
	}
	if best > n.in.Deal.BuyerStage && bestCI >= 0 {
		n.add(Proposal{Kind: ProposeBuyerStage, Stage: best, Evidence: n.quote(bestCI)})
	}
}

var reInfoTrimEnd = regexp.MustCompile(`(?i)(?:\s|\b(?:are|is|were|was|both|also|all|still|now)\b|都|也|还)+$`)

var reInfoTrim = regexp.MustCompile(`^(?:\s|is|are|was|were|:|：|是|为|有|大概|大约|约|about|around|roughly|approximately)+`)

func (r *RulesReader) infos(n *noteCtx) {
	d := n.in.Deal
	for ci := range n.cls {
		c := &n.cls[ci]
		for _, h := range r.match(c, r.info) {
			if n.has(ProposeInfo, h.p.id) || n.blockedHit(ci, h, true, true) {
				continue
			}
			// once the bid is in, a date said of the opening is no deadline
			if h.p.id == "s5.i3.bid_deadline" && (n.active > 5 || d.IsChecked("s6.m1") || n.has(ProposeCheck, "s6.m1")) {
				continue
			}
			val := ""
			switch h.p.value {
			case playbook.ValueMoney:
				for _, sp := range findMoney(c.low) {
					val = strings.TrimSpace(c.orig[sp.start:sp.end])
					break
				}
			case playbook.ValueDate:
				// the date said after the phrase ("tender goes live on
				// December 14 and bids must be lodged by January 11"),
				// else the nearest before it
				for _, w := range c.whens {
					if !w.day.IsZero() {
						if w.start >= h.start {
							val = w.day.Format("2006-01-02")
							break
						}
						val = w.day.Format("2006-01-02")
					}
				}
			default:
				rest := c.orig[h.end:]
				if len(h.segs) > 1 && strings.TrimSpace(strings.Trim(rest, "。.，,；;")) == "" {
					rest = c.orig[h.segs[0][1]:h.segs[1][0]] // "也在跟汉得接触": the gap names it
				}
				rest = reInfoTrim.ReplaceAllString(rest, "")
				rest = strings.Trim(strings.TrimSpace(rest), "。.，,；;")
				// "Siemens and Itron are both in the running": said before
				if rest == "" && h.start > 0 {
					rest = strings.TrimSpace(reInfoTrimEnd.ReplaceAllString(c.orig[:h.start], ""))
					rest = strings.Trim(rest, "。.，,；;")
				}
				if utf8.RuneCountInString(rest) > 200 {
					rest = string([]rune(rest)[:200])
				}
				val = rest
			}
			if val == "" || d.Info[h.p.id] == val {
				continue
			}
			n.add(Proposal{Kind: ProposeInfo, Field: h.p.id, Text: val, Evidence: n.quote(ci)})
		}
	}
}
