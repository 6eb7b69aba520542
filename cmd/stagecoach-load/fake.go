package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// fakeSlack answers every Slack Web API call with {"ok":true} plus the few
// fields slack-go reads back (a channel for conversations.open, a ts for
// chat.postMessage…), and every response_url post with {"ok":true}. It
// counts calls by method.
type fakeSlack struct {
	mu    sync.Mutex
	calls map[string]int
	// observe, when set, sees every call with its body (read up to 1 MiB)
	// before the answer is written.
	observe func(method string, r *http.Request, body []byte)
}

func newFakeSlack() *fakeSlack { return &fakeSlack{calls: map[string]int{}} }

// fakeReplies are the method-specific bodies; anything else gets {"ok":true}.
var fakeReplies = map[string]string{
	"auth.test":          `{"ok":true,"url":"https://load.slack.com/","team":"Load","user":"stagecoach","team_id":"T0LOAD","user_id":"U0BOT","bot_id":"B0BOT"}`,
	"conversations.open": `{"ok":true,"channel":{"id":"D0LOAD"}}`,
	"chat.postMessage":   `{"ok":true,"channel":"C0LOAD","ts":"1700000000.000100","message":{"text":""}}`,
	"chat.update":        `{"ok":true,"channel":"C0LOAD","ts":"1700000000.000100"}`,
	"chat.postEphemeral": `{"ok":true,"message_ts":"1700000000.000100"}`,
	"users.info":         `{"ok":true,"user":{"id":"U1","name":"load","real_name":"Load User","tz":"UTC","profile":{"real_name":"Load User","display_name":"load"}}}`,
	"views.open":         `{"ok":true,"view":{"id":"V0LOAD","hash":"h"}}`,
	"views.update":       `{"ok":true,"view":{"id":"V0LOAD","hash":"h"}}`,
	"views.publish":      `{"ok":true,"view":{"id":"V0LOAD","hash":"h"}}`,
	"views.push":         `{"ok":true,"view":{"id":"V0LOAD","hash":"h"}}`,
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// /api/chat.postMessage → chat.postMessage; /response/… → response_url.
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	if !strings.Contains(r.URL.Path, "/api/") {
		method = "response_url"
	}
	if f.observe != nil {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		f.observe(method, r, body)
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	}
	f.mu.Lock()
	f.calls[method]++
	f.mu.Unlock()
	body, ok := fakeReplies[method]
	if !ok {
		body = `{"ok":true}`
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = io.WriteString(w, body)
}

// Calls returns "method=n …" sorted by method.
func (f *fakeSlack) Calls() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys := make([]string, 0, len(f.calls))
	for k := range f.calls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, f.calls[k])
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// serveFakeSlack serves the fake on addr (":3998" binds 127.0.0.1) until
// ctx ends. A non-loopback address needs allowRemote.
func serveFakeSlack(ctx context.Context, addr string, allowRemote bool, log io.Writer) error {
	ln, err := listenFake(addr, allowRemote)
	if err != nil {
		return err
	}
	f := newFakeSlack()
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(log, "fake slack api: listening on http://%s/api/ (response_url: http://%s/response)\n", ln.Addr(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	fmt.Fprintf(log, "fake slack api: calls:%s\n", f.Calls())
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
