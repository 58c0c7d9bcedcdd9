package appcheck

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxExtract bounds what extract writes, against a decompression bomb.
const maxExtract = 1 << 30

// extract unpacks the package into dir, reporting entries AppInspect would
// reject. Unsafe entries (absolute, "..", links, devices) are reported and
// skipped, never written.
func extract(pkg, dir string) ([]Finding, error) {
	f, err := os.Open(pkg)
	if err != nil {
		return nil, fmt.Errorf("appcheck: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("appcheck: %s is not a gzipped tar: %w", pkg, err)
	}
	tr := tar.NewReader(zr)
	var findings []Finding
	tops := map[string]bool{}
	var written int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("appcheck: read %s: %w", pkg, err)
		}
		name := strings.TrimPrefix(h.Name, "./")
		clean := path.Clean(name)
		if path.IsAbs(name) || clean == ".." || strings.HasPrefix(clean, "../") || name == "" {
			findings = append(findings, Finding{Check: CheckArchive, Path: h.Name, Msg: "entry outside the app folder"})
			continue
		}
		tops[strings.SplitN(clean, "/", 2)[0]] = true
		mode := os.FileMode(h.Mode).Perm()
		target := filepath.Join(dir, filepath.FromSlash(clean))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return nil, fmt.Errorf("appcheck: %w", err)
			}
			// Modes are checked from the archive, since the
			// extracting user's umask would hide them.
			if err := os.Chmod(target, (mode|0o700)&^0o022); err != nil {
				return nil, fmt.Errorf("appcheck: %w", err)
			}
			findings = append(findings, modeFindings(clean, mode, true)...)
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return nil, fmt.Errorf("appcheck: %w", err)
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, (mode|0o600)&^0o022)
			if err != nil {
				return nil, fmt.Errorf("appcheck: %w", err)
			}
			n, err := io.Copy(out, io.LimitReader(tr, maxExtract-written+1))
			out.Close()
			if err != nil {
				return nil, fmt.Errorf("appcheck: extract %s: %w", clean, err)
			}
			if written += n; written > maxExtract {
				return nil, fmt.Errorf("appcheck: %s unpacks to more than %d bytes", pkg, maxExtract)
			}
			findings = append(findings, modeFindings(clean, mode, false)...)
		default:
			findings = append(findings, Finding{Check: CheckArchive, Path: clean, Msg: fmt.Sprintf("entry of type %q: only files and folders belong in an app", string(h.Typeflag))})
		}
	}
	if len(tops) != 1 || !tops[AppID] {
		var names []string
		for t := range tops {
			names = append(names, t)
		}
		findings = append(findings, Finding{Check: CheckArchive, Msg: fmt.Sprintf("the package must hold the single folder %s/, it holds %q", AppID, names)})
	}
	return findings, nil
}

// modeFindings applies AppInspect's permission rules: files at least owner
// read/write, folders owner read/write/execute, nothing world-writable.
func modeFindings(name string, mode os.FileMode, isDir bool) []Finding {
	var f []Finding
	rel := strings.TrimPrefix(strings.TrimPrefix(name, AppID), "/")
	switch {
	case isDir && mode&0o700 != 0o700:
		f = append(f, Finding{Check: CheckPermissions, Path: rel, Msg: fmt.Sprintf("folder mode %#o: the owner needs rwx", mode)})
	case !isDir && mode&0o600 != 0o600:
		f = append(f, Finding{Check: CheckPermissions, Path: rel, Msg: fmt.Sprintf("file mode %#o: the owner needs rw", mode)})
	}
	if mode&0o002 != 0 {
		f = append(f, Finding{Check: CheckPermissions, Path: rel, Msg: fmt.Sprintf("mode %#o is world-writable", mode)})
	}
	return f
}
