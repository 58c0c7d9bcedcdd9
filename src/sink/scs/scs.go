// Package scs is the Splunk Cloud Services sink of eks_logs: events go to
// the tenant's ingest API through github.com/splunk/splunk-cloud-sdk-go
// (v1.11.1), IngestService.PostEvents. It is the only kubelens package that
// links that SDK.
//
// What it does not take from the SDK, and why (see the SDK's sources):
//   - BatchEventsSender loses the last event of every flush; batching (at
//     most 500 events and about 1 MB a request) and retrying are ours;
//   - RetryRequests retries only 429 and sleeps inside the request; it is
//     off, and our retry honours ctx and max_backoff;
//   - the SDK's calls take no context: Config.Timeout is the per-call
//     deadline, and the identity provider's token call (which has no
//     timeout of its own) is bounded here too;
//   - glog, which the SDK links, registers flags on the global flag set and
//     would write log files: this package's init drops those flags and
//     points glog at stderr (nothing on our paths logs through it).
//
// A static token is never refreshed: when it expires, the 401 is fatal.
// With client credentials the SDK renews the token before it expires.
package scs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kubelens/kubelens/src/sink"
	"github.com/sirupsen/logrus"
	"github.com/splunk/splunk-cloud-sdk-go/idp"
	"github.com/splunk/splunk-cloud-sdk-go/services"
	"github.com/splunk/splunk-cloud-sdk-go/services/ingest"
	"github.com/splunk/splunk-cloud-sdk-go/util"
)

func init() {
	// glog's init registered -v, -logtostderr, -log_dir and others on
	// flag.CommandLine. eks_logs parses its own flag sets, and its -v must
	// not collide with glog's: drop them all, after telling glog to write
	// to stderr, never to log files under the temp directory.
	if f := flag.CommandLine.Lookup("logtostderr"); f != nil {
		f.Value.Set("true")
	}
	flag.CommandLine = flag.NewFlagSet(os.Args[0], flag.ExitOnError)
}

// Limits of one PostEvents request.
const (
	MaxBatchEvents = 500
	MaxBatchBytes  = 1_000_000
)

// Config says where and how to send.
type Config struct {
	Name string
	// URL is the API's scheme://host[:port]; it becomes the SDK's Scheme
	// and OverrideHost (never Host).
	URL    string
	Tenant string
	// Token is a static access token; or ClientID, ClientSecret and Scope
	// for the client-credentials flow at AuthURL.
	Token        string
	ClientID     string
	ClientSecret string
	Scope        string
	AuthURL      string
	Timeout      time.Duration
	MaxBackoff   time.Duration
	Log          logrus.FieldLogger
}

// SCS is the sink. It is safe for concurrent use.
type SCS struct {
	cfg Config
	mu  sync.Mutex
	svc *ingest.Service
}

var _ sink.Sink = (*SCS)(nil)

// New validates cfg; the SDK client is built at the first send, so that
// an identity provider that is down at start is retried like any outage.
func New(cfg Config) (*SCS, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = idp.SplunkCloudIdpHost
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.Out = nilWriter{}
		cfg.Log = l
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("scs: %s: url %q is not scheme://host[:port]", cfg.Name, cfg.URL)
	}
	if (cfg.Token == "") == (cfg.ClientID == "") {
		return nil, fmt.Errorf("scs: %s: set a token or client credentials", cfg.Name)
	}
	return &SCS{cfg: cfg}, nil
}

type nilWriter struct{}

func (nilWriter) Write(b []byte) (int, error) { return len(b), nil }

// Name implements sink.Sink.
func (s *SCS) Name() string { return s.cfg.Name }

// Close implements sink.Sink.
func (s *SCS) Close() error { return nil }

// service builds the SDK's ingest client once.
func (s *SCS) service() (*ingest.Service, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.svc != nil {
		return s.svc, nil
	}
	u, _ := url.Parse(s.cfg.URL)
	conf := &services.Config{
		Tenant:        s.cfg.Tenant,
		Scheme:        u.Scheme,
		OverrideHost:  u.Host,
		Timeout:       s.cfg.Timeout,
		RetryRequests: false,
		ClientVersion: "kubelens-eks_logs",
	}
	if s.cfg.Token != "" {
		conf.Token = s.cfg.Token
	} else {
		conf.TokenRetriever = boundedRetriever{
			inner:   idp.NewClientCredentialsRetriever(s.cfg.ClientID, s.cfg.ClientSecret, s.cfg.Scope, strings.TrimSuffix(s.cfg.AuthURL, "/")+"/"),
			timeout: s.cfg.Timeout,
		}
	}
	base, err := services.NewClient(conf)
	if err != nil {
		return nil, err
	}
	s.svc = ingest.NewService(base)
	return s.svc, nil
}

