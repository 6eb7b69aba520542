package main

import "github.com/stagecoach/stagecoach/bot"

// posts is where the adapters report the threads their deal replies
// landed in: the router (a nil router gives no recorder, not a typed nil).
func (m *Main) posts() bot.PostRecorder {
	if m.Router == nil {
		return nil
	}
	return m.Router
}
