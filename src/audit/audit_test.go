package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const podCreate = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"e1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"ci","groups":["dev","system:authenticated"],"extra":{"arn":["arn:aws:iam::111122223333:user/ci"]}},"sourceIPs":["198.51.100.7"],"userAgent":"kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46","objectRef":{"resource":"pods","namespace":"default","name":"dbg","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"Pod","metadata":{"name":"dbg"},"spec":{"hostNetwork":true,"volumes":[{"name":"r","hostPath":{"path":"/"}}],"containers":[{"name":"c","image":"alpine:3.20","securityContext":{"privileged":true,"capabilities":{"add":["SYS_ADMIN"]}}}]}},"requestReceivedTimestamp":"2026-11-20T09:00:00.000001Z","stageTimestamp":"2026-11-20T09:00:00.004001Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"x\" of ClusterRole \"cluster-admin\" to Group \"dev\""}}`

func TestParse_Event(t *testing.T) {
	p, err := Parse(podCreate)
	if err != nil {
		t.Fatal(err)
	}
	e := p.Event
	if p.Count != 1 || p.Truncated || e.AuditID != "e1" || e.User.Extra.ARN != "arn:aws:iam::111122223333:user/ci" || e.ObjectRef.Name != "dbg" || e.ResponseStatus.Code != 201 || e.Annotations.Decision != "allow" {
		t.Errorf("parsed %+v", p)
	}
	var d RequestDecoder
	ro, ok := d.Decode(e.RequestObject)
	if !ok {
		t.Fatal("request object not decoded")
	}
	spec, _ := ro.PodSpecOf("pods")
	if spec == nil || !spec.HostNetwork || len(spec.AllContainers()) != 1 || !*spec.Containers[0].SecurityContext.Privileged || spec.Volumes[0].HostPath.Path != "/" {
		t.Errorf("pod spec %+v", spec)
	}
}

func TestParse_EventListAndOlderShapes(t *testing.T) {
	p, err := Parse(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"1","verb":"get"},{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"2"}]}`)
	if err != nil || p.Count != 2 || p.Event.AuditID != "1" {
		t.Errorf("EventList: %+v %v", p, err)
	}
	// Reshaped events keep kind but lose apiVersion and auditID.
	p, err = Parse(`{"kind":"Event","verb":"get","user":{"username":"bob"}}`)
	if err != nil || p.Event.User.Username != "bob" {
		t.Errorf("reshaped event: %+v %v", p, err)
	}
	if _, err := Parse(`{"kind":"Event","apiVersion":"v1","involvedObject":{"kind":"Pod"},"reason":"Pulled"}`); !errors.Is(err, ErrNotAuditEvent) {
		t.Errorf("a core v1 Event: %v, want ErrNotAuditEvent", err)
	}
	// v1beta1 exports from 2017 carry no kind.
	p, err = Parse(`{"auditID":"9","stage":"ResponseComplete","verb":"get","user":{"username":"bob"}}`)
	if err != nil || p.Event.User.Username != "bob" {
		t.Errorf("kindless event: %+v %v", p, err)
	}
	for text, want := range map[string]error{
		`time="2026" level=info msg="access granted"`: ErrNotJSON,
		`{"hello":"world"}`:                           ErrNotAuditEvent,
		`{"kind":"EventList","items":[]}`:             ErrEmptyList,
		`{"kind":"Event","apiVersion":"v1"}`:          ErrNotAuditEvent,
		`{"kind":"Event", "apiVersion": "au`:          ErrNotJSON,
	} {
		if _, err := Parse(text); !errors.Is(err, want) {
			t.Errorf("Parse(%q) = %v, want %v", text, err, want)
		}
	}
}

// TestParse_Truncated verifies a record CloudWatch cut keeps every member
// that arrived complete.
func TestParse_Truncated(t *testing.T) {
	for _, cut := range []int{200, 420, 700, 900, len(podCreate) - 30} {
		p, err := Parse(podCreate[:cut] + TruncatedMarker)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if !p.Truncated || p.Event.AuditID != "e1" || p.Event.Verb != "create" {
			t.Errorf("cut at %d: %+v", cut, p.Event)
		}
		if cut >= 420 && p.Event.User.Username != "ci" {
			t.Errorf("cut at %d lost the user: %+v", cut, p.Event.User)
		}
	}
}

