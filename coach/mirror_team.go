package coach

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MirrorSettings are a team's own mirror targets. Empty fields fall back
// to the deployment's defaults (LARK_BASE_*, STAGECOACH_WEBHOOK_*).
type MirrorSettings struct {
	BaseAppToken  string `json:"base_app_token,omitempty"`
	BaseTableID   string `json:"base_table_id,omitempty"`
	WebhookURL    string `json:"webhook_url,omitempty"`
	WebhookSecret string `json:"webhook_secret,omitempty"` // never shown back
}

// The built-in mirror targets' names (MirrorTarget.Name).
const (
	MirrorTargetBase    = "larkbase"
	MirrorTargetWebhook = "webhook"
)

// Limits of the mirror settings.
const (
	MinWebhookSecretLen = 16
	maxWebhookSecretLen = 256
	maxWebhookURLLen    = 2000
)

func isAdmin(t *Team, user string) bool {
	me := t.Members[user]
	return me != nil && me.Role == RoleAdmin
}

// validToken accepts a Lark Base app token or table id: letters and digits.
func validToken(s string, minLen int) bool {
	if len(s) < minLen || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// SetMirrorBase sets the team's Lark Base table (app token and table id
// from the table's URL); "off" clears it. Admins only.
func (s *Service) SetMirrorBase(ctx context.Context, a Actor, appToken, tableID string) (*Team, error) {
	off := strings.EqualFold(appToken, "off")
	if !off {
		if !validToken(appToken, 8) {
			return nil, Errf(CodeBadValue, "field", "app_token", "value", appToken, "expected", "the Base app token from its URL (…/base/<app_token>?table=…)")
		}
		if !strings.HasPrefix(tableID, "tbl") || !validToken(tableID, 6) {
			return nil, Errf(CodeBadValue, "field", "table_id", "value", tableID, "expected", "tbl… (the table= part of the Base URL)")
		}
	}
	changed := false
	t, err := s.updateTeam(ctx, a.Team, func(t *Team) error {
		if !isAdmin(t, a.User) {
			return Errf(CodeForbidden, "action", "team base")
		}
		if off {
			appToken, tableID = "", ""
		}
		changed = t.Mirror.BaseAppToken != appToken || t.Mirror.BaseTableID != tableID
		t.Mirror.BaseAppToken, t.Mirror.BaseTableID = appToken, tableID
		return nil
	})
	if err == nil && changed && !off {
		s.resyncTarget(ctx, a.Team, MirrorTargetBase)
	}
	return t, err
}

// resyncTarget queues every deal for target after its settings changed,
// so a new table or receiver starts complete. A failure only delays that
// until `team mirror resync`: the settings are saved.
func (s *Service) resyncTarget(ctx context.Context, team, target string) {
	if _, err := s.store.EnqueueResync(ctx, team, target, s.now()); err != nil {
		s.Log.Warn("mirror: resync after a settings change", "team", team, "target", target, "err", err)
	}
}

// ValidWebhookURL reports whether u may receive the mirror's webhooks:
// https://host[:port][/path…], or http:// to a loopback host (local
// testing); no credentials, spaces or control characters.
func ValidWebhookURL(u string) bool {
	if len(u) > maxWebhookURLLen {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '%' && (i+2 >= len(u) || !isHex(u[i+1]) || !isHex(u[i+2])) {
			return false
		}
	}
	rest, https := strings.CutPrefix(u, "https://")
	if !https {
		var ok bool
		if rest, ok = strings.CutPrefix(u, "http://"); !ok {
			return false
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	host, _, _ = strings.Cut(host, "#")
	if host == "" || strings.Contains(host, "@") {
		return false
	}
	if h, port, ok := cutPort(host); ok {
		host = h
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return false
		}
	}
	if host == "" || strings.Trim(strings.ToLower(host), "abcdefghijklmnopqrstuvwxyz0123456789-.:") != "" {
		return false
	}
	if strings.Contains(host, ":") && strings.Trim(strings.ToLower(host), "0123456789abcdef:") != "" {
		return false // only a bracketed IPv6 address has colons
	}
	if https {
		return true
	}
	return host == "localhost" || host == "::1" || loopbackV4(host)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// loopbackV4 reports whether s is a dotted IPv4 address in 127.0.0.0/8.
func loopbackV4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != "127" {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p != strconv.Itoa(n) {
			return false
		}
	}
	return true
}

// cutPort splits host:port (with [v6]:port), ok false without a port; a
// bracketed v6 address comes back unbracketed.
func cutPort(hostport string) (host, port string, ok bool) {
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "[", "", true // malformed: rejected by the caller
		}
		h, after := hostport[1:end], hostport[end+1:]
		if after == "" {
			return h, "", false
		}
		if !strings.HasPrefix(after, ":") {
			return "[", "", true
		}
		return h, after[1:], true
	}
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		return hostport[:i], hostport[i+1:], true
	}
	return hostport, "", false
}

