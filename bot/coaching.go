package bot

import (
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// coachingCommands are the guided-questioning, prep, form and case
// commands.
func (r *Router) coachingCommands() []*Command {
	return []*Command{
		{Name: "coach", Aliases: []string{"辅导"}, Usage: "<deal> [needs|phone|budget|process]", Group: "coaching",
			Examples: []string{"coach D-1 needs", "coach D-1 phone", "coach D-1 budget", "coach D-1 process", "coach D-1 stop"}, Run: r.cmdCoach},
		{Name: "prep", Aliases: []string{"准备"}, Usage: "<deal> [full]", Group: "coaching",
			Examples: []string{"prep D-1", "prep D-1 full"}, Run: r.cmdPrep},
		{Name: "form", Aliases: []string{"表单"}, Usage: "<deal> [<tool-id> [<field>=<value>…]]", Group: "coaching",
			Examples: []string{"form D-1", "form D-1 s2.t1", `form D-1 s2.t1 visit_date=2026-12-03 pain="slow month-end close"`}, Run: r.cmdForm},
		{Name: "case", Aliases: []string{"案例"}, Usage: "add <title> [industry=…] [background=…] [problem=…] [cause=…] [measures=…] [solution=…] [result=…] [tags=a,b] | list | show <case> | remove <case>", Group: "coaching",
			Examples: []string{`case add "Beta Steel MES" industry=manufacturing problem="late deliveries" result="on-time 97%" tags=mes,erp`, "case list", "case show C-1", "case remove C-1"}, Run: r.cmdCase},
	}
}

// toolFormAction handles a submitted tool form (sN.tK): every required
// field must be filled; mistakes come back on the field (see formAction).
func (r *Router) toolFormAction(q *Request, a *Action) (Reply, error) {
	if _, ok := r.pb.Tool(a.Form); !ok {
		return Reply{}, coach.Errf(coach.CodeUnknownTool, "tool", a.Form)
	}
	values := map[string]string{}
	for k, v := range a.Values {
		values[k] = v
	}
	res, err := r.svc.FillForm(q.Ctx, q.Actor, q.Team, a.Deal, a.Form, values, true)
	if err != nil {
		return Reply{}, err
	}
	return r.formFilled(q, res), nil
}

// changeTipBlocks renders the coaching tips a stored change triggers
// (coach.ChangeTips: a single price before stage 3 is completed, a demo
// note saying nobody asked questions), for the commands that change info,
// values, forms and notes.
func (r *Router) changeTipBlocks(q *Request, ch coach.Change) []Block {
	tips := coach.ChangeTips(r.pb, ch)
	if len(tips) == 0 {
		return nil
	}
	var lines []string
	for _, t := range tips {
		lines = append(lines, q.tip(t))
	}
	return []Block{Context{Text: strings.Join(lines, "\n")}}
}
