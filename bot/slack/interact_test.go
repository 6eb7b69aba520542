package slack

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/stagecoach/stagecoach/bot"
)

// cardBlocks is the deal card as Slack echoes it back in payloads.
func cardBlocks(t *testing.T) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(render(dealCard(), renderOpts{lang: "en"}).blocks)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checklistBlockIDOf(t *testing.T, chunk int) string {
	t.Helper()
	n := 0
	for _, b := range render(dealCard(), renderOpts{lang: "en"}).blocks {
		if ab, ok := b.(*slackapi.ActionBlock); ok && strings.HasPrefix(ab.BlockID, checklistPrefix) {
			if n == chunk {
				return ab.BlockID
			}
			n++
		}
	}
	t.Fatal("no checklist block")
	return ""
}

func blockActions(e *env, action map[string]any, message json.RawMessage, ephemeral bool) map[string]any {
	p := map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": "T1"},
		"user":         map[string]any{"id": "U1", "name": "ann"},
		"channel":      map[string]any{"id": "C1"},
		"trigger_id":   "trig-1",
		"response_url": e.slack.responseURL(),
		"container":    map[string]any{"type": "message", "message_ts": "1700000000.000100", "channel_id": "C1", "is_ephemeral": ephemeral},
		"actions":      []any{action},
	}
	if message != nil {
		p["message"] = map[string]any{"type": "message", "ts": "1700000000.000100", "blocks": message}
	}
	return p
}

func TestChecklistTickUpdatesCardInPlace(t *testing.T) {
	for _, c := range []struct {
		name    string
		message bool
	}{{"from message", true}, {"ephemeral, no message", false}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, 1, 4)
			e.h.reply = func(bot.Message) (bot.Reply, error) { return tickReply(), nil }
			var msg json.RawMessage
			if c.message {
				msg = cardBlocks(t)
			}
			action := map[string]any{
				"type": "checkboxes", "block_id": checklistBlockIDOf(t, 0), "action_id": "ck",
				"selected_options": []any{
					map[string]any{"value": "s2.m1", "text": map[string]any{"type": "plain_text", "text": "Milestone 1"}},
					map[string]any{"value": "s2.m4", "text": map[string]any{"type": "plain_text", "text": "Milestone 4"}},
				},
			}
			w := e.interact(blockActions(e, action, msg, !c.message))
			e.drain()
			if w.Code != 200 {
				t.Fatalf("ack %d", w.Code)
			}
			msgs := e.h.Messages()
			if len(msgs) != 1 || msgs[0].Action == nil {
				t.Fatalf("messages %+v", msgs)
			}
			a := msgs[0].Action
			wantOpts := []string{"s2.m1", "s2.m2", "s2.m3", "s2.m4", "s2.m5", "s2.m6", "s2.m7", "s2.m8", "s2.m9", "s2.m10"}
			if a.Kind != bot.ActionChecklist || a.Deal != "D-3" || !slices.Equal(a.Options, wantOpts) || !slices.Equal(a.Selected, []string{"s2.m1", "s2.m4"}) {
				t.Fatalf("action %+v", a)
			}
			if msgs[0].Tenant != "T1" || msgs[0].User != "U1" || msgs[0].Channel != "C1" {
				t.Fatalf("message %+v", msgs[0])
			}
			resp := e.slack.Calls("response/1")
			if len(resp) != 1 || resp[0].JSON["replace_original"] != true {
				t.Fatalf("response_url calls %+v", resp)
			}
			if !strings.Contains(string(resp[0].Raw), "Ticked: Budget holder named") {
				t.Fatalf("replacement %s", resp[0].Raw)
			}
		})
	}
}

func TestChecklistTickWithoutResponseURLUsesChatUpdate(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(bot.Message) (bot.Reply, error) { return tickReply(), nil }
	p := blockActions(e, map[string]any{"type": "checkboxes", "block_id": checklistBlockIDOf(t, 1), "action_id": "ck"}, cardBlocks(t), false)
	delete(p, "response_url")
	e.interact(p)
	e.drain()
	a := e.h.Messages()[0].Action
	if !slices.Equal(a.Options, []string{"s2.m11", "s2.m12"}) || len(a.Selected) != 0 {
		t.Fatalf("action %+v", a)
	}
	up := e.slack.Calls("chat.update")
	if len(up) != 1 || up[0].Form.Get("ts") != "1700000000.000100" || up[0].Form.Get("channel") != "C1" {
		t.Fatalf("chat.update %+v", up)
	}
}

