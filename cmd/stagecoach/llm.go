package main

import (
	"errors"
	"net/url"
	"strings"

	"github.com/stagecoach/stagecoach/coach/llm"
)

// LLMConfig is the optional language model that reads notes beside the
// rules (coach/llm):
//
//	STAGECOACH_LLM_URL    an OpenAI-compatible /v1 base (Ollama, vLLM, OpenAI…)
//	STAGECOACH_LLM_MODEL  the model name
//	STAGECOACH_LLM_KEY    the API key (secret; may be empty for a local server)
type LLMConfig struct {
	URL, Model, Key string
}

// loadLLMConfig reads and checks the model settings; none set is fine.
func loadLLMConfig(getenv func(string) string) (LLMConfig, error) {
	c := LLMConfig{URL: strings.TrimSpace(getenv("STAGECOACH_LLM_URL")), Model: strings.TrimSpace(getenv("STAGECOACH_LLM_MODEL")), Key: getenv("STAGECOACH_LLM_KEY")}
	if c.URL == "" && c.Model == "" {
		if c.Key != "" {
			return c, errors.New("STAGECOACH_LLM_KEY is set without STAGECOACH_LLM_URL and STAGECOACH_LLM_MODEL")
		}
		return c, nil
	}
	if c.URL == "" || c.Model == "" {
		return c, errors.New("STAGECOACH_LLM_URL and STAGECOACH_LLM_MODEL go together")
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, errors.New("STAGECOACH_LLM_URL must be an http(s) URL such as http://localhost:11434/v1")
	}
	return c, nil
}

// wireLLM gives the service the model reader when one is configured.
func wireLLM(m *Main) error {
	c, err := loadLLMConfig(environ)
	if err != nil {
		return err
	}
	if c.URL == "" {
		return nil
	}
	r, err := llm.New(llm.Config{BaseURL: c.URL, Model: c.Model, Key: c.Key, Log: m.Log}, m.Playbook)
	if err != nil {
		return err
	}
	m.Service.Model = r
	m.Log.Info("notes are also read by a language model", "model", c.Model)
	return nil
}
