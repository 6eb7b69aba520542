package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/stagecoach/stagecoach/bot"
)

// fileServer serves one file on the fake Slack's host and records the
// Authorization header of each download.
type fileServer struct {
	mu    sync.Mutex
	auths []string
}

func (fs *fileServer) seen() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.auths...)
}

func (fs *fileServer) handler(ctype, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.auths = append(fs.auths, r.Header.Get("Authorization"))
		fs.mu.Unlock()
		w.Header().Set("Content-Type", ctype)
		io.WriteString(w, body)
	}
}

// fileEvent is a message event sharing one file in a DM (subtype
// file_share), or an app_mention carrying it.
func fileEvent(typ, subtype, mime, url string) string {
	file := map[string]any{"id": "F0VOICE", "name": "audio_message.webm", "mimetype": mime, "filetype": "webm",
		"size": 11, "duration_ms": 4200, "url_private": url, "url_private_download": url}
	ev := map[string]any{"type": typ, "user": "U1", "text": "", "ts": "1700000001.000100", "channel": "D1",
		"channel_type": "im", "event_ts": "1700000001.000100", "files": []any{file}}
	if subtype != "" {
		ev["subtype"] = subtype
	}
	if typ == "app_mention" {
		ev["channel"], ev["text"] = "C1", "<@UBOT> Acme"
		delete(ev, "channel_type")
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

// readAudio is a handler reply that downloads the audio and echoes it.
func readAudio(m bot.Message) (bot.Reply, error) {
	if m.Audio == nil || m.Audio.Open == nil {
		return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "no audio"}}}, nil
	}
	rc, err := m.Audio.Open(context.Background())
	if err != nil {
		return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "open: " + err.Error()}}}, nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return bot.Reply{Blocks: []bot.Block{bot.Text{Text: "heard " + string(b)}}}, nil
}

func TestVoiceClipEvents(t *testing.T) {
	for _, tt := range []struct {
		name, typ, subtype, mime string
		want                     bool
	}{
		{"DM voice clip", "message", "file_share", "audio/webm", true},
		{"mention with a clip", "app_mention", "", "audio/mp4", true},
		{"DM image", "message", "file_share", "image/png", false},
		{"edited clip", "message", "message_changed", "audio/webm", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 1, 8)
			fs := &fileServer{}
			e.slack.srv.Handle("/files-pri/T1-F0VOICE/download/audio_message.webm", fs.handler("audio/webm", "webm-bytes!"))
			url := e.slack.srv.GetAPIURL() + "files-pri/T1-F0VOICE/download/audio_message.webm"
			e.h.reply = readAudio
			if w := e.event(callback("Ev"+strings.ReplaceAll(tt.name, " ", ""), fileEvent(tt.typ, tt.subtype, tt.mime, url)), 0); w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			e.drain()
			msgs := e.h.Messages()
			if !tt.want {
				if len(msgs) != 0 {
					t.Fatalf("handled %+v", msgs)
				}
				return
			}
			if len(msgs) != 1 || msgs[0].Audio == nil {
				t.Fatalf("messages %+v", msgs)
			}
			au := msgs[0].Audio
			if au.ID != "F0VOICE" || au.URL != url || au.MIME != tt.mime || au.Size != 11 || au.DurationMs != 4200 || au.Name != "audio_message.webm" {
				t.Errorf("audio %+v", au)
			}
			if got := fs.seen(); len(got) != 1 || got[0] != "Bearer xoxb-test" {
				t.Errorf("downloads with %q, want the bot token once", got)
			}
			posts := e.slack.Calls("chat.postMessage")
			if len(posts) != 1 || !strings.Contains(string(posts[0].Raw), "heard+webm-bytes") && !strings.Contains(string(posts[0].Raw), "heard webm-bytes") {
				t.Errorf("reply %v", posts)
			}
		})
	}
}

