// Package passthrough is the speed of the pipe: a chunked-protocol command
// that answers getinfo as kubeenrich does and writes every execute body
// back unchanged, reusing its buffers. It parses the framing and the
// metadata and nothing else, so that "make bench" can show what
// kubeenrich costs above the protocol itself. It is a bench tool: never
// packaged with the app.
package passthrough

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kubelens/kubelens/src/chunked"
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
	r := chunked.NewReader(in)
	r.ReuseBuffers(true)
	w := chunked.NewWriter(out)
	for n := 0; ; n++ {
		c, err := r.ReadChunk()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("passthrough: chunk %d: %w", n, err)
		}
		var m meta
		if err := json.Unmarshal(c.Meta, &m); err != nil {
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
			err = w.WriteChunk(reply, c.Body)
		default:
			return fmt.Errorf("passthrough: chunk %d: unexpected action %q", n, m.Action)
		}
		if err != nil {
			return fmt.Errorf("passthrough: %w", err)
		}
	}
}
