// Package webhook is the generic mirror target: every deal change is
// POSTed as one signed JSON event to a URL (n8n, Zapier, a CRM bridge, your
// own service).
//
// The request:
//
//	POST <url>
//	Content-Type: application/json
//	X-Stagecoach-Event-Id: evt_…            (also "id" in the body; dedupe on it)
//	X-Stagecoach-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>
//
//	{"type":"deal.updated","id":"evt_…","at":"2026-12-01T10:00:00Z","team":"T1",
//	 "resync":false,"deal":{…the full deal…},"row":{…computed fields…},"changes":[…events…]}
//
// Any 2xx acknowledges the event; anything else (3xx included: redirects
// are not followed) is retried with backoff, in order.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// Name is the target's outbox name.
const Name = coach.MirrorTargetWebhook

// Event is the JSON body of one webhook request.
type Event struct {
	Type    string        `json:"type"` // coach.MirrorCreated or coach.MirrorUpdated
	ID      string        `json:"id"`
	At      time.Time     `json:"at"`
	Team    string        `json:"team"`
	Resync  bool          `json:"resync"`
	Deal    *coach.Deal   `json:"deal"`
	Row     Row           `json:"row"`
	Changes []coach.Event `json:"changes"`
}

// Row is coach.MirrorRow with JSON names.
type Row struct {
	DealID         string    `json:"deal_id"`
	Name           string    `json:"name"`
	Customer       string    `json:"customer,omitempty"`
	Owner          string    `json:"owner"`
	StageReached   int       `json:"stage_reached"`
	StageCompleted int       `json:"stage_completed"`
	WinProbability int       `json:"win_probability"`
	Value          int64     `json:"value"`
	Currency       string    `json:"currency,omitempty"`
	WeightedValue  int64     `json:"weighted_value"`
	CloseDate      string    `json:"close_date,omitempty"`
	BuyerStage     int       `json:"buyer_stage"`
	SyncVerdict    string    `json:"sync_verdict"`
	Status         string    `json:"status"`
	NextStep       string    `json:"next_step,omitempty"`
	LastProgressAt time.Time `json:"last_progress_at"`
	Flags          []string  `json:"flags"`
}

// Sign returns the X-Stagecoach-Signature value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret (constant
// time). Receivers written in Go can use it.
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// Target posts changes to the team's webhook (Team.Mirror.WebhookURL),
// else to the default one.
type Target struct {
	url, secret string
	client      *http.Client // for the default URL, set by the operator
	teamClient  *http.Client // for URLs team admins set: see PublicOnly
}

// NewClient returns the HTTP client the target uses by default: bounded
// dial, TLS, header and overall times, and no redirects.
func NewClient(timeout time.Duration) *http.Client { return newClient(timeout, false) }

// NewPublicClient is NewClient that refuses to connect to loopback,
// private, link-local and other non-public addresses (checked on the
// address actually dialled, so a DNS name cannot point it inside): a team
// admin's webhook URL cannot reach the deployment's internal network.
func NewPublicClient(timeout time.Duration) *http.Client { return newClient(timeout, true) }

// errNotPublic is why a team webhook to an internal address is refused.
var errNotPublic = errors.New("address is not public (team webhooks may only reach public addresses)")

