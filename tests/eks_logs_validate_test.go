package tests

import (
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
)

func eksValidParams() map[string]string {
	return map[string]string{"aws_region": "us-east-1", "cluster_name": "prod"}
}

// TestEksLogsValidate_RejectsBadValuesNamingTheParameter runs
// --validate-arguments on each bad value of each parameter and checks the
// <error><message> names the parameter, with a non-zero exit.
func TestEksLogsValidate_RejectsBadValuesNamingTheParameter(t *testing.T) {
	env := eksAwsTestEnv(t)
	cases := []struct {
		param, value string
		drop         []string
	}{
		{"aws_region", "", nil},
		{"aws_region", "us-east", nil},
		{"aws_region", "US-EAST-1", nil},
		{"aws_region", "moon-base-1", nil},
		{"cluster_name", "", []string{"cluster_name"}},
		{"cluster_name", "-bad", nil},
		{"cluster_name", "has space", nil},
		{"log_group", "bad group!", nil},
		{"log_types", "audit,kubelet", nil},
		{"log_types", "auditx", nil},
		{"start_from", "yesterday", nil},
		{"start_from", "+1h", nil},
		{"start_from", "-abc", nil},
		{"start_from", "2999-01-01T00:00:00Z", nil},
		{"aws_account", "bad name", nil},
		{"role_arn", "arn:aws:iam::12:role/x", nil},
		{"role_arn", "arn:aws:s3:::bucket", nil},
		{"external_id", "ext-1", nil},
		{"endpoint_url", "ftp://logs.example", nil},
		{"endpoint_url", "not a url", nil},
		{"poll_interval", "0", nil},
		{"poll_interval", "abc", nil},
		{"poll_interval", "-5s", nil},
		{"overlap", "15d", nil},
		{"overlap", "ten minutes", nil},
		{"sweep_interval", "15d", nil},
		{"sweep_interval", "-1m", nil},
		{"lag", "-1s", nil},
		{"lag", "2d", nil},
		{"max_calls_per_second", "0", nil},
		{"max_calls_per_second", "abc", nil},
		{"max_calls_per_second", "2000", nil},
		{"max_backoff", "0s", nil},
		{"log_level", "LOUD", nil},
	}
	for _, tc := range cases {
		t.Run(tc.param+"="+tc.value, func(t *testing.T) {
			p := eksValidParams()
			for _, d := range tc.drop {
				delete(p, d)
			}
			if tc.value != "" || tc.param == "aws_region" {
				p[tc.param] = tc.value
			}
			out, _, code := runEksLogs(t, eksItemsXML("", "", "prod", p), env, "--validate-arguments")
			if code == 0 {
				t.Fatalf("accepted; stdout %q", out)
			}
			var e struct {
				XMLName xml.Name `xml:"error"`
				Message string   `xml:"message"`
			}
			if err := xml.Unmarshal([]byte(out), &e); err != nil {
				t.Fatalf("stdout is not <error><message>: %v: %q", err, out)
			}
			if !strings.HasPrefix(e.Message, tc.param+":") && !strings.Contains(e.Message, "; "+tc.param+":") {
				t.Errorf("message %q does not name %s", e.Message, tc.param)
			}
		})
	}
}

