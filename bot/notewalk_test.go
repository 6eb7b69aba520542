package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// The note walk: one deal from `new` to won, the way issue "Say it your
// way" wants a rep to work. After each call or meeting the rep writes what
// happened in their own words and taps Apply; whatever the notes did not
// tick, the rep ticks on the card (a tap each); if no note proposed won,
// the rep taps Won. The notes say what a rep would write, stage by stage;
// they are not built from the reader's evidence phrases. The test prints
// how much the notes carried (items ticked from notes ÷ all items) and
// fails if the walk does not end won, if it needs more typing than the
// notes themselves, or if the notes carry less than three fifths of the items.

type walkStep struct {
	note    string
	advance time.Duration // the clock moves on before the note
}

var noteWalks = map[playbook.Lang][]walkStep{
	playbook.EN: {
		{"Called Acme today and spoke with Li Wei, she is the project handler for their ERP replacement. Acme is a 2,000-person manufacturer in our target segment. She is quite interested and will take it seriously, and she asked for a meeting herself: we agreed to meet on Tuesday at 10am at their Shanghai HQ.", 0},
		{"First visit at Acme today with Li Wei. She has real influence on the purchase. Their problem: month-end closing takes 12 days because of manual reconciliation, which causes late reporting to the board; we discussed possible solutions. I showed our reference case from Globex and a functional concept for their problem. The buying process: IT evaluates, then a tender, and the CFO Zhang Min will own the project. Li Wei and I get on well. We agreed that we will submit a preliminary proposal.", 5 * 24 * time.Hour},
		{"Held targeted interviews with Li Wei and the finance and warehouse departments, with our presales engineer. Submitted a simple customised proposal based on the interviews. Li Wei is happy with the proposal. We only gave a price range of 1.2m to 1.5m. The CFO approved the proposal and committed to a technical exchange next month.", 10 * 24 * time.Hour},
		{"Gave the demo to the purchasing group today and held a technical exchange on their integration concerns. After the demo the customer approved our proposal and asked us to do a needs analysis and a formal proposal design. Key buying criteria are identified: integration and local support. Zhang Min is a supporter; the IT manager Chen Gang is an opponent, but his main doubts were answered.", 14 * 24 * time.Hour},
		{"Needs analysis done and documented, and the customer confirmed it in writing. Formal proposal designed and submitted on Friday; the customer approved the formal proposal. We know the evaluation rules, weights and schedule, and the spec doesn't exclude us. We were invited to the tender.", 14 * 24 * time.Hour},
		{"Our bid was submitted and passed the qualification check. The presentation and Q&A are done. We were named the winning bidder, and the customer invited us to commercial negotiation.", 21 * 24 * time.Hour},
		{"Negotiation plan and price authority approved internally. Opened negotiations with their authorised negotiator, the CFO. We reached consensus on the contract terms, at 1.35 million; concessions are recorded and the margin is within our authority. Signing is agreed for next Monday at 2pm at their HQ.", 10 * 24 * time.Hour},
		{"Contract signed today, 1.35 million. The implementation schedule and support services are secured, the presales-to-implementation handover is done, and the first payment was received.", 7 * 24 * time.Hour},
	},
	playbook.ZH: {
		{"今天给远航物流打了电话，联系上了王丽，她是这个WMS项目的经手人。远航物流是两千人的物流企业，符合我们的目标客户标准。她对项目比较有兴趣，会认真考虑，还主动提出见面：约好下周二上午10点在他们上海总部拜访。", 0},
		{"今天第一次去远航物流拜访了王丽，她对采购有很大影响力。他们的问题是月底盘点要12天，原因是手工对账，影响是给董事会的报表总是延迟，我们也讨论了可能的解决办法。我介绍了我们给华运做的案例和针对他们问题的功能设想。采购流程是先由IT评估再招标，项目负责人会是财务总监张敏。我和王丽关系处得不错。双方达成共识，我们提交初步方案。", 5 * 24 * time.Hour},
		{"和王丽以及财务部、仓储部做了针对性访谈，售前工程师一起去的。已提交结合访谈内容的简单客户化方案，王丽对方案很满意。价格只给了120万到150万的报价范围。财务总监认可了方案，承诺下个月做技术交流。", 10 * 24 * time.Hour},
		{"今天向采购小组做了方案演示，并围绕他们关心的系统集成问题做了技术交流。演示后客户认可了我们的方案，要求我们做需求分析和正式方案设计。关键采购标准已经识别出来：集成能力和本地服务。张敏是支持者，IT经理陈刚是反对者，不过他的主要疑虑已经解答了。", 14 * 24 * time.Hour},
		{"需求分析已经完成，客户也书面确认了。正式方案已设计并在周五提交，客户认可了正式方案。评估规则、权重和时间表都掌握了，规格不排斥我们。我们拿到了投标邀请。", 14 * 24 * time.Hour},
		{"投标文件已经提交并通过了资格审查，讲标和答疑也完成了。我们中标了，客户邀请我们进行商务谈判。", 21 * 24 * time.Hour},
		{"谈判方案和价格授权已经内部审批。和客户的授权谈判人财务总监开始谈判。双方就合同条款达成共识，金额135万；让步都有记录，利润在授权范围内。约定下周一下午2点在他们总部正式签约。", 10 * 24 * time.Hour},
		{"今天签订了正式合同，135万。项目实施的进度和支持服务已经落实，售前和实施的交接也完成了，首付款已经到账。", 7 * 24 * time.Hour},
	},
}

