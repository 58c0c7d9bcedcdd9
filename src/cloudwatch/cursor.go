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
// hashes sorted, so that Saved copies the bucket headers instead of
// gathering and sorting every ID held. A page's IDs are merged in at once
// (addIDs): one pass over the buckets from the page's oldest timestamp on,
// whatever the page holds, where inserting them one at a time moved every
// newer bucket for each late event and copied a bucket for each of its IDs.
// A bucket's hashes are never changed in place (a merge makes a new
// slice), so the copies Saved hands out share them safely.
//
// SweptTo (epoch ms) is the sweep mark: the next late sweep (see Poll)
// starts overlap before it, and the seen set keeps the IDs from there on.
// A sweep that completes sets it to its window end; one in progress moves
// it up as its pages are read (markSwept). 0 means no sweep is recorded
// (a new cursor, a checkpoint saved before sweeps, a rewind): the next poll
// sweeps from the watermark.
type Cursor struct {
	Watermark int64
	Floor     int64
	SeenFrom  int64
	SweptTo   int64
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
	c := &Cursor{Watermark: saved.Watermark, Floor: saved.Floor, SeenFrom: saved.SeenFrom, SweptTo: saved.SweptTo}
	// One merge of everything saved: sorted, repeats dropped, buckets in
	// order whatever order the file gave them in.
	n := 0
	for _, b := range saved.Seen {
		n += len(b.IDs)
	}
	ids := make([]seenID, 0, n)
	for _, b := range saved.Seen {
		for _, h := range b.IDs {
			ids = append(ids, seenID{Timestamp: b.Timestamp, Hash: h})
		}
	}
	c.addIDs(ids)
	return c
}

// IDHash is the hash the seen set keeps for an eventId.
func IDHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// Has reports whether the event was already emitted.
func (c *Cursor) Has(ts int64, id string) bool { return c.has(ts, IDHash(id)) }

// has is Has for an ID already hashed.
func (c *Cursor) has(ts int64, h uint64) bool {
	i, ok := c.bucket(ts)
	if !ok {
		return false
	}
	_, ok = slices.BinarySearch(c.seen[i].IDs, h)
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

// seenID is one remembered event: its timestamp (epoch ms) and IDHash.
type seenID struct {
	Timestamp int64
	Hash      uint64
}

// sortedSeen sorts ids by timestamp then hash, without repeats.
func sortedSeen(ids []seenID) []seenID {
	slices.SortFunc(ids, func(a, b seenID) int {
		return cmp.Or(cmp.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.Hash, b.Hash))
	})
	return slices.Compact(ids)
}

// sameTimestamp returns where the run of sorted ids at ids[i]'s timestamp
// ends.
func sameTimestamp(ids []seenID, i int) int {
	k := i + 1
	for k < len(ids) && ids[k].Timestamp == ids[i].Timestamp {
		k++
	}
	return k
}

// addPage remembers the events of a delivered page (the puller, which has
// hashed them already, calls addIDs).
func (c *Cursor) addPage(events []Event) { c.addIDs(seenIDs(events)) }

// removePage forgets the events of a page that was not delivered.
func (c *Cursor) removePage(events []Event) { c.removeIDs(seenIDs(events)) }

func seenIDs(events []Event) []seenID {
	ids := make([]seenID, len(events))
	for i, e := range events {
		ids[i] = seenID{Timestamp: e.Timestamp, Hash: IDHash(e.ID)}
	}
	return ids
}

func (c *Cursor) add(ts int64, id string) { c.addIDs([]seenID{{ts, IDHash(id)}}) }

func (c *Cursor) remove(ts int64, id string) { c.removeIDs([]seenID{{ts, IDHash(id)}}) }

// addIDs merges ids (in any order, repeats allowed) into the seen set in
// one pass over the buckets from the oldest of them on: a page in
// timestamp order touches only the newest bucket and appends.
func (c *Cursor) addIDs(ids []seenID) {
	if len(ids) == 0 {
		return
	}
	ids = sortedSeen(ids)
	first, _ := c.bucket(ids[0].Timestamp)
	// The buckets from first on, merged with ids, then written back over
	// them: Saved hands out clones, so nothing else holds c.seen.
	tail := make([]checkpoint.Bucket, 0, len(c.seen)-first+len(ids))
	j := first
	for i := 0; i < len(ids); {
		ts, k := ids[i].Timestamp, sameTimestamp(ids, i)
		for j < len(c.seen) && c.seen[j].Timestamp < ts {
			tail = append(tail, c.seen[j])
			j++
		}
		var old []uint64
		if j < len(c.seen) && c.seen[j].Timestamp == ts {
			old = c.seen[j].IDs
			j++
		}
		merged := mergeHashes(old, ids[i:k])
		c.size += len(merged) - len(old)
		tail = append(tail, checkpoint.Bucket{Timestamp: ts, IDs: merged})
		i = k
	}
	tail = append(tail, c.seen[j:]...)
	c.seen = append(c.seen[:first], tail...)
}

