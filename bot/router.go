package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// dealRef is the user's reference to a deal (the first word: an id or
// the start of a name), passed as is to the coach call, which resolves it
// once; missing → usage error.
func (q *Request) dealRef() (string, error) {
	ref := q.Args.Word(0)
	if ref == "" {
		return "", coach.Errf(coach.CodeMissingArg, "arg", "deal", "usage", usage(q.Cmd))
	}
	return ref, nil
}

// dealArg resolves the first word as a deal; missing → usage error.
func (q *Request) dealArg() (*coach.Deal, error) {
	ref := q.Args.Word(0)
	if ref == "" {
		return nil, coach.Errf(coach.CodeMissingArg, "arg", "deal", "usage", usage(q.Cmd))
	}
	return q.r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
}

// Command is one bot command or sub-command. The table of commands
// drives the parser, the router, the usage lines, the "expected one of"
// lists and the generated help alike.
type Command struct {
	Name     string   // English name, e.g. "check"
	Aliases  []string // Chinese and other aliases, e.g. "勾选"
	Usage    string   // argument synopsis, e.g. "<deal> <item>…"; with Sub, the words before the sub-command
	Group    string   // help group key: "deals", "coaching", "team", "manager"
	Examples []string
	Hidden   bool // not listed in help (e.g. "home") or, for a sub-command, in its parent's usage line
	// Run handles the command. With Sub, it handles the command when the
	// word at SubArg names no sub-command.
	Run func(*Request) (Reply, error)
	// Sub are the sub-commands (`team role`, `contact <deal> add`), named
	// by the word at index SubArg of the arguments.
	Sub    []*Command
	SubArg int
	// FromForm turns a submitted Form block into this command's arguments
	// (ok false: not this command's form), so a form runs the same
	// handler as the typed command.
	FromForm func(*Action) (args Args, ok bool)

	parent *Command
	byName map[string]*Command // sub-commands by lower-case name and alias
}

// SummaryKey is the catalog key of the command's one-line description:
// "cmd.team", "cmd.team.role".
func (c *Command) SummaryKey() string {
	if c.parent != nil {
		return c.parent.SummaryKey() + "." + c.Name
	}
	return "cmd." + c.Name
}

// Parent is the command a sub-command belongs to (nil for a command).
func (c *Command) Parent() *Command { return c.parent }

// Lookup finds a sub-command by name or alias.
func (c *Command) Lookup(name string) (*Command, bool) {
	s, ok := c.byName[strings.ToLower(name)]
	return s, ok
}

// SubNames lists the names of the sub-commands not hidden, in table
// order: the "expected one of" list.
func (c *Command) SubNames() []string {
	var names []string
	for _, s := range c.Sub {
		if !s.Hidden {
			names = append(names, s.Name)
		}
	}
	return names
}

// index links the sub-commands to their parent and indexes their names.
func (c *Command) index() {
	if len(c.Sub) == 0 {
		return
	}
	c.byName = map[string]*Command{}
	for _, s := range c.Sub {
		if s.parent != nil && s.parent != c {
			panic("bot: sub-command " + s.Name + " in two commands")
		}
		s.parent = c
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			k := strings.ToLower(n)
			if _, dup := c.byName[k]; dup {
				panic("bot: duplicate sub-command name " + c.Name + " " + n)
			}
			c.byName[k] = s
		}
		s.index()
	}
}

// Request is one message being handled, with the resolved team, member
// and language.
type Request struct {
	Ctx    context.Context
	Msg    Message
	Actor  coach.Actor
	Team   *coach.Team
	Member *coach.Member
	Lang   playbook.Lang
	Cmd    *Command
	Args   Args
	Loc    *time.Location // the user's (or team's) timezone
	// Form is the submitted form when the request comes from one (its
	// values are in Args): handlers then report a missing field instead
	// of showing the form again, and tool forms must be complete.
	Form *Action

	r *Router
}

// T translates key in the request's language.
func (q *Request) T(key string, kv ...string) string { return T(q.Lang, key, kv...) }

