package enrich

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
)

// Record is one search result as the enricher reads it: the Splunk fields
// of InputNames, by number. Values returns nil for an absent or empty
// field.
type Record interface {
	Value(in Input) string
	Values(in Input) []string
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

// SetBool gives a field true or false.
func (o *Output) SetBool(id FieldID, b bool) { o.Set(id, strconv.FormatBool(b)) }

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

// Enricher derives the output fields. It holds read-only configuration and
// may be shared; each goroutine enriches through its own Worker.
type Enricher struct {
	tables Tables
	risk   riskModel
}

// New returns an Enricher with the given lookup tables.
func New(t Tables) *Enricher {
	e := &Enricher{tables: t}
	e.risk = newRiskModel(e.tables.RiskSignals)
	return e
}

// Worker enriches records one at a time. It caches what repeats across
// events (user agent classification), so keep one per goroutine.
type Worker struct {
	e            *Enricher
	uaCache      map[string]uaInfo
	clusterCache map[clusterKey]int // index in the clusters lookup, -1 for none
	parser       audit.Parser
	requests     audit.RequestDecoder
	ev           event // reused for every record
	judge        judgement
}

// NewWorker returns a Worker. It is not safe for concurrent use.
func (e *Enricher) NewWorker() *Worker {
	return &Worker{e: e, uaCache: make(map[string]uaInfo), clusterCache: make(map[clusterKey]int)}
}

// Problem kinds Enrich reports.
const (
	// ProblemNotAudit: the record is not a Kubernetes audit event (an
	// authenticator or scheduler log line, say); it got the EKS fields.
	ProblemNotAudit = "not-audit"
	// ProblemTruncated: CloudWatch cut the record; it was enriched from
	// the part that arrived.
	ProblemTruncated = "truncated"
	// ProblemSeveralEvents: the record holds several events (an
	// EventList, Azure's records array, a CloudWatch Logs subscription
	// message); it was enriched from the first.
	ProblemSeveralEvents = "several-events"
	// ProblemRequestCut: the record held more JSON values than kubelens
	// parses (audit.MaxValues); it was enriched without its request body.
	ProblemRequestCut = "request-cut"
)

// Problem reports a record enrichment could not read fully.
type Problem struct {
	Kind string
	Err  error
}

func (p *Problem) Error() string { return p.Err.Error() }
func (p *Problem) Unwrap() error { return p.Err }

// Enrich derives every output field of r into out. A non-nil *Problem says
// the record was not fully readable: out still holds what could be derived,
// and the record must pass through. The strings in out may share memory
// with the worker: they are valid until its next Enrich.
func (w *Worker) Enrich(r Record, out *Output) *Problem {
	out.Reset()
	deriveEKS(r.Value(InSource), out)
	ev, prob := w.readEvent(r)
	if ev == nil {
		// No event, but the record around one may still say where it
		// came from.
		w.deriveCluster(r, &w.ev, false, out)
		return prob
	}
	deriveHygiene(ev, out)
	w.deriveCluster(r, ev, true, out)
	deriveIdentity(w.e, ev, out)
	deriveSource(w.e, ev, out)
	w.deriveUserAgent(ev, out)
	deriveTarget(w.e, ev, out)
	deriveOutcome(ev, out)
	w.deriveJudgement(ev, out)
	return prob
}

// event is an audit event as enrichment sees it: the _raw JSON overlaid
// with Splunk's extracted fields.
type event struct {
	*audit.Event
	empty     audit.Event // the event when _raw holds none
	raw       string
	fromRaw   bool // the audit JSON in _raw was read
	uaKnown   bool // userAgent is known, even if empty
	count     int
	list      bool // the record is an EventList
	truncated bool

	requests   *audit.RequestDecoder // the worker's
	reqDecoded bool
	req        *audit.RequestObject

	pod podFacts // the pod spec a write carries
}

// podFacts is what the detections, findings and Falco rules read of the
// pod spec a write carries (a pod's, a workload's template, a JSON patch's
// fragment of one).
type podFacts struct {
	spec bool // a pod spec was read
	// privileged: a privileged container (or kubectl's last-applied
	// configuration says so).
	privileged bool
	// dangerousCaps: a container adds a capability that reaches the host.
	dangerousCaps                 bool
	hostNetwork, hostPID, hostIPC bool
	// sensitiveMount: a hostPath of Falco's sensitive list;
	// otherHostPath: any other hostPath.
	sensitiveMount, otherHostPath bool
	// explicitRoot: runAsUser 0 set on the pod or a container.
	explicitRoot bool
	images       []string
}

// request decodes requestObject once.
func (e *event) request() *audit.RequestObject {
	if !e.reqDecoded {
		e.reqDecoded = true
		e.req, _ = e.requests.Decode(e.RequestObject)
	}
	return e.req
}

func (e *event) resource() string { return e.ObjectRef.Resource }

func (e *event) subresource() string { return e.ObjectRef.Subresource }

func (e *event) namespace() string { return e.ObjectRef.Namespace }

func (e *event) objectName() string { return e.ObjectRef.Name }

// readEvent builds the event from Splunk's extracted fields, falling back to
// _raw for whatever they lack: a search may have dropped _raw (| fields ...)
// or never extracted the fields (KV_MODE=none). It returns nil when the
// record holds no audit event.
func (w *Worker) readEvent(r Record) (*event, *Problem) {
	ev := &w.ev
	*ev = event{count: 1, requests: &w.requests}
	var prob *Problem
	if raw := r.Value(InRaw); raw != "" {
		ev.raw = raw
		p, err := w.parser.Parse(raw)
		switch {
		case err != nil:
			prob = &Problem{Kind: ProblemNotAudit, Err: err}
			// The wrapper may still say which cluster the record is from.
			ev.Event = p.Envelope
		default:
			ev.Event, ev.count, ev.list, ev.truncated, ev.fromRaw = p.Event, p.Count, p.List, p.Truncated, true
			ev.uaKnown = true
			switch {
			case p.Truncated:
				prob = &Problem{Kind: ProblemTruncated, Err: errTruncated}
			case p.RequestCut:
				prob = &Problem{Kind: ProblemRequestCut, Err: errRequestCut}
			}
		}
	}
	if ev.Event == nil {
		ev.Event = &ev.empty
	}
	found := overlayExtracted(r, ev)
	// GKE members read from Splunk's fields are mapped here; those of
	// _raw were already.
	ev.Normalize()
	ev.InferShape()
	if !ev.fromRaw && !found {
		return nil, prob // neither _raw nor extracted audit fields
	}
	if ev.GKE.NotKubernetes() {
		// Read from Splunk's fields as from _raw: only the Kubernetes
		// API's entries of Cloud Audit Logs are audit events, and
		// nothing of the others is read.
		*ev = event{count: 1, requests: &w.requests}
		ev.Event = &ev.empty
		return nil, &Problem{Kind: ProblemNotAudit, Err: audit.ErrNotAuditEvent}
	}
	if !ev.fromRaw {
		prob = nil // the extracted fields carry the event
	}
	if prob == nil && ev.count > 1 {
		prob = &Problem{Kind: ProblemSeveralEvents, Err: severalEventsError{count: ev.count, shape: ev.Origin.Shape}}
	}
	return ev, prob
}

// severalEventsError says a record held several events.
type severalEventsError struct {
	count int
	shape audit.Shape
}

func (e severalEventsError) Error() string {
	var what, fix string
	switch e.shape {
	case audit.ShapeSubscription:
		what, fix = "a CloudWatch Logs subscription message", "turn on message extraction in the Amazon Data Firehose stream (see the kubelens README)"
	case audit.ShapeAKS:
		what, fix = "an Azure records batch", "ingest through the Splunk Add-on for Microsoft Cloud Services, which writes one record per event"
	default:
		what, fix = "an EventList", "write one audit event per line"
	}
	return fmt.Sprintf("the record holds %d events (%s); its fields describe the first and k8s_event_count the number: %s", e.count, what, fix)
}

type truncatedError struct{}

func (truncatedError) Error() string {
	return "CloudWatch Logs cut the record at its size limit ([Truncated...]); enriched from the part that arrived"
}

var errTruncated error = truncatedError{}

var errRequestCut = fmt.Errorf("the record holds more than %d JSON values; it was enriched without its request body (no pod spec, RBAC or service fields)", audit.MaxValues)

// overlayExtracted lets Splunk's extracted fields win over _raw: they are
// what the rest of the search sees. A member's value is its first name's
// that the record has (a record comes in one wrapper or none); a member
// that is one JSON value takes the field's first value, as a field
// extracted twice (INDEXED_EXTRACTIONS=json with KV_MODE=json) has its
// value twice, and a list its values twice over (see onceOnly). It reports whether any member of an audit event was
// present.
func overlayExtracted(r Record, ev *event) bool {
	e := ev.Event
	found := false
	for i := range audit.Members {
		m := &audit.Members[i]
		for k := range m.Names {
			in := memberInputs[i] + Input(k)
			switch m.Kind {
			case audit.KindString:
				if v := firstValue(r, in); v != "" {
					*m.Str(e) = v
				} else {
					continue
				}
			case audit.KindNumber:
				if v := firstValue(r, in); v != "" {
					*m.Str(e) = strings.TrimSpace(v)
				} else {
					continue
				}
			case audit.KindFirst:
				if v := r.Value(in); v != "" {
					*m.Str(e) = firstLine(v)
				} else {
					continue
				}
			case audit.KindList:
				if v := r.Values(in); v != nil {
					*m.List(e) = onceOnly(v)
				} else {
					continue
				}
			case audit.KindInt:
				v := firstValue(r, in)
				if v == "" {
					continue
				}
				if n, ok := audit.WholeNumber(v); ok {
					*m.Int(e) = n
				}
			}
			found = found || !genericMember[i]
			ev.uaKnown = ev.uaKnown || userAgentMember[i]
			break
		}
	}
	return found
}

// firstValue is the first value of a field, "" without one.
func firstValue(r Record, in Input) string {
	if vs := r.Values(in); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// onceOnly returns the first half of vs when the second repeats it, as a
// list extracted twice has it: a list that really holds its values twice
// over (two identical source IPs) is rare, and reads the same halved.
func onceOnly(vs []string) []string {
	if h := len(vs) / 2; len(vs)%2 == 0 && h > 0 && slices.Equal(vs[:h], vs[h:]) {
		return vs[:h]
	}
	return vs
}

// userAgentMember marks the members that hold the user agent (userAgent,
// a GKE entry's callerSuppliedUserAgent): when one is present the user
// agent is known, even if empty.
var userAgentMember = func() []bool {
	u := make([]bool, len(audit.Members))
	var probe audit.Event
	for i, m := range audit.Members {
		u[i] = m.Kind == audit.KindString && m.Str(&probe) == &probe.UserAgent
	}
	return u
}()

// genericMember marks the members whose names other logs use too (an
// authenticator line's level=info, any Azure record's resourceId): alone,
// they do not make a search result an audit event.
var genericMember = func() []bool {
	g := make([]bool, len(audit.Members))
	for _, name := range []string{"kind", "apiVersion", "level", "timestamp"} {
		g[memberIndex(name)] = true
	}
	for i, m := range audit.Members {
		if m.Scope == audit.ScopeRecord {
			g[i] = true
		}
	}
	return g
}()

func memberIndex(name string) int {
	for i, m := range audit.Members {
		if m.Name == name {
			return i
		}
	}
	panic("enrich: no audit member " + name)
}

// firstLine is the first of the values Splunk joins with "\n".
func firstLine(v string) string {
	first, _, _ := strings.Cut(v, "\n")
	return first
}
