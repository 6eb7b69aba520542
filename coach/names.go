package coach

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// person is a person named in a clause.
type person struct {
	start, end int // byte offsets in the clause
	name       string
	title      string
	surname    string // zh: the surname of a "王总"-style mention
	titled     bool   // zh: surname + title only
}

// Common Chinese surnames that are rarely the first character of an
// ordinary word (方, 高, 成, 文 … are left out: 方案, 高层, 成本, 文件).
const zhSurnames = "王李张刘陈杨黄赵吴徐孙朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜叶魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦邹孟熊秦邱薛闫雷侯陶贺顾郝龚邵钱覃戴孔汤倪庄聂岳翟殷詹欧耿焦俞柳祝阮柯纪梅凌裴霍涂苗盛翁冉骆蓝辛靳柴鲍喻祁蒲滕屈饶马周田石任白"

// Surnames also used with a title only ("方总", "高经理").
const zhTitleSurnames = zhSurnames + "方高成文于安万严常温康施牛葛邢齐乔伍颜鲁章单季关向尹"

var zhTitles = []string{"副总经理", "总经理", "董事长", "总工程师", "总监", "总工", "总裁", "副总", "经理", "主任", "部长", "处长", "科长", "局长", "院长", "厂长", "主管", "工程师", "老师", "博士", "书记", "所长", "行长", "组长", "总", "工", "董"}

// titles that say what the person does (kept as the contact's title)
var zhTitleKeep = map[string]bool{"副总经理": true, "总经理": true, "董事长": true, "总工程师": true, "总监": true, "总工": true, "总裁": true, "副总": true, "经理": true, "主任": true, "部长": true, "处长": true, "科长": true, "局长": true, "院长": true, "厂长": true, "主管": true, "工程师": true, "书记": true, "所长": true, "行长": true, "组长": true}

// two characters ending in a surname that form an ordinary word
var zhNotName = []string{"对方", "双方", "我方", "甲方", "乙方", "各方", "同时", "当时", "按时", "准时", "临时", "平时", "有时", "何时", "及时", "提高", "最高", "很高", "较高", "以及", "过程", "工程", "流程", "日程", "进程", "课程", "全程", "专程", "规程", "章程", "行程", "议程", "项目", "事项", "选项", "款项", "单项", "前期", "初期", "长期", "后期", "到期", "周期", "工期", "近期", "延期", "改期", "日期", "定期", "期间", "中间", "时间", "空间", "区间", "房间", "民间", "晚间", "夜间", "人员", "成员", "组员", "委员", "会员", "全员", "官员", "学员", "动员", "其余", "多余", "业余", "剩余", "我们", "他们", "发生", "先生", "学生", "产生", "卫生", "医生", "回复", "答复", "恢复", "报告", "劝告", "广告", "上周", "下周", "本周", "每周", "这周", "四周", "一周", "两周",
	// ordinary words that begin with a surname (谢谢 is no Mr 谢)
	"谢谢", "谢意", "周末", "周边", "周年", "周到", "任何", "任务", "白天", "白色", "石油", "黄金", "钱款", "金额", "马上", "田间", "林业", "宋体", "孙子", "钟头", "雷同"}

// characters that cannot be part of a given name
const zhNotGiven = "是的了和在说总经部也都很对要会有与跟同就还把被让给向从到这那个们人我你他她它啊吗呢吧啦么及或但而并又再才已将能可应该需没不未无请问为以于上下中前后里外内来去过着一二三四五六七八九十月日号年点分今明昨周天时候方案报价合同项目公司客户演示交流签约预算采购决策技术领导老板团队打发来去见约谈聊问看做写送带帮回找开签提交讲给让叫通"

