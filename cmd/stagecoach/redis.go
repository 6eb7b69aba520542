package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/stagecoach/stagecoach/coach"
)

func openRedis(ctx context.Context, cfg Config, log *slog.Logger) (coach.Store, error) {
	return nil, errors.New("redis store not wired yet")
}