// Router is the bot: it turns every Message into a Reply, the same way for
// every adapter.
type Router struct {
	svc      *coach.Service
	pb       *playbook.Playbook
	log      *slog.Logger
	commands []*Command
	byName   map[string]*Command
}

// NewRouter builds the router over the coach service.
func NewRouter(svc *coach.Service, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Router{svc: svc, pb: svc.Playbook, log: log, byName: map[string]*Command{}}
	for _, family := range []func() []*Command{
		r.helpCommands, r.dealCommands, r.checkCommands, r.infoCommands, r.contactCommands, r.meetCommands, r.noteCommands,
		r.nudgeCommands, r.reportCommands, r.teamCommands, r.coachCommands, r.prepCommands, r.formCommands, r.caseCommands,
	} {
		r.commands = append(r.commands, family()...)
	}
	for _, c := range r.commands {
		c.index()
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			k := strings.ToLower(n)
			if _, dup := r.byName[k]; dup {
				panic("bot: duplicate command name " + n)
			}
			r.byName[k] = c
		}
	}
	return r
}

// Commands returns the command definitions, for help and tests.
func (r *Router) Commands() []*Command { return r.commands }

// Lookup finds a command by name or alias.
func (r *Router) Lookup(name string) (*Command, bool) {
	c, ok := r.byName[strings.ToLower(name)]
	return c, ok
}

// Handle implements Handler.
func (r *Router) Handle(ctx context.Context, msg Message) (rep Reply, err error) {
	q := &Request{Ctx: ctx, Msg: msg, r: r, Lang: r.platformLang(msg)}
	defer func() {
		if p := recover(); p != nil {
			ref := newRef()
			LoggerFrom(ctx, r.log).Error("panic handling message", "ref", ref, "panic", p, "platform", msg.Platform, "tenant", msg.Tenant)
			rep, err = r.internalError(q, ref), nil
			rep.Lang = string(q.Lang)
		}
	}()
	rep, err = r.handle(q)
	if err != nil {
		rep = r.errorReply(q, err)
	}
	rep.Lang = string(q.Lang)
	return rep, nil
}

func (r *Router) handle(q *Request) (Reply, error) {
	msg := q.Msg
	if len(msg.Text) > MaxCommandLen {
		return Reply{}, coach.Errf(coach.CodeTooLong, "field", "command", "max", "8000")
	}
	if msg.Tenant == "" || msg.User == "" {
		return Reply{}, errors.New("message without tenant or user")
	}
	q.Actor = coach.Actor{Team: msg.Tenant, User: msg.User, Name: msg.UserName, Platform: string(msg.Platform), Locale: msg.Locale}
	if msg.Overheard && msg.Action == nil {
		return r.overheard(q) // thread.go: before Join, which would enrol a stranger
	}
	team, member, err := r.svc.JoinFor(q.Ctx, q.Actor, dealHint(msg)) // dealhint.go
	if err != nil {
		return Reply{}, err
	}
	q.Team, q.Member = team, member
	q.Lang = r.lang(msg, team, member)
	q.Loc = r.location(team, member)
	if msg.Audio != nil && msg.Action == nil {
		return r.voiceNote(q) // audio.go
	}

	if a := msg.Action; a != nil {
		switch a.Kind {
		case ActionChecklist:
			if a.Deal == proposalsDeal {
				return r.proposalTick(q, a)
			}
			return r.tickAction(q, a)
		case ActionForm:
			return r.formAction(q, a)
		case ActionCommand:
			if a.Value != "" {
				msg.Text = a.Value
				q.Msg.Text = a.Value
			}
		}
	}
	toks := Tokenize(msg.Text)
	if len(toks) == 0 {
		return r.help(q, "", "")
	}
	first := toks[0].Value
	if toks[0].Key == "" {
		first = strings.TrimLeft(first, "/!")
	}
	cmd, ok := r.Lookup(first)
	if !ok || toks[0].Key != "" {
		// Free text while a guided session is active is the customer's
		// answer, not a command.
		if rep, handled, err := r.sessionInput(q); handled || err != nil {
			return rep, err
		}
		// a plain message naming a deal is a note on it (cmd_note.go);
		// "远航物流：拜访顺利…" tokenizes as key：value, and is a note too
		if !strings.HasPrefix(toks[0].Value, "/") {
			if rep, handled, err := r.plainNote(q); handled || err != nil {
				return rep, err
			}
		}
		return r.unknownCommand(q, first)
	}
	q.Cmd = cmd
	q.Args = canonicalKeys(Split(toks[1:]))
	// During a guided session the rep types the customer's words, which
	// may begin with a command word ("new system needed", "deals are
	// stuck"). `new` without fields is then an answer, and a command the
	// words don't fit (a user error whose second word is no deal id) is
	// an answer too rather than an error.
	if cmd.Name == "new" && len(q.Args.KV) == 0 && len(toks) > 1 {
		if rep, handled, err := r.sessionInput(q); handled || err != nil {
			return rep, err
		}
	}
	// prose that starts with a command word ("new system needed at Acme,
	// demo went well") is a note, not the command (cmd_note.go)
	if rep, handled, err := r.proseNote(q); handled || err != nil {
		return rep, err
	}
	rep, err := r.run(q)
	if _, userErr := coach.AsError(err); userErr && len(toks) > 1 && !looksLikeDeal(toks[1].Value) {
		if srep, handled, serr := r.sessionInput(q); handled || serr != nil {
			return srep, serr
		}
	}
	return rep, err
}

