package enrich

import (
	"strconv"
	"strings"
	"time"
)

// Long-running requests keep a connection open: the apiserver logs
// ResponseStarted when the response begins and ResponseComplete when it
// ends. They are the kube-apiserver's own long-running check
// (BasicLongRunningRequestCheck in k8s.io/kubernetes
// pkg/controlplane/apiserver/config.go): the verbs watch and proxy, and the
// subresources attach, exec, proxy, log and portforward.
var (
	longRunningVerbs        = map[string]bool{"watch": true, "proxy": true}
	longRunningSubresources = map[string]bool{"attach": true, "exec": true, "proxy": true, "log": true, "portforward": true}
)

// isLongRunning reports whether the apiserver treats the request as
// long-running.
func isLongRunning(ev *event) bool {
	return longRunningVerbs[ev.Verb] || longRunningSubresources[ev.subresource()]
}

func deriveHygiene(ev *event, out *Output) {
	out.Set(FieldK8sAuditID, ev.AuditID)
	out.Set(FieldK8sStage, ev.Stage)
	out.Set(FieldK8sLevel, ev.Level)
	if ev.Stage != "" {
		out.SetBool(FieldK8sIsFinal, isFinal(ev))
	}
	if ms, ok := latencyMs(ev.RequestReceivedTimestamp, ev.StageTimestamp); ok {
		out.Set(FieldK8sLatencyMs, ms)
	}
	out.Set(FieldK8sRequestKind, requestKind(ev))
	if ev.list {
		out.Set(FieldK8sEventCount, strconv.Itoa(ev.count))
	}
	if ev.fromRaw {
		out.SetBool(FieldK8sTruncated, ev.truncated)
	}
}

// isFinal picks one stage per request, so that counting final events
// counts requests: the start of a long-running request (its end may come
// hours later, or never), the completion of any other, and a Panic
// always: a request that panics before its response started has no other
// event past RequestReceived (none at all under EKS's policy, which omits
// RequestReceived). A long-running request that panics after it started
// has two final events; the README says so.
func isFinal(ev *event) bool {
	switch ev.Stage {
	case "Panic":
		return true
	case "ResponseStarted":
		return isLongRunning(ev)
	case "ResponseComplete":
		return !isLongRunning(ev)
	}
	return false
}

func latencyMs(start, end string) (string, bool) {
	if start == "" || end == "" {
		return "", false
	}
	t0, err0 := time.Parse(time.RFC3339Nano, start)
	t1, err1 := time.Parse(time.RFC3339Nano, end)
	if err0 != nil || err1 != nil || t1.Before(t0) {
		return "", false
	}
	return strconv.FormatFloat(float64(t1.Sub(t0).Microseconds())/1000, 'f', -1, 64), true
}

// requestKind tells resource requests from the non-resource URLs.
func requestKind(ev *event) string {
	if ev.resource() != "" {
		return "resource"
	}
	uri := ev.RequestURI
	if uri == "" {
		return ""
	}
	path, _, _ := strings.Cut(uri, "?")
	switch {
	case hasPathPrefix(path, "/healthz"), hasPathPrefix(path, "/livez"), hasPathPrefix(path, "/readyz"):
		return "health"
	case path == "/version", path == "/api", hasPathPrefix(path, "/apis"), hasPathPrefix(path, "/openapi"), path == "/.well-known/openid-configuration", path == "/openid/v1/jwks":
		return "discovery"
	case hasPathPrefix(path, "/metrics"):
		return "metrics"
	case strings.HasPrefix(path, "/api/"):
		// A resource path whose objectRef was not extracted.
		return "resource"
	}
	return "other"
}

// hasPathPrefix reports whether path is prefix or below it.
func hasPathPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
