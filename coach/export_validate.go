package coach

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// ValidateExport checks an export document against the playbook and the
// model's rules and returns every problem found, each at its JSON path.
func ValidateExport(pb *playbook.Playbook, e *TeamExport) []Problem {
	v := &exportValidator{pb: pb}
	if e.Format != ExportFormat {
		v.add("$.format", "%q is not %q", e.Format, ExportFormat)
	}
	if e.Team == nil {
		v.add("$.team", "missing")
		return v.probs
	}
	v.team(e.Team)
	ids := map[string]int{}
	for i := range e.Deals {
		v.deal(fmt.Sprintf("$.deals[%d]", i), e.Team, e.Deals[i], ids)
	}
	cids := map[string]int{}
	for i, c := range e.Cases {
		p := fmt.Sprintf("$.cases[%d]", i)
		if c == nil {
			v.add(p, "missing")
			continue
		}
		if n, ok := NormalizeCaseID(c.ID); !ok || n != c.ID {
			v.add(p+".id", "%q is not a case id (C-1, C-2, …)", c.ID)
		} else if j, dup := cids[c.ID]; dup {
			v.add(p+".id", "%s is also $.cases[%d]", c.ID, j)
		} else {
			cids[c.ID] = i
		}
		if c.Team != e.Team.ID {
			v.add(p+".team", "%q is not the team %q", c.Team, e.Team.ID)
		}
		if strings.TrimSpace(c.Title) == "" {
			v.add(p+".title", "missing")
		}
		if len(c.Tags) > MaxCaseTags {
			v.add(p+".tags", "%d tags, at most %d", len(c.Tags), MaxCaseTags)
		}
	}
	if len(e.Cases) > MaxCases {
		v.add("$.cases", "%d cases, at most %d", len(e.Cases), MaxCases)
	}
	return v.probs
}

type exportValidator struct {
	pb    *playbook.Playbook
	probs []Problem
}

