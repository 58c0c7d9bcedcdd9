package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
)

// eksRunDetached runs eks_logs in a new session, without a controlling
// terminal, as CI and splunkd do.
func eksRunDetached(t *testing.T, stdin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(eksLogsBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("eks_logs did not exit")
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// TestEksLogsCredentials_SetAndList stores an account through the fake
// splunkd's REST API with a token from the environment and keys on stdin,
// updates it, lists names only, and checks no secret is ever printed.
func TestEksLogsCredentials_SetAndList(t *testing.T) {
	sd := splunkdfake.New(true)
	defer sd.Close()
	sd.AddToken("admin-token-XYZ")
	env := eksAwsTestEnv(t, "SPLUNK_TOKEN=admin-token-XYZ")
	const secret1, secret2 = "first/Secret+Value1", "second/Secret+Value2"

	out, errOut, code := eksRunDetached(t, "AKIAEXAMPLEKEY0001\n"+secret1+"\n", env, "credentials", "set", "--account", "prod", "--splunkd-uri", sd.URL)
	if code != 0 || !strings.Contains(out, `"prod" created`) {
		t.Fatalf("set: exit %d\n%s\n%s", code, out, errOut)
	}
	out2, errOut2, code := eksRunDetached(t, "\nAKIAEXAMPLEKEY0002\n\n"+secret2+"\n", env, "credentials", "set", "--account=prod", "--splunkd-uri", sd.URL)
	if code != 0 || !strings.Contains(out2, `"prod" updated`) {
		t.Fatalf("update: exit %d\n%s\n%s", code, out2, errOut2)
	}
	c, ok := sd.Get("kubelens", "eks_logs_account", "prod")
	if !ok {
		t.Fatal("credential not stored in app kubelens, realm eks_logs_account")
	}
	var stored struct {
		KeyID     string `json:"key_id"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal([]byte(c.Password), &stored); err != nil || stored.KeyID != "AKIAEXAMPLEKEY0002" || stored.SecretKey != secret2 {
		t.Errorf("stored = %q (%v)", c.Password, err)
	}
	sd.Put(splunkdfake.Credential{App: "kubelens", Realm: "eks_logs_account", Username: "staging", Password: `{"key_id":"A","secret_key":"staging-secret"}`})
	sd.Put(splunkdfake.Credential{App: "kubelens", Realm: "other_realm", Username: "unrelated", Password: "x"})
	list, errList, code := eksRunDetached(t, "", env, "credentials", "list", "--splunkd-uri", sd.URL)
	if code != 0 || list != "prod\nstaging\n" {
		t.Errorf("list: exit %d, %q, %s", code, list, errList)
	}
	for _, s := range []string{out, errOut, out2, errOut2, list, errList} {
		for _, secret := range []string{secret1, secret2, "staging-secret", "admin-token-XYZ"} {
			if strings.Contains(s, secret) {
				t.Errorf("output contains a secret: %q", s)
			}
		}
	}
}

// TestEksLogsCredentials_Refusals covers a wrong token (clear error, token
// not echoed), no token and no terminal, keys on argv, and bad keys.
func TestEksLogsCredentials_Refusals(t *testing.T) {
	sd := splunkdfake.New(false)
	defer sd.Close()
	sd.AddToken("right-token")
	keys := "AKIAEXAMPLEKEY0001\nsecretvalue\n"

	_, errOut, code := eksRunDetached(t, keys, eksAwsTestEnv(t, "SPLUNK_TOKEN=wrong-token-123"), "credentials", "set", "--account", "prod", "--splunkd-uri", sd.URL)
	if code == 0 || !strings.Contains(errOut, "not authenticated") || strings.Contains(errOut, "wrong-token-123") || strings.Contains(errOut, "secretvalue") {
		t.Errorf("wrong token: exit %d, %q", code, errOut)
	}
	_, errOut, code = eksRunDetached(t, keys, eksAwsTestEnv(t), "credentials", "set", "--account", "prod", "--splunkd-uri", sd.URL)
	if code == 0 || !strings.Contains(errOut, "SPLUNK_TOKEN") {
		t.Errorf("no token, no terminal: exit %d, %q", code, errOut)
	}
	_, errOut, code = eksRunDetached(t, "", eksAwsTestEnv(t, "SPLUNK_TOKEN=right-token"), "credentials", "set", "--account", "prod", "AKIAEXAMPLEKEY0001", "argv-secret")
	if code == 0 || strings.Contains(errOut, "argv-secret") || !strings.Contains(errOut, "never taken from the command line") {
		t.Errorf("argv keys: exit %d, %q", code, errOut)
	}
	for _, stdin := range []string{"", "only-one-line\n", "lowercasekeyid000\nsecret\n"} {
		_, errOut, code = eksRunDetached(t, stdin, eksAwsTestEnv(t, "SPLUNK_TOKEN=right-token"), "credentials", "set", "--account", "prod", "--splunkd-uri", sd.URL)
		if code == 0 || !strings.Contains(errOut, "ERROR cannot read the AWS keys") {
			t.Errorf("stdin %q: exit %d, %q", stdin, code, errOut)
		}
	}
	_, errOut, code = eksRunDetached(t, keys, eksAwsTestEnv(t, "SPLUNK_TOKEN=right-token"), "credentials", "set", "--splunkd-uri", sd.URL)
	if code == 0 || !strings.Contains(errOut, "--account is required") {
		t.Errorf("no account: exit %d, %q", code, errOut)
	}
	if _, ok := sd.Get("kubelens", "eks_logs_account", "prod"); ok {
		t.Error("a refused command stored a credential")
	}
}

// TestEksLogsCheckpoint_ShowAndReset verifies the admin view of a
// checkpoint and that reset moves it aside (refused while the input runs),
// after which the input starts again from start_from.
func TestEksLogsCheckpoint_ShowAndReset(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	evs := eksPutStreams(cw, "kube-apiserver-audit-", 20, 2, time.Now())
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")
	ckpt := t.TempDir()
	cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://demo", eksFastParams(cw.URL))
	p := startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "all events", func() bool { return len(p.Events()) == len(evs) })

	_, errOut, code := runEksLogs(t, "", env, "checkpoint", "reset", "--stanza", "demo", "--checkpoint-dir", ckpt)
	if code == 0 || !strings.Contains(errOut, "disable it first") {
		t.Errorf("reset while running: exit %d, %q", code, errOut)
	}
	// While the input runs, the pages since its start are in the journal:
	// show reads them with the base, as a restart would.
	out, errOut, code := runEksLogs(t, "", env, "checkpoint", "show", "--stanza", "demo", "--checkpoint-dir", ckpt)
	if code != 0 || !strings.Contains(out, "recent_event_ids=20") || !regexp.MustCompile(`(?m)^journal: +[1-9][0-9]* records`).MatchString(out) {
		t.Errorf("show while running: exit %d\n%s\n%s", code, out, errOut)
	}
	p.stop(20 * time.Second)

	out, errOut, code = runEksLogs(t, "", env, "checkpoint", "show", "--stanza", "eks_logs://demo", "--checkpoint-dir", ckpt)
	file := filepath.Join(ckpt, checkpoint.FileName("eks_logs://demo"))
	if code != 0 || !strings.Contains(out, "file:     "+file) || !strings.Contains(out, "prefix=kube-apiserver-audit- ") ||
		!strings.Contains(out, "recent_event_ids=20") {
		t.Errorf("show: exit %d\n%s\n%s", code, out, errOut)
	}
	home := t.TempDir()
	_, _, code = runEksLogs(t, "", append(env, "SPLUNK_HOME="+home), "checkpoint", "show", "--stanza", "demo")
	if code != 0 {
		t.Errorf("show with the default directory from SPLUNK_HOME: exit %d", code)
	}
	out, errOut, code = runEksLogs(t, "", env, "checkpoint", "reset", "--stanza", "demo", "--checkpoint-dir", ckpt)
	if code != 0 || strings.Count(out, "moved aside: ") != 4 { // bases and journals
		t.Errorf("reset: exit %d\n%s\n%s", code, out, errOut)
	}
	p = startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "all events again", func() bool { return len(p.Events()) == len(evs) })
	p.stop(20 * time.Second)
}

// TestEksLogsCheckpoint_MistypedDirRefused verifies that show and reset
// refuse a --checkpoint-dir that does not exist (a typo would otherwise
// read as an input that never ran) and leave nothing there.
func TestEksLogsCheckpoint_MistypedDirRefused(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	for _, cmd := range []string{"show", "reset"} {
		_, errOut, code := runEksLogs(t, "", nil, "checkpoint", cmd, "--stanza", "prod", "--checkpoint-dir", missing)
		if code != 1 || !strings.Contains(errOut, "no such checkpoint directory") {
			t.Errorf("%s: exit %d, %q", cmd, code, errOut)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Errorf("%s made the directory", cmd)
		}
	}
}
