package enrich

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// The kinds of risk signal, the part of a signal's name before the colon.
const (
	// SignalESCU is a Splunk security content detection:
	// escu:<security content id>.
	SignalESCU = "escu"
	// SignalKubelens is a kubelens finding: kubelens:<finding id>.
	SignalKubelens = "kubelens"
	// SignalFalco is a Falco k8s_audit rule: falco:<rule name>.
	SignalFalco = "falco"
)

// SignalKinds lists the kinds, in the order k8s_risk_signals lists them.
var SignalKinds = []string{SignalESCU, SignalKubelens, SignalFalco}

// Signal returns the risk signal name of a detection.
func (d *Detection) Signal() string { return SignalESCU + ":" + d.ID }

// Signal returns the risk signal name of a finding.
func (f *Finding) Signal() string { return SignalKubelens + ":" + f.ID }

// FalcoSignal returns the risk signal name of a Falco rule.
func FalcoSignal(rule string) string { return SignalFalco + ":" + rule }

// signalRef locates a signal among the detections, findings and Falco
// rules.
type signalRef struct {
	kind  string
	index int
}

// signals maps every signal name kubeenrich can produce to its source.
var signals = func() map[string]signalRef {
	m := map[string]signalRef{}
	for i := range Detections {
		m[Detections[i].Signal()] = signalRef{SignalESCU, i}
	}
	for i := range Findings {
		m[Findings[i].Signal()] = signalRef{SignalKubelens, i}
	}
	for i, r := range falcoRuleList {
		m[FalcoSignal(r.name)] = signalRef{SignalFalco, i}
	}
	return m
}()

// SignalNames lists every signal name kubeenrich can produce, detections
// first, then findings, then Falco rules.
func SignalNames() []string {
	var names []string
	for i := range Detections {
		names = append(names, Detections[i].Signal())
	}
	for i := range Findings {
		names = append(names, Findings[i].Signal())
	}
	for _, r := range falcoRuleList {
		names = append(names, FalcoSignal(r.name))
	}
	return names
}

// RiskObjectFields are the fields a signal may name as its risk object,
// with the Enterprise Security risk object type of each.
var RiskObjectFields = map[string]string{"user": "user", "k8s_cluster": "system", "src_ip": "system"}

// ThreatObjectFields are the fields a signal may name as its threat
// object, with the Enterprise Security threat object type of each.
var ThreatObjectFields = map[string]string{"src_ip": "ip_address"}

// FalcoPriorityScores are the default scores of Falco rules by priority:
// the risk signals lookup ships these unless it says otherwise for a rule.
var FalcoPriorityScores = map[string]int{
	"EMERGENCY": 90, "ALERT": 90, "CRITICAL": 90, "ERROR": 70, "WARNING": 50, "NOTICE": 30, "INFORMATIONAL": 10, "DEBUG": 0,
}

// RiskSignal is one row of the risk signals lookup: what a matched
// detection, finding or Falco rule weighs and says.
type RiskSignal struct {
	// Signal is escu:<security content id>, kubelens:<finding id> or
	// falco:<rule name>.
	Signal string
	// Kind is the part of Signal before the colon.
	Kind string
	// Title names the signal for people: the detection's, finding's or
	// rule's name.
	Title string
	// Score is 0 to 100; 0 means the signal scores nothing.
	Score int
	// Techniques are ATT&CK technique ids (T1611, T1552.007).
	Techniques []string
	// RiskObjectField and ThreatObjectField name the fields whose values
	// are the risk object (one of RiskObjectFields) and the threat object
	// (one of ThreatObjectFields, or empty for none).
	RiskObjectField, ThreatObjectField string
	// Message is the risk message, with $field$ for the values of the
	// fields MessageTokens lists.
	Message string

	scoreText string
	msg       []msgPart
}

