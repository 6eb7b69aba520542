package coach

import (
	"regexp"
	"strings"

	"github.com/stagecoach/stagecoach/playbook"
)

// verbClasses are sets of English words and phrases that say the same
// thing in a rep's note, all in the past (done) form: an evidence phrase
// written with one of them is also found with any other ("submitted our
// bid" also finds "handed in our bid", "lodged our bid"). Only past forms
// are listed, so a variant never turns a plan ("we submit next week")
// into a done thing; the modality rules still read every clause.
var verbClasses = [][]string{
	// sent a document
	{"submitted", "sent", "sent over", "handed in", "handed over", "delivered", "emailed", "emailed over", "forwarded", "lodged", "filed", "put in", "turned in", "sent across", "shared"},
	// held a session
	{"did", "ran", "held", "completed", "finished", "wrapped up", "conducted", "carried out", "hosted", "got through", "delivered"},
	// went well
	{"went well", "went great", "went smoothly", "went down well", "landed well", "went really well", "went very well", "landed really well", "went down really well", "was a success", "was a hit", "went over well"},
	// booked a meeting
	{"booked", "set up", "scheduled", "arranged", "lined up", "locked in", "organised", "organized", "fixed"},
	// asked for something
	{"asked for", "requested", "asked us for"},
	// put a document together
	{"put together", "pull together", "pulled together", "prepare", "draw up", "write up", "work up"},
	// leads the project
	{"owns", "runs", "leads", "heads up", "heads", "is driving", "is leading", "is running", "is heading up", "drives", "spearheads", "is spearheading"},
	// is done
	{"is done", "is finished", "is complete", "is completed", "is wrapped up", "was completed", "was finished", "is signed off"},
	// pleased with a document
	{"happy with", "pleased with", "satisfied with", "positive about", "comfortable with", "very happy with", "delighted with"},
	// signed
	{"signed", "countersigned", "executed", "inked"},
}

// verbVariant maps a member of a class to its class.
var verbVariant = func() map[string]int {
	m := map[string]int{}
	for ci, cl := range verbClasses {
		for _, w := range cl {
			if _, dup := m[w]; !dup {
				m[w] = ci
			}
		}
	}
	return m
}()

// variants returns an English evidence phrase (lower-cased) and its
// variants: the first class member found in it, as whole words and
// longest first, replaced by each other member of its class.
func variants(s string) []string {
	out := []string{s}
	// "buying process is" also as "buying process:"
	for _, be := range []string{" is", " are"} {
		if t, ok := strings.CutSuffix(s, be); ok && !strings.Contains(t, playbook.Gap) && strings.Contains(t, " ") {
			out = append(out, t+":")
		}
	}
	ws := words(s)
	for i := range ws {
		// longest member starting at word i (up to four words)
		best, bestEnd := -1, 0
		for j := i; j < len(ws) && j < i+4; j++ {
			if ci, ok := verbVariant[s[ws[i].s:ws[j].e]]; ok {
				best, bestEnd = ci, ws[j].e
			}
		}
		if best < 0 {
			continue
		}
		cur := s[ws[i].s:bestEnd]
		if cur == s {
			// a one-verb phrase ("countersigned") stays itself: its
			// class mates alone say too little ("signed off")
			return out
		}
		for _, w := range verbClasses[best] {
			if w != cur {
				out = append(out, s[:ws[i].s]+w+s[bestEnd:])
			}
		}
		return out
	}
	return out
}

// zhLe is the aspect particle a result complement goes before.
const zhLe = "了"

// endsWithDoneVerb reports whether a Chinese phrase part ends with a
// verb that takes a result complement (做, 提交, 签…): "做了…访谈" also
// finds "做完了…访谈" and "做好了…访谈".
func endsWithDoneVerb(s string) bool {
	for _, v := range zhDoneVerbs {
		if strings.HasSuffix(s, v) {
			return true
		}
	}
	return false
}

