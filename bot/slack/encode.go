package slack

import (
	"encoding/json"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"
)

// Block Kit JSON, encoded once. slack-go's types marshal through nested
// MarshalJSON methods (Blocks, BlockElements, ContextElements, Accessory),
// and encoding/json re-scans and compacts the output of every one of them
// at every level: a deal card was encoded about three times over, which
// was a fifth of the CPU of a command under load. appendBlocks writes the
// blocks the renderer makes (header, section, divider, context, actions
// with buttons, static selects and checkboxes) directly, byte for byte as
// encoding/json writes them (a test compares both on every real reply
// and a fuzz target on arbitrary text); any other block, or one using a
// field the fast path does not know, is encoded by encoding/json.

// outMessage is a message as posted to response_url or returned in a
// slash command's ack body: slackapi.WebhookMessage's fields that we set,
// in its field order.
type outMessage struct {
	ThreadTS     string
	Text         string
	Blocks       []slackapi.Block
	ResponseType string
	Replace      bool
}

// encode writes m as slackapi.WebhookMessage marshals (same keys, order
// and omitempty rules).
func (m outMessage) encode() ([]byte, error) {
	b := make([]byte, 0, 8192+len(m.Text)) // a deal card is ~6.5 KB
	b = append(b, '{')
	if m.ThreadTS != "" {
		b = append(b, `"thread_ts":`...)
		b = appendString(b, m.ThreadTS)
		b = append(b, ',')
	}
	if m.Text != "" {
		b = append(b, `"text":`...)
		b = appendString(b, m.Text)
		b = append(b, ',')
	}
	if len(m.Blocks) > 0 {
		// *Blocks is omitempty only when nil; an empty set is left out
		// by the caller (postResponseURL sets it only for blocks).
		b = append(b, `"blocks":`...)
		var err error
		if b, err = appendBlocks(b, m.Blocks); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	if m.ResponseType != "" {
		b = append(b, `"response_type":`...)
		b = appendString(b, m.ResponseType)
		b = append(b, ',')
	}
	b = append(b, `"replace_original":`...)
	b = appendBool(b, m.Replace)
	b = append(b, `,"delete_original":false}`...)
	return b, nil
}

// appendBlocks appends bs as json.Marshal(bs) would.
func appendBlocks(b []byte, bs []slackapi.Block) ([]byte, error) {
	if bs == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, bl := range bs {
		if i > 0 {
			b = append(b, ',')
		}
		if nb, ok := appendBlock(b, bl); ok {
			b = nb
			continue
		}
		// Not on the fast path: whatever appendBlock wrote past len(b) is
		// overwritten.
		raw, err := json.Marshal(bl)
		if err != nil {
			return nil, err
		}
		b = append(b, raw...)
	}
	return append(b, ']'), nil
}

// appendBlock writes the block types the renderer makes; ok is false for
// anything else (the caller then drops what it wrote).
func appendBlock(b []byte, bl slackapi.Block) ([]byte, bool) {
	switch x := bl.(type) {
	case *slackapi.HeaderBlock:
		if x == nil {
			return b, false
		}
		b = append(b, `{"type":`...)
		b = appendString(b, string(x.Type))
		if x.Text != nil {
			b = append(b, `,"text":`...)
			b = appendText(b, x.Text)
		}
		b = appendOptString(b, `,"block_id":`, x.BlockID)
		if x.Level != 0 {
			return b, false
		}
		return append(b, '}'), true
	case *slackapi.SectionBlock:
		if x == nil || x.Accessory != nil || x.Expand {
			return b, false
		}
		b = append(b, `{"type":`...)
		b = appendString(b, string(x.Type))
		if x.Text != nil {
			b = append(b, `,"text":`...)
			b = appendText(b, x.Text)
		}
		b = appendOptString(b, `,"block_id":`, x.BlockID)
		if len(x.Fields) > 0 {
			b = append(b, `,"fields":[`...)
			for i, f := range x.Fields {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendText(b, f)
			}
			b = append(b, ']')
		}
		return append(b, '}'), true
	case *slackapi.DividerBlock:
		if x == nil {
			return b, false
		}
		b = append(b, `{"type":`...)
		b = appendString(b, string(x.Type))
		b = appendOptString(b, `,"block_id":`, x.BlockID)
		return append(b, '}'), true
	case *slackapi.ContextBlock:
		if x == nil {
			return b, false
		}
		b = append(b, `{"type":`...)
		b = appendString(b, string(x.Type))
		b = appendOptString(b, `,"block_id":`, x.BlockID)
		b = append(b, `,"elements":`...)
		if x.ContextElements.Elements == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, e := range x.ContextElements.Elements {
				t, isText := e.(*slackapi.TextBlockObject)
				if !isText {
					return b, false
				}
				if i > 0 {
					b = append(b, ',')
				}
				b = appendText(b, t)
			}
			b = append(b, ']')
		}
		return append(b, '}'), true
	case *slackapi.ActionBlock:
		if x == nil {
			return b, false
		}
		b = append(b, `{"type":`...)
		b = appendString(b, string(x.Type))
		b = appendOptString(b, `,"block_id":`, x.BlockID)
		b = append(b, `,"elements":`...)
		if x.Elements == nil || x.Elements.ElementSet == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, e := range x.Elements.ElementSet {
				if i > 0 {
					b = append(b, ',')
				}
				var ok bool
				if b, ok = appendElement(b, e); !ok {
					return b, false
				}
			}
			b = append(b, ']')
		}
		return append(b, '}'), true
	}
	return b, false
}

