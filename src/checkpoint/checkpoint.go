// Package checkpoint keeps an input's progress on disk: per stanza, a base
// file (msgpack, versioned and checksummed, written atomically: temp file,
// fsync, rename, with the previous good copy kept beside it) and a journal
// of what each save changed since (appended and fdatasynced), so that a
// save costs what changed rather than every event ID the state holds.
//
// The package provides:
//   - State and Cursor, the persisted progress of one stanza (a watermark and
//     the recent event IDs per source: Region, principal, endpoint, log group
//     and stream prefix, together a Key);
//   - Encode and Decode, the base file's format (Decode never trusts its
//     input);
//   - Store, which locks a stanza's files against a second process, loads the
//     newest valid state (a base and its journal's records, setting corrupt
//     files aside, never deleting them), proves the directory can take the
//     saves to come before anything is emitted, saves new states (a journal
//     record, or a new base when the journal would outgrow the base), and
//     compacts at Close, so that a clean stop leaves the whole state in the
//     base;
//   - Read, the state a Store would load, without the lock (for "checkpoint
//     show");
//   - CheckDir, the proof without a stanza or a lock (for --check);
//   - FileName, the stable, readable file name of a stanza.
package checkpoint

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"

	"github.com/vmihailenco/msgpack/v5"
)

// FormatVersion is the version of the payload layout. Decode refuses any
// other version rather than guessing what it means.
const FormatVersion = 1

// magic identifies a kubelens checkpoint, so that a stray file dropped into
// checkpoint_dir is reported as "not a checkpoint" instead of garbage.
const magic = "kubelens.eks_logs.checkpoint"

// MaxFileSize bounds what Decode and Load accept, so that a damaged or
// foreign file cannot take the memory it claims. A checkpoint holds the
// IDs of every event emitted within the overlap, 13.5 to 27 bytes each
// (see the README's Checkpoints): about 10 to 20 million events, rate times
// overlap, fit. The input warns well before (eksinput).
const MaxFileSize = 256 << 20

// State is everything an input persists: one Cursor per source it reads
// (see Key).
type State struct {
	Stanza  string   `msgpack:"stanza"`
	SavedAt int64    `msgpack:"saved_at_ms"` // wall clock of the save, for humans
	Cursors []Cursor `msgpack:"cursors"`
	// Generation tells the bases a Store writes apart (random, never 0):
	// a journal record carries the generation of the base it follows, so
	// it is never applied to another. Store.Save sets it; a file without
	// it (written by an earlier version, which ignores the field) reads
	// as 0 and takes no journal.
	Generation uint64 `msgpack:"generation,omitempty"`
}

// Cursor is the position of one query: its source, where its reading
// stands (Position), and the IDs of the events emitted at or after
// SeenFrom (Seen), so that a re-read of the overlap can drop them.
//
// Region, Principal and Endpoint, with LogGroup and Prefix, say which
// source the cursor belongs to (see Key). A cursor saved before they
// existed (format version 1 without them) has an empty Region: Legacy
// reports it, and the input adopts it for its log group and prefix once.
// The fields were added without changing FormatVersion: decoders ignore
// fields they do not know, and a missing field reads as empty.
type Cursor struct {
	Region    string `msgpack:"region,omitempty"`
	Principal string `msgpack:"principal,omitempty"`
	Endpoint  string `msgpack:"endpoint,omitempty"`
	LogGroup  string `msgpack:"log_group"`
	Prefix    string `msgpack:"prefix"`
	Position  `msgpack:",inline"`
	Seen      []Bucket `msgpack:"seen"`
}

// Position is where the reading of one source stands, in epoch ms: the
// times a Cursor saves, which the puller's cursor (cloudwatch.Cursor)
// works with. Its fields are saved inline in the Cursor.
type Position struct {
	// Watermark is the event timestamp up to which everything visible has
	// been emitted.
	Watermark int64 `msgpack:"watermark_ms"`
	// Floor is the configured start: no query reads before it.
	Floor int64 `msgpack:"floor_ms"`
	// SeenFrom is the oldest timestamp from which Seen holds every emitted
	// event: no re-read starts before it, so raising the overlap never
	// re-reads events whose IDs were already forgotten.
	SeenFrom int64 `msgpack:"seen_from_ms,omitempty"`
	// SweepFrom is where the next late sweep starts (0: none recorded, the
	// next poll sweeps from the watermark less the overlap). Checkpoints
	// saved before late sweeps lack it and read as 0. Earlier versions
	// ignore it and re-read the overlap before the watermark on every
	// poll: the watermark is saved at most the overlap after SweepFrom, so
	// that they read what the next sweep would have.
	SweepFrom int64 `msgpack:"sweep_from_ms,omitempty"`
	// SweptTo is the window end of the last late sweep that read a page,
	// which schedules the next (0: none).
	SweptTo int64 `msgpack:"swept_to_ms,omitempty"`
}

