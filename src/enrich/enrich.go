package enrich

import (
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
	e       *Enricher
	uaCache map[string]uaInfo
	parser  audit.Parser
	ev      event // reused for every record
	judge   judgement
}

// NewWorker returns a Worker. It is not safe for concurrent use.
func (e *Enricher) NewWorker() *Worker {
	return &Worker{e: e, uaCache: make(map[string]uaInfo)}
}

// Problem kinds Enrich reports.
const (
	// ProblemNotAudit: the record is not a Kubernetes audit event (an
	// authenticator or scheduler log line, say); it got the EKS fields.
	ProblemNotAudit = "not-audit"
	// ProblemTruncated: CloudWatch cut the record; it was enriched from
	// the part that arrived.
	ProblemTruncated = "truncated"
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
		return prob
	}
	deriveHygiene(ev, out)
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
		e.req, _ = audit.DecodeRequestObject(e.RequestObject)
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
	*ev = event{count: 1}
	var prob *Problem
	if raw := r.Value(InRaw); raw != "" {
		ev.raw = raw
		p, err := w.parser.Parse(raw)
		switch {
		case err != nil:
			prob = &Problem{Kind: ProblemNotAudit, Err: err}
		default:
			ev.Event, ev.count, ev.list, ev.truncated, ev.fromRaw = p.Event, p.Count, p.List, p.Truncated, true
			ev.uaKnown = true
			if p.Truncated {
				prob = &Problem{Kind: ProblemTruncated, Err: errTruncated}
			}
		}
	}
	if ev.Event == nil {
		ev.Event = &ev.empty
	}
	found := overlayExtracted(r, ev)
	if !ev.fromRaw && !found {
		return nil, prob // neither _raw nor extracted audit fields
	}
	if !ev.fromRaw {
		prob = nil // the extracted fields carry the event
	}
	return ev, prob
}

type truncatedError struct{}

func (truncatedError) Error() string {
	return "CloudWatch Logs cut the record at its size limit ([Truncated...]); enriched from the part that arrived"
}

var errTruncated error = truncatedError{}

// overlayExtracted lets Splunk's extracted fields win over _raw: they are
// what the rest of the search sees. It reports whether any field of an
// audit event was present.
func overlayExtracted(r Record, ev *event) bool {
	e := ev.Event
	for i := range audit.Members {
		m := &audit.Members[i]
		in := memberInput(i)
		switch m.Kind {
		case audit.KindString:
			if v := r.Value(in); v != "" {
				*m.Str(e) = v
			}
		case audit.KindFirst:
			if v := r.Value(in); v != "" {
				*m.Str(e) = firstLine(v)
			}
		case audit.KindList:
			if v := r.Values(in); v != nil {
				*m.List(e) = v
			}
		case audit.KindInt:
			if v := r.Value(in); v != "" {
				if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					*m.Int(e) = n
				}
			}
		}
	}
	if r.Value(memberInput(userAgentMember)) != "" {
		ev.uaKnown = true
	}
	for i := range audit.Members {
		if !genericMember[i] && r.Value(memberInput(i)) != "" {
			return true
		}
	}
	return false
}

// userAgentMember is the index of userAgent in audit.Members.
var userAgentMember = memberIndex("userAgent")

// genericMember marks the members whose names other logs use too (an
// authenticator line's level=info): alone, they do not make a search
// result an audit event.
var genericMember = func() []bool {
	g := make([]bool, len(audit.Members))
	for _, name := range []string{"kind", "apiVersion", "level", "timestamp"} {
		g[memberIndex(name)] = true
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