// markers right after a bare Chinese name
var zhAfterName = []string{"是", "说", "表示", "认为", "负责", "对", "很", "也", "提到", "告诉", "介绍", "觉得", "来自", "作为", "担任", "（", "(", "，", ",", "、", "和", "今天", "明确", "同意", "答应", "比较", "非常", "一直", "已经", "还", "主要", "倾向", "支持", "反对", "偏向", "态度", "那边", "这边", "的态度", "担心", "关心", "希望", "要求", "问", "看了", "参加", "出席", "在", "打", "发", "来", "去", "约", "谈", "聊", "看", "做", "写", "送", "带", "帮", "回", "找", "开", "签", "提", "讲", "给", "让", "叫", "见", "通", "打了", "说了", "的", "当场", "当即", "亲自", "本人", "目前", "现在", "随后", "后来", "马上", "立刻", "特别", "明显", "只是", "最后", "却", "就", "都", "会", "要", "想", "把", "被"}

// what may come right before a bare Chinese name
var zhBeforeName = []string{"董事长", "总经理", "副总", "总裁", "院长", "厂长", "局长", "行长", "所长", "书记", "组长", "总工", "见了", "拜访了", "联系了", "认识了", "约了", "和", "跟", "与", "同", "见", "找", "是", "的", "人", "叫", "名叫", "：", ":", "、", "给", "给了", "交给", "问", "请", "约", "由", "向", "让", "主任", "经理", "总监", "部长", "处长", "科长", "主管", "工程师", "负责人", "对接人", "经手人", "联系人"}

// zhPersons finds Chinese names: surname + title (王总, 李经理) or surname
// + one or two characters in a name position (李伟是…, 见了张晓明，).
func zhPersons(s string) []person {
	var out []person
	rs := []rune(s)
	offs := make([]int, len(rs)+1)
	o := 0
	for i, r := range rs {
		offs[i] = o
		o += utf8.RuneLen(r)
	}
	offs[len(rs)] = o
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !strings.ContainsRune(zhTitleSurnames, r) {
			continue
		}
		if i > 0 && isCJK(rs[i-1]) {
			bi := string(rs[i-1 : i+1])
			blocked := false
			for _, w := range zhNotName {
				if w == bi {
					blocked = true
				}
			}
			if blocked {
				continue
			}
		}
		if i+1 < len(rs) {
			pair := string(rs[i:min(len(rs), i+2)])
			blocked := false
			for _, w := range zhNotName {
				if w == pair {
					blocked = true
				}
			}
			if blocked {
				continue
			}
		}
		rest := string(rs[i+1:])
		// surname + title
		found := false
		for _, t := range zhTitles {
			if !strings.HasPrefix(rest, t) {
				continue
			}
			end := i + 1 + utf8.RuneCountInString(t)
			if t == "总" || t == "工" || t == "董" {
				if end < len(rs) && strings.ContainsRune("部结额价数体量计之共账包是事", rs[end]) && !(rs[end] == '是' && end+1 < len(rs) && strings.ContainsRune("经决我他她项", rs[end+1])) {
					break
				}
				if t == "工" && end < len(rs) && strings.ContainsRune("作程具厂期资人艺业", rs[end]) {
					break
				}
			}
			p := person{start: offs[i], end: offs[end], name: string(rs[i:end]), surname: string(r), titled: true}
			// the title is in the name already; keep it only with a department
			if zhTitleKeep[t] {
				if dept := zhDeptBefore(rs, i); dept != "" {
					p.title = dept + t
				}
			}
			out = append(out, p)
			i = end - 1
			found = true
			break
		}
		if found || !strings.ContainsRune(zhSurnames, r) {
			continue
		}
		// surname + given name in a name position
		if i > 0 {
			ok := !isCJK(rs[i-1])
			for _, b := range zhBeforeName {
				if strings.HasSuffix(string(rs[:i]), b) {
					ok = true
				}
			}
			if !ok {
				continue
			}
		}
		for _, n := range []int{2, 1} {
			end := i + 1 + n
			if end > len(rs) {
				continue
			}
			good := true
			for _, g := range rs[i+1 : end] {
				if !isCJK(g) || strings.ContainsRune(zhNotGiven, g) {
					good = false
				}
			}
			if !good {
				continue
			}
			after := string(rs[end:])
			okAfter := after == "" || strings.HasPrefix(after, " ") || strings.ContainsRune("。！？；.!?;", []rune(after)[0])
			for _, a := range zhAfterName {
				if strings.HasPrefix(after, a) {
					okAfter = true
				}
			}
			if !okAfter {
				continue
			}
			p := person{start: offs[i], end: offs[end], name: string(rs[i:end]), surname: string(r)}
			if t := zhTitleAround(rs, i, end); t != "" {
				p.title = t
			}
			out = append(out, p)
			i = end - 1
			break
		}
	}
	return out
}

