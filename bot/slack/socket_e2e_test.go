package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestRunSocketModeEndToEnd runs the real Socket Mode client against a
// fake Slack that speaks the envelope protocol: hello, one slash command,
// then waits for the ack and stops the adapter.
func TestRunSocketModeEndToEnd(t *testing.T) {
	e := newEnv(t, 1, 4)
	acked := make(chan map[string]any, 1)
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		_ = c.WriteJSON(map[string]any{
			"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
			"payload": map[string]any{"team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/coach", "text": "deals", "response_url": e.slack.responseURL()},
		})
		for {
			var m map[string]any
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			if m["envelope_id"] == "env-1" {
				acked <- m
			}
		}
	}))
	defer ws.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/apps.connections.open") {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer xapp-test" {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(ws.URL, "http")})
	}))
	defer api.Close()

	e.a.cfg.AppToken = "xapp-test"
	e.a.cfg.APIURL = api.URL + "/"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.RunSocketMode(ctx) }()
	select {
	case m := <-acked:
		if _, hasPayload := m["payload"]; hasPayload && m["payload"] != nil {
			t.Errorf("slash ack carried a payload: %v", m)
		}
	case err := <-done:
		t.Fatalf("RunSocketMode returned early: %v", err)
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("no ack")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunSocketMode: %v", err)
	}
	e.drain()
	if msgs := e.h.Messages(); len(msgs) != 1 || msgs[0].Text != "deals" || msgs[0].Tenant != "T1" {
		t.Fatalf("messages %+v", msgs)
	}
	if n := len(e.slack.Calls("response/1")); n != 1 {
		t.Fatalf("response_url calls %d", n)
	}
}
