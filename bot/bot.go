// Package bot is the transport-neutral chat layer: one Message model in,
// one Reply model out, the command parser and router shared by every
// adapter (console, Slack, Lark), help generated from the command
// definitions, and the translations of every user-facing text.
package bot

import "context"

// Platform names the chat platform a message came from.
type Platform string

// Platforms.
const (
	Console Platform = "console"
	Slack   Platform = "slack"
	Lark    Platform = "lark"
)

// Message is one input from a user: a typed command, or a click on an
// interactive element of a Reply (then Action is set).
type Message struct {
	Platform Platform
	Tenant   string // team id: Slack team_id, Lark tenant_key, console team
	User     string // Slack user_id, Lark open_id, console user
	UserName string // display name, when the adapter knows it
	Channel  string // where to answer; "" for direct messages without a channel
	Thread   string
	Text     string // command text, without the slash command or @mention
	Action   *Action
	// Locale is the platform's language hint ("zh", "en" or ""); a user's
	// or team's stored choice wins over it.
	Locale  string
	EventID string // platform delivery id, for dedupe of retried deliveries
	// Direct reports a direct message (DM / p2p chat) as opposed to a
	// channel mention or slash command.
	Direct bool
	// Audio is a voice message to transcribe (audio.go); Text is then a
	// caption typed with it, if any.
	Audio *Audio `json:",omitempty"`
}

// Action kinds.
const (
	// ActionCommand: a button or select option carrying a command text in
	// Value (the adapter may also put it in Message.Text).
	ActionCommand = "command"
	// ActionChecklist: a tick or untick in a Checklist block. Deal names
	// the deal, Options the items shown, Selected those now ticked.
	ActionChecklist = "checklist"
	// ActionForm: a submitted Form block. Form is the form id, Deal the
	// deal (if any), Values the field values by key.
	ActionForm = "form"
)

// Action is a click or submission on an interactive element.
type Action struct {
	Kind     string
	Value    string // ActionCommand: the command text
	Deal     string
	Options  []string
	Selected []string
	Form     string
	Values   map[string]string
}

// Handler answers one message.
type Handler interface {
	// Handle returns the reply for msg. User mistakes are replies, not
	// errors; an error means the reply could not be produced at all.
	Handle(ctx context.Context, msg Message) (Reply, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, msg Message) (Reply, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, msg Message) (Reply, error) { return f(ctx, msg) }

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain applies middlewares so the first one is the outermost.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Recipient is where a proactive message (nudge, reminder, digest) goes.
type Recipient struct {
	Platform Platform
	Tenant   string
	User     string // a DM to this user when Channel is empty
	Channel  string
}

// Sender delivers proactive messages. Each adapter implements it and
// respects its platform's rate limits.
type Sender interface {
	Send(ctx context.Context, to Recipient, r Reply) error
}
