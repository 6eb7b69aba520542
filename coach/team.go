package coach

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"
)

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
	Alerts AlertSettings `json:"alerts,omitzero"`
	// LLMOff turns the language model off for the team's notes.
	LLMOff bool `json:"llm_off,omitempty"`
	// Mirror holds the team's own mirror targets (mirror_team.go).
	Mirror    MirrorSettings `json:"mirror,omitzero"`
	CreatedAt time.Time      `json:"created_at"`
	Version   int64          `json:"version"`

	pre *prefetch // a deal read with the team for this request (teamdeal.go)
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

// SetMemberRole changes a member's role; only admins may.
func (s *Service) SetMemberRole(ctx context.Context, a Actor, user, role string) (*Team, error) {
	if !slices.Contains([]string{RoleAdmin, RoleManager, RoleRep}, role) {
		return nil, Errf(CodeBadValue, "field", "role", "value", role, "expected", "admin|manager|rep")
	}
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		if err := t.requireAdmin(a.User, "team role"); err != nil {
			return err
		}
		m, ok := t.Members[user]
		if !ok {
			return Errf(CodeUnknownMember, "user", user).WithSuggestions(memberIDs(t)...)
		}
		if m.Role == RoleAdmin && role != RoleAdmin && adminCount(t) == 1 {
			return Errf(CodeForbidden, "action", "team role (last admin)")
		}
		m.Role = role
		return nil
	})
}

// SetReportsTo sets user's manager ("-" or "" clears it); admins only.
func (s *Service) SetReportsTo(ctx context.Context, a Actor, user, manager string) (*Team, error) {
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		if err := t.requireAdmin(a.User, "team reports"); err != nil {
			return err
		}
		m, ok := t.Members[user]
		if !ok {
			return Errf(CodeUnknownMember, "user", user).WithSuggestions(memberIDs(t)...)
		}
		if manager == "" || manager == "-" {
			m.Manager = ""
			return nil
		}
		if _, ok := t.Members[manager]; !ok {
			return Errf(CodeUnknownMember, "user", manager).WithSuggestions(memberIDs(t)...)
		}
		if manager == user || t.Reports(user)[manager] {
			return Errf(CodeBadValue, "field", "manager", "value", manager, "expected", "not a report of "+user)
		}
		m.Manager = manager
		return nil
	})
}

// SetLang sets the actor's language ("" = team default).
func (s *Service) SetLang(ctx context.Context, a Actor, lang string) (*Team, error) {
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		m, ok := t.Members[a.User]
		if !ok {
			return Errf(CodeUnknownMember, "user", a.User)
		}
		m.Lang = lang
		return nil
	})
}

// SetTeamLang sets the team's default language; admins only.
func (s *Service) SetTeamLang(ctx context.Context, a Actor, lang string) (*Team, error) {
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		if err := t.requireAdmin(a.User, "team lang"); err != nil {
			return err
		}
		t.Lang = lang
		return nil
	})
}

func memberIDs(t *Team) []string {
	var ids []string
	for id := range t.Members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func adminCount(t *Team) int {
	n := 0
	for _, m := range t.Members {
		if m.Role == RoleAdmin {
			n++
		}
	}
	return n
}

// requireAdmin refuses action unless user is an admin of the team.
func (t *Team) requireAdmin(user, action string) error {
	if me := t.Members[user]; me == nil || me.Role != RoleAdmin {
		return Errf(CodeForbidden, "action", action)
	}
	return nil
}

// SeesOthers reports whether user sees deals of others (managers their
// reports', admins everyone's), so views may show a team section.
func (t *Team) SeesOthers(user string) bool {
	m := t.Members[user]
	return m != nil && m.Role != RoleRep
}

// Digest schedule defaults: Monday 09:00 in the team's timezone (UTC when
// the team has none).
const (
	DefaultDigestWeekday = 1
	DefaultDigestTime    = "09:00"
	DefaultTimezone      = "UTC"
)

// Zone is the team's IANA timezone name, DefaultTimezone when unset.
func (t *Team) Zone() string {
	if t.Timezone == "" {
		return DefaultTimezone
	}
	return t.Timezone
}

// DigestSchedule is when the team's weekly digest goes out, defaults
// filled in: weekday 1 (Monday) … 7 (Sunday), "HH:MM" and the timezone.
// It is the one place the defaults live.
func (t *Team) DigestSchedule() (weekday int, clock, zone string) {
	weekday, clock = t.DigestWeekday, t.DigestTime
	if weekday < 1 || weekday > 7 {
		weekday = DefaultDigestWeekday
	}
	if _, _, ok := ParseClock(clock); !ok {
		clock = DefaultDigestTime
	}
	return weekday, clock, t.Zone()
}

// SetTimezone sets the team's timezone (an IANA zone); admins only.
func (s *Service) SetTimezone(ctx context.Context, a Actor, zone string) (*Team, error) {
	if err := validZone(zone); err != nil || zone == "" {
		return nil, Errf(CodeBadValue, "field", "tz", "value", zone, "expected", "Asia/Shanghai, Europe/Berlin, UTC")
	}
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		if err := t.requireAdmin(a.User, "team tz"); err != nil {
			return err
		}
		t.Timezone = zone
		return nil
	})
}

// SetDigestSchedule sets when the weekly digest goes out: weekday 1
// (Monday) … 7 (Sunday), clock "HH:MM" ("" = DefaultDigestTime) and,
// when zone is not "", the team's timezone. Admins only.
func (s *Service) SetDigestSchedule(ctx context.Context, a Actor, weekday int, clock, zone string) (*Team, error) {
	if weekday < 1 || weekday > 7 {
		return nil, Errf(CodeBadValue, "field", "weekday", "value", strconv.Itoa(weekday), "expected", "mon|tue|wed|thu|fri|sat|sun")
	}
	if clock == "" {
		clock = DefaultDigestTime
	}
	h, m, ok := ParseClock(clock)
	if !ok {
		return nil, Errf(CodeBadValue, "field", "time", "value", clock, "expected", "HH:MM")
	}
	if zone != "" {
		if err := validZone(zone); err != nil {
			return nil, Errf(CodeBadValue, "field", "tz", "value", zone, "expected", "Asia/Shanghai, Europe/Berlin, UTC")
		}
	}
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		if err := t.requireAdmin(a.User, "team digest"); err != nil {
			return err
		}
		t.DigestWeekday = weekday
		t.DigestTime = fmt.Sprintf("%02d:%02d", h, m)
		if zone != "" {
			t.Timezone = zone
		}
		return nil
	})
}

func validZone(zone string) error {
	_, err := time.LoadLocation(zone)
	return err
}

// TeamIDs lists the ids of every team in the store (for operators'
// commands such as export; not a chat command).
func (s *Service) TeamIDs(ctx context.Context) ([]string, error) {
	ids, err := s.store.Teams(ctx)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return ids, nil
}
