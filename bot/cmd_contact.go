package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

func (q *Request) contactLine(p coach.Stakeholder) string {
	parts := []string{"#" + strconv.Itoa(p.ID) + " " + p.Name}
	if p.Title != "" {
		parts = append(parts, p.Title)
	}
	if p.Role != "" {
		parts = append(parts, q.T("role."+p.Role))
	}
	if p.Attitude != "" {
		parts = append(parts, q.T("attitude."+p.Attitude))
	}
	if p.Influence != "" {
		parts = append(parts, q.T("influence."+p.Influence))
	}
	if p.Level > 0 {
		parts = append(parts, "L"+strconv.Itoa(p.Level))
	}
	return strings.Join(parts, " · ")
}

func stakeholderInput(a Args) (coach.StakeholderInput, error) {
	var in coach.StakeholderInput
	str := func(k string) *string {
		if v, ok := a.Get(k); ok {
			v = strings.TrimSpace(v)
			return &v
		}
		return nil
	}
	in.Name, in.Title, in.Notes = str("name"), str("title"), str("notes")
	norm := func(k string, aliases map[string]string) *string {
		v := str(k)
		if v != nil {
			l := strings.ToLower(*v)
			if a, ok := aliases[l]; ok {
				l = a
			}
			v = &l
		}
		return v
	}
	with := func(m map[string]string, more map[string]string) map[string]string {
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	// the labels of the catalog (what the form's choices show) plus short forms
	in.Role = norm("role", with(valueAliases("role.", coach.StakeholderRoles), map[string]string{"dm": coach.RoleDecisionMaker, "decision": coach.RoleDecisionMaker,
		"决策人": coach.RoleDecisionMaker, "purchasing": coach.RolePurchasingGroup}))
	in.Attitude = norm("attitude", with(valueAliases("attitude.", coach.Attitudes), map[string]string{"支持者": coach.AttitudeSupporter, "反对者": coach.AttitudeOpponent,
		"support": coach.AttitudeSupporter, "against": coach.AttitudeOpponent}))
	in.Influence = norm("influence", with(valueAliases("influence.", coach.Influences), map[string]string{"高": coach.InfluenceHigh, "中": coach.InfluenceMedium,
		"低": coach.InfluenceLow, "med": coach.InfluenceMedium}))
	if v, ok := a.Get("level"); ok {
		n, ok := ParseLevel(v)
		if !ok {
			return in, coach.Errf(coach.CodeBadValue, "field", "level", "value", v, "expected", "L1|L2|L3")
		}
		in.Level = &n
	}
	known := []string{"name", "title", "role", "attitude", "influence", "level", "notes"}
	for _, kv := range a.KV {
		if !slices.Contains(known, kv.Key) {
			return in, coach.Errf(coach.CodeUnknownField, "field", kv.Key).WithSuggestions(known...)
		}
	}
	return in, nil
}

// contactCommands: `contact <deal> add|edit|remove|list …`.
func (r *Router) contactCommands() []*Command {
	return []*Command{
		{Name: "contact", Aliases: []string{"联系人"}, Usage: "<deal>", Group: "deals", SubArg: 1, Run: r.contactList, FromForm: contactFromForm,
			Sub: []*Command{
				{Name: "add", Aliases: []string{"添加"}, Usage: "<name> [title=…] [role=…] [attitude=…] [influence=…] [level=L1|L2|L3] [notes=…]",
					Examples: []string{`contact D-1 add "Wang Li" title=IT-Director role=handler attitude=supporter influence=high level=L1`}, Run: r.contactAdd},
				{Name: "edit", Aliases: []string{"修改"}, Usage: "<contact> [<field>=<value>…]", Examples: []string{"contact D-1 edit 1 attitude=neutral"}, Run: r.contactEdit},
				{Name: "remove", Aliases: []string{"rm", "delete", "删除"}, Usage: "<contact>", Examples: []string{"contact D-1 remove 1"}, Run: r.contactRemove},
				{Name: "list", Aliases: []string{"列表"}, Examples: []string{"contact D-1 list"}, Run: r.contactList},
			}},
	}
}

// contactFromForm turns the contact form into `contact <deal> add …`, or
// `contact <deal> edit <id> …` when the form edits a contact.
func contactFromForm(a *Action) (Args, bool) {
	if a.Form != "contact" {
		return Args{}, false
	}
	args := formArgs(a.Values, "id")
	args.Words = []Token{{Value: a.Deal}, {Value: "add"}}
	if id := strings.TrimSpace(a.Values["id"]); id != "" {
		args.Words = []Token{{Value: a.Deal}, {Value: "edit"}, {Value: id}}
	}
	return args, true
}

func (r *Router) contactList(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	if w := q.Args.Word(1); w != "" && len(q.Cmd.Sub) > 0 { // `contact <deal> <no sub-command>`
		return Reply{}, q.badSub(w)
	}
	var rep Reply
	rep.Add(Heading{Text: q.T("show.contacts") + " · " + d.ID})
	var lines []string
	for _, p := range d.Stakeholders {
		lines = append(lines, q.contactLine(p))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("contact.none"))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	rep.Add(Buttons{Items: []Button{{Label: q.T("btn.add_contact"), Command: "contact " + d.ID + " add"}}})
	return rep, nil
}

func (r *Router) contactAdd(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	in, err := stakeholderInput(q.Args)
	if err != nil {
		return Reply{}, err
	}
	if n := q.Args.Rest(2); n != "" {
		in.Name = &n
	}
	if in.Name == nil && q.Form == nil {
		d, err := r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
		if err != nil {
			return Reply{}, err
		}
		return r.contactForm(q, d, nil), nil
	}
	ch, p, err := r.svc.AddStakeholder(q.Ctx, q.Actor, q.Team, ref, in)
	if err != nil {
		return Reply{}, err
	}
	return r.contactDone(q, ch, "contact.added", p.Name), nil
}

func (r *Router) contactEdit(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	who := q.Args.Word(2)
	if who == "" {
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "contact")
	}
	in, err := stakeholderInput(q.Args)
	if err != nil {
		return Reply{}, err
	}
	if len(q.Args.KV) == 0 && q.Form == nil {
		d, err := r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
		if err != nil {
			return Reply{}, err
		}
		i := slices.IndexFunc(d.Stakeholders, func(p coach.Stakeholder) bool { return strconv.Itoa(p.ID) == strings.TrimPrefix(who, "#") })
		if i >= 0 {
			return r.contactForm(q, d, &d.Stakeholders[i]), nil
		}
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "field=value")
	}
	ch, err := r.svc.EditStakeholder(q.Ctx, q.Actor, q.Team, ref, who, in)
	if err != nil {
		return Reply{}, err
	}
	return r.contactDone(q, ch, "contact.edited", who), nil
}

