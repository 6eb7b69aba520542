package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckPprofAddr(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:6060", true},
		{"[::1]:6060", true},
		{"localhost:6060", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"10.0.0.5:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false},
		{"127.0.0.1:", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			err := checkPprofAddr(tc.addr)
			if (err == nil) != tc.ok {
				t.Errorf("checkPprofAddr(%q) = %v, want ok=%v", tc.addr, err, tc.ok)
			}
		})
	}
}

func TestPprofConfig(t *testing.T) {
	for _, tc := range []struct {
		name, val string
		ok        bool
	}{
		{"off by default", "", true},
		{"loopback", "127.0.0.1:6060", true},
		{"public refused", "0.0.0.0:6060", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(func(k string) string {
				if k == "STAGECOACH_PPROF" {
					return tc.val
				}
				return ""
			})
			if (err == nil) != tc.ok {
				t.Fatalf("LoadConfig: %v, want ok=%v", err, tc.ok)
			}
			if err == nil && c.PprofAddr != tc.val {
				t.Errorf("PprofAddr = %q, want %q", c.PprofAddr, tc.val)
			}
		})
	}
}

func TestPprofMux(t *testing.T) {
	srv := httptest.NewServer(pprofMux())
	defer srv.Close()
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{"/debug/pprof/", 200, "goroutine"},
		{"/debug/pprof/cmdline", 200, ""},
		{"/slack/commands", 404, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.want) {
				t.Errorf("GET %s: %d %.80q, want %d containing %q", tc.path, resp.StatusCode, b, tc.code, tc.want)
			}
		})
	}
}

func TestSlackInlineConfig(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want time.Duration
		ok   bool
	}{
		{"", 0, true},
		{"250ms", 250 * time.Millisecond, true},
		{"0", 0, true},
		{"2s", 0, false},
		{"-1ms", 0, false},
		{"soon", 0, false},
	} {
		t.Run(tc.val, func(t *testing.T) {
			c, err := LoadConfig(func(k string) string {
				if k == "SLACK_INLINE_ANSWER" {
					return tc.val
				}
				return ""
			})
			if (err == nil) != tc.ok || (err == nil && c.SlackInline != tc.want) {
				t.Errorf("SLACK_INLINE_ANSWER=%q: %v %v, want %v ok=%v", tc.val, c.SlackInline, err, tc.want, tc.ok)
			}
		})
	}
}
