package passthrough_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/passthrough"
	"github.com/kubelens/kubelens/src/searchcmd"
)

// stream is a getinfo request and execute requests of the given sizes
// over generated events, the last one finished.
func stream(sizes ...int) (data []byte, bodies [][]byte) {
	data = benchdata.AppendChunk(nil, benchdata.GetInfo("kubeenrich"), nil)
	total := 0
	for _, n := range sizes {
		total += n
	}
	evs := benchdata.Events(total, 5)
	for i, n := range sizes {
		var body []byte
		if n > 0 {
			body = benchdata.AppendBody(nil, evs[:n], benchdata.Full)
		}
		evs = evs[n:]
		bodies = append(bodies, body)
		data = benchdata.AppendChunk(data, benchdata.ExecuteMeta(i == len(sizes)-1), body)
	}
	return data, bodies
}

func chunks(t *testing.T, b []byte) []chunked.Chunk {
	t.Helper()
	var out []chunked.Chunk
	r := chunked.NewReader(bytes.NewReader(b))
	for {
		c, err := r.ReadChunk()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, chunked.Chunk{Meta: bytes.Clone(c.Meta), Body: c.Body})
	}
}

func TestRun_EchoesEveryBody(t *testing.T) {
	// Empty bodies come from splunkd too.
	in, bodies := stream(300, 0, 1, 700)
	var out bytes.Buffer
	if err := passthrough.Run(bytes.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	replies := chunks(t, out.Bytes())
	if len(replies) != 1+len(bodies) {
		t.Fatalf("%d replies for %d requests", len(replies), 1+len(bodies))
	}
	if string(replies[0].Meta) != string(passthrough.GetInfoReply) || len(replies[0].Body) != 0 {
		t.Errorf("getinfo reply %s with %d body bytes", replies[0].Meta, len(replies[0].Body))
	}
	for i, body := range bodies {
		r := replies[i+1]
		want := `{"finished":false}`
		if i == len(bodies)-1 {
			want = `{"finished":true}`
		}
		if string(r.Meta) != want || !bytes.Equal(r.Body, body) {
			t.Errorf("reply %d: %s and %d body bytes, want %s and the request's %d", i+1, r.Meta, len(r.Body), want, len(body))
		}
	}
}

// TestRun_GetInfoReplyIsKubeenrichs compares the first reply's bytes with
// the command's own.
func TestRun_GetInfoReplyIsKubeenrichs(t *testing.T) {
	in := benchdata.AppendChunk(nil, benchdata.GetInfo("kubeenrich"), nil)
	var ours, theirs bytes.Buffer
	if err := passthrough.Run(bytes.NewReader(in), &ours); err != nil {
		t.Fatal(err)
	}
	if err := chunked.Serve(t.Context(), bytes.NewReader(in), &theirs, searchcmd.New(""), chunked.Options{Name: "kubeenrich"}); err != nil {
		t.Fatal(err)
	}
	if ours.String() != theirs.String() {
		t.Errorf("getinfo reply %q, kubeenrich's %q", ours.String(), theirs.String())
	}
}

func TestRun_Errors(t *testing.T) {
	full, _ := stream(10)
	execute := benchdata.AppendChunk(nil, benchdata.ExecuteMeta(true), nil)
	getinfo := benchdata.AppendChunk(nil, benchdata.GetInfo("kubeenrich"), nil)
	for name, tc := range map[string]struct {
		in   []byte
		want string // "" for no error
	}{
		"nothing":                 {nil, ""},
		"getinfo only":            {getinfo, ""},
		"execute first":           {execute, `unexpected action "execute"`},
		"getinfo twice":           {append(bytes.Clone(getinfo), getinfo...), `chunk 1: unexpected action "getinfo"`},
		"metadata not JSON":       {benchdata.AppendChunk(nil, []byte("{nope"), nil), "chunk 0: metadata"},
		"cut inside a body":       {full[:len(full)-5], "stream ended inside the body"},
		"not the chunked framing": {[]byte("GET / HTTP/1.1\r\n\r\n"), "malformed transport header"},
	} {
		err := passthrough.Run(bytes.NewReader(tc.in), io.Discard)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "passthrough: ")):
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}
