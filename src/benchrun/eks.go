package benchrun

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

// EKSConfig says what EKSLogs measures.
type EKSConfig struct {
	// Binary is the built eks_logs.
	Binary string
	// Events are read without a call limit (max_calls_per_second = 1000,
	// the most the input accepts); LimitedEvents at 5 calls a second, the
	// FilterLogEvents quota. 0 skips a run.
	Events, LimitedEvents int
	// Seed picks the generated events whose _raw become the messages.
	Seed uint64
	// Timeout bounds each run.
	Timeout time.Duration
}

// EKSRun is one eks_logs run.
type EKSRun struct {
	CallsPerSecond int
	Events         int
	// AvgMessage is the messages' mean size in bytes.
	AvgMessage float64
	// FirstToLast is the time between the first and the last event on
	// stdout; Lifetime from the process's start to its exit after SIGTERM.
	FirstToLast, Lifetime time.Duration
	// CPU is the process's user plus system time.
	CPU time.Duration
}

// EventsPerSecond is the delivery rate once events flow.
func (r *EKSRun) EventsPerSecond() float64 {
	return float64(r.Events-1) / r.FirstToLast.Seconds()
}

// CPUPer100k is eks_logs's CPU seconds per 100,000 events.
func (r *EKSRun) CPUPer100k() float64 { return r.CPU.Seconds() / float64(r.Events) * 100_000 }

// CoreShare is the CPU time over the process's lifetime: 1 is one core.
func (r *EKSRun) CoreShare() float64 { return r.CPU.Seconds() / r.Lifetime.Seconds() }

// maxPageBytes is FilterLogEvents' page limit, which the fake keeps: 1 MB,
// counting each event as its message plus 26 bytes.
const maxPageBytes = 1 << 20

// PageCeiling is what five full pages a second carry of events of this
// run's mean size: the most polling within the quota can deliver.
func (r *EKSRun) PageCeiling() float64 {
	return 5 * float64(int(maxPageBytes/(r.AvgMessage+26)))
}

// EKSLogs runs the built eks_logs as splunkd would, against the
// CloudWatch Logs fake served from this process, and measures how fast
// events reach its stdout and the CPU the eks_logs process spends.
func EKSLogs(ctx context.Context, cfg EKSConfig) ([]EKSRun, error) {
	n := max(cfg.Events, cfg.LimitedEvents)
	if n == 0 {
		return nil, nil
	}
	cw := cwfake.New()
	defer cw.Close()
	g := benchdata.NewGenerator(cfg.Seed)
	// Spread over the last 50 minutes, inside start_from = -1h.
	first := time.Now().Add(-50 * time.Minute).UnixMilli()
	step := float64(45*time.Minute/time.Millisecond) / float64(n)
	evs := make([]cwfake.Event, n)
	var size int
	var e benchdata.Event
	for i := range evs {
		g.Next(&e)
		evs[i] = cwfake.Event{Group: benchdata.LogGroup, Stream: e.Stream, Timestamp: first + int64(float64(i)*step), Message: e.Raw}
		size += len(e.Raw)
	}
	cw.Put(evs...)
	avg := float64(size) / float64(n)
	var runs []EKSRun
	for _, x := range []struct{ calls, events int }{{1000, cfg.Events}, {5, cfg.LimitedEvents}} {
		if x.events == 0 {
			continue
		}
		r, err := eksRun(ctx, cfg, cw.URL, x.calls, x.events)
		if err != nil {
			return nil, err
		}
		r.AvgMessage = avg
		runs = append(runs, r)
	}
	return runs, nil
}

