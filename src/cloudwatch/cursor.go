package cloudwatch

import (
	"cmp"
	"hash/fnv"
	"slices"

	"github.com/kubelens/kubelens/src/checkpoint"
)

// Cursor is the position of one query (a source: see Query.Key).
//
// Watermark (epoch ms) only moves forward while polling: to the timestamp
// of the last event of each delivered page (results come sorted by
// timestamp, so every visible event before it has been seen) and to the
// window end once a query completes. Floor is the configured start: no
// query starts before it, so a re-read never emits events older than what
// the admin asked for.
//
// The seen set holds a 64-bit FNV-1a hash of each emitted eventId, keyed by
// the event timestamp, for every emitted event at or after SeenFrom; a
// collision would need two events in the same millisecond with the same
// 64-bit hash. No query starts before SeenFrom, so a re-read never emits
// an event whose ID was forgotten: raising the overlap widens the re-read
// only as the remembered IDs come to cover it.
//
// Pruning keeps the IDs of the overlap before the newest emitted event even
// when the watermark has run further (an idle log group, or a host clock
// that was ahead): Rewind can then go back to that event without emitting
// anything twice.
type Cursor struct {
	Watermark int64
	Floor     int64
	SeenFrom  int64
	seen      map[int64]map[uint64]struct{}
	size      int
}

// NewCursor returns a cursor that starts at start (epoch ms).
func NewCursor(start int64) *Cursor {
	return &Cursor{Watermark: start, Floor: start, SeenFrom: start, seen: map[int64]map[uint64]struct{}{}}
}

// RestoreCursor rebuilds a cursor from its saved form (checkpoint.Cursor
// is the one saved-cursor type; Saved produces it).
func RestoreCursor(saved checkpoint.Cursor) *Cursor {
	c := &Cursor{Watermark: saved.Watermark, Floor: saved.Floor, SeenFrom: saved.SeenFrom, seen: map[int64]map[uint64]struct{}{}}
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

// newest returns the timestamp of the newest remembered event, or -1.
func (c *Cursor) newest() int64 {
	n := int64(-1)
	for ts := range c.seen {
		n = max(n, ts)
	}
	return n
}

// prune forgets IDs no re-read can reach any more: those older than the
// overlap before the watermark, or before the newest remembered event when
// the watermark has run past it. SeenFrom moves up to that limit.
func (c *Cursor) prune(overlapMs int64) {
	ref := c.Watermark
	if n := c.newest(); n >= 0 && n < ref {
		ref = n
	}
	limit := max(ref-overlapMs, c.Floor, 0)
	for ts, b := range c.seen {
		if ts < limit {
			c.size -= len(b)
			delete(c.seen, ts)
		}
	}
	c.SeenFrom = max(c.SeenFrom, limit)
}

// start is where the next query begins: overlap before the watermark, never
// before the floor, the oldest remembered ID, nor the epoch.
func (c *Cursor) start(overlapMs int64) int64 {
	return max(c.Watermark-overlapMs, c.Floor, c.SeenFrom, 0)
}

// Rewind moves the cursor back to safe (epoch ms), or to the newest
// remembered event if that is older, and returns where it now stands. It is
// for a watermark found ahead of the clock: what lies between the newest
// emitted event and the watermark was never read with the clock right. The
// floor and SeenFrom come back too, so that the overlap before the new
// watermark is read again: events whose IDs are remembered are dropped as
// usual, the others are emitted (at worst again, never lost).
func (c *Cursor) Rewind(safe int64, overlapMs int64) int64 {
	if n := c.newest(); n >= 0 {
		safe = min(safe, n)
	}
	safe = max(safe, 0)
	back := max(safe-overlapMs, 0)
	c.Watermark = safe
	// A floor past safe was set by the same clock (start_from resolved
	// while it was ahead): it must not hide the overlap either.
	c.Floor = min(c.Floor, back)
	c.SeenFrom = min(c.SeenFrom, back)
	return safe
}

// Saved returns the cursor of query q as the checkpoint saves it, with
// q's key: buckets in timestamp order, hashes sorted. It is a copy: later
// polls do not change it.
func (c *Cursor) Saved(q Query) checkpoint.Cursor {
	out := checkpoint.Cursor{Watermark: c.Watermark, Floor: c.Floor, SeenFrom: c.SeenFrom,
		Seen: make([]checkpoint.Bucket, 0, len(c.seen))}
	out.SetKey(q.Key())
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
