package tests

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
	"github.com/kubelens/kubelens/src/sink/hec/hecfake"
	"github.com/kubelens/kubelens/src/sink/scs/scsfake"
)

const (
	svcHECToken   = "a1b2c3d4-0000-4000-8000-hec-token-secret"
	svcHECToken2  = "e5f6a7b8-0000-4000-8000-hec-token-two"
	svcSCSSecret  = "scs-client-secret-value-42"
	svcSCSClient  = "svc-eks-logs"
	svcSCSTenant  = "mytenant"
	svcAWSSecret  = "aws-secret-access-key-for-tests"
	svcAWSKeyID   = "AKIDSERVICE0000001"
	svcStreamName = "kube-apiserver-audit-"
)

// svcEnv is the environment of a service run: AWS keys from the
// environment (the default chain), the sinks' secrets.
func svcEnv(t *testing.T) []string {
	return eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID="+svcAWSKeyID, "AWS_SECRET_ACCESS_KEY="+svcAWSSecret,
		"HEC_TOKEN="+svcHECToken, "HEC_TOKEN_2="+svcHECToken2, "SCS_CLIENT_SECRET="+svcSCSSecret)
}

// svcInput is an inputs: entry with millisecond bounds.
func svcInput(name, endpoint string, extra string) string {
	return fmt.Sprintf(`  - name: %s
    aws_region: us-east-1
    cluster_name: demo
    endpoint_url: %s
    poll_interval: 50ms
    lag: 0
    overlap: 10m
    sweep_interval: 200ms
    start_from: -1h
    max_calls_per_second: 1000
    max_backoff: 5ms
    call_timeout: 2s
    index: eks
%s`, name, endpoint, extra)
}

func svcWriteConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "eks_logs.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func svcHEC(url, tokenEnv string, extra string) string {
	return fmt.Sprintf(`  - type: hec
    url: %s/services/collector/event
    token_env: %s
    ack_poll_interval: 10ms
    ack_timeout: 400ms
    max_batch_bytes: 16KiB
    max_backoff: 10ms
    timeout: 2s
%s`, url, tokenEnv, extra)
}

func svcCount[E any](evs []E, data func(E) string) map[string]int {
	m := map[string]int{}
	for _, e := range evs {
		m[data(e)]++
	}
	return m
}

func hecData(e hecfake.Event) string { return e.Event }
func scsData(e scsfake.Event) string { return e.Body }

// svcNoSecrets fails if any secret appears in s.
func svcNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{svcHECToken, svcHECToken2, svcSCSSecret, svcAWSSecret, "cc-access-"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s holds a secret (%q…)", what, secret[:6])
		}
	}
}

