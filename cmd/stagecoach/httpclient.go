package main

import (
	"net"
	"net/http"
	"time"
)

// HTTP client settings for the platform APIs (Slack Web API and
// response_url, Lark OpenAPI).
const (
	// httpTimeout bounds one whole call (connect, send, read the answer).
	httpTimeout = 10 * time.Second
	// httpDialTimeout, httpTLSTimeout and httpHeaderTimeout bound the
	// parts of a call, so a hung peer costs a worker seconds, not
	// httpTimeout on every step.
	httpDialTimeout   = 5 * time.Second
	httpTLSTimeout    = 5 * time.Second
	httpHeaderTimeout = 8 * time.Second
	// httpIdleTimeout closes keep-alive connections unused this long
	// (below the 120 s+ the platforms' load balancers keep them).
	httpIdleTimeout = 90 * time.Second
	// httpMinIdle is the least idle connections kept per host, whatever
	// the worker count: background notices send too.
	httpMinIdle = 32
)

// newHTTPClient returns the HTTP client the chat adapters send with: one
// shared transport that keeps at least workers idle connections per host
// (Go's default keeps 2, so with 16 workers nearly every reply under load
// opened a new TCP connection, and against Slack a TLS handshake), caps
// connections per host at a sane multiple of that, bounds dial, TLS
// handshake and response header times, and speaks HTTP/2 where the server
// offers it. cmd builds it once and passes it to every adapter (the
// adapters' own default is a plain client: package bot and the adapters do
// not build transports, see coach/deps_test.go).
func newHTTPClient(workers int) *http.Client {
	idle := max(workers, httpMinIdle)
	d := &net.Dialer{Timeout: httpDialTimeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4 * idle,
		MaxIdleConnsPerHost:   idle,
		MaxConnsPerHost:       4 * idle,
		IdleConnTimeout:       httpIdleTimeout,
		TLSHandshakeTimeout:   httpTLSTimeout,
		ResponseHeaderTimeout: httpHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: t, Timeout: httpTimeout}
}
