//go:build race

package searchcmd_test

const raceEnabled = true
