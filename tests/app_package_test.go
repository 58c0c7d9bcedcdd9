package tests

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/appcheck"
	"github.com/kubelens/kubelens/src/apppack"
	"github.com/kubelens/kubelens/src/splunkconf"
)

// TestPackage_Layout checks what an admin installs: one kubelens/ folder,
// sorted entries with fixed owner, time and modes, the version stamped,
// every platform's binaries, no local/ and no dotfiles.
func TestPackage_Layout(t *testing.T) {
	entries := readPackage(t, appPackage(t))
	version, err := os.ReadFile(filepath.Join(repoRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byName := map[string]tarEntry{}
	for _, e := range entries {
		h := e.hdr
		names = append(names, h.Name)
		byName[h.Name] = e
		if !strings.HasPrefix(h.Name, "kubelens/") {
			t.Errorf("%s is outside kubelens/", h.Name)
		}
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(apppack.Epoch()) {
			t.Errorf("%s: uid %d gid %d mtime %v: want 0, 0, %v", h.Name, h.Uid, h.Gid, h.ModTime, apppack.Epoch())
		}
		if m := h.Mode; m != 0o644 && m != 0o755 {
			t.Errorf("%s: mode %#o", h.Name, m)
		}
		for _, part := range strings.Split(strings.TrimSuffix(h.Name, "/"), "/") {
			if strings.HasPrefix(part, ".") || part == "local" || part == "local.meta" {
				t.Errorf("%s must not be shipped", h.Name)
			}
		}
	}
	if !slices.IsSorted(names) {
		t.Error("entries are not sorted")
	}
	for _, plat := range appcheck.Platforms {
		for _, b := range appcheck.Binaries {
			n := "kubelens/" + plat + "/bin/" + b
			if strings.HasPrefix(plat, "windows") {
				n += ".exe"
			}
			if e, ok := byName[n]; !ok || e.hdr.Mode != 0o755 || len(e.body) == 0 {
				t.Errorf("%s missing or not executable", n)
			}
		}
	}
	if exe, plain := byName["kubelens/windows_x86_64/bin/kubeenrich.exe"], byName["kubelens/windows_x86_64/bin/kubeenrich"]; !bytes.Equal(exe.body, plain.body) {
		t.Error("windows kubeenrich and kubeenrich.exe differ")
	}
	conf, err := splunkconf.ParseBytes(byName["kubelens/default/app.conf"].body, "app.conf", splunkconf.Conf)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(version))
	if got := conf.Stanza("launcher").Value("version"); got != want {
		t.Errorf("[launcher] version = %q, want %q", got, want)
	}
	if got := conf.Stanza("id").Value("version"); got != want {
		t.Errorf("[id] version = %q, want %q", got, want)
	}
	if readme := string(byName["kubelens/README.md"].body); strings.Contains(readme, "kubelens:bundled-modules") || !strings.Contains(readme, "github.com/sirupsen/logrus") {
		t.Error("the README's module table was not filled in")
	}
}

// TestPackage_Deterministic: archiving the same stage twice gives the same
// bytes.
func TestPackage_Deterministic(t *testing.T) {
	stage := extractPackage(t, appPackage(t))
	var sums [][32]byte
	for i := 0; i < 2; i++ {
		out := filepath.Join(t.TempDir(), "p.tgz")
		if err := apppack.Archive(stage, out, apppack.Epoch()); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sha256.Sum256(b))
	}
	if sums[0] != sums[1] {
		t.Error("two archives of the same stage differ")
	}
}

// TestPackage_Launcher runs bin/kubeenrich, the launcher for platforms
// splunkd has no folder name for: it must start this machine's build.
func TestPackage_Launcher(t *testing.T) {
	if runtime.GOOS == "windows" || appcheck.HostPlatform() == "" {
		t.Skip("the launcher is a POSIX shell script for the built platforms")
	}
	dir := extractPackage(t, appPackage(t))
	out, err := exec.Command(filepath.Join(dir, "bin", "kubeenrich"), "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("bin/kubeenrich --version: %v\n%s", err, out)
	}
	version, _ := os.ReadFile(filepath.Join(repoRoot(t), "VERSION"))
	if got, want := strings.TrimSpace(string(out)), "kubeenrich "+strings.TrimSpace(string(version)); got != want {
		t.Errorf("launcher ran %q, want %q", got, want)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "bin", "kubeenrich"))
	b, _ := os.ReadFile(filepath.Join(dir, "bin", "eks_logs"))
	if !bytes.Equal(a, b) {
		t.Error("bin/kubeenrich and bin/eks_logs launchers differ")
	}
}
