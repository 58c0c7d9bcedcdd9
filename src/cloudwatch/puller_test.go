package cloudwatch_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

const group = "/aws/eks/demo/cluster"

// clock is a settable clock shared by the fake and the puller.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// isolateAWS keeps the SDK away from the machine's AWS config and from the
// instance-metadata endpoint: every credential a test uses is explicit.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
}

func newClient(t *testing.T, srv *cwfake.Server, mod func(*cloudwatch.ClientConfig)) *cloudwatch.Client {
	t.Helper()
	isolateAWS(t)
	cc := cloudwatch.ClientConfig{Region: "us-east-1", Endpoint: srv.URL, AccessKeyID: "AKIDTEST", SecretAccessKey: "SECRETTEST",
		CallsPerSecond: 10000, MaxAttempts: 8, MaxBackoff: time.Millisecond}
	if mod != nil {
		mod(&cc)
	}
	c, err := cloudwatch.NewClient(t.Context(), cc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recorder is a Handler that keeps what was delivered and counts the
// cursors it was given to save, checking each covers the page's events.
type recorder struct {
	events  []cloudwatch.Event
	ids     map[string]int
	commits int
	failOn  int // fail the n-th page with events (1-based), 0 = never
	emits   int
	last    checkpoint.Cursor
}

func (r *recorder) Page(_ context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	if len(evs) > 0 {
		r.emits++
		if r.failOn == r.emits {
			return errors.New("stdout closed")
		}
	}
	if r.ids == nil {
		r.ids = map[string]int{}
	}
	covered := map[[2]uint64]bool{}
	for _, b := range saved.Seen {
		for _, h := range b.IDs {
			covered[[2]uint64{uint64(b.Timestamp), h}] = true
		}
	}
	for _, e := range evs {
		r.ids[e.ID]++
		// Covered: in the seen set, or behind the watermark where no
		// re-read reaches (the prune dropped it).
		if !covered[[2]uint64{uint64(e.Timestamp), cloudwatch.IDHash(e.ID)}] && e.Timestamp >= saved.Watermark {
			panic("a saved cursor does not cover an event of its page")
		}
	}
	r.events = append(r.events, evs...)
	r.commits++
	r.last = saved
	return nil
}

func (r *recorder) dupes() []string {
	var d []string
	for id, n := range r.ids {
		if n > 1 {
			d = append(d, id)
		}
	}
	return d
}

func put(srv *cwfake.Server, n, streams int, base time.Time, prefix string) []cwfake.Event {
	evs := make([]cwfake.Event, n)
	for i := range evs {
		evs[i] = cwfake.Event{Group: group, Stream: fmt.Sprintf("%s%032x", prefix, i%streams),
			Timestamp: base.Add(time.Duration(i) * 37 * time.Millisecond).UnixMilli(), Message: fmt.Sprintf(`{"kind":"Event","n":%d}`, i)}
		if i%5 == 0 { // several events share a millisecond across streams
			evs[i].Timestamp = base.Add(time.Duration(i-1) * 37 * time.Millisecond).UnixMilli()
		}
	}
	return srv.Put(evs...)
}

// TestPoll_PaginatesThroughEmptyPagesAndCaps verifies that every event of
// many streams is emitted exactly once in result order although pages are
// capped and some come back empty with a (sometimes repeated) token.
func TestPoll_PaginatesThroughEmptyPagesAndCaps(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 7, EmptyPageRate: 0.3, RepeatToken: true, Seed: 3}))
	defer srv.Close()
	want := put(srv, 500, 40, clk.Now().Add(-time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, nil)
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Lag: time.Second, Now: clk.Now})
	cur := cloudwatch.NewCursor(clk.Now().Add(-time.Hour).UnixMilli())
	rec := &recorder{}
	st, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}, cur, rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != len(want) || len(rec.dupes()) != 0 {
		t.Fatalf("emitted %d (dupes %d), want %d", len(rec.events), len(rec.dupes()), len(want))
	}
	for i := range want {
		if rec.events[i].ID != want[i].ID || rec.events[i].Message != want[i].Message || rec.events[i].Stream != want[i].Stream {
			t.Fatalf("event %d = %+v, want %+v", i, rec.events[i], want[i])
		}
	}
	fs := srv.Stats()
	if fs.EmptyPages == 0 || st.EmptyPages != fs.EmptyPages || st.Pages != fs.Pages {
		t.Errorf("pages: puller %d/%d empty, fake %d/%d empty", st.Pages, st.EmptyPages, fs.Pages, fs.EmptyPages)
	}
	if !st.Complete || cur.Watermark != clk.Now().Add(-time.Second).UnixMilli() {
		t.Errorf("complete=%v watermark=%d", st.Complete, cur.Watermark)
	}
	// Progressive: a commit per page that carried new events, plus the final one.
	if rec.commits < 500/7 {
		t.Errorf("commits = %d, want one per page", rec.commits)
	}
	for _, r := range srv.Requests() {
		if r.Limit == nil || *r.Limit != 10000 || r.StartTime == nil || r.EndTime == nil || r.LogStreamNamePrefix != "kube-apiserver-audit-" {
			t.Fatalf("request without explicit window/limit: %+v", r)
		}
	}
	// A second poll re-reads the overlap and emits nothing again.
	rec2 := &recorder{}
	st2, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}, cur, rec2)
	if err != nil || len(rec2.events) != 0 || st2.Duplicates != len(want) {
		t.Errorf("second poll: emitted %d, duplicates %d, err %v", len(rec2.events), st2.Duplicates, err)
	}
}

