package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
)

func TestLoadASRConfig(t *testing.T) {
	for _, tt := range []struct {
		env   map[string]string
		ok    bool
		model string
	}{
		{map[string]string{}, true, ""},
		{map[string]string{"STAGECOACH_ASR_URL": "http://localhost:8000/v1"}, true, "whisper-1"},
		{map[string]string{"STAGECOACH_ASR_URL": "https://api.openai.com/v1", "STAGECOACH_ASR_MODEL": "gpt-4o-transcribe", "STAGECOACH_ASR_KEY": "sk-x"}, true, "gpt-4o-transcribe"},
		{map[string]string{"STAGECOACH_ASR_URL": "http://localhost:8000/v1", "STAGECOACH_ASR_TIMEOUT": "45s"}, true, "whisper-1"},
		{map[string]string{"STAGECOACH_ASR_KEY": "sk-x"}, false, ""},
		{map[string]string{"STAGECOACH_ASR_MODEL": "whisper-1"}, false, ""},
		{map[string]string{"STAGECOACH_ASR_URL": "localhost:8000"}, false, ""},
		{map[string]string{"STAGECOACH_ASR_URL": "ftp://x/v1"}, false, ""},
		{map[string]string{"STAGECOACH_ASR_URL": "http://localhost:8000/v1", "STAGECOACH_ASR_TIMEOUT": "soon"}, false, ""},
		{map[string]string{"STAGECOACH_ASR_URL": "http://localhost:8000/v1", "STAGECOACH_ASR_TIMEOUT": "-1s"}, false, ""},
	} {
		c, err := loadASRConfig(func(k string) string { return tt.env[k] })
		if (err == nil) != tt.ok || (err == nil && c.Model != tt.model) {
			t.Errorf("%v: %+v, err %v", tt.env, c, err)
		}
	}
}

// fakeWhisper is a local OpenAI-compatible /v1/audio/transcriptions: it
// checks the multipart request and answers {"text": …}.
type fakeWhisper struct {
	srv  *httptest.Server
	text string
	mu   sync.Mutex
	got  []string // "model name bytes auth" per request
}

func newFakeWhisper(t *testing.T, text string) *fakeWhisper {
	f := &fakeWhisper{text: text}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/audio/transcriptions" || r.ParseMultipartForm(1<<20) != nil {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		file, hdr, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"message":"no file"}}`, 400)
			return
		}
		b, _ := io.ReadAll(file)
		f.mu.Lock()
		f.got = append(f.got, r.FormValue("model")+" "+hdr.Filename+" "+string(b)+" "+r.Header.Get("Authorization"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"text": f.text})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWhisper) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// startBinary runs the whole service with env until the test ends and
