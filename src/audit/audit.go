// Package audit models Kubernetes audit events (audit.k8s.io/v1 Event and
// EventList, and v1beta1) as the kube-apiserver writes them, and parses the
// text of one log record into an Event, including records CloudWatch Logs
// cut short with "[Truncated...]", and the records the managed platforms
// and Splunk's add-ons wrap events in (see Shape): Azure diagnostic log
// records, GKE Cloud Audit Logs entries, CloudWatch Logs subscription
// messages.
//
// Parsing runs on every event of every search, so a Parser reuses its
// memory: the Event it returns, and every string in it, is only valid until
// the Parser's next Parse.
package audit

import (
	"errors"
	"strings"
	"unsafe"

	"github.com/kubelens/kubelens/src/eks"
	"github.com/valyala/fastjson"
)

// Event is an audit.k8s.io Event, reduced to what kubelens reads.
type Event struct {
	Kind                     string
	APIVersion               string
	Level                    string
	AuditID                  string
	Stage                    string
	RequestURI               string
	Verb                     string
	User                     UserInfo
	ImpersonatedUser         UserInfo // zero when nobody was impersonated
	SourceIPs                []string
	UserAgent                string
	ObjectRef                ObjectReference // zero for non-resource requests
	ResponseStatus           Status          // zero when the event has none
	RequestReceivedTimestamp string
	StageTimestamp           string
	// Timestamp is the one timestamp of v1alpha1 and v1beta1 events, which
	// carry no stage timestamps.
	Timestamp   string
	Annotations Annotations
	// Request holds the members of the request body that Splunk security
	// content's searches read by name.
	Request RequestFields
	// RequestObject is the request body's JSON, kept undecoded: most
	// events never need it (see DecodeRequestObject). It is an object, or
	// for a JSON patch an array of operations (see PodSpecFromJSONPatch).
	RequestObject []byte
	// Origin is what the record around the event says of where it came
	// from.
	Origin Origin
	// GKE holds the members of a GKE Cloud Audit Logs entry that have no
	// native counterpart; Normalize maps them onto the event.
	GKE GKEEntry
	// gkeIP backs SourceIPs of a GKE entry, which has one caller IP.
	gkeIP [1]string
}

// RequestFields are members of requestObject read on their own.
type RequestFields struct {
	LastApplied string // metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]
	Message     string // message (core v1 Events)
	SpecType    string // spec.type (Services)
}

// UserInfo is the authenticated (or impersonated) user of a request.
type UserInfo struct {
	Username string
	UID      string
	Groups   []string
	Extra    Extra
}

// Extra holds the first value of the user.extra keys kubelens reads: the
// IAM principal behind an EKS user (aws-iam-authenticator) and the pod a
// service account token is bound to.
type Extra struct {
	ARN          string // arn
	CanonicalARN string // canonicalArn
	AccessKeyID  string // accessKeyId
	SessionName  string // sessionName
	PrincipalID  string // principalId
	PodName      string // authentication.kubernetes.io/pod-name
	PodUID       string // authentication.kubernetes.io/pod-uid
	NodeName     string // authentication.kubernetes.io/node-name
	CredentialID string // authentication.kubernetes.io/credential-id
}

// Annotations holds the audit annotations kubelens reads.
type Annotations struct {
	Decision        string // authorization.k8s.io/decision
	Reason          string // authorization.k8s.io/reason
	AuditViolations string // pod-security.kubernetes.io/audit-violations
	LegacyToken     string // authentication.k8s.io/legacy-token
}

// ObjectReference is the object a resource request is about.
type ObjectReference struct {
	Resource    string
	Namespace   string
	Name        string
	APIGroup    string
	APIVersion  string
	Subresource string
}

// Status is the response status of a request.
type Status struct {
	Code    int
	Status  string
	Reason  string
	Message string
}

