package enrich_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/enrich"
)

// TestExtractedFieldsOnly verifies a record without _raw (after | fields
// ...) is enriched from Splunk's extracted fields, and that they win over
// _raw when both are there.
func TestExtractedFieldsOnly(t *testing.T) {
	tables := shippedTables(t)
	r := rec{
		"user.username": {"system:anonymous"}, "user.groups{}": {"system:unauthenticated"}, "verb": {"list"},
		"objectRef.resource": {"pods"}, "requestURI": {"/api/v1/pods"}, "sourceIPs{}": {"203.0.113.9", "10.0.0.1"},
		"responseStatus.code": {"403"}, "responseStatus.reason": {"Forbidden"}, "userAgent": {"curl/8.5.0"},
		"annotations.authorization.k8s.io/decision": {"forbid"}, "stage": {"ResponseComplete"},
		"source": {"eu-west-1:/aws/eks/c1/cluster:kube-apiserver-audit-aa"},
	}
	out, prob := enrichWith(t, tables, r)
	if prob != nil {
		t.Fatal(prob)
	}
	for f, want := range map[string]string{
		"k8s_user_kind": "anonymous", "src_ip": "203.0.113.9", "k8s_src_ip_conn": "10.0.0.1", "k8s_outcome": "denied",
		"k8s_ua_tool": "curl", "k8s_detections": "Amazon EKS Kubernetes Pod scan detection,Amazon EKS Kubernetes cluster scan detection,Kubernetes AWS detect suspicious kubectl calls",
		"k8s_detections_partial": "Kubernetes Access Scanning,Kubernetes Scanning by Unauthenticated IP Address", "eks_cluster_name": "c1", "k8s_is_final": "true",
		"k8s_truncated": "", "k8s_sa_legacy_token": "",
	} {
		if got := field(out, f); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	// Extracted fields win: an eval'd user.username is what the search sees.
	raw := rawRec(t, with(baseEvent(), obj{"user": user("system:anonymous", "system:unauthenticated")}))
	raw["user.username"] = []string{"someone"}
	raw["user.groups{}"] = []string{"devs"}
	out, _ = enrichWith(t, tables, raw)
	if got := field(out, "k8s_user"); got != "someone" {
		t.Errorf("k8s_user = %q, want the extracted value", got)
	}
	if got := field(out, "k8s_sa_pod_name"); got != "" {
		t.Errorf("k8s_sa_pod_name = %q from a non-service-account", got)
	}
}

// TestTruncatedRecord verifies a record CloudWatch cut is enriched from
// what arrived, flagged, and reported.
func TestTruncatedRecord(t *testing.T) {
	// The apiserver writes requestObject late in the event: a cut falls in
	// it and every member before survives.
	b, _ := json.Marshal(with(baseEvent(), obj{"user": anon, "requestURI": "/api/v1/pods", "objectRef": ref("pods", "", "")}))
	text := string(b[:len(b)-1]) + `,"requestObject":{"kind":"Pod","spec":{"containers":[{"name":"` + strings.Repeat("x", 300) + `"}]}}}`
	cut := text[:len(text)-100] + audit.TruncatedMarker
	out, prob := enrichWith(t, shippedTables(t), rec{"_raw": {cut}})
	if prob == nil || prob.Kind != enrich.ProblemTruncated {
		t.Fatalf("problem %v, want a truncated report", prob)
	}
	if field(out, "k8s_truncated") != "true" || field(out, "k8s_user_kind") != "anonymous" || field(out, "k8s_detections") == "" {
		t.Errorf("truncated record: truncated %q kind %q detections %q", field(out, "k8s_truncated"), field(out, "k8s_user_kind"), field(out, "k8s_detections"))
	}
}

// TestEventListRecord verifies one row holding an EventList is enriched
// from its first item, counted, and reported.
func TestEventListRecord(t *testing.T) {
	first := with(baseEvent(), obj{"user": user("system:node:n1", "system:nodes")})
	b, _ := json.Marshal(obj{"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": []obj{first, baseEvent(), baseEvent()}})
	out, prob := enrichWith(t, shippedTables(t), rec{"_raw": {string(b)}})
	if prob == nil || prob.Kind != enrich.ProblemSeveralEvents || !strings.Contains(prob.Error(), "3 events") {
		t.Fatalf("problem %v, want a report of several events", prob)
	}
	if field(out, "k8s_user_kind") != "node" || field(out, "k8s_event_count") != "3" {
		t.Errorf("kind %q count %q", field(out, "k8s_user_kind"), field(out, "k8s_event_count"))
	}
	b, _ = json.Marshal(obj{"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": []obj{first}})
	if out, prob := enrichWith(t, shippedTables(t), rec{"_raw": {string(b)}}); field(out, "k8s_event_count") != "1" || prob != nil {
		t.Errorf("a list of one: count %q, problem %v; want 1 and none", field(out, "k8s_event_count"), prob)
	}
}

// TestNotAuditRecords verifies records that are not audit events report
// a problem, keep the EKS context, and get nothing else.
func TestNotAuditRecords(t *testing.T) {
	for _, raw := range []string{"{not json", `time="2026-11-20T09:00:00Z" level=info msg="access granted"`, `{"hello":"world"}`, `{"kind":"EventList","items":[]}`, `{"kind":0}`} {
		out, prob := enrichWith(t, shippedTables(t), rec{"_raw": {raw}, "source": {"us-east-1:/aws/eks/c/cluster:authenticator-1"}})
		if prob == nil || prob.Kind != enrich.ProblemNotAudit || !errors.Is(prob, prob.Err) {
			t.Errorf("%q: problem %v", raw, prob)
		}
		if field(out, "eks_log_type") != "authenticator" || field(out, "k8s_user_kind") != "" || field(out, "k8s_detections") != "" {
			t.Errorf("%q: got %q %q", raw, field(out, "eks_log_type"), field(out, "k8s_user_kind"))
		}
	}
	out, prob := enrichWith(t, shippedTables(t), rec{"host": {"h"}})
	if prob != nil {
		t.Errorf("empty record: problem %v", prob)
	}
	for _, f := range enrich.Catalogue {
		if got := out.Get(f.ID); got != nil {
			t.Errorf("empty record: %s = %q", f.Name, got)
		}
	}
}

// TestVocabularies verifies that over every test event each classifying
// field holds a value of its vocabulary and each flag true or false.
func TestVocabularies(t *testing.T) {
	tables := shippedTables(t)
	var events []obj
	for _, cs := range detectionCases() {
		for _, c := range cs {
			events = append(events, c.ev)
		}
	}
	for _, cs := range falcoCases() {
		for _, c := range cs {
			events = append(events, c.ev)
		}
	}
	for _, ev := range events {
		out, _ := enrichWith(t, tables, rawRec(t, ev, "us-east-1:/aws/eks/c/cluster:kube-apiserver-audit-1"))
		for _, f := range enrich.Catalogue {
			for _, v := range out.Get(f.ID) {
				switch f.Kind {
				case enrich.KindEnum:
					if !slices.Contains(f.Values, v) {
						t.Errorf("%s = %q, not in %q", f.Name, v, f.Values)
					}
				case enrich.KindBool:
					if v != "true" && v != "false" {
						t.Errorf("%s = %q, not a flag", f.Name, v)
					}
				}
			}
			if !f.Multi() && len(out.Get(f.ID)) > 1 {
				t.Errorf("%s holds %d values but is not multivalue", f.Name, len(out.Get(f.ID)))
			}
		}
	}
}

// TestCatalogue verifies every field is declared with a unique name, a
// group, a kind and a description, and enums have a vocabulary.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for i, f := range enrich.Catalogue {
		if f.ID != enrich.FieldID(i) || f.Name == "" || f.Group == "" || f.Desc == "" || f.Kind == "" || seen[f.Name] || (f.Kind == enrich.KindEnum) != (len(f.Values) > 0) {
			t.Errorf("field %d: %+v", i, f)
		}
		if !slices.Contains(enrich.Groups, f.Group) {
			t.Errorf("%s: unknown group %q", f.Name, f.Group)
		}
		seen[f.Name] = true
	}
}

