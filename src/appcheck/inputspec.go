package appcheck

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// HostPlatform is the platform folder of the machine running appcheck, or
// "" when the package has no build for it.
func HostPlatform() string {
	return map[string]string{
		"linux/amd64":   "linux_x86_64",
		"linux/arm64":   "linux_aarch64",
		"darwin/amd64":  "darwin_x86_64",
		"darwin/arm64":  "darwin_arm64",
		"windows/amd64": "windows_x86_64",
	}[runtime.GOOS+"/"+runtime.GOARCH]
}

// schemeDoc is the part of a --scheme document the spec must match.
type schemeDoc struct {
	Title string `xml:"title"`
	Args  []struct {
		Name string `xml:"name,attr"`
	} `xml:"endpoint>args>arg"`
}

var paramRE = regexp.MustCompile(`^[0-9a-zA-Z][0-9a-zA-Z_-]*$`)

// checkInputsSpec: each modular input scheme has a [<scheme>://<name>]
// stanza in README/inputs.conf.spec whose parameters are exactly the
// arguments the program's --scheme declares.
func checkInputsSpec(a *app, opts Options) []Finding {
	schemes := modularSchemes(a)
	if len(schemes) == 0 {
		return nil
	}
	var out []Finding
	bad := func(p, format string, args ...any) {
		out = append(out, Finding{Check: CheckInputsSpec, Path: p, Msg: fmt.Sprintf(format, args...)})
	}
	spec := a.specs["inputs"]
	if spec == nil {
		return []Finding{{Check: CheckInputsSpec, Path: "README/inputs.conf.spec", Msg: fmt.Sprintf("missing: splunkd needs it to know the parameters of %s", strings.Join(schemes, ", "))}}
	}
	for _, scheme := range schemes {
		st := spec.Stanza(scheme + "://<name>")
		if st == nil {
			bad(spec.Name, "no [%s://<name>] stanza", scheme)
			continue
		}
		var params []string
		for _, kv := range st.Settings {
			if !paramRE.MatchString(kv.Key) {
				bad(spec.Name, "line %d: parameter %q does not match [0-9a-zA-Z][0-9a-zA-Z_-]*", kv.Line, kv.Key)
			}
			params = append(params, kv.Key)
		}
		args, where, err := a.schemeArgs(scheme, opts)
		if err != nil {
			bad(where, "%v", err)
			continue
		}
		if missing, extra := diff(args, params); len(missing)+len(extra) > 0 {
			bad(spec.Name, "[%s://<name>] does not match %s --scheme: parameters only in --scheme %q, only in the spec %q", scheme, scheme, missing, extra)
		}
	}
	return out
}

// schemeArgs runs the package's program of a modular input with --scheme
// (once per scheme) and returns its arguments; on failure, the file to
// blame and the problem.
func (a *app) schemeArgs(scheme string, opts Options) ([]string, string, error) {
	if r, ok := a.schemes[scheme]; ok {
		return r.args, r.where, r.err
	}
	args, where, err := runScheme(a, scheme, opts)
	a.schemes[scheme] = schemeResult{args, where, err}
	return args, where, err
}

type schemeResult struct {
	args  []string
	where string
	err   error
}

func runScheme(a *app, scheme string, opts Options) ([]string, string, error) {
	plat := opts.Platform
	if plat == "" {
		plat = HostPlatform()
	}
	if plat == "" {
		return nil, "", fmt.Errorf("no build of %s for this machine (%s/%s) to run --scheme", scheme, runtime.GOOS, runtime.GOARCH)
	}
	timeout := opts.SchemeTimeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	rel := plat + "/bin/" + exe(plat, scheme)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, a.path(rel), "--scheme")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, rel, fmt.Errorf("%s --scheme failed: %v: %s", scheme, err, firstLine(stderr.String()))
	}
	var doc schemeDoc
	if err := xml.Unmarshal(stdout.Bytes(), &doc); err != nil {
		return nil, rel, fmt.Errorf("%s --scheme did not print a scheme document: %v", scheme, err)
	}
	var args []string
	for _, arg := range doc.Args {
		args = append(args, arg.Name)
	}
	return args, rel, nil
}

// diff returns what is in want but not got, and in got but not want.
func diff(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
