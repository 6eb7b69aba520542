package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commands are the words that may follow the global flags; none means
// the console when no chat platform is configured, else the service.
var commands = []string{"serve", "health", "jobs", "mirror"}

const usageText = `usage: stagecoach [--user NAME] [--team TEAM] [--lang zh|en] [command]

commands:
  (none)   the console chat when no chat platform is configured, else the service
  serve    run the service: Slack and/or Lark, the HTTP endpoints, the scheduler;
           fails when neither SLACK_BOT_TOKEN nor LARK_APP_ID is set
  health   exit 0 when GET /healthz on HTTP_ADDR answers 200 (Docker HEALTHCHECK)
  jobs     run nudges|reminders|digest [--now T]: run one job once
  mirror   resync|status [--team T]: queue a full CRM mirror resync, or show the queues

flags:
`

// cli is the parsed command line: global flags first, then the command and
// its own arguments.
type cli struct {
	User, Team, Lang string
	Command          string   // "" or one of commands
	Args             []string // after the command
}

// parseArgs reads the global flags, then the command. It prints flag
// errors and usage to stderr; the error is flag.ErrHelp for -h.
func parseArgs(args []string, stderr io.Writer) (cli, error) {
	var c cli
	fs := flag.NewFlagSet("stagecoach", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.User, "user", defaultUser(), "console: act as this user")
	fs.StringVar(&c.Team, "team", "local", "console: act in this team")
	fs.StringVar(&c.Lang, "lang", "", "console: language zh or en (default: STAGECOACH_LANG, then LANG)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return c, nil
	}
	c.Command, c.Args = rest[0], rest[1:]
	for _, name := range commands {
		if c.Command == name {
			if name != "jobs" && name != "mirror" && len(c.Args) > 0 {
				return c, fmt.Errorf("%s takes no arguments, got %q", name, strings.Join(c.Args, " "))
			}
			return c, nil
		}
	}
	return c, fmt.Errorf("unknown command %q: want %s, or none for the console", c.Command, strings.Join(commands, ", "))
}

// errNoPlatform is why `serve` refuses to start without a chat platform.
var errNoPlatform = errors.New("serve: no chat platform configured: set SLACK_BOT_TOKEN (with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) for Slack, or LARK_APP_ID (with LARK_APP_SECRET) for Lark; run stagecoach without a command for the console")
