package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestWalkDealFromStageZeroToWon(t *testing.T) {
	e := bottest.New(t)
	mustContain(t, e.Ask("alice", `new "Acme ERP" customer=Acme value=1.2m close=2027-03-31`), "Created D-1", "1,200,000", "Not started")
	mustContain(t, e.Ask("alice", "check acme s1.m1 s1.m2"), "✓ s1.m1", "Not started yet")
	mustContain(t, e.Ask("alice", "check acme s1.m3"), "stage 1 · Customer planning & phone invitation reached", "win probability now 5%")
	// a stage-2 tick before stage 1 is completed is kept but does not count yet
	out := e.Ask("alice", "check D-1 s2.m1 s2.m2")
	mustContain(t, out, "will count only once the earlier stages are completed", "reached, not yet completed")
	if d := e.Deal("D-1"); !d.IsChecked("s2.m2") {
		t.Fatal("out-of-order tick not kept")
	}
	mustContain(t, e.Ask("alice", "check D-1 s1.s1 s1.s2"), "stage 1 · Customer planning & phone invitation completed", "stage 2 · Visit & preliminary research reached")
	mustContain(t, e.Ask("alice", "show D-1"), "You are in stage 2", "■◧□□□□□□")
	for n := 2; n <= 8; n++ {
		st := e.Playbook.Stage(n)
		var ids []string
		for _, it := range st.Checklist() {
			ids = append(ids, it.ID)
		}
		e.Ask("alice", "check D-1 "+strings.Join(ids, " "))
	}
	mustContain(t, e.Ask("alice", "show D-1"), "All stages completed", "95%")
	mustContain(t, e.Ask("alice", "won D-1"), "D-1 won", "`show D-1`")
	mustContain(t, e.Ask("alice", "show D-1"), "100%")
	var row coach.DealExport
	if err := json.Unmarshal([]byte(e.Ask("alice", "export json")), &row); err != nil {
		t.Fatal(err)
	}
	if row.ID != "D-1" || row.Status != "won" || row.StageReached != 8 || row.StageCompleted != 8 || len(row.Checked) == 0 {
		t.Fatalf("export row %+v", row)
	}
}

func TestMistakesChangeNothing(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP" customer=Acme`)
	e.Ask("alice", `new "Acme CRM" customer=Acme`)
	e.Ask("alice", `new "Beta MES"`)
	before := e.Deal("D-1")
	tests := []struct {
		in   string
		want []string
	}{
		{"shwo D-1", []string{`Did you mean ` + "`show`"}},
		{"frobnicate", []string{`I don't know the command "frobnicate"`}},
		{"show acmx", []string{`No deal "acmx"`, "D-1 Acme ERP"}},
		{"show acme", []string{`matches several deals`, "D-1 Acme ERP", "D-2 Acme CRM"}},
		{"show D-99", []string{`No deal "D-99"`}},
		{"check D-1 s2.m9", []string{`no checklist item "s2.m9"`, "s2.m1, s2.m2, s2.s1"}},
		{"check D-1 hello", []string{`no checklist item "hello"`, "s1.m1"}},
		{"check D-1", []string{"Missing item", "s1.m1"}},
		{"buyer D-1 9", []string{`"9" is not a valid buyer`, "0-8"}},
		{"buyer D-1 x", []string{`"x" is not a valid buyer`}},
		{"new Foo close=2027-02-30", []string{"There is no such day as 2027-02-30"}},
		{"new Foo close=2027-2-3", []string{`"2027-2-3" is not a valid close`, "YYYY-MM-DD"}},
		{"new Foo value=lots", []string{`"lots" is not a valid value`}},
		{"new Foo colour=red", []string{`Unknown field "colour"`}},
		{"meet D-1 tomorrow", []string{"not a valid time", "YYYY-MM-DD HH:MM"}},
		{"info D-1 nosuchfield=1", []string{`Unknown field "nosuchfield"`}},
		{"contact D-1 add Wang role=boss", []string{`"boss" is not a valid role`, "decision-maker"}},
		{"contact D-1 edit 7 title=x", []string{`No contact "7"`}},
		{"lost D-1", []string{"Missing reason"}},
		{"stage 12", []string{`no stage "12"`}},
		{"lang fr", []string{`"fr" is not a valid lang`}},
		{"note D-1 " + strings.Repeat("x", 2001), []string{"too long"}},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 40)], func(t *testing.T) {
			rep := e.Reply("alice", tt.in)
			if !rep.Error {
				t.Errorf("reply not marked as error")
			}
			mustContain(t, bottestRender(rep), tt.want...)
		})
	}
	if after := e.Deal("D-1"); after.Version != before.Version {
		t.Fatalf("a mistake changed D-1: version %d → %d", before.Version, after.Version)
	}
}

func bottestRender(r bot.Reply) string {
	var b strings.Builder
	for _, blk := range r.Blocks {
		switch x := blk.(type) {
		case bot.Text:
			b.WriteString(x.Text + "\n")
		case bot.Context:
			b.WriteString(x.Text + "\n")
		case bot.Heading:
			b.WriteString(x.Text + "\n")
		}
	}
	return b.String()
}

