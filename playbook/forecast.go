package playbook

import (
	"regexp"
	"slices"
	"strings"
)

// Forecast says which reached stages count as commit and best case in the
// pipeline figures of digests and forecasts. Win probabilities come from
// each stage's WinProbability.
type Forecast struct {
	// CommitStage: an open deal whose reached stage is at least this
	// counts as commit (default DefaultCommitStage).
	CommitStage int `yaml:"commit_stage" json:"commit_stage"`
	// BestCaseStage: an open deal whose reached stage is at least this
	// counts as best case; commit deals are part of the best case
	// (default DefaultBestCaseStage).
	BestCaseStage int    `yaml:"best_case_stage" json:"best_case_stage"`
	Source        string `yaml:"source" json:"source"`
	Line          int    `yaml:"-" json:"-"`
}

// Default forecast stages, used when a playbook has no forecast section:
// commit from stage 6 (project evaluation: the customer compares a few
// bids), best case from stage 4 (the demo is held and the buying criteria
// are being set). [DRAFTED]
const (
	DefaultCommitStage   = 6
	DefaultBestCaseStage = 4
)

// Commit is the first reached stage that counts as commit.
func (p *Playbook) Commit() int {
	if p.Forecast.CommitStage > 0 {
		return p.Forecast.CommitStage
	}
	return min(DefaultCommitStage, len(p.Stages))
}

// BestCase is the first reached stage that counts as best case.
func (p *Playbook) BestCase() int {
	if p.Forecast.BestCaseStage > 0 {
		return p.Forecast.BestCaseStage
	}
	return min(DefaultBestCaseStage, p.Commit())
}

// FocusRule maps a place where deals stall to the technique a manager
// should coach (the coaching focus of a rep in the weekly digest). A deal
// that needs attention matches the first rule, in file order, whose
// conditions all hold:
//   - Stage: the deal's active stage (the one being worked on) is Stage;
//   - Missing: at least one of these items is still open in that stage
//     (empty: any);
//   - BuyerFrom: the customer's buying stage is at least BuyerFrom and
//     ahead of our reached stage (0: not a condition);
//   - Flag: the deal carries this flag (one of FocusFlags; "": any).
//
// A rule needs Stage, BuyerFrom or Flag.
type FocusRule struct {
	ID         string   `yaml:"id" json:"id"` // "f.<name>"
	Flag       string   `yaml:"flag,omitempty" json:"flag,omitempty"`
	Stage      int      `yaml:"stage,omitempty" json:"stage,omitempty"`
	Missing    []string `yaml:"missing,omitempty" json:"missing,omitempty"`
	BuyerFrom  int      `yaml:"buyer_from,omitempty" json:"buyer_from,omitempty"`
	Techniques []string `yaml:"techniques" json:"techniques"` // technique ids to coach, most important first
	Source     string   `yaml:"source" json:"source"`
	Line       int      `yaml:"-" json:"-"`
}

var focusIDRE = regexp.MustCompile(`^f\.[a-z0-9]+(_[a-z0-9]+)*$`)

// FocusFlags are the deal flags a focus rule may name: the stall rules'
// flag codes (coach keeps its codes and this list in step with a test).
var FocusFlags = []string{"stalled", "catch_up", "consider_giving_up", "close_passed", "no_decision_maker", "no_supporter", "success_overdue"}

// validateForecast checks the forecast section and the focus rules.
func (v *validator) validateForecast(p *Playbook) {
	f := &p.Forecast
	n := len(p.Stages)
	if f.CommitStage != 0 && (f.CommitStage < 1 || f.CommitStage > n) {
		v.errorf(v.pos.at(f, "commit_stage"), "forecast: commit_stage %d is not a stage (1..%d)", f.CommitStage, n)
	}
	if f.BestCaseStage != 0 && (f.BestCaseStage < 1 || f.BestCaseStage > n) {
		v.errorf(v.pos.at(f, "best_case_stage"), "forecast: best_case_stage %d is not a stage (1..%d)", f.BestCaseStage, n)
	}
	if f.CommitStage > 0 && f.BestCaseStage > f.CommitStage {
		v.errorf(v.pos.at(f, "best_case_stage"), "forecast: best_case_stage %d is after commit_stage %d (commit is part of the best case)", f.BestCaseStage, f.CommitStage)
	}
	if f.CommitStage != 0 || f.BestCaseStage != 0 || f.Source != "" {
		v.source(f, f.Source, "forecast")
	}
	seen := map[string]int{}
	for i := range p.Focus {
		r := &p.Focus[i]
		line := v.pos.at(r, "id")
		who := r.ID
		if who == "" {
			who = "focus rule"
		}
		switch {
		case !focusIDRE.MatchString(r.ID):
			v.errorf(line, "malformed focus rule id %q (want f.<name>, e.g. f.meeting)", r.ID)
		case seen[r.ID] > 0:
			v.errorf(line, "duplicate focus rule %s (first defined at line %d)", r.ID, seen[r.ID])
		default:
			seen[r.ID] = max(line, 1)
		}
		if r.Stage == 0 && r.BuyerFrom == 0 && r.Flag == "" {
			v.errorf(line, "%s: needs stage, buyer_from or flag", who)
		}
		if r.Flag != "" && !slices.Contains(FocusFlags, r.Flag) {
			v.errorf(v.pos.at(r, "flag"), "%s: flag %q is not one of %s", who, r.Flag, strings.Join(FocusFlags, ", "))
		}
		if r.Stage < 0 || r.Stage > n {
			v.errorf(v.pos.at(r, "stage"), "%s: stage %d is not a stage (1..%d)", who, r.Stage, n)
		}
		if r.BuyerFrom < 0 || r.BuyerFrom > n {
			v.errorf(v.pos.at(r, "buyer_from"), "%s: buyer_from %d is not a buying stage (1..%d)", who, r.BuyerFrom, n)
		}
		for _, id := range r.Missing {
			m := stagePartRE.FindStringSubmatch(id)
			_, known := v.ids[id]
			switch {
			case m == nil || !known || (m[2] != "m" && m[2] != "s"):
				v.errorf(v.pos.at(r, "missing"), "%s: missing: %q is not a milestone or success item", who, id)
			case r.Stage > 0 && StageOf(id) != r.Stage:
				v.errorf(v.pos.at(r, "missing"), "%s: missing: %s is not an item of stage %d", who, id, r.Stage)
			}
		}
		if len(r.Techniques) == 0 {
			v.errorf(v.pos.at(r, "techniques"), "%s: no techniques to coach", who)
		}
		for _, t := range r.Techniques {
			if !v.techs[t] {
				v.errorf(v.pos.at(r, "techniques"), "%s: techniques: unknown technique %q", who, t)
			}
		}
		v.source(r, r.Source, who)
	}
}

// FocusFor returns the first focus rule matching a deal that needs
// attention: its flags, its active stage, the items still open there, the
// customer's buying stage and our reached stage. ok is false when none
// matches.
func (p *Playbook) FocusFor(flags []string, active int, open []string, buyer, reached int) (FocusRule, bool) {
	for _, r := range p.Focus {
		if r.Flag != "" && !slices.Contains(flags, r.Flag) {
			continue
		}
		if r.Stage > 0 && r.Stage != active {
			continue
		}
		if r.BuyerFrom > 0 && (buyer < r.BuyerFrom || buyer <= reached) {
			continue
		}
		if len(r.Missing) > 0 && !anyIn(r.Missing, open) {
			continue
		}
		return r, true
	}
	return FocusRule{}, false
}

func anyIn(want, have []string) bool {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(w, h) {
				return true
			}
		}
	}
	return false
}
