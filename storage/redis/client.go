package redis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Config says how to reach Redis. Set either URL (one node) or Addrs:
// Sentinel addresses when MasterName is set, else Cluster seed nodes when
// there are two or more, else the one node.
type Config struct {
	// URL is redis://[user:password@]host:port[/db] or rediss://… (TLS).
	URL string
	// Addrs are Sentinel or Cluster addresses (host:port).
	Addrs []string
	// MasterName selects Sentinel failover.
	MasterName string
	// Username and Password override those of URL when set.
	Username, Password string
	// DB selects the database (not in Cluster); it overrides URL's when set.
	DB int
	// TLS turns on TLS for Addrs, or for a redis:// URL.
	TLS bool
}

// Client timeouts, chosen so that a request against a dead or hung Redis
// fails within about a second and the next one after Redis returns
// succeeds at once (go-redis defaults take 1.7 s refused / 5 s hung).
const (
	dialTimeout  = 250 * time.Millisecond
	readTimeout  = 300 * time.Millisecond
	writeTimeout = 300 * time.Millisecond
	poolTimeout  = 500 * time.Millisecond
)

// NewClient builds a client from cfg: a single-node client for URL or one
// address, a Sentinel failover client when MasterName is set, a Cluster
// client for two or more Addrs. Timeouts are tuned (dial 250 ms, read and
// write 300 ms, pool wait 500 ms, no retries) and context deadlines are
// honoured. The caller closes the client.
func NewClient(cfg Config) (goredis.UniversalClient, error) {
	var o goredis.UniversalOptions
	switch {
	case cfg.URL != "" && len(cfg.Addrs) > 0:
		return nil, errors.New("redis: config: set URL or Addrs, not both")
	case cfg.URL != "":
		if cfg.MasterName != "" {
			return nil, errors.New("redis: config: MasterName needs Sentinel Addrs, not a URL")
		}
		u, err := goredis.ParseURL(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("redis: config: URL: %w", err)
		}
		o.Addrs = []string{u.Addr}
		o.Username, o.Password, o.DB, o.TLSConfig = u.Username, u.Password, u.DB, u.TLSConfig
	case len(cfg.Addrs) > 0:
		o.Addrs = cfg.Addrs
		o.MasterName = cfg.MasterName
		if cfg.MasterName == "" && len(cfg.Addrs) > 1 {
			o.IsClusterMode = true
			if cfg.DB != 0 {
				return nil, errors.New("redis: config: Cluster has no DB other than 0")
			}
		}
	default:
		return nil, errors.New("redis: config: no URL or Addrs")
	}
	if cfg.Username != "" {
		o.Username = cfg.Username
	}
	if cfg.Password != "" {
		o.Password = cfg.Password
	}
	if cfg.DB != 0 {
		o.DB = cfg.DB
	}
	if cfg.TLS && o.TLSConfig == nil {
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	o.DialTimeout = dialTimeout
	o.ReadTimeout = readTimeout
	o.WriteTimeout = writeTimeout
	o.PoolTimeout = poolTimeout
	// No retries (-1; 0 would mean 3). go-redis retries a command whose
	// reply timed out, and our writes are not idempotent: a retried
	// create makes a second deal, a retried update reports a conflict
	// for its own write, a retried SeenEvent says "repeat" to the first
	// sender. A pooled connection the server closed is detected before
	// use, so after a Redis restart the next call still succeeds.
	o.MaxRetries = -1
	// One dial attempt: a refused connection fails at once instead of
	// after 5 tries spaced 100 ms apart.
	o.DialerRetries = 1
	o.DialerRetryTimeout = 10 * time.Millisecond
	o.ContextTimeoutEnabled = true
	// No CLIENT SETINFO / MAINT_NOTIFICATIONS handshake: fewer round trips
	// per new connection, and nothing a plain or older server rejects.
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return goredis.NewUniversalClient(&o), nil
}
