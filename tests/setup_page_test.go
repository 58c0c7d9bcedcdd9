package tests

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/kubelens/kubelens/src/appcheck"
	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
	"github.com/kubelens/kubelens/src/splunkd/splunkwebfake"
)

// browserPath finds a headless Chromium: $KUBELENS_CHROME, else Debian's
// chromium-headless-shell or chromium (their binaries, not the /usr/bin
// shell wrappers, so that stopping the browser stops it), else a browser
// on PATH. "" when there is none.
func browserPath() string {
	if p := os.Getenv("KUBELENS_CHROME"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/lib/chromium/chromium-headless-shell", "/usr/lib/chromium/chromium"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	for _, n := range []string{"chromium-headless-shell", "headless_shell", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// requireBrowser returns the browser, failing in CI and skipping, loudly,
// elsewhere when there is none.
func requireBrowser(t *testing.T) string {
	t.Helper()
	p := browserPath()
	if p != "" {
		return p
	}
	const how = "install Debian's chromium-headless-shell (apt-get install chromium-headless-shell) or set KUBELENS_CHROME"
	if os.Getenv("CI") != "" || os.Getenv("KUBELENS_REQUIRE_BROWSER") != "" {
		t.Fatalf("no headless Chromium, and CI must run the browser test: %s", how)
	}
	msg := "SKIPPED: the setup page was NOT tested in a browser: no headless Chromium found (" + how + ")"
	fmt.Fprintln(os.Stderr, msg)
	t.Skip(msg)
	return ""
}

// setupEnv is the fake Splunk behind the page: splunkd with the package's
// eks_logs validating inputs, and Splunk Web serving the package's view.
type setupEnv struct {
	sd      *splunkdfake.Server
	web     *splunkwebfake.Server
	eks     string   // the package's eks_logs, for this machine
	args    []string // eks_logs --scheme's arguments
	cliEnv  []string // environment for eks_logs credentials against sd
	appDir  string
	webRoot string // root endpoint and locale of the page
}

func newSetupEnv(t *testing.T) *setupEnv {
	t.Helper()
	appDir := extractPackage(t, appPackage(t))
	plat := appcheck.HostPlatform()
	if plat == "" {
		t.Skip("the package has no build for this machine")
	}
	eks := filepath.Join(appDir, plat, "bin", "eks_logs")
	out, err := exec.Command(eks, "--scheme").Output()
	if err != nil {
		t.Fatalf("eks_logs --scheme: %v", err)
	}
	var doc struct {
		Args []struct {
			Name string `xml:"name,attr"`
		} `xml:"endpoint>args>arg"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	e := &setupEnv{eks: eks, appDir: appDir}
	for _, a := range doc.Args {
		e.args = append(e.args, a.Name)
	}
	e.sd = splunkdfake.New(false)
	t.Cleanup(e.sd.Close)
	const sessionKey, cliToken = "web-user-session", "admin-cli-token"
	e.sd.AddSessionKey(sessionKey)
	e.sd.AddToken(cliToken)
	e.sd.EnableInputs("eks_logs", e.args, splunkdfake.ExecValidator(eks))
	e.cliEnv = eksAwsTestEnv(t, "SPLUNK_TOKEN="+cliToken)
	// A root endpoint and a locale other than en-US: the page must use
	// its own prefix, never a hard-coded /en-US/.
	web, err := splunkwebfake.New(splunkwebfake.Config{
		AppDir: appDir, App: "kubelens", Root: "/splunk", Locale: "fr-FR",
		SplunkdURL: e.sd.URL, SessionKey: sessionKey, CookiePort: "8000",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(web.Close)
	e.web = web
	e.webRoot = web.URL + "/splunk/fr-FR/"
	return e
}

// validationMessage is what eks_logs --validate-arguments says of a
// stanza: the message the page must show as it is.
func (e *setupEnv) validationMessage(t *testing.T, name string, params map[string]string) string {
	t.Helper()
	msg, err := splunkdfake.ExecValidator(e.eks)(t.Context(), "eks_logs", splunkdfake.ItemsXML("", "", t.TempDir(), name, params))
	if err != nil || msg == "" {
		t.Fatalf("eks_logs accepts %v (%v): pick an invalid value", params, err)
	}
	return msg
}

// browser is one tab on the page, with what it saw: request URLs,
// console lines and dialogs.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	urls     []string
	console  []string
	dialogs  []string
	problems []string // exceptions and console errors other than HTTP statuses
}

func newBrowser(t *testing.T, exe string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-proxy-server", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	// The first run starts the browser; it gets no deadline of its own,
	// which would stop the browser with it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	// Generous: the machine is small and shared.
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	t.Cleanup(cancel)
	b := &browser{t: t, ctx: ctx}
	err := chromedp.Listen(bctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.urls = append(b.urls, ev.Request.URL)
			b.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(bctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m.String()+" "+m.URL)
			// The browser logs every 4xx answer; those are the page's
			// expected refusals. Anything else is a fault of the page.
			if m.IsException() || (m.Type == chromedp.ConsoleError && !strings.Contains(m.Text, "the server responded with a status of 4")) {
				b.problems = append(b.problems, m.String())
			}
			b.mu.Unlock()
		}
	}()
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			if _, err := chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				return
			}
		}
	}()
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the JavaScript condition holds, re-checking on
// every change of the page.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(0))); err != nil {
		b.t.Fatalf("waiting for %s (%s): %v\npage messages: %s", what, cond, err, b.messages())
	}
}

// done is how many actions the page has finished (#kl-setup data-done).
func (b *browser) done() int {
	n, _ := strconv.Atoi(b.eval(`document.getElementById('kl-setup') ? (document.getElementById('kl-setup').dataset.done || '0') : '0'`))
	return n
}

// act clicks a button and waits until the page has finished the action
// it started.
func (b *browser) act(what, selector string) {
	b.t.Helper()
	before := b.done()
	b.do(what, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible, chromedp.NodeEnabled))
	b.waitFor(what, fmt.Sprintf(`Number(document.getElementById('kl-setup').dataset.done || 0) > %d`, before))
}

func (b *browser) text(id string) string {
	return b.eval(`document.getElementById(` + strconv.Quote(id) + `).textContent`)
}

// msg returns a message area's state and text.
func (b *browser) msg(id string) (string, string) {
	return b.eval(`document.getElementById(` + strconv.Quote(id) + `).dataset.state || ''`), b.text(id)
}

func (b *browser) messages() string {
	return b.eval(`Array.from(document.querySelectorAll('.kl-msg')).map(function (m) { return m.id + '=' + (m.dataset.state || '') + ': ' + m.textContent; }).join(' | ')`)
}

// set sets a control's value as a paste would, with its input and change
// events.
func (b *browser) set(id, value string) {
	b.t.Helper()
	v, _ := json.Marshal(value)
	got := b.eval(`(function (c, v) {
		c.value = v;
		c.dispatchEvent(new Event('input', {bubbles: true}));
		c.dispatchEvent(new Event('change', {bubbles: true}));
		return c.value;
	})(document.getElementById(` + strconv.Quote(id) + `), ` + string(v) + `)`)
	if got != value {
		b.t.Fatalf("set %s to %q: it holds %q", id, value, got)
	}
}

// typeInto types into an emptied field, key by key.
func (b *browser) typeInto(id, value string) {
	b.t.Helper()
	b.set(id, "")
	b.do("type into "+id, chromedp.SendKeys(chromedp.ID(id), value, chromedp.NodeVisible))
	if got := b.eval(`document.getElementById(` + strconv.Quote(id) + `).value`); got != value {
		b.t.Fatalf("typed %q into %s: it holds %q", value, id, got)
	}
}

func (b *browser) wantMsg(id, state, want string) {
	b.t.Helper()
	gotState, got := b.msg(id)
	if gotState != state || got != want {
		// Fatal: the steps after this one build on it.
		b.t.Fatalf("%s: %s %q, want %s %q", id, gotState, got, state, want)
	}
}

// screenshot saves the page as a PNG in $KUBELENS_SETUP_SCREENSHOTS, when
// set, for people to look at.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("KUBELENS_SETUP_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// tableNames lists the names in a table's first column.
func (b *browser) tableNames(bodyID string) []string {
	s := b.eval(`Array.from(document.querySelectorAll('#` + bodyID + ` tr td:first-child')).map(function (td) { return td.textContent; }).join('\n')`)
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// visible is everything the page holds: its HTML, its text, the values
// of its controls and its storage.
func (b *browser) visible() string {
	return b.eval(`[document.documentElement.outerHTML, document.body.innerText,
		Array.from(document.querySelectorAll('input, select, textarea')).map(function (c) { return c.value; }).join('\n'),
		JSON.stringify(Object.assign({}, window.localStorage)), JSON.stringify(Object.assign({}, window.sessionStorage))].join('\n')`)
}

// validInputParams is a valid value for every eks_logs parameter and the
// page's index setting. The test fails when eks_logs declares a parameter
// missing here, so a new parameter is tested on the page too.
var validInputParams = map[string]string{
	"aws_region":           "us-east-1",
	"cluster_name":         "prod-eks",
	"log_group":            "/aws/eks/prod-eks/cluster",
	"log_types":            "audit,authenticator",
	"start_from":           "-24h",
	"aws_account":          "prod",
	"role_arn":             "arn:aws:iam::123456789012:role/eks-logs-reader",
	"external_id":          "kubelens-ext-1",
	"endpoint_url":         "https://logs.us-east-1.amazonaws.com",
	"poll_interval":        "45s",
	"overlap":              "15m",
	"sweep_interval":       "2m",
	"lag":                  "90s",
	"max_calls_per_second": "2",
	"max_backoff":          "1m",
	"call_timeout":         "20s",
	"log_level":            "DEBUG",
	"index":                "eks",
}

// TestSetupPage_Browser drives the setup page in headless Chromium against
// fakes of Splunk Web and splunkd, as an admin with only Splunk Web would:
// store an AWS account, rotate its key, create an eks_logs input with
// every parameter, see eks_logs' own refusal of a bad value, edit,
// disable, enable and delete the input, delete the account, finish setup.
// Throughout, the secret key must stay out of every URL, console line and,
// once saved, the page.
func TestSetupPage_Browser(t *testing.T) {
	exe := requireBrowser(t)
	e := newSetupEnv(t)
	for _, a := range e.args {
		if _, ok := validInputParams[a]; !ok {
			t.Fatalf("eks_logs declares %s: give it a valid value in validInputParams", a)
		}
	}

	// An account stored from a shell: the page must list it.
	out, errOut, code := eksRunDetached(t, "AKIAEXAMPLEKEY0000\ncli/Secret+0000\n", e.cliEnv,
		"credentials", "set", "--account", "cli-acct", "--splunkd-uri", e.sd.URL)
	if code != 0 {
		t.Fatalf("eks_logs credentials set: exit %d\n%s%s", code, out, errOut)
	}

	const (
		keyID1, secret1 = "AKIAEXAMPLEKEY0001", "page/Secret+Key=0001"
		keyID2, secret2 = "AKIAEXAMPLEKEY0002", "page/Secret+Key=0002"
	)
	b := newBrowser(t, exe)
	b.do("open the setup page", chromedp.Navigate(e.web.PageURL("kubelens_setup")))
	b.waitFor("the page to load its lists", `Number((document.getElementById('kl-setup') || {dataset: {}}).dataset.done || 0) >= 1`)
	if st, msg := b.msg("kl-status"); st != "ok" {
		t.Fatalf("loading the page: %s %q", st, msg)
	}
	if got := b.tableNames("kl-accounts-body"); !slices.Equal(got, []string{"cli-acct"}) {
		t.Errorf("accounts listed = %q, want the one stored with eks_logs credentials set", got)
	}

	t.Run("every control labelled, every parameter present", func(t *testing.T) {
		unlabelled := b.eval(`Array.from(document.querySelectorAll('#kl-setup input, #kl-setup select, #kl-setup button')).filter(function (c) {
			if (c.tagName === 'BUTTON') { return !c.textContent.trim(); }
			var l = c.id && document.querySelector('label[for="' + c.id + '"]');
			return !l || !l.textContent.trim() || l.offsetParent === null;
		}).map(function (c) { return c.id || c.outerHTML; }).join(' ')`)
		if unlabelled != "" {
			t.Errorf("controls without a visible label: %s", unlabelled)
		}
		for _, a := range append(slices.Clone(e.args), "index") {
			if b.eval(`document.getElementById('kl-param-`+a+`') ? 'yes' : 'no'`) != "yes" {
				t.Errorf("the input form has no control for %s", a)
			}
		}
		if tag := b.eval(`document.getElementById('kl-param-aws_account').tagName`); tag != "SELECT" {
			t.Errorf("aws_account is a %s, want a list of the stored accounts", tag)
		}
	})

	// Accounts.
	b.typeInto("kl-account-name", "bad name")
	b.typeInto("kl-account-key-id", keyID1)
	b.typeInto("kl-account-secret", secret1)
	b.act("add an account with a bad name", "#kl-account-save")
	if st, msg := b.msg("kl-account-msg"); st != "error" || !strings.Contains(msg, "Account name") {
		t.Errorf("bad account name: %s %q", st, msg)
	}
	if n := len(e.sd.Credentials("kubelens", "eks_logs_account")); n != 1 {
		t.Errorf("a bad account name reached splunkd: %d accounts", n)
	}

	b.typeInto("kl-account-name", "prod")
	b.typeInto("kl-account-secret", secret1)
	b.act("add an account", "#kl-account-save")
	b.wantMsg("kl-account-msg", "ok", "AWS account prod added.")
	wantAccount(t, e.sd, "prod", keyID1, secret1)
	if got := b.tableNames("kl-accounts-body"); !slices.Equal(got, []string{"cli-acct", "prod"}) {
		t.Errorf("accounts listed = %q", got)
	}
	for _, id := range []string{"kl-account-key-id", "kl-account-secret"} {
		if v := b.eval(`document.getElementById('` + id + `').value`); v != "" {
			t.Errorf("%s still holds %q after saving", id, v)
		}
	}
	// The same account for eks_logs' own command.
	out, errOut, code = eksRunDetached(t, "", e.cliEnv, "credentials", "list", "--splunkd-uri", e.sd.URL)
	if code != 0 || strings.Fields(out)[0] != "cli-acct" || !slices.Contains(strings.Fields(out), "prod") {
		t.Errorf("eks_logs credentials list: exit %d %q %s", code, out, errOut)
	}

	b.typeInto("kl-account-name", "prod")
	b.typeInto("kl-account-key-id", keyID2)
	b.typeInto("kl-account-secret", secret2)
	b.act("add an account twice", "#kl-account-save")
	b.wantMsg("kl-account-msg", "error", "An object with name=prod already exists")
	wantAccount(t, e.sd, "prod", keyID1, secret1)
	if v := b.eval(`document.getElementById('kl-account-secret').value`); v != "" {
		t.Errorf("the secret stays in its field after a refusal")
	}

	b.do("rotate", chromedp.Click(chromedp.CSS(`button[data-action="rotate"][data-name="prod"]`), chromedp.NodeVisible, chromedp.NodeEnabled))
	if ro := b.eval(`String(document.getElementById('kl-account-name').readOnly) + ' ' + document.getElementById('kl-account-name').value`); ro != "true prod" {
		t.Errorf("rotating: account name field is %q, want read-only prod", ro)
	}
	b.typeInto("kl-account-key-id", keyID2)
	b.typeInto("kl-account-secret", secret2)
	b.act("rotate the key", "#kl-account-save")
	b.wantMsg("kl-account-msg", "ok", "New key saved for AWS account prod. Inputs using it read it when they start: disable and enable them.")
	wantAccount(t, e.sd, "prod", keyID2, secret2)
	if n := len(e.sd.Credentials("kubelens", "eks_logs_account")); n != 2 {
		t.Errorf("after a rotation splunkd holds %d accounts, want 2", n)
	}

	// Inputs: every parameter, first with a Region eks_logs refuses.
	fill := func(params map[string]string) {
		for _, a := range append(slices.Clone(e.args), "index") {
			b.set("kl-param-"+a, params[a])
		}
	}
	bad := withChanges(validInputParams, map[string]string{"aws_region": "moon-base-1"})
	b.typeInto("kl-input-name", "prod-eks")
	fill(bad)
	b.act("create an input eks_logs refuses", "#kl-input-save")
	b.wantMsg("kl-input-msg", "error", e.validationMessage(t, "prod-eks", bad))
	if names := e.sd.InputNames("eks_logs"); len(names) != 0 {
		t.Errorf("a refused input was stored: %q", names)
	}

	b.set("kl-param-aws_region", validInputParams["aws_region"])
	// aws_account = prod: eks_logs' validation reads the account the page
	// stored from splunkd, so the page wrote what eks_logs reads.
	b.act("create an input", "#kl-input-save")
	b.wantMsg("kl-input-msg", "ok", "Input prod-eks created. It is enabled: eks_logs starts reading now.")
	in, ok := e.sd.Input("eks_logs", "prod-eks")
	if !ok {
		t.Fatal("the input was not created")
	}
	b.screenshot("setup-input-created")
	if in.Disabled || in.App != "kubelens" || !sameParams(in.Params, validInputParams) {
		t.Errorf("created input: app %s disabled %v params %v, want enabled in kubelens with %v", in.App, in.Disabled, in.Params, validInputParams)
	}
	if got := b.text("kl-inputs-body"); !strings.Contains(got, "prod-eks") || !strings.Contains(got, "Enabled") {
		t.Errorf("inputs table: %q", got)
	}

	b.do("edit", chromedp.Click(chromedp.CSS(`button[data-action="edit"][data-name="prod-eks"]`), chromedp.NodeVisible, chromedp.NodeEnabled))
	for _, a := range append(slices.Clone(e.args), "index") {
		if v := b.eval(`document.getElementById('kl-param-` + a + `').value`); v != validInputParams[a] {
			t.Errorf("edit form: %s = %q, want %q", a, v, validInputParams[a])
		}
	}
	b.set("kl-param-poll_interval", "soon")
	b.act("save a value eks_logs refuses", "#kl-input-save")
	b.screenshot("setup-input-refused")
	b.wantMsg("kl-input-msg", "error", e.validationMessage(t, "prod-eks", withChanges(validInputParams, map[string]string{"poll_interval": "soon"})))
	if in, _ := e.sd.Input("eks_logs", "prod-eks"); in.Params["poll_interval"] != validInputParams["poll_interval"] {
		t.Errorf("a refused edit was stored: poll_interval = %q", in.Params["poll_interval"])
	}

	edited := withChanges(validInputParams, map[string]string{"poll_interval": "2m", "log_types": "audit", "role_arn": "", "external_id": "", "aws_account": "", "max_calls_per_second": "0.5"})
	fill(edited)
	b.act("edit the input", "#kl-input-save")
	b.wantMsg("kl-input-msg", "ok", "Input prod-eks saved.")
	if in, _ := e.sd.Input("eks_logs", "prod-eks"); !sameParams(in.Params, edited) {
		t.Errorf("edited input: %v, want %v", in.Params, edited)
	}

	b.act("disable", `button[data-action="disable"][data-name="prod-eks"]`)
	b.wantMsg("kl-input-msg", "ok", "Input prod-eks disabled.")
	if in, _ := e.sd.Input("eks_logs", "prod-eks"); !in.Disabled || !strings.Contains(b.text("kl-inputs-body"), "Disabled") {
		t.Errorf("disable: splunkd has disabled=%v, the table says %q", in.Disabled, b.text("kl-inputs-body"))
	}
	b.act("enable", `button[data-action="enable"][data-name="prod-eks"]`)
	b.wantMsg("kl-input-msg", "ok", "Input prod-eks enabled.")
	if in, _ := e.sd.Input("eks_logs", "prod-eks"); in.Disabled {
		t.Error("enable: splunkd still has the input disabled")
	}

	b.act("delete the input", `button[data-action="delete-input"][data-name="prod-eks"]`)
	b.wantMsg("kl-input-msg", "ok", "Input prod-eks deleted.")
	if names := e.sd.InputNames("eks_logs"); len(names) != 0 {
		t.Errorf("inputs after delete: %q", names)
	}

	b.act("delete the account", `button[data-action="delete-account"][data-name="prod"]`)
	b.wantMsg("kl-account-msg", "ok", "AWS account prod deleted.")
	if _, ok := e.sd.Get("kubelens", "eks_logs_account", "prod"); ok {
		t.Error("the account is still stored")
	}
	if got := b.tableNames("kl-accounts-body"); !slices.Equal(got, []string{"cli-acct"}) {
		t.Errorf("accounts listed after delete = %q", got)
	}

	b.act("finish setup", "#kl-finish")
	if st, _ := b.msg("kl-finish-msg"); st != "ok" || e.sd.AppSettings("kubelens")["configured"] != "1" {
		t.Errorf("finish: %s, splunkd got %v", st, e.sd.AppSettings("kubelens"))
	}

	// What went where.
	dom := b.visible()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) != 2 || !strings.Contains(b.dialogs[0], "prod-eks") || !strings.Contains(b.dialogs[1], "prod") {
		t.Errorf("confirmations = %q, want one naming the input, one the account", b.dialogs)
	}
	if r := e.web.Refused(); len(r) > 0 {
		t.Errorf("Splunk Web refused requests (session or CSRF form key): %q", r)
	}
	secrets := []string{secret1, secret2, keyID1, keyID2}
	var calls int
	for _, u := range b.urls {
		if !strings.HasPrefix(u, e.webRoot) {
			t.Errorf("request outside the page's own prefix %s: %s", e.webRoot, u)
		}
		if strings.Contains(u, "/splunkd/__raw/") {
			calls++
		}
		for _, s := range secrets {
			for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
				if strings.Contains(u, form) {
					t.Errorf("a secret is in the URL %s", u)
				}
			}
		}
	}
	if !slices.ContainsFunc(b.urls, func(u string) bool {
		return strings.Contains(u, "/storage/passwords?") && strings.Contains(u, "f=realm") && strings.Contains(u, "f=username")
	}) {
		t.Error("the page lists accounts without f=realm&f=username: splunkd sends it the stored secrets")
	}
	if calls < 15 {
		t.Errorf("only %d splunkd calls seen: the network capture is broken", calls)
	}
	for _, line := range b.console {
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a secret is in the console: %q", line)
			}
		}
	}
	if len(b.problems) > 0 {
		t.Errorf("the page threw or logged errors: %q", b.problems)
	}
	for _, s := range secrets {
		if strings.Contains(dom, s) {
			t.Errorf("a secret is in the page after saving: %s...", s[:6])
		}
	}
}

// wantAccount checks the account's stored value is what eks_logs reads.
func wantAccount(t *testing.T, sd *splunkdfake.Server, name, keyID, secret string) {
	t.Helper()
	c, ok := sd.Get("kubelens", "eks_logs_account", name)
	if !ok {
		t.Errorf("account %s is not in storage/passwords (app kubelens, realm eks_logs_account)", name)
		return
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(c.Password), &v); err != nil || len(v) != 2 || v["key_id"] != keyID || v["secret_key"] != secret {
		t.Errorf("account %s: the stored value is not {\"key_id\":%q,\"secret_key\":<the secret>} (%v)", name, keyID, err)
	}
}

// withChanges returns base with changes applied.
func withChanges(base, changes map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

// sameParams compares stanza parameters, an empty value standing for an
// unset one.
func sameParams(got, want map[string]string) bool {
	for k := range got {
		if got[k] != want[k] {
			return false
		}
	}
	for k := range want {
		if got[k] != want[k] {
			return false
		}
	}
	return true
}

// TestSetupPage_FakeWeb checks the Splunk Web fake holds a page to Splunk
// Web's rules: a view's <html> panel, script and stylesheet; no splunkd
// call without the session cookie, no write without the CSRF form key;
// splunkd's answers passed on as they are.
func TestSetupPage_FakeWeb(t *testing.T) {
	sd := splunkdfake.New(false)
	defer sd.Close()
	sd.AddSessionKey("k")
	app := t.TempDir()
	views := filepath.Join(app, "default", "data", "ui", "views")
	os.MkdirAll(views, 0o755)
	os.WriteFile(filepath.Join(views, "v.xml"), []byte(`<dashboard version="1.1" script="a.js, kubelens:b.js" stylesheet="c.css"><label>L</label><row><panel><html><div id="x">panel</div></html></panel></row></dashboard>`), 0o644)
	web, err := splunkwebfake.New(splunkwebfake.Config{AppDir: app, App: "kubelens", Locale: "en-GB", SplunkdURL: sd.URL, SessionKey: "k", CookiePort: "8443"})
	if err != nil {
		t.Fatal(err)
	}
	defer web.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	noSession := &http.Client{}
	get := func(c *http.Client, u string) (int, string) {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get(client, web.PageURL("v"))
	for _, want := range []string{`<div id="x">panel</div>`, `src="/en-GB/static/app/kubelens/a.js"`, `src="/en-GB/static/app/kubelens/b.js"`, `href="/en-GB/static/app/kubelens/c.css"`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("page: %d, no %s in\n%s", code, want, body)
		}
	}
	u, _ := url.Parse(web.URL)
	var formKey string
	for _, c := range jar.Cookies(u) {
		if c.Name == "splunkweb_csrf_token_8443" {
			formKey = c.Value
		}
	}
	if formKey == "" || formKey != web.FormKey() {
		t.Fatalf("the page set no splunkweb_csrf_token_8443 cookie: %v", jar.Cookies(u))
	}
	raw := web.URL + "/en-GB/splunkd/__raw/servicesNS/nobody/kubelens/storage/passwords?output_mode=json"
	post := func(c *http.Client, key string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, raw, strings.NewReader("name=a&realm=eks_logs_account&password=p"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if key != "" {
			req.Header.Set("X-Splunk-Form-Key", key)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name   string
		c      *http.Client
		key    string
		code   int
		reason string
	}{
		{"no session", noSession, formKey, 401, "no Splunk Web session"},
		{"no form key", client, "", 401, "CSRF validation failed"},
		{"wrong form key", client, formKey + "x", 401, "CSRF validation failed"},
		{"form key", client, formKey, 201, `"username":"a"`},
		{"duplicate", client, formKey, 409, `"messages":[{"text":"An object with name=a already exists","type":"ERROR"}]`},
	} {
		if code, body := post(tc.c, tc.key); code != tc.code || !strings.Contains(body, tc.reason) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, body, tc.code, tc.reason)
		}
	}
	if got := len(web.Refused()); got != 3 {
		t.Errorf("refused %d requests, want 3: %q", got, web.Refused())
	}
	if code, _ := get(noSession, raw); code != 401 {
		t.Errorf("a GET without the session: %d", code)
	}
	if code, body := get(client, raw); code != 200 || !strings.Contains(body, `"username":"a"`) {
		t.Errorf("list through the proxy: %d %s", code, body)
	}
	if code, _ := get(client, web.URL+"/en-US/splunkd/__raw/servicesNS/nobody/kubelens/storage/passwords"); code != 404 {
		t.Errorf("another locale's prefix answered %d, want 404", code)
	}
	for _, p := range []string{"/en-GB/static/app/kubelens/../default/data/ui/views/v.xml", "/en-GB/static/app/kubelens/%2e%2e/default/data/ui/views/v.xml"} {
		if code, _ := get(client, web.URL+p); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}
