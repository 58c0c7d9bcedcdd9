package checkpoint

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"unsafe"

	"github.com/vmihailenco/msgpack/v5"
)

// The journal (<name>.journal) holds what changed since the base (<name>):
// one record per save, appended and fdatasynced, so that a page costs what
// it changed instead of every ID the checkpoint holds. A record is framed
//
//	[payload length, uint32 LE][CRC-32C of those 4 bytes, uint32 LE][CRC-32C of the payload, uint32 LE][payload]
//
// The length has a checksum of its own so that a length damaged in the
// middle of the journal, which claims to run past its end, is told from
// the last record cut short by a crash: both would otherwise read alike.
// and its payload is a msgpack record: the generation of the base it
// follows, its sequence number in the journal (1, 2, …), and per cursor
// of the new state the change from the one before. A crash in the middle
// of an append leaves a record cut short at the end, which reading stops
// at: the state is then the one of the save before.

// JournalFloor is the journal size below which a Store never compacts,
// however small the base. Without it a small base (a quiet log group, a
// few KB) would be rewritten every page or two, as its records are about
// as large: a base costs a temp file, renames and three fsyncs (0.43 ms
// for a tiny one on the development VM, BenchmarkPageSave's disk) where an
// append costs one write and an fdatasync (0.12 ms). With it, a start
// replays at most 1 MiB of records more than the base asks for: 15 ms
// (BenchmarkReplayJournal: 49 records of 800-event pages), and the two
// journals take at most 2 MiB more room. Past it the journal is compacted
// once it would outgrow the base: at most twice the base is read at a
// start, and each byte a page changes is written about twice, once in its
// record and once in the next base.
const JournalFloor = 1 << 20

// recordHeader is the length and the two checksums before each record's
// payload.
const recordHeader = 12

// record is one save's change (see the journal above).
type record struct {
	Gen     uint64 `msgpack:"gen"`
	Seq     uint64 `msgpack:"seq"`
	SavedAt int64  `msgpack:"saved_at_ms"`
	// NilCursors: the state has a nil Cursors (msgpack tells nil from
	// empty, and the journal must give back exactly what was saved).
	NilCursors bool          `msgpack:"nil_cursors,omitempty"`
	Cursors    []cursorDelta `msgpack:"cursors"`
}

// cursorDelta is one cursor of the new state, in its order: a change of
// the previous state's cursor From, or (From -1) a new cursor, whole, its
// buckets in Put. Cursors of the previous state no entry names are gone.
// Head is the cursor without its buckets (its source and times): the
// cursor's own type, so that a field added to Cursor is journaled too.
//
// The buckets change in three steps: those of the previous cursor before
// Cut go (the prune of the oldest IDs, however many buckets), then those
// at the timestamps in Removed, then each bucket of Put replaces the one
// at its timestamp or is inserted. A bucket that changed is written whole.
type cursorDelta struct {
	From int    `msgpack:"from"`
	Head Cursor `msgpack:"head"`
	// NilSeen: the cursor's Seen is nil (it then has no bucket left).
	NilSeen bool     `msgpack:"nil_seen,omitempty"`
	Cut     int64    `msgpack:"cut,omitempty"`
	Removed []int64  `msgpack:"removed,omitempty"`
	Put     []Bucket `msgpack:"put,omitempty"`
}

// diff returns the record that turns prev into st, and how much larger
// the encoded state grew (an estimate, exact for the buckets). It returns
// false when st cannot be expressed as a change (two cursors of one
// source, buckets out of order, a negative time): a full save then writes
// it as it is, and Load judges it as it did before the journal.
//
// A bucket is unchanged when it has the same timestamp and the very same
// IDs slice (backing array and length): the cursor never changes a
// bucket's IDs in place, a change makes a new slice. prev holds the old
// slices, so their memory cannot be reused for a new one meanwhile.
// The walk is over bucket headers, O(buckets); only the buckets that
// changed are encoded.
func diff(prev, st *State) (record, int, bool) {
	rec := record{SavedAt: st.SavedAt, NilCursors: st.Cursors == nil, Cursors: make([]cursorDelta, 0, len(st.Cursors))}
	if st.SavedAt < 0 {
		return rec, 0, false
	}
	idx := make(map[Key]int, len(prev.Cursors))
	for i := range prev.Cursors {
		idx[prev.Cursors[i].Key()] = i
	}
	if len(idx) != len(prev.Cursors) {
		return rec, 0, false
	}
	used := make([]bool, len(prev.Cursors))
	grow := 0
	for i := range st.Cursors {
		c := &st.Cursors[i]
		if c.Position.check() != nil {
			return rec, 0, false
		}
		cd := cursorDelta{From: -1, Head: *c, NilSeen: c.Seen == nil}
		cd.Head.Seen = nil
		j, ok := idx[c.Key()]
		switch {
		case !ok:
			if !ordered(c.Seen) {
				return rec, 0, false
			}
			cd.Put = c.Seen
			grow += cursorSize(c)
		case used[j]:
			return rec, 0, false // the source of another cursor of st
		default:
			used[j] = true
			cd.From = j
			g, ok := diffSeen(prev.Cursors[j].Seen, c.Seen, &cd)
			if !ok {
				return rec, 0, false
			}
			grow += g
		}
		rec.Cursors = append(rec.Cursors, cd)
	}
	for j, u := range used {
		if !u {
			grow -= cursorSize(&prev.Cursors[j])
		}
	}
	return rec, grow, true
}

