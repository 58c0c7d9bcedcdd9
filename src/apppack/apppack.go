// Package apppack assembles the kubelens app from the repository and the
// cross-compiled binaries, and writes it as a deterministic .tgz: sorted
// entries, fixed owner and times, modes 0755/0644, so that the same inputs
// give the same bytes.
package apppack

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/appcheck"
	"github.com/kubelens/kubelens/src/splunkconf"
)

// Config says where the parts are.
type Config struct {
	// Root is the repository: default/, lookups/ and app/ are read from it.
	Root string
	// BinDir holds the builds as <platform>/bin/<binary>[.exe].
	BinDir string
	// Stage is the folder to assemble the app in; it is replaced. Its base
	// name is the app id.
	Stage string
	// Version is stamped into app.conf and app.manifest.
	Version string
	// ModCache is the Go module cache the licences are read from
	// (go env GOMODCACHE).
	ModCache string
}

// modulesMarker is the line of app/README.md that Stage replaces with the
// table of Go modules bundled in the binaries.
const modulesMarker = "<!-- kubelens:bundled-modules -->"

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// Stage assembles the app folder.
func Stage(cfg Config) error {
	m := versionRE.FindStringSubmatch(cfg.Version)
	if m == nil {
		return fmt.Errorf("apppack: version %q is not Major.Minor.Revision", cfg.Version)
	}
	if err := os.RemoveAll(cfg.Stage); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	for _, d := range []struct{ from, to string }{
		{"default", "default"}, {"lookups", "lookups"}, {"app", "."},
	} {
		src := filepath.Join(cfg.Root, d.from)
		if _, err := os.Stat(src); os.IsNotExist(err) && d.from == "lookups" {
			continue // the lookups are optional here; appcheck reports missing ones
		}
		if err := copyTree(src, filepath.Join(cfg.Stage, d.to)); err != nil {
			return err
		}
	}
	for _, plat := range appcheck.Platforms {
		for _, b := range appcheck.Binaries {
			name := b
			if strings.HasPrefix(plat, "windows_") {
				name += ".exe"
			}
			src := filepath.Join(cfg.BinDir, plat, "bin", name)
			if err := copyFile(src, filepath.Join(cfg.Stage, plat, "bin", name), 0o755); err != nil {
				return err
			}
			// splunkd may or may not append .exe to commands.conf's
			// filename on Windows: ship the command under both names.
			if b == "kubeenrich" && name != b {
				if err := copyFile(src, filepath.Join(cfg.Stage, plat, "bin", b), 0o755); err != nil {
					return err
				}
			}
		}
	}
	if err := writeModules(cfg); err != nil {
		return err
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	patch, _ := strconv.Atoi(m[3])
	build := major*1_000_000 + minor*1_000 + patch
	if build == 0 {
		build = 1
	}
	if err := stamp(filepath.Join(cfg.Stage, "default", "app.conf"), []replacement{
		{versionLineRE, "version = " + cfg.Version},
		{buildLineRE, "build = " + strconv.Itoa(build)},
	}); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(cfg.Stage, "app.manifest")); err == nil {
		if err := stamp(filepath.Join(cfg.Stage, "app.manifest"), []replacement{
			{regexp.MustCompile(`"version":\s*"[^"]*"`), `"version": "` + cfg.Version + `"`},
		}); err != nil {
			return err
		}
	}
	b, err := os.ReadFile(filepath.Join(cfg.Stage, "default", "app.conf"))
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	if _, err := splunkconf.ParseBytes(b, "default/app.conf", splunkconf.Conf); err != nil {
		return fmt.Errorf("apppack: stamped app.conf: %w", err)
	}
	return nil
}