// waits for /healthz.
func startBinary(t *testing.T, env map[string]string) (base string, logs *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	env["HTTP_ADDR"], env["STAGECOACH_DB"], env["STAGECOACH_CRON"], env["LOG_LEVEL"] = addr, filepath.Join(t.TempDir(), "v.db"), "false", "debug"
	withEnv(t, env)
	logs = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, nil, strings.NewReader(""), io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit %d\n%s", code, logs.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("no shutdown")
		}
	})
	base = "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return base, logs
		}
		if i > 200 {
			t.Fatalf("server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// posts collects what a fake platform was asked to post.
type posts struct {
	mu   sync.Mutex
	all  []string
	seen int
}

func (p *posts) add(s string) {
	p.mu.Lock()
	p.all = append(p.all, s)
	p.mu.Unlock()
}

// wait returns the first post after the last one wait returned that
// contains want.
func (p *posts) wait(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for i := p.seen; i < len(p.all); i++ {
			if strings.Contains(p.all[i], want) {
				p.seen = i + 1
				p.mu.Unlock()
				return p.all[i]
			}
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Fatalf("nothing posted contains %q; posted:\n%s", want, strings.Join(p.all[p.seen:], "\n---\n"))
	return ""
}

// TestVoiceNoteSlack: a voice clip shared in a DM (a signed Events API
// message event, subtype file_share, audio/webm) is downloaded with the
// bot token, transcribed by the endpoint configured in the environment
// and answered with the transcript and the note's proposals; nothing is
// written until `apply`. Without STAGECOACH_ASR_URL the bot says how to
// turn voice notes on.
func TestVoiceNoteSlack(t *testing.T) {
	const secret, token, key = "voice-signing-secret", "xoxb-voice-bot-token-42", "sk-voice-asr-key-99"
	for _, asrOn := range []bool{true, false} {
		t.Run(map[bool]string{true: "transcribed", false: "not configured"}[asrOn], func(t *testing.T) {
			whisper := newFakeWhisper(t, "Acme: met Li Wei, she's the project handler. Demo planned for December 8 at 14:00.")
			var sent posts
			var fileAuth []string
			var mu sync.Mutex
			slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				switch {
				case r.URL.Path == "/files-pri/T1-FV1/download/audio_message.webm":
					mu.Lock()
					fileAuth = append(fileAuth, r.Header.Get("Authorization"))
					mu.Unlock()
					w.Header().Set("Content-Type", "audio/webm")
					io.WriteString(w, "webm-clip-bytes")
					return
				case strings.HasPrefix(r.URL.Path, "/respond/"), strings.HasSuffix(r.URL.Path, "/chat.postMessage"), strings.HasSuffix(r.URL.Path, "/chat.postEphemeral"):
					if s, err := url.QueryUnescape(string(body)); err == nil {
						body = []byte(s) // chat.postMessage is form-encoded
					}
					sent.add(string(body))
				}
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "/users.info") {
					io.WriteString(w, `{"ok":true,"user":{"id":"U1","name":"alice","real_name":"Alice","profile":{"display_name":"Alice"}}}`)
					return
				}
				io.WriteString(w, `{"ok":true,"channel":"D1","ts":"1700000009.000100"}`)
			}))
			defer slack.Close()
			env := map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": slack.URL + "/api/"}
			if asrOn {
				env["STAGECOACH_ASR_URL"], env["STAGECOACH_ASR_MODEL"], env["STAGECOACH_ASR_KEY"] = whisper.srv.URL+"/v1", "whisper-large-v3", key
			}
			base, logs := startBinary(t, env)
			signedSlash(t, base, secret, `new "Acme"`, slack.URL+"/respond/1")
			sent.wait(t, "D-1")

			file := map[string]any{"id": "FV1", "name": "audio_message.webm", "mimetype": "audio/webm", "filetype": "webm", "size": 15,
				"duration_ms": 5300, "url_private_download": slack.URL + "/files-pri/T1-FV1/download/audio_message.webm"}
			inner := map[string]any{"type": "message", "subtype": "file_share", "user": "U1", "text": "", "ts": "1700000002.000100",
				"channel": "D1", "channel_type": "im", "event_ts": "1700000002.000100", "files": []any{file}}
			ev, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvVoice1",
				"event_time": time.Now().Unix(), "event": inner, "authorizations": []any{map[string]any{"team_id": "T1", "user_id": "UBOT", "is_bot": true}}})
			if resp := signedEvent(t, base, secret, ev); resp.StatusCode != 200 {
				t.Fatalf("event ack %d", resp.StatusCode)
			}
			if !asrOn {
				sent.wait(t, "STAGECOACH_ASR_URL")
				if n := len(whisper.requests()); n != 0 {
					t.Fatalf("%d transcriptions without the setting", n)
				}
				return
			}
			out := sent.wait(t, "Transcript")
			for _, want := range []string{"met Li Wei", "Apply all", "~note"} {
				if !strings.Contains(out, want) {
					t.Errorf("reply lacks %q:\n%s", want, out)
				}
			}
			mu.Lock()
			if len(fileAuth) != 1 || fileAuth[0] != "Bearer "+token {
				t.Errorf("file downloads: %q", fileAuth)
			}
			mu.Unlock()
			if got := whisper.requests(); len(got) != 1 || got[0] != "whisper-large-v3 audio_message.webm webm-clip-bytes Bearer "+key {
				t.Errorf("transcription requests %q", got)
			}
			signedSlash(t, base, secret, "contact D-1", slack.URL+"/respond/2")
			if s := sent.wait(t, "D-1"); strings.Contains(s, "Li Wei") {
				t.Fatalf("a contact was written before apply:\n%s", s)
			}
			signedSlash(t, base, secret, "apply", slack.URL+"/respond/3")
			sent.wait(t, "Applied to D-1")
			signedSlash(t, base, secret, "contact D-1", slack.URL+"/respond/4")
			sent.wait(t, "#1 Li Wei")
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(metrics), `stagecoach_requests_total{command="voice",outcome="ok",platform="slack"} 1`) {
				t.Error("/metrics does not count the voice note")
			}
			if strings.Contains(logs.String(), key) || strings.Contains(logs.String(), token) {
				t.Error("a secret is in the logs")
			}
		})
	}
}

