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
// SweepFrom (epoch ms) is where the next late sweep (see Poll) starts,
// unless the oldest remembered ID is later: overlap before the window end
// of the last sweep that completed, or earlier, where a sweep cut short
// stopped reading (markSwept). It is a time, not a distance from the
// watermark, so that a sweep cut short under one overlap resumes where it
// stopped under any other. The seen set keeps the IDs from there on. 0
// means none is recorded (a new cursor, a checkpoint of an earlier
// version): the next poll sweeps from overlap before the watermark.
//
// SweptTo (epoch ms) is the window end of the last sweep that read a
// page: the next poll whose window ends SweepInterval after it sweeps,
// and a sweep starts no later than overlap before it (which matters once
// the overlap was raised). 0: none.
type Cursor struct {
	checkpoint.Position // the times the checkpoint saves with the IDs
	seen                []checkpoint.Bucket
	size                int
}

// NewCursor returns a cursor that starts at start (epoch ms).
func NewCursor(start int64) *Cursor {
	return &Cursor{Position: checkpoint.Position{Watermark: start, Floor: start, SeenFrom: start}}
}

// RestoreCursor rebuilds a cursor from its saved form (checkpoint.Cursor
// is the one saved-cursor type; Saved produces it).
func RestoreCursor(saved checkpoint.Cursor) *Cursor {
	c := &Cursor{Position: saved.Position}
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
// overlap before the watermark (or before the newest remembered event when
// the watermark has run past it) and older than where the next sweep
// starts. SeenFrom moves up to that limit.
func (c *Cursor) prune(overlapMs int64) {
	ref := c.Watermark
	if n := c.newest(); n >= 0 && n < ref {
		ref = n
	}
	limit := max(min(ref-overlapMs, c.sweepStart(overlapMs)), c.Floor, 0)
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
// be a late sweep: none is recorded, the window end has run intervalMs or
// more past the last sweep's, or a sweep was cut short before it read up
// to overlap before its window end (or the overlap was lowered since):
// then the next poll sweeps on.
func (c *Cursor) sweepDue(end, overlapMs, intervalMs int64) bool {
	return c.SweepFrom == 0 || c.SweptTo == 0 || end-c.SweptTo >= intervalMs || c.SweepFrom < c.SweptTo-overlapMs
}

// swept records that a late sweep whose window ends at end completed: the
// next starts overlap before that end.
func (c *Cursor) swept(end, overlapMs int64) {
	c.SweptTo, c.SweepFrom = end, end-overlapMs
}

// sweepStart is where the next late sweep starts, before the floor and
// the oldest remembered ID bound it: SweepFrom, or overlap before SweptTo
// if that is earlier (the overlap was raised since), or overlap before the
// watermark when no sweep is recorded.
func (c *Cursor) sweepStart(overlapMs int64) int64 {
	if c.SweepFrom == 0 {
		return c.Watermark - overlapMs
	}
	if c.SweptTo != 0 {
		return min(c.SweepFrom, c.SweptTo-overlapMs)
	}
	return c.SweepFrom
}

// start is where the next query begins: for a late sweep, sweepStart; for
// any other poll, the watermark. Never before the floor, the oldest
// remembered ID, nor the epoch.
func (c *Cursor) start(overlapMs int64, sweep bool) int64 {
	from := c.Watermark
	if sweep {
		from = c.sweepStart(overlapMs)
	}
	return max(from, c.Floor, c.SeenFrom, 0)
}

// markSwept records that a late sweep whose window ends at end has read
// every page up to timestamp read (epoch ms). The next sweep must then
// start no later than overlap before end (for events ingested after this
// sweep began: later than that they are beyond the overlap) and no later
// than read (for those ingested before, which this sweep has not read
// past read; those earlier than its start were beyond the overlap), so
// SweepFrom becomes the earlier of the two. Within a sweep it only moves
// up; from one sweep to the next it may move back, to where a sweep that
// began earlier (a raised overlap) stopped.
func (c *Cursor) markSwept(read, end, overlapMs int64) {
	c.SweptTo, c.SweepFrom = end, min(end-overlapMs, read)
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
	if c.SweepFrom != 0 {
		// Kept, not cleared: late events ingested since the last sweep
		// still wait for a sweep from there (Poll sweeps after a rewind).
		// A sweep end set by the clock that was ahead comes back too.
		c.SweepFrom = min(c.SweepFrom, back)
		c.SweptTo = min(c.SweptTo, safe)
	}
	// A floor past safe was set by the same clock (start_from resolved
	// while it was ahead): it must not hide the overlap either.
	c.Floor = min(c.Floor, back)
	c.SeenFrom = min(c.SeenFrom, back)
	return safe
}

// Saved returns the cursor of query q as the checkpoint saves it, with
// q's key: buckets in timestamp order, hashes sorted. It is a copy: later
// polls do not change it.
//
// The watermark saved is at most overlapMs after SweepFrom (and never
// before the floor): an earlier version of eks_logs ignores SweepFrom and
// reads overlap before the watermark on every poll, so it then reads
// what the next sweep would have. This version, resumed from it, reads
// that stretch again from the watermark once, dropping what it remembers.
func (c *Cursor) Saved(q Query, overlapMs int64) checkpoint.Cursor {
	out := checkpoint.Cursor{Position: c.Position, Seen: slices.Clone(c.seen)}
	if c.SweepFrom != 0 {
		out.Watermark = max(min(c.Watermark, c.sweepStart(overlapMs)+overlapMs), min(c.Floor, c.Watermark))
	}
	if out.Seen == nil {
		out.Seen = []checkpoint.Bucket{}
	}
	out.SetKey(q.Key())
	return out
}