func newClient(timeout time.Duration, public bool) *http.Client {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if public {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			ip = ip.Unmap()
			if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
				return errNotPublic
			}
			return nil
		}
	}
	proxy := http.ProxyFromEnvironment
	if public {
		proxy = nil // a proxy would dial for us, past the address check
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 proxy,
			DialContext:           d.DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// New returns the target; url and secret are the default for teams
// without their own ("" = only teams with their own webhook). client
// (nil: NewClient(10 s)) posts to the default URL; teamClient (nil:
// NewPublicClient(10 s)) to the URLs team admins set.
func New(url, secret string, client, teamClient *http.Client) *Target {
	if client == nil {
		client = NewClient(0)
	}
	if teamClient == nil {
		teamClient = NewPublicClient(0)
	}
	return &Target{url: url, secret: secret, client: client, teamClient: teamClient}
}

// Name implements coach.MirrorTarget.
func (w *Target) Name() string { return Name }

func (w *Target) endpoint(t *coach.Team) (string, string, *http.Client) {
	if t != nil && t.Mirror.WebhookURL != "" {
		return t.Mirror.WebhookURL, t.Mirror.WebhookSecret, w.teamClient
	}
	return w.url, w.secret, w.client
}

// Enabled implements coach.MirrorTarget.
func (w *Target) Enabled(t *coach.Team) bool {
	u, s, _ := w.endpoint(t)
	return u != "" && s != ""
}

// NewEvent builds the webhook event of a change.
func NewEvent(c coach.MirrorChange) Event {
	r := c.Row
	ev := Event{
		Type: c.Type, ID: c.ID, At: c.At.UTC(), Team: c.Team, Resync: c.Resync, Deal: c.Deal, Changes: c.Changes,
		Row: Row{
			DealID: r.DealID, Name: r.Name, Customer: r.Customer, Owner: r.Owner,
			StageReached: r.StageReached, StageCompleted: r.StageCompleted, WinProbability: r.WinProbability,
			Value: r.Value, Currency: r.Currency, WeightedValue: r.WeightedValue, CloseDate: r.CloseDate,
			BuyerStage: r.BuyerStage, SyncVerdict: r.SyncVerdict, Status: string(r.Status), NextStep: r.NextStep,
			LastProgressAt: r.LastProgressAt.UTC(), Flags: r.Flags,
		},
	}
	if ev.Changes == nil {
		ev.Changes = []coach.Event{}
	}
	if ev.Row.Flags == nil {
		ev.Row.Flags = []string{}
	}
	return ev
}

// Send implements coach.MirrorTarget: one POST per change, in order,
// stopping at the first one not acknowledged.
func (w *Target) Send(ctx context.Context, t *coach.Team, changes []coach.MirrorChange) (int, error) {
	u, secret, client := w.endpoint(t)
	if u == "" || secret == "" {
		return 0, &coach.MirrorError{Kind: coach.MirrorConfig, Err: errors.New("webhook: no URL or secret configured")}
	}
	for i, c := range changes {
		if err := w.post(ctx, client, u, secret, c); err != nil {
			return i, err
		}
	}
	return len(changes), nil
}

func (w *Target) post(ctx context.Context, client *http.Client, u, secret string, c coach.MirrorChange) error {
	body, err := json.Marshal(NewEvent(c))
	if err != nil {
		return fmt.Errorf("webhook: encode %s: %w", c.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return &coach.MirrorError{Kind: coach.MirrorConfig, Err: fmt.Errorf("webhook: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Stagecoach-Webhook/1")
	req.Header.Set("X-Stagecoach-Event-Id", c.ID)
	req.Header.Set("X-Stagecoach-Signature", Sign(secret, body))
	resp, err := client.Do(req)
	if err != nil {
		kind := coach.MirrorTransient
		if errors.Is(err, errNotPublic) {
			kind = coach.MirrorConfig // the admin must use a public URL
		}
		// The URL (which may carry a token) stays out of the error.
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap()
		}
		return &coach.MirrorError{Kind: kind, Err: fmt.Errorf("webhook: post %s: %w", c.ID, err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	me := &coach.MirrorError{Kind: coach.MirrorTransient, Err: fmt.Errorf("webhook: post %s: HTTP %d", c.ID, resp.StatusCode)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		me.Kind = coach.MirrorRateLimit
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			me.RetryAfter = time.Duration(min(s, 3600)) * time.Second
		}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		// Most likely the receiver's secret differs: the admin must fix it.
		me.Kind = coach.MirrorConfig
	}
	return me
}
