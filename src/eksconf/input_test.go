package eksconf

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/modinput"
	"github.com/sirupsen/logrus"
)

func stanza(params map[string]string) modinput.Stanza {
	return modinput.Stanza{Name: "prod", Params: params, ParamLists: map[string][]string{}}
}

// TestParseConfig_Defaults verifies every documented default.
func TestParseConfig_Defaults(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := ParseStanza(stanza(map[string]string{"aws_region": "us-east-1", "cluster_name": "prod"}), now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stanza != "eks_logs://prod" || c.LogGroup != "/aws/eks/prod/cluster" || len(c.LogTypes) != 1 || c.LogTypes[0].StreamPrefix != "kube-apiserver-audit-" || c.CallTimeout != 30*time.Second ||
		c.PollInterval != 30*time.Second || c.Overlap != 10*time.Minute || c.Lag != time.Minute || c.MaxCallsPerSecond != 1 ||
		c.MaxBackoff != 30*time.Second || c.LogLevel != logrus.InfoLevel || c.SourceType != "aws:cloudwatchlogs:eks" || c.AWSAccount != "" {
		t.Errorf("defaults = %+v", c)
	}
	if got := c.StartFrom.Resolve(now); got != now.Add(-time.Hour).UnixMilli() {
		t.Errorf("start_from default resolves to %d", got)
	}
}

func TestParseConfig_ParamListAndUnknown(t *testing.T) {
	s := stanza(map[string]string{"aws_region": "eu-west-1", "log_group": "/custom", "surprise": "x", "index": "main"})
	s.ParamLists["log_types"] = []string{"Scheduler", "api", "api"}
	c, err := ParseStanza(s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.LogTypes) != 2 || c.LogTypes[0].Name != "scheduler" || c.LogTypes[1].ExcludePrefix != "kube-apiserver-audit-" {
		t.Errorf("log types = %+v", c.LogTypes)
	}
	if len(c.Unknown) != 1 || c.Unknown[0] != "surprise" {
		t.Errorf("unknown = %v", c.Unknown)
	}
}

// TestParseConfig_JoinsLocatedErrors verifies that all problems come back
// at once, each a *ParamError naming its parameter, with sentinels usable
// by errors.Is.
func TestParseConfig_JoinsLocatedErrors(t *testing.T) {
	_, err := ParseStanza(stanza(map[string]string{"overlap": "30d", "poll_interval": "0"}), time.Now())
	if err == nil {
		t.Fatal("accepted")
	}
	if !errors.Is(err, ErrRequired) || !errors.Is(err, ErrOutOfRange) {
		t.Errorf("sentinels missing from %v", err)
	}
	var params []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *ParamError
		if !errors.As(e, &pe) {
			t.Fatalf("%v is not a ParamError", e)
		}
		params = append(params, pe.Param)
	}
	if got := strings.Join(params, ","); got != "aws_region,poll_interval,overlap,cluster_name" {
		t.Errorf("params = %s", got)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30": 30 * time.Second, "0.5": 500 * time.Millisecond, "10m": 10 * time.Minute,
		"7d": 7 * 24 * time.Hour, "-2d": -48 * time.Hour, "1h30m": 90 * time.Minute, "50ms": 50 * time.Millisecond} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "abc", "1e12", "10 minutes", "5x"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) accepted", in)
		}
	}
}

func TestStartFrom(t *testing.T) {
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]int64{
		"now": now.UnixMilli(), "NOW": now.UnixMilli(), "beginning": 0, "-24h": now.Add(-24 * time.Hour).UnixMilli(),
		"-7d": now.Add(-7 * 24 * time.Hour).UnixMilli(), "2025-12-31T23:00:00.5Z": now.Add(-25*time.Hour + 500*time.Millisecond).UnixMilli(),
		"-36500d": 0,
	} {
		v, err := parseStartFrom(in, now)
		sf, _ := v.(StartFrom)
		if err != nil || sf.Resolve(now) != want || sf.String() != in {
			t.Errorf("start_from %q resolves to %d (%v), want %d", in, sf.Resolve(now), err, want)
		}
	}
}

// TestParseStanza_Hardening verifies the refusals the service brought:
// an empty log_types list, call rates that would silence the input, and
// that every log type of package eks is accepted.
func TestParseStanza_Hardening(t *testing.T) {
	base := map[string]string{"aws_region": "us-east-1", "cluster_name": "prod"}
	for param, values := range map[string][]string{
		"log_types":            {",", " ; ", ",,"},
		"max_calls_per_second": {"1e-7", "1e-300", "0.009", "-1", "NaN", "Inf", "1e400"},
		"call_timeout":         {"0", "-1s", "11m"},
	} {
		for _, v := range values {
			p := map[string]string{param: v}
			for k, x := range base {
				p[k] = x
			}
			_, err := ParseStanza(stanza(p), time.Now())
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != param {
				t.Errorf("%s = %q: err %v, want a ParamError naming it", param, v, err)
			}
		}
	}
	p := map[string]string{"log_types": "cloudControllerManager", "max_calls_per_second": "0.01"}
	for k, x := range base {
		p[k] = x
	}
	c, err := ParseStanza(stanza(p), time.Now())
	if err != nil || c.LogTypes[0].StreamPrefix != "cloud-controller-manager-" || c.MaxCallsPerSecond != 0.01 {
		t.Errorf("%+v, %v", c, err)
	}
}

// TestParams_DeclaredOnce verifies each parameter's declaration is whole:
// a parser, a doc, a syntax, and a default its own parser accepts.
func TestParams_DeclaredOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Params {
		if seen[p.Name] || p.Parse == nil || p.Doc == "" || p.Syntax == "" || p.Title == "" || p.set == nil {
			t.Errorf("%s: incomplete or repeated declaration", p.Name)
		}
		seen[p.Name] = true
		if p.Default != nil {
			if err := p.Check(p.DefaultText()); err != nil {
				t.Errorf("%s: default %q refused by its own parser: %v", p.Name, p.DefaultText(), err)
			}
		}
	}
}

// TestInput_Cautions verifies the start-up caution for a sweep_interval
// below poll_interval (a bare number is seconds), and none otherwise.
func TestInput_Cautions(t *testing.T) {
	for _, tc := range []struct {
		sweep, poll time.Duration
		caution     bool
	}{
		{5 * time.Second, 30 * time.Second, true},
		{0, 30 * time.Second, false},
		{30 * time.Second, 30 * time.Second, false},
		{5 * time.Minute, 30 * time.Second, false},
	} {
		got := Input{SweepInterval: tc.sweep, PollInterval: tc.poll}.Cautions()
		if (len(got) > 0) != tc.caution || (tc.caution && !strings.Contains(got[0], "sweep_interval 5s is shorter than poll_interval 30s")) {
			t.Errorf("sweep %v poll %v: %q", tc.sweep, tc.poll, got)
		}
	}
}
