package hugebuf

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 and arm64 transparent huge page. The
// mapping is aligned to it so that every 2 MiB of it can be one page.
const hugePage = 2 << 20

// Reserve returns a Buffer of n bytes, or nil when the kernel refuses the
// mapping (strict overcommit, a limit on address space) or n is not
// positive: callers then use the Go heap. Under a limit on address space
// (ulimit -v), nothing is reserved, because the reservation would take
// address space the Go heap may need.
func Reserve(n int) *Buffer {
	if n <= 0 {
		return nil
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &lim); err != nil || lim.Cur != ^uint64(0) {
		return nil
	}
	size := n + hugePage
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	off := 0
	if a := addr(mem) % hugePage; a != 0 {
		off = int(hugePage - a)
	}
	b := &Buffer{mem: mem[off : off+n : off+n]}
	// Advice only: a kernel without THP, or with it off, says EINVAL and
	// the buffer works in 4 KiB pages.
	_ = syscall.Madvise(b.mem, syscall.MADV_HUGEPAGE)
	runtime.AddCleanup(b, func(m []byte) { _ = syscall.Munmap(m) }, mem)
	return b
}

// addr returns the address of b's first byte.
func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
