package bot

import (
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func (r *Router) infoCommands() []*Command {
	return []*Command{
		{Name: "info", Aliases: []string{"信息"}, Usage: "<deal> [<field>=<value>…]", Group: "deals",
			Examples: []string{`info D-1 size="500 staff" scale_budget=2m`}, Run: r.cmdInfo},
	}
}

func (r *Router) cmdInfo(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	if len(q.Args.KV) == 0 {
		d, err := r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
		if err != nil {
			return Reply{}, err
		}
		return r.infoView(q, d), nil
	}
	var kv [][2]string
	for _, t := range q.Args.KV {
		kv = append(kv, [2]string{t.Key, t.Value})
	}
	ch, err := r.svc.SetInfo(q.Ctx, q.Actor, q.Team, ref, kv)
	if err != nil {
		return Reply{}, err
	}
	d := ch.After
	msg := q.T("change.none", "id", d.ID)
	if len(ch.Events) > 0 {
		msg = q.T("info.done", "id", d.ID, "n", strconv.Itoa(len(ch.Events)))
	}
	// what changed and the next step, not every field of every stage
	rep := r.confirmation(q, d, msg)
	rep.Add(r.changeTipBlocks(q, ch)...) // coaching tips
	return rep, nil
}

// infoView lists the information fields of the stages up to the active
// one, filled or missing.
func (r *Router) infoView(q *Request, d *coach.Deal) Reply {
	p := coach.Evaluate(r.pb, d)
	last := max(p.Active, p.Reached, 1)
	var rep Reply
	rep.Add(Heading{Text: q.T("info.title", "id", d.ID, "name", d.Name)})
	for n := 1; n <= last && n <= len(r.pb.Stages); n++ {
		st := r.pb.Stage(n)
		for _, g := range st.Info {
			var lines []string
			for _, f := range g.Fields {
				key := playbook.InfoKey(g.ID, f.Key)
				v, ok := d.Info[key]
				mark := "✗"
				if ok {
					mark = "✓"
				}
				line := mark + " " + f.Name.In(q.Lang) + " `" + f.Key + "`"
				if ok {
					line += q.colon() + v
				}
				lines = append(lines, line)
			}
			rep.Add(Text{Text: g.ID + " " + g.Name.In(q.Lang) + "\n" + strings.Join(lines, "\n")})
		}
	}
	rep.Add(Context{Text: q.T("info.hint", "id", d.ID)})
	return rep
}