func TestPermissions(t *testing.T) {
	e := bottest.New(t)
	e.Ask("admin", "help") // first member: admin
	e.Ask("bob", `new "Bob Deal"`)
	e.Ask("carol", `new "Carol Deal"`)
	mustContain(t, e.Ask("bob", "show D-2"), `No deal "D-2"`)
	mustContain(t, e.Ask("bob", "check D-2 s1.m1"), `No deal "D-2"`)
	mustContain(t, e.Ask("bob", "team role carol manager"), "doesn't allow")
	mustContain(t, e.Ask("admin", "team role carol manager"), "carol · manager")
	mustContain(t, e.Ask("carol", "show D-1"), `No deal "D-1"`) // not her report yet
	mustContain(t, e.Ask("admin", "team reports bob carol"), "reports to carol")
	mustContain(t, e.Ask("carol", "show D-1"), "Bob Deal")
	mustContain(t, e.Ask("carol", "deals team"), "D-1 Bob Deal", "D-2 Carol Deal")
	mustContain(t, e.Ask("admin", "show D-2"), "Carol Deal")
	if d := e.Deal("D-2"); d.IsChecked("s1.m1") {
		t.Fatal("bob changed carol's deal")
	}
	// another team's ids are "not found", never its data
	other := bottest.New(t, bottest.WithStore(e.Store))
	other.Team = "T2"
	mustContain(t, other.Ask("mallory", "show D-1"), `No deal "D-1"`)
	if out := other.Ask("mallory", "show bob"); strings.Contains(out, "Bob Deal") {
		t.Fatalf("leak across teams: %s", out)
	}
}

func TestStoreDownNothingChanged(t *testing.T) {
	base := bottest.New(t)
	flaky := &bottest.FlakyStore{Store: base.Store}
	e := bottest.New(t, bottest.WithStore(flaky))
	e.Ask("alice", `new "Acme ERP"`)
	writes := flaky.Writes.Load()
	flaky.Down.Store(true)
	rep := e.Reply("alice", "check D-1 s1.m1")
	mustContain(t, bottestRender(rep), "Nothing was changed", "try again", "ref ")
	if strings.Contains(bottestRender(rep), bottest.ErrDown.Error()) {
		t.Fatal("internal error text leaked to the user")
	}
	flaky.Down.Store(false)
	if flaky.Writes.Load() != writes || e.Deal("D-1").IsChecked("s1.m1") {
		t.Fatal("a write happened while the store was down")
	}
	mustContain(t, e.Ask("alice", "check D-1 s1.m1"), "✓ s1.m1") // recovers at once
}

func TestChinese(t *testing.T) {
	e := bottest.New(t)
	mustContain(t, e.Ask("li", "lang zh"), "中文")
	mustContain(t, e.Ask("li", `新建 “华东 ERP” customer=华东制造 value=120万`), "已创建 D-1", "120万")
	// Chinese parameter names and amounts (one table with the English keys)
	mustContain(t, e.Ask("li", `新建 "华为ERP" 客户=华为 金额=1.35亿 截止=2027-03-31 行业=制造`), "已创建 D-2", "华为", "1.35亿", "2027-03-31", "制造")
	mustContain(t, e.Ask("li", `联系人 D-2 添加 王丽 角色=经手人 态度=支持 影响力=高 职位=IT总监`), "王丽", "经手人", "支持", "IT总监")
	mustContain(t, e.Ask("li", `信息 D-2 规模=500人`), "已记录")
	if d := e.Deal("D-2"); d.Customer != "华为" || d.Value != 135000000 || d.Info["s1.i1.size"] != "500人" || d.Stakeholders[0].Role != "handler" {
		t.Fatalf("zh parameters: %+v", d)
	}
	mustContain(t, e.Ask("li", `约见 D-2 2026-12-03 14:00 地点=华为总部 主题=初次拜访`), "2026-12-03 14:00")
	if m := e.Deal("D-2").Meetings; len(m) != 1 || m[0].Place != "华为总部" || m[0].Topic != "初次拜访" {
		t.Fatalf("zh meeting: %+v", m)
	}
	mustContain(t, e.Ask("li", "勾选 华东 s1.m1 s1.m2 s1.m3"), "已抵达第 1 阶段")
	mustContain(t, e.Ask("li", "查看 D-1"), "客户采购阶段", "里程碑")
	mustContain(t, e.Ask("li", "帮助"), "商机", "辅导")
	mustContain(t, e.Ask("li", "查看 D-9"), "找不到")
}

func TestHelpListsEveryVisibleCommand(t *testing.T) {
	e := bottest.New(t)
	out := e.Ask("alice", "help")
	for _, c := range e.Router.Commands() {
		if !c.Hidden && !strings.Contains(out, c.Name) {
			t.Errorf("help lacks %s", c.Name)
		}
		mustContain(t, e.Ask("alice", "help "+c.Name), c.Name)
	}
}

