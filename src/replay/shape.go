package replay

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/audit"
)

// DefaultSourcetype is the sourcetype of EKS audit events as eks_logs and
// the Splunk Add-on for AWS write them, and of every record when
// --sourcetype or --source is given without the other.
const DefaultSourcetype = "aws:cloudwatchlogs:eks"

// shapeSourcetypes are the sourcetypes records of each shape arrive with
// through the Splunk-supported path for them: the Splunk Add-on for
// Microsoft Cloud Services for AKS records from Event Hubs, the Splunk
// Add-on for Google Cloud Platform for GKE entries from Pub/Sub, and the
// Splunk Add-on for AWS's generic CloudWatch Logs sourcetype for
// subscription messages that Amazon Data Firehose delivers unextracted.
var shapeSourcetypes = map[audit.Shape]string{
	audit.ShapeNative:       DefaultSourcetype,
	audit.ShapeAKS:          "mscs:azure:eventhub",
	audit.ShapeGKE:          "google:gcp:pubsub:message",
	audit.ShapeSubscription: "aws:cloudwatchlogs",
}

// replaySource is the source of records that get no EKS source.
const replaySource = "kubelens:replay"

// metadata returns the sourcetype and source a record is indexed with.
// With neither Sourcetype nor Source set, a record whose shape is not
// native gets its shape's sourcetype and no EKS source; a native one, or
// any record once either is set, gets what is set and otherwise the EKS
// defaults, except that a sourcetype other than CloudWatch Logs' gets no
// EKS source (--sourcetype kube:apiserver-audit is a self-managed
// cluster's file).
func (ix Indexing) metadata(r LogRecord, stream string) (sourcetype, source string) {
	if ix.Sourcetype == "" && ix.Source == "" {
		if shape := ShapeOf(r.Message); shape != audit.ShapeNative {
			return shapeSourcetypes[shape], replaySource
		}
	}
	sourcetype, source = ix.Sourcetype, ix.Source
	if sourcetype == "" {
		sourcetype = DefaultSourcetype
	}
	switch {
	case source != "":
	case strings.HasPrefix(sourcetype, "aws:cloudwatchlogs"):
		source = ix.EKSSource(stream)
	default:
		source = replaySource
	}
	return sourcetype, source
}

// ShapeOf tells how a log record holds its audit event; a record that is
// no event is native (an EKS authenticator line, say).
func ShapeOf(message string) audit.Shape {
	p, _ := audit.Parse(message)
	return p.Shape
}

// shapeTime is _time for a record whose shape carries its time outside the
// event: an Azure record's time (also under body, or the first of
// records), a GKE entry's timestamp (bare or in a Pub/Sub message's data);
// "" for the others.
func shapeTime(message string) string {
	type times struct {
		Time      string `json:"time"`
		Timestamp string `json:"timestamp"`
	}
	var rec struct {
		times
		Data    *times  `json:"data"`
		Body    *times  `json:"body"`
		Records []times `json:"records"`
	}
	if json.Unmarshal([]byte(message), &rec) != nil {
		return ""
	}
	cands := []times{rec.times}
	for _, t := range []*times{rec.Data, rec.Body} {
		if t != nil {
			cands = append(cands, *t)
		}
	}
	if len(rec.Records) > 0 {
		cands = append(cands, rec.Records[0])
	}
	for _, c := range cands {
		for _, s := range []string{c.Time, c.Timestamp} {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
			}
		}
	}
	return ""
}

// subscriptionRecord is a CloudWatch Logs subscription message as one
// record, as Amazon Data Firehose delivers it without message extraction;
// its time is its first event's.
func subscriptionRecord(v json.RawMessage) ([]LogRecord, error) {
	var msg struct {
		LogEvents []struct {
			Timestamp int64 `json:"timestamp"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal(v, &msg); err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v); err != nil {
		return nil, err
	}
	rec := LogRecord{Message: compact.String()}
	if len(msg.LogEvents) > 0 {
		rec.TimestampMs = msg.LogEvents[0].Timestamp
	}
	return []LogRecord{rec}, nil
}
