package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

type loggerKey struct{}

// WithLogger returns ctx carrying l, the logger for one message.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// LoggerFrom returns the logger WithLogger put in ctx, else fallback.
func LoggerFrom(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return fallback
}

// RequestID returns the middleware that gives every message a short random
// id and puts log.With("req", id, "platform", …, "tenant", …) in the
// context, so the lines logged for one message (the router's errors with
// their reference ids, the adapters' lines) can be found together. It logs
// nothing itself; no message text is ever logged.
func RequestID(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, msg Message) (Reply, error) {
			var b [4]byte
			_, _ = rand.Read(b[:])
			l := log.With("req", hex.EncodeToString(b[:]), "platform", string(msg.Platform), "tenant", msg.Tenant)
			if msg.EventID != "" {
				l = l.With("event_id", msg.EventID)
			}
			return next.Handle(WithLogger(ctx, l), msg)
		})
	}
}
