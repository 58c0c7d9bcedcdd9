package cloudwatch

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kubelens/kubelens/src/checkpoint"
)

// windowCursor remembers n events, perMs to a millisecond, from time 0.
func windowCursor(n, perMs int) *Cursor {
	c := NewCursor(0)
	ids := make([]seenID, n)
	for i := range ids {
		ids[i] = seenID{int64(i / perMs), IDHash(fmt.Sprint(i))}
	}
	c.addIDs(ids)
	return c
}

// BenchmarkPageCheckpoint is what a whole checkpoint costs: Saved and
// checkpoint.Encode of a cursor remembering n IDs (the overlap window's
// events), one or four to a millisecond, per ID remembered; B/id is the
// checkpoint's size per ID. Every page paid it before the journal; now a
// page pays Saved and its journal record (checkpoint's BenchmarkPageSave),
// and a base like this is written once the journal outgrows the last one.
func BenchmarkPageCheckpoint(b *testing.B) {
	for _, perMs := range []int{1, 4} {
		for _, n := range []int{100_000, 1_000_000} {
			c := windowCursor(n, perMs)
			b.Run(fmt.Sprintf("ids=%d/per_ms=%d", n, perMs), func(b *testing.B) {
				b.ReportAllocs()
				var size int
				for b.Loop() {
					st := checkpoint.State{Cursors: []checkpoint.Cursor{c.Saved(Query{}, 0)}}
					f, err := checkpoint.Encode(st)
					if err != nil {
						b.Fatal(err)
					}
					size = len(f)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/id")
				b.ReportMetric(float64(size)/float64(n), "B/id")
			})
		}
	}
}

// BenchmarkLatePage merges a page of 780 late events (a minute's worth,
// spread over it) into the middle of a 10-minute window of 600,000 events:
// one pass over the newer buckets, not one move of them per event.
func BenchmarkLatePage(b *testing.B) {
	base := windowCursor(600_000, 1)
	page := make([]Event, 780)
	for i := range page {
		page[i] = Event{Timestamp: 240_000 + int64(i)*77, ID: fmt.Sprint("late-", i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c := &Cursor{seen: slices.Clone(base.seen), size: base.size} // addPage writes over its buckets
		b.StartTimer()
		c.addPage(page)
	}
}