// Key identifies the source of a cursor: where the events are read (the
// Region, the endpoint), as whom (the principal: a role ARN, an account
// name, or empty for the default credential chain), and what (the log group
// and the stream-name prefix). A cursor is only resumed for the same key.
type Key struct {
	Region, Principal, Endpoint, LogGroup, Prefix string
}

// String writes the key for log lines and "checkpoint show".
func (k Key) String() string {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	return "region=" + dash(k.Region) + " principal=" + dash(k.Principal) + " endpoint=" + dash(k.Endpoint) +
		" log_group=" + k.LogGroup + " prefix=" + k.Prefix
}

// Key returns the cursor's key.
func (c *Cursor) Key() Key {
	return Key{Region: c.Region, Principal: c.Principal, Endpoint: c.Endpoint, LogGroup: c.LogGroup, Prefix: c.Prefix}
}

// SetKey stamps the cursor with a key.
func (c *Cursor) SetKey(k Key) {
	c.Region, c.Principal, c.Endpoint, c.LogGroup, c.Prefix = k.Region, k.Principal, k.Endpoint, k.LogGroup, k.Prefix
}

// Legacy reports a cursor saved before cursors carried their source: it
// has no Region (every input has one).
func (c *Cursor) Legacy() bool { return c.Region == "" }

// Bucket holds the 64-bit hashes of the event IDs seen at one timestamp.
type Bucket struct {
	Timestamp int64    `msgpack:"ts"`
	IDs       []uint64 `msgpack:"ids"`
}

// EncodeMsgpack writes the bucket exactly as msgpack's struct encoding
// with Encode's default options does (a map of "ts" and "ids", integers
// in 9 bytes), without its reflection per hash: a checkpoint holds every
// ID of the overlap window, up to millions, and is written after every
// page. TestBucket_EncodesAsTheStructDid holds it to that. The pointer
// receiver spares an allocation per bucket; msgpack calls it for a Bucket
// it can address, as in a Cursor's Seen (encoding a bare Bucket value
// fails).
func (b *Bucket) EncodeMsgpack(enc *msgpack.Encoder) error {
	if err := enc.EncodeMapLen(2); err != nil {
		return err
	}
	if err := enc.EncodeString("ts"); err != nil {
		return err
	}
	if err := enc.EncodeInt64(b.Timestamp); err != nil {
		return err
	}
	if err := enc.EncodeString("ids"); err != nil {
		return err
	}
	if b.IDs == nil {
		return enc.EncodeNil()
	}
	if err := enc.EncodeArrayLen(len(b.IDs)); err != nil {
		return err
	}
	for _, h := range b.IDs {
		if err := enc.EncodeUint64(h); err != nil {
			return err
		}
	}
	return nil
}

// Find returns the cursor of the key, or nil.
func (s *State) Find(k Key) *Cursor {
	for i := range s.Cursors {
		if s.Cursors[i].Key() == k {
			return &s.Cursors[i]
		}
	}
	return nil
}

// FindLegacy returns the legacy cursor (see Cursor.Legacy) of the log group
// and prefix, or nil.
func (s *State) FindLegacy(group, prefix string) *Cursor {
	for i := range s.Cursors {
		if c := &s.Cursors[i]; c.Legacy() && c.LogGroup == group && c.Prefix == prefix {
			return c
		}
	}
	return nil
}