// appendElement writes a button, static select or checkboxes element.
func appendElement(b []byte, e slackapi.BlockElement) ([]byte, bool) {
	switch x := e.(type) {
	case *slackapi.ButtonBlockElement:
		if x == nil || x.Confirm != nil || x.VisibleToUserIDs != nil {
			return b, false
		}
		b = append(b, '{')
		if x.Type != "" {
			b = append(b, `"type":`...)
			b = appendString(b, string(x.Type))
			b = append(b, ',')
		}
		b = append(b, `"text":`...)
		b = appendText(b, x.Text)
		b = appendOptString(b, `,"action_id":`, x.ActionID)
		b = appendOptString(b, `,"url":`, x.URL)
		b = appendOptString(b, `,"value":`, x.Value)
		b = appendOptString(b, `,"style":`, string(x.Style))
		b = appendOptString(b, `,"accessibility_label":`, x.AccessibilityLabel)
		b = appendOptString(b, `,"agent_prompt":`, x.AgentPrompt)
		b = appendOptString(b, `,"agent_prompt_display":`, x.AgentPromptDisplay)
		return append(b, '}'), true
	case *slackapi.SelectBlockElement:
		if x == nil || x.OptionGroups != nil || x.InitialUser != "" || x.InitialConversation != "" || x.InitialChannel != "" ||
			x.DefaultToCurrentConversation || x.ResponseURLEnabled || x.Filter != nil || x.MinQueryLength != nil ||
			x.Confirm != nil || x.FocusOnLoad {
			return b, false
		}
		b = append(b, '{')
		sep := false
		field := func(key string) {
			if sep {
				b = append(b, ',')
			}
			b = append(b, key...)
			sep = true
		}
		if x.Type != "" {
			field(`"type":`)
			b = appendString(b, x.Type)
		}
		if x.Placeholder != nil {
			field(`"placeholder":`)
			b = appendText(b, x.Placeholder)
		}
		if x.ActionID != "" {
			field(`"action_id":`)
			b = appendString(b, x.ActionID)
		}
		if len(x.Options) > 0 {
			field(`"options":`)
			b = appendOptions(b, x.Options)
		}
		if x.InitialOption != nil {
			field(`"initial_option":`)
			b = appendOption(b, x.InitialOption)
		}
		return append(b, '}'), true
	case *slackapi.CheckboxGroupsBlockElement:
		if x == nil || x.Confirm != nil || x.FocusOnLoad || x.VisibleToUserIDs != nil {
			return b, false
		}
		b = append(b, `{"type":`...)
		b = appendString(b, string(x.Type))
		b = appendOptString(b, `,"action_id":`, x.ActionID)
		b = append(b, `,"options":`...)
		b = appendOptions(b, x.Options)
		if len(x.InitialOptions) > 0 {
			b = append(b, `,"initial_options":`...)
			b = appendOptions(b, x.InitialOptions)
		}
		return append(b, '}'), true
	}
	return b, false
}

func appendOptions(b []byte, os []*slackapi.OptionBlockObject) []byte {
	if os == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, o := range os {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendOption(b, o)
	}
	return append(b, ']')
}

func appendOption(b []byte, o *slackapi.OptionBlockObject) []byte {
	if o == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"text":`...)
	b = appendText(b, o.Text)
	b = append(b, `,"value":`...)
	b = appendString(b, o.Value)
	if o.Description != nil {
		b = append(b, `,"description":`...)
		b = appendText(b, o.Description)
	}
	b = appendOptString(b, `,"url":`, o.URL)
	return append(b, '}')
}

// appendText writes a text object (type, text, emoji, verbatim).
func appendText(b []byte, t *slackapi.TextBlockObject) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"type":`...)
	b = appendString(b, t.Type)
	b = append(b, `,"text":`...)
	b = appendString(b, t.Text)
	if t.Emoji != nil {
		b = append(b, `,"emoji":`...)
		b = appendBool(b, *t.Emoji)
	}
	if t.Verbatim {
		b = append(b, `,"verbatim":true`...)
	}
	return append(b, '}')
}

func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does
// with HTML escaping: ", \ and control characters escaped (\b \f \n \r \t
// by name), <, > and & as \u003c \u003e \u0026, U+2028 and U+2029
// escaped, invalid UTF-8 replaced by \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
