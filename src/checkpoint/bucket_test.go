package checkpoint

import (
	"bytes"
	"slices"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestBucket_EncodesAsTheStructDid compares Bucket's own encoding with
// msgpack's reflection over the same fields, for empty, nil, small and
// large buckets, inside a whole State as Encode writes it.
func TestBucket_EncodesAsTheStructDid(t *testing.T) {
	type plainBucket struct {
		Timestamp int64    `msgpack:"ts"`
		IDs       []uint64 `msgpack:"ids"`
	}
	type plainCursor struct {
		LogGroup string        `msgpack:"log_group"`
		Seen     []plainBucket `msgpack:"seen"`
	}
	type ourCursor struct {
		LogGroup string   `msgpack:"log_group"`
		Seen     []Bucket `msgpack:"seen"`
	}
	buckets := []Bucket{{Timestamp: 0}, {Timestamp: -5, IDs: []uint64{}}, {Timestamp: 1700000000000, IDs: []uint64{0, 1, 127, 128, 1 << 63, ^uint64(0)}}}
	big := make([]uint64, 70_000) // past msgpack's 16-bit array length
	for i := range big {
		big[i] = uint64(i) * 0x9E3779B97F4A7C15
	}
	buckets = append(buckets, Bucket{Timestamp: 1 << 40, IDs: big})
	var plain []plainBucket
	for _, b := range buckets {
		plain = append(plain, plainBucket(b))
	}
	want, err := msgpack.Marshal(&plainCursor{LogGroup: "g", Seen: plain})
	if err != nil {
		t.Fatal(err)
	}
	got, err := msgpack.Marshal(&ourCursor{LogGroup: "g", Seen: buckets})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Bucket encodes differently: %d bytes, want %d", len(got), len(want))
	}
	// And it decodes back through the reflective decoder.
	var back ourCursor
	if err := msgpack.Unmarshal(got, &back); err != nil || len(back.Seen) != len(buckets) || !slices.Equal(back.Seen[3].IDs, big) {
		t.Fatalf("decoding back: %v", err)
	}
}
