package console_test

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/bot/console"
)

// fakeTTY is a terminal without a pty: keys come from in, everything the
// console draws lands in out.
type fakeTTY struct {
	in  io.Reader
	mu  sync.Mutex
	out bytes.Buffer
}

func (f *fakeTTY) Read(p []byte) (int, error) { return f.in.Read(p) }

func (f *fakeTTY) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.Write(p)
}

func (f *fakeTTY) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.String()
}

// echo answers "got <line>" and records the lines it was given.
type echo struct {
	mu    sync.Mutex
	lines []string
	reply string // instead of "got <line>"
}

func (e *echo) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lines = append(e.lines, m.Text)
	text := "got " + m.Text
	if e.reply != "" {
		text = e.reply
	}
	return bot.Reply{Blocks: []bot.Block{bot.Text{Text: text}}}, nil
}

const (
	up    = "\x1b[A"
	down  = "\x1b[B"
	left  = "\x1b[D"
	ctrlC = "\x03"
	ctrlD = "\x04"
)

func TestTerminalLineEditing(t *testing.T) {
	for _, tt := range []struct {
		name  string
		keys  string
		lines []string // what the handler receives, in order
	}{
		{"enter sends the line", "deals\r", []string{"deals"}},
		{"up recalls the last line", "new Acme\r" + up + "\r", []string{"new Acme", "new Acme"}},
		{"up twice, down once", "a1\ra2\r" + up + up + down + "\r", []string{"a1", "a2", "a2"}},
		{"up and edit", "show acme\r" + up + "\x7f\x7f\x7f\x7fglobex\r", []string{"show acme", "show globex"}},
		{"left arrow inserts mid-line", "nw Acme" + strings.Repeat(left, 6) + "e\r", []string{"new Acme"}},
		{"blank lines skipped", "\r   \rdeals\r", []string{"deals"}},
		{"quit ends the chat", "deals\rquit\rnew Never\r", []string{"deals"}},
		{"exit ends the chat", "exit\rdeals\r", nil},
		{"退出 ends the chat", "退出\rdeals\r", nil},
		{"ctrl-d on an empty line ends the chat", "deals\r" + ctrlD + "new Never\r", []string{"deals"}},
		{"ctrl-c drops the line and ends the chat", "half typed" + ctrlC + "new Never\r", nil},
		{"end of input ends the chat", "deals\r", []string{"deals"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tty := &fakeTTY{in: strings.NewReader(tt.keys)}
			h := &echo{}
			c := console.New(nil, nil, h, "T1", "alice", "en")
			c.Prompt = "stagecoach> "
			c.UseTerminal(tty, nil)
			if err := c.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if strings.Join(h.lines, "|") != strings.Join(tt.lines, "|") {
				t.Fatalf("handler got %q, want %q", h.lines, tt.lines)
			}
			out := tty.String()
			for _, l := range tt.lines {
				if !strings.Contains(out, "got "+l+"\r\n") {
					t.Errorf("reply to %q missing or without CRLF:\n%q", l, out)
				}
			}
			if !strings.HasSuffix(out, "\r\n") {
				t.Errorf("the chat does not end on a new line:\n%q", out)
			}
		})
	}
}

func TestTerminalPromptAfterEachReply(t *testing.T) {
	tty := &fakeTTY{in: strings.NewReader("a\rb\r" + ctrlD)}
	c := console.New(nil, nil, &echo{}, "T1", "alice", "en")
	c.Prompt = "> "
	c.UseTerminal(tty, nil)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The prompt comes back only once the reply is printed, so replies
	// never land on the prompt's line.
	want := "> a\r\ngot a\r\n\r\n> b\r\ngot b\r\n\r\n> \r\n"
	if got := tty.String(); got != want {
		t.Fatalf("screen\n%q\nwant\n%q", got, want)
	}
}

func TestTerminalWrapsRepliesToWidth(t *testing.T) {
	long := "Stage 2 · 客户拜访与需求确认：确认决策链、预算和时间表，然后安排下一次会议。 Next: book the demo with the buyer and the technical lead."
	for _, width := range []int{20, 33, 80} {
		t.Run(strconv.Itoa(width), func(t *testing.T) {
			tty := &fakeTTY{in: strings.NewReader("x\r" + ctrlD)}
			c := console.New(nil, nil, &echo{reply: long}, "T1", "alice", "en")
			c.UseTerminal(tty, func() (int, int) { return width, 24 })
			if err := c.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			screen := tty.String()
			if !strings.Contains(strings.NewReplacer("\r\n", "", " ", "").Replace(screen), strings.ReplaceAll(long, " ", "")) {
				t.Fatalf("reply text lost:\n%q", screen)
			}
			lines := strings.Split(screen, "\r\n")
			for _, l := range lines {
				if w := console.StringWidth(l); w > width {
					t.Errorf("line %q is %d columns on a %d-column terminal", l, w, width)
				}
			}
			if console.StringWidth(long) > width && len(lines) < 3 {
				t.Errorf("not wrapped:\n%q", screen)
			}
		})
	}
}

func TestTerminalHistoryOnTheRealRouter(t *testing.T) {
	e := bottest.New(t)
	tty := &fakeTTY{in: strings.NewReader("new Acme\r" + up + "\r" + "deals\r" + ctrlD)}
	c := console.New(nil, nil, e.Router, e.Team, "alice", "en")
	c.UseTerminal(tty, func() (int, int) { return 100, 30 })
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Created D-1", "Created D-2", "D-1 Acme", "D-2 Acme"} {
		if !strings.Contains(tty.String(), want) {
			t.Errorf("screen lacks %q:\n%s", want, tty.String())
		}
	}
}

func TestTerminalStopsWhenContextEnds(t *testing.T) {
	pr, pw := io.Pipe() // input that never ends, like an idle terminal
	defer pw.Close()
	tty := &fakeTTY{in: pr}
	c := console.New(nil, nil, &echo{}, "T1", "alice", "en")
	c.Prompt = "> "
	c.UseTerminal(tty, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	if _, err := pw.Write([]byte("a\r")); err != nil {
		t.Fatal(err)
	}
	cancel() // SIGTERM or SIGINT from outside
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(tty.String(), "\r\n") {
		t.Fatalf("no newline after the prompt: %q", tty.String())
	}
}

func TestTerminalSenderAndSay(t *testing.T) {
	tty := &fakeTTY{in: strings.NewReader("")}
	c := console.New(nil, nil, &echo{}, "T1", "alice", "en")
	c.UseTerminal(tty, func() (int, int) { return 12, 24 })
	c.Say("Welcome to the console")
	if err := c.Sender().Send(context.Background(), bot.Recipient{Tenant: "T1", User: "alice"}, bot.Reply{Blocks: []bot.Block{bot.Text{Text: "nudge about D-1 Acme"}}}); err != nil {
		t.Fatal(err)
	}
	want := "Welcome to\r\nthe console\r\n── to alice (T1) ──\r\nnudge about\r\nD-1 Acme\r\n\r\n"
	if got := tty.String(); got != want {
		t.Fatalf("screen\n%q\nwant\n%q", got, want)
	}
}
