package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthTimeout bounds `stagecoach health`: well inside the Docker
// HEALTHCHECK timeout, so a hung server fails the check instead of
// hanging it.
const healthTimeout = 2 * time.Second

// runHealth is `stagecoach health`: GET /healthz on this host's HTTP_ADDR.
// Exit codes: 0 healthy (200), 1 anything else. It is pure Go, for
// distroless images without curl or wget.
func runHealth(ctx context.Context, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(environ)
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach health:", err)
		return 1
	}
	u, err := healthURL(cfg.HTTPAddr)
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach health:", err)
		return 1
	}
	if err := checkHealth(ctx, u, healthTimeout); err != nil {
		fmt.Fprintln(stderr, "stagecoach health:", err)
		return 1
	}
	fmt.Fprintln(stdout, "ok", u)
	return 0
}

// healthURL is the /healthz URL of a server listening on addr: a wildcard
// host (":8080", "0.0.0.0:8080", "[::]:8080") is reached on loopback.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("HTTP_ADDR=%q: want host:port, like :8080", addr)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || (ip != nil && ip.To4() != nil && ip.IsUnspecified()):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// checkHealth returns nil when GET u answers 200 within timeout.
func checkHealth(ctx context.Context, u string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	// No proxy (the check is local) and no kept-alive connection to leak.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return err // a *url.Error: it names the method, the URL and the cause
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %s, want 200 OK", u, resp.Status)
	}
	return nil
}
