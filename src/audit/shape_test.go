package audit

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// gkeEntry is a GKE Cloud Audit Logs entry as Cloud Logging exports it,
// written for these tests: an exec into a pod, refused.
const gkeEntry = `{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{"code":7,"message":"PERMISSION_DENIED"},"authenticationInfo":{"principalEmail":"dev@example.com"},"requestMetadata":{"callerIp":"203.0.113.9","callerSuppliedUserAgent":"kubectl/v1.31.1 (darwin/arm64) kubernetes/948afe5"},"serviceName":"k8s.io","methodName":"io.k8s.core.v1.pods.exec.create","resourceName":"core/v1/namespaces/shop/pods/web-0/exec","request":{"@type":"core.k8s.io/v1.PodExecOptions","kind":"PodExecOptions"}},"insertId":"i-1","resource":{"type":"k8s_cluster","labels":{"project_id":"acme-prod","location":"europe-west1","cluster_name":"shop-1"}},"timestamp":"2026-11-20T09:00:00.123456Z","labels":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""},"logName":"projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity","operation":{"id":"5c1b7e2a-0d44-4c1e-9d0a-2f6a1b3c4d5e","producer":"k8s.io","first":true,"last":true}}`

func TestParse_GKE(t *testing.T) {
	for name, text := range map[string]string{
		"bare":           gkeEntry,
		"pubsub message": `{"publish_time":1795165200.5,"data":` + gkeEntry + `,"attributes":{"logging.googleapis.com/timestamp":"2026-11-20T09:00:00.123456Z"},"message_id":"42"}`,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			e := p.Event
			want := Event{}
			want.Verb, want.User.Username, want.UserAgent = "create", "dev@example.com", "kubectl/v1.31.1 (darwin/arm64) kubernetes/948afe5"
			want.AuditID = "5c1b7e2a-0d44-4c1e-9d0a-2f6a1b3c4d5e"
			want.ObjectRef = ObjectReference{Resource: "pods", Subresource: "exec", Namespace: "shop", Name: "web-0", APIVersion: "v1"}
			want.RequestURI = "/api/v1/namespaces/shop/pods/web-0/exec"
			if p.Shape != ShapeGKE || e.Origin.Shape != ShapeGKE || e.Verb != want.Verb || e.User.Username != want.User.Username ||
				e.UserAgent != want.UserAgent || e.AuditID != want.AuditID || e.ObjectRef != want.ObjectRef || e.RequestURI != want.RequestURI {
				t.Errorf("got %+v", e)
			}
			if !slices.Equal(e.SourceIPs, []string{"203.0.113.9"}) || e.ResponseStatus.Code != 403 || e.ResponseStatus.Message != "PERMISSION_DENIED" || e.Annotations.Decision != "forbid" {
				t.Errorf("source %v status %+v decision %q", e.SourceIPs, e.ResponseStatus, e.Annotations.Decision)
			}
			if e.GKE.ProjectID != "acme-prod" || e.GKE.Location != "europe-west1" || e.GKE.ClusterName != "shop-1" {
				t.Errorf("labels %+v", e.GKE)
			}
			if !strings.Contains(string(e.RequestObject), "PodExecOptions") || e.Stage != "" || e.Level != "" {
				t.Errorf("request %q stage %q level %q", e.RequestObject, e.Stage, e.Level)
			}
		})
	}
	// Other Cloud Audit Logs entries are not Kubernetes audit events.
	other := strings.NewReplacer(`"serviceName":"k8s.io"`, `"serviceName":"compute.googleapis.com"`, `io.k8s.core.v1.pods.exec.create`, `v1.compute.instances.list`).Replace(gkeEntry)
	if _, err := Parse(other); !errors.Is(err, ErrNotAuditEvent) {
		t.Errorf("a compute entry: %v, want ErrNotAuditEvent", err)
	}
}

