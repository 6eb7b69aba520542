package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/bolt"
)

// openStore opens Redis when configured, else the embedded bbolt file.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (coach.Store, error) {
	if cfg.Redis() {
		return openRedis(ctx, cfg, log)
	}
	st, err := bolt.Open(cfg.DBPath)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.DBPath, err)
	}
	log.Info("store: embedded file", "path", cfg.DBPath)
	return st, nil
}
