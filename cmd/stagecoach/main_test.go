package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withEnv makes environ read from m for the test.
func withEnv(t *testing.T, m map[string]string) {
	t.Helper()
	old := environ
	environ = func(k string) string { return m[k] }
	t.Cleanup(func() { environ = old })
}

func TestConsolePipedCommands(t *testing.T) {
	dir := t.TempDir()
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(dir, "s.db")})
	in := strings.NewReader("new \"Acme ERP\" customer=Acme\nshow acme\ncheck acme s1.m1 s1.m2 s1.m3\n")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--user", "alice", "--team", "acme-sales"}, in, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Created D-1 “Acme ERP”", "Owner: alice", "stage 1 · Customer planning & phone invitation reached"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	// the deal survives a restart: a second run on the same file sees it
	out.Reset()
	if code := run(context.Background(), []string{"--user", "alice", "--team", "acme-sales"}, strings.NewReader("deals\n"), &out, &errb); code != 0 {
		t.Fatalf("second run exit %d", code)
	}
	if !strings.Contains(out.String(), "D-1 Acme ERP") {
		t.Fatalf("deal lost across restarts:\n%s", out.String())
	}
}

func TestConsoleChineseFlag(t *testing.T) {
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(t.TempDir(), "s.db")})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--lang", "zh"}, strings.NewReader("新建 华东ERP\n"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "已创建 D-1") {
		t.Fatalf("not Chinese:\n%s", out.String())
	}
}

func TestRefusesInvalidPlaybook(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "pb.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nstages:\n  - id: s1\n    colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(dir, "s.db"), "STAGECOACH_PLAYBOOK": bad})
	var out, errb bytes.Buffer
	if code := run(context.Background(), nil, strings.NewReader("help\n"), &out, &errb); code == 0 {
		t.Fatal("started on an invalid playbook")
	}
	if !strings.Contains(errb.String(), "pb.yaml:4") || !strings.Contains(errb.String(), "refusing to start") {
		t.Fatalf("error lacks file:line: %s", errb.String())
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // substring of the error; "" = valid
	}{
		{"defaults", nil, ""},
		{"slack socket mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ""},
		{"slack http", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, ""},
		{"slack without transport", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"},
		{"bad app token", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "xapp-"},
		{"lark webhook without keys", map[string]string{"LARK_APP_ID": "a", "LARK_APP_SECRET": "s", "LARK_MODE": "webhook"}, "LARK_ENCRYPT_KEY"},
		{"lark bad domain", map[string]string{"LARK_APP_ID": "a", "LARK_APP_SECRET": "s", "LARK_DOMAIN": "x"}, "LARK_DOMAIN"},
		{"sentinel without addrs", map[string]string{"REDIS_MASTER_NAME": "m"}, "REDIS_ADDRS"},
		{"bad workers", map[string]string{"STAGECOACH_WORKERS": "many"}, "STAGECOACH_WORKERS"},
		{"bad lang", map[string]string{"STAGECOACH_LANG": "fr"}, "STAGECOACH_LANG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(func(k string) string { return tt.env[k] })
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one mentioning %s", err, tt.want)
			}
		})
	}
}

func TestConfigErrorsNeverEchoSecrets(t *testing.T) {
	_, err := LoadConfig(func(k string) string {
		return map[string]string{"LARK_APP_ID": "a", "LARK_APP_SECRET": "topsecret-lark", "LARK_MODE": "webhook", "SLACK_BOT_TOKEN": "xoxb-topsecret"}[k]
	})
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("err = %v", err)
	}
}
