package searchcmd_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/searchcmd"
)

// blockSize is the size of the blocks chunked keeps set and unescaped
// values in (4 MiB): values at and around it once broke the table.
const blockSize = 4 << 20

// csvQuote quotes a CSV field the way splunkd does.
func csvQuote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `""`) + `"` }

// body builds a splunkd execute body from columns and rows of values.
func body(columns []string, rows ...[]string) []byte {
	var b bytes.Buffer
	for i, c := range columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(csvQuote(c))
	}
	b.WriteByte('\n')
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if v != "" {
				b.WriteString(csvQuote(v))
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// exchange is what the real command answered to a stream.
type exchange struct {
	err     error
	metas   []chunked.ReplyMeta
	tables  []*chunked.Table
	streamE error // the reply stream itself was malformed
}

// serve runs the real command on a getinfo and one execute chunk per body.
func serve(t *testing.T, args string, bodies ...[]byte) exchange {
	t.Helper()
	var in bytes.Buffer
	w := chunked.NewWriter(&in)
	w.WriteChunk([]byte(`{"action":"getinfo","searchinfo":{"args":[`+args+`]}}`), nil)
	for i, b := range bodies {
		w.WriteChunk([]byte(fmt.Sprintf(`{"action":"execute","finished":%v}`, i == len(bodies)-1)), b)
	}
	var out bytes.Buffer
	var ex exchange
	ex.err = chunked.Serve(t.Context(), &in, &out, searchcmd.New(filepath.Join("..", "..", "lookups")), chunked.Options{Name: "kubeenrich"})
	ex.metas, ex.tables, ex.streamE = readStream(out.Bytes())
	return ex
}

// readStream parses every reply of a stream, as splunkd would.
func readStream(out []byte) ([]chunked.ReplyMeta, []*chunked.Table, error) {
	r := chunked.NewReader(bytes.NewReader(out))
	var metas []chunked.ReplyMeta
	var tables []*chunked.Table
	for {
		c, err := r.ReadChunk()
		if err == io.EOF {
			return metas, tables, nil
		}
		if err != nil {
			return metas, tables, err
		}
		var m chunked.ReplyMeta
		if err := json.Unmarshal(c.Meta, &m); err != nil {
			return metas, tables, err
		}
		tb, err := chunked.DecodeTable(bytes.Clone(c.Body))
		if err != nil {
			return metas, tables, err
		}
		metas, tables = append(metas, m), append(tables, tb)
	}
}

// auditEvent is an audit event whose requestURI and response object are
// padded: pad bytes in a responseObject (a list of secrets logged at
// RequestResponse level), and a kubectl exec command of cmdLen bytes.
func auditEvent(pad, cmdLen int) (raw, uri string) {
	uri = "/api/v1/namespaces/shop/pods/app-1/exec?command=" + strings.Repeat("x", cmdLen) + "&container=app&stdin=true"
	raw = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"big-1","stage":"ResponseStarted",` +
		`"requestURI":"` + uri + `","verb":"create","user":{"username":"alice","groups":["ops","system:authenticated"]},` +
		`"sourceIPs":["10.0.0.8"],"userAgent":"kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",` +
		`"objectRef":{"resource":"pods","namespace":"shop","name":"app-1","subresource":"exec","apiVersion":"v1"},` +
		`"responseStatus":{"code":101},"responseObject":{"kind":"SecretList","items":[{"data":{"k":"` + strings.Repeat("A", pad) + `"}}]}}`
	return raw, uri
}

const smallRaw = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"s-1","stage":"ResponseComplete","verb":"get","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["54.240.196.10"],"objectRef":{"resource":"pods"},"responseStatus":{"code":403}}`

// TestHugeCells sends cells at and around the arena's block size, and of
// 64 MiB: an input _raw (quoted, with doubled quotes, which is unescaped
// into the arena), a multivalue cell, and an added cell (the exec command
// kubeenrich copies out of a huge requestURI). Every input cell must come
// back whole, the records must be enriched, and an added cell over
// MaxAddedCell is cut with a warning naming the field, the cap and the
// record.
func TestHugeCells(t *testing.T) {
	sizes := []int{blockSize - 1, blockSize, blockSize + 1, 64 << 20}
	if testing.Short() || raceEnabled {
		sizes = sizes[:3] // the race detector makes 64 MiB take minutes
	}
	for _, size := range sizes {
		t.Run(fmt.Sprintf("raw %d", size), func(t *testing.T) {
			bare, _ := auditEvent(0, 10)
			raw, _ := auditEvent(size-len(bare), 10) // _raw of exactly size bytes
			ex := serve(t, "", body([]string{"_raw", "_time"}, []string{raw, "1"}, []string{smallRaw, "2"}))
			out := checkReply(t, ex, 2)
			if got := out.Record(0).Value("_raw"); got != raw {
				t.Errorf("_raw of %d bytes came back as %d bytes, or changed", len(raw), len(got))
			}
			// Row 1 is enriched exactly as the same event with a small
			// response object.
			small, _ := auditEvent(10, 10)
			want := checkReply(t, serve(t, "", body([]string{"_raw", "_time"}, []string{small, "1"})), 1)
			sameEnrichment(t, want.Record(0), out.Record(0))
			if got := out.Record(1).Value("k8s_user_kind"); got != "anonymous" {
				t.Errorf("row 2 not enriched: k8s_user_kind %q", got)
			}
		})
		t.Run(fmt.Sprintf("multivalue %d", size), func(t *testing.T) {
			values := []string{strings.Repeat("g", size/2), `quote " and $ dollar`, strings.Repeat("h", size-size/2)}
			groups := strings.Join(values, "\n")
			ex := serve(t, "", body([]string{"_raw", "user.groups{}", "__mv_user.groups{}"},
				[]string{smallRaw, groups, chunked.EncodeMV(values)}, []string{smallRaw, "", ""}))
			out := checkReply(t, ex, 2)
			got := out.Record(0).Values("user.groups{}")
			if len(got) != 3 || got[0] != values[0] || got[1] != values[1] || got[2] != values[2] {
				t.Errorf("a multivalue cell of %d bytes did not come back whole", size)
			}
			if got := out.Record(0).Value("k8s_user_kind"); got != "anonymous" {
				t.Errorf("row 1 not enriched: k8s_user_kind %q", got)
			}
		})
		t.Run(fmt.Sprintf("added %d", size), func(t *testing.T) {
			raw, uri := auditEvent(10, size)
			ex := serve(t, "", body([]string{"_raw", "requestURI"}, []string{raw, uri}, []string{smallRaw, ""}))
			out := checkReply(t, ex, 2)
			if got := out.Record(0).Value("requestURI"); got != uri {
				t.Errorf("the input requestURI of %d bytes was not echoed whole", len(uri))
			}
			cmd := out.Record(0).Value("k8s_exec_command")
			warned := warnings(ex.metas[1])
			switch {
			case size <= searchcmd.MaxAddedCell:
				if cmd != strings.Repeat("x", size) {
					t.Errorf("k8s_exec_command of %d bytes is %d bytes", size, len(cmd))
				}
			case len(cmd) != searchcmd.MaxAddedCell || strings.Trim(cmd, "x") != "":
				t.Errorf("k8s_exec_command of %d bytes came back as %d bytes, want it cut to %d", size, len(cmd), searchcmd.MaxAddedCell)
			case !strings.Contains(warned, "record 1: k8s_exec_command") || !strings.Contains(warned, fmt.Sprint(searchcmd.MaxAddedCell)):
				t.Errorf("no warning naming the record, the field and the cap: %q", warned)
			}
			if got := out.Record(1).Value("k8s_user_kind"); got != "anonymous" {
				t.Errorf("row 2 not enriched: k8s_user_kind %q", got)
			}
		})
	}
}

// sameEnrichment compares every field kubeenrich adds.
func sameEnrichment(t *testing.T, want, got chunked.Record) {
	t.Helper()
	if want.Value("k8s_user") == "" {
		t.Fatal("the reference record is not enriched")
	}
	for _, f := range enrich.Catalogue {
		if w, g := want.Value(f.Name), got.Value(f.Name); w != g {
			t.Errorf("%s = %q, want %q", f.Name, clip(g), clip(w))
		}
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// checkReply requires a clean exchange with one table reply of rows rows.
func checkReply(t *testing.T, ex exchange, rows int) *chunked.Table {
	t.Helper()
	if ex.err != nil {
		t.Fatalf("Serve: %v", ex.err)
	}
	if ex.streamE != nil {
		t.Fatalf("the reply stream is malformed: %v", ex.streamE)
	}
	if len(ex.tables) != 2 || ex.tables[1].Len() != rows {
		t.Fatalf("%d replies, want getinfo and one table of %d rows", len(ex.tables), rows)
	}
	return ex.tables[1]
}

func warnings(m chunked.ReplyMeta) string {
	var b strings.Builder
	for _, msg := range m.Inspector.Messages {
		b.WriteString(msg.Level + " " + msg.Text + "\n")
	}
	return b.String()
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileTables sends bodies whose counts (columns, lines) are far
// out of proportion to their bytes: the memory used must follow the bytes
// received, and a row of the wrong width stays an error naming the row.
func TestHostileTables(t *testing.T) {
	wide := make([]string, 100_000)
	for i := range wide {
		wide[i] = fmt.Sprintf("c%d", i)
	}
	header := string(body(wide))
	cases := []struct {
		name    string
		body    string
		rows    int
		maxByte uint64 // allocation allowed, beyond a fixed 64 MiB
	}{
		{"wide header, a million blank lines", header + strings.Repeat("\n", 1_000_000), 0, 16},
		{"wide header, CRLF blank lines", header + strings.Repeat("\r\n", 500_000), 0, 16},
		{"wide header, one row of empty cells", header + strings.Repeat(",", len(wide)-1) + "\n", 1, 64},
		{"one column, blank lines", "_raw\n" + strings.Repeat("\n", 100_000), 100_000, 4096},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ex exchange
			n := allocated(func() { ex = serve(t, "", []byte(tc.body)) })
			if ex.err != nil || ex.streamE != nil {
				t.Fatalf("Serve: %v, stream: %v", ex.err, ex.streamE)
			}
			if got := ex.tables[1].Len(); got != tc.rows {
				t.Errorf("%d rows, want %d", got, tc.rows)
			}
			if limit := 64<<20 + tc.maxByte*uint64(len(tc.body)); n > limit {
				t.Errorf("a body of %d bytes made the command allocate %d bytes (more than %d)", len(tc.body), n, limit)
			}
		})
	}
	// A row whose width differs from the header's is an error naming it.
	ex := serve(t, "", []byte("_raw,b\n1,2\n3\n"))
	var pe chunked.ProtocolError
	if !errors.As(ex.err, &pe) || !strings.Contains(ex.err.Error(), "csv record 2 has 1 fields, the header has 2") {
		t.Errorf("Serve: %v, want a protocol error naming record 2", ex.err)
	}
	if len(ex.metas) != 2 || !strings.Contains(ex.metas[1].Error, "csv record 2") {
		t.Errorf("replies %+v, want the getinfo reply and an error reply naming record 2", ex.metas)
	}
}

// TestWorkerPanic makes the enrichment panic, on the goroutines that
// split a large chunk and on the one of a small chunk: the search gets an
// error reply and Serve a *PanicError, never a cut stream.
func TestWorkerPanic(t *testing.T) {
	for _, rows := range []int{10, 5000} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			searchcmd.SetTestHookRow(func(row int) {
				if row == rows/2+1 {
					panic("boom at row " + fmt.Sprint(row))
				}
			})
			defer searchcmd.SetTestHookRow(nil)
			recs := make([][]string, rows)
			for i := range recs {
				recs[i] = []string{smallRaw}
			}
			ex := serve(t, "", body([]string{"_raw"}, recs...))
			var pe *chunked.PanicError
			if !errors.As(ex.err, &pe) || !strings.Contains(pe.Error(), "boom at row") || len(pe.Stack) == 0 {
				t.Fatalf("Serve: %v, want a *PanicError with its stack", ex.err)
			}
			if ex.streamE != nil {
				t.Fatalf("the reply stream is malformed: %v", ex.streamE)
			}
			if len(ex.metas) != 2 || !strings.Contains(ex.metas[1].Error, "kubeenrich: internal error") || !strings.Contains(ex.metas[1].Error, "boom") {
				t.Fatalf("replies %+v, want the getinfo reply and an error reply", ex.metas)
			}
		})
	}
}

