// Package tests holds the end-to-end tests of the built kubelens binaries.
//
// The binaries come from $KUBELENS_BIN_DIR (make test sets it to bin/ after
// building); without it the tests build them once into a temporary folder,
// so "go test ./..." works on its own.
package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	buildDir  string
	buildMu   sync.Mutex
	builtBins = map[string]string{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []string{buildDir, templateRoot} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// binary returns the path of a kubelens executable, e.g. "kubeenrich".
func binary(t testing.TB, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := builtBins[name]; ok {
		return p
	}
	exe := name
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if dir := os.Getenv("KUBELENS_BIN_DIR"); dir != "" {
		p := filepath.Join(dir, exe)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("KUBELENS_BIN_DIR=%s has no %s: run make build", dir, exe)
		}
		builtBins[name] = p
		return p
	}
	if buildDir == "" {
		d, err := os.MkdirTemp("", "kubelens-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = d
	}
	p := filepath.Join(buildDir, exe)
	cmd := exec.Command("go", "build", "-o", p, "./src/cmd/"+name)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	builtBins[name] = p
	return p
}

// repoRoot is the repository root, the parent of tests/.
func repoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// sharedDir returns ../shared next to the checkout, skipping the test when
// it is absent: it holds third-party recordings we never commit.
func sharedDir(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{repoRoot(t), "..", "shared"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is absent: reference material only in the team's workspace", p)
	}
	return p
}
