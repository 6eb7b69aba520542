package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// caseCommands: the team's reference case library.
func (r *Router) caseCommands() []*Command {
	return []*Command{
		{Name: "case", Aliases: []string{"案例"}, Group: "coaching", Run: r.caseList,
			Sub: []*Command{
				{Name: "add", Aliases: []string{"new", "添加", "新建"}, Usage: "<title> [industry=…] [background=…] [problem=…] [cause=…] [measures=…] [solution=…] [result=…] [tags=a,b]",
					Examples: []string{`case add "Beta Steel MES" industry=manufacturing problem="late deliveries" result="on-time 97%" tags=mes,erp`}, Run: r.caseAdd},
				{Name: "list", Aliases: []string{"ls", "列表"}, Examples: []string{"case list"}, Run: r.caseList},
				{Name: "show", Aliases: []string{"查看"}, Usage: "<case>", Examples: []string{"case show C-1"}, Run: r.caseShow},
				{Name: "remove", Aliases: []string{"rm", "delete", "删除"}, Usage: "<case>", Examples: []string{"case remove C-1"}, Run: r.caseRemove},
			}},
	}
}

func (r *Router) caseShow(q *Request) (Reply, error) {
	c, err := r.svc.FindCase(q.Ctx, q.Actor, q.Args.Rest(1))
	if err != nil {
		return Reply{}, err
	}
	return r.caseView(q, c), nil
}

func (r *Router) caseRemove(q *Request) (Reply, error) {
	c, err := r.svc.RemoveCase(q.Ctx, q.Actor, q.Team, q.Args.Rest(1))
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("case.removed", "id", c.ID, "title", c.Title)
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

func (r *Router) caseAdd(q *Request) (Reply, error) {
	var known []string
	for _, f := range coach.CaseFields {
		known = append(known, f.Key)
	}
	for _, kv := range q.Args.KV {
		if !slices.Contains(known, kv.Key) && kv.Key != "title" {
			return Reply{}, coach.Errf(coach.CodeUnknownField, "field", kv.Key).WithSuggestions(known...)
		}
	}
	get := func(k string) string { v, _ := q.Args.Get(k); return v }
	nc := coach.NewCase{Title: q.Args.Rest(1), Industry: get("industry"), Background: get("background"), Problem: get("problem"),
		Cause: get("cause"), Measures: get("measures"), Solution: get("solution"), Result: get("result"), Tags: coach.SplitTags(get("tags"))}
	if nc.Title == "" {
		nc.Title = get("title")
	}
	c, err := r.svc.AddCase(q.Ctx, q.Actor, nc)
	if err != nil {
		return Reply{}, err
	}
	rep := r.caseView(q, c)
	msg := q.T("case.added", "id", c.ID, "title", c.Title)
	rep.Blocks = append([]Block{Text{Text: msg}}, rep.Blocks...)
	rep.Summary = msg
	var missing []string
	for _, f := range coach.CaseFields {
		if f.Ref != "" && c.CaseField(f.Key) == "" {
			missing = append(missing, f.Key)
		}
	}
	if len(missing) > 0 {
		rep.Add(Context{Text: q.T("case.missing", "list", strings.Join(missing, ", "))})
	}
	return rep, nil
}

func (r *Router) caseList(q *Request) (Reply, error) {
	if w := q.Args.Word(0); w != "" && len(q.Cmd.Sub) > 0 { // `case <no sub-command>`
		return Reply{}, q.badSub(w)
	}
	cs, err := r.svc.Cases(q.Ctx, q.Actor)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	rep.Ephemeral = true
	rep.Add(Heading{Text: q.T("case.list", "n", strconv.Itoa(len(cs)))})
	if len(cs) == 0 {
		rep.Add(Text{Text: q.T("case.none")})
	} else {
		var lines []string
		for _, c := range cs {
			lines = append(lines, r.caseLine(q, coach.CaseMatch{Case: c}))
		}
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}
	rep.Add(Context{Text: q.T("case.hint")})
	return rep, nil
}

// caseLine is "C-1 Beta Steel MES · manufacturing · mes, erp" with why it
// matches when it was matched to a deal.
func (r *Router) caseLine(q *Request, m coach.CaseMatch) string {
	c := m.Case
	parts := []string{c.ID + " " + c.Title}
	if c.Industry != "" {
		parts = append(parts, c.Industry)
	}
	if len(c.Tags) > 0 {
		parts = append(parts, strings.Join(c.Tags, ", "))
	}
	s := strings.Join(parts, " · ")
	switch {
	case m.Industry:
		s += " (" + q.T("case.same_industry") + ")"
	case len(m.Tags) > 0:
		s += " (" + q.T("case.tags_match", "list", strings.Join(m.Tags, ", ")) + ")"
	}
	return s
}

// caseView shows one case with the method's six contents (case.1–6).
func (r *Router) caseView(q *Request, c *coach.Case) Reply {
	var rep Reply
	rep.Add(Heading{Text: c.ID + " · " + c.Title})
	var f []Field
	for _, cf := range coach.CaseFields {
		v := c.CaseField(cf.Key)
		if v == "" {
			continue
		}
		label := q.T("case.field." + cf.Key)
		if t, ok := r.pb.Technique(cf.Ref); ok {
			label = t.ID + " " + t.Name.In(q.Lang)
		}
		f = append(f, Field{Label: label, Value: v})
	}
	if len(f) > 0 {
		rep.Add(Fields{Items: f})
	}
	rep.Add(Context{Text: q.T("case.by", "user", q.memberName(c.By), "when", q.fmtTime(c.CreatedAt))})
	return rep
}
