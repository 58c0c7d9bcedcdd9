package audit

import (
	"fmt"

	"github.com/valyala/fastjson"
)

// Shape is how a log record holds its audit event: as the kube-apiserver
// writes it, or wrapped by the platform or the shipper that delivered it.
type Shape uint8

// The shapes.
const (
	// ShapeNative is an audit.k8s.io Event or EventList as the
	// kube-apiserver writes it: EKS through CloudWatch Logs (eks_logs, the
	// Splunk Add-on for AWS, Firehose with message extraction), and the
	// audit log files of any cluster.
	ShapeNative Shape = iota
	// ShapeAKS is an Azure diagnostic log record of an AKS cluster
	// (category kube-audit or kube-audit-admin), the event in
	// properties.log as a JSON string or object: one record, a
	// {"records": [...]} batch, or a record under body as the Splunk Add-on
	// for Microsoft Cloud Services writes it with the Event Hubs system
	// properties.
	ShapeAKS
	// ShapeGKE is a GKE Cloud Audit Logs entry: a LogEntry whose
	// protoPayload is an AuditLog of service k8s.io, bare or under data as
	// the Splunk Add-on for Google Cloud Platform writes a Pub/Sub message.
	ShapeGKE
	// ShapeSubscription is a CloudWatch Logs subscription message
	// ({"logGroup", "logStream", "logEvents": [{"message": ...}]}), as
	// Amazon Data Firehose delivers it without message extraction.
	ShapeSubscription
)

func (s Shape) String() string {
	switch s {
	case ShapeNative:
		return "native"
	case ShapeAKS:
		return "aks"
	case ShapeGKE:
		return "gke"
	case ShapeSubscription:
		return "subscription"
	}
	return fmt.Sprintf("Shape(%d)", uint8(s))
}

// Origin is what the record around an event says of where it came from.
type Origin struct {
	Shape Shape
	// ResourceID and Category are an Azure diagnostic record's:
	// /SUBSCRIPTIONS/<id>/RESOURCEGROUPS/<group>/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/<name>
	// (Azure writes it in upper case) and kube-audit or kube-audit-admin.
	ResourceID string
	Category   string
	// LogGroup and LogStream are a CloudWatch Logs subscription
	// message's.
	LogGroup  string
	LogStream string
}

// InferShape sets Origin.Shape from the members read when the record's
// text was not: the Splunk fields of a wrapped record.
func (e *Event) InferShape() {
	switch {
	case e.Origin.Shape != ShapeNative:
	case e.GKE.present():
		e.Origin.Shape = ShapeGKE
	case e.Origin.ResourceID != "" || e.Origin.Category != "":
		e.Origin.Shape = ShapeAKS
	case e.Origin.LogGroup != "" || e.Origin.LogStream != "":
		e.Origin.Shape = ShapeSubscription
	}
}

// unwrap finds the audit event in a record that does not start with one:
// it reads the record's own members, notes the shape and count in out,
// and returns the event's object (for GKE, the LogEntry, already read).
// A record of no known shape is returned as it is.
func (p *Parser) unwrap(root *fastjson.Value, out *Parsed) (*fastjson.Value, error) {
	rec := root
	if b := rec.Get("body"); b != nil && b.Type() == fastjson.TypeObject {
		rec = b
	}
	if recs := rec.Get("records"); recs != nil && recs.Type() == fastjson.TypeArray {
		items, _ := recs.Array()
		if len(items) == 0 {
			return nil, ErrEmptyList
		}
		if items[0].Type() != fastjson.TypeObject {
			return nil, ErrNotAuditEvent
		}
		rec, out.Count, out.List = items[0], len(items), true
	}
	if log := rec.Get("properties", "log"); log != nil {
		p.setShape(out, ShapeAKS)
		p.fillMembers(rec, &p.ev, ScopeRecord)
		return p.inside(log, "properties.log")
	}
	if entry := rec; entry.Get("protoPayload") != nil || (rec == root && entry.Get("data", "protoPayload") != nil) {
		if entry.Get("protoPayload") == nil {
			entry = entry.Get("data")
		}
		p.setShape(out, ShapeGKE)
		p.fillMembers(entry, &p.ev, ScopeGKE)
		p.setRequestObject(entry.Get("protoPayload", "request"))
		return entry, nil
	}
	if str(rec.Get("messageType")) == "CONTROL_MESSAGE" {
		return nil, ErrControlMessage
	}
	if evs := rec.Get("logEvents"); evs != nil && evs.Type() == fastjson.TypeArray {
		items, _ := evs.Array()
		if len(items) == 0 {
			return nil, ErrEmptyList
		}
		p.setShape(out, ShapeSubscription)
		p.fillMembers(rec, &p.ev, ScopeRecord)
		out.Count, out.List = len(items), true
		msg := items[0].Get("message")
		if msg == nil {
			return nil, ErrNotAuditEvent
		}
		return p.inside(msg, "logEvents[0].message")
	}
	return root, nil
}

func (p *Parser) setShape(out *Parsed, s Shape) {
	out.Shape = s
	p.ev.Origin.Shape = s
}

// inside returns the event an envelope holds as a JSON string or object.
func (p *Parser) inside(v *fastjson.Value, where string) (*fastjson.Value, error) {
	switch v.Type() {
	case fastjson.TypeString:
		inner, cut, err := parseBounded(&p.inner, str(v), &p.innerTrim)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		p.cut = p.cut || cut
		if inner.Type() != fastjson.TypeObject {
			return nil, fmt.Errorf("%w: %s", ErrNotJSON, where)
		}
		return inner, nil
	case fastjson.TypeObject:
		return v, nil
	}
	return nil, fmt.Errorf("%w: %s is neither a JSON string nor an object", ErrNotAuditEvent, where)
}
