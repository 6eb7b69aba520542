package main

import (
	"context"
	"net/http"
)

// adapters registers the configured chat platforms on mux and returns the
// long-running parts (Socket Mode, Lark long connection, scheduler).
func (m *Main) adapters(mux *http.ServeMux) ([]func(context.Context) error, error) {
	var runners []func(context.Context) error
	return runners, nil
}
