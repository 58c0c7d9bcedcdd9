package audit

import (
	"strings"
)

// GKEEntry holds the members of a GKE Cloud Audit Logs entry that have no
// native counterpart (the others are read into the Event directly). Field
// names are Cloud Audit Logs' (google.cloud.audit.AuditLog, LogEntry).
type GKEEntry struct {
	ServiceName  string // protoPayload.serviceName: k8s.io
	MethodName   string // protoPayload.methodName: io.k8s.core.v1.pods.exec.create
	ResourceName string // protoPayload.resourceName: core/v1/namespaces/default/pods/web/exec
	CallerIP     string // protoPayload.requestMetadata.callerIp
	// StatusCode is protoPayload.status.code, a google.rpc.Code, as
	// text: "" when the entry has none.
	StatusCode string
	// RequestGroups is protoPayload.request.spec.group of subject reviews.
	RequestGroups []string
	// ProjectID, Location and ClusterName are resource.labels.
	ProjectID, Location, ClusterName string
}

func (g *GKEEntry) present() bool {
	return g.ServiceName != "" || g.MethodName != "" || g.ResourceName != ""
}

// NotKubernetes reports whether the event is a Cloud Audit Logs entry of
// another service than the Kubernetes API (compute, IAM, the GKE API
// itself), which kubelens does not enrich.
func (g *GKEEntry) NotKubernetes() bool { return g.present() && !g.isKubernetes() }

// isKubernetes tells a GKE Kubernetes API entry from the other Cloud
// Audit Logs entries (compute, IAM, the GKE API itself).
func (g *GKEEntry) isKubernetes() bool {
	return g.ServiceName == "k8s.io" || strings.HasPrefix(g.MethodName, "io.k8s.")
}

// Normalize maps a GKE entry's members onto the native event's, as the
// kube-apiserver behind GKE logged them: verb, objectRef and subresource
// from the method and resource names, requestURI rebuilt from the resource
// name (without the query, which GKE does not log), sourceIPs from the
// caller IP, and responseStatus.code from the gRPC status code
// (google.rpc.Code's HTTP mapping). Members GKE does not log (stage,
// level, user.groups, user.extra) stay empty. It does nothing to an event
// that is not a GKE entry, and doing it twice changes nothing.
func (e *Event) Normalize() {
	g := &e.GKE
	if !g.present() {
		return
	}
	e.Origin.Shape = ShapeGKE
	m := parseMethod(g.MethodName)
	if m.verb != "" {
		e.Verb = m.verb
	}
	switch ref, uri, ok := parseResourceName(g.ResourceName, m); {
	case m.path != "":
		e.Verb, e.RequestURI = "get", m.path
	case ok && ref.APIGroup == "" && ref.Namespace == "" && ref.Name == "" && healthPaths[ref.Resource]:
		// io.k8s.core.v1.healthz.get on core/v1/healthz: a health
		// check written as if it were a resource.
		e.RequestURI = "/" + ref.Resource
	case ok:
		e.ObjectRef, e.RequestURI = ref, uri
	case g.ResourceName != "":
		e.RequestURI = "/" + strings.TrimPrefix(g.ResourceName, "/")
	case m.resource != "":
		// No resource name (io.k8s.core.v1.componentstatuses.list):
		// the method still names the resource.
		e.ObjectRef.Resource, e.ObjectRef.Subresource = m.resource, m.subresource
	}
	if g.CallerIP != "" {
		e.gkeIP[0] = g.CallerIP
		e.SourceIPs = e.gkeIP[:]
	}
	switch code, ok := WholeNumber(g.StatusCode); {
	case ok:
		e.ResponseStatus.Code = httpStatus(code)
	case g.StatusCode == "" && g.isKubernetes() && e.ResponseStatus.Code == 0:
		// proto3 JSON leaves out a zero code, and Cloud Audit Logs the
		// whole status of a request that succeeded: status {} or none
		// is OK.
		e.ResponseStatus.Code = 200
	}
}

