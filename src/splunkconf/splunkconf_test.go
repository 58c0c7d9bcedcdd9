package splunkconf_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/splunkconf"
)

func parse(t *testing.T, text string, mode splunkconf.Mode) *splunkconf.File {
	t.Helper()
	f, err := splunkconf.Parse(strings.NewReader(text), "test.conf", mode)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestParse_StanzasSettingsAndComments(t *testing.T) {
	f := parse(t, "\ufeff# header comment\nglobal = 1\n\n[one]\na = x\n  # indented comment\nb=y # not a comment\n[two words]\nc =\n", splunkconf.Conf)
	if got, want := len(f.Stanzas), 3; got != want {
		t.Fatalf("stanzas = %d, want %d", got, want)
	}
	if s := f.Stanzas[0]; s.Name != "" || s.Line != 0 || s.Value("global") != "1" {
		t.Errorf("implicit default stanza = %+v", s)
	}
	one := f.Stanza("one")
	if one == nil || one.Line != 4 {
		t.Fatalf("stanza one = %+v", one)
	}
	if got := one.Value("b"); got != "y # not a comment" {
		t.Errorf("b = %q: a # after a value is part of it", got)
	}
	if s := one.Setting("b"); s == nil || s.Line != 7 {
		t.Errorf("b line = %+v, want 7", s)
	}
	two := f.Stanza("two words")
	if v, ok := two.Get("c"); !ok || v != "" {
		t.Errorf("c = %q, %v; want empty and set", v, ok)
	}
	if _, ok := two.Get("missing"); ok {
		t.Error("missing key reported as set")
	}
}

func TestParse_LastDefinitionWins(t *testing.T) {
	s := parse(t, "[s]\nk = 1\nk = 2\n", splunkconf.Conf).Stanza("s")
	if got := s.Value("k"); got != "2" {
		t.Errorf("k = %q, want 2", got)
	}
	if len(s.Settings) != 2 {
		t.Errorf("settings = %d: both lines are kept so checks can report duplicates", len(s.Settings))
	}
}

func TestParse_Continuation(t *testing.T) {
	f := parse(t, "[s]\ndescription = first \\\n    second\\\n# not a comment here\nafter = 1\npath = C:\\\\dir\\\\\nnext = 2\n", splunkconf.Conf)
	s := f.Stanza("s")
	if got, want := s.Value("description"), "first \n    second\n# not a comment here"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	if got, want := s.Value("path"), `C:\\dir\\`; got != want {
		t.Errorf("path = %q, want %q (even backslashes do not continue)", got, want)
	}
	if s.Value("after") != "1" || s.Value("next") != "2" {
		t.Errorf("settings after continuations lost: %+v", s.Settings)
	}
}

func TestParse_SpecSkipsDescriptions(t *testing.T) {
	f := parse(t, "[eks_logs://<name>]\n* One cluster.\n\naws_region = <string>\n* Required: for example\n  us-east-1, eu-west-1 or cn-north-1.\n\tinterval = 60 is not a setting here.\n", splunkconf.Spec)
	s := f.Stanza("eks_logs://<name>")
	if s == nil || len(s.Settings) != 1 || s.Settings[0].Key != "aws_region" {
		t.Fatalf("spec stanza = %+v", s)
	}
	if _, err := splunkconf.Parse(strings.NewReader("* Required.\n"), "x.conf", splunkconf.Conf); err == nil {
		t.Error("a * line in a .conf file must be an error")
	}
}

func TestParse_Errors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"[open\n", "no closing ]"},
		{"[s] trailing\n", "after stanza header"},
		{"[s]\njust words\n", "neither a [stanza] nor key = value"},
		{"[s]\n = value\n", "neither"},
	} {
		_, err := splunkconf.Parse(strings.NewReader(tc.text), "bad.conf", splunkconf.Conf)
		var e *splunkconf.Error
		if !errors.As(err, &e) {
			t.Errorf("%q: err = %v, want *splunkconf.Error", tc.text, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "splunkconf: bad.conf:") {
			t.Errorf("%q: err = %q, want it to name the file and contain %q", tc.text, err, tc.want)
		}
	}
}

func TestFormat_RoundTrip(t *testing.T) {
	in := "top = 1\n\n[a]\nx = 1\ny = multi\\\nline\n\n[]\naccess = read : [ * ]\n"
	f := parse(t, in, splunkconf.Conf)
	var buf bytes.Buffer
	if err := f.Format(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != in {
		t.Errorf("Format =\n%s\nwant\n%s", buf.String(), in)
	}
}
