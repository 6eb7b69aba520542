package main

import (
	"context"
	"fmt"
	"io"
)

// runJobs is the operator command `stagecoach jobs run nudges|reminders|digest`.
func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "usage: stagecoach jobs run nudges|reminders|digest [--now <RFC 3339 time>]")
	return 2
}