// method is what a GKE method name says: io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>
// for resource requests, io.k8s.<name> for a request to a health path
// (io.k8s.readyz: GET /readyz).
type method struct {
	verb, resource, subresource string
	path                        string // a health request's URI
}

// healthPaths are the API server's health checks (k8s.io/apiserver
// pkg/server/healthz), which GKE logs as io.k8s.<path>.
var healthPaths = map[string]bool{"healthz": true, "livez": true, "readyz": true}

func parseMethod(name string) method {
	var buf [16]string
	parts := split(buf[:0], name, '.')
	if len(parts) == 3 && parts[0] == "io" && healthPaths[parts[2]] {
		return method{path: "/" + parts[2]}
	}
	if len(parts) < 3 || parts[0] != "io" {
		return method{}
	}
	m := method{verb: parts[len(parts)-1]}
	for i := 2; i < len(parts)-2; i++ {
		if isAPIVersion(parts[i]) {
			m.resource = parts[i+1]
			if i+2 < len(parts)-1 {
				m.subresource = parts[i+2]
			}
			break
		}
	}
	return m
}

// isAPIVersion matches Kubernetes API versions: v1, v2beta1, v1alpha3.
func isAPIVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] < '0' || s[1] > '9' {
		return false
	}
	rest := strings.TrimLeft(s[1:], "0123456789")
	for _, q := range []string{"alpha", "beta"} {
		if after, ok := strings.CutPrefix(rest, q); ok {
			return after != "" && strings.Trim(after, "0123456789") == ""
		}
	}
	return rest == ""
}

// parseResourceName reads <group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]],
// where the core group is named core, and rebuilds the request URI the
// kube-apiserver logs. The method's resource, when known, tells a
// namespace object (core/v1/namespaces/<name>) from a namespaced
// resource, and a subresource of a namespace from a resource.
func parseResourceName(name string, m method) (ObjectReference, string, bool) {
	var buf [16]string
	path := strings.TrimPrefix(name, "/")
	parts := split(buf[:0], path, '/')
	if len(parts) < 3 || !isAPIVersion(parts[1]) {
		return ObjectReference{}, "", false
	}
	ref := ObjectReference{APIGroup: parts[0], APIVersion: parts[1]}
	var uri string
	if parts[0] == "core" {
		ref.APIGroup, uri = "", "/api/"+strings.TrimPrefix(path, "core/")
	} else {
		uri = "/apis/" + path
	}
	rest := parts[2:]
	if rest[0] == "namespaces" && len(rest) >= 3 && m.resource != "namespaces" {
		ref.Namespace, rest = rest[1], rest[2:]
	}
	ref.Resource = rest[0]
	if len(rest) > 1 {
		ref.Name = rest[1]
	}
	if len(rest) > 2 {
		ref.Subresource = rest[2]
	}
	if m.resource != "" && m.resource == ref.Resource && m.subresource != "" {
		ref.Subresource = m.subresource
	}
	if ref.Resource == "namespaces" && ref.Namespace == "" {
		// The kube-apiserver logs a namespace object in its own namespace.
		ref.Namespace = ref.Name
	}
	return ref, uri, true
}

// split appends the sep-separated parts of s to dst; with a dst on the
// caller's stack it allocates nothing.
func split(dst []string, s string, sep byte) []string {
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

// httpStatus maps a google.rpc.Code to the HTTP status its definition
// names (googleapis google/rpc/code.proto).
func httpStatus(code int) int {
	switch code {
	case 0: // OK
		return 200
	case 1: // CANCELLED
		return 499
	case 3, 9, 11: // INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
		return 400
	case 4: // DEADLINE_EXCEEDED
		return 504
	case 5: // NOT_FOUND
		return 404
	case 6, 10: // ALREADY_EXISTS, ABORTED
		return 409
	case 7: // PERMISSION_DENIED
		return 403
	case 8: // RESOURCE_EXHAUSTED
		return 429
	case 12: // UNIMPLEMENTED
		return 501
	case 14: // UNAVAILABLE
		return 503
	case 16: // UNAUTHENTICATED
		return 401
	}
	return 500 // UNKNOWN, INTERNAL, DATA_LOSS and codes yet unknown
}
