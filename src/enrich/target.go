package enrich

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kubelens/kubelens/src/audit"
)

func deriveTarget(e *Enricher, ev *event, out *Output) {
	resource, sub := ev.resource(), ev.subresource()
	if resource != "" {
		full := resource
		if sub != "" {
			full += "/" + sub
		}
		out.Set(FieldK8sResource, full)
		out.Set(FieldK8sNamespace, ev.namespace())
		out.Set(FieldK8sObject, ev.objectName())
		out.Set(FieldK8sAPIGroup, ev.ObjectRef.APIGroup)
		out.Set(FieldK8sNamespaceClass, e.namespaceClass(ev.namespace()))
	}
	action := actionOf(ev.Verb, resource, sub)
	out.Set(FieldK8sAction, action)
	deriveExec(ev, out)
	derivePodSpec(e, ev, out)
	deriveRequestObject(ev, out)
	if ev.Verb != "" {
		out.Set(FieldK8sResourceSensitivity, sensitivity(e, ev, action, out))
	}
}

// sessionSubresources open an interactive channel into a pod or node.
var sessionSubresources = map[string]bool{"exec": true, "attach": true, "portforward": true, "proxy": true}

// actionOf maps a verb on a resource to what it does.
func actionOf(verb, resource, sub string) string {
	if verb == "" {
		return ""
	}
	switch {
	case sessionSubresources[sub]:
		return "exec"
	case verb == "create" && (resource == "serviceaccounts" && sub == "token" || resource == "tokenreviews" || resource == "certificatesigningrequests" || resource == "tokenrequests"):
		return "token"
	case verb == "create" && (resource == "selfsubjectaccessreviews" || resource == "selfsubjectrulesreviews" || resource == "subjectaccessreviews" || resource == "localsubjectaccessreviews"):
		return "authz_probe"
	}
	switch verb {
	case "get", "list", "watch", "head", "options":
		return "read"
	case "create", "update", "patch", "post", "put":
		return "write"
	case "delete", "deletecollection":
		return "delete"
	}
	return "other"
}

// namespaceClass is default for the namespace Kubernetes creates for
// users, the class the system names lookup gives the platforms' own
// namespaces, and user for the rest.
func (e *Enricher) namespaceClass(ns string) string {
	switch {
	case ns == "":
		return ""
	case ns == "default":
		return "default"
	}
	if n := systemName(e.tables.SystemNamespaces, ns); n != nil {
		return n.Class
	}
	return "user"
}

var sensitivityRank = map[string]int{"low": 0, "medium": 1, "high": 2, "critical": 3}

// credentialWords are Falco's contains_private_credentials strings.
var credentialWords = []string{"aws_access_key_id", "aws-access-key-id", "aws_s3_access_key_id", "aws-s3-access-key-id", "password", "passphrase"}

// sensitivity is the first matching row of the sensitive resources lookup,
// raised for what a row cannot see: exposed services, credentials in config
// maps, hostPath volumes. Unmatched requests are low.
func sensitivity(e *Enricher, ev *event, action string, out *Output) string {
	level := "low"
	res, sub, ns, name := ev.resource(), ev.subresource(), ev.namespace(), ev.objectName()
	for i := range e.tables.Sensitivity {
		if r := &e.tables.Sensitivity[i]; r.matches(res, sub, action, ns, name) {
			level = r.Sensitivity
			break
		}
	}
	raise := func(to string) {
		if sensitivityRank[to] > sensitivityRank[level] {
			level = to
		}
	}
	if action == "write" {
		switch t := out.First(FieldK8sServiceType); {
		case res == "services" && (t == "NodePort" || t == "LoadBalancer"):
			raise("high")
		case res == "configmaps" && containsAny(string(ev.RequestObject), credentialWords):
			raise("high")
		case out.First(FieldK8sPodHostPath) != "":
			raise("high")
		}
	}
	return level
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// execShells are shells by base name; execTools are tools named anywhere
// in a command word. String tests, not a regular expression: a command
// can be megabytes long, and an unanchored alternation costs hundreds of
// nanoseconds a byte.
var (
	execShells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "busybox": true,
		"cmd": true, "powershell": true, "pwsh": true} // Windows containers
	execTools = []string{"curl", "wget", "python", "perl", "kubectl"}
)

// isShellOrTool reports whether a command word runs a shell or a tool
// that fetches or runs code.
func isShellOrTool(word string) bool {
	base := word[max(strings.LastIndexByte(word, '/'), strings.LastIndexByte(word, '\\'))+1:]
	if n := len(base); n > 4 && strings.EqualFold(base[n-4:], ".exe") {
		base = strings.ToLower(base[:n-4])
	}
	return execShells[base] || containsAny(word, execTools)
}

// uniqueList is a list of distinct values in the order first seen. It
// looks values up in a map once it is long: a pod spec may list a
// hundred thousand capabilities, and a linear search for each would be
// quadratic.
type uniqueList struct {
	list []string
	seen map[string]struct{}
}

