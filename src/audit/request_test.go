package audit_test

import (
	"reflect"
	"testing"

	"github.com/kubelens/kubelens/src/audit"
)

// TestRequestDecoder_EachResourceKind reads each kind of spec PodSpecOf,
// ServiceSpecOf and HasTLS pick from one request object.
func TestRequestDecoder_EachResourceKind(t *testing.T) {
	var d audit.RequestDecoder
	cases := []struct {
		name, resource, body string
		image, schedule      string
	}{
		{"pod", "pods", `{"kind":"Pod","spec":{"containers":[{"name":"a","image":"nginx"}]}}`, "nginx", ""},
		{"deployment", "deployments", `{"spec":{"replicas":2,"template":{"metadata":{},"spec":{"containers":[{"image":"redis"}]}}}}`, "redis", ""},
		{"cron job", "cronjobs", `{"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"initContainers":[{"image":"busybox"}]}}}}}}`, "busybox", "*/5 * * * *"},
	}
	for _, tc := range cases {
		ro, ok := d.Decode([]byte(tc.body))
		if !ok {
			t.Fatalf("%s: not decoded", tc.name)
		}
		spec, schedule := ro.PodSpecOf(tc.resource)
		if spec == nil || len(spec.AllContainers()) != 1 || spec.AllContainers()[0].Image != tc.image || schedule != tc.schedule {
			t.Errorf("%s: spec %+v, schedule %q", tc.name, spec, schedule)
		}
		if other, _ := ro.PodSpecOf("configmaps"); other != nil {
			t.Errorf("%s: a config map has no pod spec, got %+v", tc.name, other)
		}
	}
	ro, _ := d.Decode([]byte(`{"spec":{"type":"NodePort","ports":[{"port":443,"nodePort":30443},{"port":80},{"port":"http"},7]}}`))
	if s := ro.ServiceSpecOf(); s == nil || s.Type != "NodePort" || !reflect.DeepEqual(s.Ports, []audit.ServicePort{{443, 30443}, {80, 0}, {0, 0}}) {
		t.Errorf("service spec %+v", s)
	}
	for body, want := range map[string][2]bool{
		`{"spec":{"tls":[{"hosts":["a"]}]}}`: {true, true},
		`{"spec":{"tls":[]}}`:                {false, true},
		`{"spec":{"tls":null}}`:              {false, true},
		`{"spec":{"rules":[]}}`:              {false, true},
		`{"metadata":{}}`:                    {false, false},
		`{"spec":"x"}`:                       {false, false},
	} {
		ro, _ := d.Decode([]byte(body))
		if tls, ok := ro.HasTLS(); tls != want[0] || ok != want[1] {
			t.Errorf("%s: HasTLS %v %v, want %v", body, tls, ok, want)
		}
	}
	ro, _ = d.Decode([]byte(`{"roleRef":{"kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"User","name":"bob"},1,{"kind":"ServiceAccount","name":"x","namespace":"ns"}],"rules":[{"resources":["pods/exec","*"],"verbs":["create",5]}]}`))
	if ro.RoleRef == nil || ro.RoleRef.Name != "cluster-admin" || len(ro.Subjects) != 2 || ro.Subjects[1].Namespace != "ns" ||
		len(ro.Rules) != 1 || !reflect.DeepEqual(ro.Rules[0].Resources, []string{"pods/exec", "*"}) || !reflect.DeepEqual(ro.Rules[0].Verbs, []string{"create"}) {
		t.Errorf("RBAC object %+v", ro)
	}
	for _, body := range []string{``, `[]`, `{`, `{"a":1}x`, `null`} {
		if ro, ok := d.Decode([]byte(body)); ok || ro != nil {
			t.Errorf("%q: decoded %+v", body, ro)
		}
	}
}

// TestRequestDecoder_WrongTypesAreAbsent verifies a member of the wrong
// JSON type is read as absent and hides nothing beside it.
func TestRequestDecoder_WrongTypesAreAbsent(t *testing.T) {
	var d audit.RequestDecoder
	ro, ok := d.Decode([]byte(`{"spec":{"hostNetwork":"yes","hostPID":true,"volumes":[{"name":"h","hostPath":{"path":"/"}},"v",{"hostPath":"x"}],
		"securityContext":{"runAsUser":1.5,"runAsNonRoot":true},
		"containers":[{"name":"a","securityContext":{"privileged":true,"runAsUser":"0","capabilities":{"add":["SYS_ADMIN",7]}}},"junk",{"image":5,"securityContext":[]}]}}`))
	if !ok {
		t.Fatal("not decoded")
	}
	s, _ := ro.PodSpecOf("pods")
	c := s.Containers
	switch {
	case s.HostNetwork || !s.HostPID:
		t.Errorf("host flags %+v", s)
	case len(s.Volumes) != 2 || s.Volumes[0].HostPath == nil || s.Volumes[0].HostPath.Path != "/" || s.Volumes[1].HostPath != nil:
		t.Errorf("volumes %+v", s.Volumes)
	case s.SecurityContext == nil || s.SecurityContext.RunAsUser != nil || s.SecurityContext.RunAsNonRoot == nil || !*s.SecurityContext.RunAsNonRoot:
		t.Errorf("pod security context %+v", s.SecurityContext)
	case len(c) != 2 || c[0].SecurityContext == nil || c[0].SecurityContext.Privileged == nil || !*c[0].SecurityContext.Privileged ||
		c[0].SecurityContext.RunAsUser != nil || !reflect.DeepEqual(c[0].SecurityContext.Capabilities.Add, []string{"SYS_ADMIN"}):
		t.Errorf("containers %+v", c)
	case c[1].Image != "" || c[1].SecurityContext != nil:
		t.Errorf("second container %+v", c[1])
	}
}

