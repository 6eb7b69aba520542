package lark

import (
	"context"
	"testing"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

func mentionOf(key, openID, name string) *larkim.MentionEvent {
	return &larkim.MentionEvent{Key: &key, Name: &name, Id: &larkim.UserId{OpenId: &openID}}
}

// People's @mentions reach the router as user references; the bot's own
// mention is dropped; names are remembered for display.
func TestMentionText(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	bot := mentionOf("@_user_1", testBot, "Stagecoach")
	zs := mentionOf("@_user_2", "ou_zhang", "张三")
	ls := mentionOf("@_user_3", "ou_li", `Li "Lee" Si`)
	for _, tc := range []struct {
		in   string
		ms   []*larkim.MentionEvent
		want string
	}{
		{"@_user_1 team role @_user_2 manager", []*larkim.MentionEvent{bot, zs}, `team role "<@ou_zhang|张三>" manager`},
		{"@_user_1 team reports @_user_3 @_user_2", []*larkim.MentionEvent{bot, zs, ls}, `team reports "<@ou_li|Li Lee Si>" "<@ou_zhang|张三>"`},
		{"@_user_1  note D-3 @_all", []*larkim.MentionEvent{bot}, "note D-3"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := f.a.mentionText(tc.in, tc.ms); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	// the name learnt from the mention shows without the contact API
	if got := f.a.userName(context.Background(), "ou_zhang"); got != "张三" {
		t.Fatalf("name = %q", got)
	}
}
