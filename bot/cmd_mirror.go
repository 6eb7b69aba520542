package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
)

// The CRM mirror's team sub-commands: `team base`, `team webhook`, `team
// mirror [resync]`. Permission checks and validation are coach's.

func (r *Router) mirrorSubs() []*Command {
	return []*Command{
		{Name: "base", Aliases: []string{"多维表格"}, Usage: "<app_token> <table_id> | off", Examples: []string{"team base bascnAbCdEf123 tblXyZ789", "team base off"}, Run: r.teamBase},
		{Name: "webhook", Aliases: []string{"回调"}, Usage: "<https-url> <secret> | off", Examples: []string{"team webhook https://example.com/stagecoach 6f1c…(≥16 chars)", "team webhook off"}, Run: r.teamWebhook},
		{Name: "mirror", Aliases: []string{"同步"}, Usage: "[resync]", Examples: []string{"team mirror", "team mirror resync"}, Run: r.teamMirror},
	}
}

func (r *Router) teamBase(q *Request) (Reply, error) {
	app, tbl := q.Args.Word(1), q.Args.Word(2)
	if app == "" || !strings.EqualFold(app, "off") && tbl == "" {
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "app_token table_id", "usage", usage(q.Cmd))
	}
	t, err := r.svc.SetMirrorBase(q.Ctx, q.Actor, app, tbl)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("mirror.base_off")
	if t.Mirror.BaseAppToken != "" {
		msg = q.T("mirror.base_set", "app", t.Mirror.BaseAppToken, "table", t.Mirror.BaseTableID)
	}
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}, Context{Text: q.T("mirror.base_hint")}}}, nil
}

