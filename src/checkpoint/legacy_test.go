package checkpoint

import (
	"hash/crc32"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// v1Cursor is the cursor as the first release saved it: no source, no
// seen_from.
type v1Cursor struct {
	LogGroup  string   `msgpack:"log_group"`
	Prefix    string   `msgpack:"prefix"`
	Watermark int64    `msgpack:"watermark_ms"`
	Floor     int64    `msgpack:"floor_ms"`
	Seen      []Bucket `msgpack:"seen"`
}

type v1State struct {
	Stanza  string     `msgpack:"stanza"`
	SavedAt int64      `msgpack:"saved_at_ms"`
	Cursors []v1Cursor `msgpack:"cursors"`
}

// TestDecode_FirstReleaseFile verifies that a file written by the first
// release decodes, its cursors legacy (no source) with their positions and
// IDs intact.
func TestDecode_FirstReleaseFile(t *testing.T) {
	old := v1State{Stanza: "eks_logs://prod", SavedAt: 1700000000000, Cursors: []v1Cursor{
		{LogGroup: "/aws/eks/prod/cluster", Prefix: "kube-apiserver-audit-", Watermark: 1700000000000, Floor: 1699990000000,
			Seen: []Bucket{{Timestamp: 1699999999999, IDs: []uint64{42}}}},
	}}
	payload, err := msgpack.Marshal(&old)
	if err != nil {
		t.Fatal(err)
	}
	b, err := msgpack.Marshal(&envelope{Magic: magic, Version: 1, Checksum: crc32.Checksum(payload, castagnoli), Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	c := st.Cursors[0]
	if !c.Legacy() || c.Watermark != 1700000000000 || c.Floor != 1699990000000 || c.SeenFrom != 0 || len(c.Seen) != 1 || c.Seen[0].IDs[0] != 42 {
		t.Errorf("decoded %+v", c)
	}
}

// TestDecode_EarlierVersionReadsGenerations verifies that a base with a
// generation decodes with the State of the version before journals (no
// Generation field): msgpack skips a field a struct does not have, so a
// downgrade reads the base.
func TestDecode_EarlierVersionReadsGenerations(t *testing.T) {
	type beforeJournal struct {
		Stanza  string   `msgpack:"stanza"`
		SavedAt int64    `msgpack:"saved_at_ms"`
		Cursors []Cursor `msgpack:"cursors"`
	}
	b, err := Encode(State{Stanza: "eks_logs://prod", Generation: 0x1234567890abcdef, Cursors: []Cursor{{Region: "r", Position: Position{Watermark: 9}}}})
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	if err := unmarshalStrict(b, &env); err != nil {
		t.Fatal(err)
	}
	var old beforeJournal
	if err := unmarshalStrict(env.Payload, &old); err != nil || old.Stanza != "eks_logs://prod" || len(old.Cursors) != 1 || old.Cursors[0].Watermark != 9 {
		t.Fatalf("the earlier version reads %+v, %v", old, err)
	}
}
