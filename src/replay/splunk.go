package replay

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/eks"
)

// Indexing describes how the records would have been indexed: by eks_logs,
// or by the shipper that delivers records of their shape (see metadata).
type Indexing struct {
	Region  string
	Cluster string
	// Sourcetype and Source, when set, are every record's; see metadata.
	Sourcetype string
	Source     string
	// RawOnly leaves out the fields Splunk's JSON extraction would add, as
	// after "| fields _raw source".
	RawOnly bool
	// Extract, when set, names the extracted fields worth sending: those
	// the command reads. Splunk would send every one, and a file whose
	// events each hold keys of their own would make a table of events
	// times keys.
	Extract func(field string) bool
}

// EKSSource returns the source eks_logs writes for a record of stream:
// <region>:/aws/eks/<cluster>/cluster:<stream>.
func (ix Indexing) EKSSource(stream string) string {
	return eks.SourceOf(ix.Region, eks.LogGroup(ix.Cluster), stream)
}

// defaultStream names the audit stream of records read without one, the
// way EKS names them: kube-apiserver-audit-<32 hex digits>, stable per
// cluster.
func (ix Indexing) defaultStream() string {
	// FNV-1a, not a cryptographic hash: the name needs to be stable, and
	// crypto's start-up cost is kubeenrich's on every search.
	h := fnv.New128a()
	h.Write([]byte(ix.Cluster))
	return eks.LogTypes[0].StreamPrefix + hex.EncodeToString(h.Sum(nil))
}

// indexedColumns come first in every table, as splunkd sends them.
var indexedColumns = []string{"_time", "_raw", "host", "index", "source", "sourcetype"}

// Table builds the execute body splunkd would send for these records: the
// indexed fields plus, unless RawOnly, the fields KV_MODE=json extracts
// from _raw (user.username, user.groups{}, sourceIPs{}, ...), with __mv_
// columns for multivalues.
func (ix Indexing) Table(recs []LogRecord) *chunked.Table {
	extracted := make([]map[string][]string, len(recs))
	names := map[string]bool{}
	if !ix.RawOnly {
		for i, r := range recs {
			extracted[i] = extractJSON(r.Message)
			for k := range extracted[i] {
				if ix.Extract != nil && !ix.Extract(k) {
					delete(extracted[i], k)
					continue
				}
				names[k] = true
			}
		}
	}
	fields := append([]string(nil), indexedColumns...)
	var extra []string
	for k := range names {
		if !slices.Contains(indexedColumns, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	fields = append(fields, extra...)
	columns := append([]string(nil), fields...)
	for _, f := range fields {
		columns = append(columns, "__mv_"+f)
	}
	t := chunked.NewTable(columns)
	cells := make([]string, len(columns))
	for i, r := range recs {
		stream := r.Stream
		if stream == "" {
			stream = ix.defaultStream()
		}
		sourcetype, source := ix.metadata(r, stream)
		when := eventTime(r)
		if when == "" {
			when = shapeTime(r.Message)
		}
		vals := map[string][]string{
			"_time":      {when},
			"_raw":       {r.Message},
			"host":       {"kubelens-replay"},
			"index":      {"main"},
			"source":     {source},
			"sourcetype": {sourcetype},
		}
		for k, v := range extracted[i] {
			if _, indexed := vals[k]; !indexed {
				vals[k] = v
			}
		}
		for j, f := range fields {
			v := vals[f]
			cells[j] = strings.Join(v, "\n")
			cells[len(fields)+j] = ""
			if len(v) > 1 {
				cells[len(fields)+j] = chunked.EncodeMV(v)
			}
		}
		t.AppendRow(cells...)
	}
	return t
}

// eventTime is _time in epoch seconds: the CloudWatch timestamp, else the
// event's stageTimestamp or requestReceivedTimestamp, as props.conf takes
// it, else the one timestamp of v1alpha1 and v1beta1 events.
func eventTime(r LogRecord) string {
	if r.TimestampMs != 0 {
		return strconv.FormatFloat(float64(r.TimestampMs)/1000, 'f', 3, 64)
	}
	var ts struct {
		Stage    string `json:"stageTimestamp"`
		Received string `json:"requestReceivedTimestamp"`
		Legacy   string `json:"timestamp"`
	}
	if json.Unmarshal([]byte(r.Message), &ts) != nil {
		return ""
	}
	for _, s := range []string{ts.Stage, ts.Received, ts.Legacy} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
		}
	}
	return ""
}

// extractJSON flattens a JSON object the way Splunk's automatic JSON
// extraction names fields: nested keys joined with ".", array elements
// under "<key>{}", every value of a repeated path collected as a
// multivalue. A message that is not a JSON object yields nothing.
func extractJSON(msg string) map[string][]string {
	if !strings.HasPrefix(strings.TrimSpace(msg), "{") {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(msg))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	out := map[string][]string{}
	flatten("", v, out)
	return out
}

func flatten(path string, v any, out map[string][]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, child, out)
		}
	case []any:
		for _, child := range x {
			flatten(path+"{}", child, out)
		}
	case nil:
		out[path] = append(out[path], "null")
	case string:
		out[path] = append(out[path], x)
	case json.Number:
		out[path] = append(out[path], x.String())
	case bool:
		out[path] = append(out[path], strconv.FormatBool(x))
	default:
		var b bytes.Buffer
		fmt.Fprint(&b, x)
		out[path] = append(out[path], b.String())
	}
}