func TestNoteWalkToWon(t *testing.T) {
	for _, lang := range []playbook.Lang{playbook.EN, playbook.ZH} {
		t.Run(string(lang), func(t *testing.T) {
			e := bottest.New(t)
			e.Ask("li", "lang "+string(lang))
			name := map[playbook.Lang]string{playbook.EN: "Acme", playbook.ZH: "远航物流"}[lang]
			typed := 1
			e.Ask("li", `new "`+name+`"`)
			const id = "D-1"
			all := 0
			for _, st := range e.Playbook.Stages {
				all += len(st.Checklist()) + len(st.Relationship)
			}
			var taps, fromNotes, tapped int
			won := false
			for i, step := range noteWalks[lang] {
				e.Clock.Advance(step.advance)
				before := len(e.Deal(id).Checked)
				typed++
				sep := map[playbook.Lang]string{playbook.EN: ": ", playbook.ZH: "："}[lang]
				rep := e.Reply("li", name+sep+step.note)
				if rep.Error {
					t.Fatalf("note %d: %s", i+1, renderText(rep))
				}
				if hasButton(rep, "apply") {
					taps++
					if r := e.Act("li", &bot.Action{Kind: bot.ActionCommand, Value: "apply"}); r.Error {
						t.Fatalf("apply %d: %s", i+1, renderText(r))
					}
				}
				d := e.Deal(id)
				fromNotes += len(d.Checked) - before
				if testing.Verbose() {
					var miss []string
					for _, it := range append(e.Playbook.Stage(i+1).Checklist(), e.Playbook.Stage(i+1).Relationship...) {
						if !d.IsChecked(it.ID) {
							miss = append(miss, it.ID)
						}
					}
					t.Logf("note %d: %d items from the note; stage %d still open: %v", i+1, len(d.Checked)-before, i+1, miss)
				}
				if d.Status == coach.StatusWon {
					won = true
					break
				}
				// the rep ticks on the card what the note did not: stage i+1
				st := e.Playbook.Stage(i + 1)
				var ids []string
				for _, it := range append(st.Checklist(), st.Relationship...) {
					if !d.IsChecked(it.ID) {
						ids = append(ids, it.ID)
					}
				}
				if len(ids) > 0 {
					taps += len(ids)
					tapped += len(ids)
					e.Act("li", &bot.Action{Kind: bot.ActionChecklist, Deal: id, Options: ids, Selected: ids})
				}
			}
			if !won {
				// no note proposed won: the rep taps Won (confirming at stage 8 needs none)
				taps++
				e.Act("li", &bot.Action{Kind: bot.ActionCommand, Value: "won " + id})
			}
			d := e.Deal(id)
			if d.Status != coach.StatusWon {
				t.Fatalf("walk did not end won: status %q, progress %+v", d.Status, coach.Evaluate(e.Playbook, d))
			}
			if typed != 1+len(noteWalks[lang]) {
				t.Fatalf("typed %d messages, want only `new` and the notes (%d)", typed, 1+len(noteWalks[lang]))
			}
			t.Logf("%s: typed %d (new + %d notes), taps %d; items ticked from notes %d of %d (%.0f%%), by hand %d; contacts %d, meetings %d, value %d, won by %s",
				lang, typed, len(noteWalks[lang]), taps, fromNotes, all, 100*float64(fromNotes)/float64(all), tapped,
				len(d.Stakeholders), len(d.Meetings), d.Value, map[bool]string{true: "a note", false: "a tap"}[won])
			if fromNotes*5 < all*3 {
				t.Errorf("the notes ticked %d of %d items: less than three fifths of the walk", fromNotes, all)
			}
		})
	}
}

func hasButton(rep bot.Reply, cmd string) bool {
	for _, b := range rep.Blocks {
		if bs, ok := b.(bot.Buttons); ok {
			for _, it := range bs.Items {
				if it.Command == cmd {
					return true
				}
			}
		}
	}
	return false
}

func renderText(rep bot.Reply) string {
	var sb strings.Builder
	for _, b := range rep.Blocks {
		if t, ok := b.(bot.Text); ok {
			sb.WriteString(t.Text + "\n")
		}
	}
	return sb.String()
}
