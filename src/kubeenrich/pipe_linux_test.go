//go:build linux

package kubeenrich_test

import (
	"bytes"
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kubelens/kubelens/src/kubeenrich"
)

// TestMain_PipeBuffer: --pipe-buffer reaches the pipes splunkd gives, and
// 0 leaves them alone.
func TestMain_PipeBuffer(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want func(before int) int
	}{
		{"--pipe-buffer=0", func(before int) int { return before }},
		{"--pipe-buffer=128KiB", func(before int) int { return max(before, 128<<10) }},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := unix.FcntlInt(r.Fd(), unix.F_SETPIPE_SZ, 128<<10); errors.Is(err, syscall.EPERM) {
			t.Skip("this user's pipe allowance (pipe-user-pages-soft) is spent, or pipe-max-size is low")
		}
		// Back to the size a new pipe has, after the probe above.
		r.Close()
		w.Close()
		if r, w, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		before, _ := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
		w.Close() // no request: Main returns at once
		var out, errOut bytes.Buffer
		if code := kubeenrich.Main(t.Context(), []string{c.arg}, r, &out, &errOut); code != 0 {
			t.Fatalf("%s: exit %d, %s", c.arg, code, errOut.String())
		}
		if got, _ := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0); got != c.want(before) {
			t.Errorf("%s: pipe %d after Main, want %d", c.arg, got, c.want(before))
		}
		r.Close()
	}
}