// TestEksService_DeliversToEverySinkUnderFaults runs eks_logs run against
// the CloudWatch fake (capped and empty pages, throttling, a stalled call)
// and three sinks at once: HEC with acknowledgement that is refused at
// first, busy, slow and loses an ack; a second HEC without ack; and SCS
// with client credentials answering 429 and 503. Every audit event must
// reach every sink; the only duplicates are the batch re-sent after its
// ack timed out, which the health line counts. A restart re-sends nothing.
func TestEksService_DeliversToEverySinkUnderFaults(t *testing.T) {
	now := time.Now()
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 60, EmptyPageRate: 0.1, RepeatToken: true, ThrottleRate: 0.05, Seed: 11}))
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 700, 20, now)
	cw.FailNext(1, cwfake.Hang)
	addr, err := hecfake.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	hec2 := hecfake.New([]string{svcHECToken2}, hecfake.WithAck(false))
	defer hec2.Close()
	scs := scsfake.New(svcSCSTenant)
	defer scs.Close()
	scs.AddClient(svcSCSClient, svcSCSSecret)
	scs.FailNext(1, 429)
	scs.FailNext(1, 503)
	ckpt := t.TempDir()
	cfg := svcWriteConfig(t, "checkpoint_dir: "+ckpt+`
log_level: INFO
max_calls_per_second_per_account: 1000
shutdown_timeout: 5s
queue_max_bytes: 256KiB
inputs:
`+strings.Replace(svcInput("demo", cw.URL, ""), "call_timeout: 2s", "call_timeout: 200ms", 1)+`sinks:
`+svcHEC("http://"+addr, "HEC_TOKEN", "")+svcHEC(hec2.URL, "HEC_TOKEN_2", "    ack: false\n    gzip: false\n")+`  - type: scs
    tenant: `+svcSCSTenant+`
    url: `+scs.URL+`
    client_id: `+svcSCSClient+`
    client_secret_env: SCS_CLIENT_SECRET
    scope: backend_service
    auth_url: `+scs.URL+`
    max_backoff: 10ms
    timeout: 2s
`)
	p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p.waitFor(20*time.Second, "refused connections to the first HEC", func() bool {
		return strings.Count(p.Stderr(), "HEC send events failed; retrying") >= 2
	})
	hec1, err := hecfake.NewAt(addr, []string{svcHECToken}, hecfake.WithAckDelay(30*time.Millisecond), hecfake.WithIndexes("eks"))
	if err != nil {
		t.Fatal(err)
	}
	defer hec1.Close()
	hec1.FailNext(2, hecfake.Busy)
	hec1.LoseNextAcks(1)
	want := eksExpectByData(audit)
	allThere := func() bool {
		for _, m := range []map[string]int{svcCount(hec1.Events(), hecData), svcCount(hec2.Events(), hecData), svcCount(scs.Events(), scsData)} {
			for d := range want {
				if m[d] == 0 {
					return false
				}
			}
		}
		return true
	}
	p.waitFor(40*time.Second, "every event in every sink", allThere)
	p.waitFor(20*time.Second, "a poll line counting the re-sent batch", func() bool { return regexp.MustCompile(`resent=[1-9]`).MatchString(p.Stderr()) })
	if code := p.stop(20 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM:\n%s", code, eksTail(p.Stderr(), 2000))
	}
	stderr := p.Stderr()
	host, _ := os.Hostname()
	for _, e := range hec1.Events() {
		w, ok := want[e.Event]
		if !ok {
			t.Fatalf("unexpected event %q", e.Event)
		}
		if e.Source != "us-east-1:"+eksE2eGroup+":"+w.stream || e.SourceType != "aws:cloudwatchlogs:eks" || e.Index != "eks" ||
			e.Host != host || string(e.Time) != fmt.Sprintf("%d.%03d", w.ts/1000, w.ts%1000) {
			t.Fatalf("HEC event metadata %+v, want stream %s ts %d", e, w.stream, w.ts)
		}
	}
	for name, m := range map[string]map[string]int{"hec without ack": svcCount(hec2.Events(), hecData), "scs": svcCount(scs.Events(), scsData)} {
		for d, n := range m {
			if n != 1 {
				t.Errorf("%s: %q delivered %d times", name, d, n)
			}
		}
	}
	dupes := 0
	for _, n := range svcCount(hec1.Events(), hecData) {
		dupes += n - 1
	}
	if dupes == 0 || dupes > 16<<10/100 {
		t.Errorf("HEC with ack has %d duplicate events; want those of the one re-sent batch", dupes)
	}
	if !strings.Contains(stderr, "WARN HEC did not acknowledge a batch within ack_timeout") || !strings.Contains(stderr, "ack_id=") {
		t.Errorf("no WARN naming the ackId of the re-sent batch")
	}
	if !strings.Contains(stderr, "WARN CloudWatch Logs did not answer within call_timeout; retrying") {
		t.Errorf("no WARN for the stalled CloudWatch call")
	}
	health := regexp.MustCompile(`INFO poll done acked=\d+ api_calls=\d+ .* queue_bytes=\d+ resent=\d+ server_errors=\d+ sink=sinks\[0\]\(hec\),sinks\[1\]\(hec\),sinks\[2\]\(scs\) stanza=eks_logs://demo `)
	if !health.MatchString(stderr) {
		t.Errorf("no health line of the documented shape:\n%s", eksTail(stderr, 1500))
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !eksLevelLineRE.MatchString(line) {
			t.Errorf("stderr line without a level: %q", line)
		}
	}
	svcNoSecrets(t, "stderr", stderr)
	if hec1.Stats().WithoutCookie != 0 {
		t.Errorf("requests came back without the load balancer's cookie: %+v", hec1.Stats())
	}

	// A restart re-reads the overlap and sends nothing again.
	before := len(hec1.Events()) + len(hec2.Events()) + len(scs.Events())
	p2 := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p2.waitFor(20*time.Second, "three polls", func() bool { return eksCountPolls(p2.Stderr()) >= 3 })
	if code := p2.stop(20 * time.Second); code != 0 {
		t.Fatalf("restart exit %d", code)
	}
	if after := len(hec1.Events()) + len(hec2.Events()) + len(scs.Events()); after != before {
		t.Errorf("restart sent %d events again", after-before)
	}
}

