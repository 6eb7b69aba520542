// Package coach is the domain of Stagecoach: deals, the honest stage engine,
// buyer sync, history, teams and permissions, guided questioning, pre-call
// prep, nudges and digests. It knows nothing of chat platforms, Redis or
// cron: storage comes in through Store, time through Now.
package coach

import (
	"maps"
	"time"
)

// Status of a deal.
type Status string

// Deal statuses.
const (
	StatusOpen Status = "open"
	StatusWon  Status = "won"
	StatusLost Status = "lost"
)

// Stakeholder roles, attitudes and influence levels.
const (
	RoleDecisionMaker   = "decision-maker"
	RoleHandler         = "handler"
	RoleInfluencer      = "influencer"
	RoleUser            = "user"
	RolePurchasingGroup = "purchasing-group"
	RoleOther           = "other"

	AttitudeSupporter = "supporter"
	AttitudeNeutral   = "neutral"
	AttitudeOpponent  = "opponent"

	InfluenceHigh   = "high"
	InfluenceMedium = "medium"
	InfluenceLow    = "low"
)

// StakeholderRoles lists the valid stakeholder roles in display order.
var StakeholderRoles = []string{RoleDecisionMaker, RoleHandler, RoleInfluencer, RoleUser, RolePurchasingGroup, RoleOther}

// Attitudes lists the valid attitudes.
var Attitudes = []string{AttitudeSupporter, AttitudeNeutral, AttitudeOpponent}

// Influences lists the valid influence levels.
var Influences = []string{InfluenceHigh, InfluenceMedium, InfluenceLow}

// Check records who ticked a checklist item and when.
type Check struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Stakeholder is a person on the customer side.
type Stakeholder struct {
	ID        int    `json:"id"` // 1, 2, … within the deal; stable
	Name      string `json:"name"`
	Title     string `json:"title,omitempty"`
	Role      string `json:"role,omitempty"`
	Attitude  string `json:"attitude,omitempty"`
	Influence string `json:"influence,omitempty"`
	Level     int    `json:"level,omitempty"` // relationship level 1..3 (L1..L3), 0 unknown
	Notes     string `json:"notes,omitempty"`
}

// Meeting is a booked, held or cancelled meeting with the customer (see
// coach/meetings.go for its lifecycle).
type Meeting struct {
	ID    int       `json:"id"`
	At    time.Time `json:"at"`
	Place string    `json:"place,omitempty"`
	Topic string    `json:"topic,omitempty"`
	By    string    `json:"by"`
	// Status is MeetingBooked, MeetingHeld or MeetingCancelled; empty on
	// meetings stored before it existed (read through StatusAt).
	Status  string `json:"status,omitempty"`
	Outcome string `json:"outcome,omitempty"` // what came of a held meeting
	Next    string `json:"next,omitempty"`    // the agreed next step
}

