package bot

func init() { register(honestMessages) }

// honestMessages are the texts of the honest records: the meeting
// lifecycle, won and lost, log-type forms, paged history and warnings.
var honestMessages = map[string]tx{
	// commands
	"cmd.meetings":    {EN: "List a deal's meetings: booked, held, cancelled.", ZH: "列出商机的会谈：已约定、已举行、已取消。"},
	"cmd.meet.held":   {EN: "Record that a meeting took place, with its outcome and the next step.", ZH: "记录会谈已举行，以及结果和下一步。"},
	"cmd.meet.cancel": {EN: "Cancel a booked meeting.", ZH: "取消已约定的会谈。"},
	"cmd.meet.move":   {EN: "Move a booked meeting to another time.", ZH: "将已约定的会谈改到其他时间。"},

	// words used inside other messages (error parameters)
	"word.booked":    {EN: "booked", ZH: "已约定"},
	"word.held":      {EN: "held", ZH: "已举行"},
	"word.cancelled": {EN: "cancelled", ZH: "已取消"},
	"word.move":      {EN: "moved", ZH: "改期"},
	"word.cancel":    {EN: "cancelled", ZH: "取消"},
	"word.mark_held": {EN: "marked held", ZH: "记为已举行"},
	"word.won":       {EN: "won", ZH: "已赢单"},
	"word.lost":      {EN: "lost", ZH: "已丢单"},

	// errors
	"err.unknown_meeting": {EN: "{deal} has no meeting {n}. Nothing was changed; `meetings {deal}` lists them.", ZH: "{deal} 没有编号为 {n} 的会谈，未做任何更改；用 `meetings {deal}` 查看全部会谈。"},
	"err.meeting_state":   {EN: "Meeting {n} is {status}, so it can't be {action}. Nothing was changed.", ZH: "会谈 {n} {status}，不能{action}。未做任何更改。"},
	"err.meeting_past":    {EN: "Meeting {n} can't be moved into the past. If it took place, record it with `meet <deal> held {n}`. Nothing was changed.", ZH: "会谈 {n} 不能改到过去的时间。如果会谈已经举行，请用 `meet <deal> held {n}` 记录。未做任何更改。"},
	"err.no_such_day":     {EN: "There is no such day as {value} ({field}). Nothing was changed.", ZH: "日期 {value} 不存在（{field}）。未做任何更改。"},
	"err.future_date":     {EN: "{value} is still to come: a {field} must be today or earlier. Nothing was changed.", ZH: "{value} 还没有到：{field} 必须是今天或更早的日期。未做任何更改。"},
	"err.unknown_entry":   {EN: "{tool} has no entry {n}. Nothing was changed.", ZH: "{tool} 没有编号为 {n} 的记录。未做任何更改。"},
	"err.not_log":         {EN: "{tool} is a single form, not a log: it has no numbered entries. Fill it with `form <deal> {tool} field=value…`.", ZH: "{tool} 是单张表单，不是记录表，没有编号的记录。请用 `form <deal> {tool} 字段=值…` 填写。"},

	// meetings
	"meetings.title":           {EN: "Meetings · {id} {name}", ZH: "会谈 · {id} {name}"},
	"meetings.none":            {EN: "No meetings yet — book one with `meet {id} <YYYY-MM-DD HH:MM>`.", ZH: "还没有会谈——用 `meet {id} <YYYY-MM-DD HH:MM>` 约定一次。"},
	"meetings.hint":            {EN: "`meet {id} held <n> outcome=… next=…` · `meet {id} cancel <n>` · `meet {id} move <n> <YYYY-MM-DD HH:MM>`", ZH: "`meet {id} held <编号> outcome=… next=…` · `meet {id} cancel <编号>` · `meet {id} move <编号> <YYYY-MM-DD HH:MM>`"},
	"meeting.status.booked":    {EN: "booked", ZH: "已约定"},
	"meeting.status.held":      {EN: "held", ZH: "已举行"},
	"meeting.status.cancelled": {EN: "cancelled", ZH: "已取消"},
	"meeting.overdue":          {EN: "booked, time passed — was it held?", ZH: "已约定，时间已过——会谈举行了吗？"},
	"meeting.outcome":          {EN: "outcome: {text}", ZH: "结果：{text}"},
	"meeting.next":             {EN: "next: {text}", ZH: "下一步：{text}"},
	"meet.done_held":           {EN: "{id}: meeting on {when} recorded as held (the time has passed).", ZH: "{id}：{when} 的会谈已记录为已举行（时间已过）。"},
	"meet.held.done":           {EN: "{id}: meeting {n} recorded as held.", ZH: "{id}：会谈 {n} 已记录为已举行。"},
	"meet.cancel.done":         {EN: "{id}: meeting {n} cancelled.", ZH: "{id}：会谈 {n} 已取消。"},
	"meet.move.done":           {EN: "{id}: meeting {n} moved to {when}.", ZH: "{id}：会谈 {n} 已改到 {when}。"},
	"meet.ask_outcome":         {EN: "What came of it? `meet {id} held {n} outcome=… next=…`", ZH: "结果如何？`meet {id} held {n} outcome=… next=…`"},
	"meet.offer":               {EN: "This meeting is evidence for items not ticked yet — tick them if they are true:", ZH: "这次会谈可以证明以下尚未勾选的项——如属实，请勾选："},
	"meet.btn.held":            {EN: "Held #{n}", ZH: "已举行 #{n}"},
	"meet.btn.cancel":          {EN: "Cancel #{n}", ZH: "取消 #{n}"},
	"meet.btn.list":            {EN: "Meetings", ZH: "会谈列表"},
	"meet.btn.tick":            {EN: "✓ {item}", ZH: "✓ {item}"},
	"meet.btn.tick_all":        {EN: "Tick all", ZH: "全部勾选"},

	// won and lost
	"won.confirm":        {EN: "{id} has not reached stage {last} (reached: {stage}): the contract item s8.m1 does not count yet. Nothing was recorded. Still missing: {list}", ZH: "{id} 尚未抵达第 {last} 阶段（当前抵达：{stage}）：合同项 s8.m1 还不计入。尚未记录任何内容。还缺：{list}"},
	"won.confirm_ask":    {EN: "If the deal really is won, record it as an override: `won {id} confirm` (it is kept in the history and on the scorecard).", ZH: "如果确实已经赢单，可以破例记录：`won {id} 确认`（会记入变更记录和过程评分）。"},
	"won.btn.confirm":    {EN: "Record as won", ZH: "确认赢单"},
	"won.override_note":  {EN: "Recorded as an override below stage {last} — the history and the scorecard show it.", ZH: "已作为低于第 {last} 阶段的破例记录——变更记录和过程评分中都会显示。"},
	"won.final":          {EN: "Final value {value}, won on {date}. To correct: `won {id} value=… date=YYYY-MM-DD`.", ZH: "最终金额 {value}，赢单日期 {date}。如需更正：`won {id} value=… date=YYYY-MM-DD`。"},
	"lost.to_competitor": {EN: "Lost to {competitor}.", ZH: "输给了 {competitor}。"},
	"lost.reason":        {EN: "Reason: {reason}", ZH: "原因：{reason}"},

	// history
	"history.page_title": {EN: "History · {id} {name} (page {page})", ZH: "变更记录 · {id} {name}（第 {page} 页）"},
	"history.older":      {EN: "Older events: `history {id} {next}`", ZH: "更早的记录：`history {id} {next}`"},
	"history.oldest":     {EN: "That is the first event of the deal.", ZH: "以上已是该商机最早的记录。"},
	"history.btn.older":  {EN: "Older", ZH: "更早"},
	"event.override":     {EN: "override", ZH: "破例"},

	// digest and scorecard
	"digest.move.override":    {EN: "(recorded below stage 8, confirmed)", ZH: "（未到第 8 阶段，经确认记录）"},
	"scorecard.won_overrides": {EN: "Won without reaching stage 8 (confirmed): {week} this week, {quarter} this quarter", ZH: "未到第 8 阶段即确认赢单：本周 {week} 个，本季度 {quarter} 个"},

	// log-type forms
	"form.status_log":    {EN: "{mark} {tool} — {n} entries", ZH: "{mark} {tool}——{n} 条记录"},
	"form.entries":       {EN: "Entries ({n}):", ZH: "记录（{n} 条）："},
	"form.no_entries":    {EN: "No entries yet: the form below adds the first one.", ZH: "还没有记录：用下面的表单添加第一条。"},
	"form.entry_added":   {EN: "{id}: entry {n} added to {tool}.", ZH: "{id}：已在 {tool} 中添加第 {n} 条记录。"},
	"form.entry_saved":   {EN: "{id}: entry {n} of {tool} changed.", ZH: "{id}：已修改 {tool} 的第 {n} 条记录。"},
	"form.entry_gone":    {EN: "{id}: entry {n} removed from {tool}.", ZH: "{id}：已从 {tool} 删除第 {n} 条记录。"},
	"form.entry_hint":    {EN: "Change one: `form {id} {tool} edit <n> field=…` · remove one: `form {id} {tool} remove <n>`", ZH: "修改：`form {id} {tool} edit <编号> 字段=…` · 删除：`form {id} {tool} remove <编号>`"},
	"form.entry_contact": {EN: "contact {contact}", ZH: "联系人 {contact}"},

	// checklist: why a tick counts later
	"tick.later_reach":     {EN: "Kept — but {list} will count only once stage {stage} is reached (its success criteria need the stage itself).", ZH: "已保留——但 {list} 要等抵达第 {stage} 阶段后才计入（成功标准以抵达该阶段为前提）。"},
	"card.counts_on_reach": {EN: "counts once stage {stage} is reached", ZH: "抵达第 {stage} 阶段后才计入"},
	"card.pending_reach":   {EN: "Success criteria ticked before their stage is reached (kept; they count once it is): {list}", ZH: "在抵达所属阶段之前勾选的成功标准（已保留，抵达该阶段后才计入）：{list}"},

	// warnings on create and edit
	"warn.close_past":     {EN: "Note: the expected close date {date} is already past — is it still right? (`edit {id} close=YYYY-MM-DD`)", ZH: "注意：预计成交日期 {date} 已经过去——还准确吗？（`edit {id} close=YYYY-MM-DD`）"},
	"warn.duplicate_name": {EN: "Note: {deals} already has the name “{name}” — the same opportunity twice?", ZH: "注意：{deals} 已使用名称“{name}”——是不是同一个商机录入了两次？"},

	// prep
	"prep.visit":     {EN: "The booked meeting is the first visit: this prep aims at the visit's work (stage 2).", ZH: "已约定的会谈是第一次拜访：本次准备针对拜访阶段（第 2 阶段）的工作。"},
	"prep.best_case": {EN: "Bring: {case}", ZH: "带上案例：{case}"},
}
