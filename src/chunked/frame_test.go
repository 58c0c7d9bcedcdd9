package chunked_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kubelens/kubelens/src/chunked"
)

// TestWriteChunk_ExactBytes verifies the transport header uses byte counts
// of the UTF-8 payload and that nothing separates meta, body and the next
// header.
func TestWriteChunk_ExactBytes(t *testing.T) {
	var buf bytes.Buffer
	w := chunked.NewWriter(&buf)
	if err := w.WriteChunk([]byte(`{"type":"streaming"}`), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteChunk([]byte(`{"finished":true}`), []byte("teststring\nทt\n")); err != nil {
		t.Fatal(err)
	}
	const want = "chunked 1.0,20,0\n{\"type\":\"streaming\"}" +
		"chunked 1.0,17,16\n{\"finished\":true}teststring\nทt\n" // ท is 3 bytes
	if got := buf.String(); got != want {
		t.Errorf("wrote %q\nwant %q", got, want)
	}
}

// TestReadChunk_RoundTrip verifies that what the Writer writes the Reader
// reads back exactly, over a reader that returns one byte at a time.
func TestReadChunk_RoundTrip(t *testing.T) {
	chunks := []chunked.Chunk{
		{Meta: []byte(`{"action":"getinfo","searchinfo":{"search":"ทt € 😀"}}`)},
		{Meta: []byte(`{"action":"execute","finished":false}`), Body: []byte("a,b\n1,2\n")},
		{Meta: []byte(`{}`)},
		{Meta: nil, Body: []byte("x")},
		{Meta: []byte(`{"finished":true}`), Body: []byte("\"q\r\nz\",\"ทt\"\n")},
	}
	var buf bytes.Buffer
	w := chunked.NewWriter(&buf)
	for _, c := range chunks {
		if err := w.WriteChunk(c.Meta, c.Body); err != nil {
			t.Fatal(err)
		}
	}
	r := chunked.NewReader(iotest.OneByteReader(&buf))
	for i, want := range chunks {
		got, err := r.ReadChunk()
		if err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		if !bytes.Equal(got.Meta, want.Meta) || !bytes.Equal(got.Body, want.Body) {
			t.Errorf("chunk %d = %q/%q, want %q/%q", i, got.Meta, got.Body, want.Meta, want.Body)
		}
	}
	if _, err := r.ReadChunk(); err != io.EOF {
		t.Errorf("after the last chunk: %v, want io.EOF", err)
	}
}

// TestReadChunk_TolerantHeader verifies the whitespace and "\r\n" that
// splunklib's header expression accepts.
func TestReadChunk_TolerantHeader(t *testing.T) {
	for _, hdr := range []string{"chunked 1.0,2,1\n", "chunked 1.0,2,1\r\n", "chunked  1.0 , 2 , 1 \n", "chunked\t1.0,2,1\n"} {
		r := chunked.NewReader(strings.NewReader(hdr + "{}z"))
		c, err := r.ReadChunk()
		if err != nil {
			t.Errorf("%q: %v", hdr, err)
			continue
		}
		if string(c.Meta) != "{}" || string(c.Body) != "z" {
			t.Errorf("%q: got %q/%q", hdr, c.Meta, c.Body)
		}
	}
}

// TestReadChunk_BadInput verifies that malformed streams end with a clear
// error, never a hang or a panic.
func TestReadChunk_BadInput(t *testing.T) {
	cases := []struct {
		name, in, want string
		tooLarge       bool
	}{
		{name: "truncated header", in: "chunked 1.0,1", want: "stream ended inside a transport header"},
		{name: "not a header", in: "splunkVersion:6.5.1\n", want: "malformed transport header"},
		{name: "v1 protocol", in: "infoPath:/tmp/x\n\n", want: "malformed transport header"},
		{name: "negative", in: "chunked 1.0,-1,0\n", want: "malformed transport header"},
		{name: "missing body length", in: "chunked 1.0,2\n{}", want: "malformed transport header"},
		{name: "huge number", in: "chunked 1.0,99999999999999999999999,0\n", want: "malformed transport header"},
		{name: "blank line between chunks", in: "chunked 1.0,2,0\n{}\nchunked 1.0,2,0\n{}", want: "malformed transport header"},
		{name: "no line end", in: "chunked 1.0," + strings.Repeat("1", 200000), want: "no line end"},
		{name: "truncated meta", in: "chunked 1.0,10,0\n{}", want: "stream ended inside the metadata"},
		{name: "truncated body", in: "chunked 1.0,2,150\n{}abc", want: "stream ended inside the body"},
		{name: "beyond maximum", in: "chunked 1.0,2,4096\n{}", tooLarge: true, want: "exceed the maximum of 1024 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := chunked.NewReader(strings.NewReader(tc.in))
			r.SetMaxChunkSize(1024)
			var err error
			for i := 0; i < 3 && err == nil; i++ {
				_, err = r.ReadChunk()
			}
			if err == nil || err == io.EOF {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if got := errors.Is(err, chunked.ErrChunkTooLarge); got != tc.tooLarge {
				t.Errorf("errors.Is(ErrChunkTooLarge) = %v, want %v", got, tc.tooLarge)
			}
			if !chunked.IsProtocolError(err) {
				t.Errorf("IsProtocolError(%v) = false", err)
			}
		})
	}
}

// TestReadChunk_LargeBodyGrowsWithData verifies a large declared body is
// read completely even though the buffer grows as the data arrives.
func TestReadChunk_LargeBodyGrowsWithData(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 3<<20) // 48 MiB
	var buf bytes.Buffer
	if err := chunked.NewWriter(&buf).WriteChunk([]byte("{}"), body); err != nil {
		t.Fatal(err)
	}
	c, err := chunked.NewReader(&buf).ReadChunk()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Body, body) {
		t.Errorf("body of %d bytes read back as %d bytes, or different", len(body), len(c.Body))
	}
}

// TestReadChunk_ReuseBuffers verifies bodies stay intact by default and
// share one buffer only when asked.
func TestReadChunk_ReuseBuffers(t *testing.T) {
	var buf bytes.Buffer
	w := chunked.NewWriter(&buf)
	w.WriteChunk([]byte("{}"), []byte("first"))
	w.WriteChunk([]byte("{}"), []byte("other"))
	data := buf.Bytes()
	for _, reuse := range []bool{false, true} {
		r := chunked.NewReader(bytes.NewReader(data))
		r.ReuseBuffers(reuse)
		a, _ := r.ReadChunk()
		b, _ := r.ReadChunk()
		if string(b.Body) != "other" {
			t.Fatalf("reuse=%v: second body %q", reuse, b.Body)
		}
		if got := string(a.Body) == "first"; got == reuse {
			t.Errorf("reuse=%v: first body is %q after the second read", reuse, a.Body)
		}
	}
}
