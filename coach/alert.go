package coach

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Manager alerts (opt-in per team, `team alerts on`): when a deal worth at
// least the team's threshold slips its close date or turns
// consider_giving_up, the owner's manager hears of it at once, within
// their working hours. Outside them nothing is sent at once; the hourly
// Jobs.Alerts run sends what the immediate path could not (it compares the
// deals with the week's snapshot), so a slip at night reaches the manager
// the next working morning. Each alert is sent once (a send marker per
// deal, kind and new close date).

// DefaultAlertThreshold is the deal value from which alerts are sent when
// the team sets none.
const DefaultAlertThreshold = 100_000

// alertMarkTTL keeps an alert's send marker long enough that the hourly
// catch-up never repeats it within a snapshot's week.
const alertMarkTTL = 30 * 24 * time.Hour

// AlertSettings are a team's manager-alert settings.
type AlertSettings struct {
	On bool `json:"on,omitempty"`
	// Threshold is the smallest deal value that alerts (0: the default).
	Threshold int64 `json:"threshold,omitempty"`
}

// Min is the smallest deal value that alerts.
func (a AlertSettings) Min() int64 {
	if a.Threshold > 0 {
		return a.Threshold
	}
	return DefaultAlertThreshold
}

// Alert kinds.
const (
	AlertSlipped = "slipped" // the close date moved later
	AlertGiveUp  = "give_up" // the buyer sync turned consider_giving_up
)

// AlertNotice tells a manager about one deal of a report.
type AlertNotice struct {
	Team *Team
	To   string // the owner's manager
	Kind string // AlertSlipped, AlertGiveUp
	Deal *Deal  // after the change
	// OldClose and NewClose: the close dates before and after (slipped).
	OldClose, NewClose string
	Sync               SyncResult // after the change (give_up)
}

// AlertNotifier delivers manager alerts; the bot implements it. An error
// means the alert was not delivered.
type AlertNotifier interface {
	Alert(ctx context.Context, n AlertNotice) error
}

// DealAlerts decides which alerts a change of a deal triggers: none unless
// the team has alerts on, the deal is open, worth at least the threshold,
// and its owner has a manager in the team.
func DealAlerts(pb *playbook.Playbook, team *Team, before, after *Deal) []AlertNotice {
	if team == nil || !team.Alerts.On || before == nil || after == nil || !after.Open() || after.Value < team.Alerts.Min() {
		return nil
	}
	owner, ok := team.Members[after.Owner]
	if !ok || owner.Manager == "" {
		return nil
	}
	if _, ok := team.Members[owner.Manager]; !ok {
		return nil
	}
	var out []AlertNotice
	if before.CloseDate != "" && after.CloseDate > before.CloseDate {
		out = append(out, AlertNotice{Team: team, To: owner.Manager, Kind: AlertSlipped, Deal: after, OldClose: before.CloseDate, NewClose: after.CloseDate})
	}
	was := BuyerSync(Evaluate(pb, before), before.BuyerStage)
	now := BuyerSync(Evaluate(pb, after), after.BuyerStage)
	if was.Verdict != SyncConsiderGivingUp && now.Verdict == SyncConsiderGivingUp {
		out = append(out, AlertNotice{Team: team, To: owner.Manager, Kind: AlertGiveUp, Deal: after, Sync: now})
	}
	return out
}

func alertKey(n AlertNotice) string {
	return fmt.Sprintf("alert:%s:%s:%s:%s", n.Team.ID, n.Deal.ID, n.Kind, n.NewClose)
}

