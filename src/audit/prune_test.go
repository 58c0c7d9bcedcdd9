package audit

import (
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestPrune_DropsOnlyUnreadMembers checks the members cut and what stays
// byte for byte, on the shapes that carry a response.
func TestPrune_DropsOnlyUnreadMembers(t *testing.T) {
	cases := map[string]string{
		`{"kind":"Event","responseObject":{"items":[1,2,{"x":"}"}]},"verb":"list"}`:      `{"kind":"Event","responseObject":null,"verb":"list"}`,
		`{"kind":"EventList","items":[{"responseObject":[1,2]},{"responseObject":"s"}]}`: `{"kind":"EventList","items":[{"responseObject":null},{"responseObject":null}]}`,
		`{"protoPayload":{"request":{"a":1},"response":{"b":[1,2]}},"response":{"c":3}}`: `{"protoPayload":{"request":{"a":1},"response":null},"response":{"c":3}}`,
		`{"data":{"protoPayload":{"response" : [ "x" ] , "status":{}}}}`:                 `{"data":{"protoPayload":{"response" : null , "status":{}}}}`,
		`{"message":"responseObject","requestObject":{"responseObject":true}}`:           `{"message":"responseObject","requestObject":{"responseObject":null}}`,
		`{"a\"responseObject":{"b":1},"k":["responseObject",{"responseObject":1}]}`:      `{"a\"responseObject":{"b":1},"k":["responseObject",{"responseObject":null}]}`,
		`{"verb":"get","responseObject":{"items":[{"data":"abc"},{"dat`:                  `{"verb":"get","responseObject":null`,
		`{"verb":"get"}`: `{"verb":"get"}`,
	}
	for in, want := range cases {
		if got, _, _ := prune(in, nil, cutRule{}); got != want {
			t.Errorf("prune(%s)\n = %s\nwant %s", in, got, want)
		}
	}
}

// TestParse_LargeResponseCostsLittle parses an event whose response is an
// 8 MB array of small values, as a list logged at RequestResponse level
// can be: it must be read, and cost memory of the order of its text, not
// hundreds of times that.
func TestParse_LargeResponseCostsLittle(t *testing.T) {
	text := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"big","stage":"ResponseComplete","verb":"list","user":{"username":"alice"},"objectRef":{"resource":"secrets"},"responseObject":{"kind":"SecretList","items":[` +
		strings.Repeat("0,", 4<<20) + `0]}}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var p Parser
	parsed, err := p.Parse(text)
	runtime.ReadMemStats(&after)
	if err != nil || parsed.Event.User.Username != "alice" || parsed.Event.ObjectRef.Resource != "secrets" {
		t.Fatalf("parsed %+v, %v", parsed.Event, err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4*uint64(len(text)) {
		t.Errorf("parsing %d bytes allocated %d", len(text), n)
	}
}

// TestRepairTruncated_ClosesWhatWasOpenAtTheCut covers containers closed
// and opened again after earlier cuts.
func TestRepairTruncated_ClosesWhatWasOpenAtTheCut(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":[1,{"b":2}],"c":{"d":[3,4`:   `{"a":[1,{"b":2}],"c":{"d":[3]}}`,
		`{"a":{"b":{"c":1}},"d":[[1,2],[3`: `{"a":{"b":{"c":1}},"d":[[1,2]]}`,
		`{"a":"x,y}","b":"z`:               `{"a":"x,y}"}`,
		`{"a`:                              `{}`,
	} {
		got := repairTruncated(in)
		if got != want {
			t.Errorf("repairTruncated(%s) = %s, want %s", in, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("repairTruncated(%s) = %s is not JSON", in, got)
		}
	}
}

// FuzzPrune checks pruning keeps valid JSON valid, never panics, and
// changes nothing in a text without an unread member.
func FuzzPrune(f *testing.F) {
	for _, s := range []string{`{"responseObject":[1,"]",{"a":"\""}],"b":2}`, `{"protoPayload":{"response":{}}}`, `{"a":[{"responseObject":null}]}`, `{"x":"responseObject"}`, `{"resp`} {
		f.Add(s)
	}
	f.Add(`{"requestObject":{"spec":{"containers":[{"x":[[1]]}]}},"protoPayload":{"request":[{"op":1,"z":{}}]}}`)
	f.Fuzz(func(t *testing.T, in string) {
		out, _, _ := prune(in, nil, cutRule{})
		if json.Valid([]byte(in)) && !json.Valid([]byte(out)) {
			t.Fatalf("prune(%q) = %q is not JSON", in, out)
		}
		if !strings.Contains(in, "response") && out != in {
			t.Fatalf("prune(%q) changed a text without a response: %q", in, out)
		}
		for _, rule := range []cutRule{{unread: true}, {bodies: true}, {depth: 3}, {unread: true, depth: 2}} {
			out, _, _ := prune(in, nil, rule)
			if json.Valid([]byte(in)) && !json.Valid([]byte(out)) {
				t.Fatalf("prune(%q, %+v) = %q is not JSON", in, rule, out)
			}
		}
	})
}

// TestPrune_BodiesAndDepth covers the request bodies' rule and the depth
// rule.
func TestPrune_BodiesAndDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		rule cutRule
		want string
	}{
		{`{"requestObject":{"a":[1,2]},"responseObject":1,"protoPayload":{"request":{"b":1}},"request":2}`, cutRule{bodies: true},
			`{"requestObject":null,"responseObject":null,"protoPayload":{"request":null},"request":2}`},
		{`{"a":[[[1]]],"b":{"c":{"d":2}},"e":"[[[{{{"}`, cutRule{depth: 2}, `{"a":[null],"b":{"c":null},"e":"[[[{{{"}`},
		{`[[[[]]]]`, cutRule{depth: 1}, `[null]`},
		{`{"requestObject":{"kind":"Pod","x":[1,2],"spec":{"containers":[{"image":"a","env":[1]}],"nodeName":"n"}},"verb":"create","x":[3]}`, cutRule{unread: true},
			`{"requestObject":{"kind":"Pod","x":null,"spec":{"containers":[{"image":"a","env":null}],"nodeName":null}},"verb":"create","x":[3]}`},
		{`{"protoPayload":{"request":{"spec":{"group":["a"],"x":1}},"y":[1]}}`, cutRule{unread: true}, `{"protoPayload":{"request":{"spec":{"group":["a"],"x":null}},"y":[1]}}`},
		{`{"requestObject":[{"op":"add","path":"/a","value":{"b":[1]},"junk":[2]}]}`, cutRule{unread: true}, `{"requestObject":[{"op":"add","path":"/a","value":{"b":[1]},"junk":null}]}`},
		{`{"requestObject":{"spec":{"template":{"spec":{"hostPID":true,"x":1}},"jobTemplate":{"spec":{"template":{"spec":{"volumes":[{"hostPath":{"path":"/","type":"x"}}]}}}}}}}`, cutRule{unread: true},
			`{"requestObject":{"spec":{"template":{"spec":{"hostPID":true,"x":null}},"jobTemplate":{"spec":{"template":{"spec":{"volumes":[{"hostPath":{"path":"/","type":null}}]}}}}}}}`},
	} {
		if got, _, _ := prune(tc.in, nil, tc.rule); got != tc.want {
			t.Errorf("prune(%s, %+v)\n = %s\nwant %s", tc.in, tc.rule, got, tc.want)
		}
	}
	if _, _, n := prune(`{"a":[1,2,3],"b":{"c":[]}}`, nil, cutRule{}); n < 7 {
		t.Errorf("counted %d values, want at least 7", n)
	}
}

