package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/coach/asr"
)

// ASRConfig is the optional speech-to-text endpoint for voice notes
// (coach/asr):
//
//	STAGECOACH_ASR_URL      an OpenAI-compatible /v1 base with /audio/transcriptions
//	STAGECOACH_ASR_MODEL    the model (default whisper-1)
//	STAGECOACH_ASR_KEY      the API key (secret; may be empty for a local server)
//	STAGECOACH_ASR_TIMEOUT  per voice note (default 30s)
type ASRConfig struct {
	URL, Model, Key string
	Timeout         time.Duration
}

// loadASRConfig reads and checks the voice note settings; none set is fine
// (voice notes are off, and the bot says how to turn them on).
func loadASRConfig(getenv func(string) string) (ASRConfig, error) {
	c := ASRConfig{URL: strings.TrimSpace(getenv("STAGECOACH_ASR_URL")), Model: strings.TrimSpace(getenv("STAGECOACH_ASR_MODEL")), Key: getenv("STAGECOACH_ASR_KEY"), Timeout: coach.TranscribeTimeout}
	if v := getenv("STAGECOACH_ASR_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Minute {
			return c, fmt.Errorf("STAGECOACH_ASR_TIMEOUT=%q: want a duration like 30s", v)
		}
		c.Timeout = d
	}
	if c.URL == "" {
		if c.Key != "" || c.Model != "" {
			return c, errors.New("STAGECOACH_ASR_KEY or STAGECOACH_ASR_MODEL is set without STAGECOACH_ASR_URL")
		}
		return c, nil
	}
	if c.Model == "" {
		c.Model = asr.DefaultModel
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, errors.New("STAGECOACH_ASR_URL must be an http(s) URL such as http://localhost:8000/v1")
	}
	return c, nil
}

// wireASR gives the service the transcriber when one is configured.
func wireASR(m *Main) error {
	c, err := loadASRConfig(environ)
	if err != nil {
		return err
	}
	if c.URL == "" {
		return nil
	}
	t, err := asr.New(asr.Config{BaseURL: c.URL, Model: c.Model, Key: c.Key, Timeout: c.Timeout, Log: m.Log})
	if err != nil {
		return err
	}
	m.Service.ASR, m.Service.ASRTimeout = t, c.Timeout
	m.Log.Info("voice notes are transcribed", "model", c.Model)
	if m.Config.WorkTimeout < c.Timeout+5*time.Second {
		m.Log.Warn("voice notes: STAGECOACH_WORK_TIMEOUT bounds each one before STAGECOACH_ASR_TIMEOUT does; raise it for a slow transcription server",
			"work_timeout", m.Config.WorkTimeout, "asr_timeout", c.Timeout)
	}
	return nil
}
