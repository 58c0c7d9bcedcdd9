package eksconf

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const goodService = `checkpoint_dir: /var/lib/eks_logs
log_level: DEBUG
max_calls_per_second_per_account: 4
shutdown_timeout: 5s
queue_max_bytes: 1MiB
health_listen: ":8081"
inputs:
  - name: prod
    aws_region: us-east-1
    cluster_name: prod
    log_types: [audit, authenticator]
    poll_interval: 30
    max_calls_per_second: 0.5
    index: eks
  - name: dev.1
    aws_region: eu-west-1
    log_group: /custom/group
sinks:
  - type: hec
    url: https://splunk.example.com:8088/services/collector/event
    token_env: HEC
    ack: no
  - type: scs
    tenant: mytenant
    client_id: c
    client_secret_env: SECRET
    scope: s
  - type: stdout
`

func env(k string) string {
	return map[string]string{"HEC": "hec-token-zq81", "SECRET": "client-secret-zq82"}[k]
}

// TestParseService_Good verifies a full file: values read as a stanza
// reads them, defaults, the HEC URL reduced, secrets from the environment.
func TestParseService_Good(t *testing.T) {
	s, err := ParseService([]byte(goodService), env, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	in := s.Inputs[0]
	if in.Stanza != "eks_logs://prod" || in.PollInterval != 30*time.Second || len(in.LogTypes) != 2 || in.MaxCallsPerSecond != 0.5 ||
		in.Index != "eks" || in.SourceType != DefaultSourceType || in.LogGroup != "/aws/eks/prod/cluster" || in.CallTimeout != 30*time.Second {
		t.Errorf("input = %+v", in)
	}
	if s.Inputs[1].Name() != "dev.1" || s.QueueMaxBytes != 1<<20 || s.ShutdownTimeout != 5*time.Second || s.MaxCallsPerSecondPerAccount != 4 {
		t.Errorf("service = %+v", s)
	}
	h := s.Sinks[0]
	if h.URL != "https://splunk.example.com:8088" || h.Token != "hec-token-zq81" || h.Ack || !h.Gzip || h.MaxBatchBytes != 1<<20 || h.AckTimeout != time.Minute || h.MaxResends != 2 {
		t.Errorf("hec = %+v", h)
	}
	if c := s.Sinks[1]; c.ClientSecret != "client-secret-zq82" || c.URL != "https://api.scp.splunk.com" || c.AuthURL != "https://auth.scp.splunk.com" {
		t.Errorf("scs = %+v", c)
	}
}

// TestParseService_ErrorsNameTheirKey checks each error is a ParamError
// whose Param is the key's path.
func TestParseService_ErrorsNameTheirKey(t *testing.T) {
	doc := strings.Replace(goodService, "poll_interval: 30", "poll_interval: soon", 1)
	doc = strings.Replace(doc, "tenant: mytenant", "tenant: My Tenant", 1)
	doc = strings.Replace(doc, "ack: no", "ack: no\n    max_resends: 11", 1)
	_, err := ParseService([]byte(doc), env, time.Now())
	var paths []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *ParamError
		if errors.As(e, &pe) {
			paths = append(paths, pe.Param)
		}
	}
	if got := strings.Join(paths, ","); got != "inputs[0].poll_interval,sinks[0].max_resends,sinks[1].tenant" {
		t.Errorf("paths = %s (%v)", got, err)
	}
}

// TestParseService_MaxResends checks the bounds of a whole-number key.
func TestParseService_MaxResends(t *testing.T) {
	for v, want := range map[string]int{"0": 0, "3": 3, "10": 10, "-1": -1, "11": -1, "two": -1, "1.5": -1} {
		s, err := ParseService([]byte(strings.Replace(goodService, "ack: no", "ack: no\n    max_resends: "+v, 1)), env, time.Now())
		switch {
		case want < 0 && err == nil:
			t.Errorf("max_resends: %s accepted", v)
		case want >= 0 && (err != nil || s.Sinks[0].MaxResends != want):
			t.Errorf("max_resends: %s: %v, %+v", v, err, s.Sinks)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]Bytes{"64MiB": 64 << 20, "1MB": 1e6, "512KiB": 512 << 10, "1024": 1024, "2 GiB": 2 << 30} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "x", "1.5MiB", "-1", "99999999999999999999"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) accepted", in)
		}
	}
}

// FuzzParseService: any document yields a Service or an error, never a
// panic, and no secret from the environment appears in an error.
func FuzzParseService(f *testing.F) {
	f.Add(goodService)
	f.Add("inputs: [1]\nsinks: {}\n")
	f.Add("checkpoint_dir: [a, [b]]\n")
	f.Add("- a\n- b\n")
	f.Fuzz(func(t *testing.T, doc string) {
		_, err := ParseService([]byte(doc), env, time.Now())
		// The environment's secrets must not leak into errors (the document's
		// own text may be quoted back).
		for _, secret := range []string{"hec-token-zq81", "client-secret-zq82"} {
			if err != nil && !strings.Contains(doc, secret) && strings.Contains(err.Error(), secret) {
				t.Fatalf("error holds the secret %q: %v", secret, err)
			}
		}
	})
}
