package enrich_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/enrich"
)

// splunkFields flattens a JSON event the way Splunk's JSON extraction
// (KV_MODE = json) names its members: object keys joined with ".", "{}"
// after an array, one value per array element. It is written from
// Splunk's behaviour, not from audit.Members, so that a member whose name
// is wrong shows up as a difference.
func splunkFields(v any, prefix string, out rec) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			splunkFields(sub, name, out)
		}
	case []any:
		for _, sub := range x {
			switch sub.(type) {
			case map[string]any, []any:
				splunkFields(sub, prefix+"{}", out)
			default:
				out[prefix+"{}"] = append(out[prefix+"{}"], scalar(sub))
			}
		}
	default:
		out[prefix] = append(out[prefix], scalar(x))
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case float64:
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}

// rawOnly are the output fields that need the whole event text, which no
// extracted field carries: the decoded request body (pod specs, RBAC
// objects, service ports), the count of an EventList, a CloudWatch cut,
// and the security content searches that look for a bare term anywhere in
// _raw.
var rawOnly = map[string]bool{
	"k8s_pod_privileged": true, "k8s_pod_host_network": true, "k8s_pod_host_pid": true, "k8s_pod_host_ipc": true,
	"k8s_pod_hostpath": true, "k8s_pod_sensitive_mount": true, "k8s_pod_caps_added": true, "k8s_pod_run_as_root": true,
	"k8s_images": true, "k8s_image_registry": true, "k8s_cron_schedule": true,
	"k8s_service_ports": true, "k8s_rbac_role_ref": true, "k8s_rbac_binds_cluster_admin": true, "k8s_rbac_subjects": true,
	"k8s_rbac_wildcard": true, "k8s_rbac_allows_exec": true, "k8s_event_count": true, "k8s_truncated": true,
}

