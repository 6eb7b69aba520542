package coach_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// a Tuesday morning in Shanghai
var readNow = time.Date(2026, 12, 1, 10, 0, 0, 0, mustLoc("Asia/Shanghai"))

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func read(t testing.TB, text string, d *coach.Deal) []coach.Proposal {
	t.Helper()
	if d == nil {
		d = &coach.Deal{ID: "D-1", Name: "Acme", Checked: map[string]coach.Check{}}
	}
	rd, err := coach.NewRulesReader(playbook.Default()).Read(context.Background(), coach.ReadInput{Text: text, Deal: d, Loc: readNow.Location(), Now: readNow})
	if err != nil {
		t.Fatal(err)
	}
	return rd.Proposals
}

// TestReaderDatesAndMoney: dates, times and amounts in both languages.
func TestReaderDatesAndMoney(t *testing.T) {
	tests := []struct {
		text string
		at   string // the booked meeting, local
		val  int64
	}{
		{"约好12月8日下午两点在他们总部见面", "2026-12-08 14:00", 0},
		{"约好8号上午9点半拜访", "2026-12-08 09:30", 0},
		{"明天下午3点和客户开会", "2026-12-02 15:00", 0},
		{"下周二上午十点做方案演示", "2026-12-08 10:00", 0},
		{"Meeting with them tomorrow at 3pm", "2026-12-02 15:00", 0},
		{"Booked a demo for December 8 at 9:30am", "2026-12-08 09:30", 0},
		{"Agreed to meet on the 8th at 14:00", "2026-12-08 14:00", 0},
		{"Agreed to a site visit in two weeks", "2026-12-15 09:00", 0},
		{"Agreed to a call on Friday at 4 pm", "2026-12-04 16:00", 0},
		{"1月8日上午10点签约", "2027-01-08 10:00", 0},
		{"合同金额120万", "", 1200000},
		{"contract value 1.2m", "", 1200000},
		{"deal value is 1.35 million", "", 1350000},
		{"we quoted 900k", "", 900000},
		{"quoted 900k to 1.1m", "", 0},
		{"报价100万到120万", "", 0},
		{"We settled at 960k and the terms are agreed", "", 960000},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var at string
			var val int64
			for _, p := range read(t, tt.text, nil) {
				switch p.Kind {
				case coach.ProposeBookMeeting:
					at = p.At.In(readNow.Location()).Format("2006-01-02 15:04")
				case coach.ProposeValue:
					val = p.Value
				}
			}
			if at != tt.at || val != tt.val {
				t.Errorf("meeting %q value %d; want %q %d", at, val, tt.at, tt.val)
			}
		})
	}
}

// TestReaderModality: negated, conditional, uncertain and planned
// statements propose no item.
func TestReaderModality(t *testing.T) {
	tests := []struct {
		text  string
		items []string
	}{
		{"Gave the demo to the purchasing group", []string{"s4.m1"}},
		{"We did not give the demo", nil},
		{"Demo planned for next week", nil},
		{"If they agree we might give the demo", nil},
		{"做了方案演示", []string{"s4.m1"}},
		{"还没有做方案演示", nil},
		{"计划下周做方案演示", nil},
		{"如果客户同意，就做方案演示", nil},
		{"可能要做方案演示", nil},
		{"首付款已到账", []string{"s8.s3"}},
		{"首付款预计下周到账", nil},
		{"First payment received", []string{"s8.s3"}},
		{"First payment expected next week", nil},
		{"Still waiting for the first payment", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var items []string
			for _, p := range read(t, tt.text, nil) {
				if p.Kind == coach.ProposeCheck {
					items = append(items, p.Item)
				}
			}
			if strings.Join(items, ",") != strings.Join(tt.items, ",") {
				t.Errorf("items %v, want %v", items, tt.items)
			}
		})
	}
}

// TestReaderContacts: names, roles, attitudes and titles in both languages.
func TestReaderContacts(t *testing.T) {
	tests := []struct {
		text, name, role, attitude string
	}{
		{"见了王总，他是最终拍板的人，很支持我们", "王总", coach.RoleDecisionMaker, coach.AttitudeSupporter},
		{"李经理对我们的方案持反对意见", "李经理", "", coach.AttitudeOpponent},
		{"Met Li Wei, she is the project handler", "Li Wei", coach.RoleHandler, ""},
		{"Tom Baker is skeptical and makes the final call", "Tom Baker", coach.RoleDecisionMaker, coach.AttitudeOpponent},
		{"Tom Baker is not the decision maker", "Tom Baker", "", ""},
		{"最后拍板的还是他们董事长王建国", "王建国", coach.RoleDecisionMaker, ""},
		{"技术总监钱峰当场表示支持我们的方案", "钱峰", "", coach.AttitudeSupporter},
		{"Raj is a big fan of our approach, but the final call sits with their CIO, Helen Wu.", "Helen Wu", coach.RoleDecisionMaker, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got *coach.Proposal
			ps := read(t, tt.text, nil)
			for i := range ps {
				if ps[i].Kind == coach.ProposeAddContact {
					got = &ps[i]
				}
			}
			if got == nil || got.Name != tt.name || got.Role != tt.role || got.Attitude != tt.attitude {
				t.Errorf("contact %+v, want %s %s %s", got, tt.name, tt.role, tt.attitude)
			}
		})
	}
}

