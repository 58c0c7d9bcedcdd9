package enrich_test

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

// BenchmarkEnrichSample enriches the bundled sample's events, from _raw, one
// Worker, one record per iteration: the per-record cost of enrichment
// alone, the protocol and CSV aside.
func BenchmarkEnrichSample(b *testing.B) {
	f, err := os.Open(filepath.Join("..", "..", "app", "samples", "eks_audit_events.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var recs []rec
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		recs = append(recs, rec{"_raw": {sc.Text()}, "source": {"us-east-1:/aws/eks/demo/cluster:kube-apiserver-audit-1"}})
	}
	w := enrich.New(shippedTables(b)).NewWorker()
	var out enrich.Output
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Enrich(recs[i%len(recs)], &out)
	}
}
