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
	return extractPackageTo(t, pkg, t.TempDir())
}

func extractPackageTo(t testing.TB, pkg, dir string) string {
	t.Helper()
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

var (
	templateOnce sync.Once
	templateRoot string // removed by TestMain
	templateDir  string
)

// appCopy returns a fresh copy of the extracted package to break. The
// package is extracted once; in each copy files over 1 MB (the binaries)
// are hard links to it, so a test that changes a binary must detach it
// first.
func appCopy(t *testing.T) string {
	t.Helper()
	templateOnce.Do(func() {
		d, err := os.MkdirTemp("", "kubelens-app-")
		if err != nil {
			t.Fatal(err)
		}
		templateRoot = d
		templateDir = extractPackageTo(t, appPackage(t), d)
	})
	dst := filepath.Join(t.TempDir(), "kubelens")
	err := filepath.WalkDir(templateDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(templateDir, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case info.Size() > 1<<20:
			return os.Link(p, target)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, info.Mode().Perm())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// detach replaces a hard-linked file of a copy by a file of its own.
func detach(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, info.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}
