package main

import (
	"context"
	"net/http"
	"time"

	"github.com/stagecoach/stagecoach/bot"
	larkbot "github.com/stagecoach/stagecoach/bot/lark"
	slackbot "github.com/stagecoach/stagecoach/bot/slack"
)

// adapters registers the configured chat platforms on mux and returns the
// long-running parts (Socket Mode, Lark long connection). Each
// adapter is also kept as the Sender for its platform, and its Close is
// queued for shutdown (after the HTTP server, before the worker pool).
func (m *Main) adapters(ctx context.Context, mux *http.ServeMux, h bot.Handler) ([]func(context.Context) error, error) {
	var runners []func(context.Context) error
	if m.platformSenders == nil {
		m.platformSenders = map[bot.Platform]bot.Sender{}
	}
	ib, err := m.newInbox() // reliab.go: durable inbox, admission, supervision
	if err != nil {
		return nil, err
	}
	runners = append(runners, ib.Run)
	hl := m.adapterHealth()
	// One transport for every platform send: keep-alive connections ≥ workers.
	hc := newHTTPClient(m.Config.Workers) // httpclient.go
	if m.Config.Slack() {
		a, err := slackbot.New(slackbot.Config{
			BotToken: m.Config.SlackBotToken, AppToken: m.Config.SlackAppToken, SigningSecret: m.Config.SlackSigningSecret,
			APIURL: m.Config.SlackAPIURL, Command: m.Config.SlackCommand, Timeout: m.Config.WorkTimeout,
			Inbox: ib, HTTPClient: hc, InlineAnswer: m.Config.SlackInline,
			Health: func(up bool, err error) { hl.set(bot.Slack, up, err, time.Time{}) },
			Posts:  m.posts(),
		}, h, m.Store, m.Pool, m.Log.With("platform", "slack"))
		if err != nil {
			return nil, err
		}
		m.platformSenders[bot.Slack] = a
		m.stops = append(m.stops, a.Close)
		if m.Config.SlackSigningSecret != "" {
			a.Register(mux)
			hl.set(bot.Slack, true, nil, time.Time{})
			m.Log.Info("slack: HTTP mode", "paths", "/slack/events /slack/commands /slack/interactivity")
		}
		if m.Config.SlackAppToken != "" {
			runners = append(runners, m.supervise(bot.Slack, a.RunSocketMode))
			m.Log.Info("slack: Socket Mode")
		}
	}
	if m.Config.Lark() {
		a, err := larkbot.New(larkbot.Config{
			AppID: m.Config.LarkAppID, AppSecret: m.Config.LarkAppSecret, Mode: m.Config.LarkMode,
			EncryptKey: m.Config.LarkEncryptKey, VerificationToken: m.Config.LarkVerificationToken,
			Domain: m.Config.LarkDomain, BaseURL: m.Config.LarkBaseURL, BotOpenID: m.Config.LarkBotOpenID,
			Inbox: ib, HTTPClient: hc, Health: func(up bool, err error) { hl.set(bot.Lark, up, err, time.Time{}) },
			Posts: m.posts(),
		}, h, m.Store, m.Pool, m.Log.With("platform", "lark"))
		if err != nil {
			return nil, err
		}
		m.platformSenders[bot.Lark] = a
		if m.Config.LarkMode == "webhook" {
			a.Register(mux)
			hl.set(bot.Lark, true, nil, time.Time{})
			m.Log.Info("lark: webhook mode", "path", "/lark/events")
		} else {
			runners = append(runners, m.supervise(bot.Lark, a.RunLongConnection))
			m.Log.Info("lark: long connection")
		}
	}
	return runners, nil
}
