package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked is returned by Open when another process holds the stanza's
// checkpoint: two copies of one input would emit every event twice.
var ErrLocked = errors.New("checkpoint: another process holds the lock")

// Store reads and writes one stanza's checkpoint files in a directory:
//
//	<name>               the base: the state as of its save
//	<name>.journal       what changed since the base, one record per save
//	<name>.prev          the base before it (the previous good copy)
//	<name>.prev.journal  the records that followed the previous base
//	<name>.lock          held (flock) while a process uses the files
//	<name>.corrupt-<time>   files that failed to decode, set aside for a human
//
// The state is the base and the journal's records of its generation; the
// previous copy, the previous base and the records that followed it,
// which is the state of the save before the current base was written. A
// Store appends a save to the journal when it wrote the base itself (in
// this process, so it knows what the base and each record hold), and
// writes a new base otherwise, or when the journal would outgrow the base
// (and JournalFloor): the first save after Open is a base, and so is the
// one that compacts. Close compacts too, so a clean stop leaves the whole
// state in the base, which an earlier version (that ignores the journal)
// reads exactly.
type Store struct {
	dir    string
	stanza string
	path   string
	unlock func() error
	now    func() time.Time
	size   int // the full state's size: the last base's, plus the growth the records since brought

	// last is the state as last saved, down to the bucket headers (see
	// snapshot), whose base this Store wrote: the next save appends its
	// change to it. nil: the next save writes a base.
	last         *State
	gen          uint64   // the generation of the last base written
	seq          uint64   // the records appended since
	baseSize     int      // bytes of the last base written
	journal      *os.File // open for appending, nil before the first base
	journalSize  int64
	journalEmpty bool         // journal is empty, durably: a new base need not rotate it
	journalFloor int64        // JournalFloor (tests lower it to compact often)
	buf          bytes.Buffer // a record being framed, reused
}

// Problem describes a checkpoint file that could not be used and where it
// was moved to.
type Problem struct {
	File    string
	Err     error
	MovedTo string // empty if it could not be moved
}

// LoadResult says which file the state came from and what went wrong on the
// way. Source is "current", "previous" or "none" (no usable state: start
// from the configured start time). Journal says what the journal added to
// the base.
type LoadResult struct {
	Source   string
	File     string
	Problems []Problem
	Journal  JournalResult
}

// Open creates dir if needed and locks the stanza's checkpoint. Close
// releases the lock.
func Open(dir, stanza string) (*Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("checkpoint: no checkpoint directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("checkpoint: create %s: %w", dir, err)
	}
	s := &Store{dir: dir, stanza: stanza, path: filepath.Join(dir, FileName(stanza)), now: time.Now, journalFloor: JournalFloor}
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return nil, err
	}
	s.unlock = unlock
	return s, nil
}

// RemoveStaleTemp deletes the temporary files a save left behind when the
// process died in the middle of it (SIGKILL, power loss): <name>.tmp-* and
// <name>.prev.tmp. Only this stanza's files are touched, and only while the
// lock is held, so no save of a running process can be among them. It
// returns the paths removed.
func (s *Store) RemoveStaleTemp() ([]string, error) {
	matches, err := filepath.Glob(globEscape(s.path) + ".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("checkpoint: list temp files: %w", err)
	}
	matches = append(matches, s.path+".prev.tmp")
	var removed []string
	var errs []error
	for _, m := range matches {
		switch err := os.Remove(m); {
		case err == nil:
			removed = append(removed, m)
		case !errors.Is(err, os.ErrNotExist):
			errs = append(errs, fmt.Errorf("checkpoint: remove stale temp file: %w", err))
		}
	}
	return removed, errors.Join(errs...)
}

// globEscape quotes the characters filepath.Glob treats as patterns.
func globEscape(p string) string {
	var b []byte
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '?', '[', '\\':
			b = append(b, '\\')
		}
		b = append(b, p[i])
	}
	return string(b)
}

// LastSize returns the size of the state last saved, whole (0 before a
// save): the bytes of the last base written, plus what the records since
// added (the buckets' exactly, the rest estimated). Past MaxFileSize, the
// next base could not be read back.
func (s *Store) LastSize() int { return s.size }

// Path returns the current checkpoint file's (the base's) path.
func (s *Store) Path() string { return s.path }

// JournalPath returns the journal's path.
func (s *Store) JournalPath() string { return s.path + journalSuffix }

// prevJournalPath is where the journal goes when a new base is written:
// beside the previous copy, which it follows.
func (s *Store) prevJournalPath() string { return s.path + ".prev" + journalSuffix }

const journalSuffix = ".journal"

