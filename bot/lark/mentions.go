package lark

import (
	"strings"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

// isBot reports whether a mention names the bot (see mentioned).
func (a *Adapter) isBot(m *larkim.MentionEvent) bool {
	if a.cfg.BotOpenID != "" {
		return m.Id != nil && larkcore.StringValue(m.Id.OpenId) == a.cfg.BotOpenID
	}
	t := larkcore.StringValue(m.MentionedType)
	return t == "" || t == "bot"
}

// mentionText turns the @mentions of people into user references the
// router understands — `"<@open_id|name>"`, quoted so a name with spaces
// stays one word (`team role @张三 manager`) — drops the bot's own
// mention, and remembers each mentioned name, so names show as names
// even without the contact API.
func (a *Adapter) mentionText(s string, ms []*larkim.MentionEvent) string {
	for _, m := range ms {
		if m == nil || m.Key == nil || *m.Key == "" || a.isBot(m) || m.Id == nil {
			continue
		}
		id := larkcore.StringValue(m.Id.OpenId)
		if id == "" {
			continue
		}
		name := strings.NewReplacer(`"`, "", "|", "", ">", "", "\n", " ").Replace(larkcore.StringValue(m.Name))
		s = strings.ReplaceAll(s, *m.Key, ` "<@`+id+"|"+name+`>" `)
		if name != "" {
			a.rememberName(id, name)
		}
	}
	return stripMentions(s, ms)
}

// rememberName caches a name learnt from a mention (the contact API may
// be refused).
func (a *Adapter) rememberName(openID, name string) {
	now := a.now()
	a.names.mu.Lock()
	defer a.names.mu.Unlock()
	if a.names.m == nil {
		a.names.m = map[string]nameEntry{}
	}
	if e, ok := a.names.m[openID]; ok && e.name != "" && now.Before(e.exp) {
		return
	}
	if len(a.names.m) >= maxNames {
		return
	}
	a.names.m[openID] = nameEntry{name: name, exp: now.Add(nameTTL)}
}