var zhDoneVerbs = []string{"做", "提交", "递交", "交", "发", "签", "完成", "开", "谈", "讲", "演示", "访谈", "确认", "写"}

// mappedSides ticks "supporters and opponents mapped; main doubts
// answered" (s4.s4) at the stage that asks for it when one note names
// both a supporter and an opponent and says the doubts were answered
// ("Zhang Min is a supporter; Chen Gang is an opponent, but his main
// doubts were answered").
func (r *RulesReader) mappedSides(n *noteCtx) {
	const id = "s4.s4"
	if it, ok := r.pb.Item(id); !ok || it.Stage != n.active || n.in.Deal.IsChecked(id) || n.has(ProposeCheck, id) {
		return
	}
	var sup, opp *Proposal
	for i := range n.props {
		p := &n.props[i]
		if p.Kind != ProposeAddContact && p.Kind != ProposeEditContact {
			continue
		}
		switch p.Attitude {
		case AttitudeSupporter:
			sup = p
		case AttitudeOpponent:
			opp = p
		}
	}
	if sup == nil || opp == nil || sup.Name == opp.Name {
		return
	}
	answered := false
	for ci := range n.cls {
		c := &n.cls[ci]
		if m := clauseMarks(c, 0, 0); m.neg || m.unc || n.sents[c.sent].hypo {
			continue
		}
		if m := reDoubtsEN.FindStringIndex(c.low); m != nil && !n.blocked(ci, m[0], m[1], false, false) {
			answered = true
		}
		if c.cjk && containsAny(c.orig, doubtsZH) && containsAny(c.orig, answeredZH) {
			answered = true
		}
	}
	if !answered {
		return
	}
	ev := sup.Evidence
	if opp.Evidence != ev {
		ev += " … " + opp.Evidence
	}
	n.add(Proposal{Kind: ProposeCheck, Item: id, Evidence: ev})
}

var (
	reDoubtsEN = regexp.MustCompile(`\b(?:doubts?|concerns?|objections?|questions)\b.{0,30}\b(?:answered|addressed|resolved|cleared up|dealt with)\b`)
	doubtsZH   = []string{"疑虑", "顾虑", "疑问", "担心"}
	answeredZH = []string{"解答", "解决", "打消", "消除"}
)

// titleRoles gives the role a title alone makes plain: 张秘书, 李助理 are
// someone's assistant, whatever else the sentence says.
func titleRoles(n *noteCtx) {
	for i := range n.props {
		p := &n.props[i]
		if p.Kind != ProposeAddContact || p.Role != "" {
			continue
		}
		for _, t := range []string{"秘书", "助理"} {
			if rs := []rune(p.Name); len(rs) == 1+len([]rune(t)) && strings.HasSuffix(p.Name, t) {
				p.Role = RoleOther
			}
		}
	}
}

// namesCustomer reports whether the text names the deal's customer by a
// word of its name or the deal's ("Orchard" of "Orchard Foods").
func namesCustomer(low string, d *Deal) bool {
	for _, w := range words(lowerASCII(d.Name + " " + d.Customer)) {
		if len(w.w) >= 4 {
			for _, x := range words(low) {
				if x.w == w.w {
					return true
				}
			}
		}
	}
	return false
}

// vendorAcronym reports whether an all-capitals word a customer chose is a
// vendor ("chose SAP"), not a kind of system ("chose ERP").
func vendorAcronym(w string) bool {
	if len(w) < 2 || strings.ToUpper(w) != w || systemKinds[w] {
		return false
	}
	return true
}

var systemKinds = map[string]bool{"ERP": true, "CRM": true, "WMS": true, "MES": true, "HR": true, "IT": true, "BI": true, "API": true, "SAAS": true, "TMS": true, "PLM": true, "SCM": true, "OA": true, "HRIS": true, "EHR": true, "EMR": true, "LMS": true, "CMS": true}