// TestReaderMeetingChanges: a note that moves or cancels a meeting
// proposes changing the existing one, not a second meeting.
func TestReaderMeetingChanges(t *testing.T) {
	at := time.Date(2026, 12, 3, 14, 0, 0, 0, readNow.Location())
	d := &coach.Deal{ID: "D-1", Meetings: []coach.Meeting{{ID: 1, At: at.UTC(), Topic: "Demo", Status: coach.MeetingBooked}}}
	tests := []struct {
		text, kind, at string
	}{
		{"Thursday's demo moved to Friday at 10am", coach.ProposeMoveMeeting, "2026-12-04 10:00"},
		{"周四的演示推迟到下周三", coach.ProposeMoveMeeting, "2026-12-09 14:00"},
		{"They cancelled the demo", coach.ProposeCancelMeeting, ""},
		{"周四的演示取消了", coach.ProposeCancelMeeting, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			ps := read(t, tt.text, d)
			if len(ps) != 1 || ps[0].Kind != tt.kind || ps[0].Meeting != 1 {
				t.Fatalf("proposals %+v", ps)
			}
			if tt.at != "" && ps[0].At.In(readNow.Location()).Format("2006-01-02 15:04") != tt.at {
				t.Errorf("at %v, want %s", ps[0].At, tt.at)
			}
		})
	}
}

// TestReaderNothing: notes that state nothing actionable propose nothing.
func TestReaderNothing(t *testing.T) {
	for _, text := range []string{"", "ok", "打了电话没人接", "Nothing new this week.", "客户说再考虑考虑", "Will follow up next week."} {
		if ps := read(t, text, nil); len(ps) != 0 {
			t.Errorf("%q: %+v", text, ps)
		}
	}
}

func BenchmarkRulesReader(b *testing.B) {
	text := "Called Acme today. Spoke with Li Wei, she's the project handler. She was quite interested in our routing module and agreed to meet on the 8th at 14:00 at their Shanghai HQ. Budget is roughly 900k to 1.1m; they're also talking to Oracle. Tom Baker (CFO) is skeptical about the cost."
	zh := "今天给远航物流的李伟打了电话，她是这个项目的经手人，对我们的仓储方案挺感兴趣，约好下周二下午两点去他们上海总部拜访。王总说预算大概在120万左右，竞争对手是用友和金蝶。采购部的陈经理比较中立，合同金额预计135万。"
	r := coach.NewRulesReader(playbook.Default())
	d := &coach.Deal{ID: "D-1", Name: "Acme", Checked: map[string]coach.Check{}}
	for _, tc := range []struct{ name, text string }{{"en", text}, {"zh", zh}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportMetric(float64(utf8.RuneCountInString(tc.text)), "chars")
			cpu := cpuTime()
			for b.Loop() {
				if _, err := r.Read(context.Background(), coach.ReadInput{Text: tc.text, Deal: d, Loc: readNow.Location(), Now: readNow}); err != nil {
					b.Fatal(err)
				}
			}
			// the CPU this process spent per note: less inflated than
			// ns/op when the machine is shared
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

func FuzzRulesReader(f *testing.F) {
	for _, s := range []string{"约好12月8日下午两点见面", "Met Li Wei, she's the handler; demo on the 8th at 2pm", "900k to 1.1m", "王总说", "If not, 如果没有", "\xff\xfe", strings.Repeat("a,", 100)} {
		f.Add(s)
	}
	r := coach.NewRulesReader(playbook.Default())
	at := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	d := &coach.Deal{ID: "D-1", Name: "Acme", Meetings: []coach.Meeting{{ID: 1, At: at, Status: coach.MeetingBooked}},
		Stakeholders: []coach.Stakeholder{{ID: 1, Name: "王总"}, {ID: 2, Name: "Li Wei"}}}
	f.Fuzz(func(t *testing.T, s string) {
		rd, err := r.Read(context.Background(), coach.ReadInput{Text: s, Deal: d, Loc: readNow.Location(), Now: readNow})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rd.Proposals {
			if p.Evidence == "" || p.Kind == "" {
				t.Fatalf("proposal without evidence or kind: %+v", p)
			}
		}
	})
}

// TestReaderLongNote: a pasted wall of text is read in bounded time
// (MaxNoteRead) without failing.
func TestReaderLongNote(t *testing.T) {
	text := strings.Repeat("做了方案演示，Li Wei is the handler. 约好12月8日下午两点见面。", 2000)
	read(t, text, nil)
}
