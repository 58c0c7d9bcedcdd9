package tests

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
)

const (
	eksE2eGroup      = "/aws/eks/demo/cluster"
	eksE2eSessionKey = "e2e-session-key-0123456789"
	eksE2eKeyID      = "AKIDPRODACCOUNT01"
	eksE2eSecret     = "wJalrXUtnFEMI-e2e-SECRET-value"
)

// eksFastParams are stanza parameters that make a poll cycle take
// milliseconds against the fake.
func eksFastParams(endpoint string) map[string]string {
	return map[string]string{
		"aws_region": "us-east-1", "cluster_name": "demo", "endpoint_url": endpoint,
		"poll_interval": "50ms", "lag": "0s", "overlap": "10m", "sweep_interval": "200ms", "start_from": "-1h",
		"max_calls_per_second": "1000", "max_backoff": "5ms",
	}
}

// eksPutStreams stores n events spread over the last five minutes across many
// streams of the given prefix; messages are unique and carry markup and a
// newline, which the stream must escape and Splunk get back verbatim.
func eksPutStreams(srv *cwfake.Server, prefix string, n, streams int, now time.Time) []cwfake.Event {
	evs := make([]cwfake.Event, n)
	for i := range evs {
		evs[i] = cwfake.Event{Group: eksE2eGroup, Stream: fmt.Sprintf("%s%032x", prefix, i%streams),
			Timestamp: now.Add(-5 * time.Minute).Add(time.Duration(i*300/n) * time.Second).UnixMilli(),
			Message:   fmt.Sprintf(`{"kind":"Event","prefix":%q,"n":%d,"note":"<a & b>\n"}`, prefix, i)}
	}
	return srv.Put(evs...)
}

type eksExpectEvent struct {
	stream string
	ts     int64
}

func eksExpectByData(evs ...[]cwfake.Event) map[string]eksExpectEvent {
	m := map[string]eksExpectEvent{}
	for _, list := range evs {
		for _, e := range list {
			m[e.Message] = eksExpectEvent{stream: e.Stream, ts: e.Timestamp}
		}
	}
	return m
}

func eksCountPolls(stderr string) int { return strings.Count(stderr, "INFO poll done ") }

var eksLevelLineRE = regexp.MustCompile(`^(DEBUG|INFO|WARN|ERROR|FATAL) `)

