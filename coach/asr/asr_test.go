package asr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// seen is one request the fake endpoint received.
type seen struct {
	path, auth, model, lang, format string
	file                            []byte
	name, ctype                     string
}

// fakeASR is a local OpenAI-compatible transcription endpoint: it parses
// the multipart request as the real one does and answers with answer.
type fakeASR struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []seen
	answer func(w http.ResponseWriter, r *http.Request)
}

func newFake(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *fakeASR {
	t.Helper()
	f := &fakeASR{answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{path: r.URL.Path, auth: r.Header.Get("Authorization")}
		if err := r.ParseMultipartForm(32 << 20); err == nil {
			s.model, s.lang, s.format = r.FormValue("model"), r.FormValue("language"), r.FormValue("response_format")
			if fh, hdr, err := r.FormFile("file"); err == nil {
				s.file, _ = io.ReadAll(fh)
				s.name, s.ctype = hdr.Filename, hdr.Header.Get("Content-Type")
				fh.Close()
			}
		}
		f.mu.Lock()
		f.got = append(f.got, s)
		f.mu.Unlock()
		f.answer(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeASR) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.got...)
}

func text(s string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"text": s})
	}
}

func TestRequestShape(t *testing.T) {
	audio := []byte("OggS\x00fake-opus-bytes")
	for _, tt := range []struct {
		name, key, lang, wantAuth, wantLang string
	}{
		{"with key", "sk-secret-123", "zh", "Bearer sk-secret-123", "zh"},
		{"local server without key", "", "en", "", "en"},
		{"no language hint", "", "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OPENAI_API_KEY", "sk-from-environment")
			f := newFake(t, text(" 远航物流：明天下午两点拜访王总。 "))
			var logs bytes.Buffer
			c, err := New(Config{BaseURL: f.srv.URL + "/v1", Model: "whisper-large-v3", Key: tt.key, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Transcribe(t.Context(), bytes.NewReader(audio), "voice.ogg", "audio/ogg", tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if got != "远航物流：明天下午两点拜访王总。" {
				t.Errorf("text = %q", got)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.path != "/v1/audio/transcriptions" || r.model != "whisper-large-v3" || r.lang != tt.wantLang || r.format != "json" {
				t.Errorf("request %+v", r)
			}
			if !bytes.Equal(r.file, audio) || r.name != "voice.ogg" || r.ctype != "audio/ogg" {
				t.Errorf("file %q name %q type %q", r.file, r.name, r.ctype)
			}
			if r.auth != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", r.auth, tt.wantAuth)
			}
			if strings.Contains(logs.String(), "sk-") || strings.Contains(logs.String(), "王总") {
				t.Errorf("key or text in logs: %s", logs.String())
			}
		})
	}
}

func TestDefaultModel(t *testing.T) {
	f := newFake(t, text("hi"))
	c, err := New(Config{BaseURL: f.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transcribe(t.Context(), strings.NewReader("x"), "a.mp3", "audio/mpeg", ""); err != nil {
		t.Fatal(err)
	}
	if m := f.requests()[0].model; m != DefaultModel {
		t.Errorf("model = %q", m)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a base URL")
	}
}

func TestErrors(t *testing.T) {
	status := func(code int, body string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, body)
		}
	}
	for _, tt := range []struct {
		name      string
		answer    func(w http.ResponseWriter, r *http.Request)
		wantErr   bool
		wantText  string
		wantCalls int
	}{
		{"rate limited", status(429, `{"error":{"message":"Rate limit reached for sk-secret-xyz","type":"rate_limit"}}`), true, "", 1},
		{"server error", status(500, `{"error":{"message":"boom"}}`), true, "", 1},
		{"bad gateway", status(502, `<html>bad gateway</html>`), true, "", 1},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"text": "unterminated`)
		}, true, "", 1},
		{"JSON without text", status(200, `{"result":"hello"}`), true, "", 1},
		{"empty text", status(200, `{"text":"   "}`), false, "", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.answer)
			c, _ := New(Config{BaseURL: f.srv.URL + "/v1", Key: "sk-secret-xyz"})
			got, err := c.Transcribe(t.Context(), strings.NewReader("audio"), "v.webm", "audio/webm", "en")
			if (err != nil) != tt.wantErr || got != tt.wantText {
				t.Fatalf("got %q, %v; want error %v", got, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("error carries the key: %v", err)
			}
			if n := len(f.requests()); n != tt.wantCalls {
				t.Errorf("%d calls, want %d (no retries)", n, tt.wantCalls)
			}
		})
	}
}

func TestSlowEndpoint(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c, _ := New(Config{BaseURL: f.srv.URL})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Transcribe(ctx, strings.NewReader("audio"), "v.mp3", "audio/mpeg", "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

// TestThroughService: the coach service over the real client and the fake
// endpoint gives the coded errors users see.
func TestThroughService(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	for _, tt := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		want   string // text, or the error code
	}{
		{"ok", text("Acme: demo went well."), "Acme: demo went well."},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":{}}`, http.StatusTooManyRequests)
		}, coach.CodeTranscribeFailed},
		{"unavailable", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":{}}`, http.StatusServiceUnavailable)
		}, coach.CodeTranscribeFailed},
		{"malformed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `not json`)
		}, coach.CodeTranscribeFailed},
		{"silence", text(""), coach.CodeTranscriptEmpty},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}, coach.CodeTranscribeTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.answer)
			c, _ := New(Config{BaseURL: f.srv.URL + "/v1"})
			svc := coach.NewService(nil, playbook.Default(), nil, nil)
			svc.ASR, svc.ASRTimeout = c, 100*time.Millisecond
			got, err := svc.Transcribe(t.Context(), coach.Audio{Name: "v.ogg", MIME: "audio/ogg", Size: 5,
				Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("audio")), nil }}, playbook.EN)
			if ce, ok := coach.AsError(err); ok {
				got = ce.Code
			} else if err != nil {
				t.Fatalf("uncoded error %v", err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
