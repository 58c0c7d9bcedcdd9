//go:build linux

package chunked_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	b, _ := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if max, err := strconv.Atoi(strings.TrimSpace(string(b))); err != nil || max < chunked.PipeBuffer {
		t.Skipf("pipe-max-size %q is below %d", b, chunked.PipeBuffer)
	}
	chunked.GrowPipe(w)
	// Both ends share the one buffer.
	if got := pipeSize(t, r); got != chunked.PipeBuffer {
		t.Errorf("pipe buffer %d after GrowPipe, want %d", got, chunked.PipeBuffer)
	}
	// Neither a regular file nor a non-file changes or breaks anything.
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunked.GrowPipe(f)
	chunked.GrowPipe(&bytes.Buffer{})
	chunked.GrowPipe(nil)
	if _, err := f.WriteString("still writable"); err != nil {
		t.Error(err)
	}
}
