//go:build !linux

package checkpoint

import "os"

// datasync makes a journal append durable (fsync where there is no
// fdatasync to call from Go's syscall package).
func datasync(f *os.File) error { return f.Sync() }
