package main

import "testing"

func TestLoadLLMConfig(t *testing.T) {
	tests := []struct {
		env map[string]string
		ok  bool
	}{
		{map[string]string{}, true},
		{map[string]string{"STAGECOACH_LLM_URL": "http://localhost:11434/v1", "STAGECOACH_LLM_MODEL": "qwen2.5"}, true},
		{map[string]string{"STAGECOACH_LLM_URL": "https://api.openai.com/v1", "STAGECOACH_LLM_MODEL": "gpt-4o-mini", "STAGECOACH_LLM_KEY": "sk-x"}, true},
		{map[string]string{"STAGECOACH_LLM_URL": "http://localhost:11434/v1"}, false},
		{map[string]string{"STAGECOACH_LLM_MODEL": "qwen2.5"}, false},
		{map[string]string{"STAGECOACH_LLM_KEY": "sk-x"}, false},
		{map[string]string{"STAGECOACH_LLM_URL": "localhost:11434", "STAGECOACH_LLM_MODEL": "m"}, false},
	}
	for _, tt := range tests {
		_, err := loadLLMConfig(func(k string) string { return tt.env[k] })
		if (err == nil) != tt.ok {
			t.Errorf("%v: err %v", tt.env, err)
		}
	}
}
