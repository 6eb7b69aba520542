package slack

import (
	"context"
	"errors"
	"fmt"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode connects to Slack over Socket Mode (no public URL needed;
// Config.AppToken required) and serves events, slash commands and
// interactions until ctx ends, reconnecting as Slack asks. It returns nil
// when ctx ends, or the error that stopped the connection.
func (a *Adapter) RunSocketMode(parent context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs an app token (SLACK_APP_TOKEN)")
	}
	api := slackapi.New(a.cfg.BotToken, append(a.apiOptions(), slackapi.OptionAppLevelToken(a.cfg.AppToken))...)
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				a.onSocketEvent(ctx, evt, sm.Ack)
			}
		}
	}()
	err := sm.RunContext(ctx)
	cancel()
	<-done
	if parent.Err() != nil {
		return nil
	}
	return err
}

// ackFunc acknowledges a Socket Mode request, with an optional payload.
type ackFunc func(req socketmode.Request, payload ...any) error

// onSocketEvent handles one Socket Mode event. Everything is acked at once
// except an event whose dedupe failed (left unacked so Slack redelivers)
// and a view_submission, acked with its response after the handler ran
// (in its own goroutine, so other events keep flowing).
func (a *Adapter) onSocketEvent(ctx context.Context, evt socketmode.Event, ack ackFunc) {
	doAck := func(payload ...any) {
		if evt.Request == nil {
			return
		}
		if err := ack(*evt.Request, payload...); err != nil {
			a.log.Warn("socket mode ack", "type", evt.Type, "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			doAck()
			return
		}
		if err := a.onEvent(ctx, ev, envelopeID(evt)); err != nil {
			return
		}
		doAck()
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok {
			doAck()
			return
		}
		if resp := a.onCommand(ctx, cmd, envelopeID(evt)); resp != nil {
			doAck(resp)
			return
		}
		doAck()
	case socketmode.EventTypeInteractive:
		ic, ok := evt.Data.(slackapi.InteractionCallback)
		if !ok {
			doAck()
			return
		}
		if ic.Type != slackapi.InteractionTypeViewSubmission {
			a.onInteraction(ctx, &ic, envelopeID(evt))
			doAck()
			return
		}
		// In the background, so other events keep flowing while the
		// handler runs (Close waits for it).
		ran := a.background(func() {
			if resp := a.onInteraction(ctx, &ic, envelopeID(evt)); resp != nil {
				doAck(resp)
				return
			}
			doAck()
		})
		if !ran {
			doAck()
		}
	case socketmode.EventTypeConnected:
		a.health(true, nil)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.log.Warn("socket mode", "type", evt.Type)
		a.health(false, fmt.Errorf("socket mode: %s", evt.Type))
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
		a.log.Warn("socket mode", "type", evt.Type)
	default:
		a.log.Debug("socket mode", "type", evt.Type)
	}
}

// envelopeID names a Socket Mode delivery; Slack resends an unacked
// envelope with the same id.
func envelopeID(evt socketmode.Event) string {
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		return evt.Request.EnvelopeID
	}
	return newRef() + newRef()
}

func (a *Adapter) health(up bool, err error) {
	if a.cfg.Health != nil {
		a.cfg.Health(up, err)
	}
}
