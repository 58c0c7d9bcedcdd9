package chunked_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
)

// seedStreams are realistic splunkd streams: getinfo, execute chunks with
// splunkd's quoting, multivalue and multibyte cells, a header-only chunk
// and a final empty one.
func seedStreams(t testing.TB) [][]byte {
	var buf bytes.Buffer
	w := chunked.NewWriter(&buf)
	for _, c := range [][2]string{
		{getinfo, ""},
		{`{"action":"execute","finished":false}`, splunkdBody},
		{`{"action":"execute","finished":false}`, "\"_time\",\"_raw\",\"__mv__time\",\"__mv__raw\"\n"},
		{`{"action":"execute","finished":false}`, "\"_time\",teststring,\"__mv__time\",\"__mv_teststring\"\n\"1599084000.0\",\"ทt\",,\n"},
		{`{"action":"execute","finished":true}`, ""},
	} {
		if err := w.WriteChunk([]byte(c[0]), []byte(c[1])); err != nil {
			t.Fatal(err)
		}
	}
	full := buf.Bytes()
	return [][]byte{full, full[:len(full)/2], []byte("chunked 1.0,2,0\r\n{}"), []byte("chunked 1.0,17,3\n{\"finished\":true}a\n1")}
}

// addRecordings seeds with splunkd recordings from ../shared when the
// checkout has them; they are third-party data and never committed.
func addRecordings(f *testing.F) {
	for _, name := range []string{"custom_search_data/multibyte_input.gz", "scpv2/Splunk-6.3/countmatches.input.gz"} {
		fh, err := os.Open(filepath.Join("..", "..", "..", "shared", "recordings", name))
		if err != nil {
			continue
		}
		zr, err := gzip.NewReader(fh)
		if err == nil {
			data, _ := io.ReadAll(io.LimitReader(zr, 1<<16))
			f.Add(data)
		}
		fh.Close()
	}
}

// FuzzReadChunk verifies the reader never panics or hangs, and that every
// chunk it accepts is written and read back identically.
func FuzzReadChunk(f *testing.F) {
	for _, s := range seedStreams(f) {
		f.Add(s)
	}
	addRecordings(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := chunked.NewReader(bytes.NewReader(data))
		r.SetMaxChunkSize(1 << 20)
		for i := 0; i < 64; i++ {
			c, err := r.ReadChunk()
			if err != nil {
				return
			}
			meta, body := bytes.Clone(c.Meta), c.Body
			var buf bytes.Buffer
			if err := chunked.NewWriter(&buf).WriteChunk(meta, body); err != nil {
				t.Fatal(err)
			}
			back, err := chunked.NewReader(&buf).ReadChunk()
			if err != nil {
				t.Fatalf("re-reading a written chunk: %v", err)
			}
			if !bytes.Equal(back.Meta, meta) || !bytes.Equal(back.Body, body) {
				t.Fatalf("round trip changed the chunk")
			}
		}
	})
}

// FuzzDecodeTable verifies that any body the decoder accepts encodes to a
// body that decodes to the same columns and cells.
func FuzzDecodeTable(f *testing.F) {
	for _, b := range []string{splunkdBody, "a\n\"\"\n\nx\n", "a,b\r\n1,\"x\r\ny\"\r\n", "\"名前\",\"__mv_名前\"\n\"a\nb\",$a$;$b$\n", "a,b\n1,"} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tb, err := chunked.DecodeTable(body)
		if err != nil {
			return
		}
		for i := 0; i < tb.Len(); i++ {
			for _, name := range tb.Fields() {
				tb.Record(i).Values(name) // must not panic on any __mv_ cell
			}
		}
		back, err := chunked.DecodeTable(tb.AppendCSV(nil))
		if err != nil {
			t.Fatalf("re-decoding our own encoding: %v", err)
		}
		if tb.Len() > 0 {
			assertSameCells(t, tb, back)
		}
	})
}
