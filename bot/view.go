package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// changedCard confirms a change: what changed, then the next step, with
// a button to show the card (not the whole card after every update). A
// one-tap control on the card itself (the buyer-stage select, reopen)
// updates the card in place instead.
func (r *Router) changedCard(q *Request, ch coach.Change, key string, kv ...string) Reply {
	d := ch.After
	msg := q.T("change.none", "id", d.ID)
	if len(ch.Events) > 0 {
		msg = q.T(key, append([]string{"id", d.ID}, kv...)...)
	}
	if a := q.Msg.Action; a != nil && a.Kind == ActionCommand {
		rep := r.dealCard(q, coach.Evaluate(r.pb, d), d)
		rep.Blocks = append([]Block{Context{Text: msg}}, rep.Blocks...)
		rep.Summary, rep.Replace = msg, true
		return rep
	}
	return r.confirmation(q, d, msg)
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

// itemLabel is "s2.m1 Right handler found".
func (q *Request) itemLabel(id string) string {
	if it, ok := q.r.pb.Item(id); ok {
		return it.ID + " " + it.Text.In(q.Lang)
	}
	return id
}

func (q *Request) itemLabels(ids []string) string {
	var parts []string
	for _, id := range ids {
		parts = append(parts, q.itemLabel(id))
	}
	return strings.Join(parts, q.T("list.semi"))
}

// stageName is "stage 2 · Visit & preliminary research".
func (q *Request) stageName(n int) string {
	st := q.r.pb.Stage(n)
	if st == nil {
		return q.T("stage.none")
	}
	return q.T("stage.n", "n", strconv.Itoa(n)) + " · " + st.Name.In(q.Lang)
}

// buyerName is "C3 · approves project, forms purchasing group" or "unknown".
func (q *Request) buyerName(n int) string {
	st := q.r.pb.Stage(n)
	if st == nil {
		return q.T("buyer.unknown")
	}
	return st.BuyerStage.In(q.Lang)
}

// memberName is a member's display name, or the id.
func (q *Request) memberName(id string) string {
	if m, ok := q.Team.Members[id]; ok && m.Name != "" {
		return m.Name
	}
	return id
}

// FormatMoney renders 1200000 CNY as "1,200,000 CNY".
func FormatMoney(v int64, currency string) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if currency != "" {
		b.WriteString(" " + currency)
	}
	return b.String()
}

func (q *Request) fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(q.Loc).Format("2006-01-02 15:04")
}

func (q *Request) now() time.Time { return q.r.svc.Now() }

// daysSince is whole days from t to now.
func (q *Request) daysSince(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	return int(q.now().Sub(t).Hours() / 24)
}

// statusLine is the honest one-line verdict on where a deal stands.
func (q *Request) statusLine(p coach.Progress) string {
	switch {
	case p.Reached == 0:
		return q.T("status.not_started", "next", q.stageName(1), "missing", q.itemLabels(p.Missing))
	case p.Reached > p.Completed:
		return q.T("status.reached", "stage", q.stageName(p.Reached), "missing", q.itemLabels(p.Missing))
	case p.Active == 0:
		return q.T("status.all_done", "stage", q.stageName(p.Completed))
	default:
		return q.T("status.completed", "stage", q.stageName(p.Completed), "next", q.stageName(p.Active), "missing", q.itemLabels(p.Missing))
	}
}

// syncLine explains the buyer-sync verdict in words.
func (q *Request) syncLine(s coach.SyncResult) string {
	return q.T("sync."+s.Verdict) + " — " + q.T("syncwhy."+s.Reason, "ours", strconv.Itoa(s.Ours), "buyer", strconv.Itoa(s.Buyer))
}

// progressLabel is "Stage 2 reached · stage 1 completed".
func (q *Request) progressLabel(p coach.Progress) string {
	if p.Reached == 0 {
		return q.T("progress.label_none", "total", strconv.Itoa(len(q.r.pb.Stages)))
	}
	return q.T("progress.label", "reached", strconv.Itoa(p.Reached), "completed", strconv.Itoa(p.Completed), "total", strconv.Itoa(len(q.r.pb.Stages)))
}