// run dispatches q to its command, or to the sub-command named by the
// word at the command's SubArg.
func (r *Router) run(q *Request) (Reply, error) {
	for len(q.Cmd.Sub) > 0 {
		sub, ok := q.Cmd.Lookup(q.Args.Word(q.Cmd.SubArg))
		if !ok {
			break
		}
		q.Cmd = sub
	}
	return q.Cmd.Run(q)
}

// badSub is the error for a word that names no sub-command: the expected
// ones come from the table.
func (q *Request) badSub(w string) error {
	return coach.Errf(coach.CodeBadValue, "field", q.Cmd.Name, "value", strings.ToLower(w), "expected", strings.Join(q.Cmd.SubNames(), "|"))
}

// looksLikeDeal reports whether w is written as a deal id (D-3, #3).
func looksLikeDeal(w string) bool {
	_, ok := coach.NormalizeDealID(w)
	return ok
}

// platformLang is the language used before the team is known.
func (r *Router) platformLang(msg Message) playbook.Lang { return LangOf(msg.Locale, msg.Platform) }

// lang picks the user's choice, else Chinese when the user typed a Chinese
// first word (新建, 备注, 远航物流…), else the team's, else the platform's
// hint.
func (r *Router) lang(msg Message, t *coach.Team, m *coach.Member) playbook.Lang {
	if m != nil {
		if l, ok := playbook.ParseLang(m.Lang); ok {
			return l
		}
	}
	if msg.Action == nil && TypedChinese(msg.Text) {
		return playbook.ZH
	}
	if t != nil {
		if l, ok := playbook.ParseLang(t.Lang); ok {
			return l
		}
	}
	return r.platformLang(msg)
}

// TypedChinese reports whether the first word of a typed message is
// written in Chinese: a user who writes 新建 or 备注 reads the answer in
// Chinese, whatever the team's default. Words after the first (a deal
// named 华为ERP in `show 华为ERP`) say nothing about the reader.
func TypedChinese(text string) bool {
	w := strings.Fields(text)
	return len(w) > 0 && strings.ContainsFunc(w[0], func(c rune) bool { return unicode.Is(unicode.Han, c) })
}