func TestButtonAndSelectRunCommands(t *testing.T) {
	e := newEnv(t, 1, 8)
	e.interact(blockActions(e, map[string]any{"type": "button", "block_id": "b1", "action_id": "cmd:0", "value": "prep D-3"}, nil, false))
	e.interact(blockActions(e, map[string]any{
		"type": "static_select", "block_id": "b2", "action_id": "sel:0",
		"selected_option": map[string]any{"value": "buyer D-3 4", "text": map[string]any{"type": "plain_text", "text": "4"}},
	}, nil, false))
	e.interact(blockActions(e, map[string]any{"type": "button", "block_id": "b3", "action_id": "cmd:0", "value": ""}, nil, false))
	e.interact(blockActions(e, map[string]any{"type": "datepicker", "block_id": "b4", "action_id": "x"}, nil, false))
	e.drain()
	var got []bot.Action
	for _, m := range e.h.Messages() {
		if m.Text != m.Action.Value {
			t.Errorf("Text %q != Value %q", m.Text, m.Action.Value)
		}
		got = append(got, *m.Action)
	}
	want := []bot.Action{{Kind: bot.ActionCommand, Value: "prep D-3"}, {Kind: bot.ActionCommand, Value: "buyer D-3 4"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("actions %+v", got)
	}
}

func formReply() bot.Reply {
	return bot.Reply{Blocks: []bot.Block{bot.Form{
		ID: "meet", Deal: "D-3", Title: "Log a meeting", Command: "form D-3 meet",
		Fields: []bot.FormField{
			{Key: "date", Label: "Date", Kind: "date", Required: true},
			{Key: "amount", Label: "Amount", Kind: "number"},
			{Key: "mood", Label: "Mood", Kind: "choice", Choices: []bot.Option{{Label: "Good", Command: "good"}}},
			{Key: "notes", Label: "Notes", Kind: "long"},
		},
	}}}
}

func TestFormOpensModalWithTrigger(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(bot.Message) (bot.Reply, error) { return formReply(), nil }
	e.slash("form D-3 meet", "trig-9")
	e.slash("form D-3 meet", "") // no trigger: a button instead
	e.drain()
	opens := e.slack.Calls("views.open")
	if len(opens) != 1 || opens[0].JSON["trigger_id"] != "trig-9" {
		t.Fatalf("views.open %+v", opens)
	}
	view := opens[0].JSON["view"].(map[string]any)
	var meta formMeta
	if err := json.Unmarshal([]byte(view["private_metadata"].(string)), &meta); err != nil || meta.Form != "meet" || meta.Deal != "D-3" || meta.Channel != "C1" {
		t.Fatalf("metadata %v %+v", err, meta)
	}
	if view["callback_id"] != formCallbackID || len(view["blocks"].([]any)) != 4 {
		t.Fatalf("view %v", view)
	}
	resp := e.slack.Calls("response/1")
	if len(resp) != 1 || !strings.Contains(string(resp[0].Raw), `"value":"form D-3 meet"`) {
		t.Fatalf("fallback button: %+v", resp)
	}
}

// viewSubmission builds a view_submission for the formReply modal.
func viewSubmission(t *testing.T, values map[string]map[string]any) map[string]any {
	t.Helper()
	view := renderModal(formReply().Blocks[0].(bot.Form), formMeta{Form: "meet", Deal: "D-3", Channel: "C1", Lang: "en"}, "en")
	blocks, _ := json.Marshal(view.Blocks)
	return map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": "U1"},
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": formCallbackID, "private_metadata": view.PrivateMetadata,
			"blocks": json.RawMessage(blocks), "state": map[string]any{"values": values},
		},
	}
}

