package tests

// eks_logs' checkpoint under adverse conditions: a checkpoint_dir that
// cannot take a save (a full disk, a file size limit), a watermark saved by
// a host whose clock was ahead, a stanza whose Region changed, an overlap
// raised between runs; for the modular input and the service alike.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

var eksKeysEnv = []string{"AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret"}

// runEksLogsFileLimit runs eks_logs to completion under a file size limit
// of kib KiB (bash's ulimit -f): a write past it fails as on a full disk.
func runEksLogsFileLimit(t *testing.T, kib int, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{"-c", fmt.Sprintf(`ulimit -f %d && exec "$0" "$@"`, kib), eksLogsBinary(t)}, args...)...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run eks_logs under ulimit: %v", err)
		}
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// eksDistinct counts events by their data and returns how many were
// emitted more than once in all.
func eksDistinct(count map[string]int, evs []eksStreamEvent) {
	for _, e := range evs {
		count[e.Data]++
	}
}

func eksDupes(count map[string]int) int {
	d := 0
	for _, n := range count {
		d += n - 1
	}
	return d
}

// TestEksLogsRun_UnsavableCheckpointEmitsNothing verifies that an input
// whose checkpoint_dir cannot take a save (here: a file size limit; a full
// disk behaves the same) emits nothing and exits 1 with an ERROR saying
// so, at every restart, instead of emitting a page it cannot checkpoint
// again and again; and that once the directory can take saves again the
// events are read, each once. The service refuses to start the same way.
func TestEksLogsRun_UnsavableCheckpointEmitsNothing(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash for ulimit")
	}
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 20}))
	defer cw.Close()
	first := eksPutStreams(cw, "kube-apiserver-audit-", 60, 3, time.Now())
	ckpt := t.TempDir()
	cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://full", eksFastParams(cw.URL))
	env := eksAwsTestEnv(t, eksKeysEnv...)
	p := eksRunUntil(t, cfg, env, "the first events", len(first), 1)
	count := map[string]int{}
	eksDistinct(count, p.Events())

	more := eksPutStreams(cw, "kube-apiserver-audit-more", 60, 3, time.Now())
	for run := range 3 {
		stdout, stderr, code := runEksLogsFileLimit(t, 64, cfg, env)
		if code != 1 || strings.Contains(stdout, "<event") {
			t.Fatalf("restart %d under the limit: exit %d, stdout %q", run, code, eksTail(stdout, 300))
		}
		if !strings.Contains(stderr, "ERROR cannot open the checkpoint") || !strings.Contains(stderr, "the checkpoint cannot be saved, so nothing is read") {
			t.Errorf("restart %d: no clear ERROR:\n%s", run, stderr)
		}
	}
	// The service, with the same directory.
	svc := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\ninputs:\n"+svcInput("full", cw.URL, "")+"sinks:\n  - type: stdout\n")
	stdout, stderr, code := runEksLogsFileLimit(t, 64, "", svcEnv(t), "run", "--config", svc, "--once")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "the checkpoint cannot be saved") {
		t.Errorf("service under the limit: exit %d, stdout %q\n%s", code, eksTail(stdout, 200), stderr)
	}
	// Room again: the new events come, once.
	p = eksRunUntil(t, cfg, env, "the new events", len(more), 2)
	eksDistinct(count, p.Events())
	if len(count) != len(first)+len(more) || eksDupes(count) != 0 {
		t.Errorf("%d distinct events of %d, %d emitted twice", len(count), len(first)+len(more), eksDupes(count))
	}
}

// TestEksLogsRun_FullDiskEmitsNothing is the same with a real full file
// system (ENOSPC): a 4 MiB tmpfs, filled up. It needs root to mount.
func TestEksLogsRun_FullDiskEmitsNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; TestEksLogsRun_UnsavableCheckpointEmitsNothing covers the same with a file size limit")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 50}))
	defer cw.Close()
	first := eksPutStreams(cw, "kube-apiserver-audit-", 100, 5, time.Now().Add(-5*time.Minute))
	cfg := eksInputXML("https://127.0.0.1:1", "k", mnt, "eks_logs://full", eksFastParams(cw.URL))
	env := eksAwsTestEnv(t, eksKeysEnv...)
	p := eksRunUntil(t, cfg, env, "the first events", len(first), 1)
	count := map[string]int{}
	eksDistinct(count, p.Events())

	more := eksPutStreams(cw, "kube-apiserver-audit-x", 100, 5, time.Now())
	fill := filepath.Join(mnt, "fill")
	f, err := os.Create(fill)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break // ENOSPC: the disk is full
		}
	}
	f.Close()
	for run := range 4 {
		p := startEksLogs(t, cfg, env)
		code := p.wait(30 * time.Second)
		if code != 1 || len(p.Events()) != 0 || !strings.Contains(p.Stderr(), "no space left on device") {
			t.Fatalf("restart %d on a full disk: exit %d, %d events emitted:\n%s", run, code, len(p.Events()), eksTail(p.Stderr(), 800))
		}
	}
	os.Remove(fill)
	p = eksRunUntil(t, cfg, env, "the new events", len(more), 2)
	eksDistinct(count, p.Events())
	if len(count) != len(first)+len(more) || eksDupes(count) != 0 {
		t.Errorf("%d distinct events of %d, %d emitted twice", len(count), len(first)+len(more), eksDupes(count))
	}
}

