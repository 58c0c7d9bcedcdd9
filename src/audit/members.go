package audit

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

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
	// KindNumber is a JSON integer kept as its decimal text, so that 0
	// and absent differ (a gRPC status code of 0 means OK).
	KindNumber
)

// Scope says which object of a log record a member's Path starts from.
type Scope uint8

// The scopes.
const (
	// ScopeEvent members are the audit event's own, inside any envelope.
	ScopeEvent Scope = iota
	// ScopeRecord members belong to the record around an audit event:
	// an Azure diagnostic log record, a CloudWatch Logs subscription
	// message.
	ScopeRecord
	// ScopeGKE members belong to a GKE Cloud Audit Logs entry (a
	// LogEntry whose protoPayload is a k8s.io AuditLog), which Normalize
	// maps onto the event's own.
	ScopeGKE
	numScopes
)

// Member is one member of an audit event, or of the record around it, that
// kubelens reads. It is read from the JSON by Path, starting at its
// Scope's object, and from a Splunk search result by Names: the fields
// Splunk's JSON extraction (KV_MODE = json, or indexed extractions) makes
// of it, the path joined with "." and "{}" after an array, under each
// wrapper the record may come in (a Pub/Sub message's data, the Microsoft
// Cloud Services add-on's body). A member declared here exists in both
// forms, so a search that drops _raw (| fields - _raw) loses nothing
// kubelens reads, except what only exists as JSON text inside a string
// (an Azure record's properties.log, a subscription message's events).
type Member struct {
	Path  []string
	Kind  MemberKind
	Scope Scope
	// Name is the field's name when the record is not wrapped; Names
	// adds the wrapped forms. Both derive from Path and Kind.
	Name  string
	Names []string

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
	m.Names = []string{m.Name}
	return m
}

// in puts a member in a scope whose record may also come wrapped under
// each of the prefixes.
func (m Member) in(scope Scope, wrappers ...string) Member {
	m.Scope = scope
	for _, w := range wrappers {
		m.Names = append(m.Names, w+m.Name)
	}
	return m
}

// The wrappers records arrive in: the Splunk Add-on for Google Cloud
// Platform puts a Pub/Sub message's LogEntry under data; the Splunk Add-on
// for Microsoft Cloud Services puts an Event Hubs record under body when
// its input adds the system properties (event_format_flags).
const (
	pubsubData    = "data."
	eventHubsBody = "body."
)

func gke(m Member) Member { return m.in(ScopeGKE, pubsubData) }

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

func numberMember(path string, f func(*Event) *string) Member {
	m := member(path, KindNumber)
	m.str = f
	return m
}

