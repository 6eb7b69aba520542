package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/stagecoach/stagecoach/bot"
)

// BusyHeader is set to "1" on a slash command's busy ack (nothing was
// taken; the text asks the user to retry), so load tools and operators
// can count busy acks without reading the text.
const BusyHeader = "X-Stagecoach-Busy"

// Register adds the HTTP-mode endpoints to mux:
//
//	POST /slack/events        Events API (and its url_verification)
//	POST /slack/commands      slash commands
//	POST /slack/interactivity block_actions and view_submission
//
// Every request is verified with the signing secret (v0 HMAC-SHA256,
// 5-minute window, constant-time compare) before anything is parsed:
// missing or bad signature or stale timestamp → 401, body over MaxBody →
// 413, unparseable payload → 400. cmd owns the server and the mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/events", a.serveEvents)
	mux.HandleFunc("POST /slack/commands", a.serveCommands)
	mux.HandleFunc("POST /slack/interactivity", a.serveInteractivity)
}

// readVerified reads the body and checks Slack's signature. On failure it
// has written the response and returns ok false.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	if a.cfg.SigningSecret == "" {
		http.Error(w, "signing secret not configured", http.StatusUnauthorized)
		return nil, false
	}
	// Headers and timestamp first: a stale or unsigned request is refused
	// before its body is read.
	sv, err := slackapi.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "bad request", http.StatusBadRequest)
		}
		return nil, false
	}
	if _, err := sv.Write(body); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	if err := sv.Ensure(); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// envelope is the outer shape of an Events API request.
type envelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	TeamID    string `json:"team_id"`
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Type == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if env.Type == slackevents.URLVerification {
		writeJSON(w, map[string]string{"challenge": env.Challenge})
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.Debug("event redelivery", "event_id", env.EventID, "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// Unknown inner event types fail to parse too; a non-2xx would only
		// make Slack retry, and repeated failures disable the subscription.
		a.log.Debug("unparsed event", "event_id", env.EventID, "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := a.onEvent(r.Context(), ev, requestDigest(r.Header.Get("X-Slack-Request-Timestamp"), body)); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommands(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if v.Get("user_id") == "" || v.Get("team_id") == "" {
		http.Error(w, "missing team or user id", http.StatusBadRequest)
		return
	}
	cmd := slackapi.SlashCommand{
		TeamID: v.Get("team_id"), ChannelID: v.Get("channel_id"), UserID: v.Get("user_id"),
		UserName: v.Get("user_name"), Command: v.Get("command"), Text: v.Get("text"),
		ResponseURL: v.Get("response_url"), TriggerID: v.Get("trigger_id"), APIAppID: v.Get("api_app_id"),
	}
	id := requestDigest(r.Header.Get("X-Slack-Request-Timestamp"), body)
	var slot *inlineSlot
	if cmd.ResponseURL != "" {
		slot = a.openInline(bot.DeliveryKey(bot.Slack, "cmd", cmd.TeamID, id))
	}
	if resp := a.onCommand(r.Context(), cmd, id); resp != nil {
		slot.close()
		if resp.Text == bot.DeliveryText(textLang(cmd.Text), bot.Busy) {
			w.Header().Set(BusyHeader, "1")
		}
		writeJSON(w, resp)
		return
	}
	if slot != nil {
		if answer, ok := slot.wait(r.Context(), a.inlineBudget()); ok {
			writeMessage(w, answer) // the answer itself (inline.go)
			return
		}
	}
	// An empty 200 shows nothing; the answer follows on response_url.
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteractivity(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	v, err := url.ParseQuery(string(body))
	payload := ""
	if err == nil {
		payload = v.Get("payload")
	}
	var ic slackapi.InteractionCallback
	if strings.TrimSpace(payload) == "" || json.Unmarshal([]byte(payload), &ic) != nil || ic.Type == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ic.User.ID == "" || (ic.Team.ID == "" && ic.View.TeamID == "") {
		http.Error(w, "missing team or user id", http.StatusBadRequest)
		return
	}
	if resp := a.onInteraction(r.Context(), &ic, requestDigest(r.Header.Get("X-Slack-Request-Timestamp"), body)); resp != nil {
		writeJSON(w, resp)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