func (r *Router) contactRemove(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	who := q.Args.Word(2)
	if who == "" {
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "contact")
	}
	ch, err := r.svc.RemoveStakeholder(q.Ctx, q.Actor, q.Team, ref, who)
	if err != nil {
		return Reply{}, err
	}
	return r.contactDone(q, ch, "contact.removed", who), nil
}

func (r *Router) contactDone(q *Request, ch coach.Change, key, who string) Reply {
	var rep Reply
	msg := q.T(key, "id", ch.After.ID, "name", who)
	rep.Summary = msg
	rep.Add(Text{Text: msg})
	var lines []string
	for _, p := range ch.After.Stakeholders {
		lines = append(lines, q.contactLine(p))
	}
	if len(lines) > 0 {
		rep.Add(Text{Text: strings.Join(lines, "\n")})
	}
	if w := r.stakeholderWarnings(q, ch.After); w != "" {
		rep.Add(Context{Text: w})
	}
	return rep
}

// stakeholderWarnings names who is missing (coach.StakeholderTips).
func (r *Router) stakeholderWarnings(q *Request, d *coach.Deal) string {
	var w []string
	for _, t := range coach.StakeholderTips(d) {
		w = append(w, q.tip(t))
	}
	return strings.Join(w, " ")
}

func choices(q *Request, prefix string, values []string) []Option {
	var out []Option
	for _, v := range values {
		out = append(out, Option{Label: q.T(prefix + v), Command: v})
	}
	return out
}

// contactForm asks for a stakeholder's fields (editing p when not nil).
func (r *Router) contactForm(q *Request, d *coach.Deal, p *coach.Stakeholder) Reply {
	var cur coach.Stakeholder
	id := ""
	title := q.T("form.contact.add", "id", d.ID)
	if p != nil {
		cur, id, title = *p, strconv.Itoa(p.ID), q.T("form.contact.edit", "id", d.ID, "name", p.Name)
	}
	level := ""
	if cur.Level > 0 {
		level = "L" + strconv.Itoa(cur.Level)
	}
	f := Form{ID: "contact", Deal: d.ID, Title: title, Submit: q.T("form.submit"), Command: "contact " + d.ID + " add",
		Fields: []FormField{
			{Key: "name", Label: q.T("field.name"), Kind: "text", Required: true, Value: cur.Name},
			{Key: "title", Label: q.T("field.title"), Kind: "text", Value: cur.Title},
			{Key: "role", Label: q.T("field.role"), Kind: "choice", Value: cur.Role, Choices: choices(q, "role.", coach.StakeholderRoles)},
			{Key: "attitude", Label: q.T("field.attitude"), Kind: "choice", Value: cur.Attitude, Choices: choices(q, "attitude.", coach.Attitudes)},
			{Key: "influence", Label: q.T("field.influence"), Kind: "choice", Value: cur.Influence, Choices: choices(q, "influence.", coach.Influences)},
			{Key: "level", Label: q.T("field.level"), Kind: "choice", Value: level, Choices: []Option{{Label: "L1", Command: "L1"}, {Label: "L2", Command: "L2"}, {Label: "L3", Command: "L3"}}},
			{Key: "notes", Label: q.T("field.notes"), Kind: "long", Value: cur.Notes},
		}}
	if id != "" {
		f.Fields = append(f.Fields, FormField{Key: "id", Kind: "hidden", Value: id})
		f.Command = "contact " + d.ID + " edit " + id
	}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: title}
}