// TestInputsBothWays runs events through the enricher twice, once from
// _raw alone and once from Splunk's extracted fields alone (after
// | fields - _raw), and requires the same output for every field that does
// not need the whole text. Every member of audit.Members is set in one of
// the shaped records, so an input read from one path and not the other
// fails.
func TestInputsBothWays(t *testing.T) {
	events := []obj{everyMember(t, audit.ScopeEvent)}
	f, err := os.Open(filepath.Join("..", "..", "app", "samples", "eks_audit_events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev obj
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	tables := shippedTables(t)
	compared := map[string]bool{}
	compare := func(name string, ev obj, groups ...enrich.Group) {
		t.Helper()
		raw := rawRec(t, ev)
		extracted := rec{}
		splunkFields(ev, "", extracted)
		fromRaw, _ := enrichWith(t, tables, raw)
		fromFields, _ := enrichWith(t, tables, extracted)
		for _, f := range enrich.Catalogue {
			if rawOnly[f.Name] || f.Group == enrich.GroupDetection || len(groups) > 0 && !slices.Contains(groups, f.Group) {
				continue
			}
			a, b := field(fromRaw, f.Name), field(fromFields, f.Name)
			if a != b {
				t.Errorf("%s: %s = %q from _raw, %q from extracted fields", name, f.Name, a, b)
			}
			if a != "" {
				compared[f.Name] = true
			}
		}
	}
	for i, ev := range events {
		compare(fmt.Sprintf("event %d", i), ev)
	}
	// A field extracted twice (INDEXED_EXTRACTIONS=json with KV_MODE=json)
	// has each value twice, a list its values twice over: the event reads
	// the same.
	for i, ev := range events {
		once, twice := rec{}, rec{}
		splunkFields(ev, "", once)
		for name, vs := range once {
			twice[name] = append(append([]string(nil), vs...), vs...)
		}
		a, _ := enrichWith(t, tables, once)
		b, _ := enrichWith(t, tables, twice)
		for _, f := range enrich.Catalogue {
			if x, y := field(a, f.Name), field(b, f.Name); x != y {
				t.Errorf("event %d extracted twice: %s = %q, %q when extracted once", i, f.Name, y, x)
			}
		}
	}
	// A GKE entry maps every field it has; a wrapped record's event is
	// JSON text inside a string, which Splunk does not extract, so only
	// what the record's own members give can compare.
	gke := everyMember(t, audit.ScopeGKE)
	compare("GKE entry", gke)
	compare("GKE entry in a Pub/Sub message", obj{"data": gke, "publish_time": 1795165200.5, "attributes": obj{}})
	aks := everyMember(t, audit.ScopeRecord)
	compare("Azure record", aks, enrich.GroupCluster)
	compare("Azure record under body", obj{"body": aks, "x-opt-sequence-number": 7}, enrich.GroupCluster)
	inner, _ := json.Marshal(baseEvent())
	compare("CloudWatch Logs subscription message", obj{"messageType": "DATA_MESSAGE", "logGroup": aks["logGroup"], "logStream": aks["logStream"],
		"logEvents": []obj{{"id": "1", "timestamp": 1795165200000, "message": string(inner)}}}, enrich.GroupCluster, enrich.GroupEKS)
	// The comparison means something only if the fields were filled.
	for _, name := range []string{"k8s_sa_pod_uid", "k8s_sa_node_name", "k8s_sa_credential_id", "aws_arn", "aws_session_name", "k8s_effective_user", "k8s_response_code", "k8s_api_group",
		"k8s_cluster", "k8s_platform", "azure_subscription_id", "azure_resource_group", "gcp_project_id", "gcp_location", "eks_log_group", "eks_log_stream"} {
		if !compared[name] {
			t.Errorf("%s was empty both ways: the events do not exercise it", name)
		}
	}
}

// scopeValues are members whose value must make sense for the rest to
// derive from it.
var scopeValues = map[string]any{
	"user.extra.arn{}":          []string{"arn:aws:iam::111122223333:role/dev"},
	"user.extra.canonicalArn{}": []string{"arn:aws:iam::111122223333:role/dev"},
	"user.extra.principalId{}":  []string{"AROAEXAMPLE"},
	"user.extra.sessionName{}":  []string{"alice"},
	"user.extra.accessKeyId{}":  []string{"ASIAEXAMPLE"},
	"objectRef.apiGroup":        "apps",
	"timestamp":                 "2017-01-02T03:04:05Z",
	// A subscription message's stream; its members share the record
	// scope with Azure's, which the same record carries.
	"logGroup":                  "/aws/eks/shop/cluster",
	"logStream":                 "kube-apiserver-audit-0123456789abcdef0123456789abcdef",
	"resourceId":                "/SUBSCRIPTIONS/0000-AA/RESOURCEGROUPS/SHOP-RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/SHOP-1",
	"category":                  "kube-audit",
	"protoPayload.serviceName":  "k8s.io",
	"protoPayload.methodName":   "io.k8s.core.v1.pods.exec.create",
	"protoPayload.resourceName": "core/v1/namespaces/shop/pods/web-0/exec",
	"protoPayload.authenticationInfo.principalEmail":       "dev@example.com",
	"protoPayload.requestMetadata.callerIp":                "203.0.113.9",
	"protoPayload.requestMetadata.callerSuppliedUserAgent": "kubectl/v1.31.1 (darwin/arm64) kubernetes/948afe5",
	"protoPayload.status.code":                             7,
	"protoPayload.status.message":                          "PERMISSION_DENIED",
	"protoPayload.request.spec.group{}":                    []string{"system:serviceaccounts", "system:authenticated"},
}

// everyMember builds a record in which every member of a scope has a
// value, from the table itself: an audit event, a GKE entry, or an Azure
// record (which also carries the subscription members: the record scope
// is one) wrapping an ordinary event.
func everyMember(t *testing.T, scope audit.Scope) obj {
	var ev obj
	switch scope {
	case audit.ScopeEvent:
		ev = with(baseEvent(), obj{
			"user": obj{"username": "system:serviceaccount:shop:app", "uid": "u-1",
				"groups": []string{"system:serviceaccounts", "system:authenticated"}},
			"impersonatedUser": obj{"username": "alice"},
			"objectRef":        obj{"resource": "pods", "subresource": "exec", "namespace": "shop", "name": "app-1", "apiGroup": "", "apiVersion": "v1"},
			"responseStatus":   obj{"code": 101, "status": "Success", "reason": "Upgraded", "message": "ok"},
		})
	case audit.ScopeRecord:
		inner, err := json.Marshal(baseEvent())
		if err != nil {
			t.Fatal(err)
		}
		ev = obj{"properties": obj{"log": string(inner)}}
	default:
		ev = obj{}
	}
	for _, m := range audit.Members {
		if m.Scope != scope || slices.Contains([]string{"kind", "apiVersion"}, m.Name) {
			continue
		}
		v, ok := scopeValues[m.Name]
		if !ok {
			switch m.Kind {
			case audit.KindString:
				if existing := lookupPath(ev, m.Path); existing != nil {
					continue
				}
				v = "v-" + m.Path[len(m.Path)-1]
			case audit.KindFirst:
				v = []string{"v-" + m.Path[len(m.Path)-1]}
			case audit.KindList:
				if existing := lookupPath(ev, m.Path); existing != nil {
					continue
				}
				v = []string{"a-" + m.Name, "b-" + m.Name}
			case audit.KindInt, audit.KindNumber:
				if existing := lookupPath(ev, m.Path); existing != nil {
					continue
				}
				v = 418
			}
		}
		setPath(ev, m.Path, v)
	}
	// A JSON round trip gives the shape json.Unmarshal gives the samples.
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var out obj
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func lookupPath(m obj, path []string) any {
	var cur any = m
	for _, p := range path {
		o, ok := cur.(obj)
		if !ok {
			return nil
		}
		cur = o[p]
	}
	return cur
}

func setPath(m obj, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(obj)
		if !ok {
			next = obj{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// TestMemberNames checks every Splunk name of every member against
// Splunk's flattening of a record holding each of them, in each wrapper.
func TestMemberNames(t *testing.T) {
	fields := rec{}
	splunkFields(everyMember(t, audit.ScopeEvent), "", fields)
	gke := everyMember(t, audit.ScopeGKE)
	splunkFields(gke, "", fields)
	splunkFields(obj{"data": gke}, "", fields)
	aks := everyMember(t, audit.ScopeRecord)
	splunkFields(aks, "", fields)
	splunkFields(obj{"body": aks}, "", fields)
	var missing []string
	for _, m := range audit.Members {
		for _, name := range m.Names {
			if _, ok := fields[name]; !ok && m.Name != "kind" && m.Name != "apiVersion" {
				missing = append(missing, name)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("member names the flattened records lack: %v", missing)
	}
}
