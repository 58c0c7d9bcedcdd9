package appcheck

import (
	"encoding/xml"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/kubelens/kubelens/src/setuppage"
	"github.com/kubelens/kubelens/src/splunkconf"
)

// cloudBanned says why a file Splunk Cloud vetting refuses is refused, or
// "": setup.xml misbehaves in search head clusters (check_setup_xml),
// passwords.conf holds secrets encrypted for one host
// (check_passwords_conf_deny_list), HTML dashboards are not permitted
// (check_html_dashboards), and Mako templates are how pages load Splunk
// Web's own modules.
func cloudBanned(rel string) string {
	switch {
	case path.Base(rel) == "setup.xml":
		return "setup.xml is not permitted in Splunk Cloud: use a setup view ([ui] setup_view)"
	case path.Base(rel) == "passwords.conf":
		return "passwords.conf must not be shipped: splunkd writes it when secrets are stored through storage/passwords"
	case rel == "default/data/ui/html" || strings.HasPrefix(rel, "default/data/ui/html/"):
		return "HTML dashboards (data/ui/html) are not permitted in Splunk Cloud"
	case rel == "appserver/templates" || strings.HasPrefix(rel, "appserver/templates/"):
		return "templates (appserver/templates) load Splunk Web's modules: the app's pages are Simple XML views"
	}
	return ""
}

// splunkWebImportRE finds a script asking Splunk Web's module loader, or
// an ES module import, for code: AppInspect's
// check_hotlinking_splunk_web_libraries flags such imports of Splunk
// Web's libraries, and a script that loads nothing needs no list of them.
var splunkWebImportRE = regexp.MustCompile(`\brequire\s*\(|\bdefine\s*\(|\brequirejs\b|(^|[;\s])import\s*[\s{*('"]|\bsplunkjs\b|/static/js/|\bSplunk\.util\b|\$\(`)

// viewDoc is the root of a Simple XML view.
type viewDoc struct {
	XMLName    xml.Name
	Version    string `xml:"version,attr"`
	Script     string `xml:"script,attr"`
	Stylesheet string `xml:"stylesheet,attr"`
}

// checkCloudVetting: what Splunk Cloud vetting refuses. Every Simple XML
// view says version="1.1" (check_simplexml_standards_version) and holds no
// inline <script>; the script= and stylesheet= files it names exist; no
// setup.xml, passwords.conf, data/ui/html or templates; no script under
// appserver/static imports code from Splunk Web.
func checkCloudVetting(a *app, _ Options) []Finding {
	var out []Finding
	bad := func(p, format string, args ...any) {
		out = append(out, Finding{Check: CheckCloudVetting, Path: p, Msg: fmt.Sprintf(format, args...)})
	}
	for _, f := range a.files {
		if why := cloudBanned(f.rel); why != "" {
			bad(f.rel, "%s", why)
		}
		if f.isDir {
			continue
		}
		switch {
		case strings.HasPrefix(f.rel, "default/data/ui/views/") && strings.HasSuffix(f.rel, ".xml"):
			out = append(out, checkView(a, f.rel)...)
		case strings.HasPrefix(f.rel, "appserver/static/") && strings.HasSuffix(f.rel, ".js"):
			b, err := os.ReadFile(a.path(f.rel))
			if err != nil {
				bad(f.rel, "unreadable: %v", err)
				continue
			}
			for i, line := range strings.Split(string(b), "\n") {
				if m := splunkWebImportRE.FindString(line); m != "" {
					bad(f.rel, "line %d: %q loads code (a Splunk Web module or a library): the app's scripts import nothing", i+1, strings.TrimSpace(m))
				}
			}
		}
	}
	return dedupe(out)
}

func checkView(a *app, rel string) []Finding {
	var out []Finding
	bad := func(format string, args ...any) {
		out = append(out, Finding{Check: CheckCloudVetting, Path: rel, Msg: fmt.Sprintf(format, args...)})
	}
	b, err := os.ReadFile(a.path(rel))
	if err != nil {
		return nil // checkViews reports it
	}
	var v viewDoc
	if xml.Unmarshal(b, &v) != nil {
		return nil // checkViews reports it
	}
	if root := v.XMLName.Local; root == "dashboard" || root == "form" {
		if v.Version != "1.1" {
			bad("<%s> has version=%q: Splunk Cloud requires version=\"1.1\" on Simple XML views", root, v.Version)
		}
	}
	if scripts, err := xmlTexts(b, "script"); err == nil && len(scripts) > 0 {
		bad("inline <script>: a view's code goes in a script= file under appserver/static")
	}
	for _, attr := range []string{v.Script, v.Stylesheet} {
		for _, f := range viewFiles(attr) {
			if !a.exists("appserver/static/" + f) {
				bad("names appserver/static/%s, which is not in the package", f)
			}
		}
	}
	return out
}

