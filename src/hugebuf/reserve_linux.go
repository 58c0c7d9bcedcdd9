//go:build linux && !race

package hugebuf

import (
	"bytes"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 and arm64 transparent huge page. The
// mapping is aligned to it so that every 2 MiB of it can be one page.
const hugePage = 2 << 20

// Reserve returns a Buffer of n bytes, or nil when n is not positive or
// the mapping would cost what the Go heap may need: callers then use the
// Go heap. Nothing is reserved under a limit on address space (ulimit -v),
// nor under strict overcommit (vm.overcommit_memory = 2), where the kernel
// charges the whole mapping against the commit limit, MAP_NORESERVE or
// not, and a reservation of unwritten pages could starve the Go heap and
// end the process with "runtime: out of memory".
func Reserve(n int) *Buffer {
	if n <= 0 || strictOvercommit() {
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

// overcommitSetting is the file that says how the kernel charges mappings
// (proc(5)): 0 heuristic, 1 always, 2 strict. A variable for the tests.
var overcommitSetting = "/proc/sys/vm/overcommit_memory"

// strictOvercommit reports whether the kernel charges every private
// writable mapping in full; unreadable means it might.
func strictOvercommit() bool {
	b, err := os.ReadFile(overcommitSetting)
	if err != nil {
		return true
	}
	return string(bytes.TrimSpace(b)) == "2"
}
