package eksinput

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
	c, err := ParseConfig(stanza(map[string]string{"aws_region": "us-east-1", "cluster_name": "prod"}), now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stanza != "eks_logs://prod" || c.LogGroup != "/aws/eks/prod/cluster" || len(c.LogTypes) != 1 || c.LogTypes[0].Prefix != "kube-apiserver-audit-" ||
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
	c, err := ParseConfig(s, time.Now())
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
	_, err := ParseConfig(stanza(map[string]string{"overlap": "30d", "poll_interval": "0"}), time.Now())
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
	if got := strings.Join(params, ","); got != "aws_region,cluster_name,poll_interval,overlap" {
		t.Errorf("params = %s", got)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30": 30 * time.Second, "0.5": 500 * time.Millisecond, "10m": 10 * time.Minute,
		"7d": 7 * 24 * time.Hour, "-2d": -48 * time.Hour, "1h30m": 90 * time.Minute, "50ms": 50 * time.Millisecond} {
		got, err := parseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "abc", "1e12", "10 minutes", "5x"} {
		if _, err := parseDuration(in); err == nil {
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
		sf, err := parseStartFrom(in, now)
		if err != nil || sf.Resolve(now) != want {
			t.Errorf("start_from %q resolves to %d (%v), want %d", in, sf.Resolve(now), err, want)
		}
	}
}

func TestLogGroupLooksEKS(t *testing.T) {
	for g, want := range map[string]bool{"/aws/eks/prod/cluster": true, "/aws/eks//cluster": false, "/aws/eks/a/b/cluster": false, "/custom": false} {
		if logGroupLooksEKS(g) != want {
			t.Errorf("logGroupLooksEKS(%q) != %v", g, want)
		}
	}
}
