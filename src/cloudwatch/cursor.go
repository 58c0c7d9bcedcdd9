package cloudwatch

import (
	"cmp"
	"hash/fnv"
	"slices"

	"github.com/kubelens/kubelens/src/checkpoint"
)

// Cursor is the position of one query (log group and stream prefix).
//
// Watermark (epoch ms) only moves forward: to the timestamp of the last
// event of each delivered page (results come sorted by timestamp, so every
// visible event before it has been seen) and to the window end once a query
// completes. Floor is the configured start: no query starts before it, so a
// re-read never emits events older than what the admin asked for.
//
// The seen set holds a 64-bit FNV-1a hash of each emitted eventId, keyed by
// the event timestamp, for events not older than Watermark − overlap; a
// collision would need two events in the same millisecond with the same
// 64-bit hash.
type Cursor struct {
	Watermark int64
	Floor     int64
	seen      map[int64]map[uint64]struct{}
	size      int
}

// NewCursor returns a cursor that starts at start (epoch ms).
func NewCursor(start int64) *Cursor {
	return &Cursor{Watermark: start, Floor: start, seen: map[int64]map[uint64]struct{}{}}
}

// RestoreCursor rebuilds a cursor from its saved form (checkpoint.Cursor
// is the one saved-cursor type; Saved produces it).
func RestoreCursor(saved checkpoint.Cursor) *Cursor {
	c := &Cursor{Watermark: saved.Watermark, Floor: saved.Floor, seen: map[int64]map[uint64]struct{}{}}
	for _, b := range saved.Seen {
		for _, h := range b.IDs {
			c.addHash(b.Timestamp, h)
		}
	}
	return c
}

// IDHash is the hash the seen set keeps for an eventId.
func IDHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// Has reports whether the event was already emitted.
func (c *Cursor) Has(ts int64, id string) bool {
	_, ok := c.seen[ts][IDHash(id)]
	return ok
}

// Len returns the number of IDs held.
func (c *Cursor) Len() int { return c.size }

func (c *Cursor) add(ts int64, id string) { c.addHash(ts, IDHash(id)) }

func (c *Cursor) addHash(ts int64, h uint64) {
	b := c.seen[ts]
	if b == nil {
		b = map[uint64]struct{}{}
		c.seen[ts] = b
	}
	if _, ok := b[h]; !ok {
		b[h] = struct{}{}
		c.size++
	}
}

func (c *Cursor) remove(ts int64, id string) {
	b := c.seen[ts]
	h := IDHash(id)
	if _, ok := b[h]; ok {
		delete(b, h)
		c.size--
		if len(b) == 0 {
			delete(c.seen, ts)
		}
	}
}

// advance moves the watermark forward to ts; it never moves back.
func (c *Cursor) advance(ts int64) bool {
	if ts > c.Watermark {
		c.Watermark = ts
		return true
	}
	return false
}

// prune forgets IDs older than the earliest timestamp the next query can
// return: no re-read reaches them any more.
func (c *Cursor) prune(overlapMs int64) {
	limit := c.start(overlapMs)
	for ts, b := range c.seen {
		if ts < limit {
			c.size -= len(b)
			delete(c.seen, ts)
		}
	}
}

// start is where the next query begins: overlap before the watermark, never
// before the floor nor the epoch.
func (c *Cursor) start(overlapMs int64) int64 {
	return max(c.Watermark-overlapMs, c.Floor, 0)
}

// Saved returns the cursor of query q as the checkpoint saves it: buckets
// in timestamp order, hashes sorted. It is a copy: later polls do not
// change it.
func (c *Cursor) Saved(q Query) checkpoint.Cursor {
	out := checkpoint.Cursor{LogGroup: q.LogGroup, Prefix: q.Prefix, Watermark: c.Watermark, Floor: c.Floor,
		Seen: make([]checkpoint.Bucket, 0, len(c.seen))}
	for ts, b := range c.seen {
		hs := make([]uint64, 0, len(b))
		for h := range b {
			hs = append(hs, h)
		}
		slices.Sort(hs)
		out.Seen = append(out.Seen, checkpoint.Bucket{Timestamp: ts, IDs: hs})
	}
	slices.SortFunc(out.Seen, func(a, b checkpoint.Bucket) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	return out
}
