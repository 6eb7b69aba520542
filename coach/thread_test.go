package coach_test

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
)

const threadNoteText = "met Li Wei, she's the handler; demo next Tuesday at 3pm"

// threadEnv: ann owns D-1 Acme ERP, D-2 Globex CRM and the lost D-4;
// bob owns D-3. Slack C1 thread 100.1 follows D-1's card, 200.1 D-3's,
// 400.1 D-4's; Lark chat oc1's chain rooted at om_root follows D-2.
func threadEnv(t *testing.T) (*env, *bottest.CountingStore) {
	t.Helper()
	e := newEnv(t, nil)
	cs := bottest.NewCountingStore(e.store)
	e.svc = coach.NewService(cs, e.svc.Playbook, e.clock.Now, nil)
	ctx := context.Background()
	for _, nd := range []struct{ owner, name, customer string }{
		{"ann", "Acme ERP", "Acme"}, {"ann", "Globex CRM", "Globex"}, {"bob", "Initech HR", "Initech"}, {"ann", "Umbrella Labs", "Umbrella"},
	} {
		if _, err := e.svc.CreateDeal(ctx, e.actor(nd.owner), e.team, coach.NewDeal{Name: nd.name, Customer: nd.customer}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.SetStatus(ctx, e.actor("ann"), e.team, "D-4", coach.StatusLost, "budget cut"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		th   coach.ChatThread
		deal string
	}{
		{slackThread("C1", "100.1"), "D-1"},
		{slackThread("C1", "200.1"), "D-3"},
		{slackThread("C1", "400.1"), "D-4"},
		{coach.ChatThread{Platform: "lark", Channel: "oc1", IDs: []string{"om_card", "om_root"}}, "D-2"},
	} {
		if err := e.svc.RememberThread(ctx, "T1", r.th, r.deal); err != nil {
			t.Fatal(err)
		}
	}
	cs.Reset()
	return e, cs
}

func slackThread(channel, ts string) coach.ChatThread {
	return coach.ChatThread{Platform: "slack", Channel: channel, IDs: []string{ts}}
}

// meaning is "D-1" (a note on D-1), "ask:D-1,D-2" or "" (not a note).
func meaning(m coach.NoteMeaning) string {
	switch {
	case m.Deal != nil:
		return m.Deal.ID
	case len(m.Ask) > 0:
		s := "ask:"
		for i, d := range m.Ask {
			if i > 0 {
				s += ","
			}
			s += d.ID
		}
		return s
	}
	return ""
}

func TestNoteTargetIn(t *testing.T) {
	e, cs := threadEnv(t)
	tests := []struct {
		name, user, text string
		th               coach.ChatThread
		want, wantText   string
	}{
		{"thread's deal", "ann", threadNoteText, slackThread("C1", "100.1"), "D-1", threadNoteText},
		{"named deal wins over the thread", "ann", "Globex: met Wang Fang, she is the decision maker", slackThread("C1", "100.1"), "D-2", "met Wang Fang, she is the decision maker"},
		{"several named: ask, as outside threads", "ann", "Acme and Globex both asked for a quote today", slackThread("C1", "100.1"), "ask:D-2,D-1", ""},
		{"unknown thread: as today", "ann", threadNoteText, slackThread("C1", "999.9"), "ask:D-1,D-2", ""},
		{"unknown thread naming a deal: as today", "ann", "Globex: " + threadNoteText, slackThread("C1", "999.9"), "D-2", threadNoteText},
		{"same ts in another channel is another thread", "ann", threadNoteText, slackThread("C2", "100.1"), "ask:D-1,D-2", ""},
		{"no thread: as today", "ann", threadNoteText, coach.ChatThread{}, "ask:D-1,D-2", ""},
		{"a bare word is no note", "ann", "ok", slackThread("C1", "100.1"), "", ""},
		{"bare thanks in Chinese", "ann", "好的，收到", slackThread("C1", "100.1"), "", ""},
		{"short prose is a note", "ann", "called, no answer", slackThread("C1", "100.1"), "D-1", "called, no answer"},
		{"Chinese prose", "ann", "今天和王总通了电话", slackThread("C1", "100.1"), "D-1", "今天和王总通了电话"},
		{"a deal the actor cannot see", "bob", threadNoteText, slackThread("C1", "100.1"), "ask:D-3", ""},
		{"the manager sees it", "mgr", threadNoteText, slackThread("C1", "100.1"), "D-1", threadNoteText},
		{"a lost deal's thread", "ann", threadNoteText, slackThread("C1", "400.1"), "ask:D-1,D-2", ""},
		{"lark: the chain's root", "ann", threadNoteText, coach.ChatThread{Platform: "lark", Channel: "oc1", IDs: []string{"om_user_msg", "om_root"}}, "D-2", threadNoteText},
		{"lark: another platform, same ids", "ann", threadNoteText, coach.ChatThread{Platform: "slack", Channel: "oc1", IDs: []string{"om_root"}}, "ask:D-1,D-2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs.Reset()
			m, err := e.svc.NoteTargetIn(context.Background(), e.actor(tt.user), e.team, tt.text, tt.th)
			if err != nil {
				t.Fatal(err)
			}
			if got := meaning(m); got != tt.want {
				t.Errorf("meaning = %q, want %q", got, tt.want)
			}
			if tt.wantText != "" && m.Text != tt.wantText {
				t.Errorf("note text = %q, want %q", m.Text, tt.wantText)
			}
			// one thread read in a thread, none outside
			want := 0
			if len(tt.th.IDs) > 0 {
				want = 1
			}
			if got := cs.Calls()["ThreadDeal"]; got != want {
				t.Errorf("ThreadDeal calls = %d, want %d", got, want)
			}
		})
	}
	t.Run("NoteTarget reads no thread", func(t *testing.T) {
		cs.Reset()
		if _, err := e.svc.NoteTarget(context.Background(), e.actor("ann"), e.team, threadNoteText); err != nil {
			t.Fatal(err)
		}
		if n := cs.Calls()["ThreadDeal"]; n != 0 {
			t.Errorf("ThreadDeal calls = %d", n)
		}
	})
}

func TestOverheardNote(t *testing.T) {
	e, cs := threadEnv(t)
	tests := []struct {
		name, user, text string
		th               coach.ChatThread
		want             string
		maxCalls         int // store calls at most
	}{
		{"a note in the card's thread", "ann", threadNoteText, slackThread("C1", "100.1"), "D-1", 0},
		{"naming another deal", "ann", "Globex: met Wang Fang, she is the decision maker", slackThread("C1", "100.1"), "D-2", 0},
		{"chatter that reads like no note", "ann", "ok thanks, see you", slackThread("C1", "100.1"), "", 0},
		{"another thread costs one read", "ann", threadNoteText, slackThread("C1", "999.9"), "", 1},
		{"no thread costs nothing", "ann", threadNoteText, coach.ChatThread{Platform: "slack", Channel: "C1"}, "", 0},
		{"a stranger", "zed", threadNoteText, slackThread("C1", "100.1"), "", 2},
		{"a member who cannot see the deal is never asked", "bob", threadNoteText, slackThread("C1", "100.1"), "", 0},
		{"a lost deal", "ann", threadNoteText, slackThread("C1", "400.1"), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs.Reset()
			res, err := e.svc.OverheardNote(context.Background(), e.actor(tt.user), tt.th, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := meaning(res.Meaning); got != tt.want {
				t.Errorf("meaning = %q, want %q", got, tt.want)
			}
			if tt.want != "" && (res.Team == nil || res.Member == nil || res.Member.ID != tt.user) {
				t.Errorf("team %v member %+v", res.Team, res.Member)
			}
			if tt.maxCalls > 0 && cs.Total() > tt.maxCalls {
				t.Errorf("store calls %s, want at most %d", cs, tt.maxCalls)
			}
		})
	}
	team, err := e.store.GetTeam(context.Background(), "T1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := team.Members["zed"]; ok {
		t.Error("an overheard stranger became a member")
	}
}

func TestProseNoteIn(t *testing.T) {
	e, _ := threadEnv(t)
	prose := "new system needed, the demo went well and they want pricing"
	tests := []struct {
		name, text string
		th         coach.ChatThread
		want       string
	}{
		{"prose in the card's thread", prose, slackThread("C1", "100.1"), "D-1"},
		{"prose outside threads names no deal", prose, coach.ChatThread{}, ""},
		{"a command with a deal id stays a command", "show D-2 please, and the history too", slackThread("C1", "100.1"), ""},
		{"a short command stays a command", "deals mine", slackThread("C1", "100.1"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := e.svc.ProseNoteIn(context.Background(), e.actor("ann"), e.team, tt.text, tt.th)
			if err != nil {
				t.Fatal(err)
			}
			if got := meaning(m); got != tt.want {
				t.Errorf("meaning = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRememberThread(t *testing.T) {
	e, cs := threadEnv(t)
	ctx := context.Background()
	th := slackThread("C9", "1.1")
	if err := e.svc.RememberThread(ctx, "T1", th, "Acme"); err == nil {
		t.Error("a deal name was remembered as a deal id")
	}
	cs.Reset()
	if err := e.svc.RememberThread(ctx, "T1", coach.ChatThread{Platform: "slack", Channel: "C9"}, "D-1"); err != nil || cs.Total() != 0 {
		t.Errorf("thread without ids: %v, %s", err, cs)
	}
	// a later card in the same thread takes its place
	for _, d := range []string{"D-1", "D-2"} {
		if err := e.svc.RememberThread(ctx, "T1", th, d); err != nil {
			t.Fatal(err)
		}
	}
	m, err := e.svc.NoteTargetIn(ctx, e.actor("ann"), e.team, threadNoteText, th)
	if err != nil || meaning(m) != "D-2" {
		t.Errorf("after two cards: %q, %v; want D-2", meaning(m), err)
	}
}
