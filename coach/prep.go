package coach

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/playbook"
)

// Prep is the pre-call preparation for a deal (spec §3.6, prep.1–6, and
// the visit rules vr.1–4): what to aim for in the next call and what the
// deal already knows. BuildPrep fills it; the bot renders it.
type Prep struct {
	Deal     *Deal
	Progress Progress
	// Stage is the stage the call works on: the active stage (the last
	// stage once everything is completed), except that a meeting booked
	// while the deal is in stage 1 is the stage-2 visit (Visit).
	Stage *playbook.Stage
	// Visit: the next meeting is the first visit, booked during stage 1;
	// the prep aims at the visit's work (stage 2), not at stage 1's.
	Visit bool
	// Aim is what ends the step being worked on: the reached stage's
	// success items while it is not completed, else the next milestone.
	AimMilestone bool
	OpenItems    []string // still-open items of that step
	// MissingInfo are the information fields (full keys) of the stages up
	// to Stage that the deal does not have yet.
	MissingInfo []string
	// Stakeholders with who is missing.
	Stakeholders    []Stakeholder
	NoDecisionMaker bool
	NoSupporter     bool
	// Points are prep.1–6 with what the deal knows for each.
	Points []PrepPoint
	// OpenQuestions are 2–3 open questions for the stage.
	OpenQuestions []playbook.Technique
	// ControlQuestions are the method's next control questions for the
	// stage (e.g. nd.2a… at stage 2).
	ControlQuestions []playbook.Technique
	// Cases are the best-matching reference cases, best first (the short
	// brief shows Cases[0]).
	Cases []CaseMatch
	// VisitRules are vr.1–4.
	VisitRules  []playbook.Technique
	NextMeeting *Meeting
	Sync        SyncResult
}

// PrepPoint is one line of the prep checklist (prep.1–6) with what the
// deal already knows for it; Known empty means it is still to do.
type PrepPoint struct {
	Technique playbook.Technique
	Known     []string
}

// controlByStage names the control questions worth preparing per stage:
// the need-discovery examples while needs are open, the purchase-process
// questions later.
var controlByStage = map[int][]string{
	1: {"ph.2"},
	2: {"nd.2a", "nd.2d", "nd.2e"},
	3: {"nd.2e", "pp.1", "pp.2"},
	4: {"pp.2", "pp.3"},
	5: {"pp.2", "pp.3"},
	6: {"pp.1", "pp.4"},
	7: {"pp.1", "pp.4"},
	8: {"pp.3", "pp.4"},
}

// BuildPrep prepares the next call on deal d with the team's reference
// cases. It reads nothing but its arguments.
func BuildPrep(pb *playbook.Playbook, d *Deal, cases []*Case, now time.Time) Prep {
	p := Prep{Deal: d, Progress: Evaluate(pb, d)}
	n := p.Progress.Active
	if n == 0 {
		n = len(pb.Stages)
	}
	if m, ok := d.NextMeeting(now); ok {
		p.NextMeeting = &m
		if n == 1 && pb.Stage(2) != nil {
			n, p.Visit = 2, true
		}
	}
	p.Stage = pb.Stage(n)
	p.AimMilestone = p.Progress.NextStepIsMilestone()
	p.OpenItems = p.Progress.Missing
	if p.Visit {
		// the visit's aims: stage 2's milestones (the visit held, the right
		// handler found), then what the visit should clarify
		p.AimMilestone = true
		p.OpenItems = append(unchecked(p.Stage.Milestone, d.Checked), unchecked(p.Stage.Success, d.Checked)...)
	}
	// the stage being worked on first, then what earlier stages left open
	for _, i := range append([]int{n}, countUp(1, n-1)...) {
		for _, g := range pb.Stage(i).Info {
			for _, f := range g.Fields {
				if k := playbook.InfoKey(g.ID, f.Key); d.Info[k] == "" {
					p.MissingInfo = append(p.MissingInfo, k)
				}
			}
		}
	}
	p.Stakeholders = d.Stakeholders
	p.NoDecisionMaker, p.NoSupporter = true, true
	for _, s := range d.Stakeholders {
		if s.Role == RoleDecisionMaker {
			p.NoDecisionMaker = false
		}
		if s.Attitude == AttitudeSupporter {
			p.NoSupporter = false
		}
	}
	p.Cases = MatchCases(cases, d, MaxCaseMatch)
	p.Points = prepPoints(pb, d, p.Cases)
	p.OpenQuestions = pb.QuestionsFor(p.Stage.ID)
	if len(p.OpenQuestions) > 3 {
		p.OpenQuestions = p.OpenQuestions[:3]
	}
	for _, id := range controlByStage[n] {
		if t, ok := pb.Technique(id); ok {
			p.ControlQuestions = append(p.ControlQuestions, *t)
		}
	}
	for _, id := range []string{"vr.1", "vr.2", "vr.3", "vr.4"} {
		if t, ok := pb.Technique(id); ok {
			p.VisitRules = append(p.VisitRules, *t)
		}
	}
	p.Sync = BuyerSync(p.Progress, d.BuyerStage)
	return p
}

func prepPoints(pb *playbook.Playbook, d *Deal, cases []CaseMatch) []PrepPoint {
	info := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			if v := strings.TrimSpace(d.Info[k]); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	form := func(tool, key string) []string { return formFieldValues(pb, d, tool, key) }
	var people, linked, power []string
	for _, s := range d.Stakeholders {
		label := s.Name
		if s.Role != "" {
			label += " (" + s.Role + ")"
		}
		people = append(people, label)
		if s.Notes != "" {
			linked = append(linked, s.Name+": "+s.Notes)
		}
		if s.Role == RoleDecisionMaker || s.Influence == InfluenceHigh {
			power = append(power, s.Name)
		}
	}
	known := map[string][]string{
		"prep.1": append(people, info("s2.i1.key_people")...),
		"prep.2": append(append(info("s2.i2.causes", "s2.i2.impact"), form("s2.t1", "pain")...), form("s1.t1", "pain")...),
		"prep.3": append(linked, form("s2.t6", "concerns")...),
		"prep.4": info("s2.i2.conditions", "s2.i2.value", "s1.i1.project_value"),
		"prep.5": append(append(power, info("s2.i1.project_owner")...), form("s2.t5", "power_holders")...),
	}
	for _, c := range cases {
		known["prep.6"] = append(known["prep.6"], c.Case.ID+" "+c.Case.Title)
	}
	var out []PrepPoint
	for _, t := range pb.TechniquesWithPrefix("prep.") {
		out = append(out, PrepPoint{Technique: t, Known: known[t.ID]})
	}
	return out
}

// Prep builds the pre-call preparation for the deal ref the actor names.
func (s *Service) Prep(ctx context.Context, a Actor, team *Team, ref string) (Prep, error) {
	d, err := s.Resolve(ctx, a, team, ref)
	if err != nil {
		return Prep{}, err
	}
	return s.PrepFor(ctx, d)
}

// PrepFor builds the pre-call preparation for a deal already loaded (for
// proactive delivery before a meeting), with its team's case library.
func (s *Service) PrepFor(ctx context.Context, d *Deal) (Prep, error) {
	cases, err := s.store.ListCases(ctx, d.Team)
	if err != nil {
		return Prep{}, fmt.Errorf("list cases: %w", err)
	}
	return BuildPrep(s.Playbook, d, cases, s.now()), nil
}

func countUp(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}
