package audit

import (
	"strings"

	"github.com/valyala/fastjson"
)

// RequestObject is the part of a request body kubelens reads: pod specs
// (directly or in a workload template), services, RBAC objects and
// ephemeral containers. RequestDecoder fills it.
type RequestObject struct {
	RoleRef             *RoleRef
	Subjects            []Subject
	Rules               []PolicyRule
	EphemeralContainers []Container

	hasSpec bool // spec is an object
	// The spec read as each resource's kind of spec; PodSpecOf,
	// ServiceSpecOf and HasTLS pick one.
	podSpec      *PodSpec    // spec (pods)
	templateSpec *PodSpec    // spec.template.spec (workloads)
	jobSpec      *PodSpec    // spec.jobTemplate.spec.template.spec (cron jobs)
	schedule     string      // spec.schedule (cron jobs)
	service      ServiceSpec // spec (services)
	tls          bool        // spec.tls is set and not empty (ingresses)
}

// RoleRef is a (Cluster)RoleBinding's role.
type RoleRef struct {
	Kind string
	Name string
}

// Subject is a (Cluster)RoleBinding's subject.
type Subject struct {
	Kind      string
	Name      string
	Namespace string
}

// PolicyRule is one rule of a (Cluster)Role.
type PolicyRule struct {
	APIGroups []string
	Resources []string
	Verbs     []string
}

// PodSpec is the part of a pod spec that carries risk.
type PodSpec struct {
	HostNetwork         bool
	HostPID             bool
	HostIPC             bool
	Volumes             []Volume
	Containers          []Container
	InitContainers      []Container
	EphemeralContainers []Container
	SecurityContext     *PodSecurityContext
}

// AllContainers returns the containers, init containers and ephemeral
// containers.
func (p *PodSpec) AllContainers() []Container {
	all := make([]Container, 0, len(p.Containers)+len(p.InitContainers)+len(p.EphemeralContainers))
	all = append(all, p.Containers...)
	all = append(all, p.InitContainers...)
	return append(all, p.EphemeralContainers...)
}

// Volume is a pod volume; only hostPath matters here.
type Volume struct {
	Name     string
	HostPath *HostPathVolume
}

// HostPathVolume is a hostPath volume's source.
type HostPathVolume struct {
	Path string
}

// Container is a (init, ephemeral) container.
type Container struct {
	Name            string
	Image           string
	SecurityContext *SecurityContext
}

// SecurityContext is a container's security context.
type SecurityContext struct {
	Privileged               *bool
	AllowPrivilegeEscalation *bool
	RunAsUser                *int64
	RunAsNonRoot             *bool
	Capabilities             *Capabilities
}

// Capabilities are the Linux capabilities a container adds.
type Capabilities struct {
	Add []string
}

// PodSecurityContext is a pod's security context.
type PodSecurityContext struct {
	RunAsUser    *int64
	RunAsNonRoot *bool
}

// ServiceSpec is a service's type and ports.
type ServiceSpec struct {
	Type  string
	Ports []ServicePort
}

// ServicePort is a service's port and, for NodePort and LoadBalancer
// services, its node port.
type ServicePort struct {
	Port     int
	NodePort int
}

// RequestDecoder decodes request objects with fastjson: encoding/json,
// which scans a body four times over (validation, the object, then its
// spec again), took a tenth of kubeenrich's time. The zero value is ready;
// a decoder is not safe for concurrent use.
//
// Members of the wrong JSON type are read as absent rather than failing
// the whole object (as encoding/json would): the API server has already
// decoded what it logs, and one odd member must not hide a privileged
// container beside it. Keys match exactly, as the API server's decoder
// matches them; of a key given twice, the first counts.
type RequestDecoder struct {
	p     fastjson.Parser
	arena fastjson.Arena // JSON patch values wrapped in their paths
}

