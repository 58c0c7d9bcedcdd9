package splunkconf_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kubelens/kubelens/src/splunkconf"
)

// FuzzParse checks that whatever Parse accepts, Format writes in a form
// that parses back to the same stanzas, keys and values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[s]\nk = v\n",
		"a = 1\n[x]\nb = two\\\n  lines\n",
		"[]\naccess = read : [ * ], write : [ admin ]\nexport = system\n",
		"[source::...(?<!x)]\nTRUNCATE = 0\n# c\n",
		"[s]\np = C:\\\\x\\\\\nq = \\\\\\\n",
		"[eks_logs://<name>]\n* text\nk = <v>\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, spec bool) {
		mode := splunkconf.Conf
		if spec {
			mode = splunkconf.Spec
		}
		f1, err := splunkconf.ParseBytes(data, "fuzz.conf", mode)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := f1.Format(&buf); err != nil {
			if errors.Is(err, splunkconf.ErrTrailingBackslash) {
				return // not representable in any .conf text
			}
			t.Fatal(err)
		}
		f2, err := splunkconf.ParseBytes(buf.Bytes(), "formatted.conf", mode)
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%q", err, buf.String())
		}
		if len(f1.Stanzas) != len(f2.Stanzas) {
			t.Fatalf("stanzas %d -> %d\n%q", len(f1.Stanzas), len(f2.Stanzas), buf.String())
		}
		for i, s1 := range f1.Stanzas {
			s2 := f2.Stanzas[i]
			if s1.Name != s2.Name || len(s1.Settings) != len(s2.Settings) {
				t.Fatalf("stanza %d: %q/%d -> %q/%d\n%q", i, s1.Name, len(s1.Settings), s2.Name, len(s2.Settings), buf.String())
			}
			for j, kv := range s1.Settings {
				if kv.Key != s2.Settings[j].Key || kv.Value != s2.Settings[j].Value {
					t.Fatalf("setting %q=%q -> %q=%q\n%q", kv.Key, kv.Value, s2.Settings[j].Key, s2.Settings[j].Value, buf.String())
				}
			}
		}
	})
}