// Close compacts, if the journal holds records (a new base of the state
// last saved, the journal emptied), and releases the lock. The lock is
// released even if the compaction fails: the base and journal still hold
// the state.
func (s *Store) Close() error {
	if s.unlock == nil {
		return nil
	}
	var errs []error
	if s.last != nil && s.seq > 0 {
		errs = append(errs, s.writeBase(*s.last))
	}
	if s.journal != nil {
		errs = append(errs, s.journal.Close())
		s.journal = nil
	}
	s.last = nil
	errs = append(errs, s.unlock())
	s.unlock = nil
	return errors.Join(errs...)
}

// Load returns the newest valid state: the current base, else the previous
// good copy, each with the records of its generation, from the journal or
// the previous journal (the current base's are in the journal; the
// previous copy's in the previous journal, or still in the journal after a
// crash in the middle of a compaction). Each base that exists but cannot be used
// (unreadable, corrupt, another version, another stanza's) is renamed
// aside and reported in the result, and so is a journal with a damaged
// record (the records before it are applied); Load never deletes. A
// journal cut short by a crash is no problem: its last record is ignored.
// A missing current file with no previous copy is the normal first start
// and yields Source "none" and no problem.
//
// The next Save writes a new base, so that the journal restarts clean,
// unless the files hold exactly what this Store last saved (the base it
// wrote and all its records, nothing after them).
func (s *Store) Load() (State, LoadResult, error) {
	var res LoadResult
	last := s.last
	s.last = nil
	for _, c := range []struct{ file, source string }{{s.path, "current"}, {s.path + ".prev", "previous"}} {
		st, err := readBase(c.file, s.stanza)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			res.Source, res.File = c.source, c.file
			// Generations are unique: at most one journal follows st.
			res.Journal = replayJournal(s.JournalPath(), &st)
			if j := res.Journal; j.Records == 0 && (j.Stop == "" || j.Stop == JournalStale) {
				if prev := replayJournal(s.prevJournalPath(), &st); prev.Records > 0 || prev.Stop == JournalTorn || prev.Stop == JournalDamaged {
					res.Journal = prev
				}
			}
			if res.Journal.Stop == JournalDamaged {
				if err := s.setAsideJournal(&res.Journal); err != nil {
					res.Journal.Err = errors.Join(res.Journal.Err, err)
				}
			}
			if last != nil && res.Source == "current" && st.Generation == s.gen && res.Journal.Stop == "" &&
				uint64(res.Journal.Records) == s.seq && res.Journal.Bytes == s.journalSize {
				s.last = last
			}
			return st, res, nil
		}
		p := Problem{File: c.file, Err: err}
		aside := s.asideName(c.file)
		if rerr := os.Rename(c.file, aside); rerr == nil {
			p.MovedTo = aside
		} else {
			p.Err = errors.Join(err, fmt.Errorf("checkpoint: set aside: %w", rerr))
		}
		res.Problems = append(res.Problems, p)
	}
	res.Source = "none"
	return State{Stanza: s.stanza}, res, nil
}

func (s *Store) asideName(file string) string {
	return fmt.Sprintf("%s.corrupt-%s", file, s.now().UTC().Format("20060102T150405.000000000Z"))
}

// setAsideJournal renames a damaged journal aside for a human. The state
// Load returns holds its good records, which the next save writes into a
// base; a crash before that resumes from the base alone (a page or more
// emitted again, nothing lost).
func (s *Store) setAsideJournal(jr *JournalResult) error {
	if s.journal != nil { // Load after Saves: a base is written next, on a new journal
		s.journal.Close()
		s.journal = nil
	}
	aside := s.asideName(jr.File)
	if err := os.Rename(jr.File, aside); err != nil {
		return fmt.Errorf("checkpoint: set the journal aside: %w", err)
	}
	jr.MovedTo = aside
	return nil
}

// Read returns a stanza's state without locking it, for a human (the
// "checkpoint show" command): the current base and its journal's records
// (a base written in the middle of a compaction may have none yet).
// The state is one the input saved, or resumes from, even while the input
// writes (a record being appended is not read yet). It does not fall back
// to the previous copy, nor set anything aside; a missing base is an error
// wrapping os.ErrNotExist.
func Read(dir, stanza string) (State, JournalResult, error) {
	path := filepath.Join(dir, FileName(stanza))
	st, err := readBase(path, stanza)
	if err != nil {
		return State{}, JournalResult{}, err
	}
	return st, replayJournal(path+journalSuffix, &st), nil
}