// TestEksLogsValidate_AcceptsGoodStanzas verifies good values, including
// Regions of every partition, exit 0 with nothing on stdout.
func TestEksLogsValidate_AcceptsGoodStanzas(t *testing.T) {
	env := eksAwsTestEnv(t)
	for _, extra := range []map[string]string{
		{},
		{"aws_region": "us-gov-west-1"},
		{"aws_region": "cn-north-1", "role_arn": "arn:aws-cn:iam::123456789012:role/r"},
		{"aws_region": "cn-northwest-1"},
		{"aws_region": "us-iso-east-1"},
		{"aws_region": "us-isob-east-1"},
		{"aws_region": "eu-isoe-west-1"},
		{"aws_region": "ap-southeast-5"},
		{"aws_region": "mx-central-1"},
		{"log_group": "/custom/group", "cluster_name": ""},
		{"log_types": "audit, api,authenticator;controllerManager scheduler"},
		{"start_from": "now"}, {"start_from": "beginning"}, {"start_from": "2024-05-01T00:00:00Z"}, {"start_from": "-7d"},
		{"aws_region": "us-gov-west-1", "role_arn": "arn:aws-us-gov:iam::123456789012:role/path/r", "external_id": "ext-1"},
		{"endpoint_url": "https://vpce-1.logs.us-east-1.vpce.amazonaws.com"},
		{"poll_interval": "30", "overlap": "0", "lag": "0s", "max_calls_per_second": "0.5", "max_backoff": "2m", "log_level": "debug"},
		{"index": "eks", "host": "h", "sourcetype": "x", "interval": "60", "disabled": "0"},
		{"interval": "*/5 * * * *", "_TCP_ROUTING": "*", "python.version": "python3"},
		{"log_types": "", "overlap": ""}, // empty: the default, as a field cleared on the setup page
	} {
		p := eksValidParams()
		maps.Copy(p, extra)
		if p["cluster_name"] == "" {
			delete(p, "cluster_name")
		}
		out, stderr, code := runEksLogs(t, eksItemsXML("", "", "prod", p), env, "--validate-arguments")
		if code != 0 || out != "" {
			t.Errorf("%v rejected (exit %d): %s %s", extra, code, out, stderr)
		}
	}
}

// TestEksLogsValidate_ChecksAccountExists verifies that aws_account is
// looked up in storage/passwords with the session key splunkd passes, and
// that neither the key nor the stored secret appears in the message.
func TestEksLogsValidate_ChecksAccountExists(t *testing.T) {
	sd := splunkdfake.New(true)
	defer sd.Close()
	sd.AddSessionKey("validate-session-key")
	sd.Put(splunkdfake.Credential{App: "kubelens", Realm: "eks_logs_account", Username: "prod",
		Password: `{"key_id":"AKIDPROD00000001","secret_key":"validate-secret"}`})
	env := eksAwsTestEnv(t)
	p := eksValidParams()
	p["aws_account"] = "prod"
	if out, stderr, code := runEksLogs(t, eksItemsXML(sd.URL, "validate-session-key", "prod", p), env, "--validate-arguments"); code != 0 {
		t.Errorf("existing account rejected: %s %s", out, stderr)
	}
	p["aws_account"] = "missing"
	out, stderr, code := runEksLogs(t, eksItemsXML(sd.URL, "validate-session-key", "prod", p), env, "--validate-arguments")
	if code == 0 || !strings.Contains(out, "aws_account") || !strings.Contains(out, "credentials set") {
		t.Errorf("missing account: exit %d, %q", code, out)
	}
	out2, stderr2, _ := runEksLogs(t, eksItemsXML(sd.URL, "wrong-session-key", "prod", p), env, "--validate-arguments")
	for _, s := range []string{out, stderr, out2, stderr2} {
		if strings.Contains(s, "validate-session-key") || strings.Contains(s, "wrong-session-key") || strings.Contains(s, "validate-secret") {
			t.Errorf("secret leaked: %q", s)
		}
	}
	if !strings.Contains(out2, "aws_account") || !strings.Contains(out2, "not authenticated") {
		t.Errorf("wrong key: %q", out2)
	}
}

