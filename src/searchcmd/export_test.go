package searchcmd

// SetTestHookRow sets a function run before each row is enriched.
func SetTestHookRow(f func(row int)) { testHookRow = f }
