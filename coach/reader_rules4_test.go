package coach_test

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/notecorpus"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestReaderRules4: verb classes (one past verb stands for its class
// mates), an intensifier inside a phrase, and Chinese result complements;
// negation, plans and hedges still hold.
func TestReaderRules4(t *testing.T) {
	pb := playbook.Default()
	check := func(item string) func(coach.Proposal) bool {
		return func(p coach.Proposal) bool { return p.Kind == coach.ProposeCheck && p.Item == item }
	}
	value := func(v int64) func(coach.Proposal) bool {
		return func(p coach.Proposal) bool { return p.Kind == coach.ProposeValue && p.Value == v }
	}
	tests := []struct {
		name string
		at   int
		text string
		want func(coach.Proposal) bool
		bad  func(coach.Proposal) bool
	}{
		{"handed in is submitted", 5, "Handed in the formal proposal to their IT director.", check("s5.m2"), nil},
		{"a planned hand-in is not", 5, "We will hand in the formal proposal next week.", nil, check("s5.m2")},
		{"a negated hand-in is not", 5, "We haven't handed in the formal proposal yet.", nil, check("s5.m2")},
		{"went down really well", 4, "The demo went down really well with finance.", check("s4.m1"), nil},
		{"really keen", 1, "They seemed really keen on a pilot.", check("s1.m3"), nil},
		{"not really keen", 1, "They are not really keen on a pilot.", nil, check("s1.m3")},
		{"signed off is no contract", 5, "The requirements were signed off by the PMO.", nil, check("s8.m1")},
		{"wrapped up the interviews", 3, "Wrapped up the interviews with finance and HR.", check("s3.m1"), nil},
		{"做完了 is 做了", 3, "上周做完了需求调研。", check("s3.m1"), nil},
		{"没做完 is not done", 3, "需求调研还没做完。", nil, check("s3.m1")},
		{"双方达成一致 is terms agreed", 7, "价格谈到了180万，双方达成一致。", check("s7.s1"), nil},
		{"an amount alone after the signing", 8, "Contract signed today, 1.35 million.", value(1350000), nil},
		{"an amount alone after the consensus", 7, "We reached consensus on the contract terms, at 1.35 million.", value(1350000), nil},
		{"an amount after a hypothetical signing", 7, "If they sign this week, 1.35 million.", nil, value(1350000)},
		{"an amount after a negated agreement", 7, "Terms are not agreed yet, 1.35 million.", nil, value(1350000)},
		{"an amount after their choice", 7, "They went with Oracle in the end, 1.2 million.", nil, value(1200000)},
		{"the buying process: is the buying process is", 2, "The buying process: IT evaluates, then a tender.", check("s2.s3"), nil},
		{"a longer English gap inside the clause", 2, "We agreed with Nate that we will submit a preliminary proposal.", check("s2.s5"), nil},
		{"我们过去 is their place", 1, "他答应下周三上午十点我们过去当面演示一下。", check("s1.s1"), nil},
		{"a day something is for is ahead", 4, "Mia confirmed the technical workshop for Friday at 2pm in their Boston office.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeBookMeeting && p.At.After(readNow) }, nil},
		{"张秘书 is someone's assistant", 1, "鑫源的张秘书说老板最近在国外，等他回来再约。", func(p coach.Proposal) bool { return p.Name == "张秘书" && p.Role == coach.RoleOther }, nil},
		{"张总 is no assistant", 1, "鑫源的张总说最近在国外。", nil, func(p coach.Proposal) bool { return p.Role == coach.RoleOther }},
		{"another determiner", 5, "Finished our needs analysis on Monday.", check("s5.m1"), nil},
		{"no determiner", 5, "Completed needs analysis with their PMO.", check("s5.m1"), nil},
		{"another determiner, negated", 5, "We have not finished our needs analysis.", nil, check("s5.m1")},
		{"the customer chose an acronym vendor", 6, "Acme chose SAP in the end; our price was too high.", func(p coach.Proposal) bool { return p.Kind == coach.ProposeLost && p.Competitor == "SAP" }, nil},
		{"chose a kind of system is no loss", 6, "Acme chose ERP over spreadsheets years ago.", nil, func(p coach.Proposal) bool { return p.Kind == coach.ProposeLost && p.Competitor == "ERP" }},
		{"a past verb opens no name", 3, "Emailed Rachel Kim the preliminary proposal on Friday.", func(p coach.Proposal) bool { return p.Name == "Rachel Kim" }, func(p coach.Proposal) bool { return strings.HasPrefix(p.Name, "Emailed") }},
		{"delivered the demo", 4, "We delivered the demo to their evaluation team yesterday.", check("s4.m1"), nil},
		{"谢谢 is no one", 1, "好的谢谢", nil, func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact }},
		{"周末 is no one", 1, "周末去他们工厂看看。", nil, func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact }},
		{"thanks to 王总", 1, "谢谢王总的支持，他对我们比较支持。", func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact && p.Name == "王总" }, func(p coach.Proposal) bool { return p.Name == "谢谢" }},
		{"合同签下来了 is won", 8, "合同今天签下来了，总金额168万。", func(p coach.Proposal) bool { return p.Kind == coach.ProposeWon }, nil},
		{"签约后的金额", 8, "今天签订了正式合同，135万。", value(1350000), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := notecorpus.CorpusDeal{Name: "Acme", At: tc.at}.Build(pb, readNow.Location(), readNow)
			ps := read(t, tc.text, d)
			found := false
			for _, p := range ps {
				if tc.want != nil && tc.want(p) {
					found = true
				}
				if tc.bad != nil && tc.bad(p) {
					t.Errorf("%q proposed %+v", tc.text, p)
				}
			}
			if tc.want != nil && !found {
				t.Errorf("%q: wanted proposal not found in %+v", tc.text, ps)
			}
		})
	}
}

// TestReaderMappedSides: a supporter, an opponent and the doubts answered
// map the sides (s4.s4); a supporter and an opponent alone do not.
func TestReaderMappedSides(t *testing.T) {
	pb := playbook.Default()
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"Zhang Min is a supporter; the IT manager Chen Gang is an opponent, but his main doubts were answered.", true},
		{"Zhang Min is a supporter; the IT manager Chen Gang is an opponent.", false},
		{"张敏是支持者，IT经理陈刚是反对者，不过他的主要疑虑已经解答了。", true},
		{"张敏是支持者，IT经理陈刚是反对者，他的疑虑还没有解答。", false},
	} {
		t.Run(tc.text, func(t *testing.T) {
			d := notecorpus.CorpusDeal{Name: "Acme", At: 4}.Build(pb, readNow.Location(), readNow)
			got := false
			for _, p := range read(t, tc.text, d) {
				got = got || p.Kind == coach.ProposeCheck && p.Item == "s4.s4"
			}
			if got != tc.want {
				t.Errorf("s4.s4 proposed = %v, want %v", got, tc.want)
			}
		})
	}
}
