package tests

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/appcheck"
)

// TestAppcheck_RealPackage runs appcheck on the package make builds:
// every check must pass.
func TestAppcheck_RealPackage(t *testing.T) {
	r, err := appcheck.Run(appPackage(t), appcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || len(r.Passed) != len(appcheck.Checks) {
		t.Fatalf("appcheck fails on the real package:\n%s", report(r))
	}
}

func report(r *appcheck.Report) string {
	var b strings.Builder
	r.Write(&b)
	return b.String()
}

func writeExecutable(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// edit rewrites one file of the app, failing when old is not in it.
func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", rel, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAppcheck_BrokenCopies breaks one thing per check in a copy of the
// package and expects exactly that check to fail, with a message that
// says what is wrong.
func TestAppcheck_BrokenCopies(t *testing.T) {
	accessKey := "AKIA" + strings.Repeat("Q", 16) // key-shaped, built here so no scanner flags the source
	for _, tc := range []struct {
		name, check, want string
		breakIt           func(t *testing.T, dir string)
	}{
		{"dotfile", appcheck.CheckHiddenFiles, ".DS_Store", func(t *testing.T, d string) {
			writeExecutable(t, filepath.Join(d, "default", ".DS_Store"), "x")
		}},
		{"local folder", appcheck.CheckLocal, "local/ must not be shipped", func(t *testing.T, d string) {
			os.MkdirAll(filepath.Join(d, "local"), 0o755)
			os.WriteFile(filepath.Join(d, "local", "inputs.conf"), []byte("[eks_logs://x]\n"), 0o644)
		}},
		{"local.meta", appcheck.CheckLocal, "local.meta", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "metadata", "local.meta"), []byte("[]\n"), 0o644)
		}},
		{"read-only file", appcheck.CheckPermissions, "the owner needs rw", func(t *testing.T, d string) {
			os.Chmod(filepath.Join(d, "default", "props.conf"), 0o444)
		}},
		{"world-writable", appcheck.CheckPermissions, "world-writable", func(t *testing.T, d string) {
			os.Chmod(filepath.Join(d, "default", "props.conf"), 0o666)
		}},
		{"conf syntax", appcheck.CheckConfSyntax, "props.conf:", func(t *testing.T, d string) {
			edit(t, d, "default/props.conf", "[kube:apiserver:audit]", "[kube:apiserver:audit]\nthis line is not a setting")
		}},
		{"setting-like spec description", appcheck.CheckConfSyntax, `reads as a setting named "(index"`, func(t *testing.T, d string) {
			edit(t, d, "README/inputs.conf.spec", "* Default: INFO", "  (index=_internal sourcetype=splunkd).\n* Default: INFO")
		}},
		{"undocumented setting", appcheck.CheckConfKeys, "SHOULD_LINEMERG is not a setting", func(t *testing.T, d string) {
			edit(t, d, "default/props.conf", "SHOULD_LINEMERGE = false", "SHOULD_LINEMERG = false")
		}},
		{"setting in the wrong stanza", appcheck.CheckConfKeys, "[ui] build", func(t *testing.T, d string) {
			edit(t, d, "default/app.conf", "[ui]", "[ui]\nbuild = 3")
		}},
		{"version mismatch", appcheck.CheckAppConf, "differ", func(t *testing.T, d string) {
			edit(t, d, "default/app.conf", "[id]\nname = kubelens\nversion = ", "[id]\nname = kubelens\nversion = 9.9.9\n#")
		}},
		{"wrong id", appcheck.CheckAppConf, "[package] id", func(t *testing.T, d string) {
			edit(t, d, "default/app.conf", "id = kubelens", "id = kube_lens")
		}},
		{"undefined macro", appcheck.CheckMacros, "`kubelens_no_such_macro` is not defined", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "`kubelens_ctime(firstTime)`", "`kubelens_no_such_macro`")
		}},
		{"macro arguments", appcheck.CheckMacros, "takes 1 arguments but args names 0", func(t *testing.T, d string) {
			edit(t, d, "default/macros.conf", "args = field\ndefinition = convert", "definition = convert")
		}},
		{"missing lookup file", appcheck.CheckLookups, "lookups/kubelens_trusted_users_default.csv is not in the package", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, "lookups", "kubelens_trusted_users_default.csv"))
		}},
		{"undefined lookup in a search", appcheck.CheckLookups, "lookup kubelens_nope", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "| iplocation src_ip |", "| iplocation src_ip | lookup kubelens_nope user |")
		}},
		{"unknown command", appcheck.CheckSPL, `unknown command "statz"`, func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "| stats count", "| statz count")
		}},
		{"unbalanced search", appcheck.CheckSPL, "[ is not closed", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "| kubeenrich |", "| kubeenrich [search x |")
		}},
		{"pipe in an event type", appcheck.CheckSPL, "event type search may not contain pipes", func(t *testing.T, d string) {
			edit(t, d, "default/eventtypes.conf", `OR sourcetype="kube:apiserver:audit"`, `| head 1`)
		}},
		{"dashboard field nothing produces", appcheck.CheckDashboardFields, `field "eks_clustre" is produced by nothing`, func(t *testing.T, d string) {
			edit(t, d, "default/data/ui/views/kubelens_eks_audit.xml", "| search k8s_action=exec |", "| search eks_clustre=* k8s_action=exec |")
		}},
		{"enabled detection", appcheck.CheckSavedSearches, "must ship disabled", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "disabled = 1", "disabled = 0")
		}},
		{"risk JSON that does not parse", appcheck.CheckRisk, "action.risk.param._risk is not a JSON list", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", `action.risk.param._risk = [{"risk_object_field"`, `action.risk.param._risk = [{risk_object_field`)
		}},
		{"risk object kubeenrich's fields= leaves out", appcheck.CheckRisk, "name k8s_cluster (group cluster), which the search's kubeenrich does not add", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "| kubeenrich |", "| kubeenrich fields=eks,identity,source,target,outcome,detections,hygiene |")
		}},
		{"risk object the search does not carry", appcheck.CheckRisk, "name k8s_node, which the search's results do not carry", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", `"risk_object_field": "k8s_cluster"`, `"risk_object_field": "k8s_node"`)
		}},
		{"risk message token the search does not carry", appcheck.CheckRisk, "name k8s_pod, which", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "action.risk.param._risk_message = ", "action.risk.param._risk_message = $k8s_pod$ ")
		}},
		{"risk without a risk object", appcheck.CheckRisk, "action.risk = 1 without action.risk.param._risk", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", "action.risk.param._risk = ", "action.risk.param.riskless = ")
		}},
		{"risk score out of range", appcheck.CheckRisk, "risk_score must be a number from 0 to 100", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", `"risk_object_type": "user", "risk_score": `, `"risk_object_type": "user", "risk_score": 1`)
		}},
		{"annotations that are not ATT&CK", appcheck.CheckRisk, "mitre_attack holds T1552.7", func(t *testing.T, d string) {
			edit(t, d, "default/savedsearches.conf", `{"mitre_attack": ["T1552.007"]}`, `{"mitre_attack": ["T1552.7"]}`)
		}},
		{"missing binary", appcheck.CheckBinaries, "darwin_arm64/bin/eks_logs", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, "darwin_arm64", "bin", "eks_logs"))
		}},
		{"wrong architecture", appcheck.CheckBinaries, "built for EM_X86_64, want EM_AARCH64", func(t *testing.T, d string) {
			target := filepath.Join(d, "linux_aarch64", "bin", "kubeenrich")
			os.Remove(target)
			os.Link(filepath.Join(d, "linux_x86_64", "bin", "kubeenrich"), target)
		}},
		{"not executable", appcheck.CheckBinaries, "not an executable file", func(t *testing.T, d string) {
			p := filepath.Join(d, "linux_x86_64", "bin", "kubeenrich")
			detach(t, p)
			os.Chmod(p, 0o644)
		}},
		{"spec differs from --scheme", appcheck.CheckInputsSpec, `only in the spec ["poll_every"]`, func(t *testing.T, d string) {
			f, _ := os.OpenFile(filepath.Join(d, "README", "inputs.conf.spec"), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("\npoll_every = <duration>\n")
			f.Close()
		}},
		{"access key", appcheck.CheckSecrets, "AWS access key ID AKIAQQQQ", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "samples", "creds.txt"), []byte("key "+accessKey+"\n"), 0o644)
		}},
		{"password setting", appcheck.CheckSecrets, "password is set", func(t *testing.T, d string) {
			edit(t, d, "default/app.conf", "[package]", "[credential:eks:reader]\npassword = hunter2\n\n[package]")
		}},
		{"no binary declaration", appcheck.CheckReadme, "Binary File Declaration", func(t *testing.T, d string) {
			edit(t, d, "README.md", "# Binary File Declaration", "# Binaries")
		}},
		{"searchbnf without usage", appcheck.CheckSearchBNF, "has no usage", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "default", "searchbnf.conf"), []byte("[kubeenrich-command]\nsyntax = kubeenrich (fields=<string>)?\ndescription = Enriches audit events.\n"), 0o644)
		}},
		{"nav names a missing view", appcheck.CheckViews, `view "kubelens_gone"`, func(t *testing.T, d string) {
			edit(t, d, "default/data/ui/nav/default.xml", `<view name="kubelens_input_health" />`, `<view name="kubelens_gone" />`)
		}},
		{"broken dashboard XML", appcheck.CheckViews, "not well-formed XML", func(t *testing.T, d string) {
			edit(t, d, "default/data/ui/views/kubelens_input_health.xml", "</form>", "</from>")
		}},
		{"view without version 1.1", appcheck.CheckCloudVetting, `version=""`, func(t *testing.T, d string) {
			edit(t, d, "default/data/ui/views/kubelens_eks_audit.xml", `version="1.1"`, ``)
		}},
		{"inline script in a view", appcheck.CheckCloudVetting, "inline <script>", func(t *testing.T, d string) {
			edit(t, d, "default/data/ui/views/kubelens_setup.xml", `<div id="kl-setup"`, `<script>document.title = 'x';</script><div id="kl-setup"`)
		}},
		{"view script missing", appcheck.CheckCloudVetting, "names appserver/static/kubelens_setup.css", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, "appserver", "static", "kubelens_setup.css"))
		}},
		{"setup.xml", appcheck.CheckCloudVetting, "setup.xml is not permitted", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "default", "setup.xml"), []byte("<setup/>\n"), 0o644)
		}},
		{"passwords.conf", appcheck.CheckCloudVetting, "passwords.conf must not be shipped", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "default", "passwords.conf"), []byte("[credential:eks_logs_account:prod:]\n"), 0o644)
		}},
		{"HTML dashboard", appcheck.CheckCloudVetting, "HTML dashboards", func(t *testing.T, d string) {
			os.MkdirAll(filepath.Join(d, "default", "data", "ui", "html"), 0o755)
			os.WriteFile(filepath.Join(d, "default", "data", "ui", "html", "page.html"), []byte("<p>x</p>\n"), 0o644)
		}},
		{"script requiring Splunk Web modules", appcheck.CheckCloudVetting, `"require("`, func(t *testing.T, d string) {
			edit(t, d, "appserver/static/kubelens_setup.js", "'use strict';", "'use strict';\n  require(['splunkjs/mvc'], function () {});")
		}},
		{"script importing a library", appcheck.CheckCloudVetting, "loads code", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "appserver", "static", "extra.js"), []byte("import { x } from './lib.js';\n"), 0o644)
		}},
		{"no setup view", appcheck.CheckSetupPage, "setup_view is not set", func(t *testing.T, d string) {
			edit(t, d, "default/app.conf", "setup_view = kubelens_setup", "")
		}},
		{"configured at install", appcheck.CheckSetupPage, "is_configured must be false", func(t *testing.T, d string) {
			edit(t, d, "default/app.conf", "is_configured = false", "is_configured = true")
		}},
		{"setup form behind --scheme", appcheck.CheckSetupPage, `only in --scheme ["log_level"], only in the form ["log_levels"]`, func(t *testing.T, d string) {
			edit(t, d, "appserver/static/kubelens_setup.js", `"name": "log_level"`, `"name": "log_levels"`)
		}},
		{"secrets readable by users", appcheck.CheckSetupPage, `gives read to "user"`, func(t *testing.T, d string) {
			edit(t, d, "metadata/default.meta", "[passwords]\naccess = read : [ admin, sc_admin ]", "[passwords]\naccess = read : [ admin, user ]")
		}},
		{"secrets exported", appcheck.CheckSetupPage, `export = "system"`, func(t *testing.T, d string) {
			edit(t, d, "metadata/default.meta", "[passwords]\naccess = read : [ admin, sc_admin ], write : [ admin, sc_admin ]\nexport = none", "[passwords]\naccess = read : [ admin, sc_admin ], write : [ admin, sc_admin ]\nexport = system")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := appCopy(t)
			tc.breakIt(t, dir)
			r, err := appcheck.Run(dir, appcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() {
				t.Fatalf("appcheck passes a broken copy (%s)", tc.name)
			}
			found := false
			for _, f := range r.Findings {
				if f.Check == tc.check && strings.Contains(f.String(), tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no [%s] finding containing %q:\n%s", tc.check, tc.want, report(r))
			}
		})
	}
}

