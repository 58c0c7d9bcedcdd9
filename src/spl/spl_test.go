package spl_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/spl"
)

func names(p *spl.Pipeline) []string {
	var n []string
	p.Walk(func(c *spl.Command) { n = append(n, c.Name) })
	return n
}

func TestParse_Commands(t *testing.T) {
	for _, tc := range []struct {
		search string
		want   []string
		gen    bool
	}{
		{`index=x sourcetype="a|b" | stats count by user | where count > 5`, []string{"search", "stats", "where"}, false},
		{`| tstats count where index=* by sourcetype`, []string{"tstats"}, true},
		{`  |inputlookup x.csv|   EVAL y=1`, []string{"inputlookup", "eval"}, true},
		{"a ```a | comment``` | head 1", []string{"search", "head"}, false},
		{"a | rex \"(?<u>[^\\\"|]+)\" | table u", []string{"search", "rex", "table"}, false},
		{"a [search b | fields c] | append [| makeresults | eval d=1]", []string{"search", "search", "fields", "append", "makeresults", "eval"}, false},
		{"`kube_audit` verb=get | `security_content_ctime(firstTime)` | `f_filter`", []string{"search", "`security_content_ctime(firstTime)`", "`f_filter`"}, false},
		{"x | `m(a|b, \"c|d\")` y", []string{"search", "`m(a|b, \"c|d\")`"}, false},
	} {
		p, err := spl.Parse(tc.search)
		if err != nil {
			t.Errorf("%q: %v", tc.search, err)
			continue
		}
		if got := names(p); !reflect.DeepEqual(got, tc.want) || p.Generating != tc.gen {
			t.Errorf("%q: commands %q generating=%v, want %q %v", tc.search, got, p.Generating, tc.want, tc.gen)
		}
	}
}

func TestParse_ArgsAndOffsets(t *testing.T) {
	s := "foo bar |  stats count by x"
	p, err := spl.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Commands[0]; c.Args != "foo bar" || c.Offset != 0 {
		t.Errorf("first = %+v", c)
	}
	if c := p.Commands[1]; c.Args != "count by x" || s[c.Offset:c.Offset+5] != "stats" {
		t.Errorf("second = %+v", c)
	}
}

func TestParse_Errors(t *testing.T) {
	for _, tc := range []struct{ search, want string }{
		{`a | "open`, "quoted string is not closed"},
		{"a | `m", "macro call ` is not closed"},
		{"a [search b", "[ is not closed"},
		{"a ] b", "] without ["},
		{"a || b", "empty command"},
		{"a | ", "empty command"},
		{"a | 9lives", "not a command name"},
		{"a ```x", "comment"},
		{"a [ ]", "empty subsearch"},
	} {
		_, err := spl.Parse(tc.search)
		var se *spl.SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want SyntaxError containing %q", tc.search, err, tc.want)
		}
	}
}

func TestMacroCalls(t *testing.T) {
	calls, err := spl.MacroCalls("`a` x=\"`not_a_macro`\" ```` `nor_this` ``` | `b(1, \"x,y\", f(2,3))` | `c()`")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		got = append(got, c.Stanza())
	}
	if want := []string{"a", "b(3)", "c(1)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stanzas = %q, want %q", got, want)
	}
	if want := []string{"1", `"x,y"`, "f(2,3)"}; !reflect.DeepEqual(calls[1].Args, want) {
		t.Errorf("args = %q, want %q", calls[1].Args, want)
	}
}

func TestExpand(t *testing.T) {
	defs := map[string]spl.Definition{
		"idx":        {Body: "index=k8s"},
		"audit":      {Body: "`idx` sourcetype=a"},
		"ctime(1)":   {Body: `convert timeformat="%Y" ctime($field$)`, Params: []string{"field"}},
		"loop":       {Body: "`loop2`"},
		"loop2":      {Body: "`loop`"},
		"twoargs(2)": {Body: "x=$a$ y=$b$", Params: []string{"a"}},
	}
	lookup := func(s string) (spl.Definition, bool) { d, ok := defs[s]; return d, ok }

	got, missing, err := spl.Expand("`audit` | `ctime(firstTime)` | `nope` | `nope(1)` | eval q=\"`idx`\"", lookup)
	if err != nil {
		t.Fatal(err)
	}
	want := "index=k8s sourcetype=a | convert timeformat=\"%Y\" ctime(firstTime) | `nope` | `nope(1)` | eval q=\"`idx`\""
	if got != want {
		t.Errorf("Expand = %q\nwant     %q", got, want)
	}
	if !reflect.DeepEqual(missing, []string{"nope", "nope(1)"}) {
		t.Errorf("missing = %q", missing)
	}
	if _, _, err := spl.Expand("`loop`", lookup); err == nil || !strings.Contains(err.Error(), "calls itself") {
		t.Errorf("recursive macro: err = %v", err)
	}
	if _, _, err := spl.Expand("`twoargs(1,2)`", lookup); err == nil || !strings.Contains(err.Error(), "1 names for 2 arguments") {
		t.Errorf("args mismatch: err = %v", err)
	}
}

func TestIsCommand(t *testing.T) {
	for _, c := range []string{"stats", "TSTATS", "iplocation", "spath"} {
		if !spl.IsCommand(c) {
			t.Errorf("%s is a built-in command", c)
		}
	}
	for _, c := range []string{"kubeenrich", "stat", ""} {
		if spl.IsCommand(c) {
			t.Errorf("%q is not a built-in command", c)
		}
	}
}