// TestEksLogsRun_EndToEnd runs the built binary against the CloudWatch fake
// (capped pages, empty pages with repeated tokens, a throttling storm,
// random throttles and 5xx, late events, many streams, three log types) with
// the account's keys read from a fake splunkd. It checks every event is
// emitted once with the right metadata, the health line, clean SIGTERM
// handling, and that a restart re-emits nothing.
func TestEksLogsRun_EndToEnd(t *testing.T) {
	now := time.Now()
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 40, EmptyPageRate: 0.2, RepeatToken: true,
		ThrottleRate: 0.1, ServerErrorRate: 0.05, Seed: 7}))
	defer cw.Close()
	audit := eksPutStreams(cw, "kube-apiserver-audit-", 1200, 60, now)
	api := eksPutStreams(cw, "kube-apiserver-", 150, 3, now)
	authn := eksPutStreams(cw, "authenticator-", 100, 2, now)
	sched := eksPutStreams(cw, "kube-scheduler-", 50, 2, now) // not selected
	// Late events: their timestamps are minutes old, but they are ingested
	// only after the first poll has moved the watermark past them.
	late := make([]cwfake.Event, 20)
	for i := range late {
		late[i] = cwfake.Event{Group: eksE2eGroup, Stream: "kube-apiserver-audit-late",
			Timestamp: now.Add(-4 * time.Minute).UnixMilli(), Message: fmt.Sprintf(`{"late":%d}`, i)}
	}
	truncated := cw.Put(cwfake.Event{Group: eksE2eGroup, Stream: "kube-apiserver-audit-big", Timestamp: now.Add(-time.Minute).UnixMilli(),
		Message: `{"kind":"Event","auditID":"x"` + "[Truncated...]"})
	cw.FailNext(6, cwfake.Throttle) // a storm at start-up
	want := eksExpectByData(audit, api, authn, truncated)

	sd := splunkdfake.New(true)
	defer sd.Close()
	sd.AddSessionKey(eksE2eSessionKey)
	sd.Put(splunkdfake.Credential{App: "kubelens", Realm: "eks_logs_account", Username: "prod",
		Password: fmt.Sprintf(`{"key_id":%q,"secret_key":%q}`, eksE2eKeyID, eksE2eSecret)})

	ckpt := t.TempDir()
	params := eksFastParams(cw.URL)
	params["log_types"] = "audit, api,authenticator"
	params["aws_account"] = "prod"
	params["index"] = "eks"
	params["host"] = "demo-host"
	cfg := eksInputXML(sd.URL, eksE2eSessionKey, ckpt, "eks_logs://demo", params)
	env := eksAwsTestEnv(t)

	p := startEksLogs(t, cfg, env)
	p.waitFor(60*time.Second, "a first complete poll", func() bool { return eksCountPolls(p.Stderr()) >= 1 })
	late = cw.Put(late...)
	maps.Copy(want, eksExpectByData(late))
	p.waitFor(60*time.Second, "every event", func() bool { return len(p.Events()) >= len(want) })
	if code := p.stop(20 * time.Second); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d; stderr:\n%s", code, eksTail(p.Stderr(), 2000))
	}
	if !p.streamClosed() {
		t.Error("no </stream> after SIGTERM")
	}
	got := p.Events()
	seen := map[string]bool{}
	for _, e := range got {
		w, ok := want[e.Data]
		if !ok {
			t.Fatalf("unexpected event %q (scheduler streams must not be read: %d of them)", e.Data, len(sched))
		}
		if seen[e.Data] {
			t.Fatalf("event emitted twice: %q", e.Data)
		}
		seen[e.Data] = true
		if e.Source != "us-east-1:"+eksE2eGroup+":"+w.stream || e.SourceType != "aws:cloudwatchlogs:eks" ||
			e.Time != modinput.FormatTime(w.ts) || e.Index != "eks" || e.Host != "demo-host" ||
			e.Stanza != "eks_logs://demo" || e.Unbroken != "1" || e.Done == nil {
			t.Fatalf("event metadata wrong: %+v, want stream %s ts %d", e, w.stream, w.ts)
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("emitted %d distinct events, want %d", len(seen), len(want))
	}
	for _, r := range cw.Requests() {
		if r.AccessKeyID != eksE2eKeyID {
			t.Fatalf("CloudWatch called with key %q, want the stored account's", r.AccessKeyID)
		}
	}
	stderr := p.Stderr()
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !eksLevelLineRE.MatchString(line) {
			t.Errorf("stderr line without a splunkd level: %q", line)
		}
	}
	for _, secret := range []string{eksE2eSessionKey, eksE2eSecret} {
		if strings.Contains(stderr, secret) {
			t.Errorf("stderr contains a secret")
		}
		for _, e := range got {
			if strings.Contains(e.Data, secret) || strings.Contains(e.Source, secret) {
				t.Errorf("stdout contains a secret")
			}
		}
	}
	health := regexp.MustCompile(`INFO poll done api_calls=\d+ beyond_overlap=\d+ duplicates=\d+ duration_ms=\d+ empty_pages=\d+ errors=\d+ events=\d+ filtered=\d+ late_recovered=\d+ pages=\d+ server_errors=\d+ stanza=eks_logs://demo sweeps=\d+ throttles=\d+ truncated=\d+ watermark_lag_seconds=[0-9.]+`)
	if !health.MatchString(stderr) {
		t.Errorf("no health line of the documented shape in stderr:\n%s", eksTail(stderr, 2000))
	}
	for _, want := range []string{"throttles=[1-9]", "truncated=1 ", "late_recovered=[1-9]", "filtered=[1-9]"} {
		if !regexp.MustCompile(want).MatchString(stderr) {
			t.Errorf("no health line with %s:\n%s", want, stderr)
		}
	}

	// A restart with the same checkpoint_dir re-reads the overlap and emits
	// nothing again.
	p2 := startEksLogs(t, cfg, env)
	p2.waitFor(30*time.Second, "three polls after restart", func() bool { return eksCountPolls(p2.Stderr()) >= 3 })
	if code := p2.stop(20 * time.Second); code != 0 {
		t.Fatalf("restart exit code %d", code)
	}
	if n := len(p2.Events()); n != 0 {
		t.Errorf("restart re-emitted %d events", n)
	}
	if !regexp.MustCompile(`duplicates=[1-9]`).MatchString(p2.Stderr()) {
		t.Errorf("restart did not report the overlap's duplicates:\n%s", eksTail(p2.Stderr(), 1500))
	}
}