// dribble returns at most a few bytes per Read, varying, as a slow pipe.
type dribble struct {
	r *bytes.Reader
	n int
}

func (d *dribble) Read(p []byte) (int, error) {
	d.n = (d.n*7 + 3) % 13
	return d.r.Read(p[:min(len(p), d.n+1)])
}

// TestServe_BodyArrivingInPieces sends the same stream at once and in
// pieces of 1 to 13 bytes (splitting line ends, quotes and doubled
// quotes), with the enrichment working on rows as they arrive: the replies
// must be byte-identical.
func TestServe_BodyArrivingInPieces(t *testing.T) {
	raw, uri := auditEvent(300, 20)
	var rows [][]string
	for i := 0; i < 300; i++ {
		switch i % 4 {
		case 0:
			rows = append(rows, []string{raw, uri, "a\r\nb", "10.0.0.1\n10.0.0.2", "$10.0.0.1$;$10.0.0.2$"})
		case 1:
			rows = append(rows, []string{smallRaw, "", "", "", ""})
		case 2:
			rows = append(rows, []string{"not json, \"quoted\"", "", "x\r", "", ""})
		default:
			rows = append(rows, []string{raw, uri, "", "", ""})
		}
	}
	b := body([]string{"_raw", "requestURI", "other", "sourceIPs{}", "__mv_sourceIPs{}"}, rows...)
	b = bytes.ReplaceAll(b, []byte("\n\""), []byte("\r\n\"")) // some CRLF line ends
	var in bytes.Buffer
	w := chunked.NewWriter(&in)
	w.WriteChunk([]byte(`{"action":"getinfo","searchinfo":{"args":[]}}`), nil)
	w.WriteChunk([]byte(`{"action":"execute","finished":false}`), b)
	w.WriteChunk([]byte(`{"action":"execute","finished":true}`), b[:len(b)/3])
	run := func(r io.Reader, parallel int) []byte {
		var out bytes.Buffer
		cmd := searchcmd.New(filepath.Join("..", "..", "lookups"))
		cmd.SetParallelism(parallel)
		err := chunked.Serve(t.Context(), r, &out, cmd, chunked.Options{Name: "kubeenrich"})
		var pe chunked.ProtocolError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("Serve: %v", err)
		}
		return out.Bytes()
	}
	defer searchcmd.SetMinBytesPerWorker(searchcmd.SetMinBytesPerWorker(1024))
	whole := run(bytes.NewReader(in.Bytes()), 1)
	if metas, _, err := readStream(whole); err != nil || len(metas) < 2 {
		t.Fatalf("replies %v: %v", metas, err)
	}
	for _, parallel := range []int{1, 2, 4} {
		if got := run(&dribble{r: bytes.NewReader(in.Bytes())}, parallel); !bytes.Equal(got, whole) {
			t.Errorf("parallel %d: the replies to a body arriving in pieces differ from those to a whole one", parallel)
		}
	}
}
