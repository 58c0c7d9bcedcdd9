package enrich

import (
	"github.com/kubelens/kubelens/src/audit"
)

// Record is one search result as the enricher reads it: Splunk's fields by
// name. Values returns nil for an absent or empty field.
type Record interface {
	Value(field string) string
	Values(field string) []string
}

// Output holds the derived fields of one event. A field left empty is
// absent: nothing is guessed.
type Output struct {
	one  [numFields]string
	many [numFields][]string
}

// Reset empties every field.
func (o *Output) Reset() { *o = Output{} }

// Set gives a field one value.
func (o *Output) Set(id FieldID, v string) { o.one[id], o.many[id] = v, nil }

// SetMulti gives a field its values.
func (o *Output) SetMulti(id FieldID, vs []string) {
	switch len(vs) {
	case 0:
		o.one[id], o.many[id] = "", nil
	case 1:
		o.Set(id, vs[0])
	default:
		o.one[id], o.many[id] = "", vs
	}
}

// Get returns a field's values; nil when empty.
func (o *Output) Get(id FieldID) []string {
	if o.many[id] != nil {
		return o.many[id]
	}
	if o.one[id] != "" {
		return []string{o.one[id]}
	}
	return nil
}

// First returns a field's first value, "" when empty.
func (o *Output) First(id FieldID) string {
	if o.many[id] != nil {
		return o.many[id][0]
	}
	return o.one[id]
}

// Enricher derives the output fields. It holds only read-only
// configuration, so one Enricher may serve several goroutines.
type Enricher struct{}

// New returns an Enricher.
func New() *Enricher { return &Enricher{} }

// Enrich derives every output field of r into out. It returns a non-nil
// error when the record is not an audit event it can read fully (its _raw
// is not an audit Event, for instance); out then holds what could still be
// derived (the EKS context from source, say), and the record must pass
// through with a warning.
func (e *Enricher) Enrich(r Record, out *Output) error {
	out.Reset()
	ev, err := readEvent(r)
	deriveEKS(r.Value("source"), out)
	if ev != nil {
		deriveIdentity(ev, out)
		deriveSource(ev, out)
	}
	return err
}

// readEvent builds the event from Splunk's extracted fields, falling back to
// _raw for whatever they lack: a search may have dropped _raw (| fields
// ...) or never extracted the fields (KV_MODE=none).
func readEvent(r Record) (*audit.Event, error) {
	var ev *audit.Event
	var rawErr error
	if raw := r.Value("_raw"); raw != "" {
		ev, _, rawErr = audit.Parse(raw)
	}
	if ev == nil {
		ev = &audit.Event{}
	}
	found := overlayExtracted(r, ev)
	if rawErr != nil && !found {
		return nil, rawErr
	}
	if !found && ev.AuditID == "" && ev.User.Username == "" && len(ev.SourceIPs) == 0 {
		return nil, nil // neither _raw nor extracted audit fields: nothing to say
	}
	return ev, nil
}

// overlayExtracted lets Splunk's extracted fields win over _raw: they are
// what the rest of the search sees. It reports whether any was present.
func overlayExtracted(r Record, ev *audit.Event) bool {
	found := false
	str := func(field string, dst *string) {
		if v := r.Value(field); v != "" {
			*dst, found = v, true
		}
	}
	list := func(field string, dst *[]string) {
		if v := r.Values(field); v != nil {
			*dst, found = v, true
		}
	}
	str("auditID", &ev.AuditID)
	str("user.username", &ev.User.Username)
	str("user.uid", &ev.User.UID)
	list("user.groups{}", &ev.User.Groups)
	list("sourceIPs{}", &ev.SourceIPs)
	return found
}
