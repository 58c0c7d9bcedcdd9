package audit

import (
	"encoding/json"
)

// RequestObject is the part of a request body kubelens reads: pod specs
// (directly or in a workload template), services, RBAC objects, events and
// config maps.
type RequestObject struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec                json.RawMessage `json:"spec"`
	RoleRef             *RoleRef        `json:"roleRef"`
	Subjects            []Subject       `json:"subjects"`
	Rules               []PolicyRule    `json:"rules"`
	Message             string          `json:"message"`
	EphemeralContainers []Container     `json:"ephemeralContainers"`
}

// RoleRef is a (Cluster)RoleBinding's role.
type RoleRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Subject is a (Cluster)RoleBinding's subject.
type Subject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// PolicyRule is one rule of a (Cluster)Role.
type PolicyRule struct {
	APIGroups []string `json:"apiGroups"`
	Resources []string `json:"resources"`
	Verbs     []string `json:"verbs"`
}

// PodSpec is the part of a pod spec that carries risk.
type PodSpec struct {
	HostNetwork         bool                `json:"hostNetwork"`
	HostPID             bool                `json:"hostPID"`
	HostIPC             bool                `json:"hostIPC"`
	Volumes             []Volume            `json:"volumes"`
	Containers          []Container         `json:"containers"`
	InitContainers      []Container         `json:"initContainers"`
	EphemeralContainers []Container         `json:"ephemeralContainers"`
	SecurityContext     *PodSecurityContext `json:"securityContext"`
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
	Name     string `json:"name"`
	HostPath *struct {
		Path string `json:"path"`
	} `json:"hostPath"`
}

// Container is a (init, ephemeral) container.
type Container struct {
	Name            string           `json:"name"`
	Image           string           `json:"image"`
	SecurityContext *SecurityContext `json:"securityContext"`
}

// SecurityContext is a container's security context.
type SecurityContext struct {
	Privileged               *bool  `json:"privileged"`
	AllowPrivilegeEscalation *bool  `json:"allowPrivilegeEscalation"`
	RunAsUser                *int64 `json:"runAsUser"`
	RunAsNonRoot             *bool  `json:"runAsNonRoot"`
	Capabilities             *struct {
		Add []string `json:"add"`
	} `json:"capabilities"`
}

// PodSecurityContext is a pod's security context.
type PodSecurityContext struct {
	RunAsUser    *int64 `json:"runAsUser"`
	RunAsNonRoot *bool  `json:"runAsNonRoot"`
}

// ServiceSpec is a service's type and ports.
type ServiceSpec struct {
	Type  string `json:"type"`
	Ports []struct {
		Port     int `json:"port"`
		NodePort int `json:"nodePort"`
	} `json:"ports"`
}

// workloadSpec finds the pod template of workloads and cron jobs.
type workloadSpec struct {
	Schedule string `json:"schedule"`
	Template *struct {
		Spec *PodSpec `json:"spec"`
	} `json:"template"`
	JobTemplate *struct {
		Spec *struct {
			Template *struct {
				Spec *PodSpec `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	} `json:"jobTemplate"`
	TLS json.RawMessage `json:"tls"`
}

// DecodeRequestObject decodes an event's request object; ok is false when
// there is none or it is not a JSON object.
func DecodeRequestObject(raw []byte) (*RequestObject, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var o RequestObject
	if json.Unmarshal(raw, &o) != nil {
		return nil, false
	}
	return &o, true
}

// PodSpecOf returns the pod spec in a request object of the given
// resource: a pod's own spec, a workload's spec.template.spec, or a cron
// job's spec.jobTemplate.spec.template.spec. The schedule is a cron job's.
func (o *RequestObject) PodSpecOf(resource string) (spec *PodSpec, schedule string) {
	if len(o.Spec) == 0 {
		return nil, ""
	}
	switch resource {
	case "pods":
		var p PodSpec
		if json.Unmarshal(o.Spec, &p) != nil {
			return nil, ""
		}
		return &p, ""
	case "deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "replicationcontrollers", "cronjobs":
		var w workloadSpec
		if json.Unmarshal(o.Spec, &w) != nil {
			return nil, ""
		}
		if w.Template != nil && w.Template.Spec != nil {
			return w.Template.Spec, w.Schedule
		}
		if j := w.JobTemplate; j != nil && j.Spec != nil && j.Spec.Template != nil && j.Spec.Template.Spec != nil {
			return j.Spec.Template.Spec, w.Schedule
		}
		return nil, w.Schedule
	}
	return nil, ""
}

// ServiceSpecOf returns a service's spec.
func (o *RequestObject) ServiceSpecOf() *ServiceSpec {
	var s ServiceSpec
	if len(o.Spec) == 0 || json.Unmarshal(o.Spec, &s) != nil {
		return nil
	}
	return &s
}

// HasTLS reports whether an ingress spec declares tls; ok is false without
// a spec.
func (o *RequestObject) HasTLS() (tls, ok bool) {
	var w workloadSpec
	if len(o.Spec) == 0 || json.Unmarshal(o.Spec, &w) != nil {
		return false, false
	}
	return len(w.TLS) > 0 && string(w.TLS) != "null" && string(w.TLS) != "[]", true
}
