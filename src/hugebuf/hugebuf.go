// Package hugebuf reserves address space for a large byte buffer outside
// the Go heap, backed by transparent huge pages where the kernel offers
// them, so that filling a buffer of a chunk's size costs a page fault per
// 2 MiB rather than per 4 KiB.
//
// Why: a process touching fresh memory pays one page fault per page, and
// on a virtual machine each costs far more than on bare metal. On the
// bench machine (a 2-core Firecracker VM, Linux 6.18, THP "madvise"), 64
// MiB touched in 4 KiB pages took 350–400 ms and in 2 MiB pages 5–6 ms;
// reading one 27 MB chunk into fresh Go heap memory took about 0.25 s.
// The Go runtime does not ask for huge pages for its heap (it stopped in
// Go 1.21.1), so the buffers that hold whole chunks are mapped here.
//
// Where the kernel has transparent huge pages off ("never", as Splunk's
// own docs advise for splunkd's hosts), the mapping still works, in 4 KiB
// pages: it is then only a buffer that is never copied when it grows,
// since its whole size is reserved up front and only the pages written
// take memory.
package hugebuf

// Buffer is Cap bytes of reserved address space. Only the pages written
// take memory; once written, they stay until the Buffer is collected.
type Buffer struct {
	mem []byte
}

// Cap returns how many bytes the buffer can hold.
func (b *Buffer) Cap() int { return len(b.mem) }

// Bytes returns the buffer's first n bytes (0 ≤ n ≤ Cap), keeping what
// was written there before. The slice is valid as long as b is reachable:
// the mapping is released when b is garbage collected, so a string made
// from the slice with unsafe must not outlive b.
func (b *Buffer) Bytes(n int) []byte { return b.mem[:n:n] }