// eksRunUntil runs the modular input on cfg until it has emitted want
// events over at least polls polls, then stops it.
func eksRunUntil(t *testing.T, cfg string, env []string, what string, want, polls int) *eksProc {
	t.Helper()
	p := startEksLogs(t, cfg, env)
	p.waitFor(20*time.Second, what, func() bool { return len(p.Events()) >= want && eksCountPolls(p.Stderr()) >= polls })
	p.stop(10 * time.Second)
	return p
}

// eksSkewCheckpoint rewrites the checkpoint of a stanza as a host whose
// clock was ahead by skew would have saved it: the watermark (and floor)
// that far ahead.
func eksSkewCheckpoint(t *testing.T, dir, stanza string, skew time.Duration) {
	t.Helper()
	path := filepath.Join(dir, checkpoint.FileName(stanza))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range st.Cursors {
		st.Cursors[i].Watermark += skew.Milliseconds()
	}
	if b, err = checkpoint.Encode(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestEksLogsRun_WatermarkAheadOfClock verifies that a checkpoint saved by
// a host whose clock was 2 h ahead does not hide the events of those 2 h:
// the input WARNs, reads again from the newest event it had emitted, emits
// every event since, and none it had emitted before. The service does the
// same with the same checkpoint file.
func TestEksLogsRun_WatermarkAheadOfClock(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	old := eksPutStreams(cw, "kube-apiserver-audit-", 50, 5, time.Now())
	for _, shell := range []string{"modular input", "service"} {
		t.Run(shell, func(t *testing.T) {
			ckpt := t.TempDir()
			cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://demo", eksFastParams(cw.URL))
			env := eksAwsTestEnv(t, eksKeysEnv...)
			eksRunUntil(t, cfg, env, "the first events", len(old), 1)
			eksSkewCheckpoint(t, ckpt, "eks_logs://demo", 2*time.Hour)
			fresh := eksPutStreams(cw, "kube-apiserver-audit-"+strings.ReplaceAll(shell, " ", ""), 100, 5, time.Now())

			var got []string
			var stderr string
			if shell == "service" {
				svc := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\ninputs:\n"+svcInput("demo", cw.URL, "")+"sinks:\n  - type: stdout\n")
				stdout, e, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svc, "--once")
				if code != 0 {
					t.Fatalf("--once exit %d:\n%s", code, e)
				}
				if stdout != "" {
					got = strings.Split(strings.TrimSpace(stdout), "\n")
				}
				stderr = e
			} else {
				p2 := eksRunUntil(t, cfg, env, "the events since", len(fresh), 2)
				for _, e := range p2.Events() {
					got = append(got, e.Data)
				}
				stderr = p2.Stderr()
			}
			if len(got) != len(fresh) {
				t.Errorf("%d events after the clock was set right, want the %d since:\n%s", len(got), len(fresh), eksTail(stderr, 1500))
			}
			for _, e := range old {
				for _, g := range got {
					if strings.Contains(g, fmt.Sprintf(`"n":%d,`, eksNOf(e.Message))) && strings.Contains(g, `"prefix":"kube-apiserver-audit-"`) {
						t.Fatalf("an event emitted before the skew was emitted again: %s", g)
					}
				}
			}
			if !strings.Contains(stderr, "WARN the checkpoint's watermark is ahead of this host's clock") || !strings.Contains(stderr, "ahead_seconds=7") {
				t.Errorf("no WARN about the watermark ahead of the clock:\n%s", eksTail(stderr, 1500))
			}
			if strings.Contains(stderr, "WARN failed to discard") {
				t.Errorf("the SDK's body clean-up reached WARN:\n%s", stderr)
			}
		})
	}
}

// eksNOf returns the "n" of a message eksPutStreams wrote.
func eksNOf(msg string) int {
	var n int
	i := strings.Index(msg, `"n":`)
	fmt.Sscanf(msg[i+4:], "%d", &n)
	return n
}

// TestEksLogsRun_SourceChangeStartsANewCursor verifies that a stanza whose
// aws_region changes (another cluster of the same name) does not resume
// the old Region's cursor: start_from applies, the new Region's last hour
// is read, with a WARN naming the other cursor, which is kept: changing
// back resumes it without emitting anything again. The service's inputs
// are keyed the same way.
func TestEksLogsRun_SourceChangeStartsANewCursor(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	cw.CreateGroup(eksE2eGroup)
	ckpt := t.TempDir()
	env := eksAwsTestEnv(t, eksKeysEnv...)
	params := eksFastParams(cw.URL)
	params["start_from"] = "now"
	p := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://prod", params), env)
	p.waitFor(10*time.Second, "a poll", func() bool { return eksCountPolls(p.Stderr()) >= 1 })
	p.stop(10 * time.Second)
	// "eu-west-1" has its own cluster "demo" with half an hour of history
	// (the fake answers for every Region).
	hist := eksPutStreams(cw, "kube-apiserver-audit-", 50, 2, time.Now().Add(-30*time.Minute))
	params["aws_region"] = "eu-west-1"
	params["start_from"] = "-1h"
	p2 := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://prod", params), env)
	p2.waitFor(10*time.Second, "the new Region's hour", func() bool { return len(p2.Events()) >= len(hist) && eksCountPolls(p2.Stderr()) >= 2 })
	p2.stop(10 * time.Second)
	if n := len(p2.Events()); n != len(hist) {
		t.Errorf("after the Region change: %d of %d events of the new Region's last hour", n, len(hist))
	}
	if s := p2.Stderr(); !strings.Contains(s, "WARN the checkpoint holds a cursor of this log group and prefix for another source") || !strings.Contains(s, "region=us-east-1") {
		t.Errorf("no WARN naming the other source:\n%s", eksTail(s, 1500))
	}
	for _, e := range p2.Events() {
		if !strings.HasPrefix(e.Source, "eu-west-1:") {
			t.Fatalf("source %q", e.Source)
		}
	}
	out, _, _ := runEksLogs(t, "", env, "checkpoint", "show", "--stanza", "prod", "--checkpoint-dir", ckpt)
	if !strings.Contains(out, "region=us-east-1 principal=- endpoint="+cw.URL) || !strings.Contains(out, "region=eu-west-1") {
		t.Errorf("checkpoint show does not list both sources:\n%s", out)
	}
	// The service reading eu-west-1 under the same name resumes its cursor.
	svc := svcWriteConfig(t, "checkpoint_dir: "+ckpt+"\ninputs:\n"+strings.Replace(svcInput("prod", cw.URL, ""), "us-east-1", "eu-west-1", 1)+"sinks:\n  - type: stdout\n")
	if stdout, stderr, code := runEksLogs(t, "", svcEnv(t), "run", "--config", svc, "--once"); code != 0 || stdout != "" {
		t.Errorf("the service re-sent the Region's events (exit %d): %d bytes\n%s", code, len(stdout), stderr)
	}
	// Back to us-east-1: it resumes from its own cursor (start_from=now
	// then), so the history written since is not read.
	params["aws_region"] = "us-east-1"
	p3 := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://prod", params), env)
	p3.waitFor(10*time.Second, "two polls", func() bool { return eksCountPolls(p3.Stderr()) >= 2 })
	p3.stop(10 * time.Second)
	if n := len(p3.Events()); n != 0 || strings.Contains(p3.Stderr(), "another source") && !strings.Contains(p3.Stderr(), "region=eu-west-1") {
		t.Errorf("back in us-east-1: %d events (its cursor was at the first run's start)", n)
	}
}

// TestEksLogsRun_RaisingOverlapReEmitsNothing verifies that raising overlap
// from 30s to 10m between runs emits none of the events already delivered,
// and still picks up an event ingested late within the old overlap.
func TestEksLogsRun_RaisingOverlapReEmitsNothing(t *testing.T) {
	cw := cwfake.New()
	defer cw.Close()
	evs := eksPutStreams(cw, "kube-apiserver-audit-", 100, 2, time.Now())
	ckpt := t.TempDir()
	env := eksAwsTestEnv(t, eksKeysEnv...)
	params := eksFastParams(cw.URL)
	params["overlap"] = "30s"
	p := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://ov", params), env)
	p.waitFor(10*time.Second, "all", func() bool { return len(p.Events()) >= len(evs) && eksCountPolls(p.Stderr()) >= 1 })
	p.stop(10 * time.Second)
	late := cw.Put(cwfake.Event{Group: eksE2eGroup, Stream: "kube-apiserver-audit-late", Timestamp: time.Now().Add(-10 * time.Second).UnixMilli(), Message: "late"})
	params["overlap"] = "10m"
	p2 := startEksLogs(t, eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://ov", params), env)
	p2.waitFor(10*time.Second, "a late sweep", func() bool { return strings.Contains(p2.Stderr(), " sweeps=1 ") })
	p2.stop(10 * time.Second)
	if got := p2.Events(); len(got) != 1 || got[0].Data != late[0].Message {
		t.Errorf("raising overlap 30s -> 10m emitted %d events, want only the late one", len(got))
	}
}
