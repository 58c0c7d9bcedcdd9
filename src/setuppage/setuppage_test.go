package setuppage_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/kubelens/kubelens/src/eksinput"
	"github.com/kubelens/kubelens/src/setuppage"
)

var update = flag.Bool("update", false, "rewrite the generated block of "+setuppage.ScriptPath)

// TestGeneratedForm verifies the page's script carries the form of the
// current declarations ("make docs" rewrites it).
func TestGeneratedForm(t *testing.T) {
	path := filepath.Join("..", "..", filepath.FromSlash(setuppage.ScriptPath))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := setuppage.Splice(string(b), setuppage.Block(setuppage.Build()))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(b) != want {
		t.Errorf("%s: the generated form is stale: run make docs", setuppage.ScriptPath)
	}
	got, err := setuppage.Extract(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Params) != len(eksinput.Scheme().Args) {
		t.Errorf("the form has %d parameters, eks_logs declares %d", len(got.Params), len(eksinput.Scheme().Args))
	}
}

// TestBuild_EveryParameterOnce checks every declared parameter is a field,
// once, with a title, and that the account parameter offers the accounts.
func TestBuild_EveryParameterOnce(t *testing.T) {
	f := setuppage.Build()
	seen := map[string]int{}
	for _, p := range f.Params {
		seen[p.Name]++
		if p.Title == "" || p.Description == "" {
			t.Errorf("%s: no title or description", p.Name)
		}
		if (p.Choices == "accounts") != (p.Name == setuppage.AccountParam) {
			t.Errorf("%s: choices %q", p.Name, p.Choices)
		}
	}
	for _, p := range eksinput.Scheme().Args {
		if seen[p.Name] != 1 {
			t.Errorf("parameter %s is %d times in the form", p.Name, seen[p.Name])
		}
	}
	if seen[setuppage.AccountParam] != 1 {
		t.Errorf("no %s parameter: the page cannot offer the stored accounts", setuppage.AccountParam)
	}
	if f.Realm != eksinput.CredentialRealm || f.App != eksinput.CredentialApp || f.Scheme != eksinput.SchemeName {
		t.Errorf("app, realm or scheme differ from eks_logs': %+v", f)
	}
}

// TestPatterns_SameInGoAndJavaScript keeps the patterns to the syntax both
// engines read alike (RE2 and ECMAScript without flags): anchors, classes
// and bounded repeats only.
func TestPatterns_SameInGoAndJavaScript(t *testing.T) {
	portable := regexp.MustCompile(`^\^(\[[A-Za-z0-9_.@-]+\](\{\d+,\d+\})?)+\$$`)
	f := setuppage.Build()
	for _, p := range []string{f.AccountPattern, f.KeyIDPattern} {
		if !portable.MatchString(p) {
			t.Errorf("pattern %q uses syntax that may differ between Go and JavaScript", p)
		}
		regexp.MustCompile(p)
	}
	re := regexp.MustCompile(f.AccountPattern)
	for name, ok := range map[string]bool{"prod": true, "team.a@corp": true, "a:b": false, "a/b": false, "a b": false, "-x": false, "": false} {
		if re.MatchString(name) != ok {
			t.Errorf("account name %q: match %v, want %v", name, !ok, ok)
		}
	}
}

// TestExtract_Errors: a script without the block, or with a broken one,
// is an error, not an empty form.
func TestExtract_Errors(t *testing.T) {
	for _, s := range []string{
		"no block",
		"  " + setuppage.BeginMarker + "\n  const X = {};\n  " + setuppage.EndMarker + "\n",
		"  " + setuppage.BeginMarker + "\n  const FORM = {;\n  " + setuppage.EndMarker + "\n",
	} {
		if _, err := setuppage.Extract(s); err == nil {
			t.Errorf("Extract(%q) succeeded", s)
		}
	}
}