func signedEvent(t *testing.T, base, secret string, body []byte) *http.Response {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest("POST", base+"/slack/events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestVoiceNoteLark: a voice message in a Lark direct chat (an encrypted,
// signed webhook event, message_type audio) is fetched through the
// message resource API, transcribed and answered in Chinese with the
// transcript and the proposals card.
func TestVoiceNoteLark(t *testing.T) {
	whisper := newFakeWhisper(t, "远航物流：今天拜访了王总，他是决策人，很支持我们。下周二下午两点去总部做演示。")
	var sent posts
	var resources []string
	var mu sync.Mutex
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"code": 0, "tenant_access_token": "t-voice", "expire": 7200})
	})
	mux.HandleFunc("POST /open-apis/im/v1/messages", func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Content string `json:"content"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		sent.add(m.Content)
		reply(w, map[string]any{"code": 0, "data": map[string]any{"message_id": "om_bot"}})
	})
	mux.HandleFunc("GET /open-apis/im/v1/messages/{id}/resources/{key}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		resources = append(resources, r.PathValue("id")+" "+r.PathValue("key")+" "+r.URL.Query().Get("type"))
		mu.Unlock()
		w.Header().Set("Content-Type", "audio/ogg")
		io.WriteString(w, "OggS-lark-voice")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		io.WriteString(w, `{"code":404,"msg":"no route"}`)
	})
	lark := httptest.NewServer(mux)
	defer lark.Close()
	base, _ := startBinary(t, map[string]string{
		"LARK_APP_ID": "cli_voice", "LARK_APP_SECRET": "secret", "LARK_MODE": "webhook", "LARK_BASE_URL": lark.URL,
		"LARK_ENCRYPT_KEY": e2eEncryptKey, "LARK_VERIFICATION_TOKEN": e2eToken,
		"STAGECOACH_ASR_URL": whisper.srv.URL + "/v1",
	})
	post := func(id, typ string, content any) {
		t.Helper()
		c, _ := json.Marshal(content)
		plain, _ := json.Marshal(map[string]any{
			"schema": "2.0",
			"header": map[string]any{"event_id": id, "event_type": "im.message.receive_v1", "tenant_key": "tk_voice",
				"token": e2eToken, "app_id": "cli_voice", "create_time": strconv.FormatInt(time.Now().UnixMilli(), 10)},
			"event": map[string]any{
				"sender":  map[string]any{"sender_id": map[string]any{"open_id": "ou_ann"}, "sender_type": "user", "tenant_key": "tk_voice"},
				"message": map[string]any{"message_id": "om_" + id, "chat_id": "oc_p2p", "chat_type": "p2p", "message_type": typ, "content": string(c)},
			},
		})
		enc, err := larkcore.EncryptedEventMsg(context.Background(), plain, e2eEncryptKey)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(larkevent.EventEncryptMsg{Encrypt: enc})
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, base+"/lark/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(larkevent.EventRequestTimestamp, ts)
		req.Header.Set(larkevent.EventRequestNonce, "n-"+id)
		req.Header.Set(larkevent.EventSignature, larkevent.Signature(ts, "n-"+id, e2eEncryptKey, string(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("event %s: HTTP %d", id, resp.StatusCode)
		}
	}
	post("ev_new", "text", map[string]string{"text": `new "远航物流"`})
	sent.wait(t, "D-1")
	post("ev_voice", "audio", map[string]any{"file_key": "file_v3_voice", "duration": 6100})
	out := sent.wait(t, "转写")
	for _, want := range []string{"王总", "checker", "~note", "全部应用"} {
		if !strings.Contains(out, want) {
			t.Errorf("card lacks %q:\n%s", want, out)
		}
	}
	mu.Lock()
	if len(resources) != 1 || resources[0] != "om_ev_voice file_v3_voice file" {
		t.Errorf("resource requests %q", resources)
	}
	mu.Unlock()
	if got := whisper.requests(); len(got) != 1 || got[0] != "whisper-1 voice.ogg OggS-lark-voice " {
		t.Errorf("transcription requests %q", got)
	}
}
