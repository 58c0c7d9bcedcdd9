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
// not need the whole text. Every member of audit.Members is set in the
// first event, so an input read from one path and not the other fails.
func TestInputsBothWays(t *testing.T) {
	events := []obj{everyMember(t)}
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
	for i, ev := range events {
		raw := rawRec(t, ev)
		extracted := rec{}
		splunkFields(ev, "", extracted)
		fromRaw, _ := enrichWith(t, tables, raw)
		fromFields, _ := enrichWith(t, tables, extracted)
		for _, f := range enrich.Catalogue {
			if rawOnly[f.Name] || f.Group == enrich.GroupDetection {
				continue
			}
			a, b := field(fromRaw, f.Name), field(fromFields, f.Name)
			if a != b {
				t.Errorf("event %d: %s = %q from _raw, %q from extracted fields", i, f.Name, a, b)
			}
			if a != "" {
				compared[f.Name] = true
			}
		}
	}
	// The comparison means something only if the fields were filled.
	for _, name := range []string{"k8s_sa_pod_uid", "k8s_sa_node_name", "k8s_sa_credential_id", "aws_arn", "aws_session_name", "k8s_effective_user", "k8s_response_code", "k8s_api_group"} {
		if !compared[name] {
			t.Errorf("%s was empty both ways: the events do not exercise it", name)
		}
	}
}

// everyMember builds an event in which every member kubelens reads has a
// value, from the table itself.
func everyMember(t *testing.T) obj {
	ev := with(baseEvent(), obj{
		"user": obj{"username": "system:serviceaccount:shop:app", "uid": "u-1",
			"groups": []string{"system:serviceaccounts", "system:authenticated"}},
		"impersonatedUser": obj{"username": "alice"},
		"objectRef":        obj{"resource": "pods", "subresource": "exec", "namespace": "shop", "name": "app-1", "apiGroup": "", "apiVersion": "v1"},
		"responseStatus":   obj{"code": 101, "status": "Success", "reason": "Upgraded", "message": "ok"},
	})
	values := map[string]any{
		"user.extra.arn{}":          []string{"arn:aws:iam::111122223333:role/dev"},
		"user.extra.canonicalArn{}": []string{"arn:aws:iam::111122223333:role/dev"},
		"user.extra.principalId{}":  []string{"AROAEXAMPLE"},
		"user.extra.sessionName{}":  []string{"alice"},
		"user.extra.accessKeyId{}":  []string{"ASIAEXAMPLE"},
		"objectRef.apiGroup":        "apps",
		"timestamp":                 "2017-01-02T03:04:05Z",
	}
	for _, m := range audit.Members {
		if slices.Contains([]string{"kind", "apiVersion"}, m.Name) {
			continue
		}
		v, ok := values[m.Name]
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
			case audit.KindInt:
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

// TestMemberNames checks the Splunk names of the members against Splunk's
// flattening of an event holding each of them.
func TestMemberNames(t *testing.T) {
	ev := everyMember(t)
	fields := rec{}
	splunkFields(ev, "", fields)
	var missing []string
	for _, m := range audit.Members {
		if _, ok := fields[m.Name]; !ok && m.Name != "kind" && m.Name != "apiVersion" {
			missing = append(missing, m.Name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("members whose Splunk name the flattened event lacks: %v", missing)
	}
}