func (u *uniqueList) add(v string) {
	if u.seen == nil && len(u.list) < 16 {
		if !slices.Contains(u.list, v) {
			u.list = append(u.list, v)
		}
		return
	}
	if u.seen == nil {
		u.seen = make(map[string]struct{}, 2*len(u.list))
		for _, x := range u.list {
			u.seen[x] = struct{}{}
		}
	}
	if _, ok := u.seen[v]; !ok {
		u.seen[v] = struct{}{}
		u.list = append(u.list, v)
	}
}

// deriveExec reads the query of an exec or attach request:
// ?command=sh&command=-c&command=...&container=c&stdin=true&tty=true.
func deriveExec(ev *event, out *Output) {
	sub := ev.subresource()
	if ev.resource() != "pods" || (sub != "exec" && sub != "attach") {
		return
	}
	_, query, _ := strings.Cut(ev.RequestURI, "?")
	q := queryValues(query, "command", "container", "tty", "stdin")
	if sub == "exec" {
		cmd := q["command"]
		if len(cmd) > 0 {
			out.Set(FieldK8sExecCommand, strings.Join(cmd, " "))
			out.SetBool(FieldK8sExecShell, slices.ContainsFunc(cmd, isShellOrTool))
		}
	}
	out.Set(FieldK8sExecContainer, q.Get("container"))
	out.SetBool(FieldK8sExecTTY, q.Get("tty") == "true" || q.Get("tty") == "1" || q.Get("stdin") == "true" || q.Get("stdin") == "1")
}

// queryValues returns the values of the named keys in a URL query, in
// order. Unlike url.ParseQuery it has no limit on the number of
// parameters (Go's is 10,000), which a command of many words would pass
// and lose every value; a pair it cannot unescape is skipped.
func queryValues(query string, keys ...string) url.Values {
	q := url.Values{}
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil || !slices.Contains(keys, k) {
			continue
		}
		if v, err = url.QueryUnescape(v); err == nil {
			q[k] = append(q[k], v)
		}
	}
	return q
}

// sensitiveMounts are Falco's sensitive_vol_mount host paths.
var sensitiveMounts = map[string]bool{
	"/proc": true, "/var/run/docker.sock": true, "/": true, "/etc": true, "/root": true,
	"/var/run/crio/crio.sock": true, "/run/containerd/containerd.sock": true, "/home/admin": true,
	"/var/lib/kubelet": true, "/var/lib/kubelet/pki": true, "/etc/kubernetes": true, "/etc/kubernetes/manifests": true,
}

// podSpec finds the pod spec of a write (create, update, patch) on pods,
// workloads or cron jobs, including ephemeral containers added through the
// pods/ephemeralcontainers subresource.
func podSpec(ev *event) (*audit.PodSpec, string) {
	switch ev.Verb {
	case "create", "update", "patch":
	default:
		return nil, ""
	}
	ro := ev.request()
	if ro == nil {
		if ev.Verb == "patch" {
			return ev.requests.PodSpecFromJSONPatch(ev.RequestObject, ev.resource()), ""
		}
		return nil, ""
	}
	spec, schedule := ro.PodSpecOf(ev.resource())
	if ev.resource() == "pods" && ev.subresource() == "ephemeralcontainers" && spec == nil && len(ro.EphemeralContainers) > 0 {
		spec = &audit.PodSpec{EphemeralContainers: ro.EphemeralContainers}
	}
	return spec, schedule
}

