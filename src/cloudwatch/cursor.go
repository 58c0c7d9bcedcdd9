package cloudwatch

import (
	"cmp"
	"hash/fnv"
	"slices"
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

// SeenIDs are the hashed IDs emitted at one timestamp, as persisted.
type SeenIDs struct {
	Timestamp int64
	Hashes    []uint64
}

// NewCursor returns a cursor that starts at start (epoch ms).
func NewCursor(start int64) *Cursor {
	return &Cursor{Watermark: start, Floor: start, seen: map[int64]map[uint64]struct{}{}}
}

// RestoreCursor rebuilds a cursor from its persisted form.
func RestoreCursor(watermark, floor int64, seen []SeenIDs) *Cursor {
	c := &Cursor{Watermark: watermark, Floor: floor, seen: map[int64]map[uint64]struct{}{}}
	for _, s := range seen {
		for _, h := range s.Hashes {
			c.addHash(s.Timestamp, h)
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

// Seen returns the seen set in timestamp order, hashes sorted, for
// persisting.
func (c *Cursor) Seen() []SeenIDs {
	out := make([]SeenIDs, 0, len(c.seen))
	for ts, b := range c.seen {
		hs := make([]uint64, 0, len(b))
		for h := range b {
			hs = append(hs, h)
		}
		slices.Sort(hs)
		out = append(out, SeenIDs{Timestamp: ts, Hashes: hs})
	}
	slices.SortFunc(out, func(a, b SeenIDs) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	return out
}
