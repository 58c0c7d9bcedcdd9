package audit

import (
	"strings"

	"github.com/valyala/fastjson"
)

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
// patch sets. An op on a path above the pod spec (replace /spec/template,
// or the whole object at "") counts with the pod spec inside its value.
// Operations other than add and replace (move and copy take their value
// from the object, which the patch does not hold), and paths beside the
// pod spec, are ignored; values are read as RequestDecoder reads a request
// object. It returns nil when the body is not a JSON patch or sets nothing
// of the pod spec.
func (d *RequestDecoder) PodSpecFromJSONPatch(raw []byte, resource string) *PodSpec {
	root, ok := podSpecPaths[resource]
	if !ok || len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	ops, err := d.p.ParseBytes(raw)
	if err != nil {
		return nil
	}
	d.arena.Reset()
	var spec PodSpec
	found := false
	for _, op := range array(ops) {
		if verb := str(get(op, "op")); verb != "add" && verb != "replace" {
			continue
		}
		path, value := str(get(op, "path")), get(op, "value")
		if value == nil {
			continue
		}
		if above, ok := strings.CutPrefix(root, path); ok && above != "" && above[0] == '/' {
			// The op sets a value holding the pod spec (replace
			// /spec/template, or the whole object at ""): read the spec
			// inside it.
			if d.applyPodSpecOp(&spec, nil, get(value, splitPointer(above)...)) {
				found = true
			}
			continue
		}
		rest, ok := strings.CutPrefix(path, root)
		if !ok || (rest != "" && rest[0] != '/') {
			continue
		}
		if d.applyPodSpecOp(&spec, splitPointer(rest), value) {
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
func (d *RequestDecoder) applyPodSpecOp(spec *PodSpec, path []string, value *fastjson.Value) bool {
	if len(path) == 0 {
		whole := decodePodSpec(object(value))
		if whole == nil {
			return false
		}
		mergePodSpec(spec, whole)
		return true
	}
	switch path[0] {
	case "hostNetwork", "hostPID", "hostIPC":
		b := optBool(value)
		if len(path) != 1 || b == nil {
			return false
		}
		switch path[0] {
		case "hostNetwork":
			spec.HostNetwork = spec.HostNetwork || *b
		case "hostPID":
			spec.HostPID = spec.HostPID || *b
		default:
			spec.HostIPC = spec.HostIPC || *b
		}
		return true
	case "securityContext":
		sc := decodePodSecurityContext(d.wrap(path[1:], value))
		if sc == nil {
			return false
		}
		if spec.SecurityContext == nil {
			spec.SecurityContext = sc
		} else if sc.RunAsUser != nil {
			spec.SecurityContext.RunAsUser = sc.RunAsUser
		}
		return true
	case "volumes":
		return appendAt(d, path[1:], value, &spec.Volumes, decodeVolume)
	case "containers":
		return appendAt(d, path[1:], value, &spec.Containers, decodeContainer)
	case "initContainers":
		return appendAt(d, path[1:], value, &spec.InitContainers, decodeContainer)
	case "ephemeralContainers":
		return appendAt(d, path[1:], value, &spec.EphemeralContainers, decodeContainer)
	}
	return false
}

// appendAt handles a path into a list of T (containers, volumes): the
// whole list, one element (an index or "-"), or a member of one element,
// which becomes an element holding only that member. decode reads one
// element; ok is false when it is not one.
func appendAt[T any](d *RequestDecoder, path []string, value *fastjson.Value, list *[]T, decode func(*fastjson.Value) (T, bool)) bool {
	if len(path) == 0 {
		items, err := value.Array()
		if err != nil {
			return false
		}
		for _, it := range items {
			if one, ok := decode(it); ok {
				*list = append(*list, one)
			}
		}
		return true
	}
	if !isIndex(path[0]) {
		return false
	}
	one, ok := decode(d.wrap(path[1:], value))
	if !ok {
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

// wrap returns value as the member at path of an object, by wrapping it
// in the objects the path names: {"securityContext":{"privileged":true}}
// for path securityContext/privileged. Array indexes inside the path
// (capabilities/add/0) become a one-element array. The values live in the
// decoder's arena until its next patch.
func (d *RequestDecoder) wrap(path []string, value *fastjson.Value) *fastjson.Value {
	for i := len(path) - 1; i >= 0; i-- {
		if isIndex(path[i]) {
			arr := d.arena.NewArray()
			arr.SetArrayItem(0, value)
			value = arr
			continue
		}
		obj := d.arena.NewObject()
		obj.Set(path[i], value)
		value = obj
	}
	return value
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
