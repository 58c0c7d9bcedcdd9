// Package passthrough is the speed of the pipe: a chunked-protocol command
// that answers getinfo as kubeenrich does and writes every execute body
// back unchanged. It parses the framing and the metadata and nothing else,
// so that "make bench" can show what kubeenrich costs above the protocol
// itself. It is a bench tool: never packaged with the app.
//
// It reads chunks itself rather than with chunked.Reader, whose buffer
// policy is part of what kubeenrich is measured on: one body buffer, grown
// with headroom and reused, so that a chunk a little larger than the last
// costs no new allocation and the process holds about one chunk. Its body
// buffer is mapped with package hugebuf up to chunked.MappedBody, as
// chunked.Reader's is: the limit kubeenrich races pays no more page faults
// than kubeenrich does.
package passthrough

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/hugebuf"
)

// GetInfoReply is the metadata of the getinfo reply, kubeenrich's: a
// streaming command without required fields.
var GetInfoReply = []byte(`{"type":"streaming"}`)

// The execute replies' metadata, as kubeenrich writes it.
var (
	finishedTrue  = []byte(`{"finished":true}`)
	finishedFalse = []byte(`{"finished":false}`)
)

type meta struct {
	Action   string `json:"action"`
	Finished bool   `json:"finished"`
}

// Run answers getinfo on in and out, then every execute request with its
// body, until in ends at a chunk boundary (nil). Bad framing, metadata
// that is not JSON or an unexpected action end it with an error.
func Run(in io.Reader, out io.Writer) error {
	// The pipes kubeenrich's chunked.Serve gets, the pass-through gets.
	chunked.GrowPipe(in, chunked.DefaultPipeBuffer)
	chunked.GrowPipe(out, chunked.DefaultPipeBuffer)
	r := bufio.NewReaderSize(in, 64<<10)
	w := chunked.NewWriter(out)
	var metaBuf, body []byte
	mapped := hugebuf.Reserve(chunked.MappedBody)
	for n := 0; ; n++ {
		metaLen, bodyLen, err := readHeader(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("passthrough: chunk %d: %w", n, err)
		}
		metaBuf = resize(metaBuf, metaLen)
		if mapped != nil && bodyLen <= mapped.Cap() {
			body = mapped.Bytes(bodyLen)
		} else {
			body = resize(body, bodyLen)
		}
		if _, err := io.ReadFull(r, metaBuf); err != nil {
			return fmt.Errorf("passthrough: chunk %d: stream ended inside the metadata: %w", n, err)
		}
		if _, err := io.ReadFull(r, body); err != nil {
			return fmt.Errorf("passthrough: chunk %d: stream ended inside the body: %w", n, err)
		}
		var m meta
		if err := json.Unmarshal(metaBuf, &m); err != nil {
			return fmt.Errorf("passthrough: chunk %d: metadata: %w", n, err)
		}
		switch {
		case n == 0 && m.Action == "getinfo":
			err = w.WriteChunk(GetInfoReply, nil)
		case n > 0 && m.Action == "execute":
			reply := finishedFalse
			if m.Finished {
				reply = finishedTrue
			}
			err = w.WriteChunk(reply, body)
		default:
			return fmt.Errorf("passthrough: chunk %d: unexpected action %q", n, m.Action)
		}
		if err != nil {
			return fmt.Errorf("passthrough: %w", err)
		}
	}
}

// readHeader parses "chunked 1.0,<M>,<B>\n" (or "\r\n"). It returns io.EOF
// only when the stream ends before the header's first byte.
func readHeader(r *bufio.Reader) (metaLen, bodyLen int, err error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, io.EOF) && len(line) == 0 {
		return 0, 0, io.EOF
	}
	if err != nil {
		return 0, 0, fmt.Errorf("malformed transport header %q: %w", line, err)
	}
	rest, ok := bytes.CutPrefix(bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")), []byte("chunked 1.0,"))
	m, b, ok2 := bytes.Cut(rest, []byte(","))
	metaLen, err1 := strconv.Atoi(string(m))
	bodyLen, err2 := strconv.Atoi(string(b))
	if !ok || !ok2 || err1 != nil || err2 != nil || metaLen < 0 || bodyLen < 0 || metaLen+bodyLen > chunked.MaxBody {
		return 0, 0, fmt.Errorf("malformed transport header %q", line)
	}
	return metaLen, bodyLen, nil
}

// resize returns b with length n, reallocated with a quarter more room
// when too small: pages the process never touches cost no memory.
func resize(b []byte, n int) []byte {
	if cap(b) < n {
		b = make([]byte, n, n+n/4)
	}
	return b[:n]
}
