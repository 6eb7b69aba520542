package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// newDealForm asks for a new deal's fields.
func (r *Router) newDealForm(q *Request) Reply {
	f := Form{ID: "new", Title: q.T("form.new.title"), Submit: q.T("form.submit"), Command: "new",
		Fields: []FormField{
			{Key: "name", Label: q.T("field.name"), Kind: "text", Required: true},
			{Key: "customer", Label: q.T("field.customer"), Kind: "text"},
			{Key: "value", Label: q.T("field.value"), Kind: "text", Hint: "1.2m, 500k, 120万"},
			{Key: "close", Label: q.T("field.close"), Kind: "date"},
			{Key: "industry", Label: q.T("field.industry"), Kind: "text"},
		}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
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

// meetForm asks for a meeting's time, place and topic.
func (r *Router) meetForm(q *Request, d *coach.Deal) Reply {
	f := Form{ID: "meet", Deal: d.ID, Title: q.T("form.meet.title", "id", d.ID), Submit: q.T("form.submit"), Command: "meet " + d.ID,
		Fields: []FormField{
			{Key: "date", Label: q.T("field.date"), Kind: "date", Required: true},
			{Key: "time", Label: q.T("field.time"), Kind: "text", Required: true, Hint: "14:30"},
			{Key: "place", Label: q.T("field.place"), Kind: "text"},
			{Key: "topic", Label: q.T("field.topic"), Kind: "long"},
		}}
	return Reply{Ephemeral: true, Blocks: []Block{f}, Summary: f.Title}
}

// formArgs turns submitted values into key=value arguments.
func formArgs(values map[string]string, skip ...string) Args {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var a Args
	for _, k := range keys {
		if v := strings.TrimSpace(values[k]); v != "" && !slices.Contains(skip, k) {
			a.KV = append(a.KV, Token{Key: k, Value: v})
		}
	}
	return a
}

// formAction handles a submitted form. Mistakes come back as FieldErrors
// on the offending field where the error names one.
func (r *Router) formAction(q *Request, a *Action) (Reply, error) {
	rep, err := r.submitForm(q, a)
	if err == nil {
		return rep, nil
	}
	ce, ok := coach.AsError(err)
	if !ok {
		return Reply{}, err
	}
	field := ce.Params["field"]
	if field == "" {
		field = ce.Params["arg"]
	}
	if _, present := a.Values[field]; !present && field != "name" {
		return Reply{}, err
	}
	er := r.errorReply(q, err)
	er.FieldErrors = map[string]string{field: er.PlainText()}
	return er, nil
}

func (r *Router) submitForm(q *Request, a *Action) (Reply, error) {
	switch a.Form {
	case "new":
		nd, err := r.newDealInput(q, formArgs(a.Values))
		if err != nil {
			return Reply{}, err
		}
		d, err := r.svc.CreateDeal(q.Ctx, q.Actor, q.Team, nd)
		if err != nil {
			return Reply{}, err
		}
		rep := r.dealCard(q, coach.Evaluate(r.pb, d), d)
		rep.Blocks = append([]Block{Text{Text: q.T("new.created", "id", d.ID, "name", d.Name)}}, rep.Blocks...)
		return rep, nil
	case "contact":
		in, err := stakeholderInput(formArgs(a.Values, "id"))
		if err != nil {
			return Reply{}, err
		}
		if id := a.Values["id"]; id != "" {
			ch, err := r.svc.EditStakeholder(q.Ctx, q.Actor, q.Team, a.Deal, id, in)
			if err != nil {
				return Reply{}, err
			}
			return r.contactDone(q, ch, "contact.edited", id), nil
		}
		ch, p, err := r.svc.AddStakeholder(q.Ctx, q.Actor, q.Team, a.Deal, in)
		if err != nil {
			return Reply{}, err
		}
		return r.contactDone(q, ch, "contact.added", p.Name), nil
	case "meet":
		when := strings.TrimSpace(a.Values["date"] + " " + a.Values["time"])
		at, err := ParseMeetingTime(when, q.Loc)
		if err != nil {
			field := "time"
			if !coach.ValidDate(a.Values["date"]) {
				field = "date"
			}
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", field, "value", when, "expected", "YYYY-MM-DD HH:MM")
		}
		ch, m, err := r.svc.AddMeeting(q.Ctx, q.Actor, q.Team, a.Deal, at, a.Values["place"], a.Values["topic"])
		if err != nil {
			return Reply{}, err
		}
		return r.changedCard(q, ch, "meet.done", "when", q.fmtTime(m.At)), nil
	}
	return r.toolFormAction(q, a)
}