func TestViewSubmission(t *testing.T) {
	values := map[string]map[string]any{
		"date":   {"date": map[string]any{"type": "datepicker", "selected_date": "2026-12-01"}},
		"amount": {"number": map[string]any{"type": "plain_text_input", "value": " 1,200 "}},
		"mood":   {"choice": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "good"}}},
		"notes":  {"long": map[string]any{"type": "plain_text_input", "value": "went well"}},
	}
	t.Run("field errors", func(t *testing.T) {
		e := newEnv(t, 1, 4)
		e.h.reply = func(bot.Message) (bot.Reply, error) {
			return bot.Reply{Error: true, FieldErrors: map[string]string{"date": "Date is in the past", "elsewhere": "Deal is closed"}}, nil
		}
		w := e.interact(viewSubmission(t, values))
		e.drain()
		var resp slackapi.ViewSubmissionResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		if resp.ResponseAction != slackapi.RAErrors || resp.Errors["date"] != "Date is in the past Deal is closed" || len(resp.Errors) != 1 {
			t.Fatalf("response %+v", resp)
		}
		a := e.h.Messages()[0].Action
		want := map[string]string{"date": "2026-12-01", "amount": "1,200", "mood": "good", "notes": "went well"}
		if a.Kind != bot.ActionForm || a.Form != "meet" || a.Deal != "D-3" || !reflect.DeepEqual(a.Values, want) {
			t.Fatalf("action %+v", a)
		}
	})
	t.Run("success closes and posts", func(t *testing.T) {
		e := newEnv(t, 1, 4)
		e.h.reply = func(bot.Message) (bot.Reply, error) {
			return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "Meeting logged"}}}, nil
		}
		w := e.interact(viewSubmission(t, values))
		e.drain()
		if w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		posts := e.slack.Calls("chat.postMessage")
		if len(posts) != 1 || posts[0].Form.Get("channel") != "C1" || !strings.Contains(posts[0].Form.Get("blocks"), "Meeting logged") {
			t.Fatalf("posts %+v", posts)
		}
	})
	t.Run("not a number", func(t *testing.T) {
		e := newEnv(t, 1, 4)
		bad := map[string]map[string]any{"amount": {"number": map[string]any{"type": "plain_text_input", "value": "lots"}}}
		w := e.interact(viewSubmission(t, bad))
		e.drain()
		if !strings.Contains(w.Body.String(), `"amount":"Enter a number."`) || len(e.h.Messages()) != 0 {
			t.Fatalf("%s; handler calls %d", w.Body, len(e.h.Messages()))
		}
	})
	t.Run("handler error keeps the modal open", func(t *testing.T) {
		e := newEnv(t, 1, 4)
		e.h.reply = func(bot.Message) (bot.Reply, error) { return bot.Reply{}, errors.New("store down") }
		w := e.interact(viewSubmission(t, values))
		e.drain()
		if !strings.Contains(w.Body.String(), `"response_action":"errors"`) || !strings.Contains(w.Body.String(), `"date":"Could not save`) {
			t.Fatalf("%s", w.Body)
		}
	})
}

func TestAppHomeOpenedPublishesView(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(m bot.Message) (bot.Reply, error) { return dealCard(), nil }
	e.event(callback("EvH", `{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home"}`), 0)
	e.drain()
	msgs := e.h.Messages()
	if len(msgs) != 1 || msgs[0].Text != "home" || !msgs[0].Direct {
		t.Fatalf("messages %+v", msgs)
	}
	pubs := e.slack.Calls("views.publish")
	if len(pubs) != 1 || pubs[0].JSON["user_id"] != "U1" {
		t.Fatalf("views.publish %+v", pubs)
	}
	view := pubs[0].JSON["view"].(map[string]any)
	if view["type"] != "home" || len(view["blocks"].([]any)) < 5 {
		t.Fatalf("view %v", view)
	}
	if n := len(e.slack.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d posts", n)
	}
}

func TestHomeTickRepublishes(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(bot.Message) (bot.Reply, error) { return tickReply(), nil }
	home, _ := json.Marshal(render(dealCard(), renderOpts{lang: "en", surface: surfaceHome}).blocks)
	p := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"},
		"container": map[string]any{"type": "view", "view_id": "V2"},
		"view":      map[string]any{"id": "V2", "type": "home", "blocks": json.RawMessage(home)},
		"actions":   []any{map[string]any{"type": "checkboxes", "block_id": checklistBlockIDOf(t, 1), "action_id": "ck"}},
	}
	e.interact(p)
	e.drain()
	m := e.h.Messages()[0]
	if !m.Direct || m.Channel != "" || !slices.Equal(m.Action.Options, []string{"s2.m11", "s2.m12"}) {
		t.Fatalf("message %+v action %+v", m, m.Action)
	}
	if n := len(e.slack.Calls("views.publish")); n != 1 {
		t.Fatalf("views.publish %d", n)
	}
}

