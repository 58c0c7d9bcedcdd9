//go:build !linux

package chunked

// GrowPipe does nothing here: only Linux lets a process resize a pipe it
// was given.
func GrowPipe(any, int) {}