// diffSeen walks the old and new buckets (both in timestamp order) and
// writes the change into cd; it returns the growth in encoded bytes, and
// false if the new buckets are out of order or before the epoch.
func diffSeen(o, n []Bucket, cd *cursorDelta) (int, bool) {
	grow := 0
	kept := false // an old bucket stayed: removals from here on are not a prefix
	slow := 0     // buckets to walk one by one before comparing a run again
	i, j := 0, 0
	take := func() bool { // n[j] is next: is it in order?
		return n[j].Timestamp >= 0 && (j == 0 || n[j].Timestamp > n[j-1].Timestamp)
	}
	for i < len(o) || j < len(n) {
		switch {
		case j == len(n) || (i < len(o) && o[i].Timestamp < n[j].Timestamp):
			grow -= bucketSize(&o[i])
			if !kept && o[i].Timestamp < math.MaxInt64 {
				cd.Cut = o[i].Timestamp + 1
			} else {
				cd.Removed = append(cd.Removed, o[i].Timestamp)
			}
			i++
		case i == len(o) || n[j].Timestamp < o[i].Timestamp:
			if !take() {
				return 0, false
			}
			cd.Put = append(cd.Put, n[j])
			grow += bucketSize(&n[j])
			j++
		default:
			if !take() {
				return 0, false
			}
			kept = true
			// Most buckets are untouched: compare them a run at a time, as
			// memory (a run that differs is then walked bucket by bucket).
			if slow > 0 {
				slow--
			} else if k := min(len(o)-i, len(n)-j, 256); k > 1 {
				if sameRun(o[i:i+k], n[j:j+k]) {
					i += k
					j += k
					continue
				}
				slow = k
			}
			if !sameBucket(&o[i], &n[j]) {
				cd.Put = append(cd.Put, n[j])
				grow += bucketSize(&n[j]) - bucketSize(&o[i])
			}
			i++
			j++
		}
	}
	return grow, true
}

// sameBucket reports whether b is a at the same timestamp with the very
// same IDs slice (see diff); nil and empty differ, as they encode.
func sameBucket(a, b *Bucket) bool {
	return a.Timestamp == b.Timestamp && len(a.IDs) == len(b.IDs) &&
		unsafe.SliceData(a.IDs) == unsafe.SliceData(b.IDs) && (a.IDs == nil) == (b.IDs == nil)
}

// sameRun reports whether a and b (as long) hold the same bucket headers,
// byte for byte: each the same timestamp and the very same IDs slice (see
// sameBucket; an equal capacity too, which a copied header has). The
// timestamps of b are so in order as a's are, checked when they were b's.
func sameRun(a, b []Bucket) bool {
	n := len(a) * int(unsafe.Sizeof(Bucket{}))
	return bytes.Equal(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), n), unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b))), n))
}

// ordered reports whether buckets are in strictly increasing timestamp
// order, none before the epoch.
func ordered(bs []Bucket) bool {
	for i := range bs {
		if bs[i].Timestamp < 0 || (i > 0 && bs[i].Timestamp <= bs[i-1].Timestamp) {
			return false
		}
	}
	return true
}

// bucketSize is the encoded size of b (Bucket.EncodeMsgpack): a map of two,
// "ts" and a 9-byte integer, "ids" and the array of 9-byte integers.
func bucketSize(b *Bucket) int {
	n := 1 + 3 + 9 + 4
	switch l := len(b.IDs); {
	case b.IDs == nil || l < 16:
		n++
	case l < 1<<16:
		n += 3
	default:
		n += 5
	}
	return n + 9*len(b.IDs)
}