func TestSendDMWithImage(t *testing.T) {
	e := newEnv(t, 1, 4)
	r := bot.Reply{Summary: "Weekly digest", Blocks: []bot.Block{
		bot.Heading{Text: "Weekly digest"},
		bot.Image{PNG: []byte("\x89PNG fake"), Alt: "Funnel by stage", Title: "funnel"},
	}}
	if err := e.a.Send(t.Context(), bot.Recipient{Platform: bot.Slack, Tenant: "T1", User: "U1"}, r); err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, c := range e.slack.Calls("") {
		methods = append(methods, c.Method)
	}
	want := []string{"conversations.open", "chat.postMessage", "files.getUploadURLExternal", "upload/F1", "files.completeUploadExternal"}
	if !slices.Equal(methods, want) {
		t.Fatalf("calls %v, want %v", methods, want)
	}
	done := e.slack.Calls("files.completeUploadExternal")[0]
	if done.Form.Get("channel_id") != "D42" {
		t.Fatalf("upload shared to %q", done.Form.Get("channel_id"))
	}
	post := e.slack.Calls("chat.postMessage")[0]
	if post.Form.Get("channel") != "D42" || post.Form.Get("text") != "Weekly digest" {
		t.Fatalf("post %v", post.Form)
	}
	if err := e.a.Send(t.Context(), bot.Recipient{Platform: bot.Lark, User: "U1"}, r); err == nil {
		t.Fatal("sent to a Lark recipient")
	}
}

func TestSendSplitsLongReplies(t *testing.T) {
	e := newEnv(t, 1, 4)
	var r bot.Reply
	for range 60 {
		r.Add(bot.Divider{})
	}
	if err := e.a.Send(t.Context(), bot.Recipient{Channel: "C9"}, r); err != nil {
		t.Fatal(err)
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	for _, p := range posts {
		var blocks []any
		_ = json.Unmarshal([]byte(p.Form.Get("blocks")), &blocks)
		if len(blocks) > maxMessageBlocks || p.Form.Get("channel") != "C9" {
			t.Fatalf("post of %d blocks to %s", len(blocks), p.Form.Get("channel"))
		}
	}
}

func TestEphemeralMentionAndSlashImage(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Text == "chart" {
			return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "Funnel"}, bot.Image{PNG: []byte("png"), Alt: "funnel"}}}, nil
		}
		return bot.Reply{Ephemeral: true, Blocks: []bot.Block{bot.Text{Text: "only you"}}}, nil
	}
	e.event(callback("EvE", `{"type":"app_mention","channel":"C7","user":"U1","text":"<@UBOT> deals"}`), 0)
	e.slash("chart", "")
	e.drain()
	eph := e.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("channel") != "C7" || eph[0].Form.Get("user") != "U1" {
		t.Fatalf("postEphemeral %+v", eph)
	}
	if n := len(e.slack.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d public posts for an ephemeral reply", n)
	}
	up := e.slack.Calls("files.completeUploadExternal")
	if len(up) != 1 || up[0].Form.Get("channel_id") != "C1" {
		t.Fatalf("upload %+v", up)
	}
}

func TestBusyNoticeInChinese(t *testing.T) {
	e := newEnv(t, 1, 1)
	started, release := make(chan struct{}), make(chan struct{})
	e.h.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Text == "slow" {
			close(started)
			<-release
		}
		return bot.Reply{}, nil
	}
	e.slash("slow", "")
	<-started
	e.slash("queued", "")
	w := e.slash("我的商机", "")
	close(release)
	e.drain()
	if !strings.Contains(w.Body.String(), "未做任何更改") || !strings.Contains(w.Body.String(), "太忙") {
		t.Fatalf("ack %s", w.Body)
	}
}

func TestResponseURLUsedAtMostFiveTimes(t *testing.T) {
	e := newEnv(t, 1, 4)
	e.h.reply = func(bot.Message) (bot.Reply, error) {
		var r bot.Reply
		r.Add(bot.Text{Text: "  "}) // blank: dropped, Slack refuses it
		for range 6 * maxMessageBlocks {
			r.Add(bot.Divider{})
		}
		return r, nil
	}
	e.slash("pipeline", "")
	e.drain()
	if n := len(e.slack.Calls("response/1")); n != maxResponseURLUses {
		t.Fatalf("response_url used %d times", n)
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C1" {
		t.Fatalf("posts %+v", posts)
	}
}
