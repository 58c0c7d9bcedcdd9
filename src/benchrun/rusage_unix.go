//go:build linux || darwin

package benchrun

import (
	"syscall"
	"time"
)

// selfCPU is this process's user plus system time so far, all threads.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// selfCPUKnown says whether selfCPU reports the harness's CPU here.
const selfCPUKnown = true