func (r *Router) location(t *coach.Team, m *coach.Member) *time.Location {
	for _, tz := range []string{memberTZ(m), t.Timezone} {
		if tz == "" {
			continue
		}
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.UTC
}

func memberTZ(m *coach.Member) string {
	if m == nil {
		return ""
	}
	return m.Timezone
}

func (r *Router) unknownCommand(q *Request, name string) (Reply, error) {
	var names []string
	for _, c := range r.commands {
		if !c.Hidden {
			names = append(names, c.Name)
			names = append(names, c.Aliases...)
		}
	}
	sugg := coach.Closest(name, names, 1)
	var rep Reply
	rep.Error = true
	if len(sugg) > 0 {
		rep.Add(Text{Text: q.T("err.unknown_command_did_you_mean", "command", name, "suggestion", sugg[0])})
	} else {
		rep.Add(Text{Text: q.T("err.unknown_command", "command", name)})
	}
	rep.Add(Context{Text: q.T("hint.help")})
	rep.Ephemeral = true
	return rep, nil
}

// errorReply renders a coded user error, or an internal error with a
// reference id that is also logged with the cause.
func (r *Router) errorReply(q *Request, err error) Reply {
	ce, ok := coach.AsError(err)
	if !ok {
		ref := newRef()
		LoggerFrom(q.Ctx, r.log).Error("request failed", "ref", ref, "err", err, "platform", q.Msg.Platform, "tenant", q.Msg.Tenant, "command", cmdName(q))
		return r.internalError(q, ref)
	}
	kv := make([]string, 0, 2*len(ce.Params))
	for k, v := range ce.Params {
		if w, ok := catalog["word."+v]; ok && (k == "status" || k == "action") {
			v = w.In(q.Lang) // a status or action code in the user's language
		}
		kv = append(kv, k, v)
	}
	rep := Reply{Error: true, Ephemeral: true}
	rep.Add(Text{Text: q.T("err."+ce.Code, kv...)})
	if len(ce.Suggestions) > 0 {
		key := "err.suggestions"
		if ce.Code == coach.CodeUnknownItem {
			key = "err.valid_items"
		}
		rep.Add(Context{Text: q.T(key, "list", strings.Join(ce.Suggestions, ", "))})
	}
	if q.Cmd != nil && (ce.Code == coach.CodeMissingArg || ce.Code == coach.CodeBadValue) {
		rep.Add(Context{Text: q.T("hint.usage", "usage", usage(q.Cmd))})
	}
	return rep
}

func (r *Router) internalError(q *Request, ref string) Reply {
	rep := Reply{Error: true, Ephemeral: true}
	rep.Add(Text{Text: T(q.Lang, "err.internal", "ref", ref)})
	return rep
}

func cmdName(q *Request) string {
	if q.Cmd != nil {
		return q.Cmd.Name
	}
	return ""
}

func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// usage is a command's synopsis, generated from the table: "note <deal>
// <text>", "team [role|reports|lang|tz|digest …]", "contact <deal> add
// <name> […]" for a sub-command.
func usage(c *Command) string {
	var parts []string
	if p := c.parent; p != nil {
		parts = append(parts, p.Name)
		if p.Usage != "" {
			parts = append(parts, p.Usage)
		}
	}
	parts = append(parts, c.Name)
	if c.Usage != "" {
		parts = append(parts, c.Usage)
	}
	if names := c.SubNames(); len(names) > 0 {
		more := ""
		for _, s := range c.Sub {
			if !s.Hidden && s.Usage != "" {
				more = " …" // some sub-command takes arguments
			}
		}
		parts = append(parts, "["+strings.Join(names, "|")+more+"]")
	}
	return strings.Join(parts, " ")
}

// subLine is one sub-command in help: "team role <user> <admin|manager|rep>
// (角色) — Set a member's role."
func subLine(q *Request, s *Command) string {
	alias := ""
	if len(s.Aliases) > 0 {
		alias = " (" + strings.Join(s.Aliases, ", ") + ")"
	}
	return usage(s) + alias + " — " + q.T(s.SummaryKey())
}

// helpCommands is `help [command [sub-command]]`.
func (r *Router) helpCommands() []*Command {
	return []*Command{
		{Name: "help", Aliases: []string{"帮助", "?"}, Usage: "[command]", Group: "deals", Examples: []string{"help check", "help team role"},
			Run: func(q *Request) (Reply, error) { return r.help(q, q.Args.Word(0), q.Args.Word(1)) }},
	}
}

// help lists the commands by group, or explains one command.
func (r *Router) help(q *Request, name, sub string) (Reply, error) {
	var rep Reply
	rep.Ephemeral = true
	if name != "" {
		c, ok := r.Lookup(name)
		if !ok {
			return r.unknownCommand(q, name)
		}
		if s, ok := c.Lookup(sub); ok {
			c = s
		}
		rep.Add(Heading{Text: usage(c)})
		rep.Add(Text{Text: q.T(c.SummaryKey())})
		if len(c.Aliases) > 0 {
			rep.Add(Context{Text: q.T("help.aliases", "list", strings.Join(c.Aliases, ", "))})
		}
		examples := slices.Clone(c.Examples)
		if len(c.Sub) > 0 {
			var lines []string
			for _, s := range c.Sub {
				lines = append(lines, subLine(q, s))
				examples = append(examples, s.Examples...)
			}
			rep.Add(Text{Text: q.T("help.subcommands") + "\n" + strings.Join(lines, "\n")})
		}
		if len(examples) > 0 {
			rep.Add(Text{Text: q.T("help.examples") + "\n" + strings.Join(slices.Compact(examples), "\n")})
		}
		return rep, nil
	}
	rep.Add(Heading{Text: q.T("help.title")})
	rep.Add(Text{Text: q.T("help.intro")})
	rep.Add(Text{Text: q.T("help.notes")})
	groups := []string{"deals", "coaching", "team", "manager"}
	for _, g := range groups {
		var lines []string
		for _, c := range r.commands {
			if c.Group == g && !c.Hidden {
				alias := ""
				if len(c.Aliases) > 0 {
					alias = " (" + c.Aliases[0] + ")"
				}
				lines = append(lines, usage(c)+alias+" — "+q.T(c.SummaryKey()))
			}
		}
		if len(lines) == 0 {
			continue
		}
		rep.Add(Divider{}, Heading{Text: q.T("help.group." + g)}, Text{Text: strings.Join(lines, "\n")})
	}
	rep.Add(Context{Text: q.T("help.more")})
	if q.Msg.Platform == Console { // only the console can be left
		rep.Add(Context{Text: q.T("help.quit")})
	}
	return rep, nil
}

// formArgs turns submitted values into key=value arguments.
func formArgs(values map[string]string, skip ...string) Args {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var a Args
	for _, k := range keys {
		if v := strings.TrimSpace(values[k]); v != "" && !slices.Contains(skip, k) {
			a.KV = append(a.KV, Token{Key: k, Value: v})
		}
	}
	return a
}

// formAction handles a submitted form. Mistakes come back as FieldErrors
// on the offending field where the error names one.
func (r *Router) formAction(q *Request, a *Action) (Reply, error) {
	rep, err := r.submitForm(q, a)
	if err == nil {
		return rep, nil
	}
	ce, ok := coach.AsError(err)
	if !ok {
		return Reply{}, err
	}
	field := ce.Params["field"]
	if field == "" {
		field = ce.Params["arg"]
	}
	if _, present := a.Values[field]; !present && field != "name" {
		return Reply{}, err
	}
	er := r.errorReply(q, err)
	er.FieldErrors = map[string]string{field: er.PlainText()}
	return er, nil
}

// submitForm runs the command whose form was submitted, with the form's
// values as arguments: the same handler as the typed command.
func (r *Router) submitForm(q *Request, a *Action) (Reply, error) {
	for _, c := range r.commands {
		if c.FromForm == nil {
			continue
		}
		if args, ok := c.FromForm(a); ok {
			q.Cmd, q.Args, q.Form = c, args, a
			return r.run(q)
		}
	}
	return Reply{}, coach.Errf(coach.CodeUnknownTool, "tool", a.Form)
}
