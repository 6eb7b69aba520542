package coach_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func TestAudioFormat(t *testing.T) {
	for _, tt := range []struct {
		name, mime string
		file, typ  string
		ok         bool
	}{
		{"audio_message.webm", "audio/webm", "audio_message.webm", "audio/webm", true},
		{"Recording.m4a", "audio/mp4", "Recording.m4a", "audio/mp4", true},
		{"clip", "audio/mp4", "clip.m4a", "audio/mp4", true},
		{"file_v3_abc", "audio/opus", "file_v3_abc.ogg", "audio/ogg", true},
		{"voice.opus", "", "voice.ogg", "audio/ogg", true},
		{"memo.mp3", "application/octet-stream", "memo.mp3", "audio/mpeg", true},
		{"memo.MP3", "audio/x-unknown", "memo.mp3", "audio/mpeg", true},
		{"x.wav", "audio/wav; codecs=1", "x.wav", "audio/wav", true},
		{"a.ogg", "audio/mpeg", "a.mp3", "audio/mpeg", true}, // the type wins over a wrong name
		{"", "audio/ogg", "voice.ogg", "audio/ogg", true},
		{"../../etc/passwd.wav", "", "passwd.wav", "audio/wav", true},
		{"deck.pdf", "application/pdf", "", "", false},
		{"photo.jpg", "image/jpeg", "", "", false},
		{"movie.mp3", "video/quicktime", "", "", false},
		{"noext", "", "", "", false},
		{"noext", "text/plain", "", "", false},
	} {
		t.Run(tt.name+" "+tt.mime, func(t *testing.T) {
			file, typ, ok := coach.AudioFormat(tt.name, tt.mime)
			if file != tt.file || typ != tt.typ || ok != tt.ok {
				t.Errorf("AudioFormat(%q, %q) = %q, %q, %v; want %q, %q, %v", tt.name, tt.mime, file, typ, ok, tt.file, tt.typ, tt.ok)
			}
		})
	}
}

// FuzzAudioFormat: any name and type give a safe file name with a known
// extension, or are refused.
func FuzzAudioFormat(f *testing.F) {
	for _, s := range [][2]string{{"a.webm", "audio/webm"}, {"", "audio/opus"}, {"x/../y.mp3", ""}, {"a.b.c", "audio/"}, {".ogg", "audio/ogg;x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, mime string) {
		file, typ, ok := coach.AudioFormat(name, mime)
		if !ok {
			if file != "" || typ != "" {
				t.Fatalf("refused with %q %q", file, typ)
			}
			return
		}
		if strings.ContainsAny(file, "/\\") || !strings.HasPrefix(typ, "audio/") || len(file) > 110 {
			t.Fatalf("AudioFormat(%q, %q) = %q, %q", name, mime, file, typ)
		}
		if again, typ2, ok2 := coach.AudioFormat(file, typ); !ok2 || again != file || typ2 != typ {
			t.Fatalf("not stable: %q %q → %q %q %v", file, typ, again, typ2, ok2)
		}
		if utf8.ValidString(name) && !utf8.ValidString(file) {
			t.Fatalf("%q made invalid UTF-8 %q", name, file)
		}
	})
}

// echo is a Transcriber that returns the audio's bytes as text.
type echo struct{ lang string }

func (e *echo) Transcribe(ctx context.Context, audio io.Reader, name, mime, lang string) (string, error) {
	e.lang = lang
	b, err := io.ReadAll(audio)
	return string(b), err
}

func TestServiceTranscribe(t *testing.T) {
	svc := coach.NewService(nil, playbook.Default(), nil, nil)
	open := func(s string) func(context.Context) (io.ReadCloser, error) {
		return func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
	}
	if _, err := svc.Transcribe(t.Context(), coach.Audio{Name: "a.ogg", Open: open("x")}, playbook.EN); !isCode(err, coach.CodeVoiceOff) {
		t.Fatalf("no transcriber: %v", err)
	}
	e := &echo{}
	svc.ASR = e
	got, err := svc.Transcribe(t.Context(), coach.Audio{Name: "a.ogg", Open: open("  hello  ")}, playbook.ZH)
	if err != nil || got != "hello" || e.lang != "zh" {
		t.Fatalf("got %q, %v, lang %q", got, err, e.lang)
	}
	for _, tt := range []struct {
		name string
		au   coach.Audio
		code string
	}{
		{"no opener", coach.Audio{Name: "a.ogg"}, coach.CodeAudioFetch},
		{"empty file", coach.Audio{Name: "a.ogg", Open: open("")}, coach.CodeTranscriptEmpty},
		{"silence", coach.Audio{Name: "a.ogg", Open: open(" \n ")}, coach.CodeTranscriptEmpty},
		{"bad type", coach.Audio{Name: "a.txt", MIME: "text/plain", Open: open("x")}, coach.CodeAudioType},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.Transcribe(t.Context(), tt.au, playbook.EN); !isCode(err, tt.code) {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
		})
	}
}
