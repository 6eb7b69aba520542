package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/term"

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

	// Set by UseTerminal: line editing on rw, replies wrapped to size's width.
	term *term.Terminal
	rw   io.ReadWriter
	size func() (width, height int)
}

// New returns a console reading in and writing out as user of team.
func New(in io.Reader, out io.Writer, h bot.Handler, team, user, locale string) *Console {
	return &Console{In: in, Out: out, Handler: h, Team: team, User: user, Locale: locale, mu: &sync.Mutex{}}
}

// Sender returns a bot.Sender that prints proactive messages (nudges,
// reminders, digests) to the console's output.
func (c *Console) Sender() bot.Sender { return &Sender{Out: c.Out, mu: c.mu, width: c.width} }

// UseTerminal makes Run edit lines on rw: arrow keys move and recall
// history (the last 100 lines), Ctrl-D on an empty line or Ctrl-C ends the
// chat, and replies are wrapped to the width size reports. rw must be a
// terminal in raw mode (the caller sets it and restores it), or any byte
// stream in tests; size may be nil for 80×24. Output then goes through rw
// with CRLF line ends, as a raw terminal needs.
func (c *Console) UseTerminal(rw io.ReadWriter, size func() (width, height int)) {
	c.rw = rw
	c.size = size
	c.term = term.NewTerminal(rw, c.Prompt)
	c.Out = c.term
}

// width is the terminal width replies wrap to; 0 (no wrapping) when the
// console is not on a terminal.
func (c *Console) width() int {
	if c.size == nil {
		if c.term != nil {
			return 80
		}
		return 0
	}
	w, _ := c.size()
	return w
}

// Say prints a line of text, such as the greeting, wrapped like replies.
func (c *Console) Say(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.Out, Wrap(text, c.width()))
}

// isQuit reports whether line ends the chat.
func isQuit(line string) bool { return line == "quit" || line == "exit" || line == "退出" }

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
	if c.term != nil {
		return c.runTerminal(ctx)
	}
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
			if isQuit(line) {
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

// runTerminal is Run on a terminal: one ReadLine at a time, so the prompt
// comes back only after the reply is printed.
func (c *Console) runTerminal(ctx context.Context) error {
	c.term.SetPrompt(c.Prompt)
	type read struct {
		line string
		err  error
	}
	next := make(chan struct{})
	reads := make(chan read)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-next:
			case <-done:
				return
			}
			c.resize()
			line, err := c.term.ReadLine()
			select {
			case reads <- read{line, err}:
			case <-done:
				return
			}
		}
	}()
	for {
		next <- struct{}{}
		var r read
		select {
		case <-ctx.Done():
			c.endLine()
			return nil
		case r = <-reads:
		}
		switch {
		case errors.Is(r.err, io.EOF): // Ctrl-D, Ctrl-C or the end of input
			c.endLine()
			return nil
		case r.err != nil && !errors.Is(r.err, term.ErrPasteIndicator):
			c.endLine()
			return r.err
		}
		line := strings.TrimSpace(r.line)
		if line == "" {
			continue
		}
		if isQuit(line) {
			return nil
		}
		out := c.Ask(ctx, line)
		c.mu.Lock()
		fmt.Fprintln(c.Out, Wrap(out, c.width()))
		fmt.Fprintln(c.Out)
		c.mu.Unlock()
	}
}

// resize tells the line editor the terminal's current size.
func (c *Console) resize() {
	if c.size == nil {
		return
	}
	if w, h := c.size(); w > 0 && h > 0 {
		_ = c.term.SetSize(w, h)
	}
}

// endLine moves past the prompt, so the shell's prompt starts on a line
// of its own after Ctrl-D or Ctrl-C.
func (c *Console) endLine() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.rw, "\r\n")
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
	Out   io.Writer
	mu    *sync.Mutex
	width func() int // wrap to this width; nil or 0: no wrapping
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
	text := Render(r)
	if s.width != nil {
		text = Wrap(text, s.width())
	}
	_, err := fmt.Fprintf(s.Out, "── to %s (%s) ──\n%s\n\n", who, to.Tenant, text)
	return err
}
