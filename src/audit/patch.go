package audit

import (
	"encoding/json"
	"strings"
)

// patchOp is one operation of a JSON patch (RFC 6902).
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// podSpecPaths are the JSON pointers of the pod spec inside each resource
// whose writes carry one.
var podSpecPaths = map[string]string{
	"pods":                   "/spec",
	"deployments":            "/spec/template/spec",
	"daemonsets":             "/spec/template/spec",
	"statefulsets":           "/spec/template/spec",
	"replicasets":            "/spec/template/spec",
	"jobs":                   "/spec/template/spec",
	"replicationcontrollers": "/spec/template/spec",
	"cronjobs":               "/spec/jobTemplate/spec/template/spec",
}

// PodSpecFromJSONPatch gathers what a JSON patch (kubectl patch
// --type=json, an array of RFC 6902 operations) adds to the pod spec of a
// resource, as a pod spec holding only those parts: each container a
// patch touches is a container of its own, with only the members the
// patch sets. Operations other than add and replace, and paths outside the
// pod spec, are ignored. It returns nil when the body is not a JSON patch
// or sets nothing of the pod spec.
func PodSpecFromJSONPatch(raw []byte, resource string) *PodSpec {
	root, ok := podSpecPaths[resource]
	if !ok || len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	var ops []patchOp
	if json.Unmarshal(raw, &ops) != nil {
		return nil
	}
	var spec PodSpec
	found := false
	for _, op := range ops {
		if op.Op != "add" && op.Op != "replace" {
			continue
		}
		rest, ok := strings.CutPrefix(op.Path, root)
		if !ok || (rest != "" && rest[0] != '/') {
			continue
		}
		if applyPodSpecOp(&spec, splitPointer(rest), op.Value) {
			found = true
		}
	}
	if !found {
		return nil
	}
	return &spec
}

// splitPointer splits a JSON pointer below the pod spec ("/containers/0/
// securityContext") into its unescaped tokens.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		if strings.Contains(s, "~") {
			parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
		}
	}
	return parts
}

// applyPodSpecOp merges one operation's value, set at path below the pod
// spec, into spec. It reports whether the value was understood.
func applyPodSpecOp(spec *PodSpec, path []string, value json.RawMessage) bool {
	if len(path) == 0 {
		var whole PodSpec
		if json.Unmarshal(value, &whole) != nil {
			return false
		}
		mergePodSpec(spec, &whole)
		return true
	}
	switch path[0] {
	case "hostNetwork", "hostPID", "hostIPC":
		var b bool
		if len(path) != 1 || json.Unmarshal(value, &b) != nil {
			return false
		}
		switch path[0] {
		case "hostNetwork":
			spec.HostNetwork = spec.HostNetwork || b
		case "hostPID":
			spec.HostPID = spec.HostPID || b
		default:
			spec.HostIPC = spec.HostIPC || b
		}
		return true
	case "securityContext":
		var sc PodSecurityContext
		if !unmarshalAt(path[1:], value, &sc) {
			return false
		}
		if spec.SecurityContext == nil {
			spec.SecurityContext = &sc
		} else if sc.RunAsUser != nil {
			spec.SecurityContext.RunAsUser = sc.RunAsUser
		}
		return true
	case "volumes":
		return appendAt(path[1:], value, &spec.Volumes)
	case "containers":
		return appendAt(path[1:], value, &spec.Containers)
	case "initContainers":
		return appendAt(path[1:], value, &spec.InitContainers)
	case "ephemeralContainers":
		return appendAt(path[1:], value, &spec.EphemeralContainers)
	}
	return false
}

// appendAt handles a path into a list of T (containers, volumes): the
// whole list, one element (an index or "-"), or a member of one element,
// which becomes an element holding only that member.
func appendAt[T any](path []string, value json.RawMessage, list *[]T) bool {
	if len(path) == 0 {
		var all []T
		if json.Unmarshal(value, &all) != nil {
			return false
		}
		*list = append(*list, all...)
		return true
	}
	if !isIndex(path[0]) {
		return false
	}
	var one T
	if !unmarshalAt(path[1:], value, &one) {
		return false
	}
	*list = append(*list, one)
	return true
}

func isIndex(s string) bool {
	if s == "-" {
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unmarshalAt decodes value as the member at path of a T, by wrapping it
// in the objects the path names: {"securityContext":{"privileged":true}}
// for path securityContext/privileged. Array indexes inside the path
// (capabilities/add/0) become a one-element array.
func unmarshalAt(path []string, value json.RawMessage, out any) bool {
	if len(value) == 0 {
		return false
	}
	doc := []byte(value)
	for i := len(path) - 1; i >= 0; i-- {
		if isIndex(path[i]) {
			doc = append(append([]byte{'['}, doc...), ']')
			continue
		}
		key, err := json.Marshal(path[i])
		if err != nil {
			return false
		}
		wrapped := append([]byte{'{'}, key...)
		wrapped = append(wrapped, ':')
		wrapped = append(wrapped, doc...)
		doc = append(wrapped, '}')
	}
	return json.Unmarshal(doc, out) == nil
}

func mergePodSpec(dst, src *PodSpec) {
	dst.HostNetwork = dst.HostNetwork || src.HostNetwork
	dst.HostPID = dst.HostPID || src.HostPID
	dst.HostIPC = dst.HostIPC || src.HostIPC
	dst.Volumes = append(dst.Volumes, src.Volumes...)
	dst.Containers = append(dst.Containers, src.Containers...)
	dst.InitContainers = append(dst.InitContainers, src.InitContainers...)
	dst.EphemeralContainers = append(dst.EphemeralContainers, src.EphemeralContainers...)
	if src.SecurityContext != nil {
		dst.SecurityContext = src.SecurityContext
	}
}
