package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the service. Only this file reads the
// environment; everything else gets its settings from here.
type Config struct {
	DBPath   string // STAGECOACH_DB: bbolt file, used when no Redis is configured
	Playbook string // STAGECOACH_PLAYBOOK: a team's own playbook file

	RedisURL        string   // REDIS_URL: redis://[user:pass@]host:port/db or rediss://…
	RedisAddrs      []string // REDIS_ADDRS: comma-separated; ≥2 = Cluster, or Sentinels with REDIS_MASTER_NAME
	RedisMasterName string   // REDIS_MASTER_NAME: Sentinel master
	RedisUsername   string   // REDIS_USERNAME
	RedisPassword   string   // REDIS_PASSWORD (secret)

	HTTPAddr string // HTTP_ADDR, default :8080

	SlackBotToken      string // SLACK_BOT_TOKEN (secret)
	SlackAppToken      string // SLACK_APP_TOKEN (secret): enables Socket Mode
	SlackSigningSecret string // SLACK_SIGNING_SECRET (secret): HTTP mode
	SlackAPIURL        string // SLACK_API_URL
	SlackCommand       string // SLACK_COMMAND, default /coach

	LarkAppID             string // LARK_APP_ID
	LarkAppSecret         string // LARK_APP_SECRET (secret)
	LarkMode              string // LARK_MODE: ws (default) | webhook
	LarkEncryptKey        string // LARK_ENCRYPT_KEY (secret)
	LarkVerificationToken string // LARK_VERIFICATION_TOKEN (secret)
	LarkDomain            string // LARK_DOMAIN: feishu (default) | lark
	LarkBaseURL           string // LARK_BASE_URL
	LarkBotOpenID         string // LARK_BOT_OPEN_ID: the bot's open_id, for exact group-mention matching

	Lang      string // STAGECOACH_LANG: console language (default from LANG)
	LogLevel  string // LOG_LEVEL: debug|info|warn|error
	LogFormat string // LOG_FORMAT: text|json

	Workers       int           // STAGECOACH_WORKERS: worker pool size
	Queue         int           // STAGECOACH_QUEUE: worker pool queue length
	WorkTimeout   time.Duration // STAGECOACH_WORK_TIMEOUT: per job
	SessionTTL    time.Duration // STAGECOACH_SESSION_TTL: guided sessions expire after
	EnableCron    bool          // STAGECOACH_CRON: run the scheduler (default on with a chat platform)
	PrepLeadHours int           // STAGECOACH_PREP_LEAD_HOURS: default 24
	PprofAddr     string        // STAGECOACH_PPROF: loopback host:port for net/http/pprof (off when empty)
	SlackInline   time.Duration // SLACK_INLINE_ANSWER: a slash command's ack carries the answer when ready this soon (0: off)

	Mirror MirrorConfig // mirror.go: LARK_BASE_*, STAGECOACH_WEBHOOK_*, STAGECOACH_MIRROR*
}

// Redis reports whether a Redis store is configured.
func (c Config) Redis() bool { return c.RedisURL != "" || len(c.RedisAddrs) > 0 }

// Slack reports whether Slack is configured.
func (c Config) Slack() bool { return c.SlackBotToken != "" }

// Lark reports whether Lark is configured.
func (c Config) Lark() bool { return c.LarkAppID != "" }

