package benchrun

import (
	"os"
	"syscall"
	"time"
)

// usage returns a finished process's peak RSS in bytes (macOS reports
// bytes) and its CPU time.
func usage(ps *os.ProcessState) (maxRSS int64, cpu time.Duration) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, ps.UserTime() + ps.SystemTime()
	}
	return ru.Maxrss, ps.UserTime() + ps.SystemTime()
}

// selfMaxRSS is this process's peak RSS in bytes.
func selfMaxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss
}

// threadCPU is not measured here: the floor is timed by wall clock on
// macOS (see Floor.Timed).
func threadCPU() (time.Duration, bool) { return 0, false }

// usageKnown says whether usage reports the peak RSS here.
const usageKnown = true