func TestGKEResourceNames(t *testing.T) {
	cases := []struct {
		method, resource, verb string
		ref                    ObjectReference
		uri                    string
	}{
		{"io.k8s.core.v1.pods.list", "core/v1/namespaces/default/pods", "list", ObjectReference{Resource: "pods", Namespace: "default", APIVersion: "v1"}, "/api/v1/namespaces/default/pods"},
		{"io.k8s.core.v1.secrets.list", "core/v1/secrets", "list", ObjectReference{Resource: "secrets", APIVersion: "v1"}, "/api/v1/secrets"},
		{"io.k8s.rbac.v1.clusterrolebindings.create", "rbac.authorization.k8s.io/v1/clusterrolebindings/ops", "create", ObjectReference{Resource: "clusterrolebindings", Name: "ops", APIGroup: "rbac.authorization.k8s.io", APIVersion: "v1"}, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/ops"},
		{"io.k8s.core.v1.namespaces.get", "core/v1/namespaces/shop", "get", ObjectReference{Resource: "namespaces", Name: "shop", Namespace: "shop", APIVersion: "v1"}, "/api/v1/namespaces/shop"},
		{"io.k8s.core.v1.namespaces.finalize.update", "core/v1/namespaces/shop/finalize", "update", ObjectReference{Resource: "namespaces", Name: "shop", Namespace: "shop", Subresource: "finalize", APIVersion: "v1"}, "/api/v1/namespaces/shop/finalize"},
		{"io.k8s.apps.v1.deployments.scale.patch", "apps/v1/namespaces/shop/deployments/web/scale", "patch", ObjectReference{Resource: "deployments", Name: "web", Namespace: "shop", Subresource: "scale", APIGroup: "apps", APIVersion: "v1"}, "/apis/apps/v1/namespaces/shop/deployments/web/scale"},
		{"io.k8s.networking.v1beta1.ingresses.get", "networking.k8s.io/v1beta1/namespaces/shop/ingresses/web", "get", ObjectReference{Resource: "ingresses", Name: "web", Namespace: "shop", APIGroup: "networking.k8s.io", APIVersion: "v1beta1"}, "/apis/networking.k8s.io/v1beta1/namespaces/shop/ingresses/web"},
		{"io.k8s.get", "readyz", "get", ObjectReference{}, "/readyz"},
	}
	for _, c := range cases {
		e := Event{GKE: GKEEntry{ServiceName: "k8s.io", MethodName: c.method, ResourceName: c.resource}}
		e.Normalize()
		e.Normalize() // twice changes nothing
		if e.Verb != c.verb || e.ObjectRef != c.ref || e.RequestURI != c.uri {
			t.Errorf("%s %s: verb %q ref %+v uri %q", c.method, c.resource, e.Verb, e.ObjectRef, e.RequestURI)
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	// The pairs google.rpc.Code's documentation names.
	for code, want := range map[int]int{0: 200, 3: 400, 5: 404, 6: 409, 7: 403, 16: 401, 13: 500, 14: 503, 8: 429, 4: 504} {
		if got := httpStatus(code); got != want {
			t.Errorf("httpStatus(%d) = %d, want %d", code, got, want)
		}
	}
	// An entry without a status code succeeded: proto3 JSON leaves out
	// a zero code (status {}), Cloud Audit Logs the status of a success.
	e := Event{GKE: GKEEntry{MethodName: "io.k8s.core.v1.pods.get"}}
	e.Normalize()
	if e.ResponseStatus.Code != 200 {
		t.Errorf("no status gave code %d, want 200", e.ResponseStatus.Code)
	}
	// A code as Splunk's extraction may write it reads the same.
	e = Event{GKE: GKEEntry{MethodName: "io.k8s.core.v1.pods.get", StatusCode: " 7.0"}}
	e.Normalize()
	if e.ResponseStatus.Code != 403 {
		t.Errorf("status code \" 7.0\" gave %d, want 403", e.ResponseStatus.Code)
	}
	// Entries of other services are not read at all.
	e = Event{GKE: GKEEntry{ServiceName: "compute.googleapis.com", MethodName: "v1.compute.instances.list"}}
	e.Normalize()
	if e.ResponseStatus.Code != 0 || !e.GKE.NotKubernetes() {
		t.Errorf("a compute entry: code %d", e.ResponseStatus.Code)
	}
}

// TestParse_AzureRecords verifies the AKS record's own members are read,
// in every form the record arrives in.
func TestParse_AzureRecords(t *testing.T) {
	inner := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"az","stage":"ResponseComplete","verb":"get","user":{"username":"aks-admin"}}`
	quoted, _ := json.Marshal(inner)
	rec := `{"category":"kube-audit","resourceId":"/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/SHOP","properties":{"log":` + string(quoted) + `}}`
	for name, c := range map[string]struct {
		text  string
		count int
	}{
		"one record":          {rec, 1},
		"records batch":       {`{"records":[` + rec + `,` + rec + `,` + rec + `]}`, 3},
		"event hubs body":     {`{"body":` + rec + `,"x-opt-sequence-number":7,"x-opt-enqueued-time":1795165200000}`, 1},
		"body holding a list": {`{"body":{"records":[` + rec + `,` + rec + `]}}`, 2},
	} {
		p, err := Parse(c.text)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		o := p.Event.Origin
		if p.Shape != ShapeAKS || o.Shape != ShapeAKS || p.Count != c.count || p.Event.AuditID != "az" || o.Category != "kube-audit" || !strings.HasSuffix(o.ResourceID, "/MANAGEDCLUSTERS/SHOP") {
			t.Errorf("%s: %+v count %d", name, o, p.Count)
		}
	}
	if _, err := Parse(`{"records":[]}`); !errors.Is(err, ErrEmptyList) {
		t.Errorf("empty records: %v", err)
	}
}

// TestParse_Subscription verifies a CloudWatch Logs subscription message
// gives its first event, the count, and its log group and stream.
func TestParse_Subscription(t *testing.T) {
	ev := func(id string) string {
		b, _ := json.Marshal(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"` + id + `","stage":"ResponseComplete","verb":"list","user":{"username":"system:anonymous"}}`)
		return `{"id":"3` + id + `","timestamp":1795165200000,"message":` + string(b) + `}`
	}
	text := `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/eks/shop/cluster","logStream":"kube-apiserver-audit-0123456789abcdef0123456789abcdef","subscriptionFilters":["kubelens"],"logEvents":[` + ev("a") + `,` + ev("b") + `]}`
	p, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if p.Shape != ShapeSubscription || p.Count != 2 || !p.List || p.Event.AuditID != "a" || p.Event.Origin.LogGroup != "/aws/eks/shop/cluster" || !strings.HasPrefix(p.Event.Origin.LogStream, "kube-apiserver-audit-") {
		t.Errorf("%+v %+v", p, p.Event.Origin)
	}
	if _, err := Parse(`{"logGroup":"/aws/eks/shop/cluster","logStream":"s","logEvents":[{"message":"level=info msg=x"}]}`); !errors.Is(err, ErrNotJSON) {
		t.Errorf("a non-JSON message: %v, want ErrNotJSON", err)
	}
}