// TestEksLogsRun_MissingLogGroupKeepsRetrying verifies the clear ERROR for an
// absent group, that the process keeps polling, and that events are read
// once the group appears.
func TestEksLogsRun_MissingLogGroupKeepsRetrying(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")
	p := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", t.TempDir(), "eks_logs://demo", eksFastParams(cw.URL)), env)
	p.waitFor(30*time.Second, "two not-found errors", func() bool {
		return strings.Count(p.Stderr(), "ERROR log group does not exist; retrying at the next poll") >= 2
	})
	if !strings.Contains(p.Stderr(), "log_group="+eksE2eGroup) {
		t.Errorf("the ERROR line does not name the log group:\n%s", eksTail(p.Stderr(), 1000))
	}
	evs := eksPutStreams(cw, "kube-apiserver-audit-", 30, 3, time.Now())
	p.waitFor(30*time.Second, "events after the group appeared", func() bool { return len(p.Events()) == len(evs) })
	if code := p.stop(20 * time.Second); code != 0 {
		t.Errorf("exit %d", code)
	}
	if r := cw.Requests(); r[0].AccessKeyID != "AKIDFROMENV0000001" {
		t.Errorf("default chain not used: %+v", r[0])
	}
}

// TestEksLogsRun_CorruptCheckpoint verifies that a damaged checkpoint is
// reported as an ERROR naming the file, set aside, and replaced by the
// previous good copy; and with both damaged, by start_from, loudly.
func TestEksLogsRun_CorruptCheckpoint(t *testing.T) {
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 10}))
	defer cw.Close()
	evs := eksPutStreams(cw, "kube-apiserver-audit-", 100, 4, time.Now())
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")
	ckpt := t.TempDir()
	cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://demo", eksFastParams(cw.URL))
	p := startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "all events", func() bool { return len(p.Events()) == len(evs) })
	p.stop(20 * time.Second)

	files, _ := filepath.Glob(filepath.Join(ckpt, "demo.*.ckpt"))
	if len(files) != 1 {
		t.Fatalf("checkpoint files = %v", files)
	}
	os.WriteFile(files[0], []byte("not msgpack"), 0o600)
	p = startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "a poll", func() bool { return eksCountPolls(p.Stderr()) >= 2 })
	p.stop(20 * time.Second)
	se := p.Stderr()
	if !strings.Contains(se, "ERROR checkpoint file is unusable; it was set aside") || !strings.Contains(se, "file="+files[0]) ||
		!strings.Contains(se, "ERROR resuming from the previous good checkpoint copy") {
		t.Errorf("corrupt current file not reported:\n%s", eksTail(se, 2000))
	}
	if aside, _ := filepath.Glob(files[0] + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("corrupt file not kept aside: %v", aside)
	}
	// The previous copy is at most one page behind: few re-emits, none lost.
	if n := len(p.Events()); n > 10 {
		t.Errorf("resuming from the previous copy re-emitted %d events, want at most a page (10)", n)
	}

	os.WriteFile(files[0], []byte("x"), 0o600)
	os.WriteFile(files[0]+".prev", []byte("y"), 0o600)
	p = startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "re-read from start_from", func() bool { return len(p.Events()) == len(evs) })
	p.stop(20 * time.Second)
	if !strings.Contains(p.Stderr(), "ERROR no valid checkpoint left; starting again from start_from") {
		t.Errorf("fallback to start_from not loud:\n%s", eksTail(p.Stderr(), 2000))
	}
}

// TestEksLogsRun_SecondProcessRefused verifies the checkpoint lock: a second
// copy of the same stanza exits 1 instead of emitting everything twice.
func TestEksLogsRun_SecondProcessRefused(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	cw.CreateGroup(eksE2eGroup)
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")
	cfg := eksInputXML("https://127.0.0.1:1", "k", t.TempDir(), "eks_logs://demo", eksFastParams(cw.URL))
	p := startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "a poll", func() bool { return eksCountPolls(p.Stderr()) >= 1 })
	_, stderr, code := runEksLogs(t, cfg, env)
	if code != 1 || !strings.Contains(stderr, "another process holds the lock") {
		t.Errorf("second process: exit %d, stderr %q", code, stderr)
	}
	p.stop(20 * time.Second)
}

