package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// jobCommands are the nudge, digest and scorecard commands.
func (r *Router) jobCommands() []*Command {
	return []*Command{
		{Name: "snooze", Aliases: []string{"暂停提醒", "稍后提醒"}, Usage: "<deal> <1d|3d|1w|off>", Group: "deals",
			Examples: []string{"snooze D-1 3d", "snooze D-1 off"}, Run: r.cmdSnooze},
		{Name: "mute", Aliases: []string{"静音"}, Usage: "<deal>", Group: "deals", Examples: []string{"mute D-1"},
			Run: func(q *Request) (Reply, error) { return r.cmdMute(q, true) }},
		{Name: "unmute", Aliases: []string{"取消静音"}, Usage: "<deal>", Group: "deals", Examples: []string{"unmute D-1"},
			Run: func(q *Request) (Reply, error) { return r.cmdMute(q, false) }},
		{Name: "digest", Aliases: []string{"周报"}, Group: "manager", Run: r.cmdDigest},
		{Name: "scorecard", Aliases: []string{"评分卡", "考核"}, Usage: "[user]", Group: "manager",
			Examples: []string{"scorecard", "scorecard U123"}, Run: r.cmdScorecard},
	}
}

// teamJobCommand handles `team <op>` sub-commands of the job features
// (e.g. `team digest`); ok is false when op is not one of them.
func (r *Router) teamJobCommand(q *Request, op string) (rep Reply, ok bool, err error) {
	switch op {
	case "digest", "周报":
		rep, err = r.teamDigest(q)
		return rep, true, err
	}
	return Reply{}, false, nil
}

var weekdays = map[string]int{
	"mon": 1, "monday": 1, "周一": 1, "星期一": 1, "1": 1,
	"tue": 2, "tuesday": 2, "周二": 2, "星期二": 2, "2": 2,
	"wed": 3, "wednesday": 3, "周三": 3, "星期三": 3, "3": 3,
	"thu": 4, "thursday": 4, "周四": 4, "星期四": 4, "4": 4,
	"fri": 5, "friday": 5, "周五": 5, "星期五": 5, "5": 5,
	"sat": 6, "saturday": 6, "周六": 6, "星期六": 6, "6": 6,
	"sun": 7, "sunday": 7, "周日": 7, "星期日": 7, "星期天": 7, "7": 7, "0": 7,
}

// teamDigest is `team digest <weekday> <HH:MM> [<IANA zone>]`: when the
// weekly digest goes out, in the team's timezone (the zone, when given,
// becomes the team's timezone). Admins only.
func (r *Router) teamDigest(q *Request) (Reply, error) {
	if q.Args.Word(1) == "" {
		return r.digestSettings(q, q.Team), nil
	}
	wd, ok := weekdays[strings.ToLower(q.Args.Word(1))]
	if !ok {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "weekday", "value", q.Args.Word(1), "expected", "mon|tue|wed|thu|fri|sat|sun")
	}
	clock := q.Args.Word(2)
	if clock == "" {
		clock = "09:00"
	}
	h, m, ok := coach.ParseClock(clock)
	if !ok {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "time", "value", clock, "expected", "HH:MM")
	}
	zone := q.Args.Word(3)
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil {
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", "tz", "value", zone, "expected", "Asia/Shanghai, Europe/Berlin, UTC")
		}
	}
	t, err := r.svc.UpdateTeam(q.Ctx, q.Team.ID, func(t *coach.Team) error {
		if me := t.Members[q.Actor.User]; me == nil || me.Role != coach.RoleAdmin {
			return coach.Errf(coach.CodeForbidden, "action", "team digest")
		}
		t.DigestWeekday = wd
		t.DigestTime = twoDigits(h) + ":" + twoDigits(m)
		if zone != "" {
			t.Timezone = zone
		}
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	return r.digestSettings(q, t), nil
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (r *Router) digestSettings(q *Request, t *coach.Team) Reply {
	wd := t.DigestWeekday
	if wd == 0 {
		wd = 1
	}
	clock := t.DigestTime
	if clock == "" {
		clock = "09:00"
	}
	tz := t.Timezone
	if tz == "" {
		tz = "UTC"
	}
	msg := q.T("digest.schedule", "weekday", q.T("weekday."+strconv.Itoa(wd)), "time", clock, "tz", tz)
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}
}

func (r *Router) cmdSnooze(q *Request) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	w := strings.ToLower(q.Args.Word(1))
	var until time.Time
	switch w {
	case "":
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "duration")
	case "off", "0", "取消":
	default:
		dur, err := ParseDuration(w)
		if err != nil {
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", "duration", "value", w, "expected", "1d, 3d, 1w, 2h, off")
		}
		until = q.now().Add(dur)
	}
	ch, err := r.svc.Snooze(q.Ctx, q.Actor, q.Team, d.ID, until)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("snooze.off", "id", d.ID)
	if !until.IsZero() {
		msg = q.T("snooze.done", "id", d.ID, "until", q.fmtTime(ch.After.SnoozedUntil))
	}
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