// dealCard renders a deal: facts, stage progress, the honest verdict, buyer
// sync, the active stage's checklist, and the actions a rep takes next.
func (r *Router) dealCard(q *Request, p coach.Progress, d *coach.Deal) Reply {
	rep := Reply{Deal: d.ID}
	rep.Summary = d.ID + " " + d.Name + " — " + q.statusLine(p)
	rep.Add(Heading{Text: d.ID + " · " + d.Name})
	var f []Field
	add := func(key, v string) {
		if v != "" {
			f = append(f, Field{Label: q.T(key), Value: v})
		}
	}
	add("field.customer", d.Customer)
	add("field.owner", q.memberName(d.Owner))
	if d.Value > 0 {
		add("field.value", q.money(d.Value, d.Currency))
	}
	add("field.close", d.CloseDate)
	add("field.industry", d.Industry)
	status := q.T("dealstatus." + string(d.Status))
	if d.Status == coach.StatusLost && d.LostReason != "" {
		status += q.colon() + d.LostReason
	}
	add("field.status", status)
	add("field.win", strconv.Itoa(p.WinProbability)+"%")
	rep.Add(Fields{Items: f})
	rep.Add(Progress{Label: q.progressLabel(p), Reached: p.Reached, Completed: p.Completed, Total: len(r.pb.Stages)})
	rep.Add(Text{Text: q.statusLine(p)})
	sync := coach.BuyerSync(p, d.BuyerStage)
	syncText := q.syncLine(sync)
	if d.Open() && sync.Reason == "unknown" { // the buyer-stage select is on the card
		syncText = q.T("sync."+sync.Verdict) + " — " + q.T("syncwhy.unknown_card")
	}
	rep.Add(Fields{Items: []Field{
		{Label: q.T("field.buyer"), Value: q.buyerName(d.BuyerStage)},
		{Label: q.T("field.sync"), Value: syncText},
	}})
	if d.Open() && p.Active > 0 {
		rep.Add(r.checklist(q, d, p, p.Active))
		if cl, ok := r.relationshipChecklist(q, d, p.Active); ok {
			rep.Add(cl)
		}
	}
	if len(p.Pending) > 0 {
		var earlier, reach []string
		for _, id := range p.Pending {
			if why, _ := coach.PendingReason(r.pb, id); why == coach.PendingReach {
				reach = append(reach, id)
			} else {
				earlier = append(earlier, id)
			}
		}
		if len(earlier) > 0 {
			rep.Add(Context{Text: q.T("card.pending", "list", strings.Join(earlier, ", "))})
		}
		if len(reach) > 0 {
			rep.Add(Context{Text: q.T("card.pending_reach", "list", strings.Join(reach, ", "))})
		}
	}
	var facts []string
	if len(d.Stakeholders) > 0 {
		facts = append(facts, q.T("card.contacts", "n", strconv.Itoa(len(d.Stakeholders))))
	}
	if m, ok := d.NextMeeting(q.now()); ok {
		facts = append(facts, q.T("card.next_meeting", "when", q.fmtTime(m.At), "topic", m.Topic))
	}
	if !d.LastProgressAt.IsZero() {
		facts = append(facts, q.T("card.since_progress", "days", strconv.Itoa(q.daysSince(d.LastProgressAt))))
	}
	if len(facts) > 0 {
		rep.Add(Context{Text: strings.Join(facts, " · ")})
	}
	rep.Add(r.cardControls(q, d, p)...)
	return rep
}

// checklist is the milestone and success items of stage n, as tickable
// items; ticks that will count only later carry a note.
func (r *Router) checklist(q *Request, d *coach.Deal, p coach.Progress, n int) Checklist {
	st := r.pb.Stage(n)
	cl := Checklist{Title: q.T("card.checklist", "stage", q.stageName(n), "milestone", st.MilestoneName.In(q.Lang)), Deal: d.ID}
	for _, it := range st.Checklist() {
		ci := CheckItem{ID: it.ID, Label: it.ID + " " + it.Text.In(q.Lang), Checked: d.IsChecked(it.ID)}
		if ci.Checked && !p.Counts(it.ID) {
			ci.Note = q.T("card.counts_later", "stage", strconv.Itoa(n))
			if why, st := coach.PendingReason(r.pb, it.ID); why == coach.PendingReach {
				ci.Note = q.T("card.counts_on_reach", "stage", strconv.Itoa(st))
			}
		}
		cl.Items = append(cl.Items, ci)
	}
	return cl
}

// buyerSelect offers the customer's buying stages 0..8.
func (r *Router) buyerSelect(q *Request, d *coach.Deal) Select {
	sel := Select{Label: q.T("field.buyer"), Placeholder: q.T("card.pick_buyer"), Initial: d.BuyerStage}
	for n := 0; n <= len(r.pb.Stages); n++ {
		label := q.T("buyer.unknown")
		if n > 0 {
			label = q.buyerName(n)
		}
		sel.Options = append(sel.Options, Option{Label: label, Command: "buyer " + d.ID + " " + strconv.Itoa(n)})
	}
	return sel
}

// tip renders a coaching tip with the playbook text it quotes.
func (q *Request) tip(t coach.Tip) string {
	s := q.T("tip." + t.Code)
	if t.Ref == "" {
		return s
	}
	if tech, ok := q.r.pb.Technique(t.Ref); ok {
		return s + " (" + t.Ref + ": " + tech.Text.In(q.Lang) + ")"
	}
	for _, st := range q.r.pb.Stages {
		for _, p := range st.Processes {
			if p.ID == t.Ref {
				return s + " (" + p.ID + ": " + p.Text.In(q.Lang) + ")"
			}
		}
	}
	return s
}

// dealLine is one line of a deal list.
func (q *Request) dealLine(d *coach.Deal) string {
	p := coach.Evaluate(q.r.pb, d)
	parts := []string{d.ID + " " + d.Name}
	if d.Customer != "" {
		parts = append(parts, d.Customer)
	}
	if d.Open() {
		parts = append(parts, q.T("list.stage", "reached", strconv.Itoa(p.Reached), "completed", strconv.Itoa(p.Completed)))
		s := coach.BuyerSync(p, d.BuyerStage)
		if s.Verdict != coach.SyncUnknown {
			parts = append(parts, q.T("sync."+s.Verdict))
		}
		parts = append(parts, q.T("card.since_progress", "days", strconv.Itoa(q.daysSince(d.LastProgressAt))))
	} else {
		parts = append(parts, q.T("dealstatus."+string(d.Status)))
	}
	if q.Team.SeesOthers(q.Actor.User) && d.Owner != q.Actor.User {
		parts = append(parts, "@"+q.memberName(d.Owner))
	}
	return strings.Join(parts, " · ")
}
