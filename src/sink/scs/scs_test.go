package scs_test

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/sink"
	"github.com/kubelens/kubelens/src/sink/scs"
	"github.com/kubelens/kubelens/src/sink/scs/scsfake"
)

func events(n int) []sink.Event {
	out := make([]sink.Event, n)
	for i := range out {
		out[i] = sink.Event{TimeMillis: 1700000000000 + int64(i), Host: "h", Source: "us-east-1:/aws/eks/p/cluster:kube-apiserver-audit-x",
			SourceType: "aws:cloudwatchlogs:eks", Index: "eks", Data: fmt.Sprintf(`{"n":%d}`, i), ID: fmt.Sprintf("%056d", i)}
	}
	return out
}

func newSink(t *testing.T, srv *scsfake.Server, mod func(*scs.Config)) *scs.SCS {
	t.Helper()
	cfg := scs.Config{Name: "sinks[1] (scs)", URL: srv.URL, Tenant: srv.Tenant, Token: "static-token-abc", Timeout: 2 * time.Second, MaxBackoff: 5 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	s, err := scs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSend_BatchesRetriesAndMaps verifies every event arrives once with
// its metadata, in requests of at most 500, through 429 and 5xx answers.
func TestSend_BatchesRetriesAndMaps(t *testing.T) {
	srv := scsfake.New("mytenant", "static-token-abc")
	defer srv.Close()
	srv.FailNext(1, 429)
	srv.FailNext(1, 503)
	srv.FailNext(1, 500)
	s := newSink(t, srv, nil)
	evs := events(1201)
	if _, err := s.Send(t.Context(), evs); err != nil {
		t.Fatal(err)
	}
	got := srv.Events()
	if len(got) != len(evs) {
		t.Fatalf("%d events ingested, want %d", len(got), len(evs))
	}
	e := got[7]
	if e.Body != evs[7].Data || e.ID != evs[7].ID || e.Timestamp != evs[7].TimeMillis || e.Source != evs[7].Source ||
		e.Sourcetype != "aws:cloudwatchlogs:eks" || e.Host != "h" || e.Attributes["index"] != "eks" {
		t.Errorf("event %+v", e)
	}
	if srv.Requests != 3+3 { // 1201 events: 3 requests, plus the 3 refused
		t.Errorf("%d requests, want 6", srv.Requests)
	}
}

// TestSend_ExpiredStaticTokenIsFatal verifies the 401 of an expired static
// token stops the service and names the remedy, not the token.
func TestSend_ExpiredStaticTokenIsFatal(t *testing.T) {
	srv := scsfake.New("mytenant", "static-token-abc")
	defer srv.Close()
	s := newSink(t, srv, nil)
	srv.ExpireToken("static-token-abc")
	_, err := s.Send(t.Context(), events(1))
	if !sink.IsFatal(err) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "client_id") || strings.Contains(err.Error(), "static-token-abc") {
		t.Errorf("err = %v", err)
	}
}

// TestSend_ClientCredentials verifies the client-credentials flow: a token
// from the identity provider, events ingested; wrong credentials are fatal
// without echoing the secret.
func TestSend_ClientCredentials(t *testing.T) {
	srv := scsfake.New("mytenant")
	defer srv.Close()
	srv.AddClient("svc-client", "client-secret-xyz")
	s := newSink(t, srv, func(c *scs.Config) {
		c.Token, c.ClientID, c.ClientSecret, c.Scope, c.AuthURL = "", "svc-client", "client-secret-xyz", "backend_service", srv.URL
	})
	if _, err := s.Send(t.Context(), events(3)); err != nil {
		t.Fatal(err)
	}
	if len(srv.Events()) != 3 || srv.TokenCalls == 0 {
		t.Errorf("%d events, %d token calls", len(srv.Events()), srv.TokenCalls)
	}
	bad := newSink(t, srv, func(c *scs.Config) {
		c.Token, c.ClientID, c.ClientSecret, c.Scope, c.AuthURL = "", "svc-client", "wrong-secret-123", "backend_service", srv.URL
	})
	_, err := bad.Send(t.Context(), events(1))
	if !sink.IsFatal(err) || strings.Contains(err.Error(), "wrong-secret-123") {
		t.Errorf("err = %v", err)
	}
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("check: %v", err)
	}
}

// TestNoGlobalFlags verifies the SDK's glog flags are gone from the global
// flag set.
func TestNoGlobalFlags(t *testing.T) {
	for _, name := range []string{"v", "logtostderr", "log_dir", "vmodule", "stderrthreshold", "alsologtostderr", "log_backtrace_at"} {
		if flag.CommandLine.Lookup(name) != nil {
			t.Errorf("global flag -%s is registered", name)
		}
	}
}
