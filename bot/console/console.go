package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/stagecoach/stagecoach/bot"
)

// Console is a chat in the terminal as one user of one team.
type Console struct {
	In      io.Reader
	Out     io.Writer
	Handler bot.Handler
	Team    string
	User    string
	Locale  string // "zh", "en" or "" (team default)
	// Prompt is printed before each line when interactive (a terminal).
	Prompt string

	mu  *sync.Mutex // shared with Sender so proactive messages don't interleave
	seq atomic.Int64
}

// New returns a console reading in and writing out as user of team.
func New(in io.Reader, out io.Writer, h bot.Handler, team, user, locale string) *Console {
	return &Console{In: in, Out: out, Handler: h, Team: team, User: user, Locale: locale, mu: &sync.Mutex{}}
}

// Sender returns a bot.Sender that prints proactive messages (nudges,
// reminders, digests) to the console's output.
func (c *Console) Sender() bot.Sender { return &Sender{Out: c.Out, mu: c.mu} }

// Ask handles one line and returns the rendered reply.
func (c *Console) Ask(ctx context.Context, line string) string {
	msg := bot.Message{Platform: bot.Console, Tenant: c.Team, User: c.User, UserName: c.User, Text: line, Locale: c.Locale, Direct: true,
		EventID: "console-" + strconv.FormatInt(c.seq.Add(1), 10)}
	rep, err := c.Handler.Handle(ctx, msg)
	if err != nil {
		return "error: " + err.Error()
	}
	return Render(rep)
}

// Run reads commands until end of input or ctx ends. Each reply is
// printed after its command; a blank line separates replies.
func (c *Console) Run(ctx context.Context) error {
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), bot.MaxCommandLen+1024)
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	c.prompt()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-errc:
					return err
				default:
					return nil
				}
			}
			if line == "" {
				c.prompt()
				continue
			}
			if line == "quit" || line == "exit" || line == "退出" {
				return nil
			}
			out := c.Ask(ctx, line)
			c.mu.Lock()
			fmt.Fprintln(c.Out, out)
			fmt.Fprintln(c.Out)
			c.mu.Unlock()
			c.prompt()
		}
	}
}

func (c *Console) prompt() {
	if c.Prompt != "" {
		c.mu.Lock()
		fmt.Fprint(c.Out, c.Prompt)
		c.mu.Unlock()
	}
}

// Sender prints proactive messages with their recipient.
type Sender struct {
	Out io.Writer
	mu  *sync.Mutex
}

// NewSender returns a Sender writing to out.
func NewSender(out io.Writer) *Sender { return &Sender{Out: out, mu: &sync.Mutex{}} }

// Send implements bot.Sender.
func (s *Sender) Send(ctx context.Context, to bot.Recipient, r bot.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := to.User
	if to.Channel != "" {
		who = "#" + to.Channel
	}
	_, err := fmt.Fprintf(s.Out, "── to %s (%s) ──\n%s\n\n", who, to.Tenant, Render(r))
	return err
}
