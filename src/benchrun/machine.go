package benchrun

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine describes where a report was measured.
type Machine struct {
	CPU    string // model name
	Cores  int
	Go     string // the toolchain that built the harness, and with make the binaries
	OS     string
	Date   string // UTC
	Commit string // the checkout's HEAD, "-dirty" with uncommitted changes
	// LoadBefore and LoadAfter are the 1-minute load averages around the
	// measurements: the machine may be shared.
	LoadBefore, LoadAfter string
}

// Describe reads the machine's facts; repo is the checkout to name the
// commit of.
func Describe(ctx context.Context, repo string) Machine {
	return Machine{
		CPU: cpuModel(), Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Date: time.Now().UTC().Format("2006-01-02"), Commit: commit(ctx, repo), LoadBefore: LoadAverage(),
	}
}

// cpuModel is /proc/cpuinfo's model name on Linux, else the architecture.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// LoadAverage is the 1-minute load average, "" where unknown.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// commit is the short HEAD of repo, "-dirty" when tracked files changed;
// "unknown" outside a git checkout.
func commit(ctx context.Context, repo string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", repo, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	status, err := exec.CommandContext(ctx, "git", "-C", repo, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(status))) > 0 {
		c += "-dirty"
	}
	return c
}
