//go:build !linux || race

package hugebuf

// Reserve returns nil outside Linux, and under the race detector, which
// does not watch memory mapped outside the Go heap: callers use the Go
// heap.
func Reserve(n int) *Buffer { return nil }
