// Package audit models Kubernetes audit events (audit.k8s.io/v1 Event and
// EventList, and v1beta1) as the kube-apiserver writes them, and parses the
// text of one log record into an Event, including records CloudWatch Logs
// cut short with "[Truncated...]".
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// Event is an audit.k8s.io Event, reduced to what kubelens reads.
// RequestObject is kept undecoded: most events never need it.
type Event struct {
	Kind                     string            `json:"kind"`
	APIVersion               string            `json:"apiVersion"`
	Level                    string            `json:"level"`
	AuditID                  string            `json:"auditID"`
	Stage                    string            `json:"stage"`
	RequestURI               string            `json:"requestURI"`
	Verb                     string            `json:"verb"`
	User                     UserInfo          `json:"user"`
	ImpersonatedUser         *UserInfo         `json:"impersonatedUser,omitempty"`
	SourceIPs                []string          `json:"sourceIPs,omitempty"`
	UserAgent                string            `json:"userAgent,omitempty"`
	ObjectRef                *ObjectReference  `json:"objectRef,omitempty"`
	ResponseStatus           *Status           `json:"responseStatus,omitempty"`
	RequestObject            json.RawMessage   `json:"requestObject,omitempty"`
	RequestReceivedTimestamp string            `json:"requestReceivedTimestamp,omitempty"`
	StageTimestamp           string            `json:"stageTimestamp,omitempty"`
	Annotations              map[string]string `json:"annotations,omitempty"`
}

// UserInfo is the authenticated (or impersonated) user of a request.
type UserInfo struct {
	Username string              `json:"username,omitempty"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups,omitempty"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

// ObjectReference is the object a resource request is about.
type ObjectReference struct {
	Resource        string `json:"resource,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	APIGroup        string `json:"apiGroup,omitempty"`
	APIVersion      string `json:"apiVersion,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	Subresource     string `json:"subresource,omitempty"`
}

// Status is the response status of a request.
type Status struct {
	Code    int    `json:"code,omitempty"`
	Status  string `json:"status,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Errors returned by Parse.
var (
	// ErrNotJSON means the text is not a JSON object: typically a
	// non-audit EKS log line (authenticator, scheduler, controller manager).
	ErrNotJSON = errors.New("audit: not a JSON object")
	// ErrNotAuditEvent means the JSON is not an audit Event or EventList.
	ErrNotAuditEvent = errors.New("audit: not an audit.k8s.io Event")
	// ErrEmptyList means an EventList without items.
	ErrEmptyList = errors.New("audit: EventList has no items")
)

// TruncatedMarker ends a CloudWatch Logs message that was cut at the
// service's size limit.
const TruncatedMarker = "[Truncated...]"

// Parsed is the result of Parse.
type Parsed struct {
	// Event is the event, or for an EventList its first item.
	Event *Event
	// Count is the number of events the record holds (1, or an
	// EventList's length).
	Count int
	// Truncated says the record ended in "[Truncated...]": Event holds
	// the members that arrived complete.
	Truncated bool
}

// envelope decodes an Event and, for an EventList, its items.
type envelope struct {
	Event
	Items []Event `json:"items"`
}

// Parse decodes one log record.
func Parse(text string) (Parsed, error) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") {
		return Parsed{}, ErrNotJSON
	}
	var p Parsed
	if body, ok := strings.CutSuffix(text, TruncatedMarker); ok {
		p.Truncated = true
		text = repairTruncated(body)
	}
	var env envelope
	// json.Unmarshal neither keeps nor modifies its input, so the string's
	// bytes can be lent to it without a copy.
	if err := json.Unmarshal(unsafe.Slice(unsafe.StringData(text), len(text)), &env); err != nil {
		return p, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	if env.Kind == "EventList" {
		if len(env.Items) == 0 {
			return p, ErrEmptyList
		}
		p.Event, p.Count = &env.Items[0], len(env.Items)
		return p, nil
	}
	if !env.isAuditEvent() {
		return p, ErrNotAuditEvent
	}
	p.Event, p.Count = &env.Event, 1
	return p, nil
}

// isAuditEvent tells an audit Event from other JSON. Older exports lack
// kind and apiVersion, and a truncated record may lack most members, so an
// auditID with a stage, verb or user also qualifies.
func (e *Event) isAuditEvent() bool {
	if e.Kind == "Event" && strings.HasPrefix(e.APIVersion, "audit.k8s.io/") {
		return true
	}
	return e.AuditID != "" && (e.Stage != "" || e.Verb != "" || e.User.Username != "")
}

// repairTruncated turns the start of a JSON object into a valid object
// holding every member that arrived complete: it cuts after the last
// complete value and closes the open objects and arrays.
func repairTruncated(s string) string {
	var (
		stack    []byte // open containers: '{' or '['
		inString bool
		escaped  bool
		cut      = -1   // s[:cut] ends with a complete value
		cutStack []byte // the containers open at cut
	)
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
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			cut, cutStack = i+1, append(cutStack[:0], stack...)
		case ',':
			cut, cutStack = i, append(cutStack[:0], stack...)
		}
	}
	if cut < 0 {
		return "{}"
	}
	var b strings.Builder
	b.Grow(cut + len(cutStack))
	b.WriteString(s[:cut])
	for i := len(cutStack) - 1; i >= 0; i-- {
		if cutStack[i] == '{' {
			b.WriteByte('}')
		} else {
			b.WriteByte(']')
		}
	}
	return b.String()
}
