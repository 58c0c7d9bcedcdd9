package checkpoint

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func msgpackEnvelope(payload []byte) ([]byte, error) {
	return msgpack.Marshal(&envelope{Magic: magic, Version: FormatVersion, Checksum: crc32c(payload), Payload: payload})
}

const testStanza = "eks_logs://journal"

// walker changes a state the way the input's cursors do between saves:
// new buckets at the end, the oldest pruned, now and then a bucket in the
// middle replaced by a new slice (late events), one inserted or removed
// (an undelivered page), cursors added and removed, scalars moved. Each
// state it hands out is a fresh copy of the bucket headers sharing the
// unchanged buckets' IDs, as Cursor.Saved gives.
type walker struct {
	rng     *rand.Rand
	cursors []Cursor
	nextKey int
	nilCurs bool
}

func newWalker(seed uint64) *walker {
	w := &walker{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for range 1 + w.rng.IntN(3) {
		w.addCursor()
	}
	return w
}

func (w *walker) ids() []uint64 {
	out := make([]uint64, 1+w.rng.IntN(4))
	for i := range out {
		out[i] = w.rng.Uint64()
	}
	return out
}

func (w *walker) addCursor() {
	w.nextKey++
	c := Cursor{Region: "eu-west-1", LogGroup: "/aws/eks/c/cluster", Prefix: fmt.Sprintf("log-%d-", w.nextKey), Position: Position{Watermark: int64(w.rng.IntN(1000))}, Seen: []Bucket{}}
	if w.rng.IntN(4) == 0 {
		c.Principal = "role_arn:arn:aws:iam::1:role/r"
	}
	if w.rng.IntN(5) == 0 {
		c.Seen = nil
	}
	ts := int64(1_700_000_000_000 + w.rng.IntN(1000))
	for range w.rng.IntN(30) {
		c.Seen = append(c.Seen, Bucket{Timestamp: ts, IDs: w.ids()})
		ts += 1 + int64(w.rng.IntN(3))
	}
	w.cursors = append(w.cursors, c)
}

func (w *walker) step() {
	r := w.rng
	switch {
	case r.IntN(40) == 0:
		w.addCursor()
	case r.IntN(40) == 0 && len(w.cursors) > 0:
		i := r.IntN(len(w.cursors))
		w.cursors = slices.Delete(w.cursors, i, i+1)
	case r.IntN(60) == 0 && len(w.cursors) > 1:
		i, j := r.IntN(len(w.cursors)), r.IntN(len(w.cursors))
		w.cursors[i], w.cursors[j] = w.cursors[j], w.cursors[i]
	}
	w.nilCurs = len(w.cursors) == 0 && r.IntN(2) == 0
	for i := range w.cursors {
		if r.IntN(3) == 0 {
			continue // this cursor did not move
		}
		c := &w.cursors[i]
		seen := slices.Clone(c.Seen) // the cursor's own slice; Saved clones it again
		last := int64(1_700_000_000_000)
		if n := len(seen); n > 0 {
			last = seen[n-1].Timestamp
		}
		for range r.IntN(12) { // a page's new buckets
			last += 1 + int64(r.IntN(3))
			seen = append(seen, Bucket{Timestamp: last, IDs: w.ids()})
		}
		if r.IntN(5) == 0 && len(seen) > 0 { // new IDs in the newest bucket: a new slice
			n := len(seen) - 1
			seen[n].IDs = append(slices.Clip(seen[n].IDs), r.Uint64())
		}
		if k := r.IntN(12); k > 0 { // the prune
			seen = seen[min(k, len(seen)):]
		}
		if r.IntN(6) == 0 && len(seen) > 2 { // late events in the middle
			j := 1 + r.IntN(len(seen)-2)
			seen[j].IDs = append(slices.Clip(seen[j].IDs), r.Uint64())
		}
		if r.IntN(8) == 0 && len(seen) > 2 { // a late event at a new timestamp
			j := r.IntN(len(seen) - 1)
			if seen[j+1].Timestamp-seen[j].Timestamp > 1 {
				seen = slices.Insert(seen, j+1, Bucket{Timestamp: seen[j].Timestamp + 1, IDs: w.ids()})
			}
		}
		if r.IntN(10) == 0 && len(seen) > 2 { // a page not delivered: its bucket goes
			j := 1 + r.IntN(len(seen)-2)
			seen = slices.Delete(seen, j, j+1)
		}
		if r.IntN(50) == 0 { // an empty or nil bucket list
			seen = seen[:0]
			if r.IntN(2) == 0 {
				seen = nil
			}
		} else if seen == nil {
			seen = []Bucket{}
		}
		c.Seen = seen
		c.Watermark += int64(r.IntN(1000))
		if r.IntN(4) == 0 {
			c.SeenFrom = c.Watermark - int64(r.IntN(500))
			c.SeenFrom = max(c.SeenFrom, 0)
		}
		if r.IntN(4) == 0 {
			c.SweptTo = int64(r.IntN(2)) * c.Watermark
			c.SweepFrom = int64(r.IntN(2)) * max(c.Watermark-int64(r.IntN(700)), 0)
		}
		if r.IntN(20) == 0 {
			c.Floor = int64(r.IntN(100))
		}
	}
}

// state is the state as the input hands it to Save: fresh headers.
func (w *walker) state() State {
	st := State{Cursors: make([]Cursor, 0, len(w.cursors))}
	if w.nilCurs {
		st.Cursors = nil
	}
	for _, c := range w.cursors {
		c.Seen = slices.Clone(c.Seen)
		st.Cursors = append(st.Cursors, c)
	}
	return st
}

// encoded is the file encoding of st as saved (its stanza, save time and
// generation aside): what two states must share to be the same.
func encoded(t testing.TB, st State) []byte {
	t.Helper()
	st.Stanza, st.Generation = testStanza, 0
	b, err := Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clock is a test Store's clock: a millisecond more at each reading.
func clock() func() time.Time {
	ms := int64(1_800_000_000_000)
	return func() time.Time { ms++; return time.UnixMilli(ms) }
}

func openTest(t testing.TB, dir string, floor int64) *Store {
	t.Helper()
	s, err := Open(dir, testStanza)
	if err != nil {
		t.Fatal(err)
	}
	s.now = clock()
	if floor > 0 {
		s.journalFloor = floor
	}
	return s
}

// kill drops a Store as a SIGKILL would: no compaction, the lock released
// (by the kernel, for a process).
func kill(s *Store) {
	if s.journal != nil {
		s.journal.Close()
	}
	s.unlock()
	s.unlock = nil
}

// mustEqualRead checks that a lock-free Read gives back want exactly.
func mustEqualRead(t *testing.T, dir string, want State, what string) JournalResult {
	t.Helper()
	got, jr, err := Read(dir, testStanza)
	if err != nil {
		t.Fatalf("%s: Read: %v", what, err)
	}
	if jr.Stop != "" {
		t.Fatalf("%s: the journal stopped: %s %v", what, jr.Stop, jr.Err)
	}
	if got.SavedAt != want.SavedAt || !bytes.Equal(encoded(t, got), encoded(t, want)) {
		t.Fatalf("%s: read back %+v\nwant %+v", what, got.Cursors, want.Cursors)
	}
	return jr
}

// TestJournal_RoundTrip saves random sequences of cursor-shaped states
// through Stores, with compactions (a low journal floor, and the real one)
// and restarts (clean, and killed) in the middle, and checks after every
// save that a fresh read gives back exactly the state saved, and after
// every restart that Load does.
func TestJournal_RoundTrip(t *testing.T) {
	saves, records, bases := 0, 0, 0
	for seed := range uint64(12) {
		floor := int64(0) // JournalFloor
		if seed%3 != 0 {
			floor = int64(512 << (seed % 4))
		}
		dir := t.TempDir()
		w := newWalker(seed)
		s := openTest(t, dir, floor)
		if _, _, err := s.Load(); err != nil {
			t.Fatal(err)
		}
		var want State
		for i := range 200 {
			w.step()
			st := w.state()
			gen := s.gen
			if err := s.Save(st); err != nil {
				t.Fatalf("seed %d save %d: %v", seed, i, err)
			}
			saves++
			if s.gen != gen {
				bases++
			} else {
				records++
			}
			want = w.state()
			want.SavedAt = s.last.SavedAt
			// What the caller does with its state afterwards is its own.
			if len(st.Cursors) > 0 {
				st.Cursors[0].Watermark = 12345
				if len(st.Cursors[0].Seen) > 0 {
					st.Cursors[0].Seen[0] = Bucket{Timestamp: -1}
				}
			}
			mustEqualRead(t, dir, want, fmt.Sprintf("seed %d save %d", seed, i))
			if est, real := s.LastSize(), len(encoded(t, want)); est < real*9/10-1024 || est > real*11/10+1024 {
				t.Errorf("seed %d save %d: LastSize %d, the state encodes to %d", seed, i, est, real)
			}
			if s.journalSize > s.journalLimit() {
				t.Fatalf("journal %d bytes past its limit %d", s.journalSize, s.journalLimit())
			}
			if r := w.rng.IntN(60); r < 2 {
				if r == 0 {
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					// A clean stop leaves the whole state in the base, for
					// an earlier version that ignores the journal.
					b, err := os.ReadFile(s.Path())
					if err != nil {
						t.Fatal(err)
					}
					base, err := Decode(b)
					if err != nil || !bytes.Equal(encoded(t, base), encoded(t, want)) || base.SavedAt != want.SavedAt {
						t.Fatalf("seed %d: the base after Close is not the last state (%v)", seed, err)
					}
				} else {
					kill(s)
				}
				s = openTest(t, dir, floor)
				got, res, err := s.Load()
				if err != nil || res.Source != "current" || len(res.Problems) > 0 || res.Journal.Stop != "" {
					t.Fatalf("seed %d: Load after a restart: %+v %v", seed, res, err)
				}
				if !bytes.Equal(encoded(t, got), encoded(t, want)) || got.SavedAt != want.SavedAt {
					t.Fatalf("seed %d: Load after a restart differs", seed)
				}
			}
		}
		s.Close()
	}
	t.Logf("%d saves: %d journal records, %d bases", saves, records, bases)
	if records < saves/2 || bases < 50 {
		t.Errorf("too few records (%d) or bases (%d) of %d saves to test both", records, bases, saves)
	}
}

// journalRun saves n states of a walker through a Store that does not
// compact, and returns the states saved (SavedAt set) and the offsets at
// which each save's record starts in the journal (the first save is the
// base: its offset is 0, as is the second's).
func journalRun(t testing.TB, dir string, seed uint64, n int) ([]State, []int64) {
	t.Helper()
	s := openTest(t, dir, MaxFileSize)
	var states []State
	var offs []int64
	w := newWalker(seed)
	for range n {
		w.step()
		st := w.state()
		offs = append(offs, s.journalSize)
		if err := s.Save(st); err != nil {
			t.Fatal(err)
		}
		st.SavedAt = s.last.SavedAt
		states = append(states, st)
	}
	if s.seq != uint64(n-1) {
		t.Fatalf("%d records for %d saves", s.seq, n)
	}
	kill(s)
	return states, offs
}

// TestJournal_TornLastRecord cuts the journal at every byte of its last
// record, as a crash in the middle of the append leaves it, and garbles
// each of its bytes: Load gives exactly the state of the save before,
// and says the journal was torn, not damaged.
func TestJournal_TornLastRecord(t *testing.T) {
	dir := t.TempDir()
	states, offs := journalRun(t, dir, 7, 12)
	jpath := filepath.Join(dir, FileName(testStanza)) + journalSuffix
	full, err := os.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	lastStart := offs[len(offs)-1]
	before, last := states[len(states)-2], states[len(states)-1]
	check := func(what string, journal []byte, want State, stop string) {
		t.Helper()
		if err := os.WriteFile(jpath, journal, 0o600); err != nil {
			t.Fatal(err)
		}
		s := openTest(t, dir, 0)
		defer kill(s)
		got, res, err := s.Load()
		if err != nil || res.Source != "current" || res.Journal.Stop != stop {
			t.Fatalf("%s: %+v %v", what, res, err)
		}
		if !bytes.Equal(encoded(t, got), encoded(t, want)) || got.SavedAt != want.SavedAt {
			t.Fatalf("%s: not the expected state", what)
		}
	}
	check("whole", full, last, "")
	cuts := 0
	for cut := lastStart; cut < int64(len(full)); cut++ {
		stop := JournalTorn
		if cut == lastStart {
			stop = ""
		}
		check(fmt.Sprintf("cut at %d", cut), full[:cut], before, stop)
		cuts++
	}
	for i := lastStart; i < int64(len(full)); i++ {
		g := slices.Clone(full)
		g[i] ^= 0x41
		stop := JournalTorn
		if i < lastStart+8 {
			// The length or its checksum: no crash writes a length that
			// fails its checksum, that is damage (with the same state).
			stop = JournalDamaged
		}
		check(fmt.Sprintf("byte %d garbled", i), g, before, stop)
	}
	// A file system may extend the file before the data lands: zeros.
	check("zeros after", append(slices.Clone(full), make([]byte, 100)...), last, JournalTorn)
	check("zeroed last record", append(slices.Clone(full[:lastStart]), make([]byte, len(full)-int(lastStart))...), before, JournalTorn)
	t.Logf("%d cuts and %d garbled bytes of a %d-byte record", cuts, len(full)-int(lastStart), len(full)-int(lastStart))
}

// TestJournal_DamagedRecord garbles a record in the middle: Load applies
// the records before it, reports the journal damaged and sets it aside,
// and the next save writes a base that holds it all.
func TestJournal_DamagedRecord(t *testing.T) {
	dir := t.TempDir()
	states, offs := journalRun(t, dir, 11, 10)
	jpath := filepath.Join(dir, FileName(testStanza)) + journalSuffix
	full, _ := os.ReadFile(jpath)
	bpath := filepath.Join(dir, FileName(testStanza))
	baseFile, _ := os.ReadFile(bpath)
	for k := 2; k < len(offs)-1; k++ { // record k (save k) garbled
		// The length (a longer one claims to run past the end, as the
		// last record cut short does), its checksum, the payload's
		// checksum, the payload.
		for _, at := range []int64{offs[k] + 3, offs[k] + 5, offs[k] + 9, offs[k] + recordHeader + 3, offs[k+1] - 1} {
			g := slices.Clone(full)
			g[at] ^= 0x10
			os.WriteFile(jpath, g, 0o600)
			os.WriteFile(bpath, baseFile, 0o600)
			s := openTest(t, dir, 0)
			got, res, err := s.Load()
			if err != nil || res.Journal.Stop != JournalDamaged || res.Journal.Records != k-1 || res.Journal.MovedTo == "" {
				t.Fatalf("record %d garbled at %d: %+v %v", k, at, res.Journal, err)
			}
			if !bytes.Equal(encoded(t, got), encoded(t, states[k-1])) {
				t.Fatalf("record %d garbled: not the state before it", k)
			}
			if b, err := os.ReadFile(res.Journal.MovedTo); err != nil || !bytes.Equal(b, g) {
				t.Fatalf("the damaged journal was not kept: %v", err)
			}
			if err := s.Save(got); err != nil {
				t.Fatal(err)
			}
			got.SavedAt = s.last.SavedAt
			mustEqualRead(t, dir, got, "after the damaged journal")
			kill(s)
			os.Remove(res.Journal.MovedTo)
		}
	}
}

// TestJournal_CrashInCompaction compacts, and checks the files: the new
// base, and the old journal beside the previous copy, which with it is the
// state of the save before. Then it puts the old journal back as a crash
// between the base's rename and the journal's rotation leaves it: Load
// ignores it (the base holds more); if the new base is lost too, the
// previous copy takes those records, which follow it, and only those.
func TestJournal_CrashInCompaction(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, MaxFileSize)
	w := newWalker(3)
	var states []State
	save := func() {
		w.step()
		st := w.state()
		if err := s.Save(st); err != nil {
			t.Fatal(err)
		}
		st.SavedAt = s.last.SavedAt
		states = append(states, st)
	}
	for range 6 {
		save()
	}
	jpath, prevJournal := s.JournalPath(), s.prevJournalPath()
	bpath := s.Path()
	old, _ := os.ReadFile(jpath) // records 2..6 on base 1
	s.journalFloor, s.baseSize = 1, 1
	save() // compacts: state 7 is the new base
	if s.seq != 0 {
		t.Fatal("the save did not compact")
	}
	kill(s)
	load := func(what string, want State, source, stop string, records int) {
		t.Helper()
		s := openTest(t, dir, 0)
		defer kill(s)
		got, res, err := s.Load()
		if err != nil || res.Source != source || res.Journal.Stop != stop || res.Journal.Records != records {
			t.Fatalf("%s: %+v %v", what, res, err)
		}
		if !bytes.Equal(encoded(t, got), encoded(t, want)) {
			t.Fatalf("%s: not the state expected", what)
		}
	}
	if b, _ := os.ReadFile(prevJournal); !bytes.Equal(b, old) {
		t.Fatal("the old journal is not beside the previous copy")
	}
	if fi, err := os.Stat(jpath); err != nil || fi.Size() != 0 {
		t.Fatalf("the new journal: %v %v", fi, err)
	}
	load("compacted", states[6], "current", "", 0)
	newBase, _ := os.ReadFile(bpath)
	os.WriteFile(bpath, []byte("garbage"), 0o600)
	load("the new base lost", states[5], "previous", "", 5)

	// The rotation never happened.
	os.WriteFile(bpath, newBase, 0o600)
	os.Rename(prevJournal, jpath)
	load("old journal beside the new base", states[6], "current", JournalStale, 0)
	os.WriteFile(bpath, []byte("garbage"), 0o600)
	load("old journal, the new base lost", states[5], "previous", "", 5)
}

// TestJournal_PreviousCopyIgnoresNewerJournal loses the base while the
// journal holds its records: the previous copy is another generation, so
// they are not applied to it.
func TestJournal_PreviousCopyIgnoresNewerJournal(t *testing.T) {
	dir := t.TempDir()
	w := newWalker(5)
	s := openTest(t, dir, 0)
	w.step()
	first := w.state()
	s.Save(first)
	first.SavedAt = s.last.SavedAt
	s.Close() // nothing to compact: one base
	s = openTest(t, dir, 0)
	s.Load()
	for range 5 {
		w.step()
		if err := s.Save(w.state()); err != nil {
			t.Fatal(err)
		}
	}
	kill(s)
	os.WriteFile(filepath.Join(dir, FileName(testStanza)), []byte("garbage"), 0o600)
	s = openTest(t, dir, 0)
	defer kill(s)
	got, res, err := s.Load()
	if err != nil || res.Source != "previous" || res.Journal.Stop != JournalStale {
		t.Fatalf("Load: %+v %v", res, err)
	}
	if !bytes.Equal(encoded(t, got), encoded(t, first)) {
		t.Fatal("records of another base were applied to the previous copy")
	}
}

// TestJournal_RefusesIncoherentRecords feeds records that would break an
// invariant, or name what is not there: replay stops before each, with the
// state of the record before.
func TestJournal_RefusesIncoherentRecords(t *testing.T) {
	base := State{Stanza: testStanza, Generation: 77, Cursors: []Cursor{
		{Region: "r", LogGroup: "g", Prefix: "a", Seen: []Bucket{{Timestamp: 10, IDs: []uint64{1}}, {Timestamp: 20, IDs: []uint64{2}}, {Timestamp: 30, IDs: []uint64{3}}}},
		{Region: "r", LogGroup: "g", Prefix: "b"},
	}}
	// head is the head of a cursor of source r/g/<prefix>.
	head := func(prefix string, wm int64) Cursor {
		return Cursor{Region: "r", LogGroup: "g", Prefix: prefix, Position: Position{Watermark: wm}}
	}
	a, b := head("a", 0), head("b", 0)
	good := cursorDelta{From: 0, Head: head("a", 5)}
	for name, cd := range map[string][]cursorDelta{
		"bucket out of order":     {{From: 0, Head: a, Put: []Bucket{{Timestamp: 40}, {Timestamp: 35}}}, {From: 1, Head: b}},
		"bucket before the epoch": {{From: 0, Head: a, Put: []Bucket{{Timestamp: -1}}}, {From: 1, Head: b}},
		"remove a missing bucket": {{From: 0, Head: a, Removed: []int64{15}}, {From: 1, Head: b}},
		"remove a cut bucket":     {{From: 0, Head: a, Cut: 21, Removed: []int64{20}}, {From: 1, Head: b}},
		"removed and put":         {{From: 0, Head: a, Removed: []int64{20}, Put: []Bucket{{Timestamp: 20}}}, {From: 1, Head: b}},
		"removed out of order":    {{From: 0, Head: a, Removed: []int64{30, 20}}, {From: 1, Head: b}},
		"cursor changed twice":    {{From: 0, Head: a}, {From: 0, Head: a}},
		"no such cursor":          {{From: 2, Head: head("c", 0)}},
		"repeated source":         {{From: 0, Head: a}, {From: -1, Head: a}},
		"new cursor cuts":         {{From: -1, Head: head("x", 0), Cut: 3}},
		"changed cursor renamed":  {{From: 0, Head: head("x", 0)}},
		"negative watermark":      {{From: 0, Head: head("a", -1)}},
		"negative sweep start":    {{From: 0, Head: Cursor{Region: "r", LogGroup: "g", Prefix: "a", Position: Position{SweepFrom: -1}}}},
		"buckets in the head":     {{From: 0, Head: Cursor{Region: "r", LogGroup: "g", Prefix: "a", Seen: []Bucket{{Timestamp: 40}}}}},
		"nil buckets left":        {{From: 0, Head: a, NilSeen: true, Cut: 15}},
	} {
		var j []byte
		var buf bytes.Buffer
		for _, rec := range []record{{Gen: 77, Seq: 1, Cursors: []cursorDelta{good, {From: 1, Head: b}}}, {Gen: 77, Seq: 2, Cursors: cd}} {
			f, err := encodeRecord(&buf, &rec)
			if err != nil {
				t.Fatal(err)
			}
			j = append(j, f...)
		}
		st := base
		st.Cursors = slices.Clone(base.Cursors)
		res := replayRecords(bytes.NewReader(j), int64(len(j)), "j", &st)
		if res.Stop != JournalDamaged || res.Records != 1 || st.Cursors[0].Watermark != 5 || len(st.Cursors[0].Seen) != 3 {
			t.Errorf("%s: %+v, state %+v", name, res, st.Cursors)
		}
	}
}

// TestJournal_Generations checks what is never applied: records of another
// generation, out of sequence, or to a base without a generation.
func TestJournal_Generations(t *testing.T) {
	var buf bytes.Buffer
	frame := func(gen, seq uint64) []byte {
		f, _ := encodeRecord(&buf, &record{Gen: gen, Seq: seq, SavedAt: int64(seq), Cursors: []cursorDelta{}})
		return slices.Clone(f)
	}
	for name, c := range map[string]struct {
		gen     uint64
		journal [][]byte
		records int
		stop    string
	}{
		"in sequence":         {5, [][]byte{frame(5, 1), frame(5, 2)}, 2, ""},
		"another generation":  {5, [][]byte{frame(6, 1), frame(5, 1)}, 0, JournalStale},
		"generation changes":  {5, [][]byte{frame(5, 1), frame(6, 2)}, 1, JournalDamaged},
		"sequence skips":      {5, [][]byte{frame(5, 1), frame(5, 3)}, 1, JournalDamaged},
		"sequence from 2":     {5, [][]byte{frame(5, 2)}, 0, JournalDamaged},
		"base of old version": {0, [][]byte{frame(0, 1)}, 0, JournalStale},
	} {
		j := bytes.Join(c.journal, nil)
		st := State{Generation: c.gen}
		res := replayRecords(bytes.NewReader(j), int64(len(j)), "j", &st)
		if res.Records != c.records || res.Stop != c.stop || st.SavedAt != int64(c.records) {
			t.Errorf("%s: %+v, saved_at %d", name, res, st.SavedAt)
		}
	}
}

// TestJournal_LimitedToMaxFileSize checks that a journal past MaxFileSize
// is read no further: what lies past it is ignored.
func TestJournal_LimitedToMaxFileSize(t *testing.T) {
	var buf bytes.Buffer
	f, _ := encodeRecord(&buf, &record{Gen: 5, Seq: 1, SavedAt: 1, Cursors: []cursorDelta{}})
	st := State{Generation: 5}
	res := replayRecords(bytes.NewReader(f), MaxFileSize+1, "j", &st)
	if res.Stop != JournalDamaged || res.Records != 1 {
		t.Errorf("%+v", res)
	}
}

// TestDecode_RefusesHugeClaims checks that a checksummed payload claiming
// an array of 2^32 cursors is refused before anything is allocated for it.
func TestDecode_RefusesHugeClaims(t *testing.T) {
	p := []byte{0x82, 0xa6}
	p = append(p, "stanza"...)
	p = append(p, 0xa1, 'x', 0xa7)
	p = append(p, "cursors"...)
	p = append(p, 0xdd, 0xff, 0xff, 0xff, 0xff)
	b, err := msgpackEnvelope(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err == nil {
		t.Fatal("accepted")
	}
	for _, bad := range [][]byte{{0xdc, 0x00, 0x05, 0x01}, {0xdf, 0x00, 0x00, 0x00, 0x01, 0x01}, {0xdb, 0x7f, 0, 0, 0}, {0xc1}, {}, {0x92, 0x01}} {
		if err := checkLengths(bad); err == nil {
			t.Errorf("% x accepted", bad)
		}
	}
	for _, ok := range [][]byte{{0x92, 0x01, 0xa1, 'x'}, {0x81, 0xc0, 0xd7, 1, 1, 2, 3, 4, 5, 6, 7, 8}, {0xc7, 2, 9, 1, 2}} {
		if err := checkLengths(ok); err != nil {
			t.Errorf("% x refused: %v", ok, err)
		}
	}
}

// FuzzJournal replays hostile journals onto a base. It must not panic or
// over-allocate, and whatever it gives must be a state Decode accepts.
// An input whose first byte is odd is taken as record payloads (a 2-byte
// length before each), framed here with the right checksum, so that the
// fuzzer gets past the checksum to the decoding and the checks of each
// change.
func FuzzJournal(f *testing.F) {
	dir := f.TempDir()
	journalRun(f, dir, 1, 6)
	j, err := os.ReadFile(filepath.Join(dir, FileName(testStanza)) + journalSuffix)
	if err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FileName(testStanza)))
	base, err := Decode(b)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte{0}, j...))
	// The same records as payloads.
	payloads := []byte{1}
	for off := 0; off < len(j); {
		n := int(binary.LittleEndian.Uint32(j[off:]))
		payloads = binary.BigEndian.AppendUint16(payloads, uint16(n))
		payloads = append(payloads, j[off+recordHeader:off+recordHeader+n]...)
		off += recordHeader + n
	}
	f.Add(payloads)
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		journal := in[1:]
		if in[0]&1 == 1 {
			var framed []byte
			for p := in[1:]; len(p) >= 2; {
				n := min(int(binary.BigEndian.Uint16(p)), len(p)-2)
				head := make([]byte, recordHeader)
				binary.LittleEndian.PutUint32(head, uint32(n))
				binary.LittleEndian.PutUint32(head[4:], crc32c(head[:4]))
				binary.LittleEndian.PutUint32(head[8:], crc32c(p[2:2+n]))
				framed = append(append(framed, head...), p[2:2+n]...)
				p = p[2+n:]
			}
			journal = framed
		}
		st := base
		st.Cursors = slices.Clone(base.Cursors)
		for i := range st.Cursors {
			st.Cursors[i].Seen = slices.Clone(st.Cursors[i].Seen)
		}
		res := replayRecords(bytes.NewReader(journal), int64(len(journal)), "j", &st)
		if res.Stop == "" && res.Bytes != int64(len(journal)) {
			t.Fatalf("read to the end, but %d of %d bytes", res.Bytes, len(journal))
		}
		out, err := Encode(st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(out); err != nil {
			t.Fatalf("the journal made a state Decode refuses: %v", err)
		}
	})
}
