package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

func TestMirrorCommands(t *testing.T) {
	e := bottest.New(t)
	e.Ask("alice", `new "Acme ERP"`) // alice: the team's first member, admin
	e.Ask("bob", "help")             // bob joins as a rep
	const secret = "s3cr3t-s3cr3t-s3cr3t"
	tests := []struct {
		user, in string
		want     []string
		not      []string
	}{
		{"alice", "team mirror", []string{"No mirror target yet"}, nil},
		{"bob", "team base bascnAbCdEf123 tblXyZ789", []string{"team base"}, []string{"now mirror"}},
		{"alice", "team base bascnAbCdEf123", []string{"Missing", "Usage: team base"}, nil},
		{"alice", "team base bad/token tblXyZ789", []string{"app_token"}, nil},
		{"alice", "team base bascnAbCdEf123 tblXyZ789", []string{"Base bascnAbCdEf123, table tblXyZ789", "Add document app"}, nil},
		{"alice", "team webhook http://example.com/h " + secret, []string{"https://"}, []string{secret}},
		{"alice", "team webhook https://example.com/h?token=abc short", []string{"secret"}, []string{"short"}},
		{"alice", "team webhook <https://example.com/h?token=abc> " + secret, []string{"https://example.com/h?…", "never shown"}, []string{secret, "token=abc"}},
		{"bob", "team mirror resync", []string{"team mirror resync"}, []string{"queued"}},
		{"alice", "team mirror resync", []string{"Nothing to resync"}, nil},
		{"alice", "team mirror bogus", []string{"resync"}, nil},
		{"alice", "team webhook off", []string{"no longer uses its own webhook"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			out := e.Ask(tt.user, tt.in)
			mustContain(t, out, tt.want...)
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Fatalf("output shows %q:\n%s", n, out)
				}
			}
		})
	}
	team, err := e.Store.GetTeam(context.Background(), "T1")
	if err != nil || team.Mirror.BaseTableID != "tblXyZ789" || team.Mirror.WebhookURL != "" {
		t.Fatalf("team settings %+v %v", team.Mirror, err)
	}
	// Once a target is subscribed, status and resync report it.
	if _, err := e.Store.SubscribeOutbox(context.Background(), "T1", "larkbase"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.Ask("alice", "team mirror resync"), "1 deals queued")
	mustContain(t, e.Ask("alice", "team mirror"), "Lark Base · 1 changes waiting")
	e.Ask("alice", "lang zh")
	mustContain(t, e.Ask("alice", "team 同步"), "飞书多维表格 · 1 条变更待同步")
}

type captureSender struct{ got []bot.Reply }

func (c *captureSender) Send(ctx context.Context, to bot.Recipient, r bot.Reply) error {
	c.got = append(c.got, r)
	return nil
}

func TestMirrorNotice(t *testing.T) {
	for _, tt := range []struct {
		lang, target string
		kind         coach.MirrorErrorKind
		want         string
	}{
		{"en", "larkbase", coach.MirrorPermission, "Add document app"},
		{"zh", "larkbase", coach.MirrorPermission, "添加文档应用"},
		{"en", "webhook", coach.MirrorConfig, "same secret"},
		{"zh", "larkbase", coach.MirrorConfig, "app_token"},
		{"en", "other", coach.MirrorConfig, "cannot take"},
	} {
		t.Run(tt.lang+"/"+tt.target+"/"+string(tt.kind), func(t *testing.T) {
			e := bottest.New(t)
			s := &captureSender{}
			n := bot.NewNotifier(e.Router, s)
			team := &coach.Team{ID: "T1", Lang: tt.lang, Members: map[string]*coach.Member{"a": {ID: "a", Role: coach.RoleAdmin}}}
			if err := n.MirrorNotice(context.Background(), coach.MirrorNotice{Team: team, To: "a", Target: tt.target, Kind: tt.kind}); err != nil {
				t.Fatal(err)
			}
			if len(s.got) != 1 || !strings.Contains(s.got[0].Summary, tt.want) || s.got[0].Lang != tt.lang {
				t.Fatalf("notice %+v", s.got)
			}
		})
	}
}
