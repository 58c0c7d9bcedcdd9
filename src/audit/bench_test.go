package audit_test

import (
	"testing"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/benchdata"
)

// BenchmarkParse is the JSON reading of one audit event, cycling through
// 1,000 generated ones (about 1.3 KB on average, some with request and
// response objects).
func BenchmarkParse(b *testing.B) {
	evs := benchdata.Events(1000, 1)
	size := 0
	for _, e := range evs {
		size += len(e.Raw)
	}
	var p audit.Parser
	b.SetBytes(int64(size / len(evs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := p.Parse(evs[i].Raw); err != nil {
			b.Fatal(err)
		}
		i = (i + 1) % len(evs)
	}
}
