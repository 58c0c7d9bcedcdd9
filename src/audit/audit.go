// Package audit models Kubernetes audit events (audit.k8s.io/v1 Event and
// EventList, and v1beta1) as the kube-apiserver writes them, and parses the
// text of one log record into an Event.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// envelope decodes an Event and, for an EventList, its items.
type envelope struct {
	Event
	Items []Event `json:"items"`
}

// Parse decodes one log record. An EventList yields its first item and the
// number of items; a single Event yields itself and 1.
func Parse(text string) (*Event, int, error) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") {
		return nil, 0, ErrNotJSON
	}
	var env envelope
	if err := json.Unmarshal([]byte(text), &env); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	if env.Kind == "EventList" {
		if len(env.Items) == 0 {
			return nil, 0, ErrEmptyList
		}
		return &env.Items[0], len(env.Items), nil
	}
	if !env.isAuditEvent() {
		return nil, 0, ErrNotAuditEvent
	}
	return &env.Event, 1, nil
}

// isAuditEvent tells an audit Event from other JSON. Older exports lack
// kind and apiVersion, so an auditID with a stage or verb also qualifies.
func (e *Event) isAuditEvent() bool {
	if e.Kind == "Event" && strings.HasPrefix(e.APIVersion, "audit.k8s.io/") {
		return true
	}
	return e.AuditID != "" && (e.Stage != "" || e.Verb != "")
}
