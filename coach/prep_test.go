package coach_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// dealAt returns a deal that has reached stage n (0: nothing ticked): every
// item of the earlier stages and the milestone items of stage n are ticked.
func dealAt(pb *playbook.Playbook, n int) *coach.Deal {
	d := &coach.Deal{Team: "T1", ID: "D-1", Name: "Acme ERP", Industry: "manufacturing", Status: coach.StatusOpen, Checked: map[string]coach.Check{}}
	for i := 1; i <= n; i++ {
		st := pb.Stage(i)
		for _, it := range st.Milestone {
			d.Checked[it.ID] = coach.Check{By: "bob", At: t0}
		}
		if i < n {
			for _, it := range st.Success {
				d.Checked[it.ID] = coach.Check{By: "bob", At: t0}
			}
		}
	}
	return d
}

func TestBuildPrepEachStage(t *testing.T) {
	pb := playbook.Default()
	cases := []*coach.Case{
		{ID: "C-1", Title: "Bank CRM", Industry: "banking", Tags: []string{"crm"}},
		{ID: "C-2", Title: "Steel MES", Industry: "Manufacturing", Tags: []string{"mes"}},
		{ID: "C-3", Title: "ERP rollout", Industry: "retail", Tags: []string{"erp"}},
	}
	for n := 0; n <= 8; n++ {
		t.Run("stage"+strconv.Itoa(n), func(t *testing.T) {
			d := dealAt(pb, n)
			d.Stakeholders = []coach.Stakeholder{{ID: 1, Name: "Wang", Role: coach.RoleHandler, Attitude: coach.AttitudeSupporter, Notes: "cares about month-end"}}
			d.Info = map[string]string{"s2.i2.causes": "manual entry"}
			d.Meetings = []coach.Meeting{{ID: 1, At: t0.Add(24 * 3600e9), Place: "HQ"}}
			p := coach.BuildPrep(pb, d, cases, t0)
			// a meeting booked in stage 1 is the stage-2 visit
			wantStage := max(n, 2)
			if p.Stage == nil || p.Stage.Number != wantStage {
				t.Fatalf("stage %v, want %d", p.Stage, wantStage)
			}
			if p.Progress.Reached != n {
				t.Fatalf("reached %d", p.Progress.Reached)
			}
			// reached a stage → aim at its success items; nothing yet → the milestone
			if p.Visit != (n <= 1) || p.AimMilestone != (n <= 1) || len(p.OpenItems) == 0 {
				t.Fatalf("aim milestone %v open %v", p.AimMilestone, p.OpenItems)
			}
			for _, id := range p.OpenItems {
				if playbook.StageOf(id) != wantStage {
					t.Fatalf("open item %s not of stage %d", id, wantStage)
				}
			}
			if len(p.OpenQuestions) < 2 || len(p.OpenQuestions) > 3 {
				t.Fatalf("open questions %d", len(p.OpenQuestions))
			}
			for _, q := range p.OpenQuestions {
				if !strings.HasPrefix(q.ID, "oq."+p.Stage.ID+".") {
					t.Fatalf("question %s not for %s", q.ID, p.Stage.ID)
				}
			}
			if len(p.ControlQuestions) == 0 || len(p.VisitRules) != 4 || len(p.Points) != 6 {
				t.Fatalf("control %d rules %d points %d", len(p.ControlQuestions), len(p.VisitRules), len(p.Points))
			}
			if !p.NoDecisionMaker || p.NoSupporter {
				t.Fatalf("who is missing: dm %v supporter %v", p.NoDecisionMaker, p.NoSupporter)
			}
			if slices.Contains(p.MissingInfo, "s2.i2.causes") {
				t.Fatal("known info listed as missing")
			}
			if len(p.MissingInfo) > 0 && playbook.StageOf(p.MissingInfo[0]) != wantStage && len(pb.Stage(wantStage).Info) > 0 {
				t.Fatalf("missing info not led by the current stage: %v", p.MissingInfo[:1])
			}
			if p.NextMeeting == nil || p.NextMeeting.Place != "HQ" {
				t.Fatalf("next meeting %v", p.NextMeeting)
			}
			if len(p.Cases) != 2 || p.Cases[0].Case.ID != "C-2" {
				t.Fatalf("cases %v", p.Cases)
			}
			known := map[string][]string{}
			for _, pt := range p.Points {
				known[pt.Technique.ID] = pt.Known
			}
			if !slices.Equal(known["prep.1"], []string{"Wang (handler)"}) || !slices.Equal(known["prep.2"], []string{"manual entry"}) ||
				len(known["prep.3"]) != 1 || len(known["prep.5"]) != 0 || len(known["prep.6"]) != 2 {
				t.Fatalf("prep points %v", known)
			}
		})
	}
	t.Run("all completed", func(t *testing.T) {
		d := dealAt(pb, 8)
		for _, it := range pb.Stage(8).Success {
			d.Checked[it.ID] = coach.Check{}
		}
		p := coach.BuildPrep(pb, d, nil, t0)
		if p.Stage.Number != 8 || len(p.OpenItems) != 0 || len(p.Cases) != 0 {
			t.Fatalf("stage %d open %v", p.Stage.Number, p.OpenItems)
		}
	})
}
