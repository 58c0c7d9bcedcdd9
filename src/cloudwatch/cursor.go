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
//
// The seen set is a slice of buckets in timestamp order, each holding its
// hashes sorted: events arrive mostly in timestamp order, so a new bucket
// is most often appended, pruning cuts a prefix, and Saved copies the
// bucket headers instead of gathering and sorting every ID held (which
// made each page's checkpoint cost grow with the whole overlap window). A
// bucket's hashes are never changed in place (an add or remove makes a new
// slice), so the copies Saved hands out share them safely.
type Cursor struct {
	Watermark int64
	Floor     int64
	SeenFrom  int64
	seen      []checkpoint.Bucket
	size      int
}

// NewCursor returns a cursor that starts at start (epoch ms).
func NewCursor(start int64) *Cursor {
	return &Cursor{Watermark: start, Floor: start, SeenFrom: start}
}

// RestoreCursor rebuilds a cursor from its saved form (checkpoint.Cursor
// is the one saved-cursor type; Saved produces it).
func RestoreCursor(saved checkpoint.Cursor) *Cursor {
	c := &Cursor{Watermark: saved.Watermark, Floor: saved.Floor, SeenFrom: saved.SeenFrom}
	// Decode checked the buckets' order; their hashes are sorted here,
	// whatever wrote them, without adding them one by one (quadratic in a
	// bucket's size).
	for _, b := range saved.Seen {
		ids := slices.Compact(slices.Sorted(slices.Values(b.IDs)))
		if len(ids) == 0 {
			continue
		}
		if n := len(c.seen); n > 0 && c.seen[n-1].Timestamp == b.Timestamp {
			c.size -= len(c.seen[n-1].IDs)
			ids = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(c.seen[n-1].IDs), ids...))))
			c.seen[n-1].IDs = ids
		} else {
			c.seen = append(c.seen, checkpoint.Bucket{Timestamp: b.Timestamp, IDs: ids})
		}
		c.size += len(ids)
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
	i, ok := c.bucket(ts)
	if !ok {
		return false
	}
	_, ok = slices.BinarySearch(c.seen[i].IDs, IDHash(id))
	return ok
}

// bucket finds the bucket of ts, or where it would go.
func (c *Cursor) bucket(ts int64) (int, bool) {
	if n := len(c.seen); n == 0 || c.seen[n-1].Timestamp < ts {
		return n, false // the common case: a newer event
	}
	return slices.BinarySearchFunc(c.seen, ts, func(b checkpoint.Bucket, ts int64) int { return cmp.Compare(b.Timestamp, ts) })
}

// Len returns the number of IDs held.
func (c *Cursor) Len() int { return c.size }

func (c *Cursor) add(ts int64, id string) { c.addHash(ts, IDHash(id)) }

func (c *Cursor) addHash(ts int64, h uint64) {
	i, ok := c.bucket(ts)
	if !ok {
		c.seen = slices.Insert(c.seen, i, checkpoint.Bucket{Timestamp: ts, IDs: []uint64{h}})
		c.size++
		return
	}
	ids := c.seen[i].IDs
	j, found := slices.BinarySearch(ids, h)
	if found {
		return
	}
	// A new slice: Saved's copies may hold the old one.
	c.seen[i].IDs = slices.Insert(slices.Clip(ids), j, h)
	c.size++
}

func (c *Cursor) remove(ts int64, id string) {
	i, ok := c.bucket(ts)
	if !ok {
		return
	}
	ids := c.seen[i].IDs
	j, found := slices.BinarySearch(ids, IDHash(id))
	if !found {
		return
	}
	c.size--
	if len(ids) == 1 {
		c.seen = slices.Delete(c.seen, i, i+1)
		return
	}
	c.seen[i].IDs = slices.Delete(slices.Clone(ids), j, j+1)
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
	if n := len(c.seen); n > 0 {
		return c.seen[n-1].Timestamp
	}
	return -1
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
	k, _ := c.bucket(limit)
	for _, b := range c.seen[:k] {
		c.size -= len(b.IDs)
	}
	// Cutting the prefix in place would keep its memory until the slice
	// is next reallocated; the remaining headers are few bytes each.
	c.seen = slices.Delete(c.seen, 0, k)
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
	out := checkpoint.Cursor{Watermark: c.Watermark, Floor: c.Floor, SeenFrom: c.SeenFrom, Seen: slices.Clone(c.seen)}
	if out.Seen == nil {
		out.Seen = []checkpoint.Bucket{}
	}
	out.SetKey(q.Key())
	return out
}
