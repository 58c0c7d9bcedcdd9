package searchcmd_test

import (
	"bytes"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/searchcmd"
)

var (
	streamOnce sync.Once
	stream     []byte
	streamErr  error
)

const benchRecords = 50_000

func benchStream(b *testing.B) []byte {
	b.Helper()
	streamOnce.Do(func() {
		recs, err := benchdata.Records(filepath.Join("..", "..", "app", "samples", "eks_audit_events.jsonl"), benchRecords)
		if err != nil {
			streamErr = err
			return
		}
		stream, _ = benchdata.Stream(recs, benchRecords, []byte(`{"action":"getinfo","searchinfo":{"args":[]}}`))
	})
	if streamErr != nil {
		b.Fatal(streamErr)
	}
	return stream
}

// BenchmarkServe runs one 50,000-record chunk through the whole command in
// process: framing, CSV decoding, enrichment, encoding.
func BenchmarkServe(b *testing.B) {
	data := benchStream(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cmd := searchcmd.New(filepath.Join("..", "..", "lookups"))
		if err := chunked.Serve(b.Context(), bytes.NewReader(data), io.Discard, cmd, chunked.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestExecute_ParallelMatchesSequential verifies splitting a chunk among
// goroutines changes nothing in the reply.
func TestExecute_ParallelMatchesSequential(t *testing.T) {
	recs, err := benchdata.Records(filepath.Join("..", "..", "app", "samples", "eks_audit_events.jsonl"), 9000)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := benchdata.Stream(recs, 9000, []byte(`{"action":"getinfo","searchinfo":{"args":[]}}`))
	var replies [2]bytes.Buffer
	for k, n := range []int{1, 4} {
		cmd := searchcmd.New(filepath.Join("..", "..", "lookups"))
		cmd.SetParallelism(n)
		if err := chunked.Serve(t.Context(), bytes.NewReader(data), &replies[k], cmd, chunked.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(replies[0].Bytes(), replies[1].Bytes()) {
		t.Error("four goroutines wrote a different reply than one")
	}
	if replies[0].Len() < len(data) {
		t.Errorf("reply of %d bytes for %d bytes of input", replies[0].Len(), len(data))
	}
}
