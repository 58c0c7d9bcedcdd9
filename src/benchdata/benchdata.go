// Package benchdata builds realistic splunkd streams for benchmarks.
//
// Generator makes a deterministic sequence of EKS audit events from a
// seed: a cluster's nodes, controllers, add-ons, workloads, people and
// scanners calling the API server, several hundred distinct users,
// addresses and clients, request and response objects of varied sizes.
// Each Event carries the fields splunkd sends with it, the default ones
// and those Splunk's JSON extraction derives from _raw; AppendBody writes
// events as an execute body in splunkd's CSV style, GetInfo and
// ExecuteMeta the requests' metadata, and Write whole streams to files
// with a manifest, as make bench measures them.
//
// Records and Stream are the older, smaller helpers: the bundled sample
// events varied in id, source address and time, indexed as replay
// indexes them.
//
// It is used by benchmarks and their tests only.
package benchdata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"

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
	var b []byte
	cols := t.Columns()
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCell(b, c)
	}
	b = append(b, '\n')
	for r := 0; r < t.Len(); r++ {
		for i, c := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCell(b, t.Cell(r, c))
		}
		b = append(b, '\n')
	}
	return b
}
