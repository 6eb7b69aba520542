package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// Formatting in the user's language: amounts as 万/亿 in Chinese, event
// values with their labels rather than codes, times in the user's zone.

// money renders an amount in the request's language: "1,200,000 CNY" in
// English, "120万" in Chinese (see FormatMoneyIn).
func (q *Request) money(v int64, currency string) string { return FormatMoneyIn(q.Lang, v, currency) }

// FormatMoneyIn renders an amount for lang. Chinese writes amounts in 万
// and 亿, exactly (1200000 → 120万, 135000000 → 1.35亿, 12345 → 1.2345万)
// and leaves out the currency when it is CNY; English groups thousands.
// Either form parses back to the same amount with ParseMoney.
func FormatMoneyIn(lang playbook.Lang, v int64, currency string) string {
	if lang != playbook.ZH {
		return FormatMoney(v, currency)
	}
	var s string
	switch {
	case v >= 1e8 && v%1e6 == 0:
		s = strconv.FormatFloat(float64(v)/1e8, 'f', -1, 64) + "亿"
	case v >= 1e4:
		s = strconv.FormatInt(v/1e4, 10)
		if r := v % 1e4; r != 0 {
			s += strings.TrimRight("."+strconv.FormatInt(1e4+r, 10)[1:], "0")
		}
		s += "万"
	default:
		s = strconv.FormatInt(v, 10)
	}
	if currency != "" && currency != "CNY" {
		s += " " + currency
	}
	return s
}

// colon is the label separator of the request's language.
func (q *Request) colon() string {
	if q.Lang == playbook.ZH {
		return "："
	}
	return ": "
}

// eventLine is one line of a deal's history, in the user's language and
// time zone: "2026-12-01 14:00 · alice · edited Value: 100万 → 135万".
func (q *Request) eventLine(e coach.Event) string {
	s := q.fmtTime(e.At) + " · " + q.memberName(e.By) + " · " + q.T("event."+e.Kind)
	if f := q.eventField(e); f != "" {
		s += " " + f
	}
	before, after := q.eventValue(e, e.Before), q.eventValue(e, e.After)
	switch {
	case before != "" && after != "":
		s += q.colon() + before + " → " + after
	case after != "":
		s += q.colon() + after
	case before != "":
		s += q.colon() + before + " → ∅"
	}
	return s
}

// eventField names what an event changed, by label.
func (q *Request) eventField(e coach.Event) string {
	switch e.Kind {
	case "edit":
		if _, ok := catalog["field."+e.Field]; ok {
			return q.T("field." + e.Field)
		}
	case "check", "uncheck":
		return q.itemLabel(e.Field)
	case "buyer", "status", "meet", "note", "snooze", "mute", "create":
		return ""
	case "info":
		if name, ok := q.infoName(e.Field); ok {
			return name
		}
	case "contact":
		id, field, _ := strings.Cut(e.Field, ".")
		if field == "" {
			return "#" + id
		}
		return "#" + id + " " + q.T("field."+field)
	case "form":
		if i := strings.LastIndexByte(e.Field, '.'); i > 0 {
			if t, ok := q.r.pb.Tool(e.Field[:i]); ok {
				for _, f := range t.Fields {
					if f.Key == e.Field[i+1:] {
						return t.Name.In(q.Lang) + " · " + f.Name.In(q.Lang)
					}
				}
			}
		}
	case "session":
		return q.T("session.kind." + e.Field)
	}
	return e.Field
}

// infoName is an info field's label ("sN.iK.key" → "Decision process").
func (q *Request) infoName(full string) (string, bool) {
	i := strings.LastIndexByte(full, '.')
	if i < 0 {
		return "", false
	}
	g, ok := q.r.pb.InfoGroup(full[:i])
	if !ok {
		return "", false
	}
	for _, f := range g.Fields {
		if f.Key == full[i+1:] {
			return f.Name.In(q.Lang), true
		}
	}
	return "", false
}

