package spl_test

import (
	"testing"

	"github.com/kubelens/kubelens/src/spl"
)

// FuzzParse checks that Parse never panics and that a parsed pipeline,
// rendered with String, parses again to the same command names and
// arguments.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"index=x | stats count by a",
		"| tstats count where index=* by sourcetype",
		"`kube_audit` \"user.groups{}\"=\"system:unauthenticated\" | iplocation sourceIPs{} | where count > 5 | `x_filter`",
		"a [search b | fields c] | append [| makeresults]",
		"a ```c | d``` | rex \"(?<x>[^|]+)\"",
		"x | `m(a, \"b,c\", f(1))`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := spl.Parse(s)
		if err != nil {
			return
		}
		q, err := spl.Parse(p.String())
		if err != nil {
			t.Fatalf("String() = %q does not parse: %v", p.String(), err)
		}
		if len(p.Commands) != len(q.Commands) || p.Generating != q.Generating {
			t.Fatalf("%q -> %q: %d commands (gen %v) -> %d (gen %v)", s, p.String(), len(p.Commands), p.Generating, len(q.Commands), q.Generating)
		}
		for i := range p.Commands {
			a, b := p.Commands[i], q.Commands[i]
			if a.Name != b.Name || a.Args != b.Args || len(a.Subsearches) != len(b.Subsearches) {
				t.Fatalf("%q -> %q: command %d %q %q -> %q %q", s, p.String(), i, a.Name, a.Args, b.Name, b.Args)
			}
		}
		_, _ = spl.MacroCalls(s)
		_, _, _ = spl.Expand(s, func(string) (spl.Definition, bool) { return spl.Definition{Body: "search x"}, true })
	})
}
