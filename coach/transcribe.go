package coach

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/playbook"
)

// Transcriber turns speech into text (coach/asr: an OpenAI-compatible
// /audio/transcriptions endpoint). Service.Transcribe bounds and checks
// what it is given.
type Transcriber interface {
	// Transcribe returns the text spoken in audio, a file called name of
	// type mime. lang ("zh", "en" or "") hints the language spoken. An
	// error means no text; the context's deadline bounds the call.
	Transcribe(ctx context.Context, audio io.Reader, name, mime, lang string) (string, error)
}

// Voice note errors (bot renders err.<code>). Nothing is changed by any.
const (
	CodeVoiceOff          = "voice_off"          // no transcriber configured: how to enable it
	CodeAudioTooLarge     = "audio_too_large"    // {max} in MB
	CodeAudioTooLong      = "audio_too_long"     // {max} in minutes
	CodeAudioType         = "audio_type"         // {type}
	CodeAudioFetch        = "audio_fetch"        // the platform did not give the file
	CodeTranscribeFailed  = "transcribe_failed"  // the endpoint failed
	CodeTranscribeTimeout = "transcribe_timeout" // the endpoint took too long
	CodeTranscriptEmpty   = "transcript_empty"   // no speech heard
)

// Limits of a voice note.
const (
	// MaxAudioBytes is the OpenAI endpoint's limit (25 MB).
	MaxAudioBytes = 25 << 20
	// MaxAudioDuration keeps a transcript within a note's length.
	MaxAudioDuration = 5 * time.Minute
	// TranscribeTimeout bounds one transcription unless Service.ASRTimeout
	// says otherwise.
	TranscribeTimeout = 30 * time.Second
)

// Audio is a voice message to transcribe: its file name, type, size and
// duration when the platform says (0: unknown), and Open to fetch it.
type Audio struct {
	Name     string
	MIME     string
	Size     int64
	Duration time.Duration
	Open     func(ctx context.Context) (io.ReadCloser, error)
}

// audioFormats are the containers the transcription endpoint takes, by
// file extension, with the type each is sent as.
var audioFormats = map[string]string{
	"flac": "audio/flac", "m4a": "audio/mp4", "mp3": "audio/mpeg", "mp4": "audio/mp4", "mpeg": "audio/mpeg",
	"mpga": "audio/mpeg", "oga": "audio/ogg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav", "webm": "audio/webm",
}

// audioTypes maps the types platforms send to an extension of audioFormats.
var audioTypes = map[string]string{
	"audio/flac": "flac", "audio/x-flac": "flac", "audio/mp4": "m4a", "audio/m4a": "m4a", "audio/x-m4a": "m4a", "audio/aac": "m4a",
	"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/mpga": "mp3", "audio/ogg": "ogg", "audio/opus": "ogg", "audio/wav": "wav",
	"audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav", "audio/webm": "webm", "video/mp4": "mp4", "video/webm": "webm",
}

// AudioFormat decides how a file is sent for transcription: a name whose
// extension the endpoint knows (it reads the format from the name) and its
// type. ok is false for a type or name it does not take.
func AudioFormat(name, mime string) (file, typ string, ok bool) {
	mime = strings.ToLower(strings.TrimSpace(mime))
	if i := strings.IndexByte(mime, ';'); i >= 0 {
		mime = strings.TrimSpace(mime[:i])
	}
	stem, ext := splitName(name)
	if e, known := audioTypes[mime]; known {
		if _, same := audioFormats[ext]; !same || audioFormats[ext] != audioFormats[e] {
			ext = e
		}
	} else if _, known := audioFormats[ext]; !known || (mime != "" && mime != "application/octet-stream" && !strings.HasPrefix(mime, "audio/")) {
		return "", "", false
	}
	if ext == "opus" {
		ext = "ogg" // opus in an ogg container; the endpoint knows .ogg
	}
	return stem + "." + ext, audioFormats[ext], true
}

// Transcribe fetches a voice message and returns what was said, within
// the limits: size, duration, type, ASRTimeout (TranscribeTimeout). Every
// failure is a coded error after which nothing was changed.
func (s *Service) Transcribe(ctx context.Context, au Audio, lang playbook.Lang) (string, error) {
	if s.ASR == nil {
		return "", Errf(CodeVoiceOff)
	}
	name, typ, ok := AudioFormat(au.Name, au.MIME)
	if !ok {
		t := au.MIME
		if t == "" {
			_, t = splitName(au.Name)
		}
		return "", Errf(CodeAudioType, "type", clipRunes(t, 40))
	}
	tooLarge := Errf(CodeAudioTooLarge, "max", strconv.Itoa(MaxAudioBytes>>20))
	if au.Size > MaxAudioBytes {
		return "", tooLarge
	}
	if au.Duration > MaxAudioDuration {
		return "", Errf(CodeAudioTooLong, "max", strconv.Itoa(int(MaxAudioDuration/time.Minute)))
	}
	if au.Open == nil {
		return "", Errf(CodeAudioFetch)
	}
	timeout := s.ASRTimeout
	if timeout <= 0 {
		timeout = TranscribeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	timedOut := func(err error) bool {
		return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
	}
	rc, err := au.Open(ctx)
	if err != nil {
		s.Log.Warn("voice note: fetch audio", "err", err)
		if timedOut(err) {
			return "", Errf(CodeTranscribeTimeout)
		}
		return "", Errf(CodeAudioFetch)
	}
	// Read at most one byte past the limit: a platform that misstated the
	// size cannot make us hold more.
	data, err := io.ReadAll(io.LimitReader(rc, MaxAudioBytes+1))
	rc.Close()
	switch {
	case err != nil:
		s.Log.Warn("voice note: read audio", "err", err)
		if timedOut(err) {
			return "", Errf(CodeTranscribeTimeout)
		}
		return "", Errf(CodeAudioFetch)
	case len(data) > MaxAudioBytes:
		return "", tooLarge
	case len(data) == 0:
		return "", Errf(CodeTranscriptEmpty)
	}
	text, err := s.ASR.Transcribe(ctx, bytes.NewReader(data), name, typ, string(lang))
	if err != nil {
		s.Log.Warn("voice note: transcription failed", "err", err, "bytes", len(data))
		if timedOut(err) {
			return "", Errf(CodeTranscribeTimeout)
		}
		return "", Errf(CodeTranscribeFailed)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Errf(CodeTranscriptEmpty)
	}
	return text, nil
}

// splitName is a file name's last path element without its extension
// ("voice" when nothing is left) and its lower-case extension.
func splitName(name string) (stem, ext string) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		name = name[i+1:]
	}
	stem = name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		stem, ext = name[:i], strings.ToLower(name[i+1:])
	}
	stem = strings.Trim(stem, ". ")
	if stem == "" || len(stem) > 100 || !utf8.ValidString(stem) {
		stem = "voice"
	}
	return stem, ext
}

func clipRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}