// TestEksLogs_InvalidArguments verifies the protocol's answer to unknown
// arguments: an ERROR line and exit 1.
func TestEksLogs_InvalidArguments(t *testing.T) {
	_, stderr, code := runEksLogs(t, "", eksAwsTestEnv(t), "--bogus")
	if code != 1 || !strings.HasPrefix(stderr, "ERROR Invalid arguments") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestEksLogsValidate_StanzaChecks verifies the refusals beyond single
// values: a parameter eks_logs does not know (with the one meant when it
// is a misspelling), an interval splunkd cannot schedule, a level that is
// not one of the five, a role of another partition than the Region's, a
// URL with credentials (never shown); and that a refused value is reported
// once, without a second, wrong message.
func TestEksLogsValidate_StanzaChecks(t *testing.T) {
	env := eksAwsTestEnv(t)
	for _, tc := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"bogus_param": "x"}, "bogus_param: unknown key of eks_logs"},
		{map[string]string{"overlpa": "1m"}, "overlpa: unknown key of eks_logs (did you mean overlap?)"},
		{map[string]string{"interval": "abc"}, "interval: &#34;abc&#34;: want a number of seconds"},
		{map[string]string{"interval": "0 0 * JAN *"}, "interval:"},
		{map[string]string{"log_level": "LOUD"}, "log_level: &#34;LOUD&#34;: want DEBUG, INFO, WARN, ERROR or FATAL"},
		{map[string]string{"aws_region": "cn-north-1", "role_arn": "arn:aws:iam::123456789012:role/r"}, "role_arn: &#34;arn:aws:iam::123456789012:role/r&#34;: a role of partition aws cannot be assumed in aws_region cn-north-1"},
		{map[string]string{"endpoint_url": "https://user:EndpointPassw0rd@logs.example/"}, "endpoint_url: &#34;https://REDACTED@logs.example/&#34;: no credentials in the URL"},
		{map[string]string{"cluster_name": "a/b"}, "cluster_name: &#34;a/b&#34;: not an EKS cluster name"},
	} {
		p := eksValidParams()
		maps.Copy(p, tc.params)
		out, stderr, code := runEksLogs(t, eksItemsXML("", "", "prod", p), env, "--validate-arguments")
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, %s %s; want %q", tc.params, code, out, stderr, tc.want)
		}
		var e struct {
			Message string `xml:"message"`
		}
		if err := xml.Unmarshal([]byte(out), &e); err != nil || strings.Contains(e.Message, "; ") {
			t.Errorf("%v: not one message: %s (%v)", tc.params, out, err)
		}
		if strings.Contains(out+stderr, "EndpointPassw0rd") {
			t.Errorf("the endpoint's password was shown: %s", out)
		}
	}
}

// TestEksLogs_ArgumentsNeverLogged verifies a mistyped subcommand carrying
// an access key and its secret is refused without either reaching stderr.
func TestEksLogs_ArgumentsNeverLogged(t *testing.T) {
	const keyID, secret = "AKIAEXAMPLEKEY000001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, args := range [][]string{
		{"credential", "set", "--account", "prod", keyID, secret},
		{"credentials", "set", "--account", "prod", keyID, secret},
		{"run", "--config", "/nonexistent", "--once=" + secret},
	} {
		out, stderr, code := runEksLogs(t, "", eksAwsTestEnv(t), args...)
		if code == 0 || strings.Contains(out+stderr, keyID) || strings.Contains(out+stderr, "K7MDENG") {
			t.Errorf("%s …: exit %d, output:\n%s%s", args[0], code, out, stderr)
		}
	}
}

// TestEksLogsValidate_READMEExample runs the README's example of checking
// a stanza by hand: accepted as written, refused with the parameter named
// once a value is bad.
func TestEksLogsValidate_READMEExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "eks_logs --validate-arguments <<'EOF'\n")
	doc, _, ok2 := strings.Cut(after, "\nEOF\n")
	if !ok || !ok2 {
		t.Fatal("the README has no --validate-arguments example")
	}
	for _, tc := range []struct {
		doc  string
		code int
		want string
	}{
		{doc, 0, ""},
		{strings.Replace(doc, ">5m<", ">abc<", 1), 1, "sweep_interval: &#34;abc&#34;: not a duration"},
	} {
		out, _, code := runEksLogs(t, tc.doc, nil, "--validate-arguments")
		if code != tc.code || !strings.Contains(out, tc.want) || (tc.want == "" && out != "") {
			t.Errorf("exit %d, stdout %q; want %d and %q", code, out, tc.code, tc.want)
		}
	}
}
