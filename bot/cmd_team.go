package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func (r *Router) cmdLang(q *Request) (Reply, error) {
	w := q.Args.Word(0)
	l, ok := playbook.ParseLang(w)
	if !ok {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "lang", "value", w, "expected", "zh|en")
	}
	if _, err := r.svc.SetLang(q.Ctx, q.Actor, string(l)); err != nil {
		return Reply{}, err
	}
	q.Lang = l
	msg := q.T("lang.done")
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

// userArg accepts a user id, a Slack mention <@U123|name>, or @name.
func userArg(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<@"), ">")
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	return strings.TrimPrefix(s, "@")
}

// teamCommands: your language, and the team with its sub-commands.
func (r *Router) teamCommands() []*Command {
	return []*Command{
		{Name: "lang", Aliases: []string{"语言"}, Usage: "zh|en", Group: "team", Examples: []string{"lang zh"}, Run: r.cmdLang},
		{Name: "team", Aliases: []string{"团队"}, Group: "team", Run: r.cmdTeam,
			Sub: append([]*Command{
				{Name: "role", Aliases: []string{"角色"}, Usage: "<user> <admin|manager|rep>", Examples: []string{"team role U123 manager"}, Run: r.teamRole},
				{Name: "add", Aliases: []string{"添加"}, Usage: "<user>…", Examples: []string{"team add @Wang @Li"}, Run: r.teamAdd},
				{Name: "reports", Aliases: []string{"汇报"}, Usage: "<user> <manager>", Examples: []string{"team reports U456 U123"}, Run: r.teamReports},
				{Name: "lang", Aliases: []string{"语言"}, Usage: "zh|en", Examples: []string{"team lang zh"}, Run: r.teamLang},
				{Name: "tz", Aliases: []string{"timezone", "时区"}, Usage: "<IANA zone>", Examples: []string{"team tz Asia/Shanghai"}, Run: r.teamTZ},
				{Name: "llm", Aliases: []string{"模型"}, Usage: "on|off", Examples: []string{"team llm off"}, Run: r.teamLLM},
				{Name: "digest", Aliases: []string{"周报"}, Usage: "<weekday> <HH:MM> [zone]", Examples: []string{"team digest monday 09:00 Asia/Shanghai"}, Run: r.teamDigest},
				{Name: "alerts", Aliases: []string{"提醒", "预警"}, Usage: "on|off [threshold]", Examples: []string{"team alerts on 50万", "team alerts off"}, Run: r.teamAlerts},
			}, r.mirrorSubs()...)}, // cmd_mirror.go
	}
}

// cmdTeam is `team` alone: the members and the settings.
func (r *Router) cmdTeam(q *Request) (Reply, error) {
	if w := q.Args.Word(0); w != "" {
		return Reply{}, q.badSub(w)
	}
	return r.teamView(q, q.Team), nil
}

func (r *Router) teamRole(q *Request) (Reply, error) {
	t, err := r.svc.SetMemberRole(q.Ctx, q.Actor, r.memberRef(q.Team, q.Args.Word(1)), strings.ToLower(q.Args.Word(2)))
	if err != nil {
		return Reply{}, err
	}
	return r.teamView(q, t), nil
}

func (r *Router) teamReports(q *Request) (Reply, error) {
	t, err := r.svc.SetReportsTo(q.Ctx, q.Actor, r.memberRef(q.Team, q.Args.Word(1)), r.memberRef(q.Team, q.Args.Word(2)))
	if err != nil {
		return Reply{}, err
	}
	return r.teamView(q, t), nil
}

func (r *Router) teamLang(q *Request) (Reply, error) {
	l, ok := playbook.ParseLang(q.Args.Word(1))
	if !ok {
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "lang", "value", q.Args.Word(1), "expected", "zh|en")
	}
	t, err := r.svc.SetTeamLang(q.Ctx, q.Actor, string(l))
	if err != nil {
		return Reply{}, err
	}
	return r.teamView(q, t), nil
}

func (r *Router) teamTZ(q *Request) (Reply, error) {
	t, err := r.svc.SetTimezone(q.Ctx, q.Actor, q.Args.Word(1))
	if err != nil {
		return Reply{}, err
	}
	return r.teamView(q, t), nil
}

// memberRef resolves a user argument to a member id: an id, a mention, or
// a unique case-insensitive display name.
func (r *Router) memberRef(t *coach.Team, s string) string {
	id := userArg(s)
	if _, ok := t.Members[id]; ok {
		return id
	}
	var hit string
	for mid, m := range t.Members {
		if strings.EqualFold(m.Name, id) {
			if hit != "" {
				return id
			}
			hit = mid
		}
	}
	if hit != "" {
		return hit
	}
	return id
}

func (r *Router) teamView(q *Request, t *coach.Team) Reply {
	var rep Reply
	rep.Add(Heading{Text: q.T("team.title", "n", strconv.Itoa(len(t.Members)))})
	ids := make([]string, 0, len(t.Members))
	for id := range t.Members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var lines []string
	for _, id := range ids {
		m := t.Members[id]
		// names, not platform ids (the id only while no name is known)
		line := memberLabel(t, id) + " · " + q.T("memberrole."+m.Role)
		if m.Manager != "" {
			line += " · " + q.T("team.reports_to", "manager", memberLabel(t, m.Manager))
		}
		lines = append(lines, line)
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	lang := t.Lang
	if lang == "" {
		lang = "—"
	}
	rep.Add(Context{Text: q.T("team.settings", "lang", lang, "tz", t.Zone())})
	return rep
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
	t, err := r.svc.SetDigestSchedule(q.Ctx, q.Actor, wd, q.Args.Word(2), q.Args.Word(3))
	if err != nil {
		return Reply{}, err
	}
	return r.digestSettings(q, t), nil
}

func (r *Router) digestSettings(q *Request, t *coach.Team) Reply {
	wd, clock, tz := t.DigestSchedule()
	msg := q.T("digest.schedule", "weekday", q.T("weekday."+strconv.Itoa(wd)), "time", clock, "tz", tz)
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}
}

// alertSwitch reads on/off words in both languages.
var alertSwitch = map[string]bool{"on": true, "开": true, "开启": true, "打开": true, "off": false, "关": false, "关闭": false}

// teamAlerts is `team alerts [on|off] [threshold]`: manager alerts when a
// deal worth at least threshold slips or turns consider-giving-up (the
// permission check is coach's).
func (r *Router) teamAlerts(q *Request) (Reply, error) {
	t := q.Team
	if w := q.Args.Word(1); w != "" {
		on, ok := alertSwitch[strings.ToLower(w)]
		if !ok {
			return Reply{}, coach.Errf(coach.CodeBadValue, "field", "alerts", "value", w, "expected", "on|off")
		}
		var threshold int64
		if s := q.Args.Word(2); s != "" {
			v, _, err := ParseMoney(s)
			if err != nil || v <= 0 {
				return Reply{}, coach.Errf(coach.CodeBadValue, "field", "threshold", "value", s, "expected", "500000, 50万, 500k")
			}
			threshold = v
		}
		var err error
		if t, err = r.svc.SetAlerts(q.Ctx, q.Actor, on, threshold); err != nil {
			return Reply{}, err
		}
	}
	msg := q.T("alerts.off")
	if t.Alerts.On {
		msg = q.T("alerts.on", "threshold", q.money(t.Alerts.Min(), ""))
	}
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}