// TestEnrich_OtherCloudAuditLogsEntries verifies an entry of another
// Google Cloud service is no audit event whether it comes as _raw or as
// Splunk's extracted fields.
func TestEnrich_OtherCloudAuditLogsEntries(t *testing.T) {
	entry := obj{"protoPayload": obj{"serviceName": "compute.googleapis.com", "methodName": "v1.compute.instances.list",
		"authenticationInfo": obj{"principalEmail": "dev@example.com"}, "requestMetadata": obj{"callerIp": "203.0.113.9"}},
		"resource": obj{"type": "gce_instance", "labels": obj{"project_id": "p"}}}
	extracted := rec{}
	splunkFields(entry, "", extracted)
	for name, r := range map[string]rec{"_raw": rawRec(t, entry), "extracted fields": extracted} {
		out, prob := enrichWith(t, shippedTables(t), r)
		if prob == nil || prob.Kind != enrich.ProblemNotAudit {
			t.Errorf("%s: problem %v, want %s", name, prob, enrich.ProblemNotAudit)
		}
		if v := field(out, "k8s_platform"); v != "" {
			t.Errorf("%s: k8s_platform %q", name, v)
		}
	}
}

// TestEnrich_EnvelopeOfAnUnreadableEvent verifies a wrapper whose event
// cannot be read still names the cluster: the record passes through with
// its platform and cluster, and the problem.
func TestEnrich_EnvelopeOfAnUnreadableEvent(t *testing.T) {
	rec := aksRecord("kube-audit", obj{})
	rec["properties"].(obj)["log"] = `{"kind":"Event","verb":"get",` // cut short
	out, prob := enrichWith(t, shippedTables(t), rawRec(t, rec))
	if prob == nil || prob.Kind != enrich.ProblemNotAudit {
		t.Errorf("problem %v, want %s", prob, enrich.ProblemNotAudit)
	}
	if p, c := field(out, "k8s_platform"), field(out, "k8s_cluster"); p != "aks" || c == "" {
		t.Errorf("platform %q cluster %q, want aks and the managed cluster's name", p, c)
	}
	if v := field(out, "k8s_user_kind"); v != "" {
		t.Errorf("k8s_user_kind %q of an event never read", v)
	}
}

