package coach

import "time"

// Member roles within a team.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleRep     = "rep"
)

// Member is a person in a team.
type Member struct {
	ID       string    `json:"id"`
	Name     string    `json:"name,omitempty"`
	Role     string    `json:"role"`              // RoleAdmin, RoleManager, RoleRep
	Manager  string    `json:"manager,omitempty"` // member id of their manager
	Lang     string    `json:"lang,omitempty"`    // "zh", "en" or "" (team default)
	Timezone string    `json:"timezone,omitempty"`
	JoinedAt time.Time `json:"joined_at"`
}

// Team is a tenant: a Slack workspace, a Lark tenant, or the console's
// local team. Teams are versioned like deals.
type Team struct {
	ID       string             `json:"id"`
	Name     string             `json:"name,omitempty"`
	Platform string             `json:"platform,omitempty"`
	Lang     string             `json:"lang,omitempty"`     // default language of the team
	Timezone string             `json:"timezone,omitempty"` // IANA zone; "" = UTC
	Members  map[string]*Member `json:"members"`
	// StallDays overrides the playbook's per-stage stall threshold: stage
	// number → days.
	StallDays map[int]int `json:"stall_days,omitempty"`
	// Weekly digest schedule in the team's timezone.
	DigestWeekday int    `json:"digest_weekday,omitempty"` // time.Weekday; 0 means the default (Monday)
	DigestTime    string `json:"digest_time,omitempty"`    // "HH:MM", default "09:00"
	// PrepLeadHours is how long before a meeting pre-call prep is sent (default 24).
	PrepLeadHours int `json:"prep_lead_hours,omitempty"`
	// Alerts are the manager alerts (alert.go).
	Alerts    AlertSettings `json:"alerts,omitzero"`
	CreatedAt time.Time     `json:"created_at"`
	Version   int64         `json:"version"`
}

// Clone returns a deep copy.
func (t *Team) Clone() *Team {
	c := *t
	c.Members = make(map[string]*Member, len(t.Members))
	for k, m := range t.Members {
		mm := *m
		c.Members[k] = &mm
	}
	if t.StallDays != nil {
		c.StallDays = make(map[int]int, len(t.StallDays))
		for k, v := range t.StallDays {
			c.StallDays[k] = v
		}
	}
	return &c
}

// Reports returns the ids of everyone who reports to manager, directly or
// through other managers.
func (t *Team) Reports(manager string) map[string]bool {
	out := map[string]bool{}
	var walk func(string)
	walk = func(m string) {
		for id, mem := range t.Members {
			if mem.Manager == m && !out[id] && id != manager {
				out[id] = true
				walk(id)
			}
		}
	}
	walk(manager)
	return out
}

// CanSee reports whether user may see and change deals owned by owner: a
// rep only their own, a manager also their reports', an admin all.
func (t *Team) CanSee(user, owner string) bool {
	if user == owner {
		return true
	}
	m, ok := t.Members[user]
	if !ok {
		return false
	}
	switch m.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return t.Reports(user)[owner]
	}
	return false
}

// Case is a reference case of a team's library (spec case.1–6).
type Case struct {
	Team       string    `json:"team"`
	ID         string    `json:"id"` // "C-1"
	Title      string    `json:"title"`
	Industry   string    `json:"industry,omitempty"`
	Background string    `json:"background,omitempty"` // case.1
	Problem    string    `json:"problem,omitempty"`    // case.2
	Cause      string    `json:"cause,omitempty"`      // case.3
	Measures   string    `json:"measures,omitempty"`   // case.4
	Solution   string    `json:"solution,omitempty"`   // case.5
	Result     string    `json:"result,omitempty"`     // case.6
	Tags       []string  `json:"tags,omitempty"`
	By         string    `json:"by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Session is a guided questioning session, one per rep and deal.
type Session struct {
	Team  string `json:"team"`
	User  string `json:"user"`
	Deal  string `json:"deal"`
	Kind  string `json:"kind"` // "needs", "phone", "budget", "process"
	Step  int    `json:"step"` // index of the current step
	Phase string `json:"phase"`
	// Points recorded per step key (e.g. "nd.1" → the customer's answers).
	Points     map[string][]string `json:"points,omitempty"`
	Confirmed  map[string]bool     `json:"confirmed,omitempty"`
	Transcript []string            `json:"transcript,omitempty"`
	// Data is free-form state of a session kind.
	Data      map[string]string `json:"data,omitempty"`
	StartedAt time.Time         `json:"started_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}
