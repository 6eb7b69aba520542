package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func (r *Router) prepCommands() []*Command {
	return []*Command{
		{Name: "prep", Aliases: []string{"准备"}, Usage: "<deal> [full]", Group: "coaching",
			Examples: []string{"prep D-1", "prep D-1 full"}, Run: r.cmdPrep},
	}
}

// cmdPrep: `prep <deal> [full]`.
func (r *Router) cmdPrep(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	p, err := r.svc.PrepFor(q.Ctx, d)
	if err != nil {
		return Reply{}, err
	}
	w := strings.ToLower(q.Args.Word(1))
	full := w == "full" || w == "all" || w == "详细" || w == "全部"
	rep := r.prepReply(q, p, full)
	rep.Ephemeral = true
	return rep, nil
}

// PrepReply renders the pre-call prep of deal d for a proactive message
// (e.g. sent PrepLead before a meeting): the phone-sized first screen, or
// everything with full. lang "" uses the owner's or the team's language.
// It reads the team's reference cases from the store.
func (r *Router) PrepReply(ctx context.Context, team *coach.Team, d *coach.Deal, lang playbook.Lang, full bool) (Reply, error) {
	q := r.proactiveRequest(ctx, team, d.Owner, lang)
	p, err := r.svc.PrepFor(ctx, d)
	if err != nil {
		return Reply{}, err
	}
	rep := r.prepReply(q, p, full)
	rep.Lang = string(q.Lang)
	return rep, nil
}

