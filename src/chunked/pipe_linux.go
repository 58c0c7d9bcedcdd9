//go:build linux

package chunked

import (
	"os"

	"golang.org/x/sys/unix"
)

// GrowPipe asks for size bytes of pipe buffer on f when f is an *os.File
// holding a pipe smaller than that. Nothing comes of it for a file that is
// not a pipe, for a size above pipe-max-size, or when the pipe's creator
// has used up its allowance (pipe-user-pages-soft; see DefaultPipeBuffer):
// the pipe then keeps its size, which works, only with more wakeups.
func GrowPipe(f any, size int) {
	file, ok := f.(*os.File)
	if !ok || size <= 0 {
		return
	}
	rc, err := file.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n < size {
			_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size)
		}
	})
}