// envelope is the outer msgpack document: the checksum covers the payload
// bytes exactly as stored, so it is independent of how msgpack encodes maps.
type envelope struct {
	Magic    string `msgpack:"magic"`
	Version  int    `msgpack:"v"`
	Checksum uint32 `msgpack:"crc32c"`
	Payload  []byte `msgpack:"payload"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors that Decode wraps; callers may branch on them with errors.Is.
var (
	ErrNotCheckpoint = errors.New("not a kubelens checkpoint")
	ErrVersion       = errors.New("unsupported checkpoint version")
	ErrChecksum      = errors.New("checksum mismatch")
	ErrInvalid       = errors.New("invalid checkpoint content")
)

// Encode returns the file bytes for s.
func Encode(s State) ([]byte, error) {
	payload, err := msgpack.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: encode state: %w", err)
	}
	b, err := msgpack.Marshal(&envelope{Magic: magic, Version: FormatVersion, Checksum: crc32.Checksum(payload, castagnoli), Payload: payload})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: encode envelope: %w", err)
	}
	return b, nil
}

// Decode parses file bytes. It checks the magic, the version and the
// checksum, and that the content is coherent (non-negative times, buckets in
// timestamp order, no repeated cursor), so a state it returns is safe to
// resume from.
func Decode(b []byte) (State, error) {
	var s State
	if len(b) > MaxFileSize {
		return s, fmt.Errorf("checkpoint: %w: %d bytes exceeds %d", ErrInvalid, len(b), MaxFileSize)
	}
	var env envelope
	if err := unmarshalStrict(b, &env); err != nil {
		return s, fmt.Errorf("checkpoint: %w: %v", ErrNotCheckpoint, err)
	}
	if env.Magic != magic {
		return s, fmt.Errorf("checkpoint: %w: magic %q", ErrNotCheckpoint, truncate(env.Magic))
	}
	if env.Version != FormatVersion {
		return s, fmt.Errorf("checkpoint: %w %d (this build reads %d)", ErrVersion, env.Version, FormatVersion)
	}
	if got := crc32.Checksum(env.Payload, castagnoli); got != env.Checksum {
		return s, fmt.Errorf("checkpoint: %w: stored %08x, computed %08x", ErrChecksum, env.Checksum, got)
	}
	if err := unmarshalStrict(env.Payload, &s); err != nil {
		return State{}, fmt.Errorf("checkpoint: %w: %v", ErrInvalid, err)
	}
	if err := s.validate(); err != nil {
		return State{}, fmt.Errorf("checkpoint: %w: %v", ErrInvalid, err)
	}
	return s, nil
}

// unmarshalStrict decodes exactly one msgpack value that must use all of b.
// The lengths the value claims are checked against b first (checkLengths):
// msgpack allocates a slice as long as its array claims to be.
func unmarshalStrict(b []byte, v any) error {
	if err := checkLengths(b); err != nil {
		return err
	}
	r := bytes.NewReader(b)
	d := msgpack.NewDecoder(r)
	if err := d.Decode(v); err != nil {
		return err
	}
	if r.Len() != 0 {
		return fmt.Errorf("%d trailing bytes", r.Len())
	}
	return nil
}

// checkLengths checks that the msgpack value at the start of b holds what
// it claims: every element of its arrays and maps, every byte of its
// strings. The decoder would otherwise allocate what a few hostile bytes
// claim (an array32 of 2^32 cursors is 36 GB). msgpack's Skip reads the
// value through without keeping it: an array is skipped element by
// element, so a false length fails at the end of b, and a string is read
// in growing steps.
func checkLengths(b []byte) error {
	return msgpack.NewDecoder(bytes.NewReader(b)).Skip()
}

// check checks the times: none is negative. Decode and the journal's
// records both hold cursors to it.
func (c *Position) check() error {
	if c.Watermark < 0 || c.Floor < 0 || c.SeenFrom < 0 || c.SweepFrom < 0 || c.SweptTo < 0 {
		return errors.New("negative watermark, floor, seen_from, sweep_from or swept_to")
	}
	return nil
}

func (s *State) validate() error {
	if s.SavedAt < 0 {
		return fmt.Errorf("negative save time")
	}
	seen := make(map[Key]bool, len(s.Cursors))
	for i, c := range s.Cursors {
		k := c.Key()
		if seen[k] {
			return fmt.Errorf("cursor %d repeats the source of another (log group %q prefix %q)", i, truncate(c.LogGroup), truncate(c.Prefix))
		}
		seen[k] = true
		if err := c.Position.check(); err != nil {
			return fmt.Errorf("cursor %d: %w", i, err)
		}
		for j, bk := range c.Seen {
			if bk.Timestamp < 0 {
				return fmt.Errorf("cursor %d: bucket %d: negative timestamp", i, j)
			}
			if j > 0 && bk.Timestamp <= c.Seen[j-1].Timestamp {
				return fmt.Errorf("cursor %d: buckets out of order at %d", i, j)
			}
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// FileName returns the checkpoint file name of a stanza: a readable part
// (the stanza name without the scheme, unsafe characters replaced) and a hash
// of the full name, so two stanzas never share a file.
func FileName(stanza string) string {
	name := stanza
	if i := strings.Index(name, "://"); i >= 0 {
		name = name[i+3:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	readable := strings.TrimLeft(b.String(), ".")
	if readable == "" {
		readable = "stanza"
	}
	sum := sha256.Sum256([]byte(stanza))
	return readable + "." + hex.EncodeToString(sum[:4]) + ".ckpt"
}

// SortBuckets puts a cursor's buckets in timestamp order, merging repeats;
// Encode does not require it, Decode does.
func (c *Cursor) SortBuckets() {
	slices.SortFunc(c.Seen, func(a, b Bucket) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	out := c.Seen[:0]
	for _, bk := range c.Seen {
		if n := len(out); n > 0 && out[n-1].Timestamp == bk.Timestamp {
			out[n-1].IDs = append(out[n-1].IDs, bk.IDs...)
			continue
		}
		out = append(out, bk)
	}
	c.Seen = out
}
