package coach

import "github.com/stagecoach/stagecoach/playbook"

// What each session kind records (see sessionOutcome): the information
// fields it fills and the items it can tick. A session fits a deal while
// something it records is still open.
var sessionRecords = map[string]struct{ info, items []string }{
	SessionNeeds:   {info: []string{"s2.i2.causes", "s2.i2.impact", "s2.i2.conditions"}, items: []string{"s2.s1"}},
	SessionBudget:  {info: []string{"s2.i2.budget_range"}},
	SessionProcess: {info: []string{"s2.i1.decision_process", "s2.i1.key_people", "s2.i2.schedule"}, items: []string{"s2.s3"}},
}

// FitSessions returns the session kinds that fit the deal now, best
// first: the phone invitation while the first visit is still to be won
// (active stage 0–1), need discovery at stage 2, and budget and buying
// process probing wherever what they record is still open. It never
// returns an empty list for an open deal: when nothing is open, need
// discovery is the session that always helps.
func FitSessions(pb *playbook.Playbook, d *Deal) []string {
	p := Evaluate(pb, d)
	open := func(kind string) bool {
		rec := sessionRecords[kind]
		for _, k := range rec.info {
			if d.Info[k] == "" && hasInfo(pb, k) {
				return true
			}
		}
		for _, id := range rec.items {
			if _, ok := pb.Item(id); ok && !d.IsChecked(id) {
				return true
			}
		}
		return false
	}
	var out []string
	switch {
	case p.Active <= 1 && p.Completed == 0:
		out = append(out, SessionPhone)
	case p.Active == 2:
		out = append(out, SessionNeeds)
	}
	if p.Active >= 2 {
		for _, k := range []string{SessionBudget, SessionProcess} {
			if open(k) {
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, SessionNeeds)
	}
	return out
}

// hasInfo reports whether the playbook defines the info field "sN.iK.key"
// (a team's own playbook may not).
func hasInfo(pb *playbook.Playbook, full string) bool {
	for _, st := range pb.Stages {
		for _, g := range st.Info {
			for _, f := range g.Fields {
				if playbook.InfoKey(g.ID, f.Key) == full {
					return true
				}
			}
		}
	}
	return false
}