// prepReply renders a prep: a first screen that fits a phone (about a
// dozen lines) and, with full, the details behind the button.
func (r *Router) prepReply(q *Request, p coach.Prep, full bool) Reply {
	d := p.Deal
	var rep Reply
	head := q.T("prep.head", "id", d.ID, "name", d.Name, "stage", q.stageName(p.Stage.Number))
	rep.Add(Heading{Text: head})
	rep.Summary = head
	var lines []string
	if len(p.OpenItems) > 0 {
		aim := p.Stage.SuccessName.In(q.Lang)
		if p.AimMilestone {
			aim = p.Stage.MilestoneName.In(q.Lang)
		}
		if sig := p.Stage.EndSignal.In(q.Lang); sig != aim {
			lines = append(lines, q.T("prep.aim", "aim", aim, "signal", sig))
		} else {
			lines = append(lines, q.T("prep.aim_signal", "signal", sig))
		}
		lines = append(lines, q.T("prep.open_items", "list", strings.Join(p.OpenItems, ", ")))
	} else {
		lines = append(lines, q.T("prep.aim_done", "signal", p.Stage.EndSignal.In(q.Lang)))
	}
	if p.NextMeeting != nil {
		lines = append(lines, q.T("prep.meeting", "when", q.fmtTime(p.NextMeeting.At), "place", p.NextMeeting.Place, "topic", p.NextMeeting.Topic))
	}
	if p.Visit {
		lines = append(lines, q.T("prep.visit"))
	}
	if len(p.Cases) > 0 {
		lines = append(lines, q.T("prep.best_case", "case", r.caseLine(q, p.Cases[0])))
	}
	people := q.T("prep.people", "n", strconv.Itoa(len(p.Stakeholders)))
	if p.NoDecisionMaker {
		people += " · " + q.T("tip."+coach.TipNoDecisionMaker)
	}
	if p.NoSupporter {
		people += " · " + q.T("tip."+coach.TipNoSupporter)
	}
	lines = append(lines, people)
	if n := len(p.MissingInfo); n > 0 {
		lines = append(lines, q.T("prep.missing_info", "n", strconv.Itoa(n), "list", r.infoNames(q, p.MissingInfo, 3)))
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	var ask []string
	for i, t := range p.OpenQuestions {
		if i == 2 && !full {
			break
		}
		ask = append(ask, "• "+t.Text.In(q.Lang))
	}
	if len(ask) > 0 {
		rep.Add(Text{Text: q.T("prep.ask") + "\n" + strings.Join(ask, "\n")})
	}
	if !full {
		btns := []Button{{Label: q.T("prep.btn.full"), Command: "prep " + d.ID + " full", Style: "primary"}}
		if d.Open() {
			btns = append(btns, Button{Label: q.T("btn.coach"), Command: "coach " + d.ID})
		}
		btns = append(btns, Button{Label: q.T("prep.btn.show"), Command: "show " + d.ID})
		rep.Add(Buttons{Items: btns})
		return rep
	}
	r.prepDetails(q, &rep, p)
	return rep
}

// prepDetails are the full prep's sections.
func (r *Router) prepDetails(q *Request, rep *Reply, p coach.Prep) {
	d := p.Deal
	rep.Add(Divider{}, Text{Text: q.T("prep.goal") + " " + p.Stage.Goal.In(q.Lang)})
	if len(p.OpenItems) > 0 {
		var lines []string
		for _, id := range p.OpenItems {
			lines = append(lines, "• "+q.itemLabel(id))
		}
		rep.Add(Text{Text: q.T("prep.open_title") + "\n" + strings.Join(lines, "\n")})
	}
	if len(p.Stakeholders) > 0 {
		var lines []string
		for _, s := range p.Stakeholders {
			lines = append(lines, "• "+q.contactLine(s))
		}
		rep.Add(Text{Text: q.T("show.contacts") + "\n" + strings.Join(lines, "\n")})
	}
	if w := r.stakeholderWarnings(q, d); w != "" {
		rep.Add(Context{Text: w})
	}
	var pl []string
	for _, pt := range p.Points {
		v := q.T("prep.todo")
		if len(pt.Known) > 0 {
			v = strings.Join(pt.Known, "; ")
		}
		pl = append(pl, pt.Technique.ID+" "+pt.Technique.Name.In(q.Lang)+": "+v)
	}
	rep.Add(Text{Text: q.T("prep.checklist") + "\n" + strings.Join(pl, "\n")})
	if len(p.ControlQuestions) > 0 {
		var lines []string
		for _, t := range p.ControlQuestions {
			lines = append(lines, "• "+t.ID+" "+t.Text.In(q.Lang))
		}
		rep.Add(Text{Text: q.T("prep.control") + "\n" + strings.Join(lines, "\n")})
	}
	if len(p.Cases) > 0 {
		var lines []string
		for _, m := range p.Cases {
			lines = append(lines, "• "+r.caseLine(q, m))
		}
		rep.Add(Text{Text: q.T("prep.cases") + "\n" + strings.Join(lines, "\n")})
	} else {
		rep.Add(Context{Text: q.T("prep.no_cases")})
	}
	if len(p.MissingInfo) > 0 {
		rep.Add(Text{Text: q.T("prep.missing_title") + "\n" + r.infoNames(q, p.MissingInfo, 0)})
	}
	var vr []string
	for _, t := range p.VisitRules {
		vr = append(vr, t.ID+" "+t.Name.In(q.Lang))
	}
	rep.Add(Context{Text: q.T("prep.rules") + "\n" + strings.Join(vr, "\n")})
	rep.Add(Context{Text: q.T("field.sync") + ": " + q.syncLine(p.Sync)})
	if d.Open() {
		rep.Add(Buttons{Items: []Button{
			{Label: q.T("btn.coach"), Command: "coach " + d.ID},
			{Label: q.T("prep.btn.forms"), Command: "form " + d.ID},
			{Label: q.T("prep.btn.show"), Command: "show " + d.ID},
		}})
	}
}

// infoNames names info fields ("causes (Causes of the problem)"), at most
// max of them (≤0: all) with "…" when more.
func (r *Router) infoNames(q *Request, keys []string, max int) string {
	var out []string
	for i, k := range keys {
		if max > 0 && i == max {
			out = append(out, "…")
			break
		}
		out = append(out, q.infoLabel(k))
	}
	sep := ", "
	if max <= 0 {
		sep = "\n"
	}
	return strings.Join(out, sep)
}

// infoLabel is "s2.i2.causes (Causes of the problem)".
func (q *Request) infoLabel(key string) string {
	if name, ok := q.infoName(key); ok {
		return key + " (" + name + ")"
	}
	return key
}