func (v *exportValidator) add(path, format string, args ...any) {
	v.probs = append(v.probs, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *exportValidator) text(path, s string, max int, required bool) {
	if required && strings.TrimSpace(s) == "" {
		v.add(path, "missing")
	}
	if n := len([]rune(s)); n > max {
		v.add(path, "%d characters, at most %d", n, max)
	}
}

func (v *exportValidator) team(t *Team) {
	if t.ID == "" {
		v.add("$.team.id", "missing")
	}
	if t.Version < 1 {
		v.add("$.team.version", "%d, must be 1 or more", t.Version)
	}
	if len(t.Members) == 0 {
		v.add("$.team.members", "a team has at least one member")
	}
	for _, id := range sortedMemberIDs(t) {
		m := t.Members[id]
		p := "$.team.members." + id
		if m == nil {
			v.add(p, "missing")
			continue
		}
		if m.ID != id {
			v.add(p+".id", "%q differs from its key %q", m.ID, id)
		}
		if !slices.Contains([]string{RoleAdmin, RoleManager, RoleRep}, m.Role) {
			v.add(p+".role", "%q is not admin, manager or rep", m.Role)
		}
		if m.Manager != "" && t.Members[m.Manager] == nil {
			v.add(p+".manager", "%q is not a member", m.Manager)
		}
		v.lang(p+".lang", m.Lang)
		v.zone(p+".timezone", m.Timezone)
	}
	v.lang("$.team.lang", t.Lang)
	v.zone("$.team.timezone", t.Timezone)
	if t.DigestWeekday < 0 || t.DigestWeekday > 7 {
		v.add("$.team.digest_weekday", "%d is not 0–7", t.DigestWeekday)
	}
	if t.DigestTime != "" {
		if _, _, ok := ParseClock(t.DigestTime); !ok {
			v.add("$.team.digest_time", "%q is not HH:MM", t.DigestTime)
		}
	}
	for st, d := range t.StallDays {
		if v.pb.Stage(st) == nil || d <= 0 {
			v.add(fmt.Sprintf("$.team.stall_days.%d", st), "stage 1–%d and days > 0 expected, got %d days", len(v.pb.Stages), d)
		}
	}
	if t.PrepLeadHours < 0 {
		v.add("$.team.prep_lead_hours", "%d is negative", t.PrepLeadHours)
	}
}

func sortedMemberIDs(t *Team) []string {
	ids := make([]string, 0, len(t.Members))
	for id := range t.Members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (v *exportValidator) lang(path, l string) {
	if l != "" && l != string(playbook.ZH) && l != string(playbook.EN) {
		v.add(path, "%q is not zh or en", l)
	}
}

func (v *exportValidator) zone(path, z string) {
	if z == "" {
		return
	}
	if _, err := time.LoadLocation(z); err != nil {
		v.add(path, "%q is not a timezone", z)
	}
}

func (v *exportValidator) deal(p string, t *Team, de DealDump, ids map[string]int) {
	d := de.Deal
	if d == nil {
		v.add(p, "missing")
		return
	}
	if n, ok := NormalizeDealID(d.ID); !ok || n != d.ID {
		v.add(p+".id", "%q is not a deal id (D-1, D-2, …)", d.ID)
	} else if j, dup := ids[d.ID]; dup {
		v.add(p+".id", "%s is also $.deals[%d]", d.ID, j)
	} else {
		ids[d.ID] = len(ids)
	}
	if d.Team != t.ID {
		v.add(p+".team", "%q is not the team %q", d.Team, t.ID)
	}
	if t.Members[d.Owner] == nil {
		v.add(p+".owner", "%q is not a member", d.Owner)
	}
	v.text(p+".name", d.Name, MaxNameLen, true)
	v.text(p+".customer", d.Customer, MaxNameLen, false)
	v.text(p+".industry", d.Industry, MaxNameLen, false)
	v.text(p+".lost_reason", d.LostReason, MaxTextLen, false)
	v.text(p+".competitor", d.Competitor, MaxNameLen, false)
	if d.Value < 0 {
		v.add(p+".value", "%d is negative", d.Value)
	}
	if d.CloseDate != "" {
		if err := checkDate("close", d.CloseDate); err != nil {
			v.add(p+".close_date", "%q is not a day YYYY-MM-DD", d.CloseDate)
		}
	}
	switch d.Status {
	case StatusOpen, StatusWon, StatusLost:
	default:
		v.add(p+".status", "%q is not open, won or lost", d.Status)
	}
	if d.BuyerStage < 0 || d.BuyerStage > len(v.pb.Stages) {
		v.add(p+".buyer_stage", "%d is not 0–%d", d.BuyerStage, len(v.pb.Stages))
	}
	if d.Version < 1 {
		v.add(p+".version", "%d, must be 1 or more", d.Version)
	}
	if d.CreatedAt.IsZero() {
		v.add(p+".created_at", "missing")
	}
	for _, id := range sortedKeysOf(d.Checked) {
		if it, ok := v.pb.Item(id); !ok || it.ID != id {
			v.add(p+".checked."+id, "not a checklist item of the playbook")
		}
	}
	if len(d.Info) > MaxInfoFields {
		v.add(p+".info", "%d fields, at most %d", len(d.Info), MaxInfoFields)
	}
	for _, k := range sortedKeysOf(d.Info) {
		if !v.infoKey(k) {
			v.add(p+".info."+k, "not an information field of the playbook")
		}
		v.text(p+".info."+k, d.Info[k], MaxTextLen, false)
	}
	for _, id := range sortedKeysOf(d.Forms) {
		tool, ok := v.pb.Tool(id)
		switch {
		case !ok || tool.ID != id:
			v.add(p+".forms."+id, "not a tool of the playbook")
			continue
		case tool.Log:
			v.add(p+".forms."+id, "%s is a log: its entries belong in logs", id)
		}
		v.formValues(p+".forms."+id, tool, d.Forms[id])
	}
	contacts := map[int]bool{}
	for i, s := range d.Stakeholders {
		sp := fmt.Sprintf("%s.stakeholders[%d]", p, i)
		if s.ID < 1 || contacts[s.ID] {
			v.add(sp+".id", "%d is not a new number ≥ 1", s.ID)
		}
		contacts[s.ID] = true
		v.text(sp+".name", s.Name, MaxNameLen, true)
		in := StakeholderInput{Role: &s.Role, Attitude: &s.Attitude, Influence: &s.Influence, Level: &s.Level, Title: &s.Title, Notes: &s.Notes}
		if err := in.validate(); err != nil {
			if ce, ok := AsError(err); ok {
				v.add(sp+"."+ce.Params["field"], "%q is not valid: expected %s", ce.Params["value"], ce.Params["expected"])
			} else {
				v.add(sp, "%v", err)
			}
		}
	}
	if len(d.Stakeholders) > MaxStakeholders {
		v.add(p+".stakeholders", "%d contacts, at most %d", len(d.Stakeholders), MaxStakeholders)
	}
	for _, id := range sortedKeysOf(d.Logs) {
		lp := p + ".logs." + id
		tool, ok := v.pb.Tool(id)
		if !ok || tool.ID != id || !tool.Log {
			v.add(lp, "not a log tool of the playbook")
			continue
		}
		if len(d.Logs[id]) > MaxLogEntries {
			v.add(lp, "%d entries, at most %d", len(d.Logs[id]), MaxLogEntries)
		}
		seen := map[int]bool{}
		for i, e := range d.Logs[id] {
			ep := fmt.Sprintf("%s[%d]", lp, i)
			if e.N < 1 || seen[e.N] {
				v.add(ep+".n", "%d is not a new number ≥ 1", e.N)
			}
			seen[e.N] = true
			if e.Contact != 0 && !contacts[e.Contact] {
				v.add(ep+".contact", "%d is not a contact of the deal", e.Contact)
			}
			if len(e.Values) == 0 {
				v.add(ep+".values", "an entry says something")
			}
			v.formValues(ep+".values", tool, e.Values)
		}
	}
	for _, id := range sortedKeysOf(d.LogSeq) {
		if tool, ok := v.pb.Tool(id); !ok || tool.ID != id || !tool.Log || d.LogSeq[id] < 0 {
			v.add(p+".log_seq."+id, "not a log tool with a number ≥ 0")
		}
	}
	meetings := map[int]bool{}
	for i, m := range d.Meetings {
		mp := fmt.Sprintf("%s.meetings[%d]", p, i)
		if m.ID < 1 || meetings[m.ID] {
			v.add(mp+".id", "%d is not a new number ≥ 1", m.ID)
		}
		meetings[m.ID] = true
		if m.At.IsZero() {
			v.add(mp+".at", "missing")
		}
		switch m.Status {
		case "", MeetingBooked, MeetingHeld, MeetingCancelled:
		default:
			v.add(mp+".status", "%q is not booked, held or cancelled", m.Status)
		}
		v.text(mp+".place", m.Place, MaxNameLen, false)
		v.text(mp+".topic", m.Topic, MaxTextLen, false)
		v.text(mp+".outcome", m.Outcome, MaxTextLen, false)
		v.text(mp+".next", m.Next, MaxTextLen, false)
	}
	if len(d.Meetings) > MaxMeetings {
		v.add(p+".meetings", "%d meetings, at most %d", len(d.Meetings), MaxMeetings)
	}
	for i, n := range d.Notes {
		v.text(fmt.Sprintf("%s.notes[%d].text", p, i), n.Text, MaxTextLen, true)
	}
	if len(d.Notes) > MaxNotes {
		v.add(p+".notes", "%d notes, at most %d", len(d.Notes), MaxNotes)
	}
	for i, e := range de.History {
		hp := fmt.Sprintf("%s.history[%d]", p, i)
		if e.Team != t.ID {
			v.add(hp+".team", "%q is not the team %q", e.Team, t.ID)
		}
		if e.Deal != d.ID {
			v.add(hp+".deal", "%q is not the deal %q", e.Deal, d.ID)
		}
		if e.Kind == "" {
			v.add(hp+".kind", "missing")
		}
		if e.At.IsZero() {
			v.add(hp+".at", "missing")
		}
	}
}

// infoKey reports whether k is a full information field key "sN.iK.key".
func (v *exportValidator) infoKey(k string) bool {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return false
	}
	g, ok := v.pb.InfoGroup(k[:i])
	if !ok || g.ID != k[:i] {
		return false
	}
	return slices.ContainsFunc(g.Fields, func(f playbook.Field) bool { return f.Key == k[i+1:] })
}

func (v *exportValidator) formValues(p string, tool *playbook.Tool, vals map[string]string) {
	for _, k := range sortedKeysOf(vals) {
		i := slices.IndexFunc(tool.Fields, func(f playbook.Field) bool { return f.Key == k })
		if i < 0 {
			v.add(p+"."+k, "not a field of %s", tool.ID)
			continue
		}
		nv, err := NormalizeFormValue(tool.Fields[i], vals[k])
		if err != nil || nv != vals[k] {
			v.add(p+"."+k, "%q is not a stored %s value", vals[k], typeName(tool.Fields[i]))
		}
	}
}

func typeName(f playbook.Field) string {
	switch f.Type {
	case "choice":
		return "choice (" + strings.Join(f.Choices, "|") + ")"
	case "":
		return "text"
	}
	return f.Type
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
