//go:build !linux

package hugebuf

// Reserve returns nil outside Linux: callers use the Go heap.
func Reserve(n int) *Buffer { return nil }