// TestEksService_SIGKILLLosesNothing kills the service at random points
// while HEC acknowledges slowly; a final run completes. No event is lost;
// events are repeated only for what was in flight at a kill, at most the
// queue bound's worth per kill.
func TestEksService_SIGKILLLosesNothing(t *testing.T) {
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 25, Seed: 5}))
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 900, 10, time.Now())
	hec := hecfake.New([]string{svcHECToken}, hecfake.WithAckDelay(15*time.Millisecond))
	defer hec.Close()
	ckpt := t.TempDir()
	cfg := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\nqueue_max_bytes: 16KiB\ninputs:\n"+
		strings.Replace(svcInput("crash", cw.URL, ""), "max_calls_per_second: 1000", "max_calls_per_second: 60", 1)+"sinks:\n"+svcHEC(hec.URL, "HEC_TOKEN", ""))
	want := eksExpectByData(audit)
	kills := 0
	for run := 0; run < 8; run++ {
		p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
		select { // let it run a while before the kill
		case <-time.After(time.Duration(150+run*40) * time.Millisecond):
		case <-p.exited:
			t.Fatalf("run %d exited by itself: %s", run, eksTail(p.Stderr(), 1000))
		}
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait(10 * time.Second)
		kills++
	}
	p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p.waitFor(40*time.Second, "every event", func() bool {
		got := svcCount(hec.Events(), hecData)
		for d := range want {
			if got[d] == 0 {
				return false
			}
		}
		return true
	})
	p.stop(20 * time.Second)
	dupes := 0
	for d, n := range svcCount(hec.Events(), hecData) {
		if _, ok := want[d]; !ok {
			t.Fatalf("unexpected event %q", d)
		}
		dupes += n - 1
	}
	// Per kill: the queue bound (16 KiB of ~150-byte events) and one page.
	if bound := kills * (16<<10/100 + 25); dupes > bound {
		t.Errorf("%d duplicates after %d kills; more than in flight (%d)", dupes, kills, bound)
	}
	if strings.Contains(p.Stderr(), "checkpoint file is unusable") {
		t.Errorf("a kill damaged the checkpoint")
	}
	t.Logf("%d kills, %d events, %d duplicates", kills, len(want), dupes)
}