// Members are the members of audit events and of the records around them
// that kubelens reads, grouped by scope and then by parent object (the
// parser looks each parent up once). Add a member here, and nowhere else,
// to read a new one: the parser and the Splunk field reader both follow
// this table. Event field names are the audit.k8s.io/v1 Event's
// (k8s.io/apiserver/pkg/apis/audit/v1/types.go); the others are named in
// their group.
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

	// Azure diagnostic log records (AKS kube-audit and kube-audit-admin),
	// as the Splunk Add-on for Microsoft Cloud Services writes them: one
	// record per event, under body when its input adds the Event Hubs
	// system properties. Microsoft's resource log schema.
	strMember("resourceId", func(e *Event) *string { return &e.Origin.ResourceID }).in(ScopeRecord, eventHubsBody),
	strMember("category", func(e *Event) *string { return &e.Origin.Category }).in(ScopeRecord, eventHubsBody),
	// CloudWatch Logs subscription messages, as Amazon Data Firehose
	// delivers them without message extraction (CloudWatch Logs
	// subscription filter payload).
	strMember("logGroup", func(e *Event) *string { return &e.Origin.LogGroup }).in(ScopeRecord),
	strMember("logStream", func(e *Event) *string { return &e.Origin.LogStream }).in(ScopeRecord),

	// GKE Cloud Audit Logs entries (LogEntry with an AuditLog protoPayload
	// of service k8s.io), bare or under a Pub/Sub message's data. The
	// members with a native counterpart are read into it directly.
	gke(strMember("protoPayload.serviceName", func(e *Event) *string { return &e.GKE.ServiceName })),
	gke(strMember("protoPayload.methodName", func(e *Event) *string { return &e.GKE.MethodName })),
	gke(strMember("protoPayload.resourceName", func(e *Event) *string { return &e.GKE.ResourceName })),
	gke(strMember("protoPayload.authenticationInfo.principalEmail", func(e *Event) *string { return &e.User.Username })),
	gke(strMember("protoPayload.requestMetadata.callerIp", func(e *Event) *string { return &e.GKE.CallerIP })),
	gke(strMember("protoPayload.requestMetadata.callerSuppliedUserAgent", func(e *Event) *string { return &e.UserAgent })),
	gke(numberMember("protoPayload.status.code", func(e *Event) *string { return &e.GKE.StatusCode })),
	gke(strMember("protoPayload.status.message", func(e *Event) *string { return &e.ResponseStatus.Message })),
	// The subject review's groups (TokenReview, SubjectAccessReview),
	// which a deprecated security content search reads.
	gke(listMember("protoPayload.request.spec.group", func(e *Event) *[]string { return &e.GKE.RequestGroups })),
	// The request body's members the native event's requestObject gives.
	gke(strMember("protoPayload.request.metadata.annotations.[kubectl.kubernetes.io/last-applied-configuration]", func(e *Event) *string { return &e.Request.LastApplied })),
	gke(strMember("protoPayload.request.message", func(e *Event) *string { return &e.Request.Message })),
	gke(strMember("protoPayload.request.spec.type", func(e *Event) *string { return &e.Request.SpecType })),
	gke(strMember("operation.id", func(e *Event) *string { return &e.AuditID })),
	gke(strMember("labels.[authorization.k8s.io/decision]", func(e *Event) *string { return &e.Annotations.Decision })),
	gke(strMember("labels.[authorization.k8s.io/reason]", func(e *Event) *string { return &e.Annotations.Reason })),
	gke(strMember("resource.labels.project_id", func(e *Event) *string { return &e.GKE.ProjectID })),
	gke(strMember("resource.labels.location", func(e *Event) *string { return &e.GKE.Location })),
	gke(strMember("resource.labels.cluster_name", func(e *Event) *string { return &e.GKE.ClusterName })),
}

// scopeMembers are the indexes in Members of each scope's members.
var scopeMembers = func() (s [numScopes][]int) {
	for i, m := range Members {
		s[m.Scope] = append(s[m.Scope], i)
	}
	return s
}()

// MemberByName returns the member Splunk names name, in any of its forms.
func MemberByName(name string) (*Member, bool) {
	for i := range Members {
		if slices.Contains(Members[i].Names, name) {
			return &Members[i], true
		}
	}
	return nil, false
}

// fillMembers reads every member of a scope from v into ev. Members of one
// parent are next to each other in the table, so each parent object is
// looked up once per event.
func (p *Parser) fillMembers(v *fastjson.Value, ev *Event, scope Scope) {
	parent, parentPath := v, []string{}
	for _, i := range scopeMembers[scope] {
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
			if n, ok := wholeNumber(val); ok {
				*m.num(ev) = n
			}
		case KindNumber:
			if n, ok := wholeNumber(val); ok {
				start := len(p.nums)
				p.nums = strconv.AppendInt(p.nums, int64(n), 10)
				*m.str(ev) = unsafe.String(&p.nums[start], len(p.nums)-start)
			}
		}
	}
}

// wholeNumber reads a JSON whole number however a shipper wrote it: 403,
// 403.0, 4.03e2 or "403".
func wholeNumber(v *fastjson.Value) (int, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		if n, err := v.Int(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int(f), true
		}
	case fastjson.TypeString:
		return WholeNumber(str(v))
	}
	return 0, false
}

// WholeNumber reads a whole number written as text: "403", " 403 ",
// "403.0" or "4.03e2"; ok is false for anything else, fractions and
// numbers beyond ±2^53 included.
func WholeNumber(s string) (n int, ok bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
}
