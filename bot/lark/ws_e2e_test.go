package lark

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/stagecoach/stagecoach/bot"
)

// fakeLongConn is a local Lark long-connection endpoint as the SDK's larkws
// client speaks it (read from the SDK source): POST /callback/ws/endpoint
// returns the websocket URL and the client config; the websocket carries
// protobuf frames (larkws.Frame): control frames for ping/pong, data frames
// of type "event" for events and card callbacks, answered by the client
// with the same frame carrying a JSON larkws.Response.
type fakeLongConn struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	fatal    bool // the endpoint answers a non-retryable error
	bootsN   int
	conn     *websocket.Conn
	connects chan *websocket.Conn
	pings    chan struct{}
	acks     chan larkws.Response
}

func newFakeLongConn(t *testing.T, api *fakeAPI) *fakeLongConn {
	f := &fakeLongConn{t: t, connects: make(chan *websocket.Conn, 8), pings: make(chan struct{}, 64), acks: make(chan larkws.Response, 16)}
	up := websocket.Upgrader{}
	apiURL, _ := url.Parse(api.srv.URL)
	rest := httputil.NewSingleHostReverseProxy(apiURL)
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+larkws.GenEndpointUri, func(w http.ResponseWriter, r *http.Request) {
		var req larkws.BootstrapRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.mu.Lock()
		f.bootsN++
		fatal := f.fatal
		f.mu.Unlock()
		if req.AppID == "" || req.AppSecret == "" {
			t.Errorf("bootstrap without app credentials: %+v", req)
		}
		if fatal {
			// Not OK, busy or internal: the SDK treats it as a client error
			// and does not retry (like "app not found").
			writeJSON(w, 200, map[string]any{"code": 10003, "msg": "app not found"})
			return
		}
		writeJSON(w, 200, map[string]any{"code": 0, "data": map[string]any{
			"URL":          strings.Replace(f.srv.URL, "http", "ws", 1) + "/ws?device_id=dev1&service_id=7",
			"ClientConfig": map[string]any{"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 1},
		}})
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conn = c
		f.mu.Unlock()
		f.connects <- c
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			var fr larkws.Frame
			if err := fr.Unmarshal(b); err != nil {
				t.Errorf("client sent a bad frame: %v", err)
				return
			}
			hs := larkws.Headers(fr.Headers)
			switch {
			case fr.Method == int32(larkws.FrameTypeControl) && hs.GetString(larkws.HeaderType) == string(larkws.MessageTypePing):
				if fr.Service != 7 {
					t.Errorf("ping for service %d, want 7", fr.Service)
				}
				pong := larkws.Frame{Method: int32(larkws.FrameTypeControl), Service: 7,
					Headers: []larkws.Header{{Key: larkws.HeaderType, Value: string(larkws.MessageTypePong)}},
					Payload: []byte(`{"PingInterval":1,"ReconnectCount":-1,"ReconnectInterval":1}`)}
				pb, _ := pong.Marshal()
				f.write(c, pb)
				select {
				case f.pings <- struct{}{}:
				default:
				}
			case fr.Method == int32(larkws.FrameTypeData):
				var resp larkws.Response
				if err := json.Unmarshal(fr.Payload, &resp); err != nil {
					t.Errorf("ack payload: %v", err)
				}
				f.acks <- resp
			}
		}
	})
	mux.Handle("/", rest)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLongConn) write(c *websocket.Conn, b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = c.WriteMessage(websocket.BinaryMessage, b)
}

// send pushes one event frame (an event or a card callback) to the client.
func (f *fakeLongConn) send(msgID string, payload []byte) {
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	fr := larkws.Frame{Method: int32(larkws.FrameTypeData), Service: 7, SeqID: 1, LogID: 1,
		Headers: []larkws.Header{{Key: larkws.HeaderType, Value: string(larkws.MessageTypeEvent)},
			{Key: larkws.HeaderMessageID, Value: msgID}, {Key: larkws.HeaderSum, Value: "1"},
			{Key: larkws.HeaderSeq, Value: "0"}, {Key: larkws.HeaderTraceID, Value: "tr-" + msgID}},
		Payload: payload}
	b, err := fr.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	f.write(c, b)
}

func (f *fakeLongConn) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = f.conn.Close()
}

func (f *fakeLongConn) setFatal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatal = true
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("no %s", what)
		var zero T
		return zero
	}
}