// TestPrune_UnreadKeepsWhatTheDecoderReads verifies the read schema of
// request bodies covers every member RequestDecoder and the members under
// requestObject read: a body pruned of the rest decodes the same.
func TestPrune_UnreadKeepsWhatTheDecoderReads(t *testing.T) {
	container := `{"name":"c","image":"i","args":["x"],"securityContext":{"privileged":true,"allowPrivilegeEscalation":true,"runAsUser":0,"runAsNonRoot":false,"capabilities":{"add":["SYS_ADMIN"],"drop":["ALL"]},"seLinuxOptions":{}}}`
	podSpec := `{"hostNetwork":true,"hostPID":true,"hostIPC":true,"nodeName":"n","volumes":[{"name":"v","hostPath":{"path":"/","type":""},"emptyDir":{}}],` +
		`"containers":[` + container + `],"initContainers":[` + container + `],"ephemeralContainers":[` + container + `],"securityContext":{"runAsUser":0,"runAsNonRoot":false,"fsGroup":1}}`
	for _, body := range []string{
		`{"kind":"Pod","message":"m","metadata":{"name":"p","namespace":"n","labels":{"a":"b"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","x":"y"}},"spec":` + podSpec + `,"status":{}}`,
		`{"spec":{"replicas":1,"template":{"metadata":{},"spec":` + podSpec + `}}}`,
		`{"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":` + podSpec + `}}}}}`,
		`{"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30080,"name":"http"}],"selector":{}}}`,
		`{"spec":{"tls":[{"hosts":["a"]}],"rules":[]}}`,
		`{"roleRef":{"kind":"ClusterRole","name":"cluster-admin","apiGroup":"x"},"subjects":[{"kind":"User","name":"u","namespace":"n","apiGroup":"x"}],"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["*"],"resourceNames":["x"]}],"ephemeralContainers":[` + container + `]}`,
	} {
		text := `{"requestObject":` + body + `}`
		pruned, _, _ := prune(text, nil, cutRule{unread: true})
		if pruned == text {
			t.Errorf("nothing pruned of %s", body)
		}
		var d1, d2 RequestDecoder
		var p1, p2 Parser
		a, _ := p1.Parse(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"create","requestObject":` + body + `}`)
		b, _ := p2.Parse(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"create",` + pruned[1:])
		if a.Event.Request != b.Event.Request {
			t.Errorf("members under requestObject differ after pruning: %+v, %+v", a.Event.Request, b.Event.Request)
		}
		x, _ := d1.Decode(a.Event.RequestObject)
		y, _ := d2.Decode(b.Event.RequestObject)
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s decodes differently after pruning:\n%+v\n%+v", body, x, y)
		}
	}
}
