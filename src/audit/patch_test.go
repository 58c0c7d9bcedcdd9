package audit_test

import (
	"testing"

	"github.com/kubelens/kubelens/src/audit"
)

// TestPodSpecFromJSONPatch covers each place a JSON patch can set what the
// pod findings read, and what it ignores.
func TestPodSpecFromJSONPatch(t *testing.T) {
	priv := func(s *audit.PodSpec) bool {
		for _, c := range s.AllContainers() {
			if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
				return true
			}
		}
		return false
	}
	cases := []struct {
		name, resource, body string
		check                func(*audit.PodSpec) bool
	}{
		{"privileged flag in a deployment", "deployments", `[{"op":"add","path":"/spec/template/spec/containers/0/securityContext/privileged","value":true}]`, priv},
		{"replace is add", "daemonsets", `[{"op":"replace","path":"/spec/template/spec/containers/2/securityContext","value":{"privileged":true}}]`, priv},
		{"whole container appended to a pod", "pods", `[{"op":"add","path":"/spec/containers/-","value":{"name":"x","image":"alpine","securityContext":{"privileged":true}}}]`,
			func(s *audit.PodSpec) bool { return priv(s) && s.Containers[0].Image == "alpine" }},
		{"ephemeral containers list", "pods", `[{"op":"add","path":"/spec/ephemeralContainers","value":[{"name":"d","image":"busybox"}]}]`,
			func(s *audit.PodSpec) bool { return len(s.EphemeralContainers) == 1 }},
		{"capability by index", "cronjobs", `[{"op":"add","path":"/spec/jobTemplate/spec/template/spec/containers/0/securityContext/capabilities/add/0","value":"SYS_ADMIN"}]`,
			func(s *audit.PodSpec) bool {
				c := s.Containers[0].SecurityContext
				return c != nil && c.Capabilities != nil && c.Capabilities.Add[0] == "SYS_ADMIN"
			}},
		{"hostPID", "statefulsets", `[{"op":"add","path":"/spec/template/spec/hostPID","value":true}]`, func(s *audit.PodSpec) bool { return s.HostPID }},
		{"host path of a volume", "jobs", `[{"op":"add","path":"/spec/template/spec/volumes/0/hostPath/path","value":"/"}]`,
			func(s *audit.PodSpec) bool { return s.Volumes[0].HostPath != nil && s.Volumes[0].HostPath.Path == "/" }},
		{"pod runAsUser", "replicasets", `[{"op":"add","path":"/spec/template/spec/securityContext/runAsUser","value":0}]`,
			func(s *audit.PodSpec) bool { return s.SecurityContext != nil && *s.SecurityContext.RunAsUser == 0 }},
		{"whole pod spec", "deployments", `[{"op":"replace","path":"/spec/template/spec","value":{"hostNetwork":true,"containers":[{"name":"a"}]}}]`,
			func(s *audit.PodSpec) bool { return s.HostNetwork && len(s.Containers) == 1 }},
		{"a value above the pod spec", "deployments", `[{"op":"replace","path":"/spec/template","value":{"metadata":{},"spec":{"hostPID":true,"containers":[{"securityContext":{"privileged":true}}]}}}]`,
			func(s *audit.PodSpec) bool { return priv(s) && s.HostPID }},
		{"the whole spec of a daemon set", "daemonsets", `[{"op":"replace","path":"/spec","value":{"template":{"spec":{"containers":[{"securityContext":{"privileged":true}}]}}}}]`, priv},
		{"the whole pod", "pods", `[{"op":"replace","path":"","value":{"kind":"Pod","spec":{"hostNetwork":true}}}]`, func(s *audit.PodSpec) bool { return s.HostNetwork }},
		{"a cron job's job template", "cronjobs", `[{"op":"add","path":"/spec/jobTemplate","value":{"spec":{"template":{"spec":{"hostIPC":true}}}}}]`, func(s *audit.PodSpec) bool { return s.HostIPC }},
		{"escaped key", "pods", `[{"op":"add","path":"/spec/hostIPC","value":true},{"op":"add","path":"/metadata/annotations/a~1b","value":"x"}]`, func(s *audit.PodSpec) bool { return s.HostIPC }},
	}
	for _, tc := range cases {
		s := new(audit.RequestDecoder).PodSpecFromJSONPatch([]byte(tc.body), tc.resource)
		if s == nil || !tc.check(s) {
			t.Errorf("%s: got %+v", tc.name, s)
		}
	}
	for _, tc := range []struct{ name, resource, body string }{
		{"remove", "deployments", `[{"op":"remove","path":"/spec/template/spec/hostPID"}]`},
		{"outside the pod spec", "deployments", `[{"op":"add","path":"/spec/replicas","value":3}]`},
		{"a value above the pod spec without one", "deployments", `[{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{}}}}]`},
		{"a sibling of the pod spec's parents", "deployments", `[{"op":"replace","path":"/spec/selector","value":{"spec":{"hostPID":true}}}]`},
		{"a prefix that is not the path", "pods", `[{"op":"add","path":"/specX/hostPID","value":true}]`},
		{"not a JSON patch", "pods", `{"spec":{"hostPID":true}}`},
		{"a resource without a pod spec", "services", `[{"op":"add","path":"/spec/type","value":"NodePort"}]`},
		{"a wrongly typed value", "pods", `[{"op":"add","path":"/spec/hostPID","value":"yes"}]`},
		{"broken JSON", "pods", `[{"op":"add"`},
		{"empty", "pods", ``},
	} {
		if s := new(audit.RequestDecoder).PodSpecFromJSONPatch([]byte(tc.body), tc.resource); s != nil {
			t.Errorf("%s: got %+v, want nil", tc.name, s)
		}
	}
}

// FuzzPodSpecFromJSONPatch verifies no request body makes it panic.
func FuzzPodSpecFromJSONPatch(f *testing.F) {
	f.Add(`[{"op":"add","path":"/spec/template/spec/containers/0/securityContext/privileged","value":true}]`, "deployments")
	f.Add(`[{"op":"add","path":"/spec/containers/-/securityContext/capabilities/add/-","value":"ALL"}]`, "pods")
	f.Add(`[{"op":"add","path":"/spec/volumes/~0~1","value":{}}]`, "pods")
	f.Add(`[{"op":"replace","path":"/spec/jobTemplate/spec/template/spec","value":null}]`, "cronjobs")
	f.Fuzz(func(t *testing.T, body, resource string) {
		new(audit.RequestDecoder).PodSpecFromJSONPatch([]byte(body), resource)
	})
}
