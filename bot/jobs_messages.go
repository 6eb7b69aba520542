package bot

func init() {
	register(map[string]tx{
		"cmd.snooze":    {EN: "Pause nudges for a deal: 1d, 3d, 1w… (off ends it).", ZH: "暂停某商机的提醒：1d、3d、1w…（off 取消暂停）。"},
		"cmd.mute":      {EN: "Stop all nudges for a deal.", ZH: "关闭某商机的所有提醒。"},
		"cmd.unmute":    {EN: "Turn nudges for a deal back on.", ZH: "重新开启某商机的提醒。"},
		"cmd.digest":    {EN: "The weekly digest now: pipeline vs last week, changes, deals that need attention, reps with a coaching focus, scorecard gaps (managers, admins).", ZH: "立即查看周报：与上周对比的销售管道、变化、需要关注的商机、各销售代表及辅导重点、考核短板（经理、管理员）。"},
		"cmd.scorecard": {EN: "Process scorecards for the week and the quarter: yours, your reports' or (admins) anyone's.", ZH: "本周和本季度的过程考核评分卡：你自己的、下属的，或（管理员）任何人的。"},

		"snooze.done": {EN: "{id}: no nudges until {until}.", ZH: "{id}：{until} 之前不再提醒。"},
		"snooze.off":  {EN: "{id}: nudges are back on.", ZH: "{id}：已恢复提醒。"},
		"mute.on":     {EN: "{id}: muted — no more nudges. `unmute {id}` turns them back on.", ZH: "{id}：已静音，不再提醒。用 `unmute {id}` 重新开启。"},
		"mute.off":    {EN: "{id}: nudges are on again.", ZH: "{id}：已重新开启提醒。"},

		"digest.schedule": {EN: "Weekly digest: {weekday} {time} ({tz}).", ZH: "周报发送时间：{weekday} {time}（{tz}）。"},
		"weekday.1":       {EN: "Monday", ZH: "周一"},
		"weekday.2":       {EN: "Tuesday", ZH: "周二"},
		"weekday.3":       {EN: "Wednesday", ZH: "周三"},
		"weekday.4":       {EN: "Thursday", ZH: "周四"},
		"weekday.5":       {EN: "Friday", ZH: "周五"},
		"weekday.6":       {EN: "Saturday", ZH: "周六"},
		"weekday.7":       {EN: "Sunday", ZH: "周日"},

		"flag.stalled":            {EN: "No checklist progress for {days} days (the limit in {stage} is {limit} days) and no meeting booked within that time.", ZH: "已 {days} 天没有检查清单进展（{stage}的上限是 {limit} 天），在此期限内也没有约定会谈。"},
		"flag.catch_up":           {EN: "The customer is ahead: {sync}", ZH: "客户进度领先：{sync}"},
		"flag.consider_giving_up": {EN: "The customer is ahead: {sync}", ZH: "客户进度领先：{sync}"},
		"flag.close_passed":       {EN: "The expected close date {date} passed {days} days ago: update it or close the deal.", ZH: "预计成交日期 {date} 已过去 {days} 天：请更新日期或关闭商机。"},
		"flag.no_decision_maker":  {EN: "{stage} reached, but no decision-maker among the contacts.", ZH: "已抵达{stage}，但联系人中还没有决策者。"},
		"flag.no_supporter":       {EN: "{stage} reached, but no supporter among the contacts.", ZH: "已抵达{stage}，但联系人中还没有支持者。"},
		"flag.success_overdue":    {EN: "{stage} was reached {days} days ago and its success criteria are still open (limit {limit} days).", ZH: "{stage}已抵达 {days} 天，成功标准仍未完成（上限 {limit} 天）。"},

		"flagshort.stalled":            {EN: "stalled {days} d", ZH: "停滞 {days} 天"},
		"flagshort.catch_up":           {EN: "buyer ahead: catch up", ZH: "客户领先：需要追赶"},
		"flagshort.consider_giving_up": {EN: "buyer far ahead: consider giving up", ZH: "客户远远领先：考虑放弃"},
		"flagshort.close_passed":       {EN: "close date passed", ZH: "已过预计成交日期"},
		"flagshort.no_decision_maker":  {EN: "no decision-maker", ZH: "没有决策者"},
		"flagshort.no_supporter":       {EN: "no supporter", ZH: "没有支持者"},
		"flagshort.success_overdue":    {EN: "success criteria overdue", ZH: "成功标准逾期未完成"},

		"nudge.title":   {EN: "⏰ {id} · {name} needs a push", ZH: "⏰ {id} · {name} 需要推进"},
		"nudge.next":    {EN: "Next: {item}", ZH: "下一步：{item}"},
		"nudge.ask":     {EN: "Try asking: “{question}”", ZH: "可以这样问：“{question}”"},
		"nudge.action":  {EN: "Suggested action: {action}", ZH: "建议行动：{action}"},
		"nudge.hint":    {EN: "`snooze {id} 3d` pauses these reminders, `mute {id}` stops them.", ZH: "`snooze {id} 3d` 暂停提醒，`mute {id}` 关闭提醒。"},
		"nudge.summary": {EN: "{id} {name}: {why}", ZH: "{id} {name}：{why}"},
		"btn.tick":      {EN: "Tick {item}", ZH: "勾选 {item}"},
		"btn.snooze":    {EN: "Snooze {for}", ZH: "暂停 {for}"},
		"btn.open":      {EN: "Open deal", ZH: "查看商机"},

		"reminder.prep":      {EN: "📅 Upcoming meeting · {id} {name}", ZH: "📅 即将会谈 · {id} {name}"},
		"reminder.soon":      {EN: "⏰ Meeting within the hour · {id} {name}", ZH: "⏰ 一小时内会谈 · {id} {name}"},
		"reminder.when":      {EN: "When", ZH: "时间"},
		"reminder.prep_hint": {EN: "Prepare the call: `prep {id}` gives the key people, open questions and what to get out of it.", ZH: "做好拜访准备：`prep {id}` 列出关键人员、待问问题和本次会谈的目标。"},

		"digest.title": {EN: "Weekly digest · {team} · {from} – {to}", ZH: "周报 · {team} · {from} – {to}"},

		"scorecard.title":     {EN: "Process scorecards (week / quarter)", ZH: "过程考核评分卡（本周 / 本季度）"},
		"scorecard.none":      {EN: "No reps to score.", ZH: "没有可考核的销售代表。"},
		"scorecard.item":      {EN: "{id} {text}: {week} / {quarter}", ZH: "{id} {text}：{week} / {quarter}"},
		"scorecard.no_items":  {EN: "No evaluation item achieved this quarter.", ZH: "本季度尚未达成任何考核项目。"},
		"scorecard.adherence": {EN: "Process: {ticks} ticks this week ({late} out of order), {qticks} this quarter ({qlate} out of order); {stalled} stalled deals now.", ZH: "过程：本周勾选 {ticks} 项（其中 {late} 项超前），本季度 {qticks} 项（其中 {qlate} 项超前）；当前停滞商机 {stalled} 个。"},
		"scorecard.hint":      {EN: "An evaluation item counts when all its checklist items were ticked in the period; out of order = ticked before the earlier stages were completed.", ZH: "某考核项目的全部检查项在该期间内勾选完成才计入；超前 = 在前面阶段完成之前就勾选。"},
	})
}