// Errors returned by Parse.
var (
	// ErrNotJSON means the text is not a JSON object: typically a
	// non-audit EKS log line (authenticator, scheduler, controller manager).
	ErrNotJSON = errors.New("audit: not a JSON object")
	// ErrNotAuditEvent means the JSON is not an audit Event or EventList.
	ErrNotAuditEvent = errors.New("audit: not an audit.k8s.io Event")
	// ErrEmptyList means a list of no events: an EventList without
	// items, an Azure records batch or a CloudWatch Logs subscription
	// message without any.
	ErrEmptyList = errors.New("audit: the record holds a list of no events")
	// ErrControlMessage means a CloudWatch Logs subscription's control
	// message: the health check CloudWatch Logs sends a destination
	// (messageType CONTROL_MESSAGE), which Firehose delivers like the
	// rest.
	ErrControlMessage = errors.New("audit: a CloudWatch Logs subscription control message (the destination's health check), not an audit event")
)

// TruncatedMarker ends a CloudWatch Logs message that was cut at the
// service's size limit (package eks declares it).
const TruncatedMarker = eks.TruncatedMarker

// Parsed is the result of Parse.
type Parsed struct {
	// Event is the event, or for a record holding several its first.
	Event *Event
	// Count is the number of events the record holds: 1, or the length
	// of an EventList's items, an Azure records array or a subscription
	// message's logEvents.
	Count int
	// List says the record holds a list of events (of any length).
	List bool
	// Truncated says the record ended in "[Truncated...]": Event holds
	// the members that arrived complete.
	Truncated bool
	// Shape is how the record holds the event.
	Shape Shape
	// RequestCut says the request body was not read: the record held
	// more than MaxValues JSON values.
	RequestCut bool
	// Envelope, when Parse fails inside a wrapper (an AKS record, a
	// subscription message) whose event it cannot read, holds what the
	// wrapper's own members say (Origin: the cluster, the log group).
	Envelope *Event
}

// Parser parses log records; its zero value is ready. It is not safe for
// concurrent use.
type Parser struct {
	p         fastjson.Parser
	inner     fastjson.Parser // an envelope's event
	ev        Event
	lists     []string  // backing store of Groups and SourceIPs
	body      []byte    // RequestObject
	nums      []byte    // backing store of KindNumber members
	trim      [2][]byte // a record without the values cut (see parseBounded)
	innerTrim [2][]byte // the same of an envelope's event
	cut       bool      // an envelope's event lost its request body
}

// Parse decodes one log record: an Event or an EventList in any of the
// shapes Shape names. The result is valid until the next Parse.
func (p *Parser) Parse(text string) (out Parsed, err error) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") {
		return Parsed{}, ErrNotJSON
	}
	text, truncated := strings.CutSuffix(text, TruncatedMarker)
	if truncated {
		out.Truncated = true
		text = repairTruncated(text)
	}
	v, cut, err := parseBounded(&p.p, text, &p.trim)
	if err != nil {
		return out, err
	}
	p.cut = false
	defer func() { out.RequestCut = out.Event != nil && (cut || p.cut) }()
	if v.Type() != fastjson.TypeObject {
		return out, ErrNotJSON
	}
	out.Count = 1
	p.reset()
	// A native event names its kind first, so it costs one lookup to know
	// it is not wrapped.
	if v.Get("kind") == nil {
		if v, err = p.unwrap(v, &out); err != nil {
			if out.Shape != ShapeNative {
				out.Envelope = &p.ev
			}
			return out, err
		}
		if out.Shape == ShapeGKE {
			p.ev.Normalize()
			if !p.ev.GKE.isKubernetes() {
				return out, ErrNotAuditEvent
			}
			out.Event = &p.ev
			return out, nil
		}
	}
	if str(v.Get("kind")) == "EventList" {
		items := v.GetArray("items")
		if len(items) == 0 {
			return out, ErrEmptyList
		}
		if items[0].Type() != fastjson.TypeObject {
			return out, ErrNotAuditEvent
		}
		v, out.Count, out.List = items[0], len(items), true
	}
	p.fill(v)
	if !p.ev.isAuditEvent() {
		return out, ErrNotAuditEvent
	}
	out.Event = &p.ev
	return out, nil
}

