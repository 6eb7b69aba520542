package slack_test

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/slack"
)

// Example shows how cmd wires the adapter: one shared pool, the store as
// Deduper, the mux shared with Lark and /metrics, and Socket Mode when an
// app token is set.
func Example() {
	ctx := context.Background()
	log := slog.Default()
	var router bot.Handler = bot.HandlerFunc(func(context.Context, bot.Message) (bot.Reply, error) {
		return bot.Reply{}, nil
	})
	var store slack.Deduper // coach.Store
	pool := bot.NewPool(8, 256, 20*time.Second, log)

	a, err := slack.New(slack.Config{
		BotToken:      "xoxb-…", // SLACK_BOT_TOKEN
		AppToken:      "",       // SLACK_APP_TOKEN: Socket Mode when set
		SigningSecret: "…",      // SLACK_SIGNING_SECRET: HTTP mode
		APIURL:        "",       // SLACK_API_URL
		Command:       "/coach", // SLACK_COMMAND
	}, router, store, pool, log)
	if err != nil {
		log.Error("slack", "err", err)
		return
	}
	mux := http.NewServeMux()
	a.Register(mux)                          // served on HTTP_ADDR by cmd
	go func() { _ = a.RunSocketMode(ctx) }() // only with an app token

	var sender bot.Sender = a // nudges, reminders, digests
	_ = sender

	// On shutdown: stop the server, then the adapter, then the pool.
	_ = a.Close(ctx)
	_ = pool.Close(ctx)
}