func eksRun(ctx context.Context, cfg EKSConfig, endpoint string, calls, events int) (EKSRun, error) {
	run := EKSRun{CallsPerSecond: calls, Events: events}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "kubelens-bench-eks-")
	if err != nil {
		return run, fmt.Errorf("benchrun: %w", err)
	}
	defer os.RemoveAll(dir)
	c, stdout, stderr, err := startEKSLogs(ctx, cfg.Binary, dir, map[string]string{
		"aws_region": benchdata.Region, "cluster_name": benchdata.Cluster, "endpoint_url": endpoint,
		"start_from": "-1h", "poll_interval": "1s", "lag": "0s", "max_backoff": "5s",
		"max_calls_per_second": strconv.Itoa(calls),
	})
	if err != nil {
		return run, err
	}
	start := time.Now()
	var firstAt, lastAt atomic.Int64
	reached := make(chan struct{})
	readDone := make(chan error, 1)
	go func() {
		readDone <- countEvents(stdout, events, func(n int) {
			now := time.Since(start)
			if n == 1 {
				firstAt.Store(int64(now))
			}
			lastAt.Store(int64(now))
			if n == events {
				close(reached)
			}
		})
	}()
	select {
	case <-reached:
	case err := <-readDone:
		c.Process.Kill()
		c.Wait()
		return run, fmt.Errorf("benchrun: eks_logs stopped before %d events: %v\n%s", events, err, stderr.String())
	case <-ctx.Done():
		c.Process.Kill()
		c.Wait()
		return run, fmt.Errorf("benchrun: eks_logs: %d events not read within %v\n%s", events, timeout, stderr.String())
	}
	c.Process.Signal(syscall.SIGTERM)
	<-readDone
	werr := c.Wait()
	run.Lifetime = time.Since(start)
	_, run.CPU = usage(c.ProcessState)
	run.FirstToLast = time.Duration(lastAt.Load() - firstAt.Load())
	if werr != nil {
		return run, fmt.Errorf("benchrun: eks_logs after SIGTERM: %w\n%s", werr, stderr.String())
	}
	return run, nil
}

// startEKSLogs starts eks_logs as splunkd runs a modular input, with
// params as its stanza and dir as its checkpoint_dir and HOME. The fake
// takes any key: nothing of the machine's AWS set-up is used. stderr
// keeps the last 4 KB of what it logs.
func startEKSLogs(ctx context.Context, binary, dir string, params map[string]string) (c *exec.Cmd, stdout io.ReadCloser, stderr *tail, err error) {
	c = exec.CommandContext(ctx, binary)
	c.Stdin = strings.NewReader(inputXML(dir, params))
	c.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
		"AWS_ACCESS_KEY_ID=AKIDKUBELENSBENCH000", "AWS_SECRET_ACCESS_KEY=kubelens-bench-fake",
	}
	stderr = &tail{max: 4096}
	c.Stderr = stderr
	if stdout, err = c.StdoutPipe(); err != nil {
		return nil, nil, nil, fmt.Errorf("benchrun: %w", err)
	}
	if err := c.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("benchrun: start eks_logs: %w", err)
	}
	return c, stdout, stderr, nil
}

// countEvents calls seen with the running count of events in the XML
// stream, up to want, then drains r. Event data is escaped, so "</event>"
// only ever closes an event.
func countEvents(r io.Reader, want int, seen func(n int)) error {
	closing := []byte("</event>")
	buf := make([]byte, 256<<10)
	carry := 0 // bytes kept from the previous read: a tag may straddle reads
	n := 0
	for {
		m, err := r.Read(buf[carry:])
		data := buf[:carry+m]
		for {
			i := bytes.Index(data, closing)
			if i < 0 {
				break
			}
			data = data[i+len(closing):]
			if n < want {
				n++
				seen(n)
			}
		}
		carry = copy(buf, data[max(0, len(data)-len(closing)+1):])
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// inputXML is the run-mode configuration splunkd writes to a modular
// input's stdin.
func inputXML(checkpointDir string, params map[string]string) string {
	var b strings.Builder
	el := func(name, v string) {
		b.WriteString("<" + name + ">")
		xml.EscapeText(&b, []byte(v))
		b.WriteString("</" + name + ">")
	}
	b.WriteString("<input>")
	el("server_host", "kubelens-bench")
	el("server_uri", "https://127.0.0.1:8089")
	el("session_key", "kubelens-bench-session")
	el("checkpoint_dir", checkpointDir)
	b.WriteString(`<configuration><stanza name="eks_logs://bench" app="kubelens">`)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		b.WriteString(`<param name="` + k + `">`)
		xml.EscapeText(&b, []byte(params[k]))
		b.WriteString("</param>")
	}
	b.WriteString("</stanza></configuration></input>")
	return b.String()
}
