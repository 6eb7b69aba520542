package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// connCounter is an httptest server that counts the TCP connections it
// accepted.
func connCounter(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(2 * time.Millisecond) // keep the sends overlapping
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &n
}

// sendRounds makes rounds × n concurrent POSTs with c.
func sendRounds(t *testing.T, c *http.Client, url string, n, rounds int) {
	t.Helper()
	for range rounds {
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				resp, err := c.Post(url, "application/json", nil)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
	}
}

func TestNewHTTPClientReusesConnections(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers int
		n       int
	}{
		{"16 workers, 16 at once", 16, 16},
		{"64 workers, 48 at once", 64, 48},
		{"1 worker, 8 at once", 1, 8}, // the floor of idle connections
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, conns := connCounter(t)
			c := newHTTPClient(tc.workers)
			defer c.CloseIdleConnections()
			sendRounds(t, c, srv.URL, tc.n, 5)
			if got := conns.Load(); got > int64(tc.n) {
				t.Errorf("%d rounds of %d concurrent sends opened %d connections, want ≤ %d", 5, tc.n, got, tc.n)
			}
		})
	}
}

// The default client, for contrast: it keeps 2 idle connections per host,
// so the same sends open more than n connections. This keeps the test
// above honest (it can fail).
func TestDefaultClientOpensMoreConnections(t *testing.T) {
	srv, conns := connCounter(t)
	c := &http.Client{Transport: &http.Transport{}, Timeout: httpTimeout}
	defer c.CloseIdleConnections()
	sendRounds(t, c, srv.URL, 16, 5)
	if got := conns.Load(); got <= 16 {
		t.Skipf("the default transport opened only %d connections (sends did not overlap on this machine)", got)
	}
}

func TestNewHTTPClientSettings(t *testing.T) {
	c := newHTTPClient(16)
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.Transport)
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"idle per host ≥ workers", tr.MaxIdleConnsPerHost >= 16},
		{"max per host ≥ idle per host", tr.MaxConnsPerHost >= tr.MaxIdleConnsPerHost},
		{"idle total ≥ idle per host", tr.MaxIdleConns >= tr.MaxIdleConnsPerHost},
		{"idle timeout", tr.IdleConnTimeout > 0},
		{"TLS handshake timeout", tr.TLSHandshakeTimeout > 0},
		{"response header timeout", tr.ResponseHeaderTimeout > 0 && tr.ResponseHeaderTimeout < c.Timeout},
		{"HTTP/2", tr.ForceAttemptHTTP2},
		{"client timeout", c.Timeout == httpTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("%s: not set as wanted (%+v)", tc.name, tr)
			}
		})
	}
}