var reZhDept = regexp.MustCompile(`([\p{Han}A-Za-z]{1,6}?(?:部|中心|处|科|办|室|组|厂))的?$`)

// zhDeptBefore returns the department written right before position i
// ("采购部的李经理" → "采购部").
func zhDeptBefore(rs []rune, i int) string {
	lo := max(0, i-8)
	m := reZhDept.FindStringSubmatch(string(rs[lo:i]))
	if m == nil {
		return ""
	}
	d := m[1]
	for _, p := range []string{"见了", "拜访了", "联系了", "和", "跟", "与", "是", "的", "了"} {
		if k := strings.LastIndex(d, p); k >= 0 {
			d = d[k+len(p):]
		}
	}
	if utf8.RuneCountInString(d) < 2 {
		return ""
	}
	return d
}

var reZhTitleWord = regexp.MustCompile(`^[\p{Han}A-Za-z]{0,8}?(?:副总经理|总经理|董事长|总工程师|总监|总裁|副总|经理|主任|部长|处长|科长|主管|工程师|负责人|CIO|CFO|CTO|CEO|COO)`)
var reZhTitleBefore = regexp.MustCompile(`([\p{Han}A-Za-z]{1,8}?(?:副总经理|总经理|董事长|总监|总裁|副总|经理|主任|部长|处长|科长|主管|工程师|CIO|CFO|CTO|CEO|COO))$`)

// reZhPronounTitle is a clause that only says what he or she is: "他是物流部经理",
// "她担任信息中心主任" (the whole clause, so "他是经理介绍的" is not one).
var reZhPronounTitle = regexp.MustCompile(`^(?:他|她)(?:是|担任|任)([\p{Han}A-Za-z]{0,8}?(?:副总经理|总经理|董事长|总工程师|总监|总裁|副总|经理|主任|部长|处长|科长|主管|工程师|负责人|CIO|CFO|CTO|CEO|COO))[。；;！!]?$`)

// zhTitleAround returns a title in apposition: "李伟（采购部经理）",
// "李伟，采购部经理", or before the name: "信息中心主任刘强".
func zhTitleAround(rs []rune, start, end int) string {
	after := string(rs[end:])
	for _, open := range []string{"（", "(", "，", ","} {
		if rest, ok := strings.CutPrefix(after, open); ok {
			if m := reZhTitleWord.FindString(rest); m != "" {
				return m
			}
		}
	}
	lo := max(0, start-10)
	if m := reZhTitleBefore.FindStringSubmatch(string(rs[lo:start])); m != nil {
		t := m[1]
		for _, p := range []string{"见了", "拜访了", "联系了", "和", "跟", "与", "是", "的", "了", "他们", "对方", "客户"} {
			if k := strings.LastIndex(t, p); k >= 0 {
				t = t[k+len(p):]
			}
		}
		if utf8.RuneCountInString(t) >= 2 {
			return t
		}
	}
	return ""
}

