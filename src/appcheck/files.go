package appcheck

import (
	"fmt"
	"path"
	"strings"
)

// checkFiles: no hidden files, no local/ or local.meta, and (for an app
// folder; the archive's own modes are checked while extracting) sane
// permissions.
func checkFiles(a *app, opts Options) []Finding {
	var out []Finding
	for _, f := range a.files {
		base := path.Base(f.rel)
		if strings.HasPrefix(base, ".") || base == "__MACOSX" {
			out = append(out, Finding{Check: CheckHiddenFiles, Path: f.rel, Msg: "hidden files and __MACOSX folders must not be shipped"})
		}
		if f.rel == "local" || strings.HasPrefix(f.rel, "local/") {
			if f.rel == "local" {
				out = append(out, Finding{Check: CheckLocal, Path: f.rel, Msg: "local/ must not be shipped: all configuration belongs in default/"})
			}
		}
		if f.rel == "metadata/local.meta" {
			out = append(out, Finding{Check: CheckLocal, Path: f.rel, Msg: "local.meta must not be shipped: permissions belong in default.meta"})
		}
		out = append(out, modeFindings(AppID+"/"+f.rel, f.mode.Perm(), f.isDir)...)
	}
	if f := a.conf("passwords"); f != nil {
		out = append(out, Finding{Check: CheckSecrets, Path: f.Name, Msg: "passwords.conf must not be shipped: splunkd writes it when secrets are stored"})
	}
	return dedupe(out)
}

func dedupe(in []Finding) []Finding {
	seen := map[string]bool{}
	var out []Finding
	for _, f := range in {
		k := fmt.Sprint(f)
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}
