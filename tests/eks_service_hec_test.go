package tests

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
	"github.com/kubelens/kubelens/src/sink/hec/hecfake"
)

// The service against a HEC that restarts, never acknowledges, or refuses
// everything: what eks_logs promises there (nothing lost, duplicates
// bounded, no hang, health that says so).

// svcAcked sums the acked= fields of the poll lines: the events the
// service checkpointed as delivered.
func svcAcked(stderr string) int {
	n := 0
	for _, m := range regexp.MustCompile(`INFO poll done acked=(\d+) `).FindAllStringSubmatch(stderr, -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

// svcHealth answers GET /healthz: the status and the decoded body.
func svcHealth(addr string) (int, map[string]any) {
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	json.Unmarshal(b, &body)
	return resp.StatusCode, body
}

// svcCheckpointAdvanced reports whether the input demo's checkpoint holds
// any delivered event.
func svcCheckpointAdvanced(t *testing.T, ckpt string) bool {
	out, _, _ := runEksLogs(t, "", svcEnv(t), "checkpoint", "show", "--stanza", "demo", "--checkpoint-dir", ckpt)
	return regexp.MustCompile(`recent_event_ids=[1-9]`).MatchString(out)
}

// TestEksService_HECRestartLosesNothing: HEC takes three batches, crashes
// before indexing them, and comes back with its ackIds starting again at
// 0 on the same channel, so that "0, 1, 2 are indexed" now speaks of its
// own batches. The service must not count that for the lost ones: every
// event it checkpoints as delivered must be in HEC, and a restart of the
// service must find nothing left to send.
func TestEksService_HECRestartLosesNothing(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 40, 2, time.Now())
	hec := hecfake.New([]string{svcHECToken})
	defer hec.Close()
	hec.CrashAfter(3)
	ckpt := t.TempDir()
	// Small batches (about four events), and an ack_timeout no wait in
	// this test reaches: only noticing the restart can save the batches.
	sinkCfg := strings.NewReplacer("max_batch_bytes: 16KiB", "max_batch_bytes: 1KiB", "ack_timeout: 400ms", "ack_timeout: 10m").Replace(svcHEC(hec.URL, "HEC_TOKEN", ""))
	cfg := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\ninputs:\n"+svcInput("demo", cw.URL, "")+"sinks:\n"+sinkCfg)
	p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p.waitFor(20*time.Second, "every event checkpointed as delivered", func() bool { return svcAcked(p.Stderr()) >= len(audit) })
	if code := p.stop(20 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, eksTail(p.Stderr(), 2000))
	}
	stderr := p.Stderr()
	if st := hec.Stats(); st.Restarts != 1 || st.LostInRestart == 0 {
		t.Fatalf("the fake did not crash as scripted: %+v", st)
	}
	got := svcCount(hec.Events(), hecData)
	lost := 0
	for _, e := range audit {
		if got[e.Message] == 0 {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("LOSS: %d of %d events checkpointed as delivered are not in HEC (lost in its restart)\n%s", lost, len(audit), eksTail(stderr, 2000))
	}
	if !strings.Contains(stderr, "WARN HEC handed out an ackId it had handed out before on this channel") || !regexp.MustCompile(`resent=[1-9]`).MatchString(stderr) {
		t.Errorf("no WARN about the restart, or no resent= count:\n%s", eksTail(stderr, 2000))
	}
	svcNoSecrets(t, "stderr", stderr)
	if !svcCheckpointAdvanced(t, ckpt) {
		t.Error("the checkpoint did not advance")
	}
	before := len(hec.Events())
	p2 := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p2.waitFor(20*time.Second, "two polls", func() bool { return eksCountPolls(p2.Stderr()) >= 2 })
	p2.stop(20 * time.Second)
	if after := len(hec.Events()); after != before {
		t.Errorf("the restarted service sent %d events again", after-before)
	}
}

// TestEksService_AckNeverComes: HEC takes every batch and never
// acknowledges any (a load balancer without sticky sessions, broken
// acknowledgement). The service sends each batch at most 1 + max_resends
// times, with a WARN per re-send, then stops with exit 1 and an ERROR
// saying why, checkpointing nothing; --once does the same instead of
// hanging.
func TestEksService_AckNeverComes(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 20, 2, time.Now())
	for _, once := range []bool{false, true} {
		hec := hecfake.New([]string{svcHECToken})
		hec.LoseNextAcks(1 << 30)
		ckpt := t.TempDir()
		sinkCfg := strings.Replace(svcHEC(hec.URL, "HEC_TOKEN", "    max_resends: 2\n"), "ack_timeout: 400ms", "ack_timeout: 100ms", 1)
		cfg := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\ninputs:\n"+svcInput("demo", cw.URL, "")+"sinks:\n"+sinkCfg)
		args := []string{"run", "--config", cfg}
		if once {
			args = append(args, "--once")
		}
		start := time.Now()
		_, stderr, code := runEksLogs(t, "", svcEnv(t), args...)
		took := time.Since(start)
		hec.Close()
		if code != 1 || !strings.Contains(stderr, "ERROR a sink cannot take events; stopping") || !strings.Contains(stderr, "acknowledged none of them") {
			t.Fatalf("once=%v: exit %d after %v, want 1 with an ERROR saying HEC never acknowledged:\n%s", once, code, took, eksTail(stderr, 2000))
		}
		maxN := 0
		for _, n := range svcCount(hec.Events(), hecData) {
			maxN = max(maxN, n)
		}
		if maxN != 3 || len(svcCount(hec.Events(), hecData)) != len(audit) {
			t.Errorf("once=%v: each event sent up to %d times, want exactly 1 + max_resends = 3", once, maxN)
		}
		if n := strings.Count(stderr, "WARN HEC did not acknowledge a batch within ack_timeout"); n != 2 || !strings.Contains(stderr, "resend=2") || !strings.Contains(stderr, "first_event_id=") {
			t.Errorf("once=%v: %d WARN lines for re-sends, want 2 naming the batch and counting:\n%s", once, n, eksTail(stderr, 2000))
		}
		if svcCheckpointAdvanced(t, ckpt) {
			t.Errorf("once=%v: the checkpoint advanced past events HEC never acknowledged", once)
		}
		svcNoSecrets(t, "stderr", stderr)
	}
}

