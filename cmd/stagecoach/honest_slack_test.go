package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	slackbot "github.com/stagecoach/stagecoach/bot/slack"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// TestSlackConfirmButtons: through Slack's own controls — a signed slash
// command, then a signed button click — `won` below stage 8 answers with
// a confirm button that records the win only when pressed, and booking a
// meeting offers s1.s1 as a button that ticks it.
func TestSlackConfirmButtons(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	svc := coach.NewService(st, playbook.Default(), func() time.Time { return clock }, nil)
	log := slog.New(slog.DiscardHandler)
	pool := bot.NewPool(2, 64, 10*time.Second, log)
	defer pool.Close(context.Background())

	replies := make(chan string, 64)
	api := http.NewServeMux()
	api.HandleFunc("/respond/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		replies <- string(b)
	})
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":false,"error":"user_not_found"}`)
	})
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	const secret = "honest-secret"
	sa, err := slackbot.New(slackbot.Config{BotToken: "xoxb-honest", SigningSecret: secret, APIURL: apiSrv.URL + "/api/", ChannelInterval: -1}, bot.NewRouter(svc, log), st, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close(context.Background())
	mux := http.NewServeMux()
	sa.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	n := 0
	next := func() string {
		select {
		case r := <-replies:
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("no reply on response_url")
			return ""
		}
	}
	slash := func(text string) string {
		n++
		if resp := signedSlash(t, srv.URL, secret, text, apiSrv.URL+"/respond/"+strconv.Itoa(n)); resp.StatusCode != 200 {
			t.Fatalf("slash %q: %d", text, resp.StatusCode)
		}
		return next()
	}
	click := func(value string) string {
		n++
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1", "name": "u1"},
			"channel": map[string]any{"id": "C1"}, "trigger_id": "tr", "response_url": apiSrv.URL + "/respond/" + strconv.Itoa(n),
			"container": map[string]any{"type": "message", "message_ts": "1700000000.000100", "channel_id": "C1", "is_ephemeral": true},
			"actions":   []any{map[string]any{"type": "button", "block_id": "b", "action_id": "cmd:0", "value": value}},
		})
		body := url.Values{"payload": {string(payload)}}.Encode()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req, _ := http.NewRequest("POST", srv.URL+"/slack/interactivity", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("click %q: %d", value, resp.StatusCode)
		}
		return next()
	}
	deal := func() *coach.Deal {
		d, err := st.GetDeal(context.Background(), "T1", "D-1")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	slash("lang en")
	slash(`new "Acme ERP"`)
	slash("contact D-1 add Wang role=handler")
	out := slash("meet D-1 2026-11-25 10:00 place=HQ")
	if !strings.Contains(out, `"value":"check D-1 s1.s1"`) || deal().IsChecked("s1.s1") {
		t.Fatalf("booking: no s1.s1 button, or ticked silently:\n%s", out)
	}
	click("check D-1 s1.s1")
	if !deal().IsChecked("s1.s1") {
		t.Fatal("the s1.s1 button did not tick it")
	}

	out = slash("won D-1")
	if !strings.Contains(out, "has not reached stage 8") || !strings.Contains(out, `"value":"won D-1 confirm"`) || deal().Status != coach.StatusOpen {
		t.Fatalf("won below stage 8 through Slack:\n%s", out)
	}
	out = click("won D-1 confirm")
	if d := deal(); d.Status != coach.StatusWon || !d.WonOverride {
		t.Fatalf("confirm button: %+v\n%s", d, out)
	}
	if !strings.Contains(out, "override below stage 8") {
		t.Fatalf("confirm reply:\n%s", out)
	}
}