func derivePodSpec(e *Enricher, ev *event, out *Output) {
	spec, schedule := podSpec(ev)
	out.Set(FieldK8sCronSchedule, schedule)
	lastApplied := ev.Request.LastApplied
	if spec == nil {
		// Only kubectl's last-applied-configuration annotation, as the
		// security content SPL reads it.
		if strings.Contains(lastApplied, `"privileged":true`) {
			out.SetBool(FieldK8sPodPrivileged, true)
			ev.pod.privileged = true
		}
		if strings.Contains(lastApplied, `"hostNetwork":true`) {
			out.SetBool(FieldK8sPodHostNetwork, true)
			ev.pod.hostNetwork = true
		}
		return
	}
	containers := spec.AllContainers()
	privileged, runAsRoot, explicitRoot, dangerous := false, false, false, false
	var images, hostPaths []string
	var caps, registries uniqueList
	podRunAsUser, podNonRoot := (*int64)(nil), false
	if sc := spec.SecurityContext; sc != nil {
		podRunAsUser = sc.RunAsUser
		podNonRoot = sc.RunAsNonRoot != nil && *sc.RunAsNonRoot
	}
	for _, c := range containers {
		sc := c.SecurityContext
		runAsUser, nonRoot, escalation := podRunAsUser, podNonRoot, true
		if sc != nil {
			if sc.Privileged != nil && *sc.Privileged {
				privileged = true
			}
			if sc.Capabilities != nil {
				for _, cp := range sc.Capabilities.Add {
					caps.add(cp)
					dangerous = dangerous || isDangerousCapability(cp)
				}
			}
			if sc.RunAsUser != nil {
				runAsUser = sc.RunAsUser
			}
			if sc.RunAsNonRoot != nil {
				nonRoot = *sc.RunAsNonRoot
			}
			if sc.AllowPrivilegeEscalation != nil {
				escalation = *sc.AllowPrivilegeEscalation
			}
		}
		if (runAsUser != nil && *runAsUser == 0) || (runAsUser == nil && !nonRoot && escalation) {
			runAsRoot = true
		}
		explicitRoot = explicitRoot || runAsUser != nil && *runAsUser == 0
		if c.Image != "" {
			images = append(images, c.Image)
			registries.add(imageRegistry(c.Image))
		}
	}
	if !privileged && strings.Contains(lastApplied, `"privileged":true`) {
		privileged = true
	}
	sensitive, other := false, false
	for _, v := range spec.Volumes {
		if v.HostPath != nil && v.HostPath.Path != "" {
			hostPaths = append(hostPaths, v.HostPath.Path)
			if sensitiveMounts[cleanPath(v.HostPath.Path)] {
				sensitive = true
			} else {
				other = true
			}
		}
	}
	// A pod spec with no container still counts when explicitRoot is
	// on the pod: a patch may set only the pod's securityContext.
	if sc := spec.SecurityContext; len(containers) == 0 && sc != nil && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		explicitRoot = true
	}
	ev.pod = podFacts{
		spec: true, privileged: privileged, dangerousCaps: dangerous,
		hostNetwork: spec.HostNetwork, hostPID: spec.HostPID, hostIPC: spec.HostIPC,
		sensitiveMount: sensitive, otherHostPath: other, explicitRoot: explicitRoot, images: images,
	}
	out.SetBool(FieldK8sPodPrivileged, privileged)
	out.SetBool(FieldK8sPodHostNetwork, spec.HostNetwork)
	out.SetBool(FieldK8sPodHostPID, spec.HostPID)
	out.SetBool(FieldK8sPodHostIPC, spec.HostIPC)
	out.SetMulti(FieldK8sPodHostPath, hostPaths)
	out.SetBool(FieldK8sPodSensitiveMount, sensitive)
	out.SetMulti(FieldK8sPodCapsAdded, caps.list)
	// A patch carries only the containers' changed members: whether they
	// run as root is not in it.
	if len(containers) > 0 && ev.Verb != "patch" {
		out.SetBool(FieldK8sPodRunAsRoot, runAsRoot)
	}
	out.SetMulti(FieldK8sImages, images)
	out.SetMulti(FieldK8sImageRegistry, registries.list)
}

func cleanPath(p string) string {
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

// imageRegistry returns the registry host of an image reference; Docker
// Hub when the first path element is not a host.
func imageRegistry(image string) string {
	first, _, hasSlash := strings.Cut(image, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

// imageRepository strips the tag and digest: Falco's allow-lists compare
// repositories.
func imageRepository(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	return image
}

// pullingImage is compiled on first use, as instanceID is.
var pullingImage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^Pulling image "(.+)"`) })

// deriveRequestObject reads services, RBAC objects and kubelet events.
func deriveRequestObject(ev *event, out *Output) {
	res := ev.resource()
	if res == "services" && ev.Request.SpecType != "" {
		out.Set(FieldK8sServiceType, ev.Request.SpecType)
	}
	if msg := ev.Request.Message; res == "events" && msg != "" {
		if m := pullingImage().FindStringSubmatch(msg); m != nil {
			out.Set(FieldK8sPulledImage, m[1])
		}
	}
	ro := ev.request()
	if ro == nil {
		return
	}
	switch res {
	case "services":
		if s := ro.ServiceSpecOf(); s != nil {
			if ev.Request.SpecType == "" && ev.Verb == "create" {
				out.Set(FieldK8sServiceType, "ClusterIP") // the API's default
			}
			var ports []string
			for _, p := range s.Ports {
				v := strconv.Itoa(p.Port)
				if p.NodePort != 0 {
					v += ":" + strconv.Itoa(p.NodePort)
				}
				ports = append(ports, v)
			}
			out.SetMulti(FieldK8sServicePorts, ports)
		}
	case "rolebindings", "clusterrolebindings":
		if ro.RoleRef != nil {
			out.Set(FieldK8sRBACRoleRef, ro.RoleRef.Name)
			out.SetBool(FieldK8sRBACBindsClusterAdmin, ro.RoleRef.Name == "cluster-admin")
		}
		var subjects []string
		for _, s := range ro.Subjects {
			v := s.Kind + ":" + s.Name
			if s.Namespace != "" {
				v = s.Kind + ":" + s.Namespace + "/" + s.Name
			}
			subjects = append(subjects, v)
		}
		out.SetMulti(FieldK8sRBACSubjects, subjects)
	case "roles", "clusterroles":
		if len(ro.Rules) > 0 {
			wildcard, exec := false, false
			for _, r := range ro.Rules {
				if slices.Contains(r.Resources, "*") || slices.Contains(r.Verbs, "*") {
					wildcard = true
				}
				if slices.Contains(r.Resources, "pods/exec") {
					exec = true
				}
			}
			out.SetBool(FieldK8sRBACWildcard, wildcard)
			out.SetBool(FieldK8sRBACAllowsExec, exec)
		}
	}
}
