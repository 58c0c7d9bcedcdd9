package eksconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// paramsOf returns the Param of every ParamError in err, in order.
func paramsOf(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var pe *ParamError
		if errors.As(e, &pe) {
			out = append(out, pe.Param)
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

func withBase(extra map[string]string) map[string]string {
	p := map[string]string{"aws_region": "us-east-1", "cluster_name": "prod"}
	for k, v := range extra {
		if v == "\x00" {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return p
}

// TestParseStanza_OneErrorPerMistake verifies that a refused value is
// reported once, for itself: the rules between parameters (cluster_name or
// log_group, external_id with role_arn) do not add a second, wrong message
// about a value that was given.
func TestParseStanza_OneErrorPerMistake(t *testing.T) {
	for _, tc := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"cluster_name": "a/b"}, "cluster_name"},
		{map[string]string{"cluster_name": "-bad"}, "cluster_name"},
		{map[string]string{"cluster_name": "\x00", "log_group": "bad group"}, "log_group"},
		{map[string]string{"role_arn": "arn:aws:iam::12:role/x", "external_id": "ext-1"}, "role_arn"},
		{map[string]string{"cluster_name": "\x00"}, "cluster_name"},
		{map[string]string{"external_id": "ext-1"}, "external_id"},
	} {
		_, err := ParseStanza(stanza(withBase(tc.params)), time.Now())
		if got := strings.Join(paramsOf(err), ","); got != tc.want {
			t.Errorf("%v: errors for %q, want %q only: %v", tc.params, got, tc.want, err)
		}
	}
}

// TestParseStanza_RolePartitionMatchesRegion verifies a role ARN must be of
// the Region's partition: STS cannot assume an aws role in aws-cn.
func TestParseStanza_RolePartitionMatchesRegion(t *testing.T) {
	for _, tc := range []struct {
		region, arn string
		ok          bool
	}{
		{"us-east-1", "arn:aws:iam::123456789012:role/r", true},
		{"cn-north-1", "arn:aws-cn:iam::123456789012:role/r", true},
		{"us-gov-west-1", "arn:aws-us-gov:iam::123456789012:role/r", true},
		{"us-isob-east-1", "arn:aws-iso-b:iam::123456789012:role/r", true},
		{"cn-north-1", "arn:aws:iam::123456789012:role/r", false},
		{"us-east-1", "arn:aws-us-gov:iam::123456789012:role/r", false},
		{"us-gov-east-1", "arn:aws-cn:iam::123456789012:role/r", false},
	} {
		_, err := ParseStanza(stanza(withBase(map[string]string{"aws_region": tc.region, "role_arn": tc.arn})), time.Now())
		if got := paramsOf(err); tc.ok != (len(got) == 0) || (!tc.ok && got[0] != "role_arn") {
			t.Errorf("%s with %s: %v", tc.region, tc.arn, err)
		}
	}
}

// TestStrictChecks verifies what --validate-arguments refuses beyond the
// values: a parameter that is neither eks_logs' nor splunkd's (with a
// suggestion when it is a misspelling), and an interval that is neither a
// number of seconds nor a cron schedule; splunkd's own settings pass.
func TestStrictChecks(t *testing.T) {
	s := stanza(withBase(map[string]string{"bogus_param": "x", "overlpa": "1m", "Overlap": "1m", "interval": "abc",
		"index": "main", "host": "h", "sourcetype": "s", "disabled": "0", "start_by_shell": "false", "python.version": "python3",
		"_TCP_ROUTING": "*", "_meta": "a::b", "queue": "parsingQueue", "outputgroup": "x"}))
	var msgs []string
	for _, err := range StrictChecks(s) {
		msgs = append(msgs, err.Error())
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{"Overlap: unknown key of eks_logs (did you mean overlap?)", "bogus_param: unknown key of eks_logs",
		"interval: \"abc\": want a number of seconds", "overlpa: unknown key of eks_logs (did you mean overlap?)"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if len(msgs) != 4 {
		t.Errorf("%d problems, want 4:\n%s", len(msgs), got)
	}
	if strings.Contains(got, "bogus_param: unknown key of eks_logs (did") {
		t.Errorf("a suggestion for a name close to nothing: %s", got)
	}
	for _, v := range []string{"60", "0", "-1", "3.14", "*/5 * * * *", "0 1-5/2 1,15 * 0", "30 2 * * 1-5", " 60 "} {
		if errs := StrictChecks(stanza(withBase(map[string]string{"interval": v}))); len(errs) != 0 {
			t.Errorf("interval %q refused: %v", v, errs)
		}
	}
	for _, v := range []string{"abc", "-2", "NaN", "Inf", "* * * *", "61 * * * *", "0 0 * JAN *", "0 0 32 * *", "*/0 * * * *", "1-x * * * *", "* * * * * *"} {
		if errs := StrictChecks(stanza(withBase(map[string]string{"interval": v}))); len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "interval:") {
			t.Errorf("interval %q: %v", v, errs)
		}
	}
}

// TestParseStanza_LogLevels verifies only the five documented levels are
// taken, in any case.
func TestParseStanza_LogLevels(t *testing.T) {
	for _, v := range []string{"DEBUG", "info", "Warn", "ERROR", "fatal", "TRACE", "warning", "CRITICAL"} {
		if _, err := ParseStanza(stanza(withBase(map[string]string{"log_level": v})), time.Now()); err != nil {
			t.Errorf("log_level %q: %v", v, err)
		}
	}
	for _, v := range []string{"LOUD", "VERBOSE", "5"} {
		if _, err := ParseStanza(stanza(withBase(map[string]string{"log_level": v})), time.Now()); strings.Join(paramsOf(err), ",") != "log_level" {
			t.Errorf("log_level %q accepted or misreported: %v", v, err)
		}
	}
}

// TestParseStanza_EmptyValueIsTheDefault verifies that a parameter given
// empty (as splunkd passes a field cleared on the setup page) takes its
// default, log_types included, while a list naming nothing is refused.
func TestParseStanza_EmptyValueIsTheDefault(t *testing.T) {
	c, err := ParseStanza(stanza(withBase(map[string]string{"log_types": "", "overlap": ""})), time.Now())
	if err != nil || len(c.LogTypes) != 1 || c.LogTypes[0].Name != "audit" || c.Overlap != 10*time.Minute {
		t.Errorf("%+v %v", c.LogTypes, err)
	}
	if _, err := ParseStanza(stanza(withBase(map[string]string{"log_types": " , "})), time.Now()); strings.Join(paramsOf(err), ",") != "log_types" {
		t.Errorf("log_types \" , \": %v", err)
	}
}

// TestErrors_NeverShowSecrets verifies that refused values of
// secret-bearing settings are not shown, and that credentials in a URL are
// refused and never shown, in a stanza and in the service's file.
func TestErrors_NeverShowSecrets(t *testing.T) {
	const pw = "Passw0rdZQ"
	var all []string
	for _, u := range []string{"https://user:" + pw + "@logs.example/", "ftp://u:" + pw + "@h", "http://" + pw + "@h", "u:" + pw + "@h"} {
		_, err := ParseStanza(stanza(withBase(map[string]string{"endpoint_url": u})), time.Now())
		if strings.Join(paramsOf(err), ",") != "endpoint_url" {
			t.Errorf("endpoint_url %q: %v", u, err)
		}
		all = append(all, err.Error())
	}
	_, err := ParseStanza(stanza(withBase(map[string]string{"role_arn": "arn:aws:iam::123456789012:role/r", "external_id": "bad " + pw})), time.Now())
	all = append(all, err.Error())

	const token = "hec-SECRET-ZQ81"
	file := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(file, nil, 0o600)
	in := "checkpoint_dir: /x\ninputs:\n  - name: a\n    aws_region: us-east-1\n    cluster_name: a\nsinks:\n"
	for _, sink := range []string{
		"  - type: hec\n    url: https://h\n    token_env: " + token + "\n",
		"  - type: hec\n    url: https://h\n    token_file: /nonexistent/" + token + "\n",
		"  - type: hec\n    url: https://h\n    token_file: " + file + "\n",
		"  - type: hec\n    url: https://u:" + token + "@h:8088\n    token_env: HEC\n",
		"  - type: scs\n    tenant: t\n    url: https://u:" + token + "@h/p\n    token_env: HEC\n",
		"  - type: scs\n    tenant: t\n    client_id: c\n    client_secret_env: " + token + "\n    scope: s\n",
		"  - type: scs\n    tenant: t\n    client_id: c\n    client_secret_file: " + token + "\n    scope: s\n",
		"  - type: scs\n    tenant: t\n    token_env: HEC\n    auth_url: https://" + token + ":x@auth.example\n",
	} {
		_, err := ParseService([]byte(in+sink), env, time.Now())
		if err == nil {
			t.Errorf("accepted:\n%s", sink)
			continue
		}
		all = append(all, err.Error())
	}
	_, err = ParseService([]byte("checkpoint_dir: /x\ninputs:\n  - name: a\n    aws_region: us-east-1\n    cluster_name: a\n    endpoint_url: ftp://u:"+pw+"@h\nsinks:\n  - type: stdout\n"), env, time.Now())
	all = append(all, err.Error())
	for _, msg := range all {
		if strings.Contains(msg, pw) || strings.Contains(msg, token) {
			t.Errorf("secret shown: %s", msg)
		}
	}
}

// TestParseService_OneErrorPerMistake verifies a refused sink value is
// reported once (no "required" for a key that was given), and that an
// empty list is refused rather than read as unset.
func TestParseService_OneErrorPerMistake(t *testing.T) {
	in := "checkpoint_dir: /x\ninputs:\n  - name: a\n    aws_region: us-east-1\n    cluster_name: a\n"
	for _, tc := range []struct{ doc, want string }{
		{in + "sinks:\n  - type: hec\n    url: ftp://x\n    token_env: HEC\n", "sinks[0].url"},
		{in + "sinks:\n  - type: scs\n    tenant: My Tenant\n    token_env: HEC\n", "sinks[0].tenant"},
		{in + "sinks:\n  - type: scs\n    tenant: t\n    url: ftp://x\n    token_env: HEC\n", "sinks[0].url"},
		{in + "    cluster_name: a/b\nsinks:\n  - type: stdout\n", "inputs[0].cluster_name"},
		{in + "    log_types: []\nsinks:\n  - type: stdout\n", "inputs[0].log_types"},
		{in + "sinks:\n  - type: hec\n    url: https://h\n    token: t0k3n\n", "sinks[0].token"},
		{in + "sinks:\n  - type: scs\n    tenant: t\n    token: t0k3n\n", "sinks[0].token"},
		{in + "sinks:\n  - type: scs\n    tenant: t\n    client_id: c\n    client_secret: s3cr3t\n    scope: s\n", "sinks[0].client_secret"},
	} {
		doc := strings.Replace(tc.doc, "    cluster_name: a\n    cluster_name: a/b\n", "    cluster_name: a/b\n", 1)
		_, err := ParseService([]byte(doc), env, time.Now())
		if got := strings.Join(paramsOf(err), ","); got != tc.want {
			t.Errorf("errors for %q, want %q only: %v\n%s", got, tc.want, err, doc)
		}
	}
}

// TestInput_SourceKey verifies what the checkpoint key takes from an
// input: the role (else the account name) and the endpoint, normalised.
func TestInput_SourceKey(t *testing.T) {
	for _, tc := range []struct {
		in                  Input
		principal, endpoint string
	}{
		{Input{}, "", ""},
		{Input{AWSAccount: "prod"}, "aws_account:prod", ""},
		{Input{AWSAccount: "prod", RoleARN: "arn:aws:iam::123456789012:role/r"}, "role_arn:arn:aws:iam::123456789012:role/r", ""},
		{Input{EndpointURL: "HTTPS://VPCE.Example.COM/"}, "", "https://vpce.example.com"},
		{Input{EndpointURL: "http://127.0.0.1:4566"}, "", "http://127.0.0.1:4566"},
	} {
		if p, e := tc.in.Principal(), tc.in.EndpointKey(); p != tc.principal || e != tc.endpoint {
			t.Errorf("%+v: principal %q endpoint %q", tc.in, p, e)
		}
	}
}