func (r *Router) cmdMute(q *Request, on bool) (Reply, error) {
	d, err := q.dealArg()
	if err != nil {
		return Reply{}, err
	}
	if _, err := r.svc.Mute(q.Ctx, q.Actor, q.Team, d.ID, on); err != nil {
		return Reply{}, err
	}
	key := "mute.off"
	if on {
		key = "mute.on"
	}
	msg := q.T(key, "id", d.ID)
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

func (r *Router) cmdDigest(q *Request) (Reply, error) {
	if q.Member.Role == coach.RoleRep {
		return Reply{}, coach.Errf(coach.CodeForbidden, "action", "digest")
	}
	rep, err := r.svc.Report(q.Ctx, q.Team, q.now())
	if err != nil {
		return Reply{}, err
	}
	out := r.digestReply(q, rep.For(q.Actor.User))
	out.Ephemeral = true
	return out, nil
}

func (r *Router) cmdScorecard(q *Request) (Reply, error) {
	rep := ""
	if w := q.Args.Word(0); w != "" {
		rep = r.memberRef(q.Team, w)
	}
	week, quarter, _, err := r.svc.Scorecards(q.Ctx, q.Team, q.Actor.User, rep, q.now())
	if err != nil {
		return Reply{}, err
	}
	var out Reply
	out.Ephemeral = true
	out.Add(Heading{Text: q.T("scorecard.title")})
	if len(week) == 0 {
		out.Add(Text{Text: q.T("scorecard.none")})
	}
	byRep := map[string]coach.RepScore{}
	for _, s := range quarter {
		byRep[s.Rep] = s
	}
	for _, w := range week {
		out.Add(Divider{}, Heading{Text: q.memberName(w.Rep)}, Text{Text: r.scoreLines(q, w, byRep[w.Rep])})
	}
	out.Add(Context{Text: q.T("scorecard.hint")})
	out.Summary = q.T("scorecard.title")
	return out, nil
}

// scoreLines renders a rep's week and quarter scorecards: each evaluation
// item achieved in the quarter with its week and quarter counts, then the
// process adherence.
func (r *Router) scoreLines(q *Request, week, quarter coach.RepScore) string {
	var lines []string
	for _, e := range coach.EvalItems(r.pb) {
		w, qt := week.Items[e.ID], quarter.Items[e.ID]
		if w == 0 && qt == 0 {
			continue
		}
		lines = append(lines, q.T("scorecard.item", "id", e.ID, "text", e.Text.In(q.Lang), "week", strconv.Itoa(w), "quarter", strconv.Itoa(qt)))
	}
	if len(lines) == 0 {
		lines = append(lines, q.T("scorecard.no_items"))
	}
	lines = append(lines, q.T("scorecard.adherence",
		"ticks", strconv.Itoa(week.Ticks), "late", strconv.Itoa(week.OutOfOrder),
		"qticks", strconv.Itoa(quarter.Ticks), "qlate", strconv.Itoa(quarter.OutOfOrder),
		"stalled", strconv.Itoa(week.Stalled)))
	return strings.Join(lines, "\n")
}
