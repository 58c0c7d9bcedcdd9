//go:build linux

package chunked

import (
	"os"

	"golang.org/x/sys/unix"
)

// GrowPipe asks for PipeBuffer bytes of pipe buffer on f when f is an
// *os.File. Nothing comes of it for a file that is not a pipe, for a
// larger pipe, or when the user's pipes have used up their allowance
// (/proc/sys/fs/pipe-user-pages-soft): the pipe then keeps its size,
// which works, only with more wakeups.
func GrowPipe(f any) {
	file, ok := f.(*os.File)
	if !ok {
		return
	}
	rc, err := file.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n < PipeBuffer {
			_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, PipeBuffer)
		}
	})
}