// chatURL undoes what chat clients do to a pasted link: Slack sends
// <https://…> or <https://…|label>.
func chatURL(s string) string {
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

func (r *Router) teamWebhook(q *Request) (Reply, error) {
	u := chatURL(q.Args.Word(1))
	secret := q.Args.Word(2)
	if secret == "" && len(q.Args.KV) == 1 {
		secret = q.Args.KV[0].String() // a secret like abc=def parses as key=value
	}
	if u == "" || !strings.EqualFold(u, "off") && secret == "" {
		return Reply{}, coach.Errf(coach.CodeMissingArg, "arg", "url secret", "usage", usage(q.Cmd))
	}
	t, err := r.svc.SetMirrorWebhook(q.Ctx, q.Actor, u, secret)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("mirror.webhook_off")
	if t.Mirror.WebhookURL != "" {
		// The secret is never shown back, and the URL only up to its path.
		msg = q.T("mirror.webhook_set", "url", shortURL(t.Mirror.WebhookURL))
	}
	return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
}

// shortURL shows scheme, host and path: query strings often carry tokens.
func shortURL(s string) string {
	s, _, _ = strings.Cut(s, "#")
	base, _, hasQuery := strings.Cut(s, "?")
	if hasQuery {
		return base + "?…"
	}
	return base
}

func (r *Router) teamMirror(q *Request) (Reply, error) {
	switch w := strings.ToLower(q.Args.Word(1)); w {
	case "":
	case "resync", "重新同步":
		n, err := r.svc.MirrorResync(q.Ctx, q.Actor)
		if err != nil {
			return Reply{}, err
		}
		msg := q.T("mirror.resync_none")
		if n > 0 {
			msg = q.T("mirror.resync_done", "n", strconv.Itoa(n))
		}
		return Reply{Summary: msg, Blocks: []Block{Text{Text: msg}}}, nil
	default:
		return Reply{}, coach.Errf(coach.CodeBadValue, "field", "team mirror", "value", w, "expected", "resync")
	}
	st, err := r.svc.MirrorStatus(q.Ctx, q.Actor)
	if err != nil {
		return Reply{}, err
	}
	var rep Reply
	rep.Add(Heading{Text: q.T("mirror.title")})
	if len(st) == 0 {
		rep.Add(Text{Text: q.T("mirror.none")})
		rep.Summary = q.T("mirror.none")
		return rep, nil
	}
	now := r.svc.Now()
	var lines []string
	for _, s := range st {
		line := q.T("mirror.target."+targetKey(s.Target)) + " · "
		if s.Depth == 0 {
			line += q.T("mirror.synced")
		} else {
			line += q.T("mirror.queued", "n", strconv.Itoa(s.Depth), "age", ageText(q, now.Sub(s.Oldest)))
		}
		if s.LastError != "" {
			line += "\n  " + q.T("mirror.error."+errKey(s.ErrorKind), "n", strconv.Itoa(s.Failures), "age", ageText(q, now.Sub(s.ErrorAt)))
		}
		lines = append(lines, line)
	}
	rep.Add(Text{Text: strings.Join(lines, "\n")})
	rep.Summary = q.T("mirror.title")
	return rep, nil
}

func targetKey(name string) string {
	switch name {
	case "larkbase", "webhook":
		return name
	}
	return "other"
}

func errKey(k coach.MirrorErrorKind) string {
	switch k {
	case coach.MirrorPermission, coach.MirrorConfig, coach.MirrorRateLimit:
		return string(k)
	}
	return "transient"
}

func ageText(q *Request, d time.Duration) string {
	switch {
	case d < time.Minute:
		return q.T("mirror.age_s", "n", strconv.Itoa(max(0, int(d/time.Second))))
	case d < time.Hour:
		return q.T("mirror.age_m", "n", strconv.Itoa(int(d/time.Minute)))
	case d < 48*time.Hour:
		return q.T("mirror.age_h", "n", strconv.Itoa(int(d/time.Hour)))
	}
	return q.T("mirror.age_d", "n", strconv.Itoa(int(d/(24*time.Hour))))
}

var _ coach.MirrorNotifier = (*Notifier)(nil)

// MirrorNotice implements coach.MirrorNotifier: it tells the admin what to
// do about a mirror target that cannot write.
func (n *Notifier) MirrorNotice(ctx context.Context, x coach.MirrorNotice) error {
	q := n.r.requestFor(ctx, x.Team, x.To)
	key := "mirror.notice." + errKey(x.Kind) + "." + targetKey(x.Target)
	if _, ok := catalog[key]; !ok {
		key = "mirror.notice.config.other"
	}
	msg := q.T(key)
	rep := Reply{Summary: msg, Blocks: []Block{Text{Text: msg}, Context{Text: q.T("mirror.notice.status")}}}
	return n.deliver(ctx, q, rep)
}

func init() {
	register(map[string]tx{
		"cmd.team.base":    {EN: "Mirror the team's deals to a Lark Base table (admins).", ZH: "把团队的商机同步到飞书多维表格（管理员）。"},
		"cmd.team.webhook": {EN: "Send every deal change to a signed webhook (admins).", ZH: "把每次商机变更推送到带签名的 Webhook（管理员）。"},
		"cmd.team.mirror":  {EN: "Mirror status, or resync every deal (admins).", ZH: "查看同步状态，或重新同步全部商机（管理员）。"},

		"mirror.base_set":  {EN: "Deals now mirror to Base {app}, table {table}. Columns are added on the first sync.", ZH: "商机将同步到多维表格 {app} 的数据表 {table}。首次同步时会自动添加所需的列。"},
		"mirror.base_off":  {EN: "This team no longer uses its own Base table.", ZH: "本团队已不再使用自己的多维表格。"},
		"mirror.base_hint": {EN: "The bot needs edit access: in the Base, open ··· → More → Add document app, and add this bot as an editor. Chat stays the source of truth: edits made in Base are overwritten on the next change.", ZH: "机器人需要编辑权限：在多维表格右上角点「···」→「更多」→「添加文档应用」，把本机器人添加为可编辑。聊天仍是唯一的数据来源：在多维表格里的修改会在下次变更时被覆盖。"},

		"mirror.webhook_set": {EN: "Every deal change is now POSTed to {url}, signed with your secret (saved, never shown).", ZH: "每次商机变更都会 POST 到 {url}，并用你的密钥签名（已保存，不会再显示）。"},
		"mirror.webhook_off": {EN: "This team no longer uses its own webhook.", ZH: "本团队已不再使用自己的 Webhook。"},

		"mirror.resync_done": {EN: "{n} deals queued for a full resync.", ZH: "已将 {n} 个商机加入全量重新同步队列。"},
		"mirror.resync_none": {EN: "Nothing to resync: this team mirrors nowhere yet. Set one up with team base or team webhook.", ZH: "无需重新同步：本团队还没有配置同步目标。请用 team base 或 team webhook 设置。"},

		"mirror.title":            {EN: "CRM mirror", ZH: "CRM 同步"},
		"mirror.none":             {EN: "No mirror target yet. Set one up with team base or team webhook.", ZH: "还没有同步目标。请用 team base 或 team webhook 设置。"},
		"mirror.target.larkbase":  {EN: "Lark Base", ZH: "飞书多维表格"},
		"mirror.target.webhook":   {EN: "Webhook", ZH: "Webhook"},
		"mirror.target.other":     {EN: "Other target", ZH: "其他目标"},
		"mirror.synced":           {EN: "up to date", ZH: "已同步"},
		"mirror.queued":           {EN: "{n} changes waiting, oldest {age} ago", ZH: "{n} 条变更待同步，最早的在 {age}前"},
		"mirror.error.transient":  {EN: "Last send failed ({n}× in a row, {age} ago); retrying automatically.", ZH: "最近一次发送失败（连续 {n} 次，{age}前），会自动重试。"},
		"mirror.error.rate_limit": {EN: "Slowed down by the target's rate limit ({n}× in a row, {age} ago); retrying automatically.", ZH: "受目标的频率限制（连续 {n} 次，{age}前），会自动重试。"},
		"mirror.error.permission": {EN: "The bot may not write there ({age} ago). Grant it edit access; sending resumes by itself.", ZH: "机器人没有写入权限（{age}前）。请授予编辑权限，之后会自动恢复发送。"},
		"mirror.error.config":     {EN: "The target rejects the settings ({age} ago): check the table id or the webhook URL and secret.", ZH: "目标拒绝了当前设置（{age}前）：请检查数据表 ID，或 Webhook 地址和密钥。"},
		"mirror.age_s":            {EN: "{n}s", ZH: "{n} 秒"},
		"mirror.age_m":            {EN: "{n} min", ZH: "{n} 分钟"},
		"mirror.age_h":            {EN: "{n} h", ZH: "{n} 小时"},
		"mirror.age_d":            {EN: "{n} days", ZH: "{n} 天"},

		"mirror.notice.permission.larkbase": {EN: "Stagecoach cannot write to your team's Lark Base table. To grant access: open the Base, click ··· (top right) → More → Add document app, add this bot and give it edit permission. If the Base uses advanced permissions, give the bot a role that may edit the table. Changes are kept and sent once access is granted.", ZH: "Stagecoach 无法写入团队的飞书多维表格。授权方法：打开该多维表格，点击右上角「···」→「更多」→「添加文档应用」，添加本机器人并授予可编辑权限。如果多维表格开启了高级权限，还需给机器人分配可编辑该数据表的角色。变更都已保留，授权后会自动补发。"},
		"mirror.notice.config.larkbase":     {EN: "Stagecoach cannot find or fill your team's Lark Base table: check the app token and table id (team base <app_token> <table_id>, both from the table's URL) and that no mirrored column changed its type. Changes are kept and sent once it is fixed.", ZH: "Stagecoach 找不到或无法写入团队的飞书多维表格：请检查 app_token 和数据表 ID（team base <app_token> <table_id>，两者都在数据表的链接里），并确认同步的列没有被改成其他类型。变更都已保留，修复后会自动补发。"},
		"mirror.notice.permission.webhook":  {EN: "Your team's webhook refuses Stagecoach's requests (401/403): check that the receiver uses the same secret (team webhook <url> <secret>). Changes are kept and sent once it accepts them.", ZH: "团队的 Webhook 拒绝了 Stagecoach 的请求（401/403）：请确认接收方使用的是同一个密钥（team webhook <url> <secret>）。变更都已保留，对方接受后会自动补发。"},
		"mirror.notice.config.webhook":      {EN: "Your team's webhook refuses Stagecoach's requests (401/403): check that the receiver uses the same secret (team webhook <url> <secret>). Changes are kept and sent once it accepts them.", ZH: "团队的 Webhook 拒绝了 Stagecoach 的请求（401/403）：请确认接收方使用的是同一个密钥（team webhook <url> <secret>）。变更都已保留，对方接受后会自动补发。"},
		"mirror.notice.config.other":        {EN: "A CRM mirror target of your team cannot take Stagecoach's changes. Changes are kept and sent once it is fixed.", ZH: "团队的一个 CRM 同步目标无法接收 Stagecoach 的变更。变更都已保留，修复后会自动补发。"},
		"mirror.notice.status":              {EN: "See the queue and the last error with: team mirror", ZH: "查看队列和最近的错误：team mirror"},
	})
}