// TestEksService_BackPressure verifies a slow sink holds the puller back:
// the queue never holds more than queue_max_bytes plus one page.
func TestEksService_BackPressure(t *testing.T) {
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 20}))
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 600, 5, time.Now())
	hec := hecfake.New([]string{svcHECToken}, hecfake.WithAckDelay(100*time.Millisecond))
	defer hec.Close()
	cfg := svcWriteConfig(t, "checkpoint_dir: "+t.TempDir()+"\nqueue_max_bytes: 8KiB\ninputs:\n"+
		svcInput("slow", cw.URL, "")+"sinks:\n"+strings.Replace(svcHEC(hec.URL, "HEC_TOKEN", ""), "ack_poll_interval: 10ms", "ack_poll_interval: 50ms", 1))
	p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p.waitFor(30*time.Second, "a third of the events", func() bool { return len(hec.Events()) >= len(audit)/3 })
	served := cw.Stats().EventsServed
	p.stop(20 * time.Second)
	if served >= len(audit) {
		t.Errorf("CloudWatch served all %d events while the sink had a third: no back-pressure", served)
	}
	re := regexp.MustCompile(`queue_bytes=(\d+)`)
	for _, m := range re.FindAllStringSubmatch(p.Stderr(), -1) {
		n, _ := strconv.Atoi(m[1])
		if n > 8<<10+20*400 {
			t.Errorf("queue held %d bytes, over the bound", n)
		}
	}
}

// TestEksService_ConfigErrors verifies each mistake is refused with exit 2
// and a message naming the key, without the secrets.
func TestEksService_ConfigErrors(t *testing.T) {
	good := func(in, sinks string) string {
		return "checkpoint_dir: " + t.TempDir() + "\ninputs:\n" + in + "sinks:\n" + sinks
	}
	in := svcInput("demo", "http://127.0.0.1:1", "")
	hecSink := svcHEC("http://127.0.0.1:1", "HEC_TOKEN", "")
	cases := []struct{ doc, want string }{
		{good(strings.Replace(in, "start_from: -1h", "log_types: \",\"", 1), hecSink), "inputs[0].log_types"},
		{good(in+"    log_types: [audit, kubelet]\n", hecSink), "inputs[0].log_types"},
		{good(in+"    aws_account: prod\n", hecSink), "inputs[0].aws_account"},
		{good(in+"    interval: 60\n", hecSink), "inputs[0].interval: unknown key"},
		{good(in+"    disabled: false\n", hecSink), "inputs[0].disabled: unknown key"},
		{good(in+"    log_level: DEBUG\n", hecSink), "inputs[0].log_level"},
		{good(strings.Replace(in, "max_calls_per_second: 1000", "max_calls_per_second: 1e-7", 1), hecSink), "inputs[0].max_calls_per_second"},
		{good(strings.Replace(in, "max_calls_per_second: 1000", "max_calls_per_second: 1e-300", 1), hecSink), "inputs[0].max_calls_per_second"},
		{good(in+svcInput("demo", "http://127.0.0.1:1", ""), hecSink), "inputs[1].name"},
		{good(strings.Replace(in, "name: demo", "name: bad/name", 1), hecSink), "inputs[0].name"},
		{good(in, hecSink+"  - type: hec\n    url: ftp://x\n    token_env: HEC_TOKEN\n"), "sinks[1].url"},
		{good(in, hecSink+"  - type: hec\n    url: https://x:8088/other\n    token_env: HEC_TOKEN\n"), "sinks[1].url"},
		{good(in, "  - type: hec\n    url: https://x\n    token: "+svcHECToken+"\n"), "sinks[0].token: secrets never go in the file"},
		{good(in, "  - type: hec\n    url: https://x\n    token_env: NOT_SET_ANYWHERE\n"), "sinks[0].token_env"},
		{good(in, "  - type: kafka\n"), "sinks[0].type"},
		{good(in, "  - type: scs\n    token_env: HEC_TOKEN\n"), "sinks[0].tenant"},
		{good(in, "  - type: scs\n    tenant: t\n    url: https://api.example.com/t/ingest\n    token_env: HEC_TOKEN\n"), "sinks[0].url"},
		{good(in, "  - type: scs\n    tenant: t\n    client_id: c\n    scope: s\n"), "sinks[0].client_secret_env"},
		{good(in, "  - type: stdout\n    gzip: true\n"), "sinks[0].gzip: unknown key"},
		{"inputs: []\nsinks: []\n", "checkpoint_dir: required"},
		{good(in, hecSink) + "surprise: 1\n", "surprise: unknown key"},
		{good(in, hecSink) + "queue_max_bytes: lots\n", "queue_max_bytes"},
		// A refused value is reported once, and values that may be secrets
		// are never shown: a token put where its variable's name or file
		// goes, credentials in a URL.
		{good(in, "  - type: hec\n    url: ftp://x\n    token_env: HEC_TOKEN\n"), `sinks[0].url: "ftp://x": not an http(s) URL config=`},
		{good(in, "  - type: hec\n    url: https://x\n    token_env: "+svcHECToken+"\n"), "sinks[0].token_env: the environment variable it names is not set"},
		{good(in, "  - type: hec\n    url: https://x\n    token_file: "+svcHECToken+"\n"), "sinks[0].token_file: cannot read the file it names"},
		{good(in, "  - type: hec\n    url: https://u:"+svcHECToken+"@x:8088\n    token_env: HEC_TOKEN\n"), `sinks[0].url: "https://REDACTED@x:8088": no credentials in the URL`},
		{good(in, "  - type: scs\n    tenant: t\n    url: https://u:"+svcSCSSecret+"@x/p\n    token_env: HEC_TOKEN\n"), `sinks[0].url: "https://REDACTED@x/p"`},
		{good(strings.Replace(in, "endpoint_url: http://127.0.0.1:1", "endpoint_url: ftp://u:"+svcAWSSecret+"@h", 1), hecSink), `inputs[0].endpoint_url: "ftp://REDACTED@h"`},
		{good(in+"    log_types: []\n", hecSink), "inputs[0].log_types: an empty list"},
	}
	for _, tc := range cases {
		_, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svcWriteConfig(t, tc.doc))
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("want exit 2 naming %q; got %d:\n%s", tc.want, code, stderr)
		}
		if key, _, _ := strings.Cut(tc.want, ":"); strings.Count(stderr, key+":") != 1 {
			t.Errorf("%s reported more than once:\n%s", key, stderr)
		}
		svcNoSecrets(t, "stderr", stderr)
	}
	_, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", "/nonexistent/eks_logs.yaml")
	if code != 2 || !strings.Contains(stderr, "nonexistent") {
		t.Errorf("missing file: %d %s", code, stderr)
	}
}

