// Package benchdata builds realistic splunkd streams for benchmarks: the
// bundled sample audit events varied in id, source address and time,
// indexed as eks_logs would index them, with the fields Splunk's JSON
// extraction adds, in splunkd's CSV style (everything not alphanumeric
// quoted). It is used by benchmarks only.
package benchdata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/replay"
)

// Records returns n log records made from the sample events in path.
func Records(path string, n int) ([]replay.LogRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	defer f.Close()
	templates, err := replay.ReadRecords(f)
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	parsed := make([]map[string]any, len(templates))
	for i, t := range templates {
		if err := json.Unmarshal([]byte(t.Message), &parsed[i]); err != nil {
			return nil, fmt.Errorf("benchdata: sample %d: %w", i+1, err)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	recs := make([]replay.LogRecord, n)
	for i := range recs {
		ev := parsed[rng.IntN(len(parsed))]
		ev["auditID"] = fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), i)
		ev["sourceIPs"] = []string{fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256))}
		if rng.IntN(4) == 0 {
			ev["sourceIPs"] = []string{fmt.Sprintf("203.0.113.%d", rng.IntN(256)), "10.0.0.5"}
		}
		msg, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("benchdata: %w", err)
		}
		recs[i] = replay.LogRecord{Stream: "kube-apiserver-audit-0123456789abcdef0123456789abcdef", TimestampMs: 1795165200000 + int64(i), Message: string(msg)}
	}
	return recs, nil
}

// Stream returns a getinfo chunk with args followed by execute chunks of
// at most chunk records each, the last one finished, and the number of
// input columns.
func Stream(recs []replay.LogRecord, chunk int, getinfo []byte) ([]byte, int) {
	ix := replay.Indexing{Region: "us-east-1", Cluster: "bench"}
	var out bytes.Buffer
	w := chunked.NewWriter(&out)
	w.WriteChunk(getinfo, nil)
	columns := 0
	for start := 0; start < len(recs); start += chunk {
		end := min(start+chunk, len(recs))
		t := ix.Table(recs[start:end])
		columns = len(t.Columns())
		w.WriteChunk([]byte(fmt.Sprintf(`{"action":"execute","finished":%t}`, end == len(recs))), SplunkdCSV(t))
	}
	return out.Bytes(), columns
}

// SplunkdCSV writes a table as splunkd does: every header and value that
// is not purely alphanumeric quoted, LF line ends.
func SplunkdCSV(t *chunked.Table) []byte {
	var b bytes.Buffer
	cols := t.Columns()
	q := func(s string) {
		plain := s != ""
		for i := 0; i < len(s) && plain; i++ {
			c := s[i]
			plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		}
		if plain || s == "" {
			b.WriteString(s)
			return
		}
		b.WriteString(`"` + strings.ReplaceAll(s, `"`, `""`) + `"`)
	}
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		q(c)
	}
	b.WriteByte('\n')
	for r := 0; r < t.Len(); r++ {
		for i, c := range cols {
			if i > 0 {
				b.WriteByte(',')
			}
			q(t.Cell(r, c))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
