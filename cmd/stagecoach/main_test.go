package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
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

func TestParseArgs(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		command string
		rest    []string
		team    string
		err     string // substring; "" = no error
	}{
		{"none", nil, "", nil, "local", ""},
		{"console flags", []string{"--team", "acme", "--user", "bob"}, "", nil, "acme", ""},
		{"serve", []string{"serve"}, "serve", nil, "local", ""},
		{"flags then serve", []string{"--lang", "zh", "serve"}, "serve", nil, "local", ""},
		{"flags then jobs", []string{"--team", "acme", "jobs", "run", "digest", "--now", "2026-11-23T09:00:00Z"}, "jobs", []string{"run", "digest", "--now", "2026-11-23T09:00:00Z"}, "acme", ""},
		{"health", []string{"health"}, "health", nil, "local", ""},
		{"unknown", []string{"srve"}, "", nil, "", `unknown command "srve": want serve, health, jobs`},
		{"serve with arguments", []string{"serve", "--team", "x"}, "", nil, "", "serve takes no arguments"},
		{"health with arguments", []string{"health", "now"}, "", nil, "", "health takes no arguments"},
		{"unknown flag", []string{"--tema", "x"}, "", nil, "", "not defined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			c, err := parseArgs(tt.args, &errb)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Command != tt.command || strings.Join(c.Args, " ") != strings.Join(tt.rest, " ") || c.Team != tt.team {
				t.Fatalf("got %+v", c)
			}
		})
	}
}

func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"", "serve", "--team acme jobs run digest", "--lang zh health", "-h", "bogus x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseArgs(strings.Fields(s), io.Discard)
		if err != nil {
			return
		}
		if c.Command != "" && !slices.Contains(commands, c.Command) {
			t.Fatalf("accepted command %q", c.Command)
		}
		if c.Command != "jobs" && len(c.Args) > 0 {
			t.Fatalf("%q kept arguments %q", c.Command, c.Args)
		}
	})
}

func TestHealthURL(t *testing.T) {
	for _, tt := range []struct{ addr, want, err string }{
		{":8080", "http://127.0.0.1:8080/healthz", ""},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz", ""},
		{"[::]:8080", "http://[::1]:8080/healthz", ""},
		{"127.0.0.1:9090", "http://127.0.0.1:9090/healthz", ""},
		{"bot.internal:80", "http://bot.internal:80/healthz", ""},
		{"8080", "", "HTTP_ADDR"},
		{"host:", "", "HTTP_ADDR"},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := healthURL(tt.addr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("healthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
			}
		})
	}
}