// Parse decodes one log record with a parser of its own.
func Parse(text string) (Parsed, error) {
	var p Parser
	return p.Parse(text)
}

// str returns a JSON string value as a string sharing the parser's memory,
// "" for anything else.
func str(v *fastjson.Value) string {
	if v == nil || v.Type() != fastjson.TypeString {
		return ""
	}
	b, _ := v.StringBytes()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// firstStr is the first string of a JSON array (user.extra values are
// lists of one).
func firstStr(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	if v.Type() == fastjson.TypeString {
		return str(v)
	}
	if arr, err := v.Array(); err == nil && len(arr) > 0 {
		return str(arr[0])
	}
	return ""
}

// strings appends a JSON array of strings to p.lists and returns them.
func (p *Parser) stringList(v *fastjson.Value) []string {
	arr, err := v.Array()
	if err != nil || len(arr) == 0 {
		return nil
	}
	start := len(p.lists)
	for _, it := range arr {
		p.lists = append(p.lists, str(it))
	}
	return p.lists[start:len(p.lists):len(p.lists)]
}

// reset readies the parser's event for a new record.
func (p *Parser) reset() {
	p.ev = Event{}
	p.lists = p.lists[:0]
	p.nums = p.nums[:0]
}

func (p *Parser) fill(v *fastjson.Value) {
	p.fillMembers(v, &p.ev, ScopeEvent)
	p.setRequestObject(v.Get("requestObject"))
}

// setRequestObject keeps the request body's JSON: an object, or the array
// of operations of a JSON patch (kubectl patch --type=json).
func (p *Parser) setRequestObject(ro *fastjson.Value) {
	if ro != nil && (ro.Type() == fastjson.TypeObject || ro.Type() == fastjson.TypeArray) {
		p.body = ro.MarshalTo(p.body[:0])
		p.ev.RequestObject = p.body
	}
}

// isAuditEvent tells an audit Event from other JSON. Older exports lack
// kind and apiVersion, shippers that reshape events drop some members, and
// a truncated record may lack most of them, so an auditID with a stage,
// verb or user also qualifies, and so does kind Event without apiVersion
// when it has a verb or user (a core v1 Event has apiVersion v1).
func (e *Event) isAuditEvent() bool {
	switch {
	case e.Kind == "Event" && strings.HasPrefix(e.APIVersion, "audit.k8s.io/"):
		return true
	case e.Kind == "Event" && e.APIVersion == "" && (e.Verb != "" || e.User.Username != ""):
		return true
	}
	return e.AuditID != "" && (e.Stage != "" || e.Verb != "" || e.User.Username != "")
}

// repairTruncated turns the start of a JSON object into a valid object
// holding every member that arrived complete: it cuts after the last
// complete value and closes the open objects and arrays.
func repairTruncated(s string) string {
	// One pass finds where the last complete value ends; a second, up to
	// there, finds the containers open at that point. Copying the open
	// containers at every comma instead costs commas x depth.
	cut := -1 // s[:cut] ends with a complete value
	scanJSON(s, func(i int, c byte, _ []byte) {
		switch c {
		case '}', ']':
			cut = i + 1
		case ',':
			cut = i
		}
	})
	if cut < 0 {
		return "{}"
	}
	var open []byte
	scanJSON(s[:cut], func(_ int, _ byte, stack []byte) { open = stack })
	var b strings.Builder
	b.Grow(cut + len(open))
	b.WriteString(s[:cut])
	for i := len(open) - 1; i >= 0; i-- {
		if open[i] == '{' {
			b.WriteByte('}')
		} else {
			b.WriteByte(']')
		}
	}
	return b.String()
}

// scanJSON calls f for every bracket and comma of s outside strings, with
// the containers open after it.
func scanJSON(s string, f func(i int, c byte, stack []byte)) {
	var stack []byte
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			stack = append(stack, c)
			f(i, c, stack)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			f(i, c, stack)
		case ',':
			f(i, c, stack)
		}
	}
}