// cursorSize estimates the encoded size of c: its buckets exactly, its
// other fields roughly.
func cursorSize(c *Cursor) int {
	n := 100 + len(c.Region) + len(c.Principal) + len(c.Endpoint) + len(c.LogGroup) + len(c.Prefix)
	for i := range c.Seen {
		n += bucketSize(&c.Seen[i])
	}
	return n
}

// snapshot copies st down to the bucket headers: what the Store keeps of
// the state it last wrote, to diff the next one against. The caller may
// change its State, its Cursors and their Seen slices afterwards (the
// input assigns the cursors in place); it only must not change a bucket's
// IDs in place (see diff). reuse is the snapshot this one replaces, or
// nil: the header arrays of its cursors are written over (cursor i of st
// takes those of reuse's cursor from[i], when from is given), so that a
// save of a million buckets copies 32 MB of headers into memory it has,
// rather than allocating it for the garbage collector to scan and free.
func snapshot(st *State, reuse *State, from []int) *State {
	c := *st
	c.Cursors = slices.Clone(st.Cursors)
	for i := range c.Cursors {
		seen := c.Cursors[i].Seen
		if seen == nil {
			continue
		}
		var buf []Bucket
		if reuse != nil && from != nil && from[i] >= 0 {
			buf = reuse.Cursors[from[i]].Seen[:0]
		}
		if buf == nil || cap(buf) < len(seen) { // nil: an empty Seen must stay non-nil
			buf = make([]Bucket, 0, len(seen)+len(seen)/8)
		}
		c.Cursors[i].Seen = append(buf, seen...)
		clear(buf[len(seen):cap(buf)]) // hold no IDs alive past the end
	}
	return &c
}

// encodeRecord frames rec into buf (reused) and returns the frame.
func encodeRecord(buf *bytes.Buffer, rec *record) ([]byte, error) {
	buf.Reset()
	buf.Write(make([]byte, recordHeader))
	if err := msgpack.NewEncoder(buf).Encode(rec); err != nil {
		return nil, fmt.Errorf("checkpoint: encode journal record: %w", err)
	}
	b := buf.Bytes()
	n := len(b) - recordHeader
	if n > MaxFileSize {
		return nil, fmt.Errorf("checkpoint: journal record of %d bytes exceeds %d", n, MaxFileSize)
	}
	binary.LittleEndian.PutUint32(b[0:], uint32(n))
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[0:4], castagnoli))
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b[recordHeader:], castagnoli))
	return b, nil
}

// apply checks rec against st, the state so far, and changes st only if
// every part of rec is coherent with it: a record that would break an
// invariant of Decode (cursors of one source, buckets out of order,
// negative times) or names what is not there is refused whole.
func (st *State) apply(rec *record) error {
	if rec.SavedAt < 0 {
		return errors.New("negative save time")
	}
	if rec.NilCursors && len(rec.Cursors) > 0 {
		return errors.New("nil cursors with cursors")
	}
	used := make([]bool, len(st.Cursors))
	keys := make(map[Key]bool, len(rec.Cursors))
	for i := range rec.Cursors {
		cd := &rec.Cursors[i]
		if err := cd.Head.Position.check(); err != nil {
			return fmt.Errorf("cursor %d: %w", i, err)
		}
		if cd.Cut < 0 {
			return fmt.Errorf("cursor %d: negative cut", i)
		}
		if cd.Head.Seen != nil {
			return fmt.Errorf("cursor %d: buckets outside put", i)
		}
		if !ordered(cd.Put) {
			return fmt.Errorf("cursor %d: buckets out of order", i)
		}
		var k Key
		switch {
		case cd.From == -1:
			if cd.Cut != 0 || len(cd.Removed) > 0 || (cd.NilSeen && len(cd.Put) > 0) {
				return fmt.Errorf("cursor %d: a new cursor removes buckets", i)
			}
			k = cd.Head.Key()
		case cd.From >= 0 && cd.From < len(st.Cursors) && !used[cd.From]:
			used[cd.From] = true
			old := &st.Cursors[cd.From]
			if k = old.Key(); cd.Head.Key() != k {
				return fmt.Errorf("cursor %d: a changed cursor names another source", i)
			}
			if err := checkSeenDelta(old.Seen, cd); err != nil {
				return fmt.Errorf("cursor %d: %w", i, err)
			}
		default:
			return fmt.Errorf("cursor %d: no cursor %d to change, or changed twice", i, cd.From)
		}
		if keys[k] {
			return fmt.Errorf("cursor %d repeats the source of another", i)
		}
		keys[k] = true
	}
	// Coherent: apply. The old cursors' buckets are reused, st is theirs.
	var out []Cursor
	if !rec.NilCursors {
		out = make([]Cursor, 0, len(rec.Cursors))
	}
	for i := range rec.Cursors {
		cd := &rec.Cursors[i]
		c := cd.Head
		if cd.From == -1 {
			c.Seen = cd.Put
		} else {
			c.Seen = applySeen(st.Cursors[cd.From].Seen, cd)
		}
		switch {
		case cd.NilSeen:
			c.Seen = nil
		case c.Seen == nil:
			c.Seen = []Bucket{}
		}
		out = append(out, c)
	}
	st.Cursors, st.SavedAt = out, rec.SavedAt
	return nil
}

