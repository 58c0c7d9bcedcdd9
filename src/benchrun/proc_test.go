package benchrun

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/passthrough"
)

// The test binary doubles as the commands Measure runs: a correct one and
// ones that break the protocol in the ways the harness must catch.
const fakeEnv = "KUBEBENCH_FAKE_COMMAND"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		os.Exit(fakeCommand(mode))
	}
	code := m.Run()
	if streamsDir != "" {
		os.RemoveAll(streamsDir)
	}
	os.Exit(code)
}

func fakeCommand(mode string) int {
	in, out := bufio.NewReader(os.Stdin), os.Stdout
	switch mode {
	case "passthrough", "extra", "fail-at-end":
		if err := passthrough.Run(in, out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if mode == "extra" {
			out.WriteString("chunked 1.0,17,0\n{\"finished\":true}")
		}
		if mode == "fail-at-end" {
			fmt.Fprintln(os.Stderr, "fake: failing at the end")
			return 3
		}
		return 0
	case "cat":
		io.Copy(out, in)
		return 0
	}
	// The other modes answer getinfo properly, then misbehave.
	r := chunked.NewReader(in)
	w := chunked.NewWriter(out)
	if _, err := r.ReadChunk(); err != nil {
		return 1
	}
	w.WriteChunk(passthrough.GetInfoReply, nil)
	for n := 1; ; n++ {
		c, err := r.ReadChunk()
		if err != nil {
			return 0
		}
		switch mode {
		case "exit-early":
			fmt.Fprintln(os.Stderr, "fake: giving up at the first execute")
			return 4
		case "error":
			w.WriteChunk([]byte(`{"finished":true,"error":"fake: broken"}`), nil)
			return 1
		case "always-finished":
			w.WriteChunk([]byte(`{"finished":true}`), c.Body)
		case "short-echo":
			w.WriteChunk([]byte(`{"finished":false}`), c.Body[:len(c.Body)-1])
		case "slow-first":
			if n == 1 {
				time.Sleep(40 * time.Millisecond) // the lazy loading the harness must see
			}
			finished := strings.Contains(string(c.Meta), "true")
			w.WriteChunk(fmt.Appendf(nil, `{"finished":%t}`, finished), c.Body)
		}
	}
}

var (
	streamsOnce sync.Once
	streamsDir  string
	streamsMan  *benchdata.Manifest
	streamsErr  error
)

// streams are small streams written once for every test of the package.
func streams(t *testing.T) (string, *benchdata.Manifest) {
	t.Helper()
	streamsOnce.Do(func() {
		streamsDir, streamsErr = os.MkdirTemp("", "benchrun-test-")
		if streamsErr == nil {
			streamsMan, streamsErr = benchdata.Write(streamsDir, benchdata.Options{Events: 600, Seed: 2, Streams: benchdata.StandardStreams(100, 300), StartupRecords: 20})
		}
	})
	if streamsErr != nil {
		t.Fatal(streamsErr)
	}
	return streamsDir, streamsMan
}

func fake(t *testing.T, mode string, echo bool) Command {
	t.Setenv(fakeEnv, mode)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Command{Name: "fake-" + mode, Argv: []string{exe}, Echo: echo}
}

func TestMeasure_PassThrough(t *testing.T) {
	dir, m := streams(t)
	for i := range m.Streams {
		s := &m.Streams[i]
		run, err := Measure(t.Context(), fake(t, "passthrough", true), dir, s)
		if err != nil {
			t.Fatal(err)
		}
		// The echo differs from the request only in its metadata and the
		// getinfo reply.
		if len(run.Execute) != len(s.Chunks)-1 || run.Wall <= 0 || run.GetInfo <= 0 || run.GetInfo > run.Wall || run.CPU <= 0 {
			t.Errorf("%s: %+v", s.Name, run)
		}
		if d := s.Bytes - run.ReplyBytes; d <= 0 || d > int64(len(s.Chunks))*1024 {
			t.Errorf("%s: replies of %d bytes for %d bytes of requests", s.Name, run.ReplyBytes, s.Bytes)
		}
		if usageKnown && run.MaxRSS < s.LargestChunk() {
			t.Errorf("%s: peak RSS %d under the largest chunk, %d", s.Name, run.MaxRSS, s.LargestChunk())
		}
	}
}

func TestMeasure_CatchesBrokenCommands(t *testing.T) {
	dir, m := streams(t)
	s := &m.Streams[0]
	for mode, want := range map[string]string{
		"cat":             "echoed the request",
		"exit-early":      "giving up at the first execute", // from its stderr
		"error":           "error reply: fake: broken",
		"always-finished": "finished is true for a request with finished false",
		"short-echo":      "echoed",
		"extra":           "bytes after the last reply",
		"fail-at-end":     "exit status 3",
	} {
		_, err := Measure(t.Context(), fake(t, mode, true), dir, s)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "benchrun: fake-"+mode+" on "+s.Name) {
			t.Errorf("%s: err = %v, want %q", mode, err, want)
		}
	}
}

// TestMeasure_FirstExecuteExtra: a command that is slow only at its first
// execute request shows it as the first reply's extra time.
func TestMeasure_FirstExecuteExtra(t *testing.T) {
	dir, m := streams(t)
	cmd := fake(t, "slow-first", true)
	series := Series{Command: cmd.Name, Stream: &m.Startup}
	for i := 0; i < 3; i++ {
		run, err := Measure(t.Context(), cmd, dir, &m.Startup)
		if err != nil {
			t.Fatal(err)
		}
		series.Runs = append(series.Runs, run)
	}
	// The first reply comes after the sleep; the extra time is the first
	// less the second, whose own jitter (a millisecond or so on a busy
	// machine) may take a little off the 40 ms.
	for _, r := range series.Runs {
		if r.Execute[0] < 40*time.Millisecond {
			t.Errorf("first execute took %v for a command that sleeps 40 ms there", r.Execute[0])
		}
	}
	if d := series.MedianFirstExtra(); d < 35*time.Millisecond {
		t.Errorf("first execute's extra time %v for a command that sleeps 40 ms there", d)
	}
}

func TestMeasure_Timeout(t *testing.T) {
	dir, m := streams(t)
	t.Setenv(fakeEnv, "passthrough")
	cmd := Command{Name: "sleeper", Argv: []string{"sleep", "30"}}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Measure(ctx, cmd, dir, &m.Streams[0]); err == nil {
		t.Fatal("a command that never answers measured without error")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("the timeout took %v", time.Since(start))
	}
}
