package chunked_test

import (
	"bufio"
	"io"
	"sync"
	"testing"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/chunked"
)

// benchRows is one execute body of make bench's small-chunk stream.
const benchRows = 10_000

var (
	benchBodyOnce sync.Once
	benchBody     []byte
)

func csvBody() []byte {
	benchBodyOnce.Do(func() { benchBody = benchdata.AppendBody(nil, benchdata.Events(benchRows, 1), benchdata.Full) })
	return benchBody
}

// BenchmarkDecodeTable is the CSV reader on 10,000 generated EKS audit
// records (46 fields and their __mv_ columns, about 27 MB).
func BenchmarkDecodeTable(b *testing.B) {
	body := csvBody()
	var t chunked.Table
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := chunked.DecodeTableInto(&t, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkWriteCSV is the CSV writer on the same table, as a reply is
// streamed: through a 256 KiB buffer.
func BenchmarkWriteCSV(b *testing.B) {
	body := csvBody()
	t, err := chunked.DecodeTable(body)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(io.Discard, 256<<10)
	b.SetBytes(int64(t.CSVSize()))
	b.ReportAllocs()
	for b.Loop() {
		if err := t.WriteCSV(w); err != nil {
			b.Fatal(err)
		}
		w.Flush()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
