package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

const (
	exportUsage = "usage: stagecoach export [--team T] [--out FILE]"
	importUsage = "usage: stagecoach import FILE|- [--replace]"
)

// runTransfer runs the operator commands `stagecoach export` and
// `stagecoach import` (cmd) with their arguments.
//
// export writes one team of the configured store as JSON (settings,
// members, deals with everything in them and their history, cases) to
// stdout or --out; without --team the store must hold exactly one team.
// import loads such a file into the configured store: every problem is
// reported with its JSON path and nothing is stored; ids that exist are
// refused unless --replace. Exit codes: 0 done, 1 refused or failed, 2 usage.
func runTransfer(ctx context.Context, cmd string, cmdArgs []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args := append([]string{cmd}, cmdArgs...)
	var team, out, file string
	replace := false
	usage := exportUsage
	if args[0] == "import" {
		usage = importUsage
	}
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		flagName := strings.TrimLeft(a, "-")
		name, val, hasVal := strings.Cut(flagName, "=")
		switch {
		case args[0] == "export" && strings.HasPrefix(a, "-") && (name == "team" || name == "out"):
			if !hasVal {
				if i+1 >= len(rest) {
					fmt.Fprintln(stderr, usage)
					return 2
				}
				i++
				val = rest[i]
			}
			if name == "team" {
				team = val
			} else {
				out = val
			}
		case args[0] == "import" && (a == "--replace" || a == "-replace"):
			replace = true
		case args[0] == "import" && file == "" && (a == "-" || !strings.HasPrefix(a, "-")):
			file = a
		default:
			fmt.Fprintln(stderr, usage)
			return 2
		}
	}
	if args[0] == "import" && file == "" {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	m, code := openForCommand(ctx, environ, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	if args[0] == "export" {
		return exportTeam(ctx, m.Service, team, out, stdout, stderr)
	}
	return importTeam(ctx, m.Service, file, replace, stdin, stdout, stderr)
}

func exportTeam(ctx context.Context, svc *coach.Service, team, out string, stdout, stderr io.Writer) int {
	if team == "" {
		teams, err := svc.TeamIDs(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "stagecoach export:", err)
			return 1
		}
		if len(teams) != 1 {
			slices.Sort(teams)
			fmt.Fprintf(stderr, "stagecoach export: the store holds %d teams (%s): choose one with --team\n", len(teams), strings.Join(teams, ", "))
			return 2
		}
		team = teams[0]
	}
	e, err := svc.ExportTeam(ctx, team)
	if errors.Is(err, coach.ErrNotFound) {
		fmt.Fprintf(stderr, "stagecoach export: no team %q\n", team)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach export:", err)
		return 1
	}
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintln(stderr, "stagecoach export:", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	if err := writeExport(w, e); err != nil {
		fmt.Fprintln(stderr, "stagecoach export:", err)
		return 1
	}
	if f, ok := w.(*os.File); ok && out != "" {
		if err := f.Close(); err != nil {
			fmt.Fprintln(stderr, "stagecoach export:", err)
			return 1
		}
	}
	return 0
}

func importTeam(ctx context.Context, svc *coach.Service, file string, replace bool, stdin io.Reader, stdout, stderr io.Writer) int {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach import:", err)
		return 1
	}
	e, err := decodeExport(data)
	var res coach.ImportResult
	if err == nil {
		res, err = svc.ImportTeam(ctx, e, replace)
	}
	var ie *coach.ImportError
	if errors.As(err, &ie) {
		fmt.Fprintf(stderr, "stagecoach import: nothing was imported, %d problem(s):\n", len(ie.Problems))
		for _, p := range ie.Problems {
			fmt.Fprintln(stderr, "  "+p.String())
		}
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach import: nothing was imported:", err)
		return 1
	}
	fmt.Fprintf(stdout, "imported team %s: %d deals, %d events, %d cases\n", res.Team, res.Deals, res.Events, res.Cases)
	switch {
	case res.ResyncErr != nil:
		fmt.Fprintf(stderr, "stagecoach import: the mirror resync was not queued (%v): run `stagecoach mirror resync --team %s`\n", res.ResyncErr, res.Team)
	case res.Resynced > 0:
		fmt.Fprintf(stdout, "queued %d deals for the mirror targets\n", res.Resynced)
	}
	return 0
}

// openForCommand loads the configuration and opens the store and service
// for an operator's command (export, import, mirror): nil and the exit
// code (2 bad configuration, 1 store) when it cannot.
func openForCommand(ctx context.Context, environ func(string) string, stderr io.Writer) (*Main, int) {
	cfg, err := LoadConfig(environ)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	m := &Main{Config: cfg, Log: newLogger(cfg, stderr, true)}
	if err := m.Open(ctx); err != nil {
		fmt.Fprintln(stderr, "stagecoach:", err)
		return nil, 1
	}
	return m, 0
}
