package audit_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/audit"
)

// privilegedPatch is a patch of a kube-system DaemonSet that adds a
// privileged container, with junk beside the pod spec: the API server
// logs a patch body as the client sent it.
func privilegedPatch(junk string) string {
	return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"p1","stage":"ResponseComplete","verb":"patch",` +
		`"user":{"username":"mallory"},"objectRef":{"resource":"daemonsets","namespace":"kube-system","name":"x"},"responseStatus":{"code":200},` +
		`"requestObject":{"spec":{"template":{"spec":{"hostPID":true,"containers":[{"name":"c","securityContext":{"privileged":true}}]}}},"x":` + junk + `},` +
		`"annotations":{"authorization.k8s.io/decision":"allow"}}`
}

func privileged(t *testing.T, p audit.Parsed) bool {
	t.Helper()
	var d audit.RequestDecoder
	ro, ok := d.Decode(p.Event.RequestObject)
	if !ok {
		return false
	}
	spec, _ := ro.PodSpecOf("daemonsets")
	return spec != nil && spec.HostPID && *spec.Containers[0].SecurityContext.Privileged
}

// TestParse_DeepJunkHidesNothing verifies values nested deeper than the
// parser takes are cut, not the record refused, however deep, in arrays
// and objects, natively and inside an envelope's JSON string.
func TestParse_DeepJunkHidesNothing(t *testing.T) {
	for _, depth := range []int{299, 300, 301, 1000, 100_000} {
		for name, junk := range map[string]string{
			"arrays":  strings.Repeat("[", depth) + strings.Repeat("]", depth),
			"objects": strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth),
		} {
			var p audit.Parser
			parsed, err := p.Parse(privilegedPatch(junk))
			if err != nil || parsed.Event.User.Username != "mallory" || parsed.Event.Annotations.Decision != "allow" || !privileged(t, parsed) {
				t.Errorf("%s %d deep: %v, %+v", name, depth, err, parsed.Event)
			}
			inner := strings.ReplaceAll(strings.ReplaceAll(privilegedPatch(junk), `\`, `\\`), `"`, `\"`)
			parsed, err = p.Parse(`{"records":[{"category":"kube-audit","properties":{"log":"` + inner + `"}}]}`)
			if err != nil || parsed.Event.User.Username != "mallory" || !privileged(t, parsed) {
				t.Errorf("%s %d deep in an AKS record: %v", name, depth, err)
			}
		}
	}
}

// TestParse_ValueLimit verifies a record costs bounded memory however
// many values it holds: past audit.MaxValues what kubelens does not read
// of the request body is cut first, so that junk beside a pod spec hides
// nothing; a request body past the limit in what is read is not read, the
// rest of the event is; a record past it without its bodies is refused
// with ErrTooLarge.
func TestParse_ValueLimit(t *testing.T) {
	many := func(n int) string { return "[" + strings.Repeat("0,", n) + "0]" }
	var p audit.Parser
	for _, n := range []int{audit.MaxValues / 2, audit.MaxValues * 2, audit.MaxValues * 8} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		parsed, err := p.Parse(privilegedPatch(many(n)))
		runtime.ReadMemStats(&after)
		if err != nil || parsed.Event.User.Username != "mallory" || parsed.Event.Annotations.Decision != "allow" {
			t.Fatalf("%d values: %v", n, err)
		}
		if parsed.RequestCut || !privileged(t, parsed) {
			t.Errorf("%d unread values beside the pod spec: request cut %v, pod spec read %v", n, parsed.RequestCut, privileged(t, parsed))
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 80<<20 {
			t.Errorf("%d values (%d bytes): %d bytes allocated", n, 2*n, got)
		}
	}
	// Junk where kubelens reads: a capability list of a million entries.
	for _, n := range []int{audit.MaxValues - 100, audit.MaxValues * 2} {
		text := strings.Replace(privilegedPatch("0"), `"privileged":true}`, `"privileged":true,"capabilities":{"add":`+many(n)+`}}`, 1)
		parsed, err := p.Parse(text)
		if err != nil || parsed.Event.User.Username != "mallory" {
			t.Fatalf("%d capabilities: %v", n, err)
		}
		if cut := n > audit.MaxValues; parsed.RequestCut != cut || privileged(t, parsed) == cut {
			t.Errorf("%d capabilities: request cut %v, pod spec read %v", n, parsed.RequestCut, privileged(t, parsed))
		}
	}
	// A JSON patch keeps its operations whole.
	patch := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"j","verb":"patch","user":{"username":"u"},"requestObject":[{"op":"add","path":"/x","value":` + many(audit.MaxValues) + `},{"op":"add","path":"/spec/hostPID","value":true}]}`
	if parsed, err := p.Parse(patch); err != nil || !parsed.RequestCut {
		t.Errorf("a JSON patch past the limit: %v, request cut %v", err, parsed.RequestCut)
	}
	groups := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"g","verb":"get","user":{"username":"u","groups":["` +
		strings.Repeat(`g","`, audit.MaxValues) + `g"]}}`
	if _, err := p.Parse(groups); !errors.Is(err, audit.ErrTooLarge) {
		t.Errorf("a record of %d groups: %v, want ErrTooLarge", audit.MaxValues, err)
	}
}

// TestParse_ErrorsQuoteNothing verifies a record that is not JSON is
// refused with an error that quotes none of it: records hold secrets.
func TestParse_ErrorsQuoteNothing(t *testing.T) {
	const secret = "hunter2-S3CR3T"
	for _, text := range []string{
		`{"kind":"Event","requestObject":{"kind":"Secret","stringData":{"password":"` + secret + `"},}}`,
		`{"kind":"Event","requestObject":{"password":"` + secret + `" x}}`,
		`{"kind":"Event","x":` + secret + `}`,
		`{"records":[{"properties":{"log":"{\"password\":\"` + secret + `\",}"}}]}`,
		`{"kind":"Event","x":"` + secret,
		`{"kind":"Event","x":"` + secret + `"`,
	} {
		var p audit.Parser
		_, err := p.Parse(text)
		if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "hunter") {
			t.Errorf("%s: error %v", text, err)
		}
	}
}

// TestParse_DeepNestingCostsLittle verifies a record nested millions of
// levels deep costs memory of the order of its size: nothing is kept per
// level past the few that are read.
func TestParse_DeepNestingCostsLittle(t *testing.T) {
	const depth = 4 << 20
	for name, junk := range map[string]string{
		"arrays":  strings.Repeat("[", depth) + strings.Repeat("]", depth),
		"objects": strings.Repeat(`{"a":`, depth/4) + "1" + strings.Repeat("}", depth/4),
	} {
		text := privilegedPatch(junk)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var p audit.Parser
		parsed, err := p.Parse(text)
		runtime.ReadMemStats(&after)
		// Millions of levels are millions of values, in a member
		// kubelens does not read: cut, the pod spec beside it read.
		if err != nil || parsed.Event.User.Username != "mallory" || parsed.RequestCut || !privileged(t, parsed) {
			t.Errorf("%s: %v, request cut %v", name, err, parsed.RequestCut)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 4*uint64(len(text)) {
			t.Errorf("%s: %d bytes allocated for %d bytes", name, got, len(text))
		}
	}
}
