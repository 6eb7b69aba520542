package bot_test

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
)

// Lark team setup the natural way: mentions arrive as <@open_id|name>
// tokens; people are added before they message the bot; names show.
func TestTeamAddWithMentions(t *testing.T) {
	e := bottest.New(t)
	e.Platform, e.Locale = bot.Lark, "zh"
	e.Ask("ou_admin", "帮助") // the first member is the admin
	out := e.Ask("ou_admin", `团队 添加 "<@ou_zhang|张三>" "<@ou_li|李四>" "<@ou_wang|王五>"`)
	mustContain(t, out, "已加入团队：张三，李四，王五。")
	mustContain(t, e.Ask("ou_admin", `team role "<@ou_zhang|张三>" manager`), "张三")
	out = e.Ask("ou_admin", `team reports "<@ou_li|李四>" "<@ou_zhang|张三>"`)
	if strings.Contains(out, "ou_li") || strings.Contains(out, "ou_zhang") {
		t.Fatalf("team view shows open_ids:\n%s", out)
	}
	team, _ := e.Store.GetTeam(t.Context(), e.Team)
	if m := team.Members["ou_zhang"]; m == nil || m.Role != "manager" || m.Name != "张三" {
		t.Fatalf("zhang: %+v", m)
	}
	if m := team.Members["ou_li"]; m == nil || m.Manager != "ou_zhang" || m.Role != "rep" {
		t.Fatalf("li: %+v", m)
	}
	// when Zhang first messages the bot, the role set before stays
	e.Ask("ou_zhang", "help")
	team, _ = e.Store.GetTeam(t.Context(), e.Team)
	if team.Members["ou_zhang"].Role != "manager" {
		t.Fatalf("role lost on first message: %+v", team.Members["ou_zhang"])
	}
	// adding again changes nothing; a rep may not add people
	mustContain(t, e.Ask("ou_admin", `team add "<@ou_wang|王五>"`), "都已在团队中")
	if out := e.Reply("ou_li", `team add "<@ou_x|X>"`); !out.Error {
		t.Fatalf("a rep added a member: %s", bottestRender(out))
	}
	if out := e.Reply("ou_admin", "team add"); !out.Error {
		t.Fatal("team add without anyone accepted")
	}
}
