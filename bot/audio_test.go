package bot_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
	"github.com/stagecoach/stagecoach/coach"
)

// heard is a coach.Transcriber that "hears" a fixed text, or fails.
type heard struct {
	mu               sync.Mutex
	text             string
	err              error
	calls            int
	name, mime, lang string
	data             []byte
}

func (h *heard) Transcribe(ctx context.Context, audio io.Reader, name, mime, lang string) (string, error) {
	b, err := io.ReadAll(audio)
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	h.name, h.mime, h.lang, h.data = name, mime, lang, b
	return h.text, h.err
}

func clipAudio(data string) *bot.Audio {
	return &bot.Audio{ID: "F1", Name: "audio_message.webm", MIME: "audio/webm", Size: int64(len(data)),
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }}
}

// say sends a voice message as user and returns the console rendering.
func say(t *testing.T, e *bottest.Env, user string, au *bot.Audio) string {
	t.Helper()
	msg := e.Message(user, "")
	msg.Audio = au
	rep, err := e.Router.Handle(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return console.Render(rep)
}

func TestVoiceNoteBecomesNote(t *testing.T) {
	e := bottest.New(t)
	h := &heard{text: "Acme: met Li Wei, she's the project handler. Demo planned for the 8th at 14:00."}
	e.Service.ASR = h
	e.Ask("alice", `new "Acme"`)
	out := say(t, e, "alice", clipAudio("webm-bytes"))
	for _, want := range []string{"🎙 Transcript: “Acme: met Li Wei", "D-1", "Li Wei", "Apply all"} {
		if !strings.Contains(out, want) {
			t.Errorf("reply lacks %q:\n%s", want, out)
		}
	}
	if h.name != "audio_message.webm" || h.mime != "audio/webm" || h.lang != "en" || string(h.data) != "webm-bytes" {
		t.Errorf("transcriber got %q %q %q %q", h.name, h.mime, h.lang, h.data)
	}
	if d := e.Deal("D-1"); len(d.Stakeholders) != 0 || len(d.Meetings) != 0 {
		t.Fatalf("written before apply: %+v %+v", d.Stakeholders, d.Meetings)
	}
	e.Ask("alice", "apply")
	if d := e.Deal("D-1"); len(d.Stakeholders) != 1 || d.Stakeholders[0].Name != "Li Wei" {
		t.Fatalf("after apply: %+v", d.Stakeholders)
	}
}

func TestVoiceNoteChinese(t *testing.T) {
	e := bottest.New(t)
	e.Locale = "zh"
	h := &heard{text: "远航物流：明天下午两点去拜访王总。"}
	e.Service.ASR = h
	e.Ask("alice", `new "远航物流"`)
	out := say(t, e, "alice", clipAudio("ogg"))
	if !strings.Contains(out, "🎙 转写：“远航物流：明天下午两点去拜访王总。”") || !strings.Contains(out, "D-1") {
		t.Fatalf("reply:\n%s", out)
	}
	if h.lang != "zh" {
		t.Errorf("language hint %q", h.lang)
	}
}

// TestVoiceNoteSpokenChinese: a Chinese transcript is answered in Chinese
// in an English team, as a typed Chinese message is.
func TestVoiceNoteSpokenChinese(t *testing.T) {
	e := bottest.New(t)
	e.Service.ASR = &heard{text: "远航物流：明天下午两点去拜访王总。"}
	e.Ask("alice", `new "远航物流"`)
	if out := say(t, e, "alice", clipAudio("x")); !strings.Contains(out, "🎙 转写：") {
		t.Fatalf("reply:\n%s", out)
	}
}

func TestVoiceNoteTooLong(t *testing.T) {
	e := bottest.New(t)
	e.Service.ASR = &heard{text: "Acme: " + strings.Repeat("we talked about the rollout plan again. ", 60)}
	e.Ask("alice", `new "Acme"`)
	out := say(t, e, "alice", clipAudio("x"))
	if !strings.Contains(out, "🎙 Transcript: “Acme: we talked") || !strings.Contains(out, "at most 2000 characters") {
		t.Fatalf("reply:\n%s", out)
	}
	if d := e.Deal("D-1"); len(d.Notes) != 0 {
		t.Fatalf("recorded: %d notes", len(d.Notes))
	}
}

func TestVoiceNoteAsksWhichDeal(t *testing.T) {
	e := bottest.New(t)
	e.Service.ASR = &heard{text: "Met the CFO today, she is the decision maker and supports us; we agreed to meet again next Tuesday at 3pm."}
	e.Ask("alice", `new "Acme"`)
	e.Ask("alice", `new "Globex"`)
	msg := e.Message("alice", "")
	msg.Audio = clipAudio("x")
	rep, err := e.Router.Handle(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	out := console.Render(rep)
	if !strings.Contains(out, "🎙 Transcript") || !strings.Contains(out, "Which deal") {
		t.Fatalf("reply:\n%s", out)
	}
	var cmds []string
	for _, b := range rep.Blocks {
		if bs, ok := b.(bot.Buttons); ok {
			for _, x := range bs.Items {
				cmds = append(cmds, x.Command)
			}
		}
	}
	if len(cmds) != 2 || !strings.HasPrefix(cmds[0], "note D-") || !strings.Contains(cmds[0], "Met the CFO") {
		t.Fatalf("buttons %q", cmds)
	}
}

func TestVoiceNoteNeverRunsCommands(t *testing.T) {
	e := bottest.New(t)
	e.Service.ASR = &heard{text: "won D-1"}
	e.Ask("alice", `new "Acme"`)
	out := say(t, e, "alice", clipAudio("x"))
	if !strings.Contains(out, "🎙 Transcript: “won D-1”") || !strings.Contains(out, "couldn't tell which deal") {
		t.Fatalf("reply:\n%s", out)
	}
	if d := e.Deal("D-1"); d.Status != coach.StatusOpen {
		t.Fatalf("a transcript ran a command: %s", d.Status)
	}
}

func TestVoiceNoteCaption(t *testing.T) {
	e := bottest.New(t)
	e.Service.ASR = &heard{text: "met Li Wei, she's the project handler."}
	e.Ask("alice", `new "Acme"`)
	msg := e.Message("alice", "Acme")
	msg.Audio = clipAudio("x")
	rep, err := e.Router.Handle(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if out := console.Render(rep); !strings.Contains(out, "D-1") || !strings.Contains(out, "Li Wei") {
		t.Fatalf("the typed caption names the deal:\n%s", out)
	}
}

func TestVoiceNoteErrors(t *testing.T) {
	big := clipAudio("x")
	big.Size = coach.MaxAudioBytes + 1
	long := clipAudio("x")
	long.DurationMs = 6 * 60 * 1000
	pdf := clipAudio("x")
	pdf.Name, pdf.MIME = "deck.pdf", "application/pdf"
	lying := clipAudio(strings.Repeat("a", coach.MaxAudioBytes+1))
	lying.Size = 10
	gone := clipAudio("x")
	gone.Open = func(context.Context) (io.ReadCloser, error) { return nil, errors.New("404") }
	for _, tt := range []struct {
		name    string
		asr     coach.Transcriber
		au      *bot.Audio
		en, zh  string
		noCalls bool
	}{
		{"off", nil, clipAudio("x"), "STAGECOACH_ASR_URL", "语音备注尚未开启", true},
		{"too large", &heard{text: "x"}, big, "larger than 25 MB", "超过 25 MB", true},
		{"larger than said", &heard{text: "x"}, lying, "larger than 25 MB", "超过 25 MB", true},
		{"too long", &heard{text: "x"}, long, "longer than 5 minutes", "超过 5 分钟", true},
		{"not audio", &heard{text: "x"}, pdf, "(application/pdf)", "（application/pdf）", true},
		{"download failed", &heard{text: "x"}, gone, "couldn't download", "无法从聊天平台下载", true},
		{"service failed", &heard{err: errors.New("status 500")}, clipAudio("x"), "transcription service failed", "语音转写服务出错", false},
		{"timeout", &heard{err: context.DeadlineExceeded}, clipAudio("x"), "took too long", "语音转写超时", false},
		{"silence", &heard{text: "  "}, clipAudio("x"), "heard no words", "没有听到任何内容", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range []string{"en", "zh"} {
				e := bottest.New(t)
				e.Locale = lang
				e.Service.ASR = tt.asr
				e.Ask("alice", `new "Acme"`)
				out := say(t, e, "alice", tt.au)
				want := tt.en
				if lang == "zh" {
					want = tt.zh
				}
				if !strings.Contains(out, want) {
					t.Errorf("%s: reply lacks %q:\n%s", lang, want, out)
				}
				if strings.Contains(out, "🎙") {
					t.Errorf("%s: a transcript shown on failure:\n%s", lang, out)
				}
				if d := e.Deal("D-1"); len(d.Notes) != 0 {
					t.Errorf("%s: a note was written: %+v", lang, d.Notes)
				}
				if h, ok := tt.asr.(*heard); ok && (h.calls > 0) == tt.noCalls {
					t.Errorf("%s: transcriber calls = %d", lang, h.calls)
				}
			}
		})
	}
}