// mergeHashes returns the sorted union of old (sorted) and the hashes of
// add (sorted, one timestamp), in a new slice; old itself when add brings
// nothing new.
func mergeHashes(old []uint64, add []seenID) []uint64 {
	out := make([]uint64, 0, len(old)+len(add))
	i := 0
	for _, a := range add {
		for i < len(old) && old[i] < a.Hash {
			out = append(out, old[i])
			i++
		}
		if i < len(old) && old[i] == a.Hash {
			continue
		}
		out = append(out, a.Hash)
	}
	out = append(out, old[i:]...)
	if len(out) == len(old) {
		return old
	}
	return out
}

// removeIDs forgets ids (in any order): each bucket they touch is rebuilt
// once, and emptied buckets are dropped in one pass.
func (c *Cursor) removeIDs(ids []seenID) {
	if len(ids) == 0 {
		return
	}
	ids = sortedSeen(ids)
	emptied := false
	for i := 0; i < len(ids); {
		ts, k := ids[i].Timestamp, sameTimestamp(ids, i)
		if j, ok := c.bucket(ts); ok {
			old := c.seen[j].IDs
			kept := make([]uint64, 0, len(old))
			r := i
			for _, h := range old {
				for r < k && ids[r].Hash < h {
					r++
				}
				if r < k && ids[r].Hash == h {
					continue
				}
				kept = append(kept, h)
			}
			if len(kept) < len(old) {
				c.size -= len(old) - len(kept)
				c.seen[j].IDs = kept
				emptied = emptied || len(kept) == 0
			}
		}
		i = k
	}
	if emptied {
		c.seen = slices.DeleteFunc(c.seen, func(b checkpoint.Bucket) bool { return len(b.IDs) == 0 })
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
	if n := len(c.seen); n > 0 {
		return c.seen[n-1].Timestamp
	}
	return -1
}

// prune forgets IDs no re-read can reach any more: those older than the
// overlap before the watermark, or before the newest remembered event when
// the watermark has run past it, or before the sweep mark, whichever is
// oldest. SeenFrom moves up to that limit.
func (c *Cursor) prune(overlapMs int64) {
	ref := c.Watermark
	if n := c.newest(); n >= 0 && n < ref {
		ref = n
	}
	if c.SweptTo != 0 && c.SweptTo < ref {
		ref = c.SweptTo
	}
	limit := max(ref-overlapMs, c.Floor, 0)
	k, _ := c.bucket(limit)
	for _, b := range c.seen[:k] {
		c.size -= len(b.IDs)
	}
	// Cut, not moved: the prefix's memory goes when append next
	// reallocates; cleared now, it holds no hashes alive meanwhile.
	clear(c.seen[:k])
	c.seen = c.seen[k:]
	c.SeenFrom = max(c.SeenFrom, limit)
}

// sweepDue reports whether a poll whose window ends at end (epoch ms) must
// be a late sweep: no sweep is recorded, or the window has run
// intervalMs or more past the sweep mark.
func (c *Cursor) sweepDue(end, intervalMs int64) bool {
	return c.SweptTo == 0 || end-c.SweptTo >= intervalMs
}

// start is where the next query begins: for a late sweep, overlap before
// the sweep mark (the watermark when none is recorded); for any other
// poll, the watermark. Never before the floor, the oldest remembered ID,
// nor the epoch.
func (c *Cursor) start(overlapMs int64, sweep bool) int64 {
	from := c.Watermark
	if sweep {
		mark := c.SweptTo
		if mark == 0 {
			mark = c.Watermark
		}
		from = mark - overlapMs
	}
	return max(from, c.Floor, c.SeenFrom, 0)
}

// markSwept records that a late sweep whose window ends at end has read
// every page up to timestamp read (epoch ms). The next sweep must then
// start no later than overlap before end (for events ingested after this
// sweep began) and no later than read (for those ingested before, which
// this sweep has not read yet past read): the mark moves up to
// min(end, read + overlap), never back.
func (c *Cursor) markSwept(read, end, overlapMs int64) {
	c.SweptTo = max(c.SweptTo, min(end, read+overlapMs))
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
	c.SweptTo = 0 // the next poll sweeps from safe - overlap
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
	out := checkpoint.Cursor{Watermark: c.Watermark, Floor: c.Floor, SeenFrom: c.SeenFrom, SweptTo: c.SweptTo, Seen: slices.Clone(c.seen)}
	if out.Seen == nil {
		out.Seen = []checkpoint.Bucket{}
	}
	out.SetKey(q.Key())
	return out
}
