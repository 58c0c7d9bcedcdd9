package searchcmd

// SetTestHookRow sets a function run before each row is enriched.
func SetTestHookRow(f func(row int)) { testHookRow = f }

// SetMinBytesPerWorker sets how large a body must be per goroutine, and
// returns the previous value.
func SetMinBytesPerWorker(n int) int {
	old := minBytesPerWorker
	minBytesPerWorker = n
	return old
}