// TestEksService_OnceStdoutAndTheModularInputsCheckpoint verifies --once
// with the stdout sink: one HEC event object per line, exit 0, a stale
// temp file removed; the checkpoint is the modular input's own, so
// "checkpoint show" reads it and the modular input resumes from it.
func TestEksService_OnceStdoutAndTheModularInputsCheckpoint(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 40, 2, time.Now())
	ckpt := t.TempDir()
	stale := filepath.Join(ckpt, checkpoint.FileName("eks_logs://demo")+".tmp-4242")
	os.WriteFile(stale, []byte("half a save"), 0o600)
	cfg := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\ninputs:\n"+svcInput("demo", cw.URL, "    log_types: [audit, cloudControllerManager]\n")+"sinks:\n  - type: stdout\n")
	stdout, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", cfg, "--once")
	if code != 0 {
		t.Fatalf("--once exit %d:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(audit) || !strings.HasPrefix(lines[0], `{"time":`) || !strings.Contains(lines[0], `"sourcetype":"aws:cloudwatchlogs:eks","index":"eks","event":`) {
		t.Fatalf("%d lines, want %d; first %q", len(lines), len(audit), lines[0])
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) || !strings.Contains(stderr, "INFO removed a temporary checkpoint file") {
		t.Errorf("stale temp file not removed and logged:\n%s", stderr)
	}
	out, _, code := runEksLogs(t, "", svcEnv(t), "checkpoint", "show", "--stanza", "demo", "--checkpoint-dir", ckpt)
	if code != 0 || !strings.Contains(out, "prefix=kube-apiserver-audit- ") || !strings.Contains(out, "prefix=cloud-controller-manager- ") {
		t.Errorf("checkpoint show: %s", out)
	}
	// The modular input with the same name resumes where the service stopped.
	params := eksFastParams(cw.URL)
	params["log_types"] = "audit"
	mp := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://demo", params), svcEnv(t))
	mp.waitFor(20*time.Second, "two polls", func() bool { return eksCountPolls(mp.Stderr()) >= 2 })
	mp.stop(20 * time.Second)
	if n := len(mp.Events()); n != 0 {
		t.Errorf("the modular input re-emitted %d events the service had delivered", n)
	}
}

