package tests

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	pkgOnce sync.Once
	pkgPath string
	pkgErr  error
)

// appPackage returns the built package: $KUBELENS_PACKAGE (make test sets
// it), or one "make package" builds.
func appPackage(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("KUBELENS_PACKAGE"); p != "" {
		return p
	}
	pkgOnce.Do(func() {
		root := repoRoot(t)
		cmd := exec.Command("make", "-s", "package")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			pkgErr = errors.New(string(out))
			return
		}
		v, err := os.ReadFile(filepath.Join(root, "VERSION"))
		if err != nil {
			pkgErr = err
			return
		}
		pkgPath = filepath.Join(root, "dist", "kubelens-"+strings.TrimSpace(string(v))+".tgz")
	})
	if pkgErr != nil {
		t.Fatalf("make package: %v", pkgErr)
	}
	return pkgPath
}

// tarEntry is one entry of the package.
type tarEntry struct {
	hdr  *tar.Header
	body []byte
}

func readPackage(t testing.TB, pkg string) []tarEntry {
	t.Helper()
	f, err := os.Open(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out []tarEntry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarEntry{h, b})
	}
}

// extractPackage unpacks the package into a temporary folder and returns
// the app folder (<tmp>/kubelens).
func extractPackage(t testing.TB, pkg string) string {
	t.Helper()
	dir := t.TempDir()
	for _, e := range readPackage(t, pkg) {
		target := filepath.Join(dir, filepath.FromSlash(e.hdr.Name))
		if e.hdr.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, os.FileMode(e.hdr.Mode)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, e.body, os.FileMode(e.hdr.Mode)); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "kubelens")
}

// pendingWaivers are the checks make appcheck waives while the files they
// need have not landed on this branch (see the Makefile).
func pendingWaivers(t testing.TB) []string {
	root := repoRoot(t)
	var w []string
	if m, _ := filepath.Glob(filepath.Join(root, "lookups", "*.csv")); len(m) == 0 {
		w = append(w, "lookup-files")
	}
	if _, err := os.Stat(filepath.Join(root, "app", "README", "inputs.conf.spec")); err != nil {
		w = append(w, "inputs-spec")
	}
	return w
}