// TestParse_NativeStaysNative verifies the shapes cost a native event
// nothing: still no allocation, shape native; and a GKE entry little.
func TestParse_NativeStaysNative(t *testing.T) {
	var p Parser
	r, err := p.Parse(podCreate)
	if err != nil || r.Shape != ShapeNative || r.Event.Origin != (Origin{}) {
		t.Fatalf("%+v %v", r, err)
	}
	var q Parser
	q.Parse(gkeEntry)
	// A GKE entry's request URI is rebuilt from its resource name: one
	// string.
	if allocs := testing.AllocsPerRun(100, func() { q.Parse(gkeEntry) }); allocs > 1 {
		t.Errorf("parsing a GKE entry allocates %.0f times once warm, want at most 1", allocs)
	}
}

func TestInferShape(t *testing.T) {
	for want, e := range map[Shape]Event{
		ShapeNative:       {},
		ShapeGKE:          {GKE: GKEEntry{MethodName: "io.k8s.core.v1.pods.get"}},
		ShapeAKS:          {Origin: Origin{ResourceID: "/SUBSCRIPTIONS/x"}},
		ShapeSubscription: {Origin: Origin{LogGroup: "/aws/eks/x/cluster"}},
	} {
		e.InferShape()
		if e.Origin.Shape != want {
			t.Errorf("%+v: shape %v, want %v", e, e.Origin.Shape, want)
		}
	}
}

// TestParse_GKEHealthChecksAndSuccess covers the health checks GKE logs
// as methods (io.k8s.readyz, with or without a resource name, or as if
// healthz were a core resource) and the status of a request that
// succeeded, which proto3 JSON writes as {} or leaves out.
func TestParse_GKEHealthChecksAndSuccess(t *testing.T) {
	entry := func(pp string) string {
		return `{"protoPayload":{"serviceName":"k8s.io","authenticationInfo":{"principalEmail":"system:anonymous"},` + pp + `},"resource":{"type":"k8s_cluster","labels":{"cluster_name":"c"}}}`
	}
	for _, tc := range []struct {
		pp, uri, resource string
		code              int
	}{
		{`"methodName":"io.k8s.readyz","status":{}`, "/readyz", "", 200},
		{`"methodName":"io.k8s.livez","resourceName":"/livez"`, "/livez", "", 200},
		{`"methodName":"io.k8s.core.v1.healthz.get","resourceName":"core/v1/healthz","status":{"code":0}`, "/healthz", "", 200},
		{`"methodName":"io.k8s.core.v1.pods.list","resourceName":"core/v1/namespaces/default/pods","status":{}`, "/api/v1/namespaces/default/pods", "pods", 200},
		{`"methodName":"io.k8s.core.v1.pods.list","resourceName":"core/v1/namespaces/default/pods"`, "/api/v1/namespaces/default/pods", "pods", 200},
		{`"methodName":"io.k8s.core.v1.pods.list","resourceName":"core/v1/namespaces/default/pods","status":{"code":7}`, "/api/v1/namespaces/default/pods", "pods", 403},
		{`"methodName":"io.k8s.core.v1.namespaces.healthz.get","resourceName":"core/v1/namespaces/healthz"`, "/api/v1/namespaces/healthz", "namespaces", 200},
	} {
		p, err := Parse(entry(tc.pp))
		if err != nil {
			t.Fatalf("%s: %v", tc.pp, err)
		}
		e := p.Event
		if e.RequestURI != tc.uri || e.ObjectRef.Resource != tc.resource || e.ResponseStatus.Code != tc.code {
			t.Errorf("%s: uri %q resource %q code %d, want %q %q %d", tc.pp, e.RequestURI, e.ObjectRef.Resource, e.ResponseStatus.Code, tc.uri, tc.resource, tc.code)
		}
		if tc.resource == "" && e.Verb != "get" {
			t.Errorf("%s: verb %q, want get", tc.pp, e.Verb)
		}
		before := *e
		e.Normalize()
		if e.RequestURI != before.RequestURI || e.ResponseStatus != before.ResponseStatus || e.Verb != before.Verb {
			t.Errorf("%s: a second Normalize changed the event", tc.pp)
		}
	}
}
