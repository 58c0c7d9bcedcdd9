package enrich

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

const (
	uidAuthenticator = "aws-iam-authenticator:"
	uidHeptio        = "heptio-authenticator-aws:"
)

// instanceID, an EC2 instance id, is compiled on first use, as the
// package's other regular expressions are: package initialisation delays
// every search's getinfo reply, and compiling takes a cold process about a
// millisecond.
var instanceID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^i-[0-9a-f]{8,17}$`) })

func deriveIdentity(e *Enricher, ev *event, out *Output) {
	u := &ev.User
	if u.Username == "" && len(u.Groups) == 0 {
		return
	}
	out.Set(FieldK8sUser, u.Username)
	effective, impersonated := u.Username, false
	if ev.ImpersonatedUser.Username != "" {
		effective, impersonated = ev.ImpersonatedUser.Username, true
	}
	out.Set(FieldUser, effective)
	out.Set(FieldK8sEffectiveUser, effective)
	out.SetBool(FieldK8sImpersonated, impersonated)
	kind, listedAdmin := e.userKind(u.Username, u.UID, u.Groups, u.Extra.ARN)
	out.Set(FieldK8sUserKind, kind)
	switch kind {
	case "service_account":
		parts := strings.SplitN(u.Username, ":", 4)
		if len(parts) == 4 {
			out.Set(FieldK8sSANamespace, parts[2])
			out.Set(FieldK8sSAName, parts[3])
		}
		deriveServiceAccountToken(ev, out)
	case "node":
		out.Set(FieldK8sNodeName, strings.TrimPrefix(u.Username, "system:node:"))
	}
	reason := ev.Annotations.Reason
	privileged := slices.Contains(u.Groups, "system:masters") || listedAdmin ||
		strings.Contains(reason, `ClusterRole "cluster-admin"`) || strings.Contains(reason, `"system:masters"`)
	out.SetBool(FieldK8sUserPrivileged, privileged)
	out.SetBool(FieldK8sUserTrusted, e.tables.TrustedUsers.Match(u.Username) || e.tables.TrustedGroups.MatchAny(u.Groups))
	deriveAWSPrincipal(ev, kind, out)
}

// userKind classifies the authenticated user; the first rule that matches
// wins: the kinds Kubernetes names make plain (anonymous, service
// accounts, nodes), then the users of the system names lookup (the
// platforms' control-plane identities, EKS's eks:*, OpenShift's
// system:admin), then any other system: name, then IAM principals behind
// EKS. listedAdmin says the lookup lists the user as privileged (Falco's
// full_admin_k8s_users, OpenShift's system:admin).
func (e *Enricher) userKind(name, uid string, groups []string, extraARN string) (kind string, listedAdmin bool) {
	switch {
	case name == "system:anonymous" || slices.Contains(groups, "system:unauthenticated"):
		return "anonymous", false
	case strings.HasPrefix(name, "system:serviceaccount:"):
		return "service_account", false
	case strings.HasPrefix(name, "system:node:") || slices.Contains(groups, "system:nodes"):
		return "node", false
	}
	if n := systemName(e.tables.SystemUsers, name); n != nil {
		listedAdmin = n.Privileged
		if n.Class != "" {
			return n.Class, listedAdmin
		}
	}
	switch {
	case strings.HasPrefix(name, "system:"):
		return "control_plane", listedAdmin
	case extraARN != "" || strings.HasPrefix(uid, uidAuthenticator) || strings.HasPrefix(uid, uidHeptio) || isARN(name):
		return "iam_mapped", listedAdmin
	}
	return "user", listedAdmin
}

// deriveServiceAccountToken reads the bound-token claims the apiserver puts
// in user.extra (Kubernetes 1.29+/1.30+).
func deriveServiceAccountToken(ev *event, out *Output) {
	x := &ev.User.Extra
	out.Set(FieldK8sSAPodName, x.PodName)
	out.Set(FieldK8sSAPodUID, x.PodUID)
	out.Set(FieldK8sSANodeName, x.NodeName)
	out.Set(FieldK8sSACredentialID, x.CredentialID)
	switch {
	case ev.Annotations.LegacyToken != "":
		out.SetBool(FieldK8sSALegacyToken, true)
	case x.PodName != "":
		out.SetBool(FieldK8sSALegacyToken, false)
	case ev.fromRaw:
		// The whole user block was read and no pod claims it: the token is
		// not bound to a pod.
		out.SetBool(FieldK8sSALegacyToken, true)
	}
}

// arn is a parsed Amazon Resource Name.
type arn struct {
	partition, service, account, resource string
}

func parseARN(s string) (arn, bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return arn{}, false
	}
	var parts [4]string // partition, service, region, account
	for i := range parts {
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return arn{}, false
		}
	}
	if parts[0] == "" || parts[1] == "" {
		return arn{}, false
	}
	return arn{partition: parts[0], service: parts[1], account: parts[3], resource: rest}, true
}

func isARN(s string) bool {
	a, ok := parseARN(s)
	return ok && (a.service == "iam" || a.service == "sts")
}

// deriveAWSPrincipal describes the IAM principal behind an EKS user:
// aws-iam-authenticator puts the account and unique id in user.uid and the
// ARNs, access key and session name in user.extra.
func deriveAWSPrincipal(ev *event, kind string, out *Output) {
	u := &ev.User
	var account, principalID string
	for _, prefix := range []string{uidAuthenticator, uidHeptio} {
		if rest, ok := strings.CutPrefix(u.UID, prefix); ok {
			account, principalID, _ = strings.Cut(rest, ":")
		}
	}
	if principalID == "" {
		principalID = u.Extra.PrincipalID
	}
	arnText := u.Extra.ARN
	if arnText == "" && isARN(u.Username) {
		arnText = u.Username // EKS access entries may use the ARN as the user name
	}
	canonical := u.Extra.CanonicalARN
	session := u.Extra.SessionName
	a, hasARN := parseARN(arnText)
	if hasARN {
		if account == "" {
			account = a.account
		}
		out.Set(FieldAWSPartition, a.partition)
		if role, sess, ok := assumedRole(a); ok {
			if canonical == "" {
				canonical = "arn:" + a.partition + ":iam::" + a.account + ":role/" + role
			}
			if session == "" {
				session = sess
			}
		} else if canonical == "" && a.service == "iam" {
			canonical = arnText
		}
	}
	if account == "" && arnText == "" && canonical == "" {
		return
	}
	out.Set(FieldAWSAccountID, account)
	out.Set(FieldAWSPrincipalID, principalID)
	out.Set(FieldAWSARN, arnText)
	out.Set(FieldAWSCanonicalARN, canonical)
	if c, ok := parseARN(canonical); ok {
		if !hasARN {
			out.Set(FieldAWSPartition, c.partition)
		}
		typ, role := principalType(c, kind)
		out.Set(FieldAWSPrincipalType, typ)
		out.Set(FieldAWSRoleName, role)
	} else if hasARN {
		typ, role := principalType(a, kind)
		out.Set(FieldAWSPrincipalType, typ)
		out.Set(FieldAWSRoleName, role)
	}
	out.Set(FieldAWSSessionName, session)
	if instanceID().MatchString(session) {
		out.Set(FieldAWSEC2InstanceID, session)
	}
	if key := u.Extra.AccessKeyID; key != "" {
		out.Set(FieldAWSAccessKeyID, key)
		switch {
		case strings.HasPrefix(key, "AKIA"):
			out.Set(FieldAWSAccessKeyType, "long_term")
		case strings.HasPrefix(key, "ASIA"):
			out.Set(FieldAWSAccessKeyType, "temporary")
		default:
			out.Set(FieldAWSAccessKeyType, "other")
		}
	}
}

// assumedRole splits arn:aws:sts::<account>:assumed-role/<role>/<session>.
func assumedRole(a arn) (role, session string, ok bool) {
	rest, found := strings.CutPrefix(a.resource, "assumed-role/")
	if a.service != "sts" || !found {
		return "", "", false
	}
	role, session, _ = strings.Cut(rest, "/")
	return role, session, role != ""
}

// principalType classifies an IAM ARN and returns the role name of roles.
func principalType(a arn, kind string) (typ, role string) {
	res := a.resource
	switch {
	case res == "root":
		return "root", ""
	case strings.HasPrefix(res, "user/"):
		return "iam_user", ""
	case strings.HasPrefix(res, "federated-user/"):
		return "federated_user", ""
	case strings.HasPrefix(res, "assumed-role/"):
		r, _, _ := assumedRole(a)
		return roleType(r, "", kind), r
	case strings.HasPrefix(res, "role/"):
		path := strings.TrimPrefix(res, "role/")
		name := path[strings.LastIndexByte(path, '/')+1:]
		return roleType(name, path, kind), name
	}
	return "other", ""
}

func roleType(name, path, kind string) string {
	switch {
	case strings.HasPrefix(path, "aws-service-role/") || strings.HasPrefix(name, "AWSServiceRoleFor"):
		return "service_linked_role"
	case strings.HasPrefix(name, "AWSReservedSSO_"):
		return "sso_role"
	case kind == "node" || strings.Contains(name, "NodeInstanceRole") || strings.Contains(strings.ToLower(name), "nodegroup"):
		return "node_role"
	}
	return "iam_role"
}

// listedAdmin reports whether the system names lookup lists the user as
// privileged: Falco's full_admin_k8s_users, OpenShift's system:admin and
// kube:admin, and the rows a user adds.
func (e *Enricher) listedAdmin(name string) bool {
	n := systemName(e.tables.SystemUsers, name)
	return n != nil && n.Privileged
}
