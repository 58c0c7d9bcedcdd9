package eksinput

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
)

// fakeTerminal answers prompts from a script and records the labels.
type fakeTerminal struct {
	answers []string
	asked   []string
	secret  []bool
}

func (f *fakeTerminal) next(label string, secret bool) (string, error) {
	f.asked = append(f.asked, label)
	f.secret = append(f.secret, secret)
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}
func (f *fakeTerminal) Prompt(l string) (string, error)       { return f.next(l, false) }
func (f *fakeTerminal) PromptSecret(l string) (string, error) { return f.next(l, true) }

// TestCredentialsSet_PromptsAndLogsIn covers the interactive path: no
// token, so the username and password are prompted for (the password and
// the AWS secret without echo) and exchanged for a session key.
func TestCredentialsSet_PromptsAndLogsIn(t *testing.T) {
	sd := splunkdfake.New(true)
	defer sd.Close()
	sd.AddUser("admin", "pw-123456")
	term := &fakeTerminal{answers: []string{"AKIAEXAMPLEKEY0009", "aws-secret-9", "admin", "pw-123456"}}
	var out, errOut bytes.Buffer
	code := Main(t.Context(), []string{"credentials", "set", "--account", "dev", "--splunkd-uri", sd.URL},
		IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" },
			Terminal: term, StdinIsTerminal: true})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	wantSecret := []bool{false, true, false, true}
	for i, s := range wantSecret {
		if term.secret[i] != s {
			t.Errorf("prompt %q echo=%v", term.asked[i], !term.secret[i])
		}
	}
	if c, ok := sd.Get("kubelens", CredentialRealm, "dev"); !ok || !strings.Contains(c.Password, `"secret_key":"aws-secret-9"`) {
		t.Errorf("stored = %+v", c)
	}
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, "aws-secret-9") || strings.Contains(s, "pw-123456") {
			t.Errorf("secret printed: %q", s)
		}
	}
}
