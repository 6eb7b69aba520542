package lark

import (
	"context"
	"sync"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"
)

// Name cache bounds: names change rarely, and a failed lookup (e.g. the
// optional contact scope not granted) is retried only after missTTL.
const (
	nameTTL     = 6 * time.Hour
	missTTL     = 10 * time.Minute
	maxNames    = 5000
	nameTimeout = 800 * time.Millisecond
)

type nameEntry struct {
	name string
	exp  time.Time
}

// names caches display names by open_id, in memory, bounded.
type names struct {
	mu sync.Mutex
	m  map[string]nameEntry
}

// userName returns the display name of openID via contact/v3 (needs the
// contact:user.base:readonly scope), or "" when it is unknown. It never
// fails: a name is a nicety.
func (a *Adapter) userName(ctx context.Context, openID string) string {
	now := a.now()
	a.names.mu.Lock()
	if e, ok := a.names.m[openID]; ok && now.Before(e.exp) {
		a.names.mu.Unlock()
		return e.name
	}
	a.names.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, nameTimeout)
	defer cancel()
	var name string
	ttl := missTTL
	resp, err := a.cli.Contact.V3.User.Get(ctx, larkcontact.NewGetUserReqBuilder().UserId(openID).UserIdType("open_id").Build())
	switch {
	case err != nil:
		a.log.Debug("user name lookup failed", "err", err)
	case !resp.Success():
		a.log.Debug("user name lookup refused", "code", resp.Code, "msg", resp.Msg)
	case resp.Data != nil && resp.Data.User != nil:
		name = larkcore.StringValue(resp.Data.User.Name)
		ttl = nameTTL
	}

	a.names.mu.Lock()
	defer a.names.mu.Unlock()
	if a.names.m == nil {
		a.names.m = map[string]nameEntry{}
	}
	if len(a.names.m) >= maxNames {
		for k, e := range a.names.m {
			if !now.Before(e.exp) {
				delete(a.names.m, k)
			}
		}
		for k := range a.names.m {
			if len(a.names.m) < maxNames {
				break
			}
			delete(a.names.m, k)
		}
	}
	a.names.m[openID] = nameEntry{name: name, exp: now.Add(ttl)}
	return name
}
