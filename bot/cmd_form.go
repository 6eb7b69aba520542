package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func (r *Router) formCommands() []*Command {
	return []*Command{
		{Name: "form", Aliases: []string{"表单"}, Usage: "<deal> [<tool-id>|<info-group>|note|won|lost [<field>=<value>…]]", Group: "coaching",
			Examples: []string{"form D-1", "form D-1 s2.t1", "form D-1 s1.i1", "form D-1 won value=1.2m close=2027-03-31", `form D-1 s2.t1 visit_date=2026-12-03 pain="slow month-end close"`}, Run: r.cmdForm,
			FromForm: r.toolFromForm},
	}
}

// toolFromForm turns a submitted tool form (sN.tK), info group form
// (sN.iK) or card form (note, won, lost) into the arguments of
// `form <deal> <tool> <field>=<value>…`. Every value is kept, empty ones
// too (an emptied field is cleared); the submission must fill every
// required field (see cmdForm).
func (r *Router) toolFromForm(a *Action) (Args, bool) {
	if _, ok := r.pb.Tool(a.Form); !ok && !r.isCardForm(a.Form) {
		return Args{}, false
	}
	keys := make([]string, 0, len(a.Values))
	for k := range a.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	args := Args{Words: []Token{{Value: a.Deal}, {Value: a.Form}}}
	for _, k := range keys {
		args.KV = append(args.KV, Token{Key: k, Value: a.Values[k]})
	}
	return args, true
}

// cmdForm: `form <deal>` lists the current stage's forms; `form <deal>
// <tool>` shows one as a Form block; with key=value it fills fields.
func (r *Router) cmdForm(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	id := q.Args.Word(1)
	if id != "" && (len(q.Args.KV) > 0 || q.Form != nil) && !r.isCardForm(strings.ToLower(id)) {
		values := map[string]string{}
		for _, kv := range q.Args.KV {
			values[kv.Key] = kv.Value
		}
		// A submitted form must fill every required field; typed fills
		// may come one field at a time.
		res, err := r.svc.FillForm(q.Ctx, q.Actor, q.Team, ref, id, values, q.Form != nil)
		if err != nil {
			return Reply{}, err
		}
		return r.formFilled(q, res), nil
	}
	d, err := r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
	if err != nil {
		return Reply{}, err
	}
	if id == "" {
		return r.formsList(q, d), nil
	}
	if rep, handled, err := r.cardForm(q, d, id); handled {
		return rep, err
	}
	tool, err := r.svc.Tool(id, d)
	if err != nil {
		return Reply{}, err
	}
	return r.toolForm(q, d, tool), nil
}

// formsList shows the active stage's forms and how complete each is.
func (r *Router) formsList(q *Request, d *coach.Deal) Reply {
	p := coach.Evaluate(r.pb, d)
	n := max(p.Active, 1)
	if p.Active == 0 && p.Completed > 0 {
		n = len(r.pb.Stages)
	}
	var rep Reply
	rep.Add(Heading{Text: q.T("form.list", "id", d.ID, "stage", q.stageName(n))})
	var lines []string
	var btns []Button
	for _, fs := range coach.FormsStatus(r.pb, d, n) {
		lines = append(lines, q.formStatusLine(fs))
		btns = append(btns, Button{Label: fs.Tool.ID, Command: "form " + d.ID + " " + fs.Tool.ID})
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("form.none"))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	if len(btns) > 0 {
		rep.Add(Buttons{Items: btns})
	}
	rep.Add(Context{Text: q.T("form.hint", "id", d.ID)})
	return rep
}

// formStatusLine is "◐ s2.t1 Visit summary report — 2/6 fields, required 1/4".
func (q *Request) formStatusLine(fs coach.FormStatus) string {
	mark := "○"
	switch {
	case fs.Complete():
		mark = "●"
	case fs.Filled > 0:
		mark = "◐"
	}
	return q.T("form.status", "mark", mark, "tool", fs.Tool.ID+" "+fs.Tool.Name.In(q.Lang), "filled", strconv.Itoa(fs.Filled), "fields", strconv.Itoa(fs.Fields),
		"req", strconv.Itoa(fs.RequiredFilled), "required", strconv.Itoa(fs.Required))
}

// toolForm renders a tool as a Form block with the deal's current values.
func (r *Router) toolForm(q *Request, d *coach.Deal, t *playbook.Tool) Reply {
	f := Form{ID: t.ID, Deal: d.ID, Title: q.T("form.title", "id", d.ID, "tool", t.ID+" "+t.Name.In(q.Lang)), Submit: q.T("form.submit"),
		Command: "form " + d.ID + " " + t.ID}
	for _, fd := range t.Fields {
		ff := FormField{Key: fd.Key, Label: fd.Name.In(q.Lang), Kind: fd.Type, Required: fd.Required, Value: d.Forms[t.ID][fd.Key]}
		switch fd.Type {
		case "":
			ff.Kind = "text"
		case "choice":
			for i, c := range fd.Choices {
				label := c
				if i < len(fd.Labels) {
					label = fd.Labels[i].In(q.Lang)
				}
				ff.Choices = append(ff.Choices, Option{Label: label, Command: c})
			}
		case "date":
			ff.Hint = "YYYY-MM-DD"
		}
		if fd.Info != "" {
			ff.Hint = strings.TrimSpace(ff.Hint + " " + q.T("form.info_hint", "info", fd.Info))
		}
		f.Fields = append(f.Fields, ff)
	}
	rep := Reply{Ephemeral: true, Summary: f.Title}
	rep.Add(f)
	return rep
}

// formFilled confirms a fill: fields and info fields set, what is still
// required, and the tips a price or date may trigger.
func (r *Router) formFilled(q *Request, res coach.FormResult) Reply {
	d := res.Change.After
	var rep Reply
	msg := q.T("change.none", "id", d.ID)
	if len(res.Fields) > 0 {
		msg = q.T("form.saved", "id", d.ID, "tool", res.Tool.ID+" "+res.Tool.Name.In(q.Lang), "n", strconv.Itoa(len(res.Fields)))
	}
	rep.Add(Text{Text: msg})
	rep.Summary = msg
	var lines []string
	for _, kv := range coach.FormValues(d, res.Tool.ID) {
		lines = append(lines, kv[0]+" = "+kv[1])
	}
	if len(lines) > 0 {
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}
	if len(res.InfoSet) > 0 {
		rep.Add(Context{Text: q.T("form.info_set", "list", strings.Join(res.InfoSet, ", "))})
	}
	if len(res.MissingRequired) > 0 {
		rep.Add(Context{Text: q.T("form.still_required", "list", strings.Join(res.MissingRequired, ", "))})
	}
	rep.Add(r.changeTipBlocks(q, res.Change)...)
	rep.Add(Buttons{Items: []Button{{Label: q.T("form.btn.edit"), Command: "form " + d.ID + " " + res.Tool.ID}, {Label: q.T("prep.btn.show"), Command: "show " + d.ID}}})
	return rep
}
