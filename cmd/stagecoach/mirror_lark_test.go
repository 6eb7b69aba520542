package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/mirror/larkbase/larkbasetest"
)

const (
	e2eEncryptKey = "e2e-encrypt-key"
	e2eToken      = "e2e-verification-token"
)

// larkMessage is a signed, encrypted im.message.receive_v1 event, as Lark
// posts it in webhook mode.
func larkMessage(t *testing.T, eventID, text string) ([]byte, http.Header) {
	t.Helper()
	content, _ := json.Marshal(map[string]string{"text": text})
	plain, _ := json.Marshal(map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": eventID, "event_type": "im.message.receive_v1", "tenant_key": "tk_e2e",
			"token": e2eToken, "app_id": "cli_e2e", "create_time": strconv.FormatInt(time.Now().UnixMilli(), 10)},
		"event": map[string]any{
			"sender":  map[string]any{"sender_id": map[string]any{"open_id": "ou_ann"}, "sender_type": "user", "tenant_key": "tk_e2e"},
			"message": map[string]any{"message_id": "om_" + eventID, "chat_id": "oc_p2p", "chat_type": "p2p", "message_type": "text", "content": string(content)},
		},
	})
	enc, err := larkcore.EncryptedEventMsg(context.Background(), plain, e2eEncryptKey)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(larkevent.EventEncryptMsg{Encrypt: enc})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(larkevent.EventRequestTimestamp, ts)
	h.Set(larkevent.EventRequestNonce, "n-"+eventID)
	h.Set(larkevent.EventSignature, larkevent.Signature(ts, "n-"+eventID, e2eEncryptKey, string(body)))
	return body, h
}

// TestLarkDealMirrored: a deal created and ticked in Lark chat (webhook
// mode, the real adapter and service) appears as one row in the Base
// table and as two events at the webhook, through a Base write conflict, a
// rate limit and a webhook outage.
func TestLarkDealMirrored(t *testing.T) {
	fake := larkbasetest.New()
	defer fake.Close()
	fake.AddTable("bascnE2E", "tblE2E", "文本")
	fake.Inject(larkbasetest.Fault{Op: "batch_create", Code: 1254291, Times: 1})
	fake.Inject(larkbasetest.Fault{Op: "batch_update", Code: 99991400, Status: http.StatusTooManyRequests, Times: 1})
	hook := &hookReceiver{seen: map[string]int{}}
	hsrv := httptest.NewServer(hook)
	defer hsrv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	withEnv(t, map[string]string{
		"STAGECOACH_DB": filepath.Join(t.TempDir(), "e2e.db"), "HTTP_ADDR": addr, "LOG_LEVEL": "error", "STAGECOACH_CRON": "false",
		"LARK_APP_ID": "cli_e2e", "LARK_APP_SECRET": "secret", "LARK_MODE": "webhook", "LARK_BASE_URL": fake.URL,
		"LARK_ENCRYPT_KEY": e2eEncryptKey, "LARK_VERIFICATION_TOKEN": e2eToken,
		"LARK_BASE_APP_TOKEN": "bascnE2E", "LARK_BASE_TABLE_ID": "tblE2E", "LARK_BASE_MIN_INTERVAL": "1ms",
		"STAGECOACH_WEBHOOK_URL": hsrv.URL, "STAGECOACH_WEBHOOK_SECRET": "kill-test-secret-123",
		"STAGECOACH_MIRROR_POLL": "20ms",
	})
	cfg := mustConfig(t)
	m := &Main{Config: cfg, Log: newLogger(cfg, &bytes.Buffer{}, false)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	served := make(chan error, 1)
	go func() { served <- m.Serve(ctx) }()

	post := func(id, text string) {
		t.Helper()
		body, h := larkMessage(t, id, text)
		var resp *http.Response
		for range 100 { // the server may still be starting
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/lark/events", bytes.NewReader(body))
			req.Header = h
			if resp, err = http.DefaultClient.Do(req); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("event %s: HTTP %d", id, resp.StatusCode)
		}
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	post("ev1", `new "Acme ERP" value=120000`)
	waitFor("the row", func() bool { return len(fake.RowsBy("bascnE2E", "tblE2E", "商机编号")) == 1 })
	var items []string
	for _, it := range playbook.Default().Stages[0].Milestone {
		items = append(items, it.ID)
	}
	hook.up.Store(false) // the receiver goes down for the tick
	post("ev2", "check D-1 "+strings.Join(items, " "))
	time.Sleep(200 * time.Millisecond)
	// The chat does not depend on the mirror: ready while a target is down.
	if resp, err := http.Get("http://" + addr + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz while the webhook is down: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	hook.up.Store(true)
	waitFor("the ticked row and both webhook events", func() bool {
		rows := fake.RowsBy("bascnE2E", "tblE2E", "商机编号")["D-1"]
		n, _ := hook.counts()
		return len(rows) == 1 && rows[0]["已达阶段"] == float64(1) && n == 2
	})
	if n := len(fake.Snapshot("bascnE2E", "tblE2E").Records); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}
	row := fake.RowsBy("bascnE2E", "tblE2E", "商机编号")["D-1"][0]
	if row["商机名称"] != "Acme ERP" || row["金额"] != float64(120000) {
		t.Fatalf("row %v", row)
	}
	if _, dups := hook.counts(); dups != 0 || hook.bad.Load() != 0 {
		t.Fatalf("webhook duplicates %d, bad %d", dups, hook.bad.Load())
	}
	hook.mu.Lock()
	last := hook.events[len(hook.events)-1]
	first := hook.events[0]
	hook.mu.Unlock()
	// The team was new, so its first deal reached the mirror by the
	// initial resync (the sender subscribes a team when it first sees it).
	if first.Deal.ID != "D-1" || last.Type != "deal.updated" || len(last.Changes) == 0 || last.Changes[0].Kind != "check" || last.Row.StageReached != 1 {
		t.Fatalf("webhook events: first %s %s resync=%v, last %s %+v", first.Type, first.Deal.ID, first.Resync, last.Type, last.Changes)
	}
	if len(fake.Messages()) < 2 {
		t.Fatalf("the bot answered %d times, want 2", len(fake.Messages()))
	}
	cancel()
	select {
	case <-served:
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not stop")
	}
}