// isTechniqueID reports whether s is an ATT&CK technique or
// sub-technique id: T then 4 digits, optionally . and 3 digits (T1609,
// T1552.007). Checked by hand: it runs while the lookups load, in the
// first execute of every search, where compiling a regular expression
// costs more than the rest of the check.
func isTechniqueID(s string) bool {
	if len(s) != 5 && len(s) != 9 || s[0] != 'T' || !allDigits(s[1:5]) {
		return false
	}
	return len(s) == 5 || s[5] == '.' && allDigits(s[6:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NewRiskSignal validates a lookup row. techniques is a space-separated
// list; score a whole number from 0 to 100. The error names the column at
// fault.
func NewRiskSignal(signal, kind, title, score, techniques, riskField, threatField, message string) (RiskSignal, error) {
	s := RiskSignal{Signal: signal, Kind: kind, Title: title, RiskObjectField: riskField, ThreatObjectField: threatField, Message: message}
	prefix, _, ok := strings.Cut(signal, ":")
	if !ok || !slices.Contains(SignalKinds, prefix) {
		return s, fmt.Errorf("enrich: signal %q is not <kind>:<name> with kind one of %s", signal, strings.Join(SignalKinds, ", "))
	}
	if kind != prefix {
		return s, fmt.Errorf("enrich: signal %q: kind is %q, want %q", signal, kind, prefix)
	}
	if _, known := signals[signal]; !known {
		return s, fmt.Errorf("enrich: signal %q: kubeenrich has no such %s signal", signal, kind)
	}
	n, err := strconv.Atoi(score)
	if err != nil || n < 0 || n > 100 {
		return s, fmt.Errorf("enrich: signal %q: score %q is not a whole number from 0 to 100", signal, score)
	}
	s.Score, s.scoreText = n, strconv.Itoa(n)
	for _, t := range strings.Fields(techniques) {
		if !isTechniqueID(t) {
			return s, fmt.Errorf("enrich: signal %q: %q is not an ATT&CK technique id (T1234 or T1234.567)", signal, t)
		}
		s.Techniques = append(s.Techniques, t)
	}
	if _, ok := RiskObjectFields[riskField]; !ok {
		return s, fmt.Errorf("enrich: signal %q: risk_object_field %q is not one of %s", signal, riskField, strings.Join(sortedKeys(RiskObjectFields), ", "))
	}
	if _, ok := ThreatObjectFields[threatField]; !ok && threatField != "" {
		return s, fmt.Errorf("enrich: signal %q: threat_object_field %q is not empty or one of %s", signal, threatField, strings.Join(sortedKeys(ThreatObjectFields), ", "))
	}
	if s.msg, err = compileMessage(message); err != nil {
		return s, fmt.Errorf("enrich: signal %q: %w", signal, err)
	}
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// msgToken is a $field$ of a risk message.
type msgToken uint8

const (
	tokNone msgToken = iota
	tokUser
	tokSrcIP
	tokCluster
	tokNamespace
	tokObject
	tokResource
	tokVerb
	tokRequestURI
	tokUserAgent
)

// MessageTokens are the $field$ tokens a risk message may hold: fields
// every kubelens saved search keeps, so that Enterprise Security renders
// the same message from the search's results as kubeenrich does from the
// event. user is the authenticated user (user.username).
var MessageTokens = []string{"user", "src_ip", "k8s_cluster", "k8s_namespace", "k8s_object", "k8s_resource", "verb", "requestURI", "http_user_agent"}

var tokenByName = map[string]msgToken{
	"user": tokUser, "src_ip": tokSrcIP, "k8s_cluster": tokCluster, "k8s_namespace": tokNamespace, "k8s_object": tokObject,
	"k8s_resource": tokResource, "verb": tokVerb, "requestURI": tokRequestURI, "http_user_agent": tokUserAgent,
}

// msgPart is literal text, or a token.
type msgPart struct {
	lit string
	tok msgToken
}

func compileMessage(m string) ([]msgPart, error) {
	if strings.TrimSpace(m) == "" {
		return nil, fmt.Errorf("empty message")
	}
	var parts []msgPart
	for m != "" {
		i := strings.IndexByte(m, '$')
		if i < 0 {
			parts = append(parts, msgPart{lit: m})
			break
		}
		if i > 0 {
			parts = append(parts, msgPart{lit: m[:i]})
		}
		j := strings.IndexByte(m[i+1:], '$')
		if j < 0 {
			return nil, fmt.Errorf("message %q: a $ without its closing $", m)
		}
		name := m[i+1 : i+1+j]
		tok, ok := tokenByName[name]
		if !ok {
			return nil, fmt.Errorf("message: $%s$ is not one of the tokens %s", name, strings.Join(MessageTokens, ", "))
		}
		parts = append(parts, msgPart{tok: tok})
		m = m[i+j+2:]
	}
	return parts, nil
}

// tokenValue is a token's value for the event; "" when it has none.
func tokenValue(t msgToken, ev *event, out *Output) string {
	switch t {
	case tokUser:
		return ev.User.Username
	case tokSrcIP:
		return out.First(FieldSrcIP)
	case tokCluster:
		return out.First(FieldK8sCluster)
	case tokNamespace:
		return ev.namespace()
	case tokObject:
		return ev.objectName()
	case tokResource:
		return out.First(FieldK8sResource)
	case tokVerb:
		return ev.Verb
	case tokRequestURI:
		return ev.RequestURI
	case tokUserAgent:
		return ev.UserAgent
	}
	return ""
}

// render appends the message rendered for the event to buf, "unknown"
// for a token the event has no value for, and returns it as a string that
// shares buf's memory.
func (s *RiskSignal) render(buf *[]byte, ev *event, out *Output) string {
	b := (*buf)[:0]
	for _, p := range s.msg {
		if p.tok == tokNone {
			b = append(b, p.lit...)
			continue
		}
		v := tokenValue(p.tok, ev, out)
		if v == "" {
			v = "unknown"
		}
		b = append(b, v...)
	}
	*buf = b
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// objectValue is the value of a risk or threat object field.
func objectValue(field string, ev *event, out *Output) string {
	switch field {
	case "user":
		return ev.User.Username
	case "src_ip":
		return out.First(FieldSrcIP)
	case "k8s_cluster":
		return out.First(FieldK8sCluster)
	}
	return ""
}

// riskModel resolves each detection, finding and Falco rule to its row of
// the risk signals lookup; nil where the lookup has none.
type riskModel struct {
	detections, findings, falco []*RiskSignal
}

func newRiskModel(rows []RiskSignal) riskModel {
	m := riskModel{
		detections: make([]*RiskSignal, len(Detections)),
		findings:   make([]*RiskSignal, len(Findings)),
		falco:      make([]*RiskSignal, len(falcoRuleList)),
	}
	for i := range rows {
		ref, ok := signals[rows[i].Signal]
		if !ok {
			continue // NewRiskSignal refuses these
		}
		switch ref.kind {
		case SignalESCU:
			m.detections[ref.index] = &rows[i]
		case SignalKubelens:
			m.findings[ref.index] = &rows[i]
		case SignalFalco:
			m.falco[ref.index] = &rows[i]
		}
	}
	return m
}
