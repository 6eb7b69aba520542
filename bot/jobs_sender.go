package bot

import "context"

// MultiSender routes a proactive message to the Sender of the recipient's
// platform, and to Fallback (e.g. the console printer) when that platform
// has none configured.
type MultiSender struct {
	By       map[Platform]Sender
	Fallback Sender
}

// Send implements Sender.
func (m *MultiSender) Send(ctx context.Context, to Recipient, r Reply) error {
	if s, ok := m.By[to.Platform]; ok && s != nil {
		return s.Send(ctx, to, r)
	}
	if m.Fallback == nil {
		return errNoSender(to.Platform)
	}
	return m.Fallback.Send(ctx, to, r)
}

type errNoSender Platform

func (e errNoSender) Error() string { return "bot: no sender for platform " + string(e) }