// sendAlerts sends the alerts due now (within each manager's working
// hours), once each; failures are logged and retried by Jobs.Alerts.
func (s *Service) sendAlerts(ctx context.Context, alerts []AlertNotice, now time.Time) (sent int) {
	if s.Alerts == nil {
		return 0
	}
	for _, n := range alerts {
		if !WorkingHours(now, Location(n.Team, n.To)) {
			continue
		}
		key := alertKey(n)
		first, err := s.store.SeenEvent(ctx, key, alertMarkTTL)
		if err != nil {
			s.Log.Warn("alert marker", "team", n.Team.ID, "deal", n.Deal.ID, "err", err)
			continue
		}
		if !first {
			continue
		}
		if err := s.Alerts.Alert(ctx, n); err != nil {
			s.Log.Warn("alert send failed", "team", n.Team.ID, "deal", n.Deal.ID, "kind", n.Kind, "err", err)
			if ferr := s.store.ForgetEvent(context.WithoutCancel(ctx), key); ferr != nil {
				s.Log.Error("alert: forget marker after failed send", "key", key, "err", ferr)
			}
			continue
		}
		sent++
	}
	return sent
}

// afterChange runs what follows a stored deal change: manager alerts.
func (s *Service) afterChange(ctx context.Context, team *Team, c Change) {
	if s.Alerts == nil || team == nil || !team.Alerts.On {
		return
	}
	s.sendAlerts(ctx, DealAlerts(s.Playbook, team, c.Before, c.After), c.After.UpdatedAt)
}

// SetAlerts turns the team's manager alerts on or off; threshold > 0 sets
// the smallest deal value that alerts (0 keeps it). Managers and admins
// only (CodeForbidden); a negative threshold is CodeBadValue.
func (s *Service) SetAlerts(ctx context.Context, a Actor, on bool, threshold int64) (*Team, error) {
	if threshold < 0 {
		return nil, Errf(CodeBadValue, "field", "threshold", "value", strconv.FormatInt(threshold, 10), "expected", "an amount ≥ 0")
	}
	return s.updateTeam(ctx, a.Team, func(t *Team) error {
		m, ok := t.Members[a.User]
		if !ok || (m.Role != RoleAdmin && m.Role != RoleManager) {
			return Errf(CodeForbidden, "action", "team alerts")
		}
		t.Alerts.On = on
		if threshold > 0 {
			t.Alerts.Threshold = threshold
		}
		return nil
	})
}

// Alerts is the hourly catch-up of manager alerts: for each team with
// alerts on, the deals are compared with the week's snapshot (the latest
// one) and every alert not sent yet goes out within the manager's working
// hours. An alert sent at once by the change itself is not repeated.
func (j *Jobs) Alerts(ctx context.Context, now time.Time) (JobResult, error) {
	return j.forEachTeam(ctx, "alerts", shortLockTTL, func(t *Team, res *JobResult) error {
		if !t.Alerts.On || j.Service.Alerts == nil {
			return nil
		}
		snap, err := j.Service.store.GetSnapshot(ctx, t.ID, SnapshotWeek(t, now))
		if err != nil {
			snap, err = j.Service.store.SnapshotBefore(ctx, t.ID, SnapshotWeek(t, now))
		}
		if err != nil {
			return nil // no baseline yet (ErrNotFound) or a store failure: the next run retries
		}
		deals, err := j.Service.store.ListDeals(ctx, t.ID)
		if err != nil {
			return fmt.Errorf("team %s: list deals: %w", t.ID, err)
		}
		was := make(map[string]*SnapshotDeal, len(snap.Deals))
		for i := range snap.Deals {
			was[snap.Deals[i].ID] = &snap.Deals[i]
		}
		var due []AlertNotice
		for _, d := range deals {
			sd, ok := was[d.ID]
			if !ok || !d.Open() || d.Value < t.Alerts.Min() {
				continue
			}
			// The snapshot keeps the close date and the sync verdict, not
			// the checklist: "before" has no buyer stage, so its verdict is
			// unknown and the snapshot's verdict decides instead.
			before := &Deal{ID: d.ID, Owner: d.Owner, Value: sd.Value, CloseDate: sd.Close, Status: StatusOpen}
			for _, a := range DealAlerts(j.Service.Playbook, t, before, d) {
				if a.Kind == AlertGiveUp && sd.Sync == SyncConsiderGivingUp {
					continue
				}
				due = append(due, a)
			}
		}
		res.Sent += j.Service.sendAlerts(ctx, due, now)
		return nil
	})
}
