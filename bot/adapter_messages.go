package bot

func init() { register(adapterMessages) }

// adapterMessages are the few texts the adapters write themselves (busy
// and error notices, form chrome, truncation notes), in the one catalog.
var adapterMessages = map[string]tx{
	"slack.error":         {EN: "Something went wrong (ref {ref}). Please try again.", ZH: "出错了（编号 {ref}），请再试一次。"},
	"slack.open_form":     {EN: "Open form", ZH: "打开表单"},
	"slack.submit":        {EN: "Submit", ZH: "提交"},
	"slack.cancel":        {EN: "Cancel", ZH: "取消"},
	"slack.not_number":    {EN: "Enter a number.", ZH: "请输入数字。"},
	"slack.form_failed":   {EN: "Could not save this form. Please try again.", ZH: "表单未能保存，请再试一次。"},
	"slack.form_hint":     {EN: "To fill it in by text: {hint}", ZH: "也可以用文字填写：{hint}"},
	"slack.image":         {EN: "Image: {alt}", ZH: "图片：{alt}"},
	"slack.datetime_hint": {EN: "YYYY-MM-DD HH:MM", ZH: "YYYY-MM-DD HH:MM"},
	"slack.page":          {EN: "{label} ({page}/{pages})", ZH: "{label}（{page}/{pages}）"},
	"slack.more":          {EN: "…and {n} more", ZH: "……还有 {n} 项"},
	"slack.choose":        {EN: "Choose…", ZH: "请选择……"},

	"lark.submit":      {EN: "Submit", ZH: "提交"},
	"lark.more":        {EN: "…more (the rest was too long to show)", ZH: "……内容过长，其余部分已省略"},
	"lark.failed":      {EN: "Something went wrong, please try again. (ref {ref})", ZH: "出错了，请稍后再试。（参考编号 {ref}）"},
	"lark.unsupported": {EN: "I can read text and voice messages only. Send help to see the commands.", ZH: "目前只能处理文字和语音消息。发送 help 查看可用命令。"},
	"lark.working":     {EN: "Working on it, the card will update shortly…", ZH: "处理中，稍后更新卡片……"},
	"lark.select":      {EN: "Choose…", ZH: "请选择"},
}
