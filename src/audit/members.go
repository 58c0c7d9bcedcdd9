package audit

import (
	"slices"
	"strings"

	"github.com/valyala/fastjson"
)

// MemberKind says how a member's JSON value becomes an Event field.
type MemberKind uint8

// The member kinds.
const (
	// KindString is a JSON string.
	KindString MemberKind = iota
	// KindFirst is a JSON array of strings of which the first counts:
	// user.extra values are lists of one.
	KindFirst
	// KindList is a JSON array of strings.
	KindList
	// KindInt is a JSON integer.
	KindInt
)

// Member is one member of an audit event that kubelens reads. It is read
// from the event's JSON by Path, and from a Splunk search result by Name:
// the field Splunk's JSON extraction (KV_MODE = json, or indexed
// extractions) makes of it, the path joined with "." and "{}" after an
// array. A member declared here exists in both forms, so a search that
// drops _raw (| fields - _raw) loses nothing kubelens reads.
type Member struct {
	Path []string
	Kind MemberKind
	Name string // Splunk field name, derived from Path and Kind

	// Exactly one of these locates the Event field, by kind.
	str  func(*Event) *string
	list func(*Event) *[]string
	num  func(*Event) *int
}

// Str returns the member's string field in e (KindString, KindFirst).
func (m *Member) Str(e *Event) *string { return m.str(e) }

// List returns the member's list field in e (KindList).
func (m *Member) List(e *Event) *[]string { return m.list(e) }

// Int returns the member's integer field in e (KindInt).
func (m *Member) Int(e *Event) *int { return m.num(e) }

func member(path string, kind MemberKind) Member {
	m := Member{Path: splitPath(path), Kind: kind}
	m.Name = strings.Join(m.Path, ".")
	if kind == KindFirst || kind == KindList {
		m.Name += "{}"
	}
	return m
}

// splitPath splits a JSON path at "." except inside [...]: keys such as
// authorization.k8s.io/decision hold dots, and are written in brackets.
func splitPath(path string) []string {
	var parts []string
	for path != "" {
		if rest, ok := strings.CutPrefix(path, "["); ok {
			key, after, _ := strings.Cut(rest, "]")
			parts = append(parts, key)
			path = strings.TrimPrefix(after, ".")
			continue
		}
		key, after, _ := strings.Cut(path, ".")
		parts = append(parts, key)
		path = after
	}
	return parts
}

func strMember(path string, f func(*Event) *string) Member {
	m := member(path, KindString)
	m.str = f
	return m
}

func firstMember(path string, f func(*Event) *string) Member {
	m := member(path, KindFirst)
	m.str = f
	return m
}

func listMember(path string, f func(*Event) *[]string) Member {
	m := member(path, KindList)
	m.list = f
	return m
}

func intMember(path string, f func(*Event) *int) Member {
	m := member(path, KindInt)
	m.num = f
	return m
}

