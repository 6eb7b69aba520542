// Package console is the terminal adapter: it reads one command per line,
// answers through the shared router, and renders replies as plain text.
// It is also the end-to-end harness of the tests.
package console

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/bot"
)

// Render turns a reply into readable terminal text.
func Render(r bot.Reply) string {
	var b strings.Builder
	line := func(s string) {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	// the label separator and parentheses of the reply's language
	colon, open, closeP := ": ", "(", ")"
	if r.Lang == "zh" {
		colon, open, closeP = "：", "（", "）"
	}
	for _, blk := range r.Blocks {
		switch x := blk.(type) {
		case bot.Heading:
			line("== " + x.Text + " ==")
		case bot.Text:
			line(x.Text)
		case bot.Context:
			line("  " + strings.ReplaceAll(x.Text, "\n", "\n  "))
		case bot.Fields:
			for _, f := range x.Items {
				line(f.Label + colon + f.Value)
			}
		case bot.Divider:
			line(strings.Repeat("─", 40))
		case bot.Progress:
			line(Bar(x) + "  " + x.Label)
		case bot.Checklist:
			line(x.Title)
			for _, it := range x.Items {
				mark := "✗"
				if it.Checked {
					mark = "✓"
				}
				s := "  " + mark + " " + it.Label
				if it.Note != "" {
					s += "  " + open + it.Note + closeP
				}
				line(s)
			}
		case bot.Buttons:
			var cmds []string
			for _, bt := range x.Items {
				cmds = append(cmds, bt.Label+colon+"`"+bt.Command+"`")
			}
			line("→ " + strings.Join(cmds, " · "))
		case bot.Select:
			cur := ""
			if x.Initial >= 0 && x.Initial < len(x.Options) {
				cur = " = " + x.Options[x.Initial].Label
			}
			label := x.Label
			if label == "" {
				label = x.Placeholder
			}
			if !numbered(x.Options) {
				// options that are different commands: list each one
				line(label + cur)
				for _, o := range x.Options {
					line("  • " + o.Label + colon + "`" + o.Command + "`")
				}
				break
			}
			hint := ""
			if len(x.Options) > 0 {
				hint = " (`" + commonPrefix(x.Options) + "`)"
			}
			line(label + cur + hint)
		case bot.Image:
			line(fmt.Sprintf("[image: %s, %d bytes]", x.Title, len(x.PNG)))
		case bot.Form:
			line("== " + x.Title + " ==")
			var kv []string
			for _, f := range x.Fields {
				if f.Kind == "hidden" {
					continue
				}
				req := ""
				if f.Required {
					req = " *"
				}
				desc := "  " + f.Key + " — " + f.Label + req
				if len(f.Choices) > 0 {
					var cs []string
					for _, c := range f.Choices {
						cs = append(cs, c.Command)
					}
					desc += " [" + strings.Join(cs, "|") + "]"
				}
				if f.Value != "" {
					desc += " (" + f.Value + ")"
				}
				line(desc)
				kv = append(kv, f.Key+"=…")
			}
			if x.Command != "" {
				line("→ `" + x.Command + " " + strings.Join(kv, " ") + "`")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Bar draws stage progress: ■ completed, ◧ reached but not completed, □ not reached.
func Bar(p bot.Progress) string {
	var b strings.Builder
	for i := 1; i <= p.Total; i++ {
		switch {
		case i <= p.Completed:
			b.WriteString("■")
		case i <= p.Reached:
			b.WriteString("◧")
		default:
			b.WriteString("□")
		}
	}
	return b.String()
}

// commonPrefix is the command prefix shared by a select's options, e.g.
// "buyer D-3 " for the buyer-stage select.
// numbered reports whether the options are one command that differs
// only in a trailing number ("buyer D-1 0" … "buyer D-1 8").
func numbered(opts []bot.Option) bool {
	if len(opts) == 0 {
		return true
	}
	prefix := ""
	for i, o := range opts {
		j := strings.LastIndexByte(o.Command, ' ')
		if j < 0 {
			return false
		}
		if _, err := strconv.Atoi(o.Command[j+1:]); err != nil {
			return false
		}
		if i == 0 {
			prefix = o.Command[:j]
		} else if o.Command[:j] != prefix {
			return false
		}
	}
	return true
}

func commonPrefix(opts []bot.Option) string {
	p := opts[0].Command
	for _, o := range opts[1:] {
		for !strings.HasPrefix(o.Command, p) {
			p = p[:len(p)-1]
		}
	}
	if i := strings.LastIndexByte(p, ' '); i >= 0 {
		return p[:i+1] + "<n>"
	}
	return p
}
