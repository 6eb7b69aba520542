package bot

func init() { register(noteMessages) }

// noteMessages are the texts of notes and their proposals (cmd_note.go).
var noteMessages = map[string]tx{
	"cmd.apply":    {EN: "Apply the proposals read from your latest note: all, or the numbers given.", ZH: "应用从你最近一条备注中读出的建议：全部，或指定编号。"},
	"cmd.discard":  {EN: "Discard the proposals of your latest note.", ZH: "放弃你最近一条备注的建议。"},
	"cmd.team.llm": {EN: "Turn the language model on or off for the team's notes (admins).", ZH: "为团队的备注开启或关闭语言模型（管理员）。"},

	"note.nothing":          {EN: "I found nothing to update in it.", ZH: "备注中没有发现需要更新的内容。"},
	"note.proposals":        {EN: "Read from your note (nothing is written until you apply):", ZH: "从备注中读出以下内容（应用之前不会写入）："},
	"note.apply_all":        {EN: "Apply all ({n})", ZH: "全部应用（{n}）"},
	"note.discard":          {EN: "Discard", ZH: "放弃"},
	"note.how":              {EN: "Tick a line to apply it, or type `apply`, `apply 1 3` or `discard`.", ZH: "勾选某一行即可应用，或输入 `应用`、`应用 1 3` 或 `放弃`。"},
	"note.unsaved":          {EN: "The note is saved, but my storage failed before I could keep the suggestions read from it, so there is nothing to apply. Nothing else was changed.", ZH: "备注已保存，但数据存储出错，未能保留从中读出的建议，因此没有可应用的内容。其他内容均未更改。"},
	"note.model_timeout":    {EN: "The language model took too long; these are the rules' proposals only.", ZH: "语言模型响应超时，以下仅为规则读出的建议。"},
	"note.model_failed":     {EN: "The language model could not be reached; these are the rules' proposals only.", ZH: "无法连接语言模型，以下仅为规则读出的建议。"},
	"note.by_model":         {EN: "(language model)", ZH: "（语言模型）"},
	"note.no_time":          {EN: "(no time given)", ZH: "（未给出时间）"},
	"note.sep":              {EN: ", ", ZH: "，"},
	"note.already":          {EN: "These proposals were applied already.", ZH: "这些建议已经应用过了。"},
	"note.nothing_to_apply": {EN: "Nothing to apply.", ZH: "没有需要应用的内容。"},
	"note.applied":          {EN: "Applied to {id} {name}:", ZH: "已应用到 {id} {name}："},
	"note.still_pending":    {EN: "{n} more waiting: `apply` or `discard`.", ZH: "还有 {n} 条待处理：`应用` 或 `放弃`。"},
	"note.failed":           {EN: "nothing was changed, try again", ZH: "没有做任何更改，请重试"},
	"note.discarded":        {EN: "Discarded {n} proposals of your note on {id}. The note itself stays.", ZH: "已放弃你在 {id} 上那条备注的 {n} 条建议，备注本身保留。"},
	"note.cannot_untick":    {EN: "An applied proposal cannot be unticked; change it with the usual command.", ZH: "已应用的建议不能取消勾选；请用相应命令修改。"},
	"note.which_deal":       {EN: "Which deal is this note about?", ZH: "这条备注是关于哪个商机的？"},
	"note.llm_on":           {EN: "The language model now reads the team's notes too.", ZH: "语言模型现在也会读取团队的备注。"},
	"note.llm_off":          {EN: "The language model is off: notes are read by the rules only.", ZH: "语言模型已关闭：备注只由规则读取。"},

	"prop.check":          {EN: "Tick {item}", ZH: "勾选 {item}"},
	"prop.add_contact":    {EN: "Add contact {name}", ZH: "添加联系人 {name}"},
	"prop.add_contact_as": {EN: "Add contact {name} ({what})", ZH: "添加联系人 {name}（{what}）"},
	"prop.edit_contact":   {EN: "Update contact {name}: {what}", ZH: "更新联系人 {name}：{what}"},
	"prop.book_meeting":   {EN: "Book a meeting {when} {topic}", ZH: "约定会谈 {when} {topic}"},
	"prop.place":          {EN: " at {place}", ZH: "，地点：{place}"},
	"prop.move_meeting":   {EN: "Move meeting {n} {topic} to {when}", ZH: "将会谈 {n} {topic} 改到 {when}"},
	"prop.cancel_meeting": {EN: "Cancel meeting {n} {topic} ({when})", ZH: "取消会谈 {n} {topic}（{when}）"},
	"prop.value":          {EN: "Set the deal value to {value}", ZH: "将商机金额设为 {value}"},
	"prop.close":          {EN: "Set the expected close date to {date}", ZH: "将预计成交日期设为 {date}"},
	"prop.buyer":          {EN: "Set the customer's buying stage to {stage}", ZH: "将客户采购阶段设为 {stage}"},
	"prop.won":            {EN: "Mark the deal won", ZH: "标记为赢单"},
	"prop.lost":           {EN: "Mark the deal lost: {reason}", ZH: "标记为丢单：{reason}"},
	"prop.info":           {EN: "Record “{field}”: {value}", ZH: "记录“{field}”：{value}"},

	"err.no_proposals":     {EN: "You have no note waiting to be applied. Write one with `note <deal> <text>`.", ZH: "你没有待应用的备注。用 `备注 <商机> <内容>` 写一条。"},
	"err.unknown_proposal": {EN: "There is no proposal {n}; the numbers are {valid}.", ZH: "没有编号为 {n} 的建议；可用编号：{valid}。"},
}