// LoadConfig reads the configuration from getenv and validates it.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DBPath:                or(getenv("STAGECOACH_DB"), "./stagecoach.db"),
		Playbook:              getenv("STAGECOACH_PLAYBOOK"),
		RedisURL:              getenv("REDIS_URL"),
		RedisMasterName:       getenv("REDIS_MASTER_NAME"),
		RedisUsername:         getenv("REDIS_USERNAME"),
		RedisPassword:         getenv("REDIS_PASSWORD"),
		HTTPAddr:              or(getenv("HTTP_ADDR"), ":8080"),
		SlackBotToken:         getenv("SLACK_BOT_TOKEN"),
		SlackAppToken:         getenv("SLACK_APP_TOKEN"),
		SlackSigningSecret:    getenv("SLACK_SIGNING_SECRET"),
		SlackAPIURL:           getenv("SLACK_API_URL"),
		SlackCommand:          or(getenv("SLACK_COMMAND"), "/coach"),
		LarkAppID:             getenv("LARK_APP_ID"),
		LarkAppSecret:         getenv("LARK_APP_SECRET"),
		LarkMode:              strings.ToLower(or(getenv("LARK_MODE"), "ws")),
		LarkEncryptKey:        getenv("LARK_ENCRYPT_KEY"),
		LarkVerificationToken: getenv("LARK_VERIFICATION_TOKEN"),
		LarkDomain:            strings.ToLower(or(getenv("LARK_DOMAIN"), "feishu")),
		LarkBaseURL:           getenv("LARK_BASE_URL"),
		LarkBotOpenID:         getenv("LARK_BOT_OPEN_ID"),
		Lang:                  getenv("STAGECOACH_LANG"),
		LogLevel:              strings.ToLower(or(getenv("LOG_LEVEL"), "info")),
		LogFormat:             strings.ToLower(or(getenv("LOG_FORMAT"), "text")),
		PprofAddr:             getenv("STAGECOACH_PPROF"),
	}
	if c.Lang == "" {
		if l := getenv("LANG"); strings.HasPrefix(strings.ToLower(l), "zh") {
			c.Lang = "zh"
		}
	}
	if a := getenv("REDIS_ADDRS"); a != "" {
		for _, s := range strings.Split(a, ",") {
			if s = strings.TrimSpace(s); s != "" {
				c.RedisAddrs = append(c.RedisAddrs, s)
			}
		}
	}
	var err error
	ints := []struct {
		env string
		dst *int
		def int
	}{{"STAGECOACH_WORKERS", &c.Workers, 16}, {"STAGECOACH_QUEUE", &c.Queue, 1024}, {"STAGECOACH_PREP_LEAD_HOURS", &c.PrepLeadHours, 24}}
	for _, x := range ints {
		if *x.dst, err = intEnv(getenv, x.env, x.def); err != nil {
			return c, err
		}
	}
	durs := []struct {
		env string
		dst *time.Duration
		def time.Duration
	}{{"STAGECOACH_WORK_TIMEOUT", &c.WorkTimeout, 10 * time.Second}, {"STAGECOACH_SESSION_TTL", &c.SessionTTL, 24 * time.Hour}}
	if v := getenv("SLACK_INLINE_ANSWER"); v != "" {
		if c.SlackInline, err = time.ParseDuration(v); err != nil || c.SlackInline < 0 || c.SlackInline > time.Second {
			return c, fmt.Errorf("SLACK_INLINE_ANSWER=%q: want a duration from 0 (off) to 1s, like 250ms", v)
		}
	}
	for _, x := range durs {
		*x.dst = x.def
		if v := getenv(x.env); v != "" {
			if *x.dst, err = time.ParseDuration(v); err != nil || *x.dst <= 0 {
				return c, fmt.Errorf("%s=%q: want a duration like 10s", x.env, v)
			}
		}
	}
	if c.Mirror, err = loadMirrorConfig(getenv, c.Lark()); err != nil {
		return c, err
	}
	c.EnableCron = c.Slack() || c.Lark()
	if v := getenv("STAGECOACH_CRON"); v != "" {
		if c.EnableCron, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("STAGECOACH_CRON=%q: want true or false", v)
		}
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []string
	if c.Slack() && c.SlackAppToken == "" && c.SlackSigningSecret == "" {
		errs = append(errs, "SLACK_BOT_TOKEN is set: also set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		errs = append(errs, "SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}
	if c.SlackAppToken != "" && !c.Slack() {
		errs = append(errs, "SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN")
	}
	if c.Lark() {
		if c.LarkAppSecret == "" {
			errs = append(errs, "LARK_APP_ID is set: also set LARK_APP_SECRET")
		}
		switch c.LarkMode {
		case "ws":
		case "webhook":
			if c.LarkEncryptKey == "" || c.LarkVerificationToken == "" {
				errs = append(errs, "LARK_MODE=webhook needs LARK_ENCRYPT_KEY and LARK_VERIFICATION_TOKEN (without an encrypt key no signature is checked)")
			}
		default:
			errs = append(errs, fmt.Sprintf("LARK_MODE=%q: want ws or webhook", c.LarkMode))
		}
		if c.LarkDomain != "feishu" && c.LarkDomain != "lark" {
			errs = append(errs, fmt.Sprintf("LARK_DOMAIN=%q: want feishu or lark", c.LarkDomain))
		}
	}
	if c.RedisMasterName != "" && len(c.RedisAddrs) == 0 {
		errs = append(errs, "REDIS_MASTER_NAME needs REDIS_ADDRS (the Sentinel addresses)")
	}
	if c.Lang != "" && c.Lang != "zh" && c.Lang != "en" {
		errs = append(errs, fmt.Sprintf("STAGECOACH_LANG=%q: want zh or en", c.Lang))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	if c.PprofAddr != "" {
		if err := checkPprofAddr(c.PprofAddr); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if c.Workers < 1 || c.Queue < 1 {
		errs = append(errs, "STAGECOACH_WORKERS and STAGECOACH_QUEUE must be at least 1")
	}
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func intEnv(getenv func(string) string, key string, def int) (int, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want a whole number", key, v)
	}
	return n, nil
}

// environ is os.Getenv, named so tests can pass their own.
var environ = os.Getenv
