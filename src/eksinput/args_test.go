package eksinput

import (
	"bytes"
	"strings"
	"testing"
)

// TestMain_NeverLogsArguments verifies that a mistyped command line is
// never logged as typed, whichever command reads it: a key ID, a secret or
// a token among the arguments does not reach stderr or stdout, while a
// word that reads as a command or a flag name may be named.
func TestMain_NeverLogsArguments(t *testing.T) {
	const keyID, secret = "AKIAEXAMPLEKEY000001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"credential", "set", "--account", "prod", keyID, secret}, 1, "did_you_mean=credentials"},
		{[]string{keyID, secret}, 1, "command=\"(not shown)\""},
		{[]string{"credentials", "set", "--account", "prod", keyID, secret}, 2, "unexpected arguments"},
		{[]string{"credentials", "set", "--account", secret}, 2, "--account is required"},
		{[]string{"credentials", "set", "--secret", secret}, 2, "flag=--secret"},
		{[]string{"credentials", "set", "--" + secret}, 2, "invalid arguments"},
		{[]string{"credentials", secret}, 2, ""},
		{[]string{"checkpoint", "show", "--stanza", "prod", "--checkpoint-dir", "/tmp", keyID}, 2, "unexpected arguments"},
		{[]string{"checkpoint", secret, "--stanza", "p", "--checkpoint-dir", "/tmp"}, 2, "unknown checkpoint command"},
		{[]string{"checkpoint", "show", "--stanza=" + secret + "x", "--bogus=" + secret}, 2, "flag=--bogus"},
	} {
		var out, errOut bytes.Buffer
		code := Main(t.Context(), tc.args, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
		all := out.String() + errOut.String()
		if code != tc.code || !strings.Contains(all, tc.want) {
			t.Errorf("%d args: exit %d, want %d and %q:\n%s", len(tc.args), code, tc.code, tc.want, all)
		}
		if strings.Contains(all, keyID) || strings.Contains(all, secret) || strings.Contains(all, "K7MDENG") {
			t.Errorf("an argument was logged: %s", all)
		}
	}
}

// TestCheckpointCmd_SaysWhatIsMissing verifies the message names what is
// missing: --stanza given without $SPLUNK_HOME asks for --checkpoint-dir.
func TestCheckpointCmd_SaysWhatIsMissing(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		home, want string
	}{
		{[]string{"checkpoint", "show", "--stanza", "prod"}, "", "--checkpoint-dir is required: $SPLUNK_HOME is not set"},
		{[]string{"checkpoint", "show"}, "/opt/splunk", "--stanza is required"},
		{[]string{"checkpoint", "show"}, "", "--stanza is required, and --checkpoint-dir too"},
	} {
		var out, errOut bytes.Buffer
		code := Main(t.Context(), tc.args, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string {
				if k == "SPLUNK_HOME" {
					return tc.home
				}
				return ""
			}})
		if code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v (SPLUNK_HOME=%q): exit %d, %q", tc.args, tc.home, code, errOut.String())
		}
	}
}
