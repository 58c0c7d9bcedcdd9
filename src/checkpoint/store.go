package checkpoint

import (
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
//	<name>          the current state
//	<name>.prev     the state before it (the previous good copy)
//	<name>.lock     held (flock) while a process uses the files
//	<name>.corrupt-<time>   files that failed to decode, set aside for a human
type Store struct {
	dir    string
	stanza string
	path   string
	unlock func() error
	now    func() time.Time
	size   int // bytes of the last file Save wrote
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
// from the configured start time).
type LoadResult struct {
	Source   string
	File     string
	Problems []Problem
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
	s := &Store{dir: dir, stanza: stanza, path: filepath.Join(dir, FileName(stanza)), now: time.Now}
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

// LastSize returns the bytes of the last file Save wrote (0 before one):
// past MaxFileSize, Load would refuse it.
func (s *Store) LastSize() int { return s.size }

// Path returns the current checkpoint file's path.
func (s *Store) Path() string { return s.path }

// Close releases the lock.
func (s *Store) Close() error {
	if s.unlock == nil {
		return nil
	}
	err := s.unlock()
	s.unlock = nil
	return err
}

// Load returns the newest valid state: the current file, else the previous
// good copy. Each file that exists but cannot be used (unreadable, corrupt,
// another version, another stanza's) is renamed aside and reported in the
// result; Load never deletes. A missing current file with no previous copy
// is the normal first start and yields Source "none" and no problem.
func (s *Store) Load() (State, LoadResult, error) {
	var res LoadResult
	for _, c := range []struct{ file, source string }{{s.path, "current"}, {s.path + ".prev", "previous"}} {
		st, err := s.read(c.file)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			res.Source, res.File = c.source, c.file
			return st, res, nil
		}
		p := Problem{File: c.file, Err: err}
		aside := fmt.Sprintf("%s.corrupt-%s", c.file, s.now().UTC().Format("20060102T150405.000000000Z"))
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

func (s *Store) read(file string) (State, error) {
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
	if st.Stanza != s.stanza {
		return State{}, fmt.Errorf("checkpoint: %w: it belongs to stanza %q", ErrInvalid, truncate(st.Stanza))
	}
	return st, nil
}

// Save writes st atomically: a temp file in the same directory, fsynced,
// then renamed over the current file after the current file was kept as the
// previous good copy; finally the directory is fsynced so the rename itself
// survives a power cut. At every instant a complete current file exists
// (once one was written).
func (s *Store) Save(st State) error {
	st.Stanza = s.stanza
	st.SavedAt = s.now().UnixMilli()
	b, err := Encode(st)
	if err != nil {
		return err
	}
	s.size = len(b)
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
	return syncDir(s.dir)
}

// SaveHeadroom is the room, beyond the size of the state in hand, that
// ProveWritable and CheckDir make sure a checkpoint directory has: more
// than a save needs after one full page (10,000 event IDs of 8 bytes and
// their buckets).
const SaveHeadroom = 1 << 20

// ProveWritable saves st (as Save does: temp file, fsync, rename, directory
// fsync) and then writes, fsyncs and removes a probe file as large as st
// plus SaveHeadroom. An input calls it before it emits anything: a
// directory that cannot take a save (a full or read-only file system, a
// file size limit) fails here, so the input stops without emitting events
// it could not checkpoint, instead of emitting the same page again on every
// restart.
func (s *Store) ProveWritable(st State) error {
	if err := s.Save(st); err != nil {
		return err
	}
	b, err := Encode(st)
	if err != nil {
		return err
	}
	return probe(s.dir, filepath.Base(s.path)+".tmp-probe-*", int64(len(b))+SaveHeadroom)
}

// CheckDir checks that dir is (or can be created as) a directory that can
// take a checkpoint save: it creates dir as Open does, then writes, fsyncs
// and removes a probe file of SaveHeadroom bytes. It takes no lock, so it
// works while an input runs (the service's --check).
func CheckDir(dir string) error {
	if dir == "" {
		return fmt.Errorf("checkpoint: no checkpoint directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("checkpoint: create %s: %w", dir, err)
	}
	return probe(dir, ".kubelens-probe-*", SaveHeadroom)
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

// Reset moves a stanza's checkpoint files aside (renamed with a .reset-<time>
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
	for _, f := range []string{s.path, s.path + ".prev"} {
		if err := os.Rename(f, f+suffix); err == nil {
			moved = append(moved, f+suffix)
		} else if !errors.Is(err, os.ErrNotExist) {
			return moved, fmt.Errorf("checkpoint: reset: %w", err)
		}
	}
	return moved, nil
}
