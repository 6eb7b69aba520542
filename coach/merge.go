package coach

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/playbook"
)

// proposalKey identifies what a proposal changes, so that two readers'
// proposals of the same change are merged.
func proposalKey(p Proposal) string {
	switch p.Kind {
	case ProposeCheck:
		return "check " + p.Item
	case ProposeAddContact, ProposeEditContact:
		if p.ContactID > 0 {
			return "contact #" + strconv.Itoa(p.ContactID)
		}
		return "contact " + strings.ToLower(strings.TrimSpace(p.Name))
	case ProposeBookMeeting:
		return "meeting " + p.At.UTC().Format(time.RFC3339)
	case ProposeMoveMeeting, ProposeCancelMeeting:
		return "meeting #" + strconv.Itoa(p.Meeting)
	case ProposeWon, ProposeLost:
		return "status"
	case ProposeInfo:
		return "info " + p.Field
	}
	return p.Kind
}

// MergeProposals checks the model's proposals against the playbook, the
// deal and the note, and appends the valid ones that the rules did not
// already make, marked as the model's. Unknown ids, roles and attitudes,
// impossible dates and values, meetings that do not exist and evidence
// that is not in the note are dropped.
func MergeProposals(pb *playbook.Playbook, d *Deal, in ReadInput, rules, model []Proposal) []Proposal {
	out := slices.Clone(rules)
	seen := map[string]bool{}
	for _, p := range rules {
		seen[proposalKey(p)] = true
	}
	note := squash(in.Text)
	for _, p := range model {
		p.Source = SourceModel
		p.Evidence = strings.TrimSpace(p.Evidence)
		if p.Evidence == "" || !strings.Contains(note, squash(p.Evidence)) || utf8.RuneCountInString(p.Evidence) > MaxTextLen {
			continue
		}
		if !validModelProposal(pb, d, in, &p) {
			continue
		}
		k := proposalKey(p)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

func squash(s string) string { return strings.Join(strings.Fields(strings.ToLower(fold(s))), " ") }

func validModelProposal(pb *playbook.Playbook, d *Deal, in ReadInput, p *Proposal) bool {
	now := in.Now
	valid := func(v string, list []string) bool { return v == "" || slices.Contains(list, v) }
	switch p.Kind {
	case ProposeCheck:
		it, ok := pb.Item(p.Item)
		if !ok || d.IsChecked(it.ID) {
			return false
		}
		p.Item = it.ID
	case ProposeAddContact, ProposeEditContact:
		p.Name = strings.TrimSpace(p.Name)
		if p.Name == "" || utf8.RuneCountInString(p.Name) > MaxNameLen || utf8.RuneCountInString(p.Title) > MaxNameLen ||
			!valid(p.Role, StakeholderRoles) || !valid(p.Attitude, Attitudes) {
			return false
		}
		if i, ok := matchContact(d, p.Name, "", false); ok {
			ex := d.Stakeholders[i]
			p.Kind, p.ContactID, p.Name = ProposeEditContact, ex.ID, ex.Name
			if p.Role == ex.Role {
				p.Role = ""
			}
			if p.Attitude == ex.Attitude {
				p.Attitude = ""
			}
			if p.Title == ex.Title {
				p.Title = ""
			}
			return p.Role != "" || p.Attitude != "" || p.Title != ""
		}
		p.Kind, p.ContactID = ProposeAddContact, 0
	case ProposeBookMeeting:
		if !p.At.After(now) || p.At.After(now.AddDate(2, 0, 0)) || dup(d, p.At) ||
			utf8.RuneCountInString(p.Place) > MaxNameLen || utf8.RuneCountInString(p.Topic) > MaxNameLen {
			return false
		}
	case ProposeMoveMeeting, ProposeCancelMeeting:
		i := slices.IndexFunc(d.Meetings, func(m Meeting) bool { return m.ID == p.Meeting })
		if i < 0 || d.Meetings[i].StatusAt(now) != MeetingBooked && !d.Meetings[i].Overdue(now) {
			return false
		}
		if p.Kind == ProposeMoveMeeting && (!p.At.After(now) || p.At.After(now.AddDate(2, 0, 0)) || p.At.Equal(d.Meetings[i].At)) {
			return false
		}
	case ProposeValue:
		if p.Value <= 0 || p.Value > 1e13 || p.Value == d.Value {
			return false
		}
		p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
		if p.Currency != "" && !isUpperAlpha(p.Currency) || len(p.Currency) > 3 {
			return false
		}
	case ProposeCloseDate:
		t, err := time.ParseInLocation("2006-01-02", p.Date, now.Location())
		if err != nil || !ValidDate(p.Date) || t.Before(midnight(now)) || t.After(now.AddDate(5, 0, 0)) || p.Date == d.CloseDate {
			return false
		}
	case ProposeBuyerStage:
		if p.Stage < 1 || p.Stage > len(pb.Stages) || p.Stage <= d.BuyerStage {
			return false
		}
	case ProposeWon, ProposeLost:
		if !d.Open() || utf8.RuneCountInString(p.Reason) > MaxTextLen || utf8.RuneCountInString(p.Competitor) > MaxNameLen {
			return false
		}
	case ProposeInfo:
		if !infoKnown(pb, p.Field) || strings.TrimSpace(p.Text) == "" || utf8.RuneCountInString(p.Text) > MaxTextLen || d.Info[p.Field] == p.Text {
			return false
		}
	default:
		return false
	}
	return true
}

// infoKnown reports whether key is a full information field key.
func infoKnown(pb *playbook.Playbook, key string) bool {
	parts := strings.SplitN(key, ".", 3)
	if len(parts) != 3 {
		return false
	}
	ig, ok := pb.InfoGroup(parts[0] + "." + parts[1])
	if !ok {
		return false
	}
	return slices.ContainsFunc(ig.Fields, func(x playbook.Field) bool { return x.Key == parts[2] })
}

// InfoKeys lists every information field key of the playbook.
func InfoKeys(pb *playbook.Playbook) []string {
	var out []string
	for _, st := range pb.Stages {
		for _, g := range st.Info {
			for _, f := range g.Fields {
				out = append(out, playbook.InfoKey(g.ID, f.Key))
			}
		}
	}
	return out
}
