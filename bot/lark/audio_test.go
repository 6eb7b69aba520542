package lark

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
)

// audioEvent is an im.message.receive_v1 event of a voice message.
func audioEvent(eventID, chatType, content string) []byte {
	var ev map[string]any
	_ = json.Unmarshal(msgEvent(eventID, chatType, "audio", ""), &ev)
	m := ev["event"].(map[string]any)["message"].(map[string]any)
	m["content"] = content
	b, _ := json.Marshal(ev)
	return b
}

// serveResources adds the message resource API to the fake OpenAPI:
// the voice message's bytes for om_user_<event>/file_v3_voice, with the
// request's token and type recorded.
func serveResources(t *testing.T, f *fixture, body string) *[]string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	mux := f.api.srv.Config.Handler.(*http.ServeMux)
	mux.HandleFunc("GET /open-apis/im/v1/messages/{id}/resources/{key}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.PathValue("id")+" "+r.PathValue("key")+" "+r.URL.Query().Get("type")+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		if r.PathValue("key") != "file_v3_voice" {
			writeJSON(w, 400, map[string]any{"code": 234003, "msg": "File not in msg."})
			return
		}
		w.Header().Set("Content-Type", "audio/ogg")
		w.Header().Set("Content-Disposition", `attachment; filename="file_v3_voice.opus"`)
		io.WriteString(w, body)
	})
	return &seen
}

func TestVoiceMessage(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	seen := serveResources(t, f, "OggS-opus-bytes")
	f.rec.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Audio == nil || m.Audio.Open == nil {
			return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "no audio"}}}, nil
		}
		rc, err := m.Audio.Open(context.Background())
		if err != nil {
			return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "open failed: " + err.Error()}}}, nil
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "heard " + string(b)}}}, nil
	}
	if s, b, _ := f.postSigned(t, audioEvent("ev_voice", "p2p", `{"file_key":"file_v3_voice","duration":4200}`)); s != 200 {
		t.Fatalf("status %d: %s", s, b)
	}
	m := f.rec.next(t)
	if m.Audio == nil || m.Audio.ID != "file_v3_voice" || m.Audio.DurationMs != 4200 || m.Audio.MIME != "audio/ogg" || m.Text != "" {
		t.Fatalf("message %+v audio %+v", m, m.Audio)
	}
	c := f.api.next(t)
	if !strings.Contains(c.Content, "heard OggS-opus-bytes") {
		t.Fatalf("reply %s", c.Content)
	}
	if len(*seen) != 1 || (*seen)[0] != "om_user_ev_voice file_v3_voice file Bearer t-test" {
		t.Errorf("resource requests %q", *seen)
	}

	// a file key the message does not hold: Open fails with the code
	if s, b, _ := f.postSigned(t, audioEvent("ev_voice2", "p2p", `{"file_key":"file_v3_other","duration":1000}`)); s != 200 {
		t.Fatalf("status %d: %s", s, b)
	}
	f.rec.next(t)
	if c := f.api.next(t); !strings.Contains(c.Content, "open failed") || !strings.Contains(c.Content, "234003") {
		t.Fatalf("reply %s", c.Content)
	}
}

func TestVoiceMessageIgnoredOrHint(t *testing.T) {
	f := newFixture(t, ModeWebhook)
	// in a group, a voice message cannot @mention the bot: ignored
	if s, b, _ := f.postSigned(t, audioEvent("ev_g", "group", `{"file_key":"file_v3_voice","duration":1}`)); s != 200 {
		t.Fatalf("status %d: %s", s, b)
	}
	// an audio message without a file key is not a voice note: the hint
	if s, b, _ := f.postSigned(t, audioEvent("ev_bad", "p2p", `{"duration":1}`)); s != 200 {
		t.Fatalf("status %d: %s", s, b)
	}
	if c := f.api.next(t); !strings.Contains(c.Content, text("zh", "unsupported")) {
		t.Fatalf("want the hint, got %s", c.Content)
	}
	f.sentinel(t)
	if n := f.rec.count(); n != 1 {
		t.Errorf("handler called %d times, want only the sentinel", n)
	}
}

// FuzzAudioContent: any content gives a voice note with a file key and a
// sane duration, or none.
func FuzzAudioContent(f *testing.F) {
	for _, s := range []string{`{"file_key":"file_v3_x","duration":4200}`, `{"file_key":""}`, `{"file_key":"k","duration":-5}`, `{"file_key":"k","duration":1e300}`, `[]`, ``} {
		f.Add("audio", s)
	}
	f.Add("text", `{"file_key":"k"}`)
	f.Fuzz(func(t *testing.T, typ, content string) {
		au, ok := audioContent(typ, content)
		if !ok {
			if au != nil {
				t.Fatal("audio without ok")
			}
			return
		}
		if typ != "audio" || au.ID == "" || len(au.ID) > 512 || au.DurationMs < 0 || au.MIME != "audio/ogg" {
			t.Fatalf("audioContent(%q, %q) = %+v", typ, content, au)
		}
	})
}