// TestEksService_DeliveryStalled: HEC answers 503 to everything. After
// delivery_stall_timeout the service logs an ERROR and /healthz answers
// 503 although polls go on; once HEC recovers, delivery resumes (INFO,
// 200, every event exactly once). SIGTERM while stalled exits 0 within
// shutdown_timeout, giving up what was in flight; --once gives up with
// exit 1 instead of waiting forever.
func TestEksService_DeliveryStalled(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	audit := eksPutStreams(cw, svcStreamName, 20, 2, time.Now())
	hec := hecfake.New([]string{svcHECToken})
	defer hec.Close()
	hec.FailNext(100000, hecfake.Busy)
	addr, err := hecfake.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ckpt := t.TempDir()
	cfg := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\nhealth_listen: "+addr+"\ndelivery_stall_timeout: 500ms\nshutdown_timeout: 1s\ninputs:\n"+
		svcInput("demo", cw.URL, "")+"sinks:\n"+svcHEC(hec.URL, "HEC_TOKEN", ""))
	p := startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p.waitFor(20*time.Second, "the stall's ERROR", func() bool { return strings.Contains(p.Stderr(), "ERROR delivery stalled") })
	status, body := svcHealth(addr)
	in, _ := body["inputs"].(map[string]any)["demo"].(map[string]any)
	if status != 503 || in["delivery_stalled"] != true || in["fresh"] != true || in["no_delivery_since"] == nil {
		t.Errorf("/healthz while polls go on and delivery stalls: %d %v, want 503 saying delivery is stalled", status, body)
	}
	hec.ClearFaults()
	p.waitFor(20*time.Second, "delivery resumed and /healthz 200", func() bool {
		status, _ := svcHealth(addr)
		return strings.Contains(p.Stderr(), "INFO delivery resumed") && status == 200 && svcAcked(p.Stderr()) >= len(audit)
	})
	if code := p.stop(20 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for d, n := range svcCount(hec.Events(), hecData) {
		if n != 1 {
			t.Errorf("%q delivered %d times: HEC refused, it took nothing", d, n)
		}
	}
	if n := len(svcCount(hec.Events(), hecData)); n != len(audit) {
		t.Errorf("%d of %d events delivered", n, len(audit))
	}
	svcNoSecrets(t, "stderr", p.Stderr())

	// SIGTERM while stalled: the documented shutdown.
	eksPutStreams(cw, svcStreamName+"late-", 10, 1, time.Now())
	hec.FailNext(100000, hecfake.Busy)
	p = startEksLogs(t, "", svcEnv(t), "run", "--config", cfg)
	p.waitFor(20*time.Second, "the stall's ERROR", func() bool { return strings.Contains(p.Stderr(), "ERROR delivery stalled") })
	start := time.Now()
	if code := p.stop(20 * time.Second); code != 0 || time.Since(start) > 5*time.Second {
		t.Errorf("SIGTERM while stalled: exit %d after %v, want 0 within shutdown_timeout", code, time.Since(start))
	}
	if !strings.Contains(p.Stderr(), "WARN delivery given up at shutdown") || strings.Contains(p.Stderr(), "INFO delivery resumed") {
		t.Errorf("SIGTERM while stalled:\n%s", eksTail(p.Stderr(), 1500))
	}

	// --once against a HEC that stays down: exit 1, not a hang.
	start = time.Now()
	_, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", cfg, "--once")
	if code != 1 || !strings.Contains(stderr, "--once gives up") || time.Since(start) > 15*time.Second {
		t.Errorf("--once with HEC down: exit %d after %v, want 1 soon after delivery_stall_timeout:\n%s", code, time.Since(start), eksTail(stderr, 1500))
	}
}
