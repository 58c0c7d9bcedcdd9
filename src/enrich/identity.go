package enrich

import (
	"slices"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
)

// controlPlaneUsers are the kube-apiserver's own and the core controllers'
// identities.
var controlPlaneUsers = map[string]bool{
	"system:apiserver":               true,
	"system:kube-controller-manager": true,
	"system:kube-scheduler":          true,
	"system:kube-proxy":              true,
	"system:volume-scheduler":        true,
	"kube-apiserver-healthcheck":     true,
	"system:addon-manager":           true,
}

func deriveIdentity(ev *audit.Event, out *Output) {
	u := &ev.User
	out.Set(FieldK8sUser, u.Username)
	effective := u.Username
	if ev.ImpersonatedUser != nil && ev.ImpersonatedUser.Username != "" {
		effective = ev.ImpersonatedUser.Username
	}
	out.Set(FieldUser, effective)
	out.Set(FieldK8sUserKind, userKind(u))
}

// userKind classifies the authenticated user; the first rule that matches
// wins.
func userKind(u *audit.UserInfo) string {
	name := u.Username
	switch {
	case name == "" && len(u.Groups) == 0:
		return ""
	case name == "system:anonymous" || slices.Contains(u.Groups, "system:unauthenticated"):
		return "anonymous"
	case strings.HasPrefix(name, "system:serviceaccount:"):
		return "service_account"
	case strings.HasPrefix(name, "system:node:") || slices.Contains(u.Groups, "system:nodes"):
		return "node"
	case strings.HasPrefix(name, "eks:"):
		return "eks_managed"
	case controlPlaneUsers[name] || strings.HasPrefix(name, "system:"):
		return "control_plane"
	case len(u.Extra["arn"]) > 0 || strings.HasPrefix(u.UID, "aws-iam-authenticator:") || strings.HasPrefix(u.UID, "heptio-authenticator-aws:"):
		return "iam_mapped"
	}
	return "user"
}