// eventValue shows a recorded value with its label: amounts, stages,
// status, roles and attitudes, times in the user's zone.
func (q *Request) eventValue(e coach.Event, v string) string {
	if v == "" {
		return ""
	}
	switch e.Kind {
	case "check", "uncheck": // the verb says it
		return ""
	case "edit":
		switch e.Field {
		case "value":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return q.money(n, "")
			}
		case "owner":
			return q.memberName(v)
		}
	case "buyer":
		if n, err := strconv.Atoi(v); err == nil {
			if n == 0 {
				return q.T("buyer.unknown")
			}
			return q.buyerName(n)
		}
	case "status":
		return q.T("dealstatus." + v)
	case "contact":
		_, field, _ := strings.Cut(e.Field, ".")
		if field == "" { // a whole contact: "name, title, role, attitude, …"
			parts := strings.Split(v, ", ")
			for i, p := range parts {
				parts[i] = q.codeLabel(p)
			}
			return strings.Join(parts, q.T("list.sep"))
		}
		return q.codeLabel(v)
	case "meet", "snooze":
		when, rest, _ := strings.Cut(v, " ")
		if t, err := time.Parse(time.RFC3339, when); err == nil {
			return strings.TrimSpace(q.fmtTime(t) + " " + rest)
		}
	}
	return v
}

// codeLabel is the label of a role, attitude or influence code, or v.
func (q *Request) codeLabel(v string) string {
	for _, prefix := range []string{"role.", "attitude.", "influence."} {
		if _, ok := catalog[prefix+v]; ok {
			return q.T(prefix + v)
		}
	}
	return v
}

func init() {
	register(map[string]playbook.Text{
		"help.quit":           {EN: "`quit`, `exit` or `退出` (or Ctrl-D) leaves the console.", ZH: "输入 `quit`、`exit` 或 `退出`（或按 Ctrl-D）离开控制台。"},
		"list.sep":            {EN: ", ", ZH: "，"},
		"list.semi":           {EN: "; ", ZH: "；"},
		"progress.label_none": {EN: "Not started yet (of {total} stages)", ZH: "尚未开始（共 {total} 个阶段）"},
	})
}

// Singular texts, chosen by T when the count is 1 (see pluralKey). Chinese
// has no plural: the text is the same.
func init() {
	register(map[string]playbook.Text{
		"card.contacts.one":        {EN: "{n} contact", ZH: "{n} 位联系人"},
		"prep.people.one":          {EN: "{n} contact", ZH: "{n} 位联系人"},
		"info.done.one":            {EN: "{id}: {n} information field recorded.", ZH: "{id}：已记录 {n} 个信息字段。"},
		"form.saved.one":           {EN: "{id}: {tool} saved ({n} field).", ZH: "{id}：已保存 {tool}（{n} 项）。"},
		"session.applied.one":      {EN: "Session ended; {n} finding recorded on {id}.", ZH: "会话已结束；已在 {id} 上记录 {n} 项内容。"},
		"team.title.one":           {EN: "Team ({n} member)", ZH: "团队（{n} 位成员）"},
		"pipeline.row.one":         {EN: "{stage}: {n} deal · {value} · weighted {weighted}", ZH: "{stage}：{n} 个商机 · {value} · 加权 {weighted}"},
		"pipeline.total.one":       {EN: "Total: {n} deal · {value} · weighted {weighted}", ZH: "合计：{n} 个商机 · {value} · 加权 {weighted}"},
		"flag.close_passed.one":    {EN: "The expected close date {date} passed {days} day ago: update it or close the deal.", ZH: "预计成交日期 {date} 已过去 {days} 天：请更新日期或关闭商机。"},
		"flag.success_overdue.one": {EN: "{stage} was reached {days} day ago and its success criteria are still open (limit {limit} days).", ZH: "{stage}已抵达 {days} 天，成功标准仍未完成（上限 {limit} 天）。"},
	})
}
