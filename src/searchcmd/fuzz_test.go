package searchcmd_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/searchcmd"
)

// fuzzSeeds are splunkd streams for the real command: getinfo, then
// execute chunks with audit events, multivalues, "\r\n" and quotes in
// values, cells around the arena's block size, a wide header, blank
// lines, a row of the wrong width, and cut streams.
func fuzzSeeds() [][]byte {
	getinfo := []byte(`{"action":"getinfo","searchinfo":{"args":["fields=identity,detections"]}}`)
	raw, uri := auditEvent(10, 10)
	bigRaw, _ := auditEvent(blockSize+1, 10)
	_, bigURI := auditEvent(10, blockSize+1)
	bodies := [][]byte{
		body([]string{"_raw", "_time", "sourceIPs{}", "__mv_sourceIPs{}"}, []string{raw, "1", "10.0.0.1\n10.0.0.2", "$10.0.0.1$;$10.0.0.2$"}, []string{smallRaw, "2", "", ""}),
		body([]string{"_raw", "requestURI"}, []string{raw, uri}, []string{"not json\r\nat all", ""}),
		body([]string{"_raw"}, []string{bigRaw}),
		body([]string{"_raw", "requestURI"}, []string{smallRaw, bigURI}),
		[]byte("a,b,c\n\n\r\n1,2,3\n"),
		[]byte("_raw\n\n\n"),
		[]byte("_raw,b\n1,2\n3\n"),
	}
	var seeds [][]byte
	for _, b := range bodies {
		var buf bytes.Buffer
		w := chunked.NewWriter(&buf)
		w.WriteChunk(getinfo, nil)
		w.WriteChunk([]byte(`{"action":"execute","finished":false}`), b)
		w.WriteChunk([]byte(`{"action":"execute","finished":true}`), nil)
		seeds = append(seeds, buf.Bytes())
	}
	whole := seeds[0]
	seeds = append(seeds, whole[:len(whole)/2], whole[:len(whole)-3])
	return seeds
}

// FuzzServe drives the real command with any stream: it must return (nil
// or an error), never panic or hang, and write only whole replies, the
// last of them an error reply when it returned an error.
func FuzzServe(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	lookups := filepath.Join("..", "..", "lookups")
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		cmd := searchcmd.New(lookups)
		cmd.SetParallelism(2)
		err := chunked.Serve(t.Context(), bytes.NewReader(data), &out, cmd, chunked.Options{Name: "kubeenrich", MaxChunkSize: 64 << 20})
		var pe *chunked.PanicError
		if errors.As(err, &pe) {
			t.Fatalf("panic: %v\n%s", pe.Value, pe.Stack)
		}
		metas, _, streamErr := readStream(out.Bytes())
		if streamErr != nil {
			t.Fatalf("Serve wrote an invalid stream: %v", streamErr)
		}
		if err != nil {
			if len(metas) == 0 || !strings.HasPrefix(metas[len(metas)-1].Error, "kubeenrich: ") {
				t.Fatalf("Serve returned %v, but its last reply is not an error reply naming the command: %+v", err, metas)
			}
		}
	})
}
