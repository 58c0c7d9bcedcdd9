package cloudwatch

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kubelens/kubelens/src/checkpoint"
)

// seenModel is the seen set as plainly as it can be written: the reference
// the cursor's sorted buckets are checked against.
type seenModel map[int64]map[uint64]bool

func (m seenModel) buckets() []checkpoint.Bucket {
	out := []checkpoint.Bucket{}
	for _, ts := range slices.Sorted(maps.Keys(m)) {
		if len(m[ts]) > 0 {
			out = append(out, checkpoint.Bucket{Timestamp: ts, IDs: slices.Sorted(maps.Keys(m[ts]))})
		}
	}
	return out
}

func (m seenModel) size() int {
	n := 0
	for _, b := range m {
		n += len(b)
	}
	return n
}

// TestCursor_SeenSetAgainstModel drives the cursor's seen set and the
// model with the same random adds (in and out of timestamp order, repeats),
// removes and prunes, and requires the same answers, the same saved
// buckets, and copies from Saved that later changes leave alone.
func TestCursor_SeenSetAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := 0; round < 200; round++ {
		c, m := NewCursor(0), seenModel{}
		type kept struct {
			saved checkpoint.Cursor
			want  []checkpoint.Bucket
		}
		var copies []kept
		var ts int64
		for op := 0; op < 300; op++ {
			switch r := rng.IntN(10); {
			case r < 6: // an event, mostly newer, sometimes late, sometimes again
				if rng.IntN(4) > 0 {
					ts += int64(rng.IntN(3))
				}
				at := ts - int64(rng.IntN(3))*int64(rng.IntN(2))
				id := fmt.Sprint(rng.IntN(40))
				c.add(at, id)
				if m[at] == nil {
					m[at] = map[uint64]bool{}
				}
				m[at][IDHash(id)] = true
			case r < 8: // an emit that failed
				at, id := ts-int64(rng.IntN(4)), fmt.Sprint(rng.IntN(40))
				c.remove(at, id)
				delete(m[at], IDHash(id))
			case r < 9:
				c.Watermark = max(c.Watermark, ts-int64(rng.IntN(3)))
				overlap := int64(rng.IntN(6))
				if rng.IntN(3) == 0 { // where the next sweep starts, sometimes none
					c.SweepFrom = max(0, ts-int64(rng.IntN(8)))
				}
				// What prune forgets: before the overlap ahead of the
				// watermark, or of the newest event when older, and before
				// where the next sweep starts.
				ref := c.Watermark
				if b := m.buckets(); len(b) > 0 {
					ref = min(ref, b[len(b)-1].Timestamp)
				}
				limit := ref - overlap
				if c.SweepFrom != 0 {
					limit = min(limit, c.SweepFrom)
				}
				limit = max(limit, c.Floor, 0)
				c.prune(overlap)
				for at := range m {
					if at < limit {
						delete(m, at)
					}
				}
				if c.SeenFrom < limit {
					t.Fatalf("round %d op %d: SeenFrom %d below the limit %d", round, op, c.SeenFrom, limit)
				}
			default:
				s := c.Saved(Query{}, 0)
				copies = append(copies, kept{s, m.buckets()})
			}
			at, id := ts-int64(rng.IntN(4)), fmt.Sprint(rng.IntN(40))
			if got, want := c.Has(at, id), m[at][IDHash(id)]; got != want {
				t.Fatalf("round %d op %d: Has(%d, %s) = %v, want %v", round, op, at, id, got, want)
			}
			if c.Len() != m.size() {
				t.Fatalf("round %d op %d: Len %d, want %d", round, op, c.Len(), m.size())
			}
		}
		if got, want := c.Saved(Query{}, 0).Seen, m.buckets(); got == nil || !slices.EqualFunc(got, want, sameBucket) {
			t.Fatalf("round %d: saved %v, want %v", round, got, want)
		}
		for i, k := range copies {
			if !slices.EqualFunc(k.saved.Seen, k.want, sameBucket) {
				t.Fatalf("round %d: copy %d changed after it was saved: %v, want %v", round, i, k.saved.Seen, k.want)
			}
		}
		// What Saved wrote, RestoreCursor reads back the same.
		back := RestoreCursor(c.Saved(Query{}, 0))
		if !slices.EqualFunc(back.Saved(Query{}, 0).Seen, m.buckets(), sameBucket) || back.Len() != m.size() {
			t.Fatalf("round %d: restored %v (%d), want %v", round, back.Saved(Query{}, 0).Seen, back.Len(), m.buckets())
		}
	}
}