// English words that start with a capital but are not names.
var enNotName = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`I We They He She It You Our Their His Her Its My The A An This That These Those There Here Then Today Tomorrow Yesterday Tonight Next Last
	Met Meet Meeting Called Call Spoke Talked Had Have Has Did Do Does Done Went Go Got Get Sent Send Submitted Gave Ran Held Visited Visit Demo Demoed
	Good Great Bad Nice Quick Short Long Follow Followup Follow-up Update Note Notes Agreed Asked Confirmed Discussed Signed Lost Won Moved Cancelled Canceled
	Rescheduled Postponed Pushed Also Still Just Only Not No Yes Ok Okay And But Or So If When After Before During Since Until While Because Although Though However
	Customer Client Deal Contract Proposal Quote Price Budget Tender Bid Project Team Company Office Site Plant Factory Headquarters Hq
	Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December
	Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Wed Thu Fri Q1 Q2 Q3 Q4 Mr Ms Mrs Dr
	Procurement Finance Legal Operations Sales Marketing Engineering Purchasing Security Logistics Board Management Leadership Technical Tech
	Both Everyone Nobody Someone Anyone Each Every All Some Most Many Much More Less Very Really Overall Apparently Probably Maybe Perhaps Hopefully
	Let Lets Will Would Could Should Might Must Can Need Needs Wants Want Plan Planned Planning Expect Expected Waiting Pending Who What Which Where Why How
	Chinese English Shanghai Beijing Shenzhen Guangzhou Hangzhou Chengdu Wuhan Nanjing Suzhou Tianjin Singapore London Berlin Paris Tokyo China Germany Europe Asia US USA UK
	CEO CFO CIO CTO COO CPO CMO VP IT HR GM RFP RFQ PO POC SOW NDA API ERP CRM WMS TMS SAP
	Terms Signing Pricing Payment Delivery Implementation Rollout Scope Timeline Support Training Integration Pilot Trial Decision Approval Everything
	Feedback Requirements Bids Bid Opening Finance Great Bad News Thanks Sent Booked Ran Gave Submitted Expected Finally Unfortunately Sadly Luckily Wow
	Evaluation Negotiation Negotiations Exchange Workshop Session Review Legal Panel Committee Group Vendor Vendors Supplier Incumbent Competitor`) {
		enNotName[w] = true
	}
}

var orgSuffix = map[string]bool{"Corp": true, "Inc": true, "Ltd": true, "Group": true, "Bank": true, "Co": true, "Logistics": true, "Tech": true, "Technologies": true,
	"Systems": true, "Software": true, "Solutions": true, "Cloud": true, "Labs": true, "Holdings": true, "Motors": true, "Foods": true, "Pharma": true, "Retail": true, "Energy": true, "Airlines": true}

var reCapToken = regexp.MustCompile(`\b(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)?\b`)

// words after which a capitalised word is a company, not a person
var reOrgBefore = regexp.MustCompile(`\b(?:lost to|lose to|losing to|went with|go with|going with|chose|picked|selected|prefer|prefers|against|versus|vs|than|competitor|competitors|rival|at|in|from|awarded to|over|like|using|uses|use|talking to|speaking to|evaluating)\s+$`)

// words after which a single capitalised word is a person
var rePersonBefore = regexp.MustCompile(`(?:\b(?:met|meet|meeting|with|called|call|emailed|email|and|to|spoke to|talked to|introduced|introduced us to|cc|told|asked|contact|contacts|mr|ms|mrs|dr)\s+|,\s*|^)$`)
var rePersonAfter = regexp.MustCompile(`^(?:\s+(?:is|was|said|says|from|agreed|thinks|think|wants|will|asked|confirmed|mentioned|told|liked|likes|seems|prefers|supports|opposes|has|runs|handles|leads|signs|makes|owns|joined|called|emailed|replied|wrote|sounded|seemed|looked|loved|hated|pushed|raised|sees|believes|came|showed|attended|approved|promised|invited|introduced|signed)\b|\s*\(|\s*,)`)

