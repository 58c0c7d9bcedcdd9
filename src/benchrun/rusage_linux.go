package benchrun

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// usage returns a finished process's peak RSS in bytes (Linux reports
// kilobytes) and its CPU time.
func usage(ps *os.ProcessState) (maxRSS int64, cpu time.Duration) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, ps.UserTime() + ps.SystemTime()
	}
	return int64(ru.Maxrss) * 1024, ps.UserTime() + ps.SystemTime()
}

// selfMaxRSS is this process's peak RSS in bytes.
func selfMaxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024
}

// threadCPU is the calling OS thread's CPU time (CLOCK_THREAD_CPUTIME_ID,
// which counts to the nanosecond where getrusage's RUSAGE_THREAD moves only
// at the scheduler's ticks); ok is false where the platform cannot say (the
// caller times wall instead).
func threadCPU() (cpu time.Duration, ok bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

// usageKnown says whether usage reports the peak RSS here.
const usageKnown = true
