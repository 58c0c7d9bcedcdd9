package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// LogRecord is one log line as CloudWatch Logs holds it. Stream and
// TimestampMs are empty for events read from a plain audit log file.
type LogRecord struct {
	Stream      string
	TimestampMs int64
	Message     string
}

// ReadRecords reads every log record from r (see Decode).
func ReadRecords(r io.Reader) ([]LogRecord, error) {
	var out []LogRecord
	err := Decode(r)(func(rec LogRecord) error {
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Decode is a Source of the log records in r, read one JSON value at a
// time, accepting: JSON lines of audit events; a JSON array of them; an
// audit EventList (expanded into its items); CloudWatch Logs records with
// logStreamName/timestamp/message, one per line, in an array, or wrapped
// as "aws logs filter-log-events" prints them ({"events": [...]});
// records of the other shapes (AKS diagnostic records, GKE Cloud Audit
// Logs entries, CloudWatch Logs subscription messages), each one record
// as its shipper delivers it; and any mix of these, one JSON value after
// another. A file of JSON lines is never held whole; an array is, as one
// value. The error of a value that cannot be read names it ("JSON value
// 2: ..."); an error from yield is returned as it is.
func Decode(r io.Reader) Source {
	return func(yield func(LogRecord) error) error {
		dec := json.NewDecoder(r)
		dec.UseNumber()
		for n := 1; ; n++ {
			var v json.RawMessage
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return &ValueError{N: n, Err: err}
			}
			recs, err := recordsOf(v, "", 0)
			if err != nil {
				return &ValueError{N: n, Err: err}
			}
			for _, rec := range recs {
				if err := yield(rec); err != nil {
					return err
				}
			}
		}
	}
}

// ValueError is a JSON value of the input, the N-th (from 1), that could
// not be read.
type ValueError struct {
	N   int
	Err error
}

func (e *ValueError) Error() string { return fmt.Sprintf("replay: JSON value %d: %v", e.N, e.Err) }

func (e *ValueError) Unwrap() error { return e.Err }

// recordsOf turns one JSON value into log records. stream is the stream of
// an enclosing subscription payload.
// maxNesting is how deep records may be nested in lists and envelopes.
const maxNesting = 4

func recordsOf(v json.RawMessage, stream string, depth int) ([]LogRecord, error) {
	// Records come in a list, an EventList or a CloudWatch export, in a
	// list at most: each level copies what it holds, so a deep nest of
	// arrays would cost its depth times its size.
	if depth > maxNesting {
		return nil, fmt.Errorf("records nested deeper than %d lists or envelopes", maxNesting)
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return nil, nil
	}
	switch v[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, err
		}
		var out []LogRecord
		for _, it := range items {
			recs, err := recordsOf(it, stream, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
		return out, nil
	case '{':
	default:
		return nil, fmt.Errorf("expected a JSON object or array, got %.20s", v)
	}
	var probe struct {
		Kind          string            `json:"kind"`
		Items         []json.RawMessage `json:"items"`
		Events        json.RawMessage   `json:"events"`
		LogEvents     json.RawMessage   `json:"logEvents"`
		LogStream     string            `json:"logStream"`
		LogStreamName *string           `json:"logStreamName"`
		Message       *string           `json:"message"`
		// Timestamp is CloudWatch's epoch milliseconds; old audit events
		// carry a "timestamp" string of their own.
		Timestamp json.RawMessage `json:"timestamp"`
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if dec.Decode(&probe) != nil {
		// Not one of the shapes above ({"kind":0}, say): the record goes
		// through as it is, and kubeenrich says what it makes of it.
		probe.Kind, probe.Items, probe.Events, probe.LogEvents, probe.Message = "?", nil, nil, nil, nil
	}
	switch {
	case probe.Kind == "EventList":
		var out []LogRecord
		for _, it := range probe.Items {
			recs, err := recordsOf(it, stream, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
		return out, nil
	case len(probe.Events) > 0 && probe.Kind == "":
		return recordsOf(probe.Events, stream, depth+1)
	case len(probe.LogEvents) > 0:
		return subscriptionRecord(v)
	case probe.Message != nil && (probe.LogStreamName != nil || isNumber(probe.Timestamp)) && probe.Kind == "":
		rec := LogRecord{Stream: stream, Message: *probe.Message}
		if probe.LogStreamName != nil {
			rec.Stream = *probe.LogStreamName
		}
		if len(probe.Timestamp) > 0 {
			ms, err := strconv.ParseInt(string(probe.Timestamp), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("timestamp %s is not epoch milliseconds", probe.Timestamp)
			}
			rec.TimestampMs = ms
		}
		return []LogRecord{rec}, nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v); err != nil {
		return nil, err
	}
	return []LogRecord{{Stream: stream, Message: compact.String()}}, nil
}

// isNumber reports whether a JSON value is a number.
func isNumber(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9')
}
