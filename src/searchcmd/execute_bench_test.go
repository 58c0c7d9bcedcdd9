package searchcmd_test

import (
	"bytes"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/searchcmd"
)

// cpuTime is the process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExecute enriches one 50,000-record chunk on one goroutine:
// splitting rows, reading inputs, enrichment and encoding the added cells,
// without framing or I/O. It reports wall and CPU time per record; on a
// shared machine the CPU time is the steadier of the two.
func BenchmarkExecute(b *testing.B) {
	data := benchStream(b)
	r := chunked.NewReader(bytes.NewReader(data))
	r.ReadChunk()
	c, err := r.ReadChunk()
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Clone(c.Body)
	cmd := searchcmd.New(filepath.Join("..", "..", "lookups"))
	if _, err := cmd.GetInfo(&chunked.GetInfoRequest{}); err != nil {
		b.Fatal(err)
	}
	cmd.SetParallelism(1)
	var t chunked.Table
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tb, err := chunked.DecodeTableInto(&t, body)
		if err != nil {
			b.Fatal(err)
		}
		start := cpuTime()
		b.StartTimer()
		var msgs chunked.Messages
		if err := cmd.Execute(b.Context(), tb, &msgs); err != nil {
			b.Fatal(err)
		}
		tb.CSVSize()
		b.StopTimer()
		cpu += cpuTime() - start
	}
	records := float64(b.N * benchRecords)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/records, "cpu-ns/record")
}