// TestAppcheck_ArchiveWithTwoFolders checks the archive rules on a .tgz.
func TestAppcheck_ArchiveWithTwoFolders(t *testing.T) {
	pkg := filepath.Join(t.TempDir(), "kubelens-0.1.0.tgz")
	f, err := os.Create(pkg)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for _, e := range readPackage(t, appPackage(t)) {
		tw.WriteHeader(e.hdr)
		tw.Write(e.body)
	}
	tw.WriteHeader(&tar.Header{Name: "extra/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "../escape", Typeflag: tar.TypeReg, Mode: 0o644})
	tw.Close()
	zw.Close()
	f.Close()
	r, err := appcheck.Run(pkg, appcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range r.Findings {
		if f.Check == appcheck.CheckArchive {
			msgs = append(msgs, f.String())
		}
	}
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "single folder kubelens/") || !strings.Contains(joined, "outside the app folder") {
		t.Errorf("archive findings = %q", msgs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(pkg), "escape")); err == nil {
		t.Error("an entry escaping the app folder was written")
	}
}

// TestAppcheck_StaleWaiver: waiving a check that passes is a failure, so
// waivers go away when what they waited for lands.
func TestAppcheck_StaleWaiver(t *testing.T) {
	dir := appCopy(t)
	r, err := appcheck.Run(dir, appcheck.Options{Waive: []string{appcheck.CheckReadme}})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || !strings.Contains(report(r), "[readme] check passes but is waived") {
		t.Errorf("stale waiver not reported:\n%s", report(r))
	}
	if _, err := appcheck.Run(dir, appcheck.Options{Waive: []string{"no-such-check"}}); err == nil {
		t.Error("unknown waiver accepted")
	}
}