// enPersons finds English names: one to three capitalised words in a
// person position, not companies, months or sentence-initial words.
func enPersons(s string, exclude map[string]bool) []person {
	var out []person
	orgEnd := -1 // end of the last capitalised group read as a company
	toks := reCapToken.FindAllStringIndex(s, -1)
	for i := 0; i < len(toks); {
		// group adjacent tokens separated by one space
		j := i + 1
		for j < len(toks) && j-i < 3 && toks[j][0] == toks[j-1][1]+1 && s[toks[j-1][1]] == ' ' {
			j++
		}
		grp := toks[i:j]
		i = j
		// drop non-name words at either end
		for len(grp) > 0 && (enNotName[strings.TrimSuffix(s[grp[0][0]:grp[0][1]], ".")] || len(grp) > 1 && pastVerbWord(s[grp[0][0]:grp[0][1]])) {
			grp = grp[1:]
		}
		for len(grp) > 0 && (enNotName[s[grp[len(grp)-1][0]:grp[len(grp)-1][1]]] || orgSuffix[s[grp[len(grp)-1][0]:grp[len(grp)-1][1]]]) {
			if orgSuffix[s[grp[len(grp)-1][0]:grp[len(grp)-1][1]]] {
				grp = nil
				break
			}
			grp = grp[:len(grp)-1]
		}
		if len(grp) == 0 {
			continue
		}
		st, en := grp[0][0], grp[len(grp)-1][1]
		name := s[st:en]
		if exclude[strings.ToLower(name)] {
			continue
		}
		skip := false
		for _, g := range grp {
			if exclude[strings.ToLower(s[g[0]:g[1]])] {
				skip = true
			}
		}
		// a company word right after: "Acme Logistics", "Li Wei's team" is fine
		if j < len(toks)+1 && en+1 < len(s) {
			if m := reCapToken.FindStringIndex(s[en:]); m != nil && m[0] == 1 && orgSuffix[s[en+1:en+m[1]]] {
				skip = true
			}
		}
		before := lowerASCII(s[max(0, st-24):st])
		// "against Manhattan and Blue Yonder": what is coordinated with a
		// company is a company
		if orgEnd >= 0 && orgEnd <= st && reCoord.MatchString(s[orgEnd:st]) {
			orgEnd = en
			continue
		}
		if reOrgBefore.MatchString(before) && !strings.HasSuffix(before, "with ") && !reFromPerson.MatchString(before) || skip {
			orgEnd = en
			continue
		}
		if strings.HasSuffix(before, "with ") {
			b2 := lowerASCII(s[max(0, st-30):st])
			if reWentWith.MatchString(b2) {
				continue
			}
		}
		if len(grp) == 1 && !strings.HasPrefix(name, "Mr") && !strings.HasPrefix(name, "Ms") && !strings.HasPrefix(name, "Dr") {
			if !rePersonBefore.MatchString(before) && !rePersonAfter.MatchString(s[en:]) {
				continue
			}
			if st == 0 && (!rePersonAfter.MatchString(s[en:]) || strings.HasSuffix(name, "ing") || strings.HasSuffix(name, "ed")) {
				continue
			}
		}
		out = append(out, person{start: st, end: en, name: name})
	}
	return out
}

// "a call back from Priya Nair": a message from someone is from a person
var reFromPerson = regexp.MustCompile(`\b(?:call|call back|callback|email|e-mail|message|text|reply|note|voicemail|heard|hear|word)\s+from\s+$`)

var reCoord = regexp.MustCompile(`^(?:\s*,\s*|\s+(?:and|or|&)\s+|\s*,\s*(?:and|or)\s+)$`)

var reWentWith = regexp.MustCompile(`\b(went|go|going|goes|gone|stay|stayed|staying)\s+with\s+$`)

var reEnTitle = regexp.MustCompile(`\b(gm|ceo|cfo|cio|cto|coo|cpo|cmo|vp(?: of)? [a-z]+|head of [a-z]+(?: [a-z]+)?|general manager|chairman|president|(?:it|procurement|purchasing|finance|operations|ops|logistics|supply chain|engineering|sales|marketing|hr|security|data|plant|program|technical|warehouse|factory|quality|production|qa|qc|it ops)\s(?:director|manager|lead|head|engineer|architect|chief)|(?:director|manager|head) of [a-z]+(?: [a-z]+)?|it director|buyer|controller|architect)\b`)

// pastVerbWord reports whether a capitalised word opening a name group
// is a past verb ("Emailed Rachel", "Phoned Tom"), not a first name.
func pastVerbWord(w string) bool {
	return len(w) >= 6 && strings.HasSuffix(w, "ed") && !edNames[w]
}

var edNames = map[string]bool{"Mohammed": true, "Muhammed": true, "Mehmed": true, "Khaled": true, "Jarred": true, "Alfred": true, "Wilfred": true, "Manfred": true, "Siegfried": true, "Winifred": true}
