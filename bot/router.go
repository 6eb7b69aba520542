package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

// dealArg resolves the first word as a deal; missing → usage error.
func (q *Request) dealArg() (*coach.Deal, error) {
	ref := q.Args.Word(0)
	if ref == "" {
		return nil, coach.Errf(coach.CodeMissingArg, "arg", "deal", "usage", usage(q.Cmd))
	}
	return q.r.svc.Resolve(q.Ctx, q.Actor, q.Team, ref)
}

// Command is one bot command. The list of commands drives the parser,
// the router and the generated help alike.
type Command struct {
	Name     string   // English name, e.g. "check"
	Aliases  []string // Chinese and other aliases, e.g. "勾选"
	Usage    string   // argument synopsis, e.g. "<deal> <item>…"
	Group    string   // help group key: "deals", "coaching", "team", "manager"
	Examples []string
	Hidden   bool // not listed in help (e.g. "home")
	Run      func(*Request) (Reply, error)
}

// SummaryKey is the catalog key of the command's one-line description.
func (c *Command) SummaryKey() string { return "cmd." + c.Name }

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
	r.commands = append(r.commands, r.coreCommands()...)
	r.commands = append(r.commands, r.coachingCommands()...)
	r.commands = append(r.commands, r.jobCommands()...)
	for _, c := range r.commands {
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
	team, member, err := r.svc.Join(q.Ctx, q.Actor)
	if err != nil {
		return Reply{}, err
	}
	q.Team, q.Member = team, member
	q.Lang = r.lang(msg, team, member)
	q.Loc = r.location(team, member)

	if a := msg.Action; a != nil {
		switch a.Kind {
		case ActionChecklist:
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
		return r.help(q, "")
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
		return r.unknownCommand(q, first)
	}
	q.Cmd = cmd
	q.Args = Split(toks[1:])
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
	rep, err := cmd.Run(q)
	if _, userErr := coach.AsError(err); userErr && len(toks) > 1 && !looksLikeDeal(toks[1].Value) {
		if srep, handled, serr := r.sessionInput(q); handled || serr != nil {
			return srep, serr
		}
	}
	return rep, err
}

// looksLikeDeal reports whether w is written as a deal id (D-3, #3).
func looksLikeDeal(w string) bool {
	_, ok := coach.NormalizeDealID(w)
	return ok
}

// platformLang is the language used before the team is known.
func (r *Router) platformLang(msg Message) playbook.Lang {
	if l, ok := playbook.ParseLang(msg.Locale); ok {
		return l
	}
	if msg.Platform == Lark {
		return playbook.ZH
	}
	return playbook.EN
}

// lang picks the user's choice, else the team's, else the platform's hint.
func (r *Router) lang(msg Message, t *coach.Team, m *coach.Member) playbook.Lang {
	if m != nil {
		if l, ok := playbook.ParseLang(m.Lang); ok {
			return l
		}
	}
	if t != nil {
		if l, ok := playbook.ParseLang(t.Lang); ok {
			return l
		}
	}
	return r.platformLang(msg)
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

func usage(c *Command) string {
	if c.Usage == "" {
		return c.Name
	}
	return c.Name + " " + c.Usage
}

// help lists the commands by group, or explains one command.
func (r *Router) help(q *Request, name string) (Reply, error) {
	var rep Reply
	rep.Ephemeral = true
	if name != "" {
		c, ok := r.Lookup(name)
		if !ok {
			return r.unknownCommand(q, name)
		}
		rep.Add(Heading{Text: usage(c)})
		rep.Add(Text{Text: q.T(c.SummaryKey())})
		if len(c.Aliases) > 0 {
			rep.Add(Context{Text: q.T("help.aliases", "list", strings.Join(c.Aliases, ", "))})
		}
		if len(c.Examples) > 0 {
			rep.Add(Text{Text: q.T("help.examples") + "\n" + strings.Join(c.Examples, "\n")})
		}
		return rep, nil
	}
	rep.Add(Heading{Text: q.T("help.title")})
	rep.Add(Text{Text: q.T("help.intro")})
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
	return rep, nil
}
