package coach

import (
	"strings"
)

// Markers of negation, uncertainty, plans and wishes. A marker counts when
// it lies outside the matched phrase: "not interested" negates
// "interested", while the phrase "不支持" (opposes) carries its own 不.
// English markers by category; two-word ones are looked up as pairs.
const (
	mkNeg = 1 << iota
	mkUnc
	mkPlan
	mkPast
	mkHypo
	mkFuture
)

var enMark = map[string]int{}

func init() {
	add := func(cat int, words string) {
		for _, w := range strings.Split(words, ",") {
			enMark[strings.TrimSpace(w)] |= cat
		}
	}
	add(mkNeg, "not,no,never,none,nobody,nothing,neither,nor,without,refused,declined,lack,lacks,yet to,failed to")
	add(mkUnc, "most,mostly,almost,nearly,partly,partially,largely,still open,outstanding,unresolved,not yet,might,may,maybe,perhaps,possibly,probably,likely,unlikely,hopefully,hope,hoping,unsure,seems,seem,seemed,apparently,rumored,rumoured,guess,potentially,would,could,should,not sure,want to,wants to,wanted to,would like,try to,trying to,tried to,ask whether,see if")
	add(mkFuture, "next week,next month,next year,later this month,later this week")
	add(mkPlan, "will,shall,gonna,plan,plans,planned,planning,expect,expects,expected,expecting,intend,intends,pending,awaiting,waiting,tbd,tentative,tentatively,upcoming,soon,target,targeting,prepare,preparing,scheduled,once,going to,aim to,aims to,need to,needs to,have to,has to,wait for,next step,next steps,about to,supposed to,after we,before we,to be")
	add(mkPast, "met,visited,had,held,went,was,were,did,gave,ran,called,spoke,talked,presented,demoed,attended,joined,sent,submitted,delivered,finished,completed,received,shared,showed,cleared,passed,spent,handed,emailed,reviewed,discussed")
	add(mkHypo, "if,unless,whether,suppose,supposing,assuming,in case,provided that,as long as")
}

// word is an ASCII word of a lower-cased text.
type word struct {
	w    string
	s, e int
}

// words splits lower-cased text into [a-z0-9] words.
func words(low string) []word {
	var out []word
	for i := 0; i < len(low); {
		c := low[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			i++
			continue
		}
		j := i
		for j < len(low) && (low[j] >= 'a' && low[j] <= 'z' || low[j] >= '0' && low[j] <= '9') {
			j++
		}
		out = append(out, word{low[i:j], i, j})
		i = j
	}
	return out
}

// enMarkers finds the English markers of low.
func enMarkers(low string, m *markIdx) (hypo bool) {
	ws := words(low)
	for i, w := range ws {
		for k := 0; k < 3 && i+k < len(ws); k++ {
			key, end := w.w, ws[i+k].e
			if k > 0 {
				if ws[i+k].s-ws[i+k-1].e != 1 {
					break
				}
				key = low[w.s:end]
			}
			cat, ok := enMark[key]
			if !ok {
				continue
			}
			span := []int{w.s, end}
			if cat&mkNeg != 0 {
				m.neg = append(m.neg, span)
			}
			if cat&mkUnc != 0 {
				m.unc = append(m.unc, span)
			}
			if cat&mkPlan != 0 {
				m.plan = append(m.plan, span)
			}
			if cat&mkPast != 0 {
				m.past = append(m.past, span)
			}
			if cat&mkFuture != 0 {
				m.future = append(m.future, span)
			}
			if cat&mkHypo != 0 {
				hypo = true
			}
		}
	}
	return hypo
}

var negZH = []string{"没", "未", "不", "别", "无", "非", "否"}

// words containing a negation character that are not negations
var negZHExcept = []string{"不错", "不少", "不断", "不久", "不仅", "不但", "不过", "不同", "不得不", "差不多", "不管", "不光", "了不起", "不论", "不妨", "不一定", "无论", "无锡", "非常", "是非", "非洲", "未来", "是否", "别的", "分别", "特别", "区别", "级别", "类别", "识别", "告别", "无缝", "并非只", "不久前", "不然", "要不要", "行不行", "能不能", "是不是", "有没有", "好不好"}

