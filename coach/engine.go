package coach

import (
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Progress is where a deal stands in the method (spec g.3–g.5):
//   - stage N is reached when every sN.m* item is checked and stage N−1 is
//     completed (stage 0 counts as completed);
//   - stage N is completed when it is reached and every sN.s* item is checked.
//
// Items ticked out of order are kept, but count only once the earlier
// stages complete: they are listed in Pending.
type Progress struct {
	Reached   int // highest stage reached, 0..8
	Completed int // highest stage completed: Reached or Reached−1
	// Active is the stage being worked on: Reached while it is not yet
	// completed, else the next stage (0 after stage 8 is completed).
	Active int
	// Missing are the unchecked items that the next step needs: the success
	// items of the reached stage while it is not completed, else the
	// milestone items of the next stage.
	Missing []string
	// Pending are checked items that do not count yet because an earlier
	// stage is not completed (or, for success items, their stage is not
	// reached).
	Pending []string
	// WinProbability is the reached stage's default win chance in percent
	// (0 before stage 1 is reached; 100 for a won deal, 0 for a lost one).
	WinProbability int
}

// NextStepIsMilestone reports whether the next step is reaching a stage
// (true) or completing the reached one (false).
func (p Progress) NextStepIsMilestone() bool { return p.Reached == p.Completed }

// Evaluate computes a deal's progress from its checked items. It allocates
// only for the Missing and Pending lists.
func Evaluate(pb *playbook.Playbook, d *Deal) Progress {
	var p Progress
	n := len(pb.Stages)
	for i := 0; i < n; i++ {
		s := &pb.Stages[i]
		if !allChecked(s.Milestone, d.Checked) {
			break
		}
		p.Reached = i + 1
		if !allChecked(s.Success, d.Checked) {
			break
		}
		p.Completed = i + 1
	}
	switch {
	case p.Reached > p.Completed:
		p.Active = p.Reached
		p.Missing = unchecked(pb.Stages[p.Reached-1].Success, d.Checked)
	case p.Completed < n:
		p.Active = p.Completed + 1
		p.Missing = unchecked(pb.Stages[p.Completed].Milestone, d.Checked)
	}
	if len(d.Checked) > 0 {
		// An item counts when its stage is before the active one, or it is
		// in the active stage and either a milestone item or a success item
		// of a reached stage. Relationship items never gate a stage; they
		// are pending only when their stage lies beyond the active one.
		for i := p.Active; i < n && p.Active > 0; i++ {
			s := &pb.Stages[i]
			p.Pending = appendChecked(p.Pending, s.Milestone, d.Checked)
			p.Pending = appendChecked(p.Pending, s.Success, d.Checked)
			p.Pending = appendChecked(p.Pending, s.Relationship, d.Checked)
		}
		if p.Active > 0 && p.Reached < p.Active {
			p.Pending = appendChecked(p.Pending, pb.Stages[p.Active-1].Success, d.Checked)
		}
	}
	switch {
	case d.Status == StatusWon:
		p.WinProbability = 100
	case d.Status == StatusLost:
		p.WinProbability = 0
	case p.Reached > 0:
		p.WinProbability = pb.Stages[p.Reached-1].WinProbability
	}
	return p
}

// Counts reports whether a checked item counts towards the deal's stage
// status now (false: it waits for earlier stages).
func (p Progress) Counts(id string) bool {
	for _, x := range p.Pending {
		if x == id {
			return false
		}
	}
	return true
}

func allChecked(items []playbook.Item, checked map[string]Check) bool {
	for i := range items {
		if _, ok := checked[items[i].ID]; !ok {
			return false
		}
	}
	return true
}

func unchecked(items []playbook.Item, checked map[string]Check) []string {
	var out []string
	for i := range items {
		if _, ok := checked[items[i].ID]; !ok {
			out = append(out, items[i].ID)
		}
	}
	return out
}

func appendChecked(dst []string, items []playbook.Item, checked map[string]Check) []string {
	for i := range items {
		if _, ok := checked[items[i].ID]; ok {
			dst = append(dst, items[i].ID)
		}
	}
	return dst
}

// Sync verdicts comparing the customer's buying stage with ours (spec g.8).
const (
	SyncUnknown          = "unknown" // the buyer stage is not recorded
	SyncInSync           = "in_sync"
	SyncCatchUp          = "catch_up"
	SyncConsiderGivingUp = "consider_giving_up"
	SyncAhead            = "ahead"
)

// SyncResult is a buyer-sync verdict and why.
type SyncResult struct {
	Verdict string
	// Reason is a translation key ("sync.<reason>"); Ours and Buyer fill it.
	Reason string
	Ours   int // our reached stage
	Buyer  int // the customer's buying stage
	Gap    int // Buyer − Ours
}

// BuyerSync compares the customer's buying stage with our reached stage
// (spec g.8): equal → in_sync; customer one ahead → catch_up; customer two
// or more ahead, or at C5+ while our stage 3 is not completed (criteria set
// without us) → consider_giving_up; we ahead → ahead.
func BuyerSync(p Progress, buyer int) SyncResult {
	r := SyncResult{Ours: p.Reached, Buyer: buyer, Gap: buyer - p.Reached}
	switch {
	case buyer <= 0:
		r.Verdict, r.Reason = SyncUnknown, "unknown"
	case buyer >= 5 && p.Completed < 3:
		r.Verdict, r.Reason = SyncConsiderGivingUp, "criteria_without_us"
	case r.Gap >= 2:
		r.Verdict, r.Reason = SyncConsiderGivingUp, "far_behind"
	case r.Gap == 1:
		r.Verdict, r.Reason = SyncCatchUp, "one_behind"
	case r.Gap == 0:
		r.Verdict, r.Reason = SyncInSync, "in_sync"
	default:
		r.Verdict, r.Reason = SyncAhead, "ahead"
	}
	return r
}

// ReachedAt is when stage n's reaching conditions last became true: the
// latest tick among its milestone items and the items of the stages
// before it. Zero when a needed item is not ticked.
func ReachedAt(pb *playbook.Playbook, d *Deal, n int) time.Time {
	var at time.Time
	for i := 1; i <= n && i <= len(pb.Stages); i++ {
		st := pb.Stage(i)
		lists := [][]playbook.Item{st.Milestone}
		if i < n {
			lists = append(lists, st.Success)
		}
		for _, list := range lists {
			for _, it := range list {
				c, ok := d.Checked[it.ID]
				if !ok {
					return time.Time{}
				}
				if c.At.After(at) {
					at = c.At
				}
			}
		}
	}
	return at
}

// CompletedAt is when stage n's completion conditions last became true:
// the latest tick among the milestone and success items of stages 1..n.
// Zero when a needed item is not ticked.
func CompletedAt(pb *playbook.Playbook, d *Deal, n int) time.Time {
	at := ReachedAt(pb, d, n)
	if at.IsZero() || pb.Stage(n) == nil {
		return time.Time{}
	}
	for _, it := range pb.Stage(n).Success {
		c, ok := d.Checked[it.ID]
		if !ok {
			return time.Time{}
		}
		if c.At.After(at) {
			at = c.At
		}
	}
	return at
}