// TestEnrich_GKEServicesAndMethodOnly verifies a GKE entry's service type
// is read from its request body, and that an entry without a resource
// name still names the resource its method does.
func TestEnrich_GKEServicesAndMethodOnly(t *testing.T) {
	tables := shippedTables(t)
	for typ, sens := range map[string]string{"NodePort": "high", "LoadBalancer": "high"} {
		rec := gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.services.create", "protoPayload>resourceName": "core/v1/namespaces/shop/services/web",
			"protoPayload>request": obj{"@type": "core.k8s.io/v1.Service", "kind": "Service", "spec": obj{"type": typ, "ports": []obj{{"port": 80, "nodePort": 30080}}}}})
		out, _ := enrichWith(t, tables, rawRec(t, rec))
		if got := field(out, "k8s_service_type"); got != typ {
			t.Errorf("%s: k8s_service_type %q", typ, got)
		}
		if got := field(out, "k8s_resource_sensitivity"); got != sens {
			t.Errorf("%s: k8s_resource_sensitivity %q, want %s", typ, got, sens)
		}
	}
	rec := gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.componentstatuses.list", "protoPayload>resourceName": nil})
	out, _ := enrichWith(t, tables, rawRec(t, rec))
	if got := field(out, "k8s_resource"); got != "componentstatuses" {
		t.Errorf("no resource name: k8s_resource %q, want componentstatuses", got)
	}
}

// TestEnrich_ExecOfManyWords verifies an exec command is read whatever
// the number of its query parameters (Go's url.ParseQuery stops at
// 10,000 and returns none).
func TestEnrich_ExecOfManyWords(t *testing.T) {
	for _, n := range []int{3, 10_000, 12_000} {
		uri := "/api/v1/namespaces/shop/pods/web-0/exec?container=app&stdin=true&tty=true" + strings.Repeat("&command=a%20b", n)
		ev := with(baseEvent(), obj{"verb": "create", "requestURI": uri, "objectRef": obj{"resource": "pods", "subresource": "exec", "namespace": "shop", "name": "web-0"}})
		out, _ := enrichWith(t, shippedTables(t), rawRec(t, ev))
		if got := field(out, "k8s_exec_command"); len(got) != n*4-1 || field(out, "k8s_exec_container") != "app" || field(out, "k8s_exec_tty") != "true" {
			t.Errorf("%d words: command of %d bytes, container %q, tty %q", n, len(got), field(out, "k8s_exec_container"), field(out, "k8s_exec_tty"))
		}
	}
}