// checkSeenDelta checks that cd's bucket changes apply to seen: every
// timestamp in Removed is a bucket that survives the cut, in order, none
// also in Put; NilSeen leaves no bucket.
func checkSeenDelta(seen []Bucket, cd *cursorDelta) error {
	cut := cutIndex(seen, cd.Cut)
	for r, ts := range cd.Removed {
		if r > 0 && ts <= cd.Removed[r-1] {
			return errors.New("removed buckets out of order")
		}
		if _, ok := findBucket(seen[cut:], ts); !ok {
			return fmt.Errorf("no bucket at %d to remove", ts)
		}
	}
	for r, p := 0, 0; r < len(cd.Removed) && p < len(cd.Put); {
		switch c := cmp.Compare(cd.Removed[r], cd.Put[p].Timestamp); {
		case c == 0:
			return fmt.Errorf("bucket %d both removed and put", cd.Removed[r])
		case c < 0:
			r++
		default:
			p++
		}
	}
	if cd.NilSeen && (len(cd.Put) > 0 || cut+len(cd.Removed) != len(seen)) {
		return errors.New("nil buckets but buckets left")
	}
	return nil
}

func cutIndex(seen []Bucket, cut int64) int {
	i, _ := findBucket(seen, cut)
	return i
}

func findBucket(seen []Bucket, ts int64) (int, bool) {
	return slices.BinarySearchFunc(seen, ts, func(b Bucket, ts int64) int { return cmp.Compare(b.Timestamp, ts) })
}

// applySeen applies a checked cd to seen. The common record (a prune and
// new buckets at the end, a few replaced) costs what it holds; a bucket
// inserted or removed in the middle costs one pass over the buckets after
// it.
func applySeen(seen []Bucket, cd *cursorDelta) []Bucket {
	cut := cutIndex(seen, cd.Cut)
	clear(seen[:cut]) // hold no IDs alive
	seen = seen[cut:]
	var mid []Bucket
	tail := len(cd.Put)
	for p := range cd.Put {
		i, found := findBucket(seen, cd.Put[p].Timestamp)
		switch {
		case found:
			seen[i] = cd.Put[p]
		case i == len(seen):
			tail = p // this one and the rest are past the last bucket
		default:
			mid = append(mid, cd.Put[p])
		}
		if tail < len(cd.Put) {
			break
		}
	}
	if len(cd.Removed) > 0 || len(mid) > 0 {
		first := len(seen)
		if len(cd.Removed) > 0 {
			first, _ = findBucket(seen, cd.Removed[0])
		}
		if len(mid) > 0 {
			i, _ := findBucket(seen, mid[0].Timestamp)
			first = min(first, i)
		}
		merged := make([]Bucket, 0, len(seen)-first+len(mid))
		r, m := 0, 0
		for _, b := range seen[first:] {
			for m < len(mid) && mid[m].Timestamp < b.Timestamp {
				merged = append(merged, mid[m])
				m++
			}
			if r < len(cd.Removed) && cd.Removed[r] == b.Timestamp {
				r++
				continue
			}
			merged = append(merged, b)
		}
		merged = append(merged, mid[m:]...)
		clear(seen[first:])
		seen = append(seen[:first], merged...)
	}
	return append(seen, cd.Put[tail:]...)
}

// Why reading a journal stopped before its end (JournalResult.Stop).
const (
	// JournalTorn: the last record was cut short or garbled, as a crash in
	// the middle of an append leaves it. Normal after a kill: the state
	// is the one of the save before, and the page of that save may be
	// emitted again.
	JournalTorn = "torn"
	// JournalStale: the records follow another base: a crash between a
	// new base's rename and the journal's truncation, or a base written
	// by an earlier version, left them. Normal: the base holds at least
	// what they did.
	JournalStale = "stale"
	// JournalDamaged: a complete record is unusable (its checksum fails
	// with more records after it, it does not decode, or it does not fit
	// the state), or the journal is past MaxFileSize. The records from it
	// on are ignored: events after it may be emitted again.
	JournalDamaged = "damaged"
)

