package coach

import (
	"regexp"
	"strings"
)

// Markers of negation, uncertainty, plans and wishes. A marker counts when
// it lies outside the matched phrase: "not interested" negates
// "interested", while the phrase "不支持" (opposes) carries its own 不.
var (
	reNegEN  = regexp.MustCompile(`\b(not|no|never|none|nobody|nothing|neither|nor|without|yet to|failed to|refused|declined|lack|lacks)\b`)
	reUncEN  = regexp.MustCompile(`\b(might|may|maybe|perhaps|possibly|probably|likely|unlikely|hopefully|hope|hoping|not sure|unsure|seems|seem|seemed|apparently|rumou?red|guess|potentially|would|could|should|want to|wants to|wanted to|would like|try to|trying to|tried to|ask whether|see if)\b`)
	rePlanEN = regexp.MustCompile(`\b(will|shall|going to|gonna|plan|plans|planned|planning|expect|expects|expected|expecting|intend|intends|aim to|aims to|need to|needs to|have to|has to|pending|awaiting|waiting|wait for|tbd|tentative|tentatively|next step|next steps|upcoming|soon|target|targeting|about to|supposed to|prepare|preparing|scheduled|once|after we|before we|to be)\b`)
	// past-tense cues of a meeting that already took place
	rePastEN = regexp.MustCompile(`\b(met|visited|had|held|went|was|were|did|gave|ran|called|spoke|talked|presented|demoed|attended|joined)\b`)
)

var negZH = []string{"没", "未", "不", "别", "无", "非", "否"}

// words containing a negation character that are not negations
var negZHExcept = []string{"不错", "不少", "不断", "不久", "不仅", "不但", "不过", "不同", "不得不", "差不多", "不管", "不光", "了不起", "不论", "不妨", "不一定", "无论", "无锡", "非常", "是非", "非洲", "未来", "是否", "别的", "分别", "特别", "区别", "级别", "类别", "识别", "告别", "无缝", "并非只", "不久前", "不然", "要不要", "行不行", "能不能", "是不是", "有没有", "好不好"}

var uncZH = []string{"可能", "也许", "或许", "好像", "似乎", "估计", "不确定", "说不定", "不一定", "貌似", "听说", "应该", "看看", "能否", "能不能", "争取", "想要", "希望", "打算", "尽量", "有望", "试试", "是不是", "有没有", "要不要"}

var planZH = []string{"将", "计划", "预计", "准备", "拟", "下一步", "待", "等待", "还在等", "在等", "等着", "等他们", "等客户", "等对方", "尚待", "即将", "要在", "需要", "预定", "预期", "目标是", "会", "想"}

// 会 and 想 are plan markers only as modal verbs, not inside these words
var planZHExcept = []string{"会议", "开会", "会面", "会上", "会谈", "会后", "交流会", "研讨会", "会见", "机会", "社会", "会员", "协会", "委员会", "体会", "理会", "误会", "领会", "学会", "会签", "会场", "会议室", "电话会", "视频会", "例会", "年会", "想法", "理想", "思想", "感想", "设想", "将近", "待遇", "接待", "招待", "期待"}

// marks reports the markers of a clause outside [from, to).
type marks struct{ neg, unc, plan, past bool }

func clauseMarks(c *clause, from, to int) marks {
	return clauseMarksIn(c, [][2]int{{from, to}})
}

// clauseMarksIn is clauseMarks outside several spans (the parts of a
// phrase with gaps: a marker in a gap counts).
func clauseMarksIn(c *clause, spans [][2]int) marks {
	var m marks
	low := maskWhens(c)
	inside := func(a, b int) bool {
		for _, s := range spans {
			if a < s[1] && b > s[0] {
				return true
			}
		}
		return false
	}
	outside := func(idx [][]int) bool {
		for _, x := range idx {
			if !inside(x[0], x[1]) {
				return true
			}
		}
		return false
	}
	m.neg = outside(reNegEN.FindAllStringIndex(low, -1))
	m.unc = outside(reUncEN.FindAllStringIndex(low, -1))
	m.plan = outside(rePlanEN.FindAllStringIndex(low, -1))
	m.past = outside(rePastEN.FindAllStringIndex(low, -1))
	if c.cjk {
		m.neg = m.neg || zhMarkerOut(low, negZH, negZHExcept, inside)
		m.unc = m.unc || zhMarkerOut(low, uncZH, nil, inside)
		m.plan = m.plan || zhMarkerOut(low, planZH, planZHExcept, inside)
		m.past = m.past || strings.Contains(low, "了") || strings.Contains(low, "已") || strings.Contains(low, "过")
	}
	return m
}

// maskWhens blanks the clause's dates so "May 5" is no "may".
func maskWhens(c *clause) string {
	if len(c.whens) == 0 {
		return c.low
	}
	b := []byte(c.low)
	for _, w := range c.whens {
		for i := w.start; i < w.end && i < len(b); i++ {
			if b[i] < 0x80 {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

func zhMarker(s string, markers, except []string, from, to int) bool {
	return zhMarkerOut(s, markers, except, func(a, b int) bool { return a < to && b > from })
}

func zhMarkerOut(s string, markers, except []string, inside func(a, b int) bool) bool {
	for _, mk := range markers {
		for off := 0; ; {
			i := strings.Index(s[off:], mk)
			if i < 0 {
				break
			}
			i += off
			off = i + len(mk)
			if inside(i, i+len(mk)) {
				continue // inside the phrase
			}
			if inExcept(s, i, len(mk), except) {
				continue
			}
			return true
		}
	}
	return false
}

// inExcept reports whether the marker at s[i:i+n] is part of one of the
// exception words.
func inExcept(s string, i, n int, except []string) bool {
	for _, e := range except {
		k := strings.Index(e, s[i:i+n])
		if k < 0 {
			continue
		}
		st := i - k
		if st >= 0 && st+len(e) <= len(s) && s[st:st+len(e)] == e {
			return true
		}
	}
	return false
}
