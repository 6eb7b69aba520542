//go:build unix

package coach_test

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time so far, so a benchmark can
// report the work it did apart from the wall time a busy machine inflates.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
