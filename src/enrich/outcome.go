package enrich

import (
	"strconv"
	"strings"
)

func deriveOutcome(ev *event, out *Output) {
	decision := ev.Annotations.Decision
	reason := ev.Annotations.Reason
	code := ev.ResponseStatus.Code
	out.Set(FieldK8sResponseReason, ev.ResponseStatus.Reason)
	if code != 0 {
		out.Set(FieldK8sResponseCode, strconv.Itoa(code))
	}
	out.Set(FieldK8sOutcome, outcome(code, decision))
	out.Set(FieldK8sAuthzDecision, decision)
	out.Set(FieldK8sAuthzReason, reason)
	if b, r, s, ok := parseRBACReason(reason); ok {
		out.Set(FieldK8sAuthzBinding, b)
		out.Set(FieldK8sAuthzRole, r)
		out.Set(FieldK8sAuthzSubject, s)
	}
	if kind := out.First(FieldK8sUserKind); kind != "" && decision != "" {
		out.SetBool(FieldK8sAnonymousAllowed, kind == "anonymous" && decision == "allow" && out.First(FieldK8sRequestKind) != "health")
	}
	out.Set(FieldK8sPSAViolation, ev.Annotations.AuditViolations)
}

func outcome(code int, decision string) string {
	switch {
	case code == 403 || decision == "forbid":
		return "denied"
	case code == 0:
		return ""
	case code == 101 || code >= 200 && code < 300:
		return "success"
	case code == 401:
		return "unauthenticated"
	case code == 404:
		return "not_found"
	case code == 409:
		return "conflict"
	case code >= 500:
		return "error"
	}
	return "other"
}

// parseRBACReason reads the RBAC authorizer's reason:
// RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to Group "g".
func parseRBACReason(reason string) (binding, role, subject string, ok bool) {
	rest, found := strings.CutPrefix(reason, "RBAC: allowed by ")
	if !found {
		return "", "", "", false
	}
	_, binding, rest, ok1 := quoted(rest)
	_, role, rest, ok2 := quoted(strings.TrimPrefix(strings.TrimSpace(rest), "of "))
	kind, name, _, ok3 := quoted(strings.TrimPrefix(strings.TrimSpace(rest), "to "))
	if !ok1 || !ok2 || !ok3 {
		return "", "", "", false
	}
	return binding, role, kind + ":" + name, true
}

// quoted splits `Kind "value" rest` into Kind, value and rest.
func quoted(s string) (kind, value, rest string, ok bool) {
	kind, rest, found := strings.Cut(strings.TrimSpace(s), ` "`)
	if !found {
		return "", "", "", false
	}
	value, rest, found = strings.Cut(rest, `"`)
	return kind, value, rest, found
}
