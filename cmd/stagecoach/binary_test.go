package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the real stagecoach binary into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "stagecoach")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binResult is one run of the binary.
type binResult struct {
	code           int
	stdout, stderr string
}

// runBinary runs bin with args, only the given environment (nothing from
// the machine's, so no stray SLACK_BOT_TOKEN) and stdin.
func runBinary(t *testing.T, bin string, env map[string]string, stdin string, args ...string) binResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %v: %v", args, err)
	}
	return binResult{cmd.ProcessState.ExitCode(), out.String(), errb.String()}
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	db := func() map[string]string {
		return map[string]string{"STAGECOACH_DB": filepath.Join(t.TempDir(), "s.db")}
	}

	t.Run("serve without a chat platform fails naming both", func(t *testing.T) {
		r := runBinary(t, bin, db(), "", "serve")
		if r.code == 0 {
			t.Fatalf("exit 0: %s", r.stderr)
		}
		for _, want := range []string{"SLACK_BOT_TOKEN", "LARK_APP_ID"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not name %s: %q", want, r.stderr)
			}
		}
		if _, err := os.Stat(db()["STAGECOACH_DB"]); err == nil {
			t.Error("opened a store before refusing")
		}
	})

	t.Run("plain stagecoach without a platform is the console", func(t *testing.T) {
		r := runBinary(t, bin, db(), "new Acme\n", "--user", "alice")
		if r.code != 0 || !strings.Contains(r.stdout, "Created D-1") || !strings.Contains(r.stdout, "Owner: alice") {
			t.Fatalf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "stagecoach> ") || strings.Contains(r.stdout, "\r") {
			t.Fatalf("piped input got a prompt or raw-mode output: %q", r.stdout)
		}
	})

	t.Run("global flags before a subcommand", func(t *testing.T) {
		r := runBinary(t, bin, db(), "new Acme\n", "--team", "acme", "--user", "bob", "jobs", "run", "digest", "--now", "2026-11-23T09:00:00Z")
		if r.code != 0 || !strings.Contains(r.stderr, "digest: 0 teams, 0 sent") {
			t.Fatalf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "Created") {
			t.Fatal("started the console instead of the job")
		}
	})

	t.Run("unknown subcommand is a usage error", func(t *testing.T) {
		r := runBinary(t, bin, db(), "", "--team", "acme", "srve")
		if r.code != 2 || !strings.Contains(r.stderr, `unknown command "srve"`) || !strings.Contains(r.stderr, "serve, health, jobs") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("health", func(t *testing.T) {
		var status atomic.Int32 // set by the test, read by the server's goroutines
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(int(status.Load()))
		}))
		defer srv.Close()
		u, _ := url.Parse(srv.URL)
		_, port, _ := strings.Cut(u.Host, ":")
		closed := freeAddr(t)
		for _, tt := range []struct {
			name   string
			addr   string
			status int
			code   int
			stderr string
		}{
			{"200", u.Host, 200, 0, ""},
			{"wildcard host is reached on loopback", ":" + port, 200, 0, ""},
			{"503", u.Host, 503, 1, "503"},
			{"closed port", closed, 200, 1, "connection refused"},
			{"bad HTTP_ADDR", "8080", 200, 1, "HTTP_ADDR"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				status.Store(int32(tt.status))
				r := runBinary(t, bin, map[string]string{"HTTP_ADDR": tt.addr}, "", "health")
				if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
					t.Fatalf("exit %d (want %d), stderr %q (want %q)", r.code, tt.code, r.stderr, tt.stderr)
				}
				if tt.code != 0 && !strings.HasPrefix(r.stderr, "stagecoach health: ") {
					t.Fatalf("unclear failure: %q", r.stderr)
				}
			})
		}
	})

	t.Run("serve with Slack answers health, then drains on SIGTERM", func(t *testing.T) {
		fake := newFakeSlack(t)
		env := db()
		addr := freeAddr(t)
		for k, v := range map[string]string{"HTTP_ADDR": addr, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.srv.URL + "/api/", "STAGECOACH_CRON": "false"} {
			env[k] = v
		}
		cmd := exec.Command(bin, "serve")
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		logs := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		for i := 0; ; i++ {
			if r := runBinary(t, bin, map[string]string{"HTTP_ADDR": addr}, "", "health"); r.code == 0 {
				break
			} else if i > 100 {
				t.Fatalf("never healthy: %s\n%s", r.stderr, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("after SIGTERM: %v\n%s", err, logs.String())
		}
		if r := runBinary(t, bin, map[string]string{"HTTP_ADDR": addr}, "", "health"); r.code == 0 {
			t.Fatal("healthy after shutdown")
		}
	})
}