// Decode decodes an event's request object (Event.RequestObject); ok is
// false when there is none or it is not a JSON object. Its strings are
// copies: they outlive the decoder's next call.
func (d *RequestDecoder) Decode(raw []byte) (*RequestObject, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	v, err := d.p.ParseBytes(raw)
	if err != nil || v.Type() != fastjson.TypeObject {
		return nil, false
	}
	o := &RequestObject{
		RoleRef:             decodeRoleRef(get(v, "roleRef")),
		Subjects:            decodeSubjects(get(v, "subjects")),
		Rules:               decodeRules(get(v, "rules")),
		EphemeralContainers: decodeContainers(get(v, "ephemeralContainers")),
	}
	spec := object(get(v, "spec"))
	if spec == nil {
		return o, true
	}
	o.hasSpec = true
	o.podSpec = decodePodSpec(spec)
	o.templateSpec = decodePodSpec(object(get(spec, "template", "spec")))
	o.jobSpec = decodePodSpec(object(get(spec, "jobTemplate", "spec", "template", "spec")))
	o.schedule = clone(get(spec, "schedule"))
	o.service.Type = clone(get(spec, "type"))
	for _, p := range array(get(spec, "ports")) {
		if p.Type() == fastjson.TypeObject {
			o.service.Ports = append(o.service.Ports, ServicePort{Port: integer(get(p, "port")), NodePort: integer(get(p, "nodePort"))})
		}
	}
	switch tls := get(spec, "tls"); {
	case tls == nil, tls.Type() == fastjson.TypeNull:
	case tls.Type() == fastjson.TypeArray:
		o.tls = len(array(tls)) > 0
	default:
		o.tls = true
	}
	return o, true
}

// PodSpecOf returns the pod spec in a request object of the given
// resource: a pod's own spec, a workload's spec.template.spec, or a cron
// job's spec.jobTemplate.spec.template.spec; nil when it has none. The
// schedule is a cron job's.
func (o *RequestObject) PodSpecOf(resource string) (spec *PodSpec, schedule string) {
	if !o.hasSpec {
		return nil, ""
	}
	switch resource {
	case "pods":
		return o.podSpec, ""
	case "deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "replicationcontrollers", "cronjobs":
		if o.templateSpec != nil {
			return o.templateSpec, o.schedule
		}
		return o.jobSpec, o.schedule
	}
	return nil, ""
}

// ServiceSpecOf returns a service's spec; nil without one.
func (o *RequestObject) ServiceSpecOf() *ServiceSpec {
	if !o.hasSpec {
		return nil
	}
	return &o.service
}

// HasTLS reports whether an ingress spec declares tls; ok is false without
// a spec.
func (o *RequestObject) HasTLS() (tls, ok bool) {
	return o.tls, o.hasSpec
}

func decodePodSpec(v *fastjson.Value) *PodSpec {
	if v == nil {
		return nil
	}
	s := &PodSpec{
		HostNetwork:         isTrue(get(v, "hostNetwork")),
		HostPID:             isTrue(get(v, "hostPID")),
		HostIPC:             isTrue(get(v, "hostIPC")),
		Containers:          decodeContainers(get(v, "containers")),
		InitContainers:      decodeContainers(get(v, "initContainers")),
		EphemeralContainers: decodeContainers(get(v, "ephemeralContainers")),
	}
	for _, vol := range array(get(v, "volumes")) {
		if volume, ok := decodeVolume(vol); ok {
			s.Volumes = append(s.Volumes, volume)
		}
	}
	s.SecurityContext = decodePodSecurityContext(get(v, "securityContext"))
	return s
}

func decodePodSecurityContext(v *fastjson.Value) *PodSecurityContext {
	if object(v) == nil {
		return nil
	}
	return &PodSecurityContext{RunAsUser: optInt64(get(v, "runAsUser")), RunAsNonRoot: optBool(get(v, "runAsNonRoot"))}
}

func decodeVolume(v *fastjson.Value) (Volume, bool) {
	if object(v) == nil {
		return Volume{}, false
	}
	volume := Volume{Name: clone(get(v, "name"))}
	if hp := object(get(v, "hostPath")); hp != nil {
		volume.HostPath = &HostPathVolume{Path: clone(get(hp, "path"))}
	}
	return volume, true
}

func decodeContainers(v *fastjson.Value) []Container {
	var cs []Container
	for _, it := range array(v) {
		if c, ok := decodeContainer(it); ok {
			cs = append(cs, c)
		}
	}
	return cs
}

