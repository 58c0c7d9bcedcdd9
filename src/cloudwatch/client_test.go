package cloudwatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"golang.org/x/time/rate"
)

func pollOnce(t *testing.T, c *cloudwatch.Client) {
	t.Helper()
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{})
	if _, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: group, Prefix: "p"}, cloudwatch.NewCursor(0), &recorder{}); err != nil {
		t.Fatal(err)
	}
}

// TestClient_AssumesRoleWithExternalID verifies that role_arn/external_id
// go to sts:AssumeRole with the base credentials, and that CloudWatch is
// then called with the role's credentials.
func TestClient_AssumesRoleWithExternalID(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	srv.CreateGroup(group)
	isolateAWS(t)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL) // STS is reached through the standard variable
	pollOnce(t, newRoleClient(t, srv))
	ar := srv.AssumeRoleRequests()
	if len(ar) != 1 || ar[0].RoleArn != "arn:aws:iam::123456789012:role/eks-logs-reader" || ar[0].ExternalID != "ext-42" || ar[0].AccessKeyID != "AKIDTEST" {
		t.Fatalf("AssumeRole calls = %+v", ar)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || reqs[0].AccessKeyID != "ASIAFAKEROLE0001" {
		t.Errorf("FilterLogEvents signed with %+v, want the role's key", reqs)
	}
}

func newRoleClient(t *testing.T, srv *cwfake.Server) *cloudwatch.Client {
	c, err := cloudwatch.NewClient(t.Context(), cloudwatch.ClientConfig{Region: "us-east-1", Endpoint: srv.URL,
		AccessKeyID: "AKIDTEST", SecretAccessKey: "SECRETTEST", RoleARN: "arn:aws:iam::123456789012:role/eks-logs-reader",
		ExternalID: "ext-42", CallsPerSecond: 1000, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClient_DefaultChainAndEndpointEnv verifies that without explicit keys
// the SDK's default chain (here: environment) applies, and that the standard
// AWS_ENDPOINT_URL_CLOUDWATCH_LOGS variable reaches the fake.
func TestClient_DefaultChainAndEndpointEnv(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	srv.CreateGroup(group)
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", srv.URL)
	c, err := cloudwatch.NewClient(t.Context(), cloudwatch.ClientConfig{Region: "cn-north-1", CallsPerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	pollOnce(t, c)
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].AccessKeyID != "AKIDFROMENV" {
		t.Errorf("requests = %+v", reqs)
	}
}

// TestClient_RateLimitsAttempts verifies the call-rate limit: n attempts at
// r per second cannot finish faster than (n-1)/r.
func TestClient_RateLimitsAttempts(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	srv.CreateGroup(group)
	c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.CallsPerSecond = 50 })
	srv.FailNext(5, cwfake.Throttle) // retries are limited too
	start := time.Now()
	for range 6 {
		pollOnce(t, c)
	}
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("11 attempts at 50/s took %v, want >= 200ms", el)
	}
	if got := c.Take().Attempts; got != 11 {
		t.Errorf("attempts = %d, want 11", got)
	}
}

// TestClient_StalledEndpointTimesOutAndRetries verifies that an attempt
// the endpoint accepts and never answers is given up on after
// AttemptTimeout, with a WARN, counted, and retried.
func TestClient_StalledEndpointTimesOutAndRetries(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	srv.CreateGroup(group)
	log, hook := logtest.NewNullLogger()
	c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.AttemptTimeout = 50 * time.Millisecond; cc.Log = log })
	srv.FailNext(2, cwfake.Hang)
	start := time.Now()
	pollOnce(t, c)
	if el := time.Since(start); el < 100*time.Millisecond || el > 5*time.Second {
		t.Errorf("two stalled attempts and a good one took %v", el)
	}
	if got := c.Take(); got.Timeouts != 2 || got.Attempts != 3 {
		t.Errorf("counters = %+v, want 2 timeouts in 3 attempts", got)
	}
	warns := 0
	for _, e := range hook.AllEntries() {
		if e.Level == logrus.WarnLevel && strings.Contains(e.Message, "did not answer") {
			warns++
		}
	}
	if warns != 2 {
		t.Errorf("%d WARN lines, want 2", warns)
	}
}

// TestClient_SharedLimiter verifies that two clients sharing a limiter are
// paced together.
func TestClient_SharedLimiter(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	srv.CreateGroup(group)
	shared := rate.NewLimiter(20, 1)
	a := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.Shared = shared })
	b := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.Shared = shared })
	start := time.Now()
	for range 3 {
		pollOnce(t, a)
		pollOnce(t, b)
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Errorf("6 calls through one 20/s limiter took %v, want >= 250ms", el)
	}
}
