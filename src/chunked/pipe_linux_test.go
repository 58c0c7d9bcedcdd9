//go:build linux

package chunked_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kubelens/kubelens/src/chunked"
)

func pipeSize(t *testing.T, f *os.File) int {
	t.Helper()
	n, err := unix.FcntlInt(f.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// growablePipe returns a pipe that can be grown to size here, or skips:
// pipe-max-size below it, or this user's pipe allowance spent (EPERM).
func growablePipe(t *testing.T, size int) (r, w *os.File) {
	t.Helper()
	b, _ := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if max, err := strconv.Atoi(strings.TrimSpace(string(b))); err != nil || max < size {
		t.Skipf("pipe-max-size %q is below %d", b, size)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	probe, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	defer pw.Close()
	if _, err := unix.FcntlInt(probe.Fd(), unix.F_SETPIPE_SZ, size); errors.Is(err, syscall.EPERM) {
		t.Skip("this user's pipe allowance (pipe-user-pages-soft) is spent")
	}
	return r, w
}

func TestGrowPipe(t *testing.T) {
	r, w := growablePipe(t, chunked.DefaultPipeBuffer)
	before := pipeSize(t, r)
	chunked.GrowPipe(w, before/2) // never shrinks
	if got := pipeSize(t, r); got != before {
		t.Errorf("asking for less changed the pipe from %d to %d", before, got)
	}
	chunked.GrowPipe(w, chunked.DefaultPipeBuffer)
	// Both ends share the one buffer.
	if got := pipeSize(t, r); got != chunked.DefaultPipeBuffer {
		t.Errorf("pipe buffer %d after GrowPipe, want %d", got, chunked.DefaultPipeBuffer)
	}
	// Neither a regular file nor a non-file changes or breaks anything.
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunked.GrowPipe(f, chunked.DefaultPipeBuffer)
	chunked.GrowPipe(&bytes.Buffer{}, chunked.DefaultPipeBuffer)
	chunked.GrowPipe(nil, chunked.DefaultPipeBuffer)
	if _, err := f.WriteString("still writable"); err != nil {
		t.Error(err)
	}
}

// TestServe_PipeBuffer: Serve grows its pipes by default and leaves them
// alone when Options.PipeBuffer is negative.
func TestServe_PipeBuffer(t *testing.T) {
	for _, c := range []struct {
		opt, ask int // ask: what Serve should ask for; 0 for nothing
	}{{0, chunked.DefaultPipeBuffer}, {-1, 0}, {1 << 17, 1 << 17}} {
		in, inW := growablePipe(t, chunked.DefaultPipeBuffer)
		before := pipeSize(t, in)
		inW.Close() // an empty stream: Serve returns at once
		var out bytes.Buffer
		if err := chunked.Serve(context.Background(), in, &out, nil, chunked.Options{PipeBuffer: c.opt}); err != nil {
			t.Fatal(err)
		}
		if got, want := pipeSize(t, in), max(before, c.ask); got != want {
			t.Errorf("PipeBuffer %d: pipe %d after Serve, want %d", c.opt, got, want)
		}
	}
}
