package coach_test

import (
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/notecorpus"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestReaderPrecisionRules: readings that must not be proposed (each a
// general rule, found on the fresh4 notes).
func TestReaderPrecisionRules(t *testing.T) {
	tests := []struct {
		name string
		text string
		bad  func(coach.Proposal) bool
	}{
		{"sign-off is no signing", "The needs analysis is written up; we'll send it to them tomorrow for sign-off.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeCloseDate }},
		{"an opening capital is no name", "Word is we're the first-ranked bidder, but nothing is official yet.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact }},
		{"coordinated with a company is a company", "We're up against Manhattan and Blue Yonder.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact }},
		{"time of day is no place", "Signing is on December 15 in the afternoon at their office.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeBookMeeting && p.Place != "office" }},
		{"a role said of a title is not the last person's", "Raj is a big fan of our approach, but the final call sits with their CIO, Helen Wu.",
			func(p coach.Proposal) bool { return p.Name == "Raj" && p.Role != "" }},
		{"a person's approval is no customer approval", "杨总很认可我们的方案。",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeCheck && p.Item == "s4.s1" }},
		{"a person's approval is no customer approval (en)", "Karen approved our solution.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeCheck && p.Item == "s4.s1" }},
		{"an untensed sentence in a past note is past", "First visit to Trinity on Friday afternoon. Met their VP of operations, Karen Yang.",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeBookMeeting }},
		{"concerns are no opposition", "财务总监孙雪还有顾虑，担心实施周期太长。",
			func(p coach.Proposal) bool { return p.Attitude == "opponent" }},
		{"a role said of no one goes nowhere later", "昨天给天宇的采购小组做了方案演示，效果不错，不过财务总监孙雪还担心实施周期太长。",
			func(p coach.Proposal) bool { return p.Role != "" }},
		{"surname and title after the full name is one person", "见到了副总经理郑伟和信息科的马科长。郑总说他们的漏损率太高。",
			func(p coach.Proposal) bool { return p.Kind == coach.ProposeAddContact && p.Name == "郑总" }},
		{"the time said after the day", "下周三讲标，时间是上午十点，在恒信总部。",
			func(p coach.Proposal) bool {
				return p.Kind == coach.ProposeBookMeeting && p.At.In(readNow.Location()).Hour() != 10
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := read(t, tc.text, nil)
			if len(ps) == 0 && tc.name == "the time said after the day" {
				t.Errorf("%q: no meeting proposed", tc.text)
			}
			for _, p := range ps {
				if tc.bad(p) {
					t.Errorf("%q proposed %+v", tc.text, p)
				}
			}
		})
	}
}

// TestReaderSubjectSigned: the customer named alone as the one who signed,
// late in the deal, is the contract signed and the deal won.
func TestReaderSubjectSigned(t *testing.T) {
	pb := playbook.Default()
	tests := []struct {
		text string
		at   int
		won  bool
	}{
		{"Corvid signed today.", 8, true},
		{"They finally signed yesterday, first payment next week.", 8, true},
		{"Corvid signed off on the proposal.", 8, false},
		{"They haven't signed yet.", 8, false},
		{"Corvid will have signed by Friday.", 8, false},
		{"Corvid signed the NDA.", 8, false},
		{"Corvid signed today.", 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			d := notecorpus.CorpusDeal{Name: "Corvid", At: tc.at}.Build(pb, readNow.Location(), readNow)
			won := false
			for _, p := range read(t, tc.text, d) {
				won = won || p.Kind == coach.ProposeWon
			}
			if won != tc.won {
				t.Errorf("won = %v, want %v", won, tc.won)
			}
		})
	}
}

// TestReaderLostZH: a lost deal said as "我们输了，中标的是…".
func TestReaderLostZH(t *testing.T) {
	pb := playbook.Default()
	d := notecorpus.CorpusDeal{Name: "北方重工", At: 6}.Build(pb, readNow.Location(), readNow)
	var lost *coach.Proposal
	ps := read(t, "北方重工的项目我们输了，中标的是浪潮，价格比我们低了15%。", d)
	for i := range ps {
		if ps[i].Kind == coach.ProposeLost {
			lost = &ps[i]
		}
	}
	if lost == nil || lost.Competitor != "浪潮" {
		t.Errorf("lost = %+v, want lost to 浪潮", lost)
	}
	for _, p := range read(t, "听说中标的是我们，但结果还没正式公布。", d) {
		if p.Kind == coach.ProposeLost {
			t.Errorf("proposed %+v", p)
		}
	}
}

// TestReaderReachedHandler: a call with the deal's known handler at the
// first stage ticks s1.m2; a call with anyone else, or none made, does not.
func TestReaderReachedHandler(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"跟周经理通了电话，他对方案很感兴趣。", true},
		{"Called Dana today, she is keen.", true},
		{"跟刘芳通了电话。", false},
		{"还没跟周经理通电话。", false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			d := &coach.Deal{ID: "D-1", Name: "Acme", Checked: map[string]coach.Check{}, Stakeholders: []coach.Stakeholder{
				{ID: 1, Name: "周经理", Role: coach.RoleHandler}, {ID: 2, Name: "Dana Ruiz", Role: coach.RoleHandler}}}
			got := false
			for _, p := range read(t, tc.text, d) {
				got = got || p.Kind == coach.ProposeCheck && p.Item == "s1.m2"
			}
			if got != tc.want {
				t.Errorf("s1.m2 proposed = %v, want %v", got, tc.want)
			}
		})
	}
}
