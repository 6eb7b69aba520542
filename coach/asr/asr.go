// Package asr is a coach.Transcriber backed by an OpenAI-compatible
// speech-to-text endpoint (POST {base}/audio/transcriptions): OpenAI's
// whisper-1 or gpt-4o-transcribe, or a local server such as
// faster-whisper-server, speaches or whisper.cpp's server.
//
// What is sent: the audio file (its bytes, a file name like "voice.ogg"
// and its type), the model name and a language hint ("zh" or "en"). No
// user, team or deal data is sent; the API key goes only in the
// Authorization header, and only when one is set.
package asr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/stagecoach/stagecoach/coach"
)

// DefaultModel is the model asked when none is configured.
const DefaultModel = "whisper-1"

// Config says which endpoint to ask.
type Config struct {
	BaseURL string // an OpenAI-compatible /v1 base, e.g. http://localhost:8000/v1
	Model   string // default DefaultModel
	Key     string // may be empty for a local server: then no Authorization header
	// HTTPClient defaults to one with a Timeout; the context passed to
	// Transcribe bounds each call too.
	HTTPClient *http.Client
	Timeout    time.Duration // of the default client (default coach.TranscribeTimeout)
	Log        *slog.Logger
}

// Client asks the endpoint. It is safe for concurrent use.
type Client struct {
	client openai.Client
	model  string
	log    *slog.Logger
}

var _ coach.Transcriber = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, errors.New("asr: a base URL is required")
	}
	model := strings.TrimSpace(cfg.Model)
	if model == "" {
		model = DefaultModel
	}
	hc := cfg.HTTPClient
	if hc == nil {
		t := cfg.Timeout
		if t <= 0 {
			t = coach.TranscribeTimeout
		}
		hc = &http.Client{Timeout: t}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The key is set explicitly, even when empty, so an OPENAI_API_KEY in
	// the environment is never sent to a local server; an empty key sends
	// no Authorization header. No retries: the caller's deadline is short
	// and the user can send the clip again.
	opts := []option.RequestOption{option.WithBaseURL(cfg.BaseURL), option.WithHTTPClient(hc), option.WithMaxRetries(0), option.WithAPIKey(cfg.Key)}
	return &Client{client: openai.NewClient(opts...), model: model, log: log}, nil
}

// Transcribe implements coach.Transcriber.
func (c *Client) Transcribe(ctx context.Context, audio io.Reader, name, mime, lang string) (string, error) {
	p := openai.AudioTranscriptionNewParams{
		File:           openai.File(audio, name, mime),
		Model:          openai.AudioModel(c.model),
		ResponseFormat: openai.AudioResponseFormatJSON,
	}
	if lang == "zh" || lang == "en" {
		p.Language = openai.String(lang)
	}
	start := time.Now()
	res, err := c.client.Audio.Transcriptions.New(ctx, p)
	if err != nil {
		var apiErr *openai.Error
		if errors.As(err, &apiErr) {
			// The status only: an error body may echo the request.
			return "", fmt.Errorf("asr: %s: status %d", c.model, apiErr.StatusCode)
		}
		return "", fmt.Errorf("asr: %s: %w", c.model, err)
	}
	text := strings.TrimSpace(res.Text)
	if text == "" {
		if !strings.Contains(res.RawJSON(), `"text"`) {
			return "", fmt.Errorf("asr: %s: %w", c.model, errMalformed)
		}
		return "", nil // nothing was heard: coach says so
	}
	c.log.Debug("transcribed", "model", c.model, "ms", time.Since(start).Milliseconds(), "chars", len([]rune(text)))
	return text, nil
}

// errMalformed: the answer is JSON without a text field.
var errMalformed = errors.New("the answer is not a transcription")
