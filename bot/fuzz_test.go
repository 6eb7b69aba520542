package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/playbook"

	"github.com/stagecoach/stagecoach/bot/bottest"
)

// FuzzRouter: any text through the whole bot (parser, router, service,
// store) gives a reply, never a panic or an error.
func FuzzRouter(f *testing.F) {
	for _, s := range []string{`new "Acme ERP" customer=Acme value=1.2m close=2027-03-31`, "check D-1 s1.m1,s1.m2", "show acme", "buyer D-1 3",
		"contact D-1 add Wang role=handler level=L2", "meet D-1 2026-12-01 10:00 place=HQ", "info D-1 size=500", "uncheck 1 s1.m1", "export json",
		"team role x admin", "lost D-1 price too high", "stage 9", "新建 “华东”", `"`, "help help",
		"meetings D-1", "meet D-1 held 1 outcome=ok next=demo", "meet D-1 move 1 2026-12-02 10:00", "meet D-1 cancel #1", "won D-1", "won D-1 确认 value=1m date=2026-11-01",
		"lost D-1 x competitor=Y", "history D-1 2", "form D-1 s4.t2 raised_by=Li demand=x contact=1", "form D-1 s4.t2 edit 1 status=open", "form D-1 s4.t2 remove 1",
		"help team role", "team 时区 Asia/Shanghai", "team digest 周一 25:00", "contact D-1 删除 1", "case 添加 x", "coach D-1 phone", "2026-12-03 14:00 place=HQ", "更正:成本太高",
		"digest", "forecast next", "预测 2027年第一季度", "forecast Q9", "team alerts on 50万", "team 提醒 关", "team alerts on -1"} {
		f.Add(s)
	}
	e := bottest.New(f)
	e.Ask("alice", `new "Acme ERP"`)
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := e.Router.Handle(context.Background(), e.Message("alice", s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if len(rep.Blocks) == 0 && rep.Summary == "" {
			t.Fatalf("%q: empty reply", s)
		}
	})
}

// FuzzLangOf: any locale hint gives zh or en.
func FuzzLangOf(f *testing.F) {
	for _, s := range []string{"", "zh", "zh-CN", "en_US", "fr", "中文", "ZH_tw"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, locale string, lark bool) {
		p := bot.Slack
		if lark {
			p = bot.Lark
		}
		if l := bot.LangOf(locale, p); l != playbook.ZH && l != playbook.EN {
			t.Fatalf("LangOf(%q, %s) = %q", locale, p, l)
		}
	})
}

// FuzzT: any values fill a message's placeholders without a panic, and
// the values appear in the result.
func FuzzT(f *testing.F) {
	f.Add("D-1", "Acme {name}")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, id, name string) {
		got := bot.T(playbook.EN, "new.created", "id", id, "name", name)
		if !strings.Contains(got, id) || !strings.Contains(got, name) {
			t.Fatalf("T = %q, lacks %q or %q", got, id, name)
		}
	})
}
