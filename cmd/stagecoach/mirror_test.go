package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/coach"
)

func TestMirrorConfig(t *testing.T) {
	lark := map[string]string{"LARK_APP_ID": "cli_x", "LARK_APP_SECRET": "s"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c MirrorConfig)
	}{
		{"defaults", nil, "", func(t *testing.T, c MirrorConfig) {
			if !c.Enabled || c.Batch != 100 || c.BaseBatch != 500 || c.BaseMinInterval != 100*time.Millisecond || c.Lease != 20*time.Second {
				t.Fatalf("%+v", c)
			}
		}},
		{"base needs both", with(lark, "LARK_BASE_APP_TOKEN", "bascn1"), "LARK_BASE_TABLE_ID", nil},
		{"base needs a lark app", with(nil, "LARK_BASE_APP_TOKEN", "bascn1", "LARK_BASE_TABLE_ID", "tbl1"), "LARK_APP_ID", nil},
		{"base ok", with(lark, "LARK_BASE_APP_TOKEN", "bascn1", "LARK_BASE_TABLE_ID", "tbl1", "LARK_BASE_BATCH", "200"), "", func(t *testing.T, c MirrorConfig) {
			if c.BaseAppToken != "bascn1" || c.BaseTableID != "tbl1" || c.BaseBatch != 200 {
				t.Fatalf("%+v", c)
			}
		}},
		{"batch too big", with(nil, "LARK_BASE_BATCH", "5000"), "LARK_BASE_BATCH", nil},
		{"webhook needs https", with(nil, "STAGECOACH_WEBHOOK_URL", "http://example.com/h", "STAGECOACH_WEBHOOK_SECRET", "0123456789abcdef"), "https", nil},
		{"webhook needs a secret", with(nil, "STAGECOACH_WEBHOOK_URL", "https://example.com/h"), "STAGECOACH_WEBHOOK_SECRET", nil},
		{"webhook ok", with(nil, "STAGECOACH_WEBHOOK_URL", "https://example.com/h", "STAGECOACH_WEBHOOK_SECRET", "0123456789abcdef"), "", nil},
		{"mirror off", with(nil, "STAGECOACH_MIRROR", "false"), "", func(t *testing.T, c MirrorConfig) {
			if c.Enabled {
				t.Fatal("enabled")
			}
		}},
		{"bad duration", with(nil, "STAGECOACH_MIRROR_LEASE", "soon"), "STAGECOACH_MIRROR_LEASE", nil},
		{"allow private", with(nil, "STAGECOACH_WEBHOOK_ALLOW_PRIVATE", "true"), "", func(t *testing.T, c MirrorConfig) {
			if !c.WebhookAllowPrivate {
				t.Fatal("not set")
			}
		}},
		{"allow private typo", with(nil, "STAGECOACH_WEBHOOK_ALLOW_PRIVATE", "yes please"), "STAGECOACH_WEBHOOK_ALLOW_PRIVATE", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "0123456789abcdef") {
					t.Fatal("the secret is in the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c.Mirror)
			}
		})
	}
}

// TestMirrorCommand: `stagecoach mirror resync|status` on the bolt file.
func TestMirrorCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	withEnv(t, map[string]string{"STAGECOACH_DB": db, "LOG_LEVEL": "error"})
	ctx := context.Background()
	m := &Main{Config: mustConfig(t), Log: newLogger(mustConfig(t), &bytes.Buffer{}, true)}
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	team := &coach.Team{ID: "T1", Members: map[string]*coach.Member{"a": {ID: "a", Role: coach.RoleAdmin}}}
	if err := m.Store.PutTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Service.CreateDeal(ctx, coach.Actor{Team: "T1", User: "a"}, team, coach.NewDeal{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.SubscribeOutbox(ctx, "T1", "webhook"); err != nil {
		t.Fatal(err)
	}
	m.Close()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"mirror", "resync", "--team", "T1"}, 0, "T1: 1 deals queued"},
		{[]string{"mirror", "resync"}, 0, "T1: 1 deals queued"},
		{[]string{"mirror", "status"}, 0, "T1\twebhook\tqueued 2"},
		{[]string{"mirror", "resync", "--team", "nope"}, 1, ""},
		{[]string{"mirror", "bogus"}, 2, ""},
		{[]string{"mirror"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(ctx, tt.args, strings.NewReader(""), &out, &errb); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Fatalf("output %q lacks %q", out.String(), tt.want)
			}
		})
	}
}

func mustConfig(t *testing.T) Config {
	t.Helper()
	c, err := LoadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMirrorNotifierWired: the bot's Notifier renders mirror notices, so
// newMirror uses it rather than the log fallback.
func TestMirrorNotifierWired(t *testing.T) {
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(t.TempDir(), "s.db")})
	m := &Main{Config: mustConfig(t), Log: newLogger(mustConfig(t), &bytes.Buffer{}, true)}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mir := m.newMirror(&bytes.Buffer{})
	if _, ok := mir.Notifier.(*bot.Notifier); !ok {
		t.Fatalf("notifier %T", mir.Notifier)
	}
	if len(mir.Targets) != 1 || mir.Targets[0].Name() != "webhook" {
		t.Fatalf("targets without Lark: %d", len(mir.Targets))
	}
	var buf bytes.Buffer
	mustGather(t, m, &buf)
	for _, want := range []string{"stagecoach_mirror_queue_depth", "stagecoach_mirror_sent_total"} {
		if !strings.Contains(buf.String(), want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
}

func mustGather(t *testing.T, m *Main, buf *bytes.Buffer) {
	t.Helper()
	fams, err := m.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		buf.WriteString(f.GetName() + "\n")
	}
}