// TestPoll_LateEventsRecoveredByOverlap verifies that an event ingested after
// the window passed its timestamp is emitted by a later poll, once.
func TestPoll_LateEventsRecoveredByOverlap(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 3}))
	defer srv.Close()
	now := clk.Now()
	put(srv, 10, 2, now.Add(-2*time.Minute), "kube-apiserver-audit-")
	late := srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-late", Timestamp: now.Add(-90 * time.Second).UnixMilli(),
		Message: "late", Ingest: now.Add(3 * time.Minute)})[0]
	tooLate := srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-late", Timestamp: now.Add(-100 * time.Minute).UnixMilli(),
		Message: "too late", Ingest: now.Add(3 * time.Minute)})[0]
	c := newClient(t, srv, nil)
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Lag: 30 * time.Second, Now: clk.Now})
	cur := cloudwatch.NewCursor(now.Add(-3 * time.Hour).UnixMilli())
	rec := &recorder{}
	q := cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}
	if _, err := p.Poll(t.Context(), q, cur, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 10 {
		t.Fatalf("first poll emitted %d, want 10", len(rec.events))
	}
	clk.Add(4 * time.Minute)
	st, err := p.Poll(t.Context(), q, cur, rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 11 || rec.events[10].ID != late.ID || st.Late != 1 || st.Duplicates != 10 || len(rec.dupes()) != 0 {
		t.Fatalf("second poll: events %d, late %d, dupes %d", len(rec.events), st.Late, st.Duplicates)
	}
	if st.BeyondOverlap != 0 {
		t.Errorf("BeyondOverlap = %d", st.BeyondOverlap)
	}
	// The documented bound: an event older than watermark − overlap when it
	// becomes visible is not recovered.
	for _, e := range rec.events {
		if e.ID == tooLate.ID {
			t.Fatal("event beyond lag+overlap was emitted; the bound test needs updating")
		}
	}
}

// TestPoll_ThrottlingStormAnd5xxAreRetried verifies that bursts of
// ThrottlingException and 500/503 are retried by the SDK and counted.
func TestPoll_ThrottlingStormAnd5xxAreRetried(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	want := put(srv, 20, 3, clk.Now().Add(-time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, nil)
	srv.FailNext(5, cwfake.Throttle)
	srv.FailNext(1, cwfake.InternalError)
	srv.FailNext(1, cwfake.Unavailable)
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: time.Minute, Now: clk.Now})
	rec := &recorder{}
	_, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}, cloudwatch.NewCursor(0), rec)
	if err != nil {
		t.Fatalf("7 failures within 8 attempts should succeed: %v", err)
	}
	if len(rec.events) != len(want) {
		t.Errorf("emitted %d, want %d", len(rec.events), len(want))
	}
	got := c.Take()
	if got.Throttles != 5 || got.ServerErrors != 2 || got.Attempts != 8 {
		t.Errorf("counters = %+v, want 5 throttles, 2 server errors, 8 attempts", got)
	}
	if again := c.Take(); again != (cloudwatch.Counters{}) {
		t.Errorf("Take did not reset: %+v", again)
	}
}

// TestPoll_DroppedConnectionsAreRetried verifies a request whose
// connection is closed under it (a keep-alive connection dropped by a load
// balancer) is retried: FilterLogEvents only reads.
func TestPoll_DroppedConnectionsAreRetried(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	want := put(srv, 10, 2, clk.Now().Add(-time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, nil)
	srv.FailNext(3, cwfake.Hangup)
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: time.Minute, Now: clk.Now})
	rec := &recorder{}
	if _, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}, cloudwatch.NewCursor(0), rec); err != nil {
		t.Fatalf("three dropped connections within 8 attempts should succeed: %v", err)
	}
	if len(rec.events) != len(want) {
		t.Errorf("emitted %d, want %d", len(rec.events), len(want))
	}
}