// writeModules replaces the marker in the staged README with the modules
// linked into the staged binaries and their licences.
func writeModules(cfg Config) error {
	readme := filepath.Join(cfg.Stage, "README.md")
	b, err := os.ReadFile(readme)
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	if !strings.Contains(string(b), modulesMarker) {
		return fmt.Errorf("apppack: app/README.md has no %s line for the module licences", modulesMarker)
	}
	var bins []string
	for _, plat := range appcheck.Platforms {
		for _, bin := range appcheck.Binaries {
			name := bin
			if strings.HasPrefix(plat, "windows_") {
				name += ".exe"
			}
			bins = append(bins, filepath.Join(cfg.Stage, plat, "bin", name))
		}
	}
	mods, err := Modules(bins)
	if err != nil {
		return err
	}
	if err := FillLicences(mods, cfg.ModCache); err != nil {
		return err
	}
	table := "No third-party Go modules are linked into the binaries.\n"
	if len(mods) > 0 {
		table = ModulesTable(mods)
	}
	b = []byte(strings.Replace(string(b), modulesMarker, strings.TrimSuffix(table, "\n"), 1))
	if err := os.WriteFile(readme, b, 0o644); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	return nil
}

// The app.conf lines Stage stamps.
var (
	versionLineRE = regexp.MustCompile(`(?m)^version[ \t]*=.*$`)
	buildLineRE   = regexp.MustCompile(`(?m)^build[ \t]*=.*$`)
)

type replacement struct {
	re   *regexp.Regexp
	with string
}

func stamp(path string, reps []replacement) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	for _, r := range reps {
		if !r.re.Match(b) {
			return fmt.Errorf("apppack: %s has no line matching %s to stamp", path, r.re)
		}
		b = r.re.ReplaceAll(b, []byte(r.with))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	return nil
}

// skip reports files that never go into the package: dotfiles, editor
// leftovers and users' own configuration.
func skip(rel string, isDir bool) bool {
	base := filepath.Base(rel)
	switch {
	case strings.HasPrefix(base, "."), base == "__MACOSX", strings.HasSuffix(base, "~"):
		return true
	case isDir && base == "local" && filepath.Dir(rel) == ".":
		return true
	case base == "local.meta":
		return true
	}
	return false
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("apppack: %w", err)
		}
		rel, _ := filepath.Rel(src, p)
		if rel != "." && skip(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("apppack: %w", err)
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("apppack: %s is not a regular file", p)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("apppack: %w", err)
		}
		mode := os.FileMode(0o644)
		if info.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		return copyFile(p, target, mode)
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("apppack: copy %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	return os.Chmod(dst, mode)
}

// Epoch is the modification time of every entry: a fixed date, or
// SOURCE_DATE_EPOCH when set (reproducible-builds.org convention).
func Epoch() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
}

// Archive writes the stage folder as a gzipped tar whose single top
// folder is the stage's base name.
func Archive(stage, out string, mtime time.Time) error {
	top := filepath.Base(stage)
	type entry struct {
		rel  string
		dir  bool
		exec bool
	}
	var entries []entry
	err := filepath.WalkDir(stage, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(stage, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		entries = append(entries, entry{rel: filepath.ToSlash(rel), dir: d.IsDir(), exec: info.Mode().Perm()&0o111 != 0})
		return nil
	})
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	// Sort by the names as written, where a folder ends in "/": "README/"
	// comes after "README.md".
	key := func(e entry) string {
		if e.dir {
			return e.rel + "/"
		}
		return e.rel
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	defer os.Remove(tmp)
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		name := top
		if e.rel != "." {
			name += "/" + e.rel
		}
		h := &tar.Header{Name: name, ModTime: mtime, Uid: 0, Gid: 0, Format: tar.FormatUSTAR}
		switch {
		case e.dir:
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, name+"/", 0o755
		case e.exec:
			h.Typeflag, h.Mode = tar.TypeReg, 0o755
		default:
			h.Typeflag, h.Mode = tar.TypeReg, 0o644
		}
		var body []byte
		if !e.dir {
			if body, err = os.ReadFile(filepath.Join(stage, filepath.FromSlash(e.rel))); err != nil {
				f.Close()
				return fmt.Errorf("apppack: %w", err)
			}
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			f.Close()
			return fmt.Errorf("apppack: %s: %w", name, err)
		}
		if _, err := tw.Write(body); err != nil {
			f.Close()
			return fmt.Errorf("apppack: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("apppack: %w", err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("apppack: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("apppack: %w", err)
	}
	return nil
}