func readBase(file, stanza string) (State, error) {
	f, err := os.Open(file)
	if err != nil {
		return State{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return State{}, fmt.Errorf("checkpoint: read %s: %w", file, err)
	}
	st, err := Decode(b)
	if err != nil {
		return State{}, err
	}
	if st.Stanza != stanza {
		return State{}, fmt.Errorf("checkpoint: %w: it belongs to stanza %q", ErrInvalid, truncate(st.Stanza))
	}
	return st, nil
}

// Save records st durably before it returns. When this Store wrote the
// base and the journal has room, it appends st's change from the last
// save to the journal (one write, fdatasync): the cost is what changed.
// Otherwise it writes st whole as a new base (see writeBase) and empties
// the journal.
//
// Save keeps the bucket headers of st to diff the next save against: the
// caller may change st afterwards, but not a bucket's IDs in place (the
// cursor never does; it makes a new slice).
func (s *Store) Save(st State) error {
	st.Stanza = s.stanza
	st.SavedAt = s.now().UnixMilli()
	if s.last != nil && s.journal != nil {
		if done, err := s.appendRecord(&st); done || err != nil {
			return err
		}
	}
	return s.writeBase(st)
}

// journalLimit is the size the journal may reach before a save compacts:
// the base's, at least JournalFloor, at most MaxFileSize (what Load reads).
func (s *Store) journalLimit() int64 {
	return min(max(int64(s.baseSize), s.journalFloor), MaxFileSize)
}

// appendRecord appends st's change from the last save to the journal. It
// returns false, and writes nothing, when st is better written as a base:
// it cannot be expressed as a change, or the journal would pass its limit.
func (s *Store) appendRecord(st *State) (bool, error) {
	rec, grow, ok := diff(s.last, st)
	if !ok {
		return false, nil
	}
	rec.Gen, rec.Seq = s.gen, s.seq+1
	frame, err := encodeRecord(&s.buf, &rec)
	if err != nil {
		return false, nil // a base then, which reports what is wrong
	}
	if s.journalSize+int64(len(frame)) > s.journalLimit() {
		return false, nil
	}
	_, err = s.journal.Write(frame)
	if err == nil {
		err = datasync(s.journal)
	}
	if err != nil {
		// The record may be partly written, or written but not durable:
		// cut it off (a reader would stop at it anyway) and write a base
		// at the next save, so that no record follows a bad one.
		s.journal.Truncate(s.journalSize)
		s.journalEmpty, s.last = false, nil
		return true, fmt.Errorf("checkpoint: append to the journal: %w", err)
	}
	s.seq++
	s.journalSize += int64(len(frame))
	s.journalEmpty = false
	s.size += grow
	st.Generation = s.gen
	from := make([]int, len(rec.Cursors))
	for i := range rec.Cursors {
		from[i] = rec.Cursors[i].From
	}
	s.last = snapshot(st, s.last, from)
	return true, nil
}

// writeBase writes st whole, as a new base of a new generation, atomically:
// a temp file in the same directory, fsynced, then renamed over the current
// file after the current file was kept as the previous good copy; the
// directory is fsynced so the rename itself survives a power cut. At every
// instant a complete current file exists (once one was written). Then the
// journal becomes the previous journal, beside the previous copy it
// follows, and a new empty journal takes its place: until then the journal
// holds records of the old generation, which no load applies to the new
// base. A crash between the rename and the rotation is so harmless, and
// the previous copy with its records is the state of the save before, as
// it was when every save wrote a whole file.
func (s *Store) writeBase(st State) error {
	s.last = nil // until the journal is ready for the new base
	st.Generation = newGeneration(s.gen)
	b, err := Encode(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, filepath.Base(s.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoint: create temp file: %w", err)
	}
	if err := writeSync(tmp, b); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := s.keepPrevious(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("checkpoint: rename into place: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.size, s.baseSize = len(b), len(b)
	if err := s.rotateJournal(); err != nil {
		return err
	}
	s.gen, s.seq, s.journalSize = st.Generation, 0, 0
	if st.validate() == nil {
		s.last = snapshot(&st, nil, nil)
	} // else no record may follow it (diff relies on its buckets' order): Load refuses it anyway, as before the journal
	return nil
}

// rotateJournal moves the journal to the previous journal's name (over
// the one before) and opens a new empty one, then fsyncs the directory
// before any record of the new base is appended: otherwise a crash could
// leave the old records in front of the new ones, and the new ones would
// be ignored with them. A journal known to be empty since the last base
// stays: the previous journal then stays too, and as it follows an older
// base, the previous copy takes no records, as none followed it.
func (s *Store) rotateJournal() error {
	if s.journal != nil && s.journalEmpty {
		return nil
	}
	if s.journal != nil {
		s.journal.Close() // before the rename, which Windows refuses an open file
		s.journal = nil
	}
	if err := os.Rename(s.JournalPath(), s.prevJournalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checkpoint: keep the journal with the previous copy: %w", err)
	}
	f, err := os.OpenFile(s.JournalPath(), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("checkpoint: create the journal: %w", err)
	}
	s.journal = f
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.journalEmpty = true
	return nil
}

// newGeneration returns a random generation, neither 0 (a base without
// one) nor prev. Random rather than counted: a base restored from a
// backup, or written after its successor was set aside, can never share a
// generation with records that do not follow it.
func newGeneration(prev uint64) uint64 {
	for {
		if g := rand.Uint64(); g != 0 && g != prev {
			return g
		}
	}
}

// SaveHeadroom is the room, beyond the size of the state in hand and of
// the journals at their largest, that ProveWritable and CheckDir make sure
// a checkpoint directory has: more than a save needs after one full page
// (10,000 event IDs of 8 bytes and their buckets).
const SaveHeadroom = 1 << 20

// ProveWritable saves st as a base (temp file, fsync, rename, directory
// fsync) and then writes, fsyncs and removes a probe file as large as what
// the saves to come need on top of the files there: the journal at its
// largest (the base's size, at least JournalFloor), the previous journal
// as large beside it (after the first compaction), and the temp file of
// the compaction that writes the next base (the base's size), plus
// SaveHeadroom for their growth. An input calls it before it emits
// anything: a directory that cannot take a save (a full or read-only file
// system, a file size limit) fails here, so the input stops without
// emitting events it could not checkpoint, instead of emitting the same
// page again on every restart.
func (s *Store) ProveWritable(st State) error {
	st.Stanza = s.stanza
	st.SavedAt = s.now().UnixMilli()
	if err := s.writeBase(st); err != nil {
		return err
	}
	return probe(s.dir, filepath.Base(s.path)+".tmp-probe-*", int64(s.baseSize)+2*s.journalLimit()+SaveHeadroom)
}

// CheckDir checks that dir is (or can be created as) a directory that can
// take a checkpoint save: it creates dir as Open does, then writes, fsyncs
// and removes a probe file of twice JournalFloor plus SaveHeadroom bytes (a
// new stanza's journals at their largest, and room for its bases). It
// takes no lock, so it works while an input runs (the service's --check).
func CheckDir(dir string) error {
	if dir == "" {
		return fmt.Errorf("checkpoint: no checkpoint directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("checkpoint: create %s: %w", dir, err)
	}
	return probe(dir, ".kubelens-probe-*", 2*JournalFloor+SaveHeadroom)
}

// probe writes size bytes to a new file in dir, fsyncs and removes it. The
// bytes are pseudo-random, so that a compressing file system (ZFS, btrfs)
// has to find room for them as it would for a checkpoint.
func probe(dir, pattern string, size int64) error {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return fmt.Errorf("checkpoint: cannot write in %s: %w", dir, err)
	}
	defer os.Remove(f.Name())
	rng := rand.NewChaCha8([32]byte{'k', 'u', 'b', 'e', 'l', 'e', 'n', 's'})
	buf := make([]byte, 64<<10)
	var werr error
	for left := size; left > 0 && werr == nil; {
		n := min(left, int64(len(buf)))
		rng.Read(buf[:n])
		_, werr = f.Write(buf[:n])
		left -= n
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("checkpoint: %s cannot take a save of %d bytes: %w", dir, size, werr)
	}
	return nil
}

// keepPrevious hard-links the current file to <name>.prev (through a temp
// name, so .prev is replaced atomically). A file system without hard links
// gets a copy instead.
func (s *Store) keepPrevious() error {
	if _, err := os.Stat(s.path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	prevTmp := s.path + ".prev.tmp"
	os.Remove(prevTmp)
	if err := os.Link(s.path, prevTmp); err != nil {
		b, rerr := os.ReadFile(s.path)
		if rerr != nil {
			return fmt.Errorf("checkpoint: keep previous copy: %w", rerr)
		}
		f, cerr := os.OpenFile(prevTmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if cerr != nil {
			return fmt.Errorf("checkpoint: keep previous copy: %w", cerr)
		}
		if werr := writeSync(f, b); werr != nil {
			return werr
		}
	}
	if err := os.Rename(prevTmp, s.path+".prev"); err != nil {
		return fmt.Errorf("checkpoint: keep previous copy: %w", err)
	}
	return nil
}

func writeSync(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", f.Name(), err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("checkpoint: sync directory: %w", err)
	}
	return nil
}

// Reset moves a stanza's checkpoint files (bases and journals) aside (renamed with a .reset-<time>
// suffix, never deleted) so the next start begins at start_from. It takes
// the lock, so it fails while the input runs. It returns the new names.
func Reset(dir, stanza string) ([]string, error) {
	s, err := Open(dir, stanza)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	suffix := ".reset-" + s.now().UTC().Format("20060102T150405Z")
	var moved []string
	for _, f := range []string{s.path, s.path + ".prev", s.JournalPath(), s.prevJournalPath()} {
		if err := os.Rename(f, f+suffix); err == nil {
			moved = append(moved, f+suffix)
		} else if !errors.Is(err, os.ErrNotExist) {
			return moved, fmt.Errorf("checkpoint: reset: %w", err)
		}
	}
	return moved, nil
}