var uncZH = []string{"基本", "大体", "大致", "差不多", "部分", "还差", "可能", "也许", "或许", "好像", "似乎", "估计", "不确定", "说不定", "不一定", "貌似", "听说", "应该", "看看", "能否", "能不能", "争取", "想要", "希望", "打算", "尽量", "有望", "试试", "是不是", "有没有", "要不要"}

// not hedges: "财务部分别" (department + 分别); and a hedged agreement
// ("基本谈妥", "基本同意") is an agreement reps state as made, unlike a
// hedged completion ("基本完成")
var uncZHExcept = []string{"部分别", "部分管", "基本同意", "基本上同意", "基本谈妥", "基本都谈妥", "基本上谈妥", "基本谈好", "基本达成", "基本敲定", "基本确定", "基本定了", "基本认可", "基本接受"}

var futureZH = []string{"下周", "下个月", "下月", "明年", "下一周"}

var planZH = []string{"将", "计划", "预计", "准备", "拟", "下一步", "待", "等待", "还在等", "在等", "等着", "等他们", "等客户", "等对方", "尚待", "即将", "要在", "需要", "预定", "预期", "目标是", "会", "想"}

// 会 and 想 are plan markers only as modal verbs, not inside these words
var planZHExcept = []string{"会议", "开会", "会面", "会上", "会谈", "会后", "交流会", "研讨会", "会见", "机会", "社会", "会员", "协会", "委员会", "体会", "理会", "误会", "领会", "学会", "会签", "会场", "会议室", "电话会", "视频会", "例会", "年会", "想法", "理想", "思想", "感想", "设想", "将近", "待遇", "接待", "招待", "期待"}

// marks reports the markers of a clause outside [from, to).
type marks struct{ neg, unc, plan, past, future bool }

func clauseMarks(c *clause, from, to int) marks {
	return clauseMarksIn(c, [][2]int{{from, to}})
}

// markIdx holds where a clause's markers are, found once per clause.
type markIdx struct {
	neg, unc, plan, past, future [][]int
}

func (c *clause) markers() *markIdx {
	if c.mk != nil {
		return c.mk
	}
	low := maskWhens(c)
	m := &markIdx{}
	enMarkers(low, m)
	if c.cjk {
		m.neg = append(m.neg, zhMarkerIdx(low, negZH, negZHExcept)...)
		m.unc = append(m.unc, zhMarkerIdx(low, uncZH, uncZHExcept)...)
		m.plan = append(m.plan, zhMarkerIdx(low, planZH, planZHExcept)...)
		m.future = append(m.future, zhMarkerIdx(low, futureZH, nil)...)
		m.past = append(m.past, zhMarkerIdx(low, []string{"了", "已", "过"}, nil)...)
	}
	c.mk = m
	return m
}

// clauseMarksIn is clauseMarks outside several spans (the parts of a
// phrase with gaps: a marker in a gap counts).
func clauseMarksIn(c *clause, spans [][2]int) marks {
	mk := c.markers()
	outside := func(idx [][]int) bool {
	next:
		for _, x := range idx {
			for _, s := range spans {
				if x[0] < s[1] && x[1] > s[0] {
					continue next
				}
			}
			return true
		}
		return false
	}
	return marks{neg: outside(mk.neg), unc: outside(mk.unc), plan: outside(mk.plan), past: outside(mk.past), future: outside(mk.future)}
}

// zhMarkerIdx returns the spans of the markers in s that are not part of
// an exception word.
func zhMarkerIdx(s string, markers, except []string) [][]int {
	var out [][]int
	for _, mk := range markers {
		for off := 0; ; {
			i := strings.Index(s[off:], mk)
			if i < 0 {
				break
			}
			i += off
			off = i + len(mk)
			if !inExcept(s, i, len(mk), except) {
				out = append(out, []int{i, i + len(mk)})
			}
		}
	}
	return out
}

// maskWhens blanks the clause's dates so "May 5" is no "may".
func maskWhens(c *clause) string {
	if len(c.whens) == 0 {
		return c.low
	}
	b := []byte(c.low)
	for _, w := range c.whens {
		for i := w.start; i < w.end && i < len(b); i++ {
			b[i] = ' ' // same length, so offsets stay
		}
	}
	return string(b)
}

func zhMarker(s string, markers, except []string, from, to int) bool {
	for _, x := range zhMarkerIdx(s, markers, except) {
		if x[0] >= to || x[1] <= from {
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