// TestEksLogsRun_WrongSessionKey verifies that a refused session key is a
// clear ERROR without the key, and that the input keeps retrying.
func TestEksLogsRun_WrongSessionKey(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	sd := splunkdfake.New(false)
	defer sd.Close()
	sd.AddSessionKey("the-right-key")
	params := eksFastParams(cw.URL)
	params["aws_account"] = "prod"
	p := startEksLogs(t, eksInputXML(sd.URL, "a-wrong-session-key", t.TempDir(), "eks_logs://demo", params), eksAwsTestEnv(t))
	p.waitFor(30*time.Second, "two credential errors", func() bool {
		return strings.Count(p.Stderr(), "ERROR cannot set up the AWS client; retrying at the next poll") >= 2
	})
	p.stop(20 * time.Second)
	se := p.Stderr()
	if !strings.Contains(se, "INFO poll done api_calls=0 ") || !strings.Contains(se, " errors=1 ") {
		t.Errorf("no health line for a poll that could not run:\n%s", eksTail(se, 1500))
	}
	if strings.Contains(se, "a-wrong-session-key") || !strings.Contains(se, "not authenticated") || !strings.Contains(se, `aws_account \"prod\"`) {
		t.Errorf("stderr:\n%s", eksTail(se, 1500))
	}
	if len(cw.Requests()) != 0 {
		t.Error("CloudWatch was called without credentials")
	}
}

// TestEksLogsRun_StartFromNowSkipsHistory verifies start_from=now: nothing
// older than the start is emitted, even by the overlap re-read.
func TestEksLogsRun_StartFromNowSkipsHistory(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	old := eksPutStreams(cw, "kube-apiserver-audit-", 20, 2, time.Now())
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")
	params := eksFastParams(cw.URL)
	params["start_from"] = "now"
	p := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", t.TempDir(), "eks_logs://demo", params), env)
	p.waitFor(30*time.Second, "polls", func() bool { return eksCountPolls(p.Stderr()) >= 3 })
	fresh := cw.Put(cwfake.Event{Group: eksE2eGroup, Stream: "kube-apiserver-audit-new", Timestamp: time.Now().UnixMilli(), Message: "fresh"})
	p.waitFor(30*time.Second, "the new event", func() bool { return len(p.Events()) >= 1 })
	p.waitFor(30*time.Second, "more polls", func() bool { return eksCountPolls(p.Stderr()) >= 6 })
	p.stop(20 * time.Second)
	if evs := p.Events(); len(evs) != 1 || evs[0].Data != fresh[0].Message {
		t.Errorf("emitted %d events (history had %d): %+v", len(evs), len(old), evs)
	}
}

// TestEksLogsRun_StalledEndpointIsRetried verifies that a CloudWatch
// endpoint that accepts a request and never answers no longer stalls the
// input: the attempt is given up after call_timeout with a WARN, retried,
// and counted in the health line.
func TestEksLogsRun_StalledEndpointIsRetried(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	evs := eksPutStreams(cw, "kube-apiserver-audit-", 30, 3, time.Now())
	cw.FailNext(2, cwfake.Hang)
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")
	params := eksFastParams(cw.URL)
	params["call_timeout"] = "100ms"
	p := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", t.TempDir(), "eks_logs://demo", params), env)
	p.waitFor(30*time.Second, "the events behind the stalled calls", func() bool { return len(p.Events()) == len(evs) })
	p.waitFor(30*time.Second, "a poll", func() bool { return eksCountPolls(p.Stderr()) >= 1 })
	p.stop(20 * time.Second)
	se := p.Stderr()
	if strings.Count(se, "WARN CloudWatch Logs did not answer within call_timeout; retrying") != 2 ||
		!regexp.MustCompile(`server_errors=[2-9]`).MatchString(se) {
		t.Errorf("stalled calls not reported:\n%s", eksTail(se, 2000))
	}
}

// TestEksLogsValidate_Hardening verifies the refusals --validate-arguments
// gained: an empty log_types list and call rates below 0.01.
func TestEksLogsValidate_Hardening(t *testing.T) {
	env := eksAwsTestEnv(t)
	for param, v := range map[string]string{"log_types": ",", "max_calls_per_second": "1e-7", "call_timeout": "0"} {
		p := eksValidParams()
		p[param] = v
		out, _, code := runEksLogs(t, eksItemsXML("", "", "prod", p), env, "--validate-arguments")
		if code == 0 || !strings.Contains(out, param+":") {
			t.Errorf("%s=%q: exit %d, %q", param, v, code, out)
		}
	}
	p := eksValidParams()
	p["max_calls_per_second"] = "1e-300"
	if out, _, code := runEksLogs(t, eksItemsXML("", "", "prod", p), env, "--validate-arguments"); code == 0 || !strings.Contains(out, "0.01") {
		t.Errorf("1e-300: exit %d, %q", code, out)
	}
}
