package coach

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CodeFutureDate: {field} {value} is a date after today where one that has
// happened is needed (a won deal's date).
const CodeFutureDate = "future_date"

// WinInput is a request to mark a deal won.
type WinInput struct {
	// Confirm records the win even though the deal has not reached the
	// last stage (the contract milestone): an override, kept in the
	// history and counted on the scorecard.
	Confirm bool
	// Value is the final value (0: keep the deal's value).
	Value int64
	// Date is the day it was won, YYYY-MM-DD, not after today ("" : today).
	// It becomes the deal's close date.
	Date string
}

// WinResult is the outcome of Win.
type WinResult struct {
	Change
	// NeedsConfirm: the deal has not reached the last stage and Confirm was
	// not given; nothing was changed. Reached and Missing say why.
	NeedsConfirm bool
	// Override: the win was recorded below the last stage (confirmed).
	Override bool
	// Reached is the deal's reached stage when asked.
	Reached int
	// Missing are the items between the deal and a win by the method: the
	// next step's open items, then the last stage's unticked milestones.
	Missing []string
}

// Win marks a deal won. A deal that has not reached the last stage (s8.m1,
// the contract, counting) is only marked won with Confirm; without it
// nothing changes and the result lists what is missing. A lost deal must
// be reopened first. Marking a won deal won again only updates the value
// and date given.
func (s *Service) Win(ctx context.Context, a Actor, team *Team, ref string, in WinInput) (WinResult, error) {
	if in.Value < 0 {
		return WinResult{}, Errf(CodeBadValue, "field", "value", "value", strconv.FormatInt(in.Value, 10), "expected", "value>=0")
	}
	if in.Date != "" {
		if err := checkDate("date", in.Date); err != nil {
			return WinResult{}, err
		}
		if in.Date > s.today(team) {
			return WinResult{}, Errf(CodeFutureDate, "field", "date", "value", in.Date)
		}
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return WinResult{}, err
	}
	var res WinResult
	ch, err := s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		res = WinResult{}
		if d.Status == StatusLost {
			return nil, Errf(CodeDealClosed, "deal", d.ID, "status", string(d.Status))
		}
		var evs []Event
		newlyWon := d.Status != StatusWon
		if newlyWon {
			p := Evaluate(s.Playbook, d)
			last := len(s.Playbook.Stages)
			res.Reached = p.Reached
			if p.Reached < last {
				res.Missing = winMissing(s, d, p)
				if !in.Confirm {
					res.NeedsConfirm = true
					return nil, nil
				}
				res.Override = true
			}
			evs = append(evs, Event{Kind: "status", Field: "status", Before: string(d.Status), After: string(StatusWon)})
			if res.Override {
				evs = append(evs, Event{Kind: "override", Field: "won", After: "stage " + strconv.Itoa(p.Reached)})
			}
			d.Status, d.LostReason, d.Competitor = StatusWon, "", ""
			d.WonOverride = res.Override
			d.ClosedAt = now
		}
		if in.Value > 0 && in.Value != d.Value {
			evs = append(evs, Event{Kind: "edit", Field: "value", Before: strconv.FormatInt(d.Value, 10), After: strconv.FormatInt(in.Value, 10)})
			d.Value = in.Value
		}
		date := in.Date
		if date == "" && newlyWon {
			date = now.In(Location(team, "")).Format("2006-01-02")
		}
		if date != "" && date != d.CloseDate {
			evs = append(evs, Event{Kind: "edit", Field: "close", Before: d.CloseDate, After: date})
			d.CloseDate = date
		}
		return evs, nil
	})
	if err != nil {
		return WinResult{}, err
	}
	res.Change = ch
	return res, nil
}

// winMissing lists what stands between d and the last stage: the next
// step's open items, then the last stage's unticked milestones.
func winMissing(s *Service, d *Deal, p Progress) []string {
	out := append([]string(nil), p.Missing...)
	last := s.Playbook.Stage(len(s.Playbook.Stages))
	for _, it := range last.Milestone {
		if !d.IsChecked(it.ID) && !slices.Contains(out, it.ID) {
			out = append(out, it.ID)
		}
	}
	return out
}

// Lose marks a deal lost with a reason and, optionally, the competitor who
// won it. A won deal must be reopened first; a lost deal keeps its status
// and gets the new reason or competitor.
func (s *Service) Lose(ctx context.Context, a Actor, team *Team, ref, reason, competitor string) (Change, error) {
	reason, competitor = strings.TrimSpace(reason), strings.TrimSpace(competitor)
	if reason == "" {
		return Change{}, Errf(CodeMissingArg, "arg", "reason")
	}
	if err := checkLen("reason", reason, MaxTextLen); err != nil {
		return Change{}, err
	}
	if err := checkLen("competitor", competitor, MaxNameLen); err != nil {
		return Change{}, err
	}
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if d.Status == StatusWon {
			return nil, Errf(CodeDealClosed, "deal", d.ID, "status", string(d.Status))
		}
		var evs []Event
		if d.Status != StatusLost {
			evs = append(evs, Event{Kind: "status", Field: "status", Before: string(d.Status), After: string(StatusLost) + ": " + reason})
			d.Status, d.ClosedAt, d.WonOverride = StatusLost, now, false
		} else if reason != d.LostReason {
			evs = append(evs, Event{Kind: "edit", Field: "lost_reason", Before: d.LostReason, After: reason})
		}
		d.LostReason = reason
		if competitor != "" && competitor != d.Competitor {
			evs = append(evs, Event{Kind: "edit", Field: "competitor", Before: d.Competitor, After: competitor})
			d.Competitor = competitor
		}
		return evs, nil
	})
}

// Reopen puts a won or lost deal back to open. The reason, competitor and
// override of the closing stay in the history only.
func (s *Service) Reopen(ctx context.Context, a Actor, team *Team, ref string) (Change, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Change{}, err
	}
	return s.updateDeal(ctx, a, team, d, func(d *Deal, now time.Time) ([]Event, error) {
		if d.Open() {
			return nil, nil
		}
		ev := Event{Kind: "status", Field: "status", Before: string(d.Status), After: string(StatusOpen)}
		d.Status, d.LostReason, d.Competitor, d.WonOverride = StatusOpen, "", "", false
		d.ClosedAt = time.Time{}
		d.LastProgressAt = now
		return []Event{ev}, nil
	})
}

// SetStatus marks a deal won (confirmed: see Win), lost with a reason (see
// Lose) or open again (see Reopen).
func (s *Service) SetStatus(ctx context.Context, a Actor, team *Team, ref string, st Status, reason string) (Change, error) {
	switch st {
	case StatusWon:
		res, err := s.Win(ctx, a, team, ref, WinInput{Confirm: true})
		return res.Change, err
	case StatusLost:
		return s.Lose(ctx, a, team, ref, reason, "")
	case StatusOpen:
		return s.Reopen(ctx, a, team, ref)
	}
	return Change{}, Errf(CodeBadValue, "field", "status", "value", string(st), "expected", "open|won|lost")
}

// today is the current day in the team's timezone, YYYY-MM-DD.
func (s *Service) today(team *Team) string {
	return s.now().In(Location(team, "")).Format("2006-01-02")
}