func decodeContainer(v *fastjson.Value) (Container, bool) {
	if object(v) == nil {
		return Container{}, false
	}
	c := Container{Name: clone(get(v, "name")), Image: clone(get(v, "image"))}
	if sc := object(get(v, "securityContext")); sc != nil {
		c.SecurityContext = &SecurityContext{
			Privileged:               optBool(get(sc, "privileged")),
			AllowPrivilegeEscalation: optBool(get(sc, "allowPrivilegeEscalation")),
			RunAsUser:                optInt64(get(sc, "runAsUser")),
			RunAsNonRoot:             optBool(get(sc, "runAsNonRoot")),
		}
		if caps := object(get(sc, "capabilities")); caps != nil {
			c.SecurityContext.Capabilities = &Capabilities{Add: cloneList(get(caps, "add"))}
		}
	}
	return c, true
}

func decodeRoleRef(v *fastjson.Value) *RoleRef {
	if object(v) == nil {
		return nil
	}
	return &RoleRef{Kind: clone(get(v, "kind")), Name: clone(get(v, "name"))}
}

func decodeSubjects(v *fastjson.Value) []Subject {
	var out []Subject
	for _, s := range array(v) {
		if s.Type() == fastjson.TypeObject {
			out = append(out, Subject{Kind: clone(get(s, "kind")), Name: clone(get(s, "name")), Namespace: clone(get(s, "namespace"))})
		}
	}
	return out
}

func decodeRules(v *fastjson.Value) []PolicyRule {
	var out []PolicyRule
	for _, r := range array(v) {
		if r.Type() == fastjson.TypeObject {
			out = append(out, PolicyRule{APIGroups: cloneList(get(r, "apiGroups")), Resources: cloneList(get(r, "resources")), Verbs: cloneList(get(r, "verbs"))})
		}
	}
	return out
}

// get returns the value at the path keys of objects, nil when there is
// none. Of a key given twice it takes the last, as the API server's
// decoder (Go's encoding/json, sigs.k8s.io/json) does: a request body is
// the client's own text, and a first "privileged":false must not hide a
// second "privileged":true that the API server applied.
func get(v *fastjson.Value, keys ...string) *fastjson.Value {
	for _, k := range keys {
		if object(v) == nil {
			return nil
		}
		o, _ := v.Object()
		var last *fastjson.Value
		o.Visit(func(key []byte, val *fastjson.Value) {
			if string(key) == k {
				last = val
			}
		})
		v = last
	}
	return v
}

// isTrue reports whether v is JSON true.
func isTrue(v *fastjson.Value) bool { return v != nil && v.Type() == fastjson.TypeTrue }

// object returns v when it is a JSON object, else nil.
func object(v *fastjson.Value) *fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeObject {
		return nil
	}
	return v
}

// array returns the items of a JSON array, nil for anything else.
func array(v *fastjson.Value) []*fastjson.Value {
	if v == nil {
		return nil
	}
	items, _ := v.Array()
	return items
}

// clone returns a JSON string as a string of its own, "" for anything
// else.
func clone(v *fastjson.Value) string {
	return strings.Clone(str(v))
}

// cloneList returns the strings of a JSON array (other items skipped).
func cloneList(v *fastjson.Value) []string {
	var out []string
	for _, it := range array(v) {
		if it.Type() == fastjson.TypeString {
			out = append(out, clone(it))
		}
	}
	return out
}

// optBool returns a JSON boolean, nil for anything else.
func optBool(v *fastjson.Value) *bool {
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeTrue:
		b := true
		return &b
	case fastjson.TypeFalse:
		b := false
		return &b
	}
	return nil
}

// optInt64 returns a JSON whole number, nil for anything else.
func optInt64(v *fastjson.Value) *int64 {
	if v == nil || v.Type() != fastjson.TypeNumber {
		return nil
	}
	n, err := v.Int64()
	if err != nil {
		return nil
	}
	return &n
}

// integer returns a JSON whole number that fits an int, 0 for anything
// else.
func integer(v *fastjson.Value) int {
	if v == nil || v.Type() != fastjson.TypeNumber {
		return 0
	}
	n, err := v.Int()
	if err != nil {
		return 0
	}
	return n
}