// viewFiles splits a script= or stylesheet= value: comma-separated file
// names, optionally "<app>:<file>".
func viewFiles(attr string) []string {
	var out []string
	for _, f := range strings.Split(attr, ",") {
		f = strings.TrimSpace(f)
		if i := strings.IndexByte(f, ':'); i >= 0 {
			f = f[i+1:]
		}
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// adminRoles may read and write the app's stored secrets.
var adminRoles = map[string]bool{"admin": true, "sc_admin": true}

// checkSetupPage: the setup page is the app's first-launch view and keeps
// up with eks_logs. [ui] setup_view names a view of the app and
// [install] is_configured is false; the view's script carries the
// generated input form, whose parameters are exactly the modular input's
// --scheme arguments; the app's storage/passwords entries ([passwords] in
// default.meta) are readable and writable by admin roles only.
func checkSetupPage(a *app, opts Options) []Finding {
	var out []Finding
	bad := func(p, format string, args ...any) {
		out = append(out, Finding{Check: CheckSetupPage, Path: p, Msg: fmt.Sprintf(format, args...)})
	}
	appConf := a.conf("app")
	if appConf == nil {
		return nil // checkAppConf reports it
	}
	view := ""
	if s := appConf.Stanza("ui"); s != nil {
		view = s.Value("setup_view")
	}
	if s := appConf.Stanza("install"); s == nil || (s.Value("is_configured") != "false" && s.Value("is_configured") != "0") {
		bad(appConf.Name, "[install] is_configured must be false, so that Splunk Web opens the setup page at first launch")
	}
	if view == "" {
		bad(appConf.Name, "[ui] setup_view is not set: admins get no setup page at first launch")
		return out
	}
	viewRel := "default/data/ui/views/" + view + ".xml"
	b, err := os.ReadFile(a.path(viewRel))
	if err != nil {
		bad(appConf.Name, "[ui] setup_view = %s, but %s is not in the package", view, viewRel)
		return out
	}
	var v viewDoc
	if err := xml.Unmarshal(b, &v); err != nil {
		return out // checkViews reports it
	}
	var form *setuppage.Form
	var formFile string
	for _, f := range viewFiles(v.Script) {
		js, err := os.ReadFile(a.path("appserver/static/" + f))
		if err != nil {
			continue // checkCloudVetting reports it
		}
		if fm, err := setuppage.Extract(string(js)); err == nil {
			form, formFile = &fm, "appserver/static/"+f
		}
	}
	if form == nil {
		bad(viewRel, "no script of the view (script=%q) carries the generated input form (%s ... %s)", v.Script, setuppage.BeginMarker, setuppage.EndMarker)
	} else {
		var params []string
		for _, p := range form.Params {
			params = append(params, p.Name)
		}
		args, where, err := a.schemeArgs(form.Scheme, opts)
		switch {
		case err != nil:
			bad(where, "%v", err)
		default:
			if missing, extra := diff(args, params); len(missing)+len(extra) > 0 {
				bad(formFile, "the input form does not match %s --scheme: parameters only in --scheme %q, only in the form %q (run make docs)", form.Scheme, missing, extra)
			}
		}
	}
	var st *splunkconf.Stanza
	if meta := a.meta["default.meta"]; meta != nil {
		st = meta.Stanza("passwords")
	}
	if st == nil {
		bad("metadata/default.meta", "no [passwords] stanza: the AWS keys the setup page stores would be readable by every role that can read the app")
		return out
	}
	for _, perm := range []string{"read", "write"} {
		roles, ok := accessRoles(st.Value("access"), perm)
		if !ok || len(roles) == 0 {
			bad("metadata/default.meta", "[passwords] access must list %s roles (admin, sc_admin)", perm)
		}
		for _, r := range roles {
			if !adminRoles[r] {
				bad("metadata/default.meta", "[passwords] gives %s to %q: only admin and sc_admin may %s the stored AWS keys", perm, r, perm)
			}
		}
	}
	if e := st.Value("export"); e != "none" {
		bad("metadata/default.meta", "[passwords] export = %q: keep the stored keys in the app (export = none)", e)
	}
	return out
}

// accessRoles reads one permission of an access value:
// "read : [ admin, sc_admin ], write : [ admin ]".
func accessRoles(access, perm string) ([]string, bool) {
	re := regexp.MustCompile(`\b` + perm + `\s*:\s*\[([^\]]*)\]`)
	m := re.FindStringSubmatch(access)
	if m == nil {
		return nil, false
	}
	var roles []string
	for _, r := range strings.Split(m[1], ",") {
		if r = strings.TrimSpace(r); r != "" {
			roles = append(roles, r)
		}
	}
	return roles, true
}
