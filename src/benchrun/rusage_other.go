//go:build !linux && !darwin

package benchrun

import (
	"os"
	"time"
)

// usage returns a finished process's CPU time; the peak RSS is unknown
// here (0).
func usage(ps *os.ProcessState) (maxRSS int64, cpu time.Duration) {
	return 0, ps.UserTime() + ps.SystemTime()
}

// selfMaxRSS is unknown here (0).
func selfMaxRSS() int64 { return 0 }

// selfCPU is unknown here (0).
func selfCPU() time.Duration { return 0 }

// threadCPU is unknown here.
func threadCPU() (time.Duration, bool) { return 0, false }

// selfCPUKnown says whether selfCPU reports the harness's CPU here.
const selfCPUKnown = false

// usageKnown says whether usage reports the peak RSS here.
const usageKnown = false