// Note is a free-text note on a deal.
type Note struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Deal is one sales opportunity. Deals are versioned: a store only accepts
// an update whose Version equals the stored one (optimistic concurrency).
type Deal struct {
	Team       string `json:"team"`
	ID         string `json:"id"` // "D-1", unique per team, assigned by the store
	Owner      string `json:"owner"`
	Name       string `json:"name"`
	Customer   string `json:"customer,omitempty"`
	Industry   string `json:"industry,omitempty"`
	Value      int64  `json:"value,omitempty"` // whole currency units
	Currency   string `json:"currency,omitempty"`
	CloseDate  string `json:"close_date,omitempty"` // YYYY-MM-DD
	Status     Status `json:"status"`
	LostReason string `json:"lost_reason,omitempty"`
	Competitor string `json:"competitor,omitempty"` // who won a lost deal, if known
	// WonOverride: the deal was marked won (confirmed) before reaching the
	// last stage.
	WonOverride bool              `json:"won_override,omitempty"`
	BuyerStage  int               `json:"buyer_stage"` // the customer's buying stage 0..8 (0 unknown)
	Checked     map[string]Check  `json:"checked,omitempty"`
	Info        map[string]string `json:"info,omitempty"` // "s1.i1.size" → value
	// Forms holds the spec's tools (sN.tK) filled for this deal: tool id →
	// field key → value.
	Forms map[string]map[string]string `json:"forms,omitempty"`
	// Logs holds the entries of log-type tools (playbook Tool.Log): tool
	// id → entries by number.
	Logs map[string][]LogEntry `json:"logs,omitempty"`
	// LogSeq is the last entry number given per log tool, so a removed
	// entry's number is never given again.
	LogSeq       map[string]int `json:"log_seq,omitempty"`
	Stakeholders []Stakeholder  `json:"stakeholders,omitempty"`
	Meetings     []Meeting      `json:"meetings,omitempty"`
	Notes        []Note         `json:"notes,omitempty"`

	// Nudge state (see nudge rules): no nudges before SnoozedUntil; none at all when Muted.
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	Muted        bool      `json:"muted,omitempty"`

	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	LastProgressAt time.Time `json:"last_progress_at"` // last checklist progress (or creation)
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	Version        int64     `json:"version"`
	// CreateToken is the request token of the delivery that created the
	// deal (CreateDeal), so running that delivery again finds this deal
	// instead of creating a second one. Empty outside a delivery.
	CreateToken string `json:"create_token,omitempty"`
}

// Open reports whether the deal is still being worked.
func (d *Deal) Open() bool { return d.Status == StatusOpen || d.Status == "" }

// IsChecked reports whether a checklist item is ticked.
func (d *Deal) IsChecked(id string) bool {
	_, ok := d.Checked[id]
	return ok
}

// NextMeeting returns the first booked meeting at or after now, if any
// (held and cancelled meetings are not ahead of anyone).
func (d *Deal) NextMeeting(now time.Time) (Meeting, bool) {
	var best Meeting
	found := false
	for _, m := range d.Meetings {
		if m.Status != MeetingHeld && m.Status != MeetingCancelled && !m.At.Before(now) && (!found || m.At.Before(best.At)) {
			best, found = m, true
		}
	}
	return best, found
}

// Clone returns a deep copy, so an update function can change a deal
// without touching the caller's copy.
func (d *Deal) Clone() *Deal {
	c := *d
	if d.Checked != nil {
		c.Checked = make(map[string]Check, len(d.Checked))
		for k, v := range d.Checked {
			c.Checked[k] = v
		}
	}
	if d.Info != nil {
		c.Info = make(map[string]string, len(d.Info))
		for k, v := range d.Info {
			c.Info[k] = v
		}
	}
	if d.Forms != nil {
		c.Forms = make(map[string]map[string]string, len(d.Forms))
		for k, f := range d.Forms {
			m := make(map[string]string, len(f))
			for fk, fv := range f {
				m[fk] = fv
			}
			c.Forms[k] = m
		}
	}
	if d.Logs != nil {
		c.Logs = make(map[string][]LogEntry, len(d.Logs))
		for k, es := range d.Logs {
			cp := make([]LogEntry, len(es))
			for i, e := range es {
				e.Values = maps.Clone(e.Values)
				cp[i] = e
			}
			c.Logs[k] = cp
		}
	}
	c.LogSeq = maps.Clone(d.LogSeq)
	c.Stakeholders = append([]Stakeholder(nil), d.Stakeholders...)
	c.Meetings = append([]Meeting(nil), d.Meetings...)
	c.Notes = append([]Note(nil), d.Notes...)
	return &c
}

// Event is one entry of a deal's history. Every change to a deal is
// written together with at least one event, atomically.
type Event struct {
	Team   string    `json:"team"`
	Deal   string    `json:"deal"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Kind   string    `json:"kind"`            // "create", "check", "uncheck", "buyer", "info", "contact", "meet", "note", "status", "form", "session", …
	Field  string    `json:"field,omitempty"` // item id, info key, field name…
	Before string    `json:"before,omitempty"`
	After  string    `json:"after,omitempty"`
}
