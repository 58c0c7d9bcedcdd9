package appcheck

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// AppID is the app's folder name and [package] id.
const AppID = "kubelens"

// The checks, by the name findings and waivers use.
const (
	CheckArchive       = "archive"
	CheckHiddenFiles   = "hidden-files"
	CheckLocal         = "local"
	CheckPermissions   = "permissions"
	CheckConfSyntax    = "conf-syntax"
	CheckConfKeys      = "conf-keys"
	CheckAppConf       = "app-conf"
	CheckMacros        = "macros"
	CheckLookups       = "lookup-files"
	CheckSPL           = "spl"
	CheckSavedSearches = "savedsearches"
	CheckRisk          = "risk"
	CheckBinaries      = "binaries"
	CheckInputsSpec    = "inputs-spec"
	CheckSecrets       = "secrets"
	CheckReadme        = "readme"
	CheckSearchBNF     = "searchbnf"
	CheckViews         = "views"
	CheckCloudVetting  = "cloud-vetting"
	CheckSetupPage     = "setup-page"
	// CheckDashboardFields: every field a dashboard query names is
	// produced before it is used.
	CheckDashboardFields = "dashboard-fields"
)

// Checks lists every check in the order Run reports them.
var Checks = []string{
	CheckArchive, CheckHiddenFiles, CheckLocal, CheckPermissions, CheckConfSyntax,
	CheckConfKeys, CheckAppConf, CheckMacros, CheckLookups, CheckSPL, CheckSavedSearches, CheckRisk,
	CheckBinaries, CheckInputsSpec, CheckSecrets, CheckReadme, CheckSearchBNF, CheckViews,
	CheckCloudVetting, CheckSetupPage, CheckDashboardFields,
}

// Platforms are the platform folders the package carries binaries for.
var Platforms = []string{"linux_x86_64", "linux_aarch64", "darwin_x86_64", "darwin_arm64", "windows_x86_64"}

// Binaries are the executables every platform folder holds.
var Binaries = []string{"kubeenrich", "eks_logs"}

// Options tune Run.
type Options struct {
	// Version is the version app.conf must carry; empty takes it from
	// the package file name (kubelens-<version>.tgz) when there is one.
	Version string
	// Platform is the platform folder whose eks_logs Run executes for
	// --scheme; empty means the host's.
	Platform string
	// Waive lists checks whose failures are reported but do not fail the
	// run. A waived check that passes is itself a failure: the waiver is
	// stale and must go.
	Waive []string
	// SchemeTimeout bounds the eks_logs --scheme run (default 20s).
	SchemeTimeout time.Duration
}

// Finding is one problem.
type Finding struct {
	Check string
	// Path is the file, relative to the app folder, when there is one.
	Path string
	Msg  string
}

func (f Finding) String() string {
	if f.Path != "" {
		return fmt.Sprintf("[%s] %s: %s", f.Check, f.Path, f.Msg)
	}
	return fmt.Sprintf("[%s] %s", f.Check, f.Msg)
}

// Report is the result of Run.
type Report struct {
	Findings []Finding
	// Waived are the findings of waived checks.
	Waived []Finding
	// Passed lists the checks without findings.
	Passed []string
}

// OK reports whether the package passes.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

// Write prints the report for people.
func (r *Report) Write(w io.Writer) {
	for _, c := range r.Passed {
		fmt.Fprintf(w, "PASS %s\n", c)
	}
	for _, f := range r.Waived {
		fmt.Fprintf(w, "WAIVED %s\n", f)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "FAIL %s\n", f)
	}
	if r.OK() {
		fmt.Fprintf(w, "appcheck: ok (%d checks passed, %d waived findings)\n", len(r.Passed), len(r.Waived))
	} else {
		fmt.Fprintf(w, "appcheck: %d problems\n", len(r.Findings))
	}
}

// Run checks the package at path: a .tgz/.spl or an extracted app folder.
func Run(path string, opts Options) (*Report, error) {
	for _, w := range opts.Waive {
		if !slices.Contains(Checks, w) {
			return nil, fmt.Errorf("appcheck: unknown check %q to waive (checks: %s)", w, strings.Join(Checks, ", "))
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("appcheck: %w", err)
	}
	var findings []Finding
	dir := path
	if !st.IsDir() {
		tmp, err := os.MkdirTemp("", "appcheck-")
		if err != nil {
			return nil, fmt.Errorf("appcheck: %w", err)
		}
		defer os.RemoveAll(tmp)
		af, err := extract(path, tmp)
		if err != nil {
			return nil, err
		}
		findings = append(findings, af...)
		dir = filepath.Join(tmp, AppID)
		if opts.Version == "" {
			base := filepath.Base(path)
			for _, ext := range []string{".tgz", ".spl", ".tar.gz"} {
				base = strings.TrimSuffix(base, ext)
			}
			opts.Version = strings.TrimPrefix(base, AppID+"-")
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "default", "app.conf")); err != nil {
		findings = append(findings, Finding{Check: CheckArchive, Msg: fmt.Sprintf("no %s/default/app.conf: not a %s app", AppID, AppID)})
		return finish(findings, opts), nil
	}
	a, loadFindings := load(dir)
	findings = append(findings, loadFindings...)
	for _, check := range []func(*app, Options) []Finding{
		checkFiles, checkConfKeys, checkAppConf, checkMacros, checkLookups, checkSPL,
		checkSavedSearches, checkRisk, checkBinaries, checkInputsSpec, checkSecrets, checkReadme,
		checkSearchBNF, checkViews, checkCloudVetting, checkSetupPage, checkDashboardFields,
	} {
		findings = append(findings, check(a, opts)...)
	}
	return finish(findings, opts), nil
}

func finish(findings []Finding, opts Options) *Report {
	r := &Report{}
	failed := map[string]bool{}
	for _, f := range findings {
		failed[f.Check] = true
		if slices.Contains(opts.Waive, f.Check) {
			r.Waived = append(r.Waived, f)
		} else {
			r.Findings = append(r.Findings, f)
		}
	}
	for _, c := range Checks {
		if failed[c] {
			continue
		}
		if slices.Contains(opts.Waive, c) {
			r.Findings = append(r.Findings, Finding{Check: c, Msg: "check passes but is waived: remove the waiver"})
			continue
		}
		r.Passed = append(r.Passed, c)
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		return slices.Index(Checks, r.Findings[i].Check) < slices.Index(Checks, r.Findings[j].Check)
	})
	return r
}