// TestEksService_CheckAndFatalSink verifies --check (a good file passes; a
// refused token or a missing log group fails with exit 2) and that a sink
// refusing the events (an index the token may not use) stops the service
// with exit 1 and leaves the checkpoint behind.
func TestEksService_CheckAndFatalSink(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	eksPutStreams(cw, svcStreamName, 10, 1, time.Now())
	hec := hecfake.New([]string{svcHECToken}, hecfake.WithIndexes("main"))
	defer hec.Close()
	ckpt := t.TempDir()
	doc := "checkpoint_dir: " + ckpt + "\ninputs:\n" + svcInput("demo", cw.URL, "") + "sinks:\n" + svcHEC(hec.URL, "HEC_TOKEN", "")
	if _, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svcWriteConfig(t, doc), "--check"); code != 0 || !strings.Contains(stderr, "INFO check passed") {
		t.Errorf("--check of a good file: %d\n%s", code, stderr)
	}
	if len(hec.Events()) != 0 {
		t.Error("--check sent events")
	}
	for _, bad := range []string{strings.Replace(doc, "HEC_TOKEN\n", "HEC_TOKEN_2\n", 1), strings.Replace(doc, "cluster_name: demo", "cluster_name: missing", 1)} {
		_, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svcWriteConfig(t, bad), "--check")
		if code != 2 || !strings.Contains(stderr, "ERROR check failed") {
			t.Errorf("--check of a bad file: %d\n%s", code, stderr)
		}
		svcNoSecrets(t, "stderr", stderr)
	}
	// A checkpoint_dir that cannot hold checkpoints fails --check.
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	if _, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svcWriteConfig(t, strings.Replace(doc, ckpt, file, 1)), "--check"); code != 2 ||
		!strings.Contains(stderr, "ERROR check failed: checkpoint_dir cannot hold the checkpoints") {
		t.Errorf("--check with checkpoint_dir a file: %d\n%s", code, stderr)
	}
	_, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svcWriteConfig(t, doc))
	if code != 1 || !strings.Contains(stderr, "code 7") || !strings.Contains(stderr, "sinks[0] (hec)") {
		t.Errorf("fatal sink: exit %d\n%s", code, stderr)
	}
	out, _, _ := runEksLogs(t, "", svcEnv(t), "checkpoint", "show", "--stanza", "demo", "--checkpoint-dir", ckpt)
	if strings.Contains(out, "recent_event_ids=1") {
		t.Errorf("the checkpoint advanced past events no sink took: %s", out)
	}
}

// TestEksService_Healthz verifies /healthz: 200 while polls complete, 503
// once none has within 3 × poll_interval (CloudWatch stalls).
func TestEksService_Healthz(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	cw.CreateGroup(eksE2eGroup)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := svcWriteConfig(t, "checkpoint_dir: "+t.TempDir()+"\nhealth_listen: "+addr+"\ninputs:\n"+
		strings.Replace(svcInput("demo", cw.URL, ""), "call_timeout: 2s", "call_timeout: 10m", 1)+"sinks:\n  - type: stdout\n")
	p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	status := func() int {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	p.waitFor(20*time.Second, "healthz 200", func() bool { return eksCountPolls(p.Stderr()) >= 1 && status() == 200 })
	cw.FailNext(1000, cwfake.Hang)
	p.waitFor(20*time.Second, "healthz 503", func() bool { return status() == 503 })
	if code := p.stop(20 * time.Second); code != 0 {
		t.Errorf("exit %d", code)
	}
}
