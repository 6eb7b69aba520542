package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/coach"
	redisstore "github.com/stagecoach/stagecoach/storage/redis"
)

// redisStore is the Redis store together with the client it owns.
type redisStore struct {
	*redisstore.Store
	client goredis.UniversalClient
}

// Close closes the client (the store itself holds nothing else).
func (r redisStore) Close() error { return r.client.Close() }

// redisLog sends go-redis's own messages (dial failures…) to our logger
// at debug level instead of stderr; requests already report failures.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.l.Debug("go-redis: " + fmt.Sprintf(format, v...))
}

func openRedis(ctx context.Context, cfg Config, log *slog.Logger) (coach.Store, error) {
	goredis.SetLogger(redisLog{log})
	client, err := redisstore.NewClient(redisstore.Config{
		URL: cfg.RedisURL, Addrs: cfg.RedisAddrs, MasterName: cfg.RedisMasterName,
		Username: cfg.RedisUsername, Password: cfg.RedisPassword,
	})
	if err != nil {
		return nil, err // the error names the setting, never the password
	}
	st := redisStore{Store: redisstore.New(client), client: client}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := st.Ping(pctx); err != nil {
		// Start anyway: requests answer "nothing was changed, try again"
		// until Redis is reachable, and /readyz reports it.
		log.Warn("redis not reachable at start", "err", err)
	}
	log.Info("store: redis", "mode", redisMode(cfg))
	return st, nil
}

func redisMode(cfg Config) string {
	switch {
	case cfg.RedisMasterName != "":
		return fmt.Sprintf("sentinel (%d addrs)", len(cfg.RedisAddrs))
	case len(cfg.RedisAddrs) > 1:
		return fmt.Sprintf("cluster (%d seeds)", len(cfg.RedisAddrs))
	}
	return "single node"
}