func TestRepairTruncated(t *testing.T) {
	cases := map[string]string{
		`{"a":1,"b":"x`:              `{"a":1}`,
		`{"a":{"b":[1,2`:             `{"a":{"b":[1]}}`,
		`{"a":"x,y","b`:              `{"a":"x,y"}`,
		`{"a":"q\"}","b":{"c":2},"d`: `{"a":"q\"}","b":{"c":2}}`,
		`{"a`:                        `{}`,
		`{"a":[{"x":1},{"y"`:         `{"a":[{"x":1}]}`,
	}
	for in, want := range cases {
		if got := repairTruncated(in); got != want {
			t.Errorf("repairTruncated(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse verifies Parse never panics, and that any prefix of a valid
// object repairs into valid JSON.
func FuzzParse(f *testing.F) {
	f.Add(podCreate, 300)
	f.Add(`{"kind":"EventList","items":[{"auditID":"1","verb":"get"}]}`, 20)
	f.Add(`{"a":"\\\"","b":[[],{}]}`, 9)
	f.Add(gkeEntry, 200)
	f.Add(`{"data":{"protoPayload":{"serviceName":"k8s.io","methodName":"io.k8s.core.v1.namespaces.finalize.update","resourceName":"core/v1/namespaces/x/finalize","status":{"code":7}}}}`, 50)
	f.Add(`{"records":[{"category":"kube-audit","resourceId":"/SUBSCRIPTIONS/1/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C","properties":{"log":"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\"}"}}]}`, 80)
	f.Add(`{"logGroup":"/aws/eks/c/cluster","logStream":"kube-apiserver-audit-1","logEvents":[{"message":"{\"kind\":\"Event\",\"auditID\":\"1\",\"verb\":\"get\"}"}]}`, 60)
	f.Fuzz(func(t *testing.T, text string, cut int) {
		Parse(text)
		Parse(text + TruncatedMarker)
		if !json.Valid([]byte(text)) || !strings.HasPrefix(strings.TrimSpace(text), "{") {
			return
		}
		if cut < 0 {
			cut = -cut
		}
		s := strings.TrimSpace(text)
		prefix := s[:cut%(len(s)+1)]
		if r := repairTruncated(prefix); !json.Valid([]byte(r)) {
			t.Fatalf("repairTruncated(%q) = %q, not valid JSON", prefix, r)
		}
	})
}

// TestParser_ReusesMemory verifies a Parser's second Parse does not
// disturb the fields of... nothing: the first result is documented to be
// invalid; what must hold is that each result is right on its own, and
// that parsing allocates nothing once warm.
func TestParser_ReusesMemory(t *testing.T) {
	var p Parser
	other := strings.Replace(podCreate, `"username":"ci"`, `"username":"someone-else"`, 1)
	for i := 0; i < 3; i++ {
		for _, want := range []string{"ci", "someone-else"} {
			text := podCreate
			if want != "ci" {
				text = other
			}
			r, err := p.Parse(text)
			if err != nil || r.Event.User.Username != want || len(r.Event.User.Groups) != 2 || r.Event.SourceIPs[0] != "198.51.100.7" {
				t.Fatalf("round %d: %+v %v", i, r.Event, err)
			}
		}
	}
	allocs := testing.AllocsPerRun(100, func() { p.Parse(podCreate) })
	if allocs > 0 {
		t.Errorf("Parse allocates %.0f times per event once warm, want 0", allocs)
	}
}

// TestParse_AzureEnvelope verifies an event wrapped by AKS diagnostic logs,
// as a string or as an object, is read.
func TestParse_AzureEnvelope(t *testing.T) {
	inner := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"az","verb":"create","user":{"username":"aks-admin"}}`
	quoted, _ := json.Marshal(inner)
	for _, text := range []string{
		`{"category":"kube-audit","properties":{"log":` + string(quoted) + `}}`,
		`{"category":"kube-audit","properties":{"log":` + inner + `}}`,
	} {
		p, err := Parse(text)
		if err != nil || p.Event.AuditID != "az" || p.Event.User.Username != "aks-admin" {
			t.Errorf("%s: %+v %v", text, p.Event, err)
		}
	}
	if _, err := Parse(`{"category":"kube-audit","properties":{"log":"{broken"}}`); !errors.Is(err, ErrNotJSON) {
		t.Errorf("broken envelope: %v", err)
	}
}

// TestParse_ResponseCodeAnyNumberForm verifies a status code reads however
// a shipper wrote the number, and not at all when it is no whole number.
func TestParse_ResponseCodeAnyNumberForm(t *testing.T) {
	for code, want := range map[string]int{`403`: 403, `"403"`: 403, `403.0`: 403, `4.03e2`: 403, `" 201 "`: 201, `"4.03e2"`: 403,
		`403.5`: 0, `"abc"`: 0, `true`: 0, `1e300`: 0, `null`: 0} {
		p, err := Parse(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"get","responseStatus":{"code":` + code + `}}`)
		if err != nil || p.Event.ResponseStatus.Code != want {
			t.Errorf("code %s: got %d (%v), want %d", code, p.Event.ResponseStatus.Code, err, want)
		}
	}
}
