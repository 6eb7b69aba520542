package coach

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// DealExport is one deal as `export json` writes it: everything a deal
// holds, with role and attitude values as the coach constants.
type DealExport struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Customer       string            `json:"customer"`
	Owner          string            `json:"owner"`
	Status         string            `json:"status"`
	Value          int64             `json:"value"`
	Close          string            `json:"close"` // YYYY-MM-DD or ""
	BuyerStage     int               `json:"buyer_stage"`
	StageReached   int               `json:"stage_reached"`
	StageCompleted int               `json:"stage_completed"`
	Checked        []string          `json:"checked"` // item ids, in playbook order
	Contacts       []ContactExport   `json:"contacts"`
	Meetings       []MeetingExport   `json:"meetings"`
	Info           map[string]string `json:"info"`
	Notes          []NoteExport      `json:"notes"`
}

// ContactExport is a stakeholder in an export.
type ContactExport struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	Attitude  string `json:"attitude"`
	Influence string `json:"influence"`
	Title     string `json:"title"`
}

// MeetingExport is a meeting in an export; At is RFC 3339 in the team's
// timezone.
type MeetingExport struct {
	ID     int    `json:"id"`
	At     string `json:"at"`
	Place  string `json:"place"`
	Topic  string `json:"topic"`
	Status string `json:"status"`
}

// NoteExport is a note in an export.
type NoteExport struct {
	At   string `json:"at"`
	By   string `json:"by"`
	Text string `json:"text"`
}

// ExportDeal builds the export view of d; times are given in loc, meeting
// statuses as of now.
func ExportDeal(pb *playbook.Playbook, d *Deal, loc *time.Location, now time.Time) DealExport {
	if loc == nil {
		loc = time.UTC
	}
	p := Evaluate(pb, d)
	out := DealExport{ID: d.ID, Name: d.Name, Customer: d.Customer, Owner: d.Owner, Status: string(d.Status), Value: d.Value, Close: d.CloseDate,
		BuyerStage: d.BuyerStage, StageReached: p.Reached, StageCompleted: p.Completed,
		Checked: []string{}, Contacts: []ContactExport{}, Meetings: []MeetingExport{}, Info: map[string]string{}, Notes: []NoteExport{}}
	if out.Status == "" {
		out.Status = string(StatusOpen)
	}
	for id := range d.Checked {
		out.Checked = append(out.Checked, id)
	}
	slices.SortFunc(out.Checked, func(a, b string) int { return itemOrder(a) - itemOrder(b) })
	for _, s := range d.Stakeholders {
		out.Contacts = append(out.Contacts, ContactExport{Name: s.Name, Role: s.Role, Attitude: s.Attitude, Influence: s.Influence, Title: s.Title})
	}
	ms := slices.Clone(d.Meetings)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].At.Before(ms[j].At) })
	for _, m := range ms {
		out.Meetings = append(out.Meetings, MeetingExport{ID: m.ID, At: m.At.In(loc).Format(time.RFC3339), Place: m.Place, Topic: m.Topic, Status: m.StatusAt(now)})
	}
	for k, v := range d.Info {
		out.Info[k] = v
	}
	for _, n := range d.Notes {
		out.Notes = append(out.Notes, NoteExport{At: n.At.In(loc).Format(time.RFC3339), By: n.By, Text: n.Text})
	}
	return out
}

// Export returns the export view of every deal the actor may see.
func (s *Service) Export(ctx context.Context, a Actor, team *Team) ([]DealExport, error) {
	deals, err := s.Visible(ctx, a, team)
	if err != nil {
		return nil, err
	}
	loc, now := TeamLocation(team), s.now()
	out := make([]DealExport, 0, len(deals))
	for _, d := range deals {
		out = append(out, ExportDeal(s.Playbook, d, loc, now))
	}
	return out, nil
}
