package enrich_test

import (
	"testing"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/enrich"
)

// BenchmarkEnrich is one record's enrichment with the shipped lookups,
// cycling through 1,000 generated EKS audit records with every field
// splunkd sends.
func BenchmarkEnrich(b *testing.B) {
	evs := benchdata.Events(1000, 1)
	recs := make([]rec, len(evs))
	for i := range evs {
		recs[i] = rec{}
		for f := benchdata.Field(0); int(f) < benchdata.NumFields; f++ {
			if v := evs[i].Values(f); v != nil {
				recs[i][f.Name()] = v
			}
		}
	}
	w := enrich.New(shippedTables(b)).NewWorker()
	var out enrich.Output
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w.Enrich(recs[i], &out)
		i = (i + 1) % len(recs)
	}
}