func sameBucket(a, b checkpoint.Bucket) bool {
	return a.Timestamp == b.Timestamp && slices.Equal(a.IDs, b.IDs)
}

// TestRestoreCursor_UnsortedAndRepeated reads buckets whose hashes are out
// of order or repeated, and a timestamp given twice, as one sorted set.
func TestRestoreCursor_UnsortedAndRepeated(t *testing.T) {
	c := RestoreCursor(checkpoint.Cursor{Seen: []checkpoint.Bucket{
		{Timestamp: 8, IDs: []uint64{2}},
		{Timestamp: 5, IDs: []uint64{9, 3, 9, 1}},
		{Timestamp: 7, IDs: []uint64{}},
		{Timestamp: 8, IDs: []uint64{4, 2}},
	}})
	for _, h := range []uint64{1, 3, 9} {
		if i, ok := c.bucket(5); !ok || !slices.Contains(c.seen[i].IDs, h) {
			t.Errorf("hash %d at 5, given after a later bucket, is not remembered", h)
		}
	}
	want := []checkpoint.Bucket{{Timestamp: 5, IDs: []uint64{1, 3, 9}}, {Timestamp: 8, IDs: []uint64{2, 4}}}
	if got := c.Saved(Query{}, 0).Seen; !slices.EqualFunc(got, want, sameBucket) || c.Len() != 5 {
		t.Errorf("restored %v (%d IDs), want %v (5)", got, c.Len(), want)
	}
	// A bucket of a million IDs given in reverse restores, sorted.
	big := make([]uint64, 1_000_000)
	for i := range big {
		big[i] = uint64(len(big) - i)
	}
	if c := RestoreCursor(checkpoint.Cursor{Seen: []checkpoint.Bucket{{Timestamp: 1, IDs: big}}}); c.Len() != len(big) || !slices.IsSortedFunc(c.seen[0].IDs, cmp.Compare[uint64]) {
		t.Errorf("a big bucket restored to %d IDs", c.Len())
	}
}

// TestCursor_PageMerge adds pages out of timestamp order (late pages into
// the middle, a page at one millisecond, repeats across pages) and removes
// an undelivered one, against the model.
func TestCursor_PageMerge(t *testing.T) {
	c, m := NewCursor(0), seenModel{}
	page := func(from, step int64, n int, tag string) []Event {
		var p []Event
		for i := range n {
			p = append(p, Event{Timestamp: from + int64(i)*step, ID: fmt.Sprint(tag, i%7)})
		}
		return p
	}
	apply := func(p []Event, add bool) {
		if add {
			c.addPage(p)
		} else {
			c.removePage(p)
		}
		for _, e := range p {
			if m[e.Timestamp] == nil {
				m[e.Timestamp] = map[uint64]bool{}
			}
			if add {
				m[e.Timestamp][IDHash(e.ID)] = true
			} else {
				delete(m[e.Timestamp], IDHash(e.ID))
			}
		}
	}
	saved := c.Saved(Query{}, 0)
	if saved.Seen == nil {
		t.Fatal("an empty cursor saves a nil list of buckets, which encodes differently from an empty one")
	}
	apply(page(1000, 3, 50, "a"), true)
	apply(page(10, 1, 30, "late"), true)  // before every bucket
	apply(page(1001, 3, 50, "mid"), true) // between buckets
	apply(page(1000, 3, 50, "a"), true)   // all repeats
	apply(page(500, 0, 40, "same"), true) // one millisecond, 7 distinct IDs
	kept := c.Saved(Query{}, 0)
	want := m.buckets()
	apply(page(1001, 3, 50, "mid"), false) // undelivered
	apply(page(500, 0, 3, "same"), false)  // part of a bucket
	if got := c.Saved(Query{}, 0).Seen; !slices.EqualFunc(got, m.buckets(), sameBucket) || c.Len() != m.size() {
		t.Fatalf("after the pages: %v (%d), want %v (%d)", got, c.Len(), m.buckets(), m.size())
	}
	if !slices.EqualFunc(kept.Seen, want, sameBucket) {
		t.Fatal("a saved copy changed when a page was removed")
	}
}