// SetMirrorWebhook sets the team's webhook URL and signing secret; "off"
// clears them. Admins only.
func (s *Service) SetMirrorWebhook(ctx context.Context, a Actor, u, secret string) (*Team, error) {
	off := strings.EqualFold(u, "off")
	if !off {
		if !ValidWebhookURL(u) {
			return nil, Errf(CodeBadValue, "field", "url", "value", u, "expected", "https://…")
		}
		if len(secret) < MinWebhookSecretLen || len(secret) > maxWebhookSecretLen || strings.ContainsAny(secret, " \t\r\n") {
			// The secret itself is never echoed.
			return nil, Errf(CodeBadValue, "field", "secret", "value", "…", "expected", fmt.Sprintf("%d–%d characters, no spaces", MinWebhookSecretLen, maxWebhookSecretLen))
		}
	}
	changed := false
	t, err := s.updateTeam(ctx, a.Team, func(t *Team) error {
		if !isAdmin(t, a.User) {
			return Errf(CodeForbidden, "action", "team webhook")
		}
		if off {
			u, secret = "", ""
		}
		changed = t.Mirror.WebhookURL != u
		t.Mirror.WebhookURL, t.Mirror.WebhookSecret = u, secret
		return nil
	})
	if err == nil && changed && !off {
		s.resyncTarget(ctx, a.Team, MirrorTargetWebhook)
	}
	return t, err
}

func (s *Service) adminTeam(ctx context.Context, a Actor, action string) (*Team, error) {
	t, err := s.store.GetTeam(ctx, a.Team)
	if errors.Is(err, ErrNotFound) {
		return nil, Errf(CodeForbidden, "action", action)
	}
	if err != nil {
		return nil, fmt.Errorf("team %s: %w", a.Team, err)
	}
	if !isAdmin(t, a.User) {
		return nil, Errf(CodeForbidden, "action", action)
	}
	return t, nil
}

// MirrorResync queues the current state of every deal of the actor's team
// for every mirror target. Admins only. It returns the deals queued (0
// when the team mirrors nowhere).
func (s *Service) MirrorResync(ctx context.Context, a Actor) (int, error) {
	if _, err := s.adminTeam(ctx, a, "team mirror resync"); err != nil {
		return 0, err
	}
	n, err := s.store.EnqueueResync(ctx, a.Team, "", s.now())
	if err != nil {
		return 0, fmt.Errorf("mirror resync %s: %w", a.Team, err)
	}
	return n, nil
}

// MirrorTargetStatus is what `team mirror` shows for one target.
type MirrorTargetStatus struct {
	Target    string
	Depth     int
	Oldest    time.Time
	LastError string // "" when the last send succeeded
	ErrorKind MirrorErrorKind
	ErrorAt   time.Time
	Failures  int
}

// MirrorStatus returns the actor's team's mirror targets with their queue
// and last error, ordered by target. Admins only.
func (s *Service) MirrorStatus(ctx context.Context, a Actor) ([]MirrorTargetStatus, error) {
	if _, err := s.adminTeam(ctx, a, "team mirror"); err != nil {
		return nil, err
	}
	targets, err := s.store.OutboxTargets(ctx, a.Team)
	if err != nil {
		return nil, fmt.Errorf("mirror status %s: %w", a.Team, err)
	}
	sort.Strings(targets)
	fails, err := s.store.MirrorRefs(ctx, a.Team, mirrorStatusScope, targets)
	if err != nil {
		return nil, fmt.Errorf("mirror status %s: %w", a.Team, err)
	}
	out := make([]MirrorTargetStatus, 0, len(targets))
	for _, name := range targets {
		st, err := s.store.OutboxStats(ctx, a.Team, name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("mirror status %s: %w", a.Team, err)
		}
		ms := MirrorTargetStatus{Target: name, Depth: st.Depth, Oldest: st.Oldest}
		if enc, ok := fails[name]; ok {
			if f, ok := decodeFailure(enc); ok {
				ms.LastError, ms.ErrorKind, ms.ErrorAt, ms.Failures = f.Error, MirrorErrorKind(f.Kind), f.At, f.Failures
			}
		}
		out = append(out, ms)
	}
	return out, nil
}