// Members are the members of an audit event kubelens reads, grouped by
// parent object (the parser looks each parent up once). Add a member here,
// and nowhere else, to read a new one: the parser and the Splunk field
// reader both follow this table. Field names are the audit.k8s.io/v1
// Event's (k8s.io/apiserver/pkg/apis/audit/v1/types.go).
var Members = []Member{
	strMember("kind", func(e *Event) *string { return &e.Kind }),
	strMember("apiVersion", func(e *Event) *string { return &e.APIVersion }),
	strMember("level", func(e *Event) *string { return &e.Level }),
	strMember("auditID", func(e *Event) *string { return &e.AuditID }),
	strMember("stage", func(e *Event) *string { return &e.Stage }),
	strMember("requestURI", func(e *Event) *string { return &e.RequestURI }),
	strMember("verb", func(e *Event) *string { return &e.Verb }),
	strMember("userAgent", func(e *Event) *string { return &e.UserAgent }),
	listMember("sourceIPs", func(e *Event) *[]string { return &e.SourceIPs }),
	strMember("requestReceivedTimestamp", func(e *Event) *string { return &e.RequestReceivedTimestamp }),
	strMember("stageTimestamp", func(e *Event) *string { return &e.StageTimestamp }),
	// v1alpha1 and v1beta1 events carry one timestamp instead of stages'.
	strMember("timestamp", func(e *Event) *string { return &e.Timestamp }),

	strMember("user.username", func(e *Event) *string { return &e.User.Username }),
	strMember("user.uid", func(e *Event) *string { return &e.User.UID }),
	listMember("user.groups", func(e *Event) *[]string { return &e.User.Groups }),

	// The IAM principal behind an EKS user (aws-iam-authenticator), and
	// the pod, node and credential a service account token is bound to.
	firstMember("user.extra.arn", func(e *Event) *string { return &e.User.Extra.ARN }),
	firstMember("user.extra.canonicalArn", func(e *Event) *string { return &e.User.Extra.CanonicalARN }),
	firstMember("user.extra.accessKeyId", func(e *Event) *string { return &e.User.Extra.AccessKeyID }),
	firstMember("user.extra.sessionName", func(e *Event) *string { return &e.User.Extra.SessionName }),
	firstMember("user.extra.principalId", func(e *Event) *string { return &e.User.Extra.PrincipalID }),
	firstMember("user.extra.[authentication.kubernetes.io/pod-name]", func(e *Event) *string { return &e.User.Extra.PodName }),
	firstMember("user.extra.[authentication.kubernetes.io/pod-uid]", func(e *Event) *string { return &e.User.Extra.PodUID }),
	firstMember("user.extra.[authentication.kubernetes.io/node-name]", func(e *Event) *string { return &e.User.Extra.NodeName }),
	firstMember("user.extra.[authentication.kubernetes.io/credential-id]", func(e *Event) *string { return &e.User.Extra.CredentialID }),

	strMember("impersonatedUser.username", func(e *Event) *string { return &e.ImpersonatedUser.Username }),
	// The groups a request impersonates (kubectl --as-group): impersonating
	// system:masters is the cluster-admin identity.
	listMember("impersonatedUser.groups", func(e *Event) *[]string { return &e.ImpersonatedUser.Groups }),

	strMember("objectRef.resource", func(e *Event) *string { return &e.ObjectRef.Resource }),
	strMember("objectRef.namespace", func(e *Event) *string { return &e.ObjectRef.Namespace }),
	strMember("objectRef.name", func(e *Event) *string { return &e.ObjectRef.Name }),
	strMember("objectRef.apiGroup", func(e *Event) *string { return &e.ObjectRef.APIGroup }),
	strMember("objectRef.apiVersion", func(e *Event) *string { return &e.ObjectRef.APIVersion }),
	strMember("objectRef.subresource", func(e *Event) *string { return &e.ObjectRef.Subresource }),

	intMember("responseStatus.code", func(e *Event) *int { return &e.ResponseStatus.Code }),
	strMember("responseStatus.status", func(e *Event) *string { return &e.ResponseStatus.Status }),
	strMember("responseStatus.reason", func(e *Event) *string { return &e.ResponseStatus.Reason }),
	strMember("responseStatus.message", func(e *Event) *string { return &e.ResponseStatus.Message }),

	strMember("annotations.[authorization.k8s.io/decision]", func(e *Event) *string { return &e.Annotations.Decision }),
	strMember("annotations.[authorization.k8s.io/reason]", func(e *Event) *string { return &e.Annotations.Reason }),
	strMember("annotations.[pod-security.kubernetes.io/audit-violations]", func(e *Event) *string { return &e.Annotations.AuditViolations }),
	strMember("annotations.[authentication.k8s.io/legacy-token]", func(e *Event) *string { return &e.Annotations.LegacyToken }),

	// What Splunk security content's SPL reads of request bodies, by
	// these names; the whole body is in RequestObject.
	strMember("requestObject.metadata.annotations.[kubectl.kubernetes.io/last-applied-configuration]", func(e *Event) *string { return &e.Request.LastApplied }),
	strMember("requestObject.message", func(e *Event) *string { return &e.Request.Message }),
	strMember("requestObject.spec.type", func(e *Event) *string { return &e.Request.SpecType }),
}

// MemberByName returns the member Splunk names name.
func MemberByName(name string) (*Member, bool) {
	for i := range Members {
		if Members[i].Name == name {
			return &Members[i], true
		}
	}
	return nil, false
}

// fillMembers reads every member of v into ev. Members of one parent are
// next to each other in the table, so each parent object is looked up
// once per event.
func (p *Parser) fillMembers(v *fastjson.Value, ev *Event) {
	parent, parentPath := v, []string{}
	for i := range Members {
		m := &Members[i]
		dir, key := m.Path[:len(m.Path)-1], m.Path[len(m.Path)-1]
		if !slices.Equal(dir, parentPath) {
			parent, parentPath = v.Get(dir...), dir
		}
		if parent == nil || parent.Type() != fastjson.TypeObject {
			continue
		}
		val := parent.Get(key)
		if val == nil {
			continue
		}
		switch m.Kind {
		case KindString:
			*m.str(ev) = str(val)
		case KindFirst:
			*m.str(ev) = firstStr(val)
		case KindList:
			*m.list(ev) = p.stringList(val)
		case KindInt:
			if n, err := val.Int(); err == nil {
				*m.num(ev) = n
			}
		}
	}
}
