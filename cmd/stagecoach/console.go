package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/stagecoach/stagecoach/bot"
	"github.com/stagecoach/stagecoach/bot/console"
)

// consolePrompt is shown before each line when the console is interactive.
const consolePrompt = "stagecoach> "

// runConsole chats in the terminal as a.User of a.Team. On a terminal
// (stdin and stdout both) it edits lines in raw mode with history and
// wraps replies to the width, restoring the terminal however it ends
// (quit, Ctrl-D, Ctrl-C, SIGINT/SIGTERM through ctx). Piped input is read
// line by line as before, without prompt or raw mode.
func runConsole(ctx context.Context, m *Main, a cli, stdin io.Reader, stdout, stderr io.Writer) int {
	c := console.New(stdin, stdout, m.Router, a.Team, a.User, m.Config.Lang)
	welcome := bot.T(consoleLang(m.Config.Lang), "console.welcome", "user", a.User, "team", a.Team)
	interactive, raw := terminals(stdin, stdout)
	if raw {
		fd := int(stdin.(*os.File).Fd())
		state, err := term.MakeRaw(fd)
		if err != nil {
			m.Log.Warn("terminal: no line editing", "err", err)
			raw = false
		} else {
			defer func() { _ = term.Restore(fd, state) }()
		}
	}
	switch {
	case raw:
		out := int(stdout.(*os.File).Fd())
		c.Prompt = consolePrompt
		c.UseTerminal(struct {
			io.Reader
			io.Writer
		}{stdin, stdout}, func() (int, int) {
			w, h, err := term.GetSize(out)
			if err != nil {
				return 0, 0
			}
			return w, h
		})
		c.Say(welcome)
	case interactive:
		// Typing with the output redirected: no line editor (it would echo
		// keys into the file), but a prompt and the greeting as before.
		c.Prompt = consolePrompt
		fmt.Fprintln(stdout, welcome)
	}
	if err := c.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "stagecoach:", err)
		return 1
	}
	return 0
}

// terminals reports whether stdin is a terminal (someone types) and
// whether stdout is one too (the line editor may draw).
func terminals(stdin io.Reader, stdout io.Writer) (interactive, raw bool) {
	in, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return false, false
	}
	out, ok := stdout.(*os.File)
	return true, ok && term.IsTerminal(int(out.Fd()))
}

// consoleLog is where the console's log lines go: on a terminal in raw
// mode a bare newline does not return the carriage, so it becomes CRLF.
func consoleLog(stdin io.Reader, stdout, stderr io.Writer) io.Writer {
	if _, raw := terminals(stdin, stdout); !raw {
		return stderr
	}
	if f, ok := stderr.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return stderr
	}
	return crlfWriter{stderr}
}

type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
