package coach_test

import (
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/notecorpus"
	"github.com/stagecoach/stagecoach/playbook"
)

// TestReaderRules3: general rules found on fresh5 (each a sentence kind,
// not a corpus sentence): what must and must not be proposed.
func TestReaderRules3(t *testing.T) {
	pb := playbook.Default()
	has := func(kind, item string) func(coach.Proposal) bool {
		return func(p coach.Proposal) bool {
			return p.Kind == kind && (item == "" || p.Item == item || p.Field == item)
		}
	}
	attitude := func(a string) func(coach.Proposal) bool {
		return func(p coach.Proposal) bool { return p.Attitude == a }
	}
	tests := []struct {
		name string
		at   int
		text string
		want func(coach.Proposal) bool // must be proposed (nil: none)
		bad  func(coach.Proposal) bool // must not be proposed (nil: none)
	}{
		{"dissatisfied with their own system is no opposition", 2, "钱总对现在的老系统很不满意，想尽快换掉。", nil, attitude("opponent")},
		{"dissatisfied with us is", 3, "钱总对我们的报价不太满意。", attitude("opponent"), nil},
		{"not a fan of us", 3, "Their COO, Rachel Stein, is not a fan of us.", attitude("opponent"), nil},
		{"a group after a preposition is said of no one", 4, "给采购小组的演示做完了，财务总监周敏当场表示认可。", attitude("supporter"),
			func(p coach.Proposal) bool { return p.Role != "" }},
		{"an amount after 超过 is a threshold", 2, "金额超过50万的项目还要报集团审批。", nil, has(coach.ProposeValue, "")},
		{"an amount after over is a threshold", 2, "Anything over 500k needs board approval.", nil, has(coach.ProposeValue, "")},
		{"a one-word name among competitors is a company", 2, "Siemens and Itron are both in the running.", has(coach.ProposeInfo, "s2.i2.competitors"), has(coach.ProposeAddContact, "")},
		{"submissions close is no close date", 5, "Submissions close on December 22 at noon.", has(coach.ProposeInfo, "s5.i3.bid_deadline"), has(coach.ProposeCloseDate, "")},
		{"weekday with a date is the date", 7, "We meet again on Friday the 11th at 3pm.",
			func(p coach.Proposal) bool {
				return p.Kind == coach.ProposeBookMeeting && p.At.In(readNow.Location()).Day() == 11
			}, nil},
		{"at 1:30 is the afternoon", 2, "Heading to their district office Wednesday at 1:30.",
			func(p coach.Proposal) bool {
				return p.Kind == coach.ProposeBookMeeting && p.At.In(readNow.Location()).Hour() == 13 && p.Place == "district office"
			}, nil},
		{"going to a place is a visit", 2, "周四下午两点去他们工厂。", has(coach.ProposeBookMeeting, ""), nil},
		{"sending to a place is no visit", 2, "周四把合同寄到他们总部。", nil, has(coach.ProposeBookMeeting, "")},
		{"payment due by month end is not received", 8, "首付款按合同月底前到账。", nil, has(coach.ProposeCheck, "s8.s3")},
		{"hedged agreement is agreement", 7, "合同条款基本谈妥了。", has(coach.ProposeCheck, "s7.s1"), nil},
		{"hedged agreement with an open point is not", 7, "合同条款基本谈妥，还差付款方式没有确定。", nil, has(coach.ProposeCheck, "s7.s1")},
		{"a hedged completion is not done", 5, "需求分析基本完成了。", nil, has(coach.ProposeCheck, "s5.m1")},
		{"past verb before a plan", 3, "Interviewed two people from finance this morning before we draft the proposal.", has(coach.ProposeCheck, "s3.m1"), nil},
		{"a plan before the verb still blocks", 3, "We will interview finance next week.", nil, has(coach.ProposeCheck, "s3.m1")},
		{"confirmed in writing was done", 5, "需求分析报告客户已经签字确认了。", has(coach.ProposeCheck, "s5.m1"), nil},
		{"the speaker speaking of themselves", 1, "质量部的刘经理说他们只是用系统的。", func(p coach.Proposal) bool { return p.Name == "刘经理" && p.Role == coach.RoleUser }, nil},
		{"the role after 'and says' is the other person's", 1, "Mike Dunn just uses the current system and says purchasing goes through Sarah Klein.",
			func(p coach.Proposal) bool { return p.Name == "Sarah Klein" && p.Role == coach.RoleHandler }, func(p coach.Proposal) bool { return p.Name == "Sarah Klein" && p.Role == coach.RoleUser }},
		{"in person at the visit stage is the first visit", 2, "在廊坊见了他们的分管副总李国栋。", has(coach.ProposeCheck, "s2.m1"), nil},
		{"a video call is no visit", 2, "Met Angela Moore on a video call.", nil, has(coach.ProposeCheck, "s2.m1")},
		{"bid opening once the bid is in is no deadline", 6, "标书已经递交，下周一开标。", nil, has(coach.ProposeInfo, "s5.i3.bid_deadline")},
		// found on fresh6
		{"an agreement far ahead of the deal is another one", 1, "他答应下周三上午十点我们过去当面演示一下。", has(coach.ProposeBookMeeting, ""), has(coach.ProposeCheck, "s3.s3")},
		{"a meeting told as done, a day ahead for something else", 6, "讲标已经结束，结果预计下周三公布。", has(coach.ProposeInfo, "s6.i4.decision_date"), has(coach.ProposeBookMeeting, "")},
		{"the date after the phrase", 5, "The tender goes live on December 14 and bids must be lodged by January 11.",
			func(p coach.Proposal) bool { return p.Field == "s5.i3.bid_deadline" && p.Text == "2027-01-11" }, nil},
		{"a call back from a person", 1, "Got a call back from Priya Nair, their head of digital.", func(p coach.Proposal) bool { return p.Name == "Priya Nair" }, nil},
		{"went with an unnamed vendor is lost", 6, "Quarry went with a local reseller on price.", has(coach.ProposeLost, ""), nil},
		{"the competitor named in the gap", 2, "他们也在跟汉得接触。", func(p coach.Proposal) bool { return p.Field == "s2.i2.competitors" && p.Text == "汉得" }, nil},
		{"talking at their place at the visit stage is the first visit", 2, "上午在他们总部和钱伟聊了两个小时。", has(coach.ProposeCheck, "s2.m1"), nil},
		{"talking on the phone is no visit", 2, "上午和钱伟电话里聊了两个小时。", nil, has(coach.ProposeCheck, "s2.m1")},
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

// TestReaderMoveBareWeekday: "bump our Tuesday session to Wednesday": the
// Wednesday of the booked meeting's week, not the coming one.
func TestReaderMoveBareWeekday(t *testing.T) {
	at := time.Date(2026, 12, 8, 10, 0, 0, 0, readNow.Location())
	d := &coach.Deal{ID: "D-1", Name: "Redwood", Checked: map[string]coach.Check{}, Meetings: []coach.Meeting{{ID: 1, At: at.UTC(), Status: coach.MeetingBooked}}}
	var got []coach.Proposal
	for _, p := range read(t, "Priya needs to bump our Tuesday session to Wednesday afternoon at 3.", d) {
		if p.Kind == coach.ProposeMoveMeeting {
			got = append(got, p)
		}
	}
	want := time.Date(2026, 12, 9, 15, 0, 0, 0, readNow.Location())
	if len(got) != 1 || !got[0].At.Equal(want) {
		t.Errorf("moves = %+v, want one to %v", got, want)
	}
}