// TestRequestDecoder_StringsOutliveTheNextCall verifies decoded strings
// are the object's own: the decoder reuses its memory on the next call.
func TestRequestDecoder_StringsOutliveTheNextCall(t *testing.T) {
	var d audit.RequestDecoder
	first, _ := d.Decode([]byte(`{"spec":{"containers":[{"name":"first","image":"first-image"}]},"roleRef":{"name":"first-role"}}`))
	d.Decode([]byte(`{"spec":{"containers":[{"name":"other","image":"other-image"}]},"roleRef":{"name":"other-role"}}`))
	d.PodSpecFromJSONPatch([]byte(`[{"op":"add","path":"/spec/containers/0/image","value":"patched-image"}]`), "pods")
	spec, _ := first.PodSpecOf("pods")
	if spec.Containers[0].Name != "first" || spec.Containers[0].Image != "first-image" || first.RoleRef.Name != "first-role" {
		t.Errorf("first object changed: %+v %+v", spec.Containers[0], first.RoleRef)
	}
}

// FuzzRequestDecoder verifies no body makes the decoder panic, and that a
// decoded object does not change when the decoder reads another body.
func FuzzRequestDecoder(f *testing.F) {
	f.Add(`{"spec":{"template":{"spec":{"containers":[{"image":"a","securityContext":{"privileged":true}}]}}}}`, "deployments")
	f.Add(`{"spec":{"tls":[{}],"ports":[{"port":1e3}]},"roleRef":{"name":"x"},"rules":[{"verbs":["*"]}]}`, "ingresses")
	f.Add(`{"ephemeralContainers":[{"name":"d","image":"busybox"}]}`, "pods")
	f.Fuzz(func(t *testing.T, body, resource string) {
		var d audit.RequestDecoder
		ro, ok := d.Decode([]byte(body))
		if !ok {
			return
		}
		spec, schedule := ro.PodSpecOf(resource)
		var before []audit.Container
		if spec != nil {
			before = append(before, spec.AllContainers()...)
		}
		d.Decode([]byte(body + " "))
		if spec != nil && !reflect.DeepEqual(before, spec.AllContainers()) {
			t.Errorf("containers changed after another decode")
		}
		_ = schedule
		ro.ServiceSpecOf()
		ro.HasTLS()
	})
}

// TestRequestDecoder_DuplicateKeysLastWins verifies a key given twice
// reads as its last value, as the API server applied it, at every level
// and in JSON patches.
func TestRequestDecoder_DuplicateKeysLastWins(t *testing.T) {
	var d audit.RequestDecoder
	for _, body := range []string{
		`{"spec":{"containers":[{"securityContext":{"privileged":false,"privileged":true}}]}}`,
		`{"spec":{"containers":[{"securityContext":{"privileged":false}}],"containers":[{"securityContext":{"privileged":true}}]}}`,
		`{"spec":{},"spec":{"containers":[{"securityContext":{"privileged":true}}]}}`,
		`{"spec":{"containers":[{"securityContext":null,"securityContext":{"privileged":true}}]}}`,
	} {
		ro, ok := d.Decode([]byte(body))
		if !ok {
			t.Fatalf("%s: not decoded", body)
		}
		spec, _ := ro.PodSpecOf("pods")
		if spec == nil || len(spec.Containers) != 1 || spec.Containers[0].SecurityContext == nil || !*spec.Containers[0].SecurityContext.Privileged {
			t.Errorf("%s: %+v", body, spec)
		}
	}
	s := d.PodSpecFromJSONPatch([]byte(`[{"op":"add","path":"/spec/hostPID","value":false,"value":true}]`), "pods")
	if s == nil || !s.HostPID {
		t.Errorf("patch: %+v", s)
	}
	ro, _ := d.Decode([]byte(`{"spec":{"hostNetwork":true,"hostNetwork":false}}`))
	if spec, _ := ro.PodSpecOf("pods"); spec.HostNetwork {
		t.Error("hostNetwork true then false read as true")
	}
}
