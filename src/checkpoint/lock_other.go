//go:build !unix

package checkpoint

// lockFile is a no-op where flock is unavailable; splunkd runs one process
// per stanza anyway, the lock only guards against hand-started copies.
func lockFile(string) (func() error, error) { return func() error { return nil }, nil }