// TestLongConnectionEndToEnd drives the adapter through the SDK's real
// larkws client against the fake endpoint: connection config, websocket,
// ping/pong, a message event (acked, answered), a card action (acked with
// the card response), a duplicate redelivery (acked, not answered again), a
// dropped connection and the reconnect, and finally a non-retryable error
// that ends RunLongConnection with an error instead of the process.
func TestLongConnectionEndToEnd(t *testing.T) {
	api := newFakeAPI(t)
	lc := newFakeLongConn(t, api)
	rec := newRecorder()
	pool := bot.NewPool(2, 32, wait, nil)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	var hmu sync.Mutex
	var states []string
	a, err := New(Config{
		AppID: "cli_ws_e2e", AppSecret: "secret", Mode: ModeWS, BaseURL: lc.srv.URL, BotOpenID: testBot,
		Health: func(up bool, err error) {
			hmu.Lock()
			defer hmu.Unlock()
			s := "down"
			if up {
				s = "up"
			}
			if err != nil {
				s += ": " + err.Error()
			}
			states = append(states, s)
		},
	}, rec, &memDedupe{MemoryDeliveries: bot.NewMemoryDeliveries()}, pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.RunLongConnection(context.Background()) }()

	recv(t, lc.connects, "websocket connection")
	recv(t, lc.pings, "ping")

	lc.send("m1", msgEvent("ev_ws_1", "p2p", "text", "pipeline"))
	if ack := recv(t, lc.acks, "ack of the message event"); ack.StatusCode != http.StatusOK {
		t.Fatalf("message ack %+v", ack)
	}
	if m := rec.next(t); m.Text != "pipeline" || m.EventID != "ev_ws_1" || m.Tenant != "tk_1" {
		t.Fatalf("handler got %+v", m)
	}
	if c := api.next(t); !strings.Contains(c.Content, "echo: pipeline") || c.ReceiveID != "oc_chat" {
		t.Fatalf("reply %+v", c)
	}

	lc.send("c1", cardEvent("cb_ws_1", map[string]any{"tag": "button", "value": map[string]any{"cmd": "deals"}}))
	ack := recv(t, lc.acks, "ack of the card action")
	if ack.StatusCode != http.StatusOK || len(ack.Data) == 0 {
		t.Fatalf("card ack %+v", ack)
	}
	if m := rec.next(t); m.Text != "deals" || m.Action == nil {
		t.Fatalf("card handled as %+v", m)
	}

	// The same event again (Lark redelivers when an ack is lost): acked,
	// not run again.
	lc.send("m1-again", msgEvent("ev_ws_1", "p2p", "text", "pipeline"))
	if ack := recv(t, lc.acks, "ack of the redelivery"); ack.StatusCode != http.StatusOK {
		t.Fatalf("redelivery ack %+v", ack)
	}

	// Drop the connection: the client asks for the endpoint again and
	// reconnects (after ReconnectInterval, 1 s).
	lc.drop()
	recv(t, lc.connects, "reconnection")
	lc.send("m2", msgEvent("ev_ws_2", "p2p", "text", "help"))
	if ack := recv(t, lc.acks, "ack after reconnect"); ack.StatusCode != http.StatusOK {
		t.Fatalf("ack after reconnect %+v", ack)
	}
	if m := rec.next(t); m.EventID != "ev_ws_2" {
		t.Fatalf("after reconnect the handler got %+v (a duplicate ran?)", m)
	}

	// A non-retryable error from the endpoint ends the run with an error;
	// the process (this test) goes on.
	lc.setFatal()
	lc.drop()
	select {
	case err := <-done:
		var ce *larkws.ClientError
		if err == nil || !errors.As(err, &ce) || ce.Code != 10003 {
			t.Fatalf("RunLongConnection = %v, want the client error 10003", err)
		}
	case <-time.After(wait):
		t.Fatal("RunLongConnection did not return after a non-retryable error")
	}
	if n := rec.count(); n != 3 {
		t.Errorf("handler ran %d times, want 3 (message, card, message after reconnect)", n)
	}
	hmu.Lock()
	defer hmu.Unlock()
	joined := strings.Join(states, " | ")
	if !strings.HasPrefix(joined, "up") || !strings.Contains(joined, "down | up") || !strings.Contains(joined, "app not found") {
		t.Errorf("health transitions %q: want up, down, up, then down with the error", joined)
	}
}