// TestPoll_ExhaustedRetriesKeepCursor verifies that when retries run out,
// nothing is emitted or committed, and the next poll delivers everything.
func TestPoll_ExhaustedRetriesKeepCursor(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 4}))
	defer srv.Close()
	want := put(srv, 10, 2, clk.Now().Add(-time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.MaxAttempts = 3 })
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: time.Minute, Now: clk.Now})
	cur := cloudwatch.NewCursor(0)
	q := cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}
	rec := &recorder{}
	// The first page succeeds, then the storm outlasts the retries.
	srv.SetFaults(cwfake.Faults{PageSize: 4})
	if _, err := p.Poll(t.Context(), q, cur, &stormAfterFirst{recorder: rec, srv: srv}); err == nil || !cloudwatch.IsThrottle(err) {
		t.Fatalf("err = %v, want a throttling error", err)
	}
	if len(rec.events) != 4 || rec.commits != 1 {
		t.Fatalf("after storm: emitted %d commits %d, want the first page only", len(rec.events), rec.commits)
	}
	wm := cur.Watermark
	if wm != want[3].Timestamp {
		t.Errorf("watermark = %d, want the first page's last timestamp %d", wm, want[3].Timestamp)
	}
	if _, err := p.Poll(t.Context(), q, cur, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != len(want) || len(rec.dupes()) != 0 {
		t.Errorf("after recovery emitted %d (dupes %v), want %d", len(rec.events), rec.dupes(), len(want))
	}
}

// stormAfterFirst starts a throttling storm once the first page is emitted.
type stormAfterFirst struct {
	*recorder
	srv *cwfake.Server
}

func (s *stormAfterFirst) Page(ctx context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	err := s.recorder.Page(ctx, evs, saved)
	s.srv.FailNext(3, cwfake.Throttle) // exactly MaxAttempts
	return err
}

// TestPoll_EmitFailureLosesNothing verifies that events whose delivery
// failed are not recorded as emitted, so the next poll sends them.
func TestPoll_EmitFailureLosesNothing(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 5}))
	defer srv.Close()
	want := put(srv, 12, 2, clk.Now().Add(-time.Minute), "kube-apiserver-audit-")
	p := cloudwatch.NewPuller(newClient(t, srv, nil), cloudwatch.PullerConfig{Overlap: time.Minute, Now: clk.Now})
	cur := cloudwatch.NewCursor(0)
	q := cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}
	rec := &recorder{failOn: 2}
	if _, err := p.Poll(t.Context(), q, cur, rec); err == nil {
		t.Fatal("Emit failure not reported")
	}
	if _, err := p.Poll(t.Context(), q, cur, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != len(want) || len(rec.dupes()) != 0 {
		t.Errorf("emitted %d (dupes %v), want %d", len(rec.events), rec.dupes(), len(want))
	}
}

func TestPoll_LogGroupNotFound(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	p := cloudwatch.NewPuller(newClient(t, srv, nil), cloudwatch.PullerConfig{})
	cur := cloudwatch.NewCursor(5)
	_, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: "/aws/eks/missing/cluster", Prefix: "x"}, cur, &recorder{})
	if !errors.Is(err, cloudwatch.ErrLogGroupNotFound) {
		t.Fatalf("err = %v, want ErrLogGroupNotFound", err)
	}
	if cur.Watermark != 5 {
		t.Errorf("watermark moved to %d", cur.Watermark)
	}
}

// TestPoll_APIPrefixExcludesAudit verifies that the api log type, whose
// prefix also matches the audit streams, drops them client-side.
func TestPoll_APIPrefixExcludesAudit(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	audit := put(srv, 6, 2, clk.Now().Add(-time.Minute), "kube-apiserver-audit-")
	api := put(srv, 4, 2, clk.Now().Add(-time.Minute), "kube-apiserver-")
	p := cloudwatch.NewPuller(newClient(t, srv, nil), cloudwatch.PullerConfig{Now: clk.Now})
	rec := &recorder{}
	st, err := p.Poll(t.Context(), cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-", ExcludePrefix: "kube-apiserver-audit-"}, cloudwatch.NewCursor(0), rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != len(api) || st.Filtered != len(audit) {
		t.Errorf("emitted %d filtered %d, want %d and %d", len(rec.events), st.Filtered, len(api), len(audit))
	}
}

// TestPoll_CancelAbandonsCallInFlight verifies that cancelling stops a poll
// that is waiting on the service without recording anything.
func TestPoll_CancelAbandonsCallInFlight(t *testing.T) {
	srv := cwfake.New()
	defer srv.Close()
	srv.CreateGroup(group)
	srv.FailNext(1000, cwfake.Throttle)
	c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.MaxAttempts = 1000; cc.MaxBackoff = 50 * time.Millisecond })
	ctx, cancel := context.WithCancel(t.Context())
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{})
	done := make(chan error)
	go func() {
		_, err := p.Poll(ctx, cloudwatch.Query{LogGroup: group, Prefix: "x"}, cloudwatch.NewCursor(0), &recorder{})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Poll did not return after cancel")
	}
}