func TestVoiceClipDownload(t *testing.T) {
	e := newEnv(t, 1, 8)
	fs := &fileServer{}
	e.slack.srv.Handle("/files-pri/ok", fs.handler("audio/webm", "clip"))
	e.slack.srv.Handle("/files-pri/login", fs.handler("text/html; charset=utf-8", "<html>sign in</html>"))
	e.slack.srv.Handle("/files-pri/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	e.slack.srv.Handle("/files.info", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("file") != "F9" {
			io.WriteString(w, `{"ok":false,"error":"file_not_found"}`)
			return
		}
		io.WriteString(w, `{"ok":true,"file":{"id":"F9","url_private_download":"`+e.slack.srv.GetAPIURL()+`files-pri/ok"}}`)
	})
	evil := &fileServer{}
	evilSrv := httptest.NewServer(evil.handler("audio/webm", "x"))
	defer evilSrv.Close()
	api := e.slack.srv.GetAPIURL()
	for _, tt := range []struct {
		name string
		au   bot.Audio
		want string // body, or "" for an error
		err  error
	}{
		{"direct", bot.Audio{URL: api + "files-pri/ok"}, "clip", nil},
		{"looked up with files.info", bot.Audio{ID: "F9"}, "clip", nil},
		{"unknown file", bot.Audio{ID: "F404"}, "", nil},
		{"sign-in page (no files:read)", bot.Audio{URL: api + "files-pri/login"}, "", errNotFile},
		{"404", bot.Audio{URL: api + "files-pri/gone"}, "", nil},
		{"not Slack", bot.Audio{URL: evilSrv.URL + "/f"}, "", nil},
		{"not https", bot.Audio{URL: "http://files.slack.com/f"}, "", nil},
		{"user info in URL", bot.Audio{URL: "https://x@files.slack.com/f"}, "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := e.a.download(t.Context(), tt.au)
			if tt.want == "" {
				if err == nil {
					rc.Close()
					t.Fatal("downloaded")
				}
				if tt.err != nil && !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != tt.want {
				t.Fatalf("body %q", b)
			}
		})
	}
	if n := len(evil.seen()); n != 0 {
		t.Errorf("the bot token went to another host %d times", n)
	}
}

func TestTrustedFileURL(t *testing.T) {
	a := &Adapter{}
	for u, want := range map[string]bool{
		"https://files.slack.com/files-pri/T1-F1/download/a.webm": true,
		"https://slack.com/x":                  true,
		"https://files.slack.com.evil.com/x":   false,
		"https://evilslack.com/x":              false,
		"http://files.slack.com/x":             false,
		"":                                     false,
		"files.slack.com/x":                    false,
		"https://files.slack.com:443/x?t=1#f":  true,
		"https://user:pw@files.slack.com/x":    false,
		"javascript:alert(1)//files.slack.com": false,
	} {
		if got := a.trustedFileURL(u); got != want {
			t.Errorf("trustedFileURL(%q) = %v", u, got)
		}
	}
}

// FuzzAudioFile: any file list from an event gives at most one audio
// file, and it is one of them.
func FuzzAudioFile(f *testing.F) {
	f.Add(`[{"id":"F1","mimetype":"audio/webm","url_private_download":"https://files.slack.com/a"}]`)
	f.Add(`[{"mimetype":"image/png"},{"mimetype":"AUDIO/MP4","size":-1,"duration_ms":99999999}]`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		var files []slackapi.File
		if json.Unmarshal([]byte(s), &files) != nil {
			return
		}
		au := audioFile(files)
		if au == nil {
			return
		}
		if !strings.HasPrefix(strings.ToLower(au.MIME), "audio/") {
			t.Fatalf("not audio: %+v", au)
		}
		ev := &slackevents.MessageEvent{SubType: "file_share", Message: &slackapi.Msg{Files: files}}
		if messageAudio(ev) == nil {
			t.Fatal("file_share lost its audio")
		}
	})
}