// boundedRetriever gives the identity provider's token call the deadline
// the SDK does not: a stalled call is abandoned (its goroutine ends when
// the call does) and reported as a retryable error.
type boundedRetriever struct {
	inner   idp.TokenRetriever
	timeout time.Duration
}

func (b boundedRetriever) GetTokenContext() (*idp.Context, error) {
	type result struct {
		c   *idp.Context
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := b.inner.GetTokenContext()
		ch <- result{c, err}
	}()
	t := time.NewTimer(b.timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-t.C:
		return nil, fmt.Errorf("scs: the identity provider did not answer within %s", b.timeout)
	}
}

// batches cuts events into requests of at most MaxBatchEvents and about
// MaxBatchBytes.
func batches(events []sink.Event) [][]ingest.Event {
	var out [][]ingest.Event
	var cur []ingest.Event
	size := 0
	for _, e := range events {
		n := e.Size() + 64
		if len(cur) > 0 && (len(cur) == MaxBatchEvents || size+n > MaxBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, toIngest(e))
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toIngest maps an event: Body the message, Timestamp in ms, Id the
// CloudWatch eventId (the service deduplicates on it), index as an
// attribute when set.
func toIngest(e sink.Event) ingest.Event {
	ts := e.TimeMillis
	ev := ingest.Event{Body: e.Data, Timestamp: &ts, Source: strPtr(e.Source), Sourcetype: strPtr(e.SourceType), Host: strPtr(e.Host), Id: strPtr(e.ID)}
	if e.Index != "" {
		ev.Attributes = map[string]interface{}{"index": e.Index}
	}
	return ev
}

// Send implements sink.Sink.
func (s *SCS) Send(ctx context.Context, events []sink.Event) (sink.Report, error) {
	for _, b := range batches(events) {
		if err := s.retry(ctx, func() (bool, error) { return s.post(b) }); err != nil {
			return sink.Report{}, err
		}
		sink.Progress(ctx, len(b))
	}
	return sink.Report{}, nil
}

// post sends one batch once and classifies the outcome.
func (s *SCS) post(b []ingest.Event) (retryable bool, err error) {
	svc, err := s.service()
	if err != nil {
		return s.classify(err)
	}
	if _, err := svc.PostEvents(b); err != nil {
		return s.classify(err)
	}
	return false, nil
}

// classify: 429, 5xx and transport errors are retried; 401 (an expired or
// refused token), 403 and other 4xx are fatal; so is a refusal of the
// client credentials by the identity provider.
func (s *SCS) classify(err error) (bool, error) {
	var he *util.HTTPError
	if errors.As(err, &he) {
		msg := fmt.Errorf("scs: HTTP %d %s: %s", he.HTTPStatusCode, he.Code, he.Message)
		switch {
		case he.HTTPStatusCode == http.StatusTooManyRequests || he.HTTPStatusCode >= 500:
			return true, msg
		case he.HTTPStatusCode == http.StatusUnauthorized && s.cfg.Token != "":
			return false, sink.Fatal(s.cfg.Name, fmt.Errorf("%w (the static token expired or is refused; it is never refreshed: use client_id with client_secret_env for a long-running service)", msg))
		}
		return false, sink.Fatal(s.cfg.Name, msg)
	}
	text := err.Error()
	if strings.Contains(text, "token endpoint") && (strings.Contains(text, "400 ") || strings.Contains(text, "401 ") || strings.Contains(text, "403 ")) {
		return false, sink.Fatal(s.cfg.Name, fmt.Errorf("scs: the identity provider refused the client credentials: %s", firstLine(text)))
	}
	return true, fmt.Errorf("scs: %s", firstLine(text))
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// retry is the HEC sink's policy: exponential, jittered, up to MaxBackoff,
// until success, a fatal error or ctx.
func (s *SCS) retry(ctx context.Context, attempt func() (bool, error)) error {
	backoff := sink.Backoff{Max: s.cfg.MaxBackoff}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		retryable, err := attempt()
		if err == nil || !retryable {
			return err
		}
		d := backoff.Next()
		s.cfg.Log.WithFields(logrus.Fields{"sink": s.cfg.Name, "attempt": n, "retry_in": d.String()}).WithError(err).Warn("SCS ingest failed; retrying")
		if err := sink.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Check obtains a token and posts an empty list of events, for --check:
// any answer but 401 and 403 shows the tenant is reached and the token
// accepted; nothing is ingested.
func (s *SCS) Check(ctx context.Context) error {
	_ = ctx // the SDK takes none; Config.Timeout bounds the call
	svc, err := s.service()
	if err != nil {
		_, err = s.classify(err)
		return err
	}
	_, err = svc.PostEvents([]ingest.Event{})
	var he *util.HTTPError
	if err == nil || (errors.As(err, &he) && he.HTTPStatusCode != 401 && he.HTTPStatusCode != 403 && he.HTTPStatusCode < 500) {
		return nil
	}
	_, err = s.classify(err)
	return err
}
