package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/bolt"
	"github.com/stagecoach/stagecoach/storage/mirror/webhook"
)

const secret = "s3cret-s3cret-s3cret"

// receiver is a webhook endpoint that checks signatures and records events.
type receiver struct {
	mu     sync.Mutex
	events []webhook.Event
	status atomic.Int32 // reply status; 0 = 204
	bad    atomic.Int32 // requests with a bad signature or header
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !webhook.Verify(secret, body, r.Header.Get("X-Stagecoach-Signature")) || r.Header.Get("Content-Type") != "application/json" {
		rc.bad.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if st := rc.status.Load(); st != 0 {
		if st == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(int(st))
		return
	}
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != r.Header.Get("X-Stagecoach-Event-Id") {
		rc.bad.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.events = append(rc.events, ev)
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) got() []webhook.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]webhook.Event(nil), rc.events...)
}

func change(id string, v int64) coach.MirrorChange {
	d := &coach.Deal{Team: "T1", ID: "D-1", Name: "Acme", Version: v}
	return coach.MirrorChange{ID: id, Type: coach.MirrorUpdated, Team: "T1", Deal: d, At: time.Unix(1700000000, 0), Row: coach.MirrorRow{DealID: "D-1", Name: "Acme"}}
}

func TestSend(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	wh := webhook.New(srv.URL, secret, nil, nil)
	team := &coach.Team{ID: "T1"}
	tests := []struct {
		name      string
		status    int
		wantN     int
		wantKind  coach.MirrorErrorKind
		wantRetry time.Duration
	}{
		{"2xx acknowledges", 0, 2, "", 0},
		{"5xx is retried", http.StatusBadGateway, 0, coach.MirrorTransient, 0},
		{"429 honours Retry-After", http.StatusTooManyRequests, 0, coach.MirrorRateLimit, 7 * time.Second},
		{"redirects are not followed", http.StatusFound, 0, coach.MirrorTransient, 0},
		{"404 is retried", http.StatusNotFound, 0, coach.MirrorTransient, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc.status.Store(int32(tt.status))
			n, err := wh.Send(context.Background(), team, []coach.MirrorChange{change("evt_1", 1), change("evt_2", 2)})
			if n != tt.wantN {
				t.Fatalf("delivered %d, want %d (err %v)", n, tt.wantN, err)
			}
			if tt.wantKind == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var me *coach.MirrorError
			if !errors.As(err, &me) || me.Kind != tt.wantKind || me.RetryAfter != tt.wantRetry {
				t.Fatalf("err %v, want kind %s retry %v", err, tt.wantKind, tt.wantRetry)
			}
		})
	}
	if rc.bad.Load() != 0 {
		t.Fatalf("%d requests with a bad signature", rc.bad.Load())
	}
	got := rc.got()
	if len(got) != 2 || got[0].ID != "evt_1" || got[1].Deal.Version != 2 || got[0].Row.DealID != "D-1" || got[0].Changes == nil {
		t.Fatalf("events %+v", got)
	}
}

func TestWrongSecretIsConfigError(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	_, err := webhook.New(srv.URL, "another-secret-value", nil, nil).Send(context.Background(), &coach.Team{ID: "T1"}, []coach.MirrorChange{change("evt_1", 1)})
	var me *coach.MirrorError
	if !errors.As(err, &me) || me.Kind != coach.MirrorConfig {
		t.Fatalf("err %v, want a config error", err)
	}
}

func TestTeamWebhookOverridesDefault(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	team := &coach.Team{ID: "T1", Mirror: coach.MirrorSettings{WebhookURL: srv.URL, WebhookSecret: secret}}
	// By default a team's webhook may not reach internal addresses (the
	// receiver here is on loopback).
	_, err := webhook.New("", "", nil, nil).Send(context.Background(), team, []coach.MirrorChange{change("evt_8", 1)})
	var me *coach.MirrorError
	if !errors.As(err, &me) || me.Kind != coach.MirrorConfig || !strings.Contains(err.Error(), "not public") {
		t.Fatalf("team webhook to loopback: %v, want a config error", err)
	}
	if len(rc.got()) != 0 {
		t.Fatal("the loopback receiver was reached")
	}
	wh := webhook.New("", "", nil, webhook.NewClient(0)) // as with STAGECOACH_WEBHOOK_ALLOW_PRIVATE
	if wh.Enabled(&coach.Team{ID: "T1"}) {
		t.Fatal("enabled without any URL")
	}
	if !wh.Enabled(team) {
		t.Fatal("the team's webhook is not used")
	}
	if n, err := wh.Send(context.Background(), team, []coach.MirrorChange{change("evt_9", 1)}); n != 1 || err != nil {
		t.Fatalf("send = %d, %v", n, err)
	}
}

// TestThroughOutage: deals created and ticked through the service while
// the receiver fails; after it recovers every change arrives once, in
// order.
func TestThroughOutage(t *testing.T) {
	rc := &receiver{}
	rc.status.Store(http.StatusServiceUnavailable)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	svc := coach.NewService(st, playbook.Default(), clock, nil)
	team := &coach.Team{ID: "T1", Platform: "console", Members: map[string]*coach.Member{"ann": {ID: "ann", Role: coach.RoleAdmin}}}
	if err := st.PutTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	m := coach.NewMirror(st, playbook.Default(), []coach.MirrorTarget{webhook.New(srv.URL, secret, nil, nil)}, clock, slog.New(slog.DiscardHandler))
	m.DrainAll(ctx) // subscribe
	a := coach.Actor{Team: "T1", User: "ann"}
	d, err := svc.CreateDeal(ctx, a, team, coach.NewDeal{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Tick(ctx, a, team, d.ID, []string{"s1.m1"}, nil); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m.DrainAll(ctx)
		now = now.Add(10 * time.Minute)
	}
	if len(rc.got()) != 0 {
		t.Fatal("delivered while the receiver fails")
	}
	rc.status.Store(0)
	for range 5 {
		m.DrainAll(ctx)
		now = now.Add(10 * time.Minute)
	}
	got := rc.got()
	if len(got) != 2 || got[0].Type != coach.MirrorCreated || got[1].Type != coach.MirrorUpdated || got[1].Changes[0].Field != "s1.m1" {
		t.Fatalf("events after recovery: %+v", got)
	}
	if got[0].ID == got[1].ID {
		t.Fatal("two changes share an event id")
	}
}
