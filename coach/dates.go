package coach

import (
	"context"
	"strings"
	"time"
)

// CodeNoSuchDay: {field} {value} has the form YYYY-MM-DD but no such day
// exists (2027-02-30).
const CodeNoSuchDay = "no_such_day"

// checkDate validates a YYYY-MM-DD date: CodeBadValue for another form,
// CodeNoSuchDay for a day the calendar does not have.
func checkDate(field, v string) error {
	if !dateRE.MatchString(v) {
		return Errf(CodeBadValue, "field", field, "value", v, "expected", "YYYY-MM-DD")
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return Errf(CodeNoSuchDay, "field", field, "value", v)
	}
	return nil
}

// Warning codes: something worth a second look that is not refused
// (translation keys "warn.<code>").
const (
	// WarnClosePast: the open deal's close date {date} is before today.
	WarnClosePast = "close_past"
	// WarnDuplicateName: other deals the user sees are called {name}
	// ({deals}: their ids).
	WarnDuplicateName = "duplicate_name"
)

// Warning is a remark on a change that was made but may be a mistake.
type Warning struct {
	Code   string
	Params map[string]string
}

// DealWarnings returns the warnings on deal d as just created or edited:
// an open deal's close date in the past, other visible deals with the same
// name (case-insensitive).
func (s *Service) DealWarnings(ctx context.Context, a Actor, team *Team, d *Deal) ([]Warning, error) {
	var out []Warning
	if d.Open() && d.CloseDate != "" && d.CloseDate < s.today(team) {
		out = append(out, Warning{Code: WarnClosePast, Params: map[string]string{"date": d.CloseDate}})
	}
	deals, err := s.Visible(ctx, a, team)
	if err != nil {
		return nil, err
	}
	var dups []string
	for _, x := range deals {
		if x.ID != d.ID && strings.EqualFold(strings.TrimSpace(x.Name), strings.TrimSpace(d.Name)) {
			dups = append(dups, x.ID)
		}
	}
	if len(dups) > 0 {
		out = append(out, Warning{Code: WarnDuplicateName, Params: map[string]string{"name": d.Name, "deals": strings.Join(dups, ", ")}})
	}
	return out, nil
}