// JournalResult says what reading a journal gave.
type JournalResult struct {
	File    string
	Records int    // records applied
	Bytes   int64  // bytes of the records applied
	Stop    string // "" when read to its end (or there is none), else JournalTorn, JournalStale or JournalDamaged
	Err     error  // what was wrong where it stopped
	MovedTo string // where Load set a damaged journal aside ("" if it could not)
}

// replayJournal applies to st, a base of generation st.Generation, the
// journal's records of that generation in sequence, stopping at the first
// that is cut short, fails its checksum, is of another generation or out
// of sequence, or does not apply. It reads at most MaxFileSize bytes of
// journal, one record at a time.
func replayJournal(path string, st *State) JournalResult {
	res := JournalResult{File: path}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return res
	}
	if err != nil {
		res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: open journal: %w", err)
		return res
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal: %w", err)
		return res
	}
	return replayRecords(f, fi.Size(), path, st)
}

// replayRecords is replayJournal on the size bytes of r.
func replayRecords(f io.Reader, size int64, path string, st *State) JournalResult {
	res := JournalResult{File: path}
	if size == 0 {
		return res
	}
	if st.Generation == 0 {
		// A base of an earlier version: the records (left from before the
		// downgrade) follow an older base of ours.
		res.Stop, res.Err = JournalStale, errors.New("checkpoint: the base has no generation")
		return res
	}
	limit := min(size, MaxFileSize)
	r := bufio.NewReaderSize(io.LimitReader(f, limit), 64<<10)
	var off int64
	var head [recordHeader]byte
	var payload []byte
	// stop ends the replay at the record at off; a failure of the last
	// thing in the file (it runs to or past the end, or only zeros follow)
	// is what a crash in the middle of an append leaves.
	stop := func(end int64, err error) JournalResult {
		res.Stop, res.Err = JournalDamaged, err
		if limit < size {
			res.Err = fmt.Errorf("checkpoint: journal past %d bytes: the rest is ignored", MaxFileSize)
		} else if end >= size || allZero(r) {
			res.Stop = JournalTorn
		}
		return res
	}
	for expect := uint64(1); ; expect++ {
		if off == limit {
			if limit < size {
				res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal past %d bytes: the rest is ignored", MaxFileSize)
			}
			return res
		}
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return stop(size, fmt.Errorf("checkpoint: journal record at byte %d: cut short", off))
		}
		if crc32.Checksum(head[0:4], castagnoli) != binary.LittleEndian.Uint32(head[4:]) {
			// Not a length this journal wrote: damage, unless it is the
			// zeros a file system may leave where an append did not land.
			res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal record at byte %d: %w: its length's checksum fails", off, ErrChecksum)
			if head == [recordHeader]byte{} && allZero(r) {
				res.Stop = JournalTorn
			}
			return res
		}
		n := int64(binary.LittleEndian.Uint32(head[0:]))
		end := off + recordHeader + n
		if n == 0 || end > limit {
			return stop(end, fmt.Errorf("checkpoint: journal record at byte %d: length %d past the end", off, n))
		}
		if int64(cap(payload)) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return stop(size, fmt.Errorf("checkpoint: journal record at byte %d: cut short", off))
		}
		if got, want := crc32.Checksum(payload, castagnoli), binary.LittleEndian.Uint32(head[8:]); got != want {
			return stop(end, fmt.Errorf("checkpoint: journal record at byte %d: %w: stored %08x, computed %08x", off, ErrChecksum, want, got))
		}
		var rec record
		if err := unmarshalStrict(payload, &rec); err != nil {
			res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal record at byte %d: %w: %v", off, ErrInvalid, err)
			return res
		}
		if rec.Gen != st.Generation {
			res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal record at byte %d is of another base (generation %x, the base's %x)", off, rec.Gen, st.Generation)
			if res.Records == 0 {
				res.Stop = JournalStale
			}
			return res
		}
		if rec.Seq != expect {
			res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal record at byte %d: %w: sequence %d, expected %d", off, ErrInvalid, rec.Seq, expect)
			return res
		}
		if err := st.apply(&rec); err != nil {
			res.Stop, res.Err = JournalDamaged, fmt.Errorf("checkpoint: journal record at byte %d: %w: %v", off, ErrInvalid, err)
			return res
		}
		res.Records++
		off = end
		res.Bytes = off
	}
}

// allZero reports whether r holds only zero bytes to its end (a file
// system may extend a file before the data of a crashed write lands).
func allZero(r io.Reader) bool {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if b != 0 {
				return false
			}
		}
		if err != nil {
			return err == io.EOF
		}
	}
}
