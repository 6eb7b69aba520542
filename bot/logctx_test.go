package bot

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

func TestRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h := RequestID(log)(HandlerFunc(func(ctx context.Context, msg Message) (Reply, error) {
		LoggerFrom(ctx, nil).Info("handled")
		return Reply{}, nil
	}))
	for range 2 {
		_, _ = h.Handle(context.Background(), Message{Platform: Slack, Tenant: "T1", EventID: "Ev1", Text: "note D-1 secret"})
	}
	re := regexp.MustCompile(`req=([0-9a-f]{8}) platform=slack tenant=T1 event_id=Ev1`)
	ids := re.FindAllStringSubmatch(buf.String(), -1)
	if len(ids) != 2 || ids[0][1] == ids[1][1] {
		t.Errorf("want two lines with different request ids, got:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "secret") {
		t.Error("message text logged")
	}
	fallback := slog.New(slog.DiscardHandler)
	if LoggerFrom(context.Background(), fallback) != fallback {
		t.Error("no fallback without a logger in the context")
	}
}
