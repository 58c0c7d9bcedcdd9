package chunked

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/hugebuf"
)

// setCommand sets n=<row number> on every row, so that every row takes
// arena room.
type setCommand struct{}

func (setCommand) GetInfo(*GetInfoRequest) (Config, error) { return Config{}, nil }
func (setCommand) Execute(_ context.Context, t *Table, _ *Messages) error {
	ref := t.Prepare("n", false)
	w := t.RowWriter()
	for {
		lo, hi := w.Claim(64)
		if lo == hi {
			break
		}
		for i := lo; i < hi; i++ {
			w.SetValues(i, ref, []string{fmt.Sprint(i)})
		}
	}
	w.Done()
	return nil
}

// csvBody returns a body of about size bytes: rows with a quoted cell
// (unescaped into the arena when read) and a plain one.
func csvBody(size, seed int) (body, want string) {
	var b, w strings.Builder
	b.WriteString("a,b\n")
	w.WriteString("a,b,n\n")
	for i := 0; b.Len() < size; i++ {
		cell := fmt.Sprintf(`"{""k"":""%d-%d-%s""}"`, seed, i, strings.Repeat("x", i%700))
		fmt.Fprintf(&b, "%s,%d\n", cell, i)
		fmt.Fprintf(&w, "%s,%d,%d\n", cell, i, i)
	}
	return b.String(), w.String()
}

// TestServe_BodyBuffers runs chunks larger than trustedLen, smaller, then
// larger again through Serve, with the body buffer and the arena mapped
// (package hugebuf), on the Go heap, and mapped too small for the larger
// chunks (which then go to the heap, as chunks past MappedBody and arenas
// past mappedBlocks do), and checks every reply.
func TestServe_BodyBuffers(t *testing.T) {
	sizes := []int{trustedLen + 1<<20, 1 << 10, trustedLen + 5<<20, 3 << 20}
	for name, rsv := range map[string]func(int) *hugebuf.Buffer{
		"mapped": hugebuf.Reserve,
		"heap":   func(int) *hugebuf.Buffer { return nil },
		"mixed":  func(n int) *hugebuf.Buffer { return hugebuf.Reserve(min(n, 2*blockSize)) },
	} {
		t.Run(name, func(t *testing.T) {
			reserve = rsv
			defer func() { reserve = hugebuf.Reserve }()
			var in bytes.Buffer
			w := NewWriter(&in)
			if err := w.WriteChunk([]byte(`{"action":"getinfo"}`), nil); err != nil {
				t.Fatal(err)
			}
			var wants []string
			for i, n := range sizes {
				body, want := csvBody(n, i)
				wants = append(wants, want)
				if err := w.WriteChunk([]byte(`{"action":"execute"}`), []byte(body)); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			if err := Serve(context.Background(), &in, &out, setCommand{}, Options{}); err != nil {
				t.Fatal(err)
			}
			r := NewReader(&out)
			if _, err := r.ReadChunk(); err != nil { // getinfo reply
				t.Fatal(err)
			}
			for i, want := range wants {
				c, err := r.ReadChunk()
				if err != nil {
					t.Fatalf("reply %d: %v", i+1, err)
				}
				if string(c.Body) != want {
					t.Errorf("reply %d: %d bytes differ from the %d expected", i+1, len(c.Body), len(want))
				}
			}
			if _, err := r.ReadChunk(); err != io.EOF {
				t.Errorf("after the replies: %v, want EOF", err)
			}
		})
	}
}

// TestDecodedTableDoesNotMap checks that a table decoded by hand keeps its
// cells in the Go heap: its caller may keep the strings it hands out,
// which would not keep a mapping alive.
func TestDecodedTableDoesNotMap(t *testing.T) {
	body, _ := csvBody(64<<10, 0)
	tb, err := DecodeTableInto(&Table{}, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := (setCommand{}).Execute(context.Background(), tb, &Messages{}); err != nil {
		t.Fatal(err)
	}
	if tb.side.n == 0 {
		t.Fatal("no arena block was taken: the test checks nothing")
	}
	if tb.side.pool.buf != nil {
		t.Error("a decoded table's arena mapped its blocks")
	}
}