func TestChecklistActionTicksAndUnticks(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	rep := e.Act("alice", &bot.Action{Kind: bot.ActionChecklist, Deal: "D-1", Options: []string{"s1.m1", "s1.m2", "s1.m3", "s1.s1", "s1.s2"}, Selected: []string{"s1.m1", "s1.m2"}})
	if !rep.Replace {
		t.Fatal("tick reply does not replace the card")
	}
	if d := e.Deal("D-1"); !d.IsChecked("s1.m1") || !d.IsChecked("s1.m2") || d.IsChecked("s1.m3") {
		t.Fatalf("checked = %v", d.Checked)
	}
	e.Act("alice", &bot.Action{Kind: bot.ActionChecklist, Deal: "D-1", Options: []string{"s1.m1", "s1.m2", "s1.m3"}, Selected: []string{"s1.m2"}})
	if d := e.Deal("D-1"); d.IsChecked("s1.m1") || !d.IsChecked("s1.m2") {
		t.Fatalf("untick via action failed: %v", d.Checked)
	}
	hist := e.Ask("alice", "history D-1")
	mustContain(t, hist, "ticked s1.m1", "unticked s1.m1")
}

func TestFormsSubmitWithFieldErrors(t *testing.T) {
	e := bottest.New(t)
	rep := e.Reply("alice", "new")
	if _, ok := rep.Blocks[0].(bot.Form); !ok {
		t.Fatalf("new without name should ask with a form, got %#v", rep.Blocks)
	}
	bad := e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "new", Values: map[string]string{"name": "X", "close": "2027-13-01"}})
	if bad.FieldErrors["close"] == "" {
		t.Fatalf("want a field error on close, got %+v", bad)
	}
	ok := e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "new", Values: map[string]string{"name": "Acme", "value": "500k"}})
	if ok.Error || e.Deal("D-1").Value != 500000 {
		t.Fatalf("form create failed: %+v", ok)
	}
	e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "contact", Deal: "D-1", Values: map[string]string{"name": "Wang", "role": "decision-maker", "level": "L2"}})
	if d := e.Deal("D-1"); len(d.Stakeholders) != 1 || d.Stakeholders[0].Level != 2 {
		t.Fatalf("stakeholders %+v", d.Stakeholders)
	}
	badMeet := e.Act("alice", &bot.Action{Kind: bot.ActionForm, Form: "meet", Deal: "D-1", Values: map[string]string{"date": "2026-12-01", "time": "25:00"}})
	if badMeet.FieldErrors["time"] == "" {
		t.Fatalf("want field error on time: %+v", badMeet)
	}
}

func TestConcurrentTicksLoseNothing(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	done := make(chan struct{})
	for i := 0; i < 50; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			msg := e.Message("alice", "note D-1 n")
			if _, err := e.Router.Handle(context.Background(), msg); err != nil {
				t.Error(err)
			}
		}()
	}
	for i := 0; i < 50; i++ {
		<-done
	}
	if n := len(e.Deal("D-1").Notes); n != 50 {
		t.Fatalf("%d notes, want 50", n)
	}
}

var _ = coach.StatusOpen

func TestSessionAnswersStartingWithCommandWords(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`)
	e.Ask("alice", "coach D-1 needs")
	for _, answer := range []string{"new system needed for invoicing", "deals are stuck in approval", "show me the backlog"} {
		e.Ask("alice", answer)
	}
	status := e.Ask("alice", "status")
	for _, answer := range []string{"new system needed for invoicing", "deals are stuck in approval", "show me the backlog"} {
		if !strings.Contains(status, answer) {
			t.Errorf("answer %q not recorded:\n%s", answer, status)
		}
	}
	if out := e.Ask("alice", "deals"); strings.Contains(out, "system needed") {
		t.Fatal("an answer created a deal")
	}
	// real commands still work during a session
	mustContain(t, e.Ask("alice", "show D-1"), "Acme ERP")
	mustContain(t, e.Ask("alice", "check D-1 s9.m1"), `no checklist item "s9.m1"`)
}

// TestTypedChineseIsAnsweredInChinese: without a stored choice, a message
// whose first word is Chinese is answered in Chinese; an English command
// word (even before a Chinese deal name) keeps the team's language, and a
// member's own choice wins over both.
func TestTypedChineseIsAnsweredInChinese(t *testing.T) {
	e := bottest.New(t)
	mustContain(t, e.Ask("li", `新建 "华为ERP" 客户=华为 金额=120万`), "已创建 D-1", "120万")
	mustContain(t, e.Ask("li", "show 华为"), "Customer: 华为")
	mustContain(t, e.Ask("li", "查看 华为"), "里程碑")
	mustContain(t, e.Ask("li", "帮助"), "商机", "辅导")
	mustContain(t, e.Ask("li", "help"), "deal")
	mustContain(t, e.Ask("li", "lang en"), "English")
	mustContain(t, e.Ask("li", "查看 华为"), "Customer: 华为")
}
