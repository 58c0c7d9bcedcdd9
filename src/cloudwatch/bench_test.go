package cloudwatch

import (
	"fmt"
	"testing"

	"github.com/kubelens/kubelens/src/checkpoint"
)

// BenchmarkPageCheckpoint is what every delivered page costs the
// checkpoint beyond its own events: Saved and checkpoint.Encode of a
// cursor remembering n IDs (the overlap window's events, 4 a millisecond),
// per ID remembered. The file's write comes on top (about 9 bytes an ID).
func BenchmarkPageCheckpoint(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		c := NewCursor(0)
		for i := range n {
			c.addHash(int64(i/4), IDHash(fmt.Sprint(i)))
		}
		b.Run(fmt.Sprintf("ids=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				st := checkpoint.State{Cursors: []checkpoint.Cursor{c.Saved(Query{})}}
				if _, err := checkpoint.Encode(st); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/id")
		})
	}
}
