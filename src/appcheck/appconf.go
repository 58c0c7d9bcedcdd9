package appcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

var versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// checkAppConf: id, name, folder, label, build and version agree, and the
// version is the one expected.
func checkAppConf(a *app, opts Options) []Finding {
	f := a.conf("app")
	if f == nil {
		return []Finding{{Check: CheckAppConf, Path: "default/app.conf", Msg: "missing or unreadable"}}
	}
	var out []Finding
	bad := func(format string, args ...any) {
		out = append(out, Finding{Check: CheckAppConf, Path: f.Name, Msg: fmt.Sprintf(format, args...)})
	}
	get := func(stanza, key string) string {
		if s := f.Stanza(stanza); s != nil {
			return s.Value(key)
		}
		return ""
	}
	if id := get("package", "id"); id != AppID {
		bad("[package] id = %q, want %q", id, AppID)
	}
	if n := get("id", "name"); n != AppID {
		bad("[id] name = %q, want %q", n, AppID)
	}
	if base := filepath.Base(a.dir); base != AppID {
		bad("the app folder is %q: it must equal [package] id %q", base, AppID)
	}
	lv, iv := get("launcher", "version"), get("id", "version")
	if !versionRE.MatchString(lv) {
		bad("[launcher] version = %q is not Major.Minor.Revision", lv)
	}
	if lv != iv {
		bad("[launcher] version %q and [id] version %q differ", lv, iv)
	}
	if opts.Version != "" && lv != opts.Version {
		bad("version %q, want %q (the VERSION file / package name)", lv, opts.Version)
	}
	if lv == "0.0.0" {
		bad("version 0.0.0: the packaging step did not stamp the version")
	}
	if b, err := strconv.Atoi(get("install", "build")); err != nil || b <= 0 {
		bad("[install] build = %q: must be a positive integer that changes with every release", get("install", "build"))
	}
	if l := get("ui", "label"); len(l) < 5 || len(l) > 80 {
		bad("[ui] label %q: must be 5 to 80 characters", l)
	}
	if d := get("launcher", "description"); d == "" || len(d) > 200 {
		bad("[launcher] description: must be set and at most 200 characters, has %d", len(d))
	}
	if b, err := os.ReadFile(a.path("app.manifest")); err == nil {
		var m struct {
			Info struct {
				ID struct{ Name, Version string } `json:"id"`
			} `json:"info"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			out = append(out, Finding{Check: CheckAppConf, Path: "app.manifest", Msg: fmt.Sprintf("not JSON: %v", err)})
		} else if m.Info.ID.Name != AppID || m.Info.ID.Version != lv {
			out = append(out, Finding{Check: CheckAppConf, Path: "app.manifest", Msg: fmt.Sprintf("info.id is %s %s, app.conf says %s %s", m.Info.ID.Name, m.Info.ID.Version, AppID, lv)})
		}
	}
	return out
}
