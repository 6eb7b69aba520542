package lark

import (
	"bytes"
	"context"
	"crypto/subtle"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"

	"github.com/stagecoach/stagecoach/bot"
)

// FuzzWebhook feeds arbitrary bodies and signature headers to the webhook
// path. It must never panic, and nothing may reach the dedupe store or the
// handler unless the request carries a valid signature within the window.
func FuzzWebhook(f *testing.F) {
	plain := msgEvent("ev_f", "p2p", "text", "hi")
	good := encrypt(f, plain, testKey)
	now := time.Unix(1_800_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	f.Add(good, ts, "n", larkevent.Signature(ts, "n", testKey, string(good)), true)
	f.Add(good, ts, "n", "deadbeef", false)
	f.Add([]byte(`{"encrypt":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`), ts, "", "", false)
	f.Add([]byte(`{"encrypt":""}`), "", "", "", false)
	f.Add([]byte(`{"challenge":"x","token":"`+testToken+`","type":"url_verification"}`), "", "", "", false)
	f.Add([]byte("\x00\xff{"), "-1", "n", "", true)

	var calls atomic.Int64
	rec := bot.HandlerFunc(func(context.Context, bot.Message) (bot.Reply, error) {
		calls.Add(1)
		return bot.Reply{}, nil
	})
	pool := bot.NewPool(1, 1024, time.Second, nil)
	f.Cleanup(func() { _ = pool.Close(context.Background()) })
	dd := &memDedupe{}
	a, err := New(Config{AppID: "cli_fuzz", AppSecret: "s", Mode: ModeWebhook, EncryptKey: testKey,
		VerificationToken: testToken, BaseURL: "http://127.0.0.1:1"}, rec, dd, pool, nil)
	if err != nil {
		f.Fatal(err)
	}
	a.now = func() time.Time { return now }
	mux := http.NewServeMux()
	a.Register(mux)

	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string, signNow bool) {
		if signNow {
			sig = larkevent.Signature(ts, nonce, testKey, string(body))
		}
		req := httptest.NewRequest(http.MethodPost, "/lark/events", bytes.NewReader(body))
		req.Header.Set(larkevent.EventRequestTimestamp, ts)
		req.Header.Set(larkevent.EventRequestNonce, nonce)
		req.Header.Set(larkevent.EventSignature, sig)
		before := dd.count()
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)

		want := larkevent.Signature(ts, nonce, testKey, string(body))
		valid := sig != "" && subtle.ConstantTimeCompare([]byte(sig), []byte(want)) == 1
		if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || now.Sub(time.Unix(sec, 0)).Abs() > maxSkew {
			valid = false
		}
		if !valid && dd.count() != before {
			t.Fatalf("unsigned or stale request reached the dedupe store (status %d)", w.Code)
		}
		if !valid && w.Code == http.StatusOK && !bytes.Contains(w.Body.Bytes(), []byte(`"challenge"`)) {
			t.Fatalf("unsigned request accepted: %d %s", w.Code, w.Body.String())
		}
	})
}

// FuzzDecrypt: the decryption of untrusted bodies never panics (the SDK's
// larkevent.EventDecrypt does) and yields JSON or an error.
func FuzzDecrypt(f *testing.F) {
	f.Add(encrypt(f, []byte(`{"a":1}`), testKey), testKey)
	f.Add([]byte(`{"encrypt":"`+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="+`"}`), "k")
	f.Add([]byte(`{"encrypt":"}}}}{{{{"}`), "")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		out, err := decryptBody(body, key)
		if err == nil && !jsonValid(out) {
			t.Fatalf("decrypted to non-JSON %q", out)
		}
	})
}
