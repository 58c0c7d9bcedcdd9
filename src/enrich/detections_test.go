package enrich_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

var anon = user("system:anonymous", "system:unauthenticated")

// aksRecord wraps an event in an AKS diagnostic record of the category.
func aksRecord(category string, ev obj) obj {
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return obj{"category": category, "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
		"resourceId": "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/SHOP-RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/SHOP-AKS",
		"properties": obj{"log": string(b), "stream": "stdout", "pod": "kube-apiserver-7d9"}, "time": "2026-11-20T09:00:00.0000000Z"}
}

// gkeRecord is a GKE Cloud Audit Logs entry changed by edits (see with),
// as the Splunk Add-on for Google Cloud Platform writes a Pub/Sub message.
func gkeRecord(edits obj) obj {
	entry := with(obj{
		"protoPayload": obj{
			"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "serviceName": "k8s.io",
			"authenticationInfo": obj{"principalEmail": "dev@example.com"},
			"requestMetadata":    obj{"callerIp": "203.0.113.9", "callerSuppliedUserAgent": "kubectl/v1.31.1 (darwin/arm64) kubernetes/948afe5"},
			"methodName":         "io.k8s.core.v1.pods.list", "resourceName": "core/v1/namespaces/shop/pods",
			"status": obj{"code": 0},
		},
		"resource":  obj{"type": "k8s_cluster", "labels": obj{"project_id": "acme-prod", "location": "europe-west1", "cluster_name": "shop-1"}},
		"labels":    obj{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": `RBAC: allowed by ClusterRoleBinding "dev" of ClusterRole "view" to User "dev@example.com"`},
		"operation": obj{"id": "5c1b7e2a-0d44-4c1e-9d0a-2f6a1b3c4d5e", "producer": "k8s.io", "first": true, "last": true},
		"timestamp": "2026-11-20T09:00:00.123456Z",
	}, edits)
	return obj{"data": entry, "publish_time": 1795165200.5, "attributes": obj{}}
}

func forbidden(code int, reason string) obj {
	return obj{"code": code, "reason": reason, "status": "Failure"}
}

// detectionCase is an event that must (or must not) match a detection.
type detectionCase struct {
	name  string
	ev    obj
	match bool
}

// detectionCases holds, for every detection, an event that matches it and
// a near miss that must not.
func detectionCases() map[string][]detectionCase {
	b := baseEvent()
	secretGet := with(b, obj{"verb": "get", "objectRef": ref("secrets", "shop", "db"), "user": user("bob", "devs"), "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"})
	podCreate := func(ns string, extra obj) obj {
		return with(b, obj{"verb": "create", "objectRef": ref("pods", ns, "p"), "requestObject": extra})
	}
	lastApplied := func(spec string) obj {
		return obj{"metadata": obj{"annotations": obj{"kubectl.kubernetes.io/last-applied-configuration": spec}}}
	}
	return map[string][]detectionCase{
		"Amazon EKS Kubernetes Pod scan detection": {
			{"anonymous lists every pod", with(b, obj{"user": anon, "requestURI": "/api/v1/pods", "objectRef": ref("pods", "", "")}), true},
			{"upper-case verb still matches as in SPL", with(b, obj{"user": anon, "verb": "LIST", "requestURI": "/api/v1/pods", "objectRef": ref("pods", "", "")}), true},
			{"a query string is another URI", with(b, obj{"user": anon, "requestURI": "/api/v1/pods?limit=500", "objectRef": ref("pods", "", "")}), false},
			{"a namespaced listing", with(b, obj{"user": anon, "requestURI": "/api/v1/namespaces/shop/pods", "objectRef": ref("pods", "shop", "")}), false},
			{"not anonymous", with(b, obj{"requestURI": "/api/v1/pods", "objectRef": ref("pods", "", "")}), false},
		},
		"Amazon EKS Kubernetes cluster scan detection": {
			{"anonymous with curl", with(b, obj{"user": anon, "userAgent": "curl/8.5.0"}), true},
			{"AWS's own scanner", with(b, obj{"user": anon, "userAgent": "AWS Security Scanner"}), false},
			{"no user agent: != needs the field", with(b, obj{"user": anon, "userAgent": nil}), false},
		},
		"Kubernetes AWS detect suspicious kubectl calls": {
			{"anonymous and unauthenticated", with(b, obj{"user": anon}), true},
			{"the same event in an AKS record: its SPL reads native events", aksRecord("kube-audit", with(b, obj{"user": anon})), false},
			{"unauthenticated group, other name", with(b, obj{"user": user("probe", "system:unauthenticated")}), false},
			{"anonymous name without the group", with(b, obj{"user": user("system:anonymous", "system:authenticated")}), false},
		},
		"Kubernetes Access Scanning": {
			{"unauthenticated 403", with(b, obj{"user": anon, "responseStatus": forbidden(403, "Forbidden")}), true},
			{"unauthenticated 401", with(b, obj{"user": anon, "responseStatus": forbidden(401, "Unauthorized")}), false},
		},
		"Kubernetes Scanning by Unauthenticated IP Address": {
			{"unauthenticated 403", with(b, obj{"user": anon, "responseStatus": forbidden(403, "Forbidden")}), true},
			{"authenticated 403", with(b, obj{"responseStatus": forbidden(403, "Forbidden")}), false},
		},
		"Kubernetes Unauthorized Access": {
			{"forbidden create", with(b, obj{"verb": "create", "responseStatus": forbidden(403, "Forbidden")}), true},
			{"forbidden get", with(b, obj{"verb": "get", "responseStatus": forbidden(403, "Forbidden")}), false},
		},
		"Kubernetes Abuse of Secret by Unusual Location": {
			{"secret get", secretGet, true},
			{"secret list", with(secretGet, obj{"verb": "list"}), false},
		},
		"Kubernetes Abuse of Secret by Unusual User Agent": {
			{"secret get with kubectl", secretGet, true},
			{"secret get without a user agent", with(secretGet, obj{"userAgent": nil}), true},
			{"trusted user agent", with(secretGet, obj{"userAgent": "Helm/3.13.2"}), false},
		},
		"Kubernetes Abuse of Secret by Unusual User Group": {
			{"secret get by devs", secretGet, true},
			{"trusted group", with(secretGet, obj{"user": user("bob", "admin")}), false},
		},
		"Kubernetes Abuse of Secret by Unusual User Name": {
			{"secret get by bob", secretGet, true},
			{"trusted user, any case", with(secretGet, obj{"user": user("ADMIN", "devs")}), false},
		},
		"Kubernetes Create or Update Privileged Pod": {
			{"kubectl apply of a privileged pod", podCreate("shop", lastApplied(`{"spec":{"containers":[{"securityContext":{"privileged":true}}]}}`)), true},
			{"update", with(podCreate("shop", lastApplied(`{"privileged":true}`)), obj{"verb": "update"}), true},
			{"privileged without kubectl's annotation: the SPL cannot see it", podCreate("shop", podObj(obj{"containers": []obj{{"name": "a", "image": "x", "securityContext": obj{"privileged": true}}}})), false},
			{"patch is not in the SPL", with(podCreate("shop", lastApplied(`{"privileged":true}`)), obj{"verb": "patch"}), false},
		},
		"Kubernetes Pod With Host Network Attachment": {
			{"kubectl apply with hostNetwork", podCreate("shop", lastApplied(`{"spec":{"hostNetwork":true}}`)), true},
			{"hostNetwork false", podCreate("shop", lastApplied(`{"spec":{"hostNetwork":false}}`)), false},
		},
		"Kubernetes Pod Created in Default Namespace": {
			{"default", podCreate("default", nil), true},
			{"kube-public", podCreate("kube-public", nil), true},
			{"user namespace", podCreate("shop", nil), false},
		},
		"Kubernetes Node Port Creation": {
			{"NodePort", with(b, obj{"verb": "create", "objectRef": ref("services", "shop", "s"), "requestObject": obj{"spec": obj{"type": "NodePort"}}}), true},
			{"LoadBalancer", with(b, obj{"verb": "create", "objectRef": ref("services", "shop", "s"), "requestObject": obj{"spec": obj{"type": "LoadBalancer"}}}), false},
		},
		"Kubernetes Cron Job Creation": {
			{"create", with(b, obj{"verb": "create", "objectRef": ref("cronjobs", "shop", "c")}), true},
			{"update", with(b, obj{"verb": "update", "objectRef": ref("cronjobs", "shop", "c")}), false},
		},
		"Kubernetes DaemonSet Deployed": {
			{"create", with(b, obj{"verb": "create", "objectRef": ref("daemonsets", "kube-system", "d")}), true},
			{"patch", with(b, obj{"verb": "patch", "objectRef": ref("daemonsets", "kube-system", "d")}), false},
		},
		"Kubernetes Suspicious Image Pulling": {
			{"pulling an unknown image", with(b, obj{"verb": "create", "objectRef": ref("events", "shop", "miner-7d9.17a"), "requestObject": obj{"message": `Pulling image "203.0.113.9:5000/miner"`}}), true},
			{"pulling an allowed image", with(b, obj{"verb": "create", "objectRef": ref("events", "falco", "falco-x2k.17a"), "requestObject": obj{"message": `Pulling image "falcosecurity/falco:0.39"`}}), false},
			{"another kubelet event", with(b, obj{"verb": "create", "objectRef": ref("events", "shop", "miner-7d9.17a"), "requestObject": obj{"message": "Started container miner"}}), false},
		},
		"AWS EKS Kubernetes cluster sensitive object access": {
			{"secret read from the network", with(b, obj{"verb": "get", "objectRef": ref("secrets", "shop", "db")}), true},
			{"configmaps as a bare term", b, true},
			{"only from loopback", with(b, obj{"sourceIPs": []string{"127.0.0.1"}}), false},
			{"pods", with(b, obj{"requestURI": "/api/v1/namespaces/shop/pods", "objectRef": ref("pods", "shop", "")}), false},
		},
		"Kubernetes AWS detect sensitive role access": {
			{"cluster role read", with(b, obj{"verb": "get", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", "objectRef": ref("clusterroles", "", "admin")}), true},
			{"role read", with(b, obj{"verb": "get", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles/app", "objectRef": ref("roles", "shop", "app")}), false},
		},
		"Kubernetes AWS detect service accounts forbidden failure access": {
			{"service account failure", with(b, obj{"responseStatus": forbidden(403, "Forbidden")}), true},
			{"user failure", with(b, obj{"user": user("bob", "devs"), "responseStatus": forbidden(403, "Forbidden")}), false},
		},
		"Kubernetes AWS detect most active service accounts by pod": {
			{"service account on pods", with(b, obj{"objectRef": ref("pods", "shop", "")}), true},
			{"service account on config maps", b, false},
		},
		"Kubernetes AWS detect RBAC authorization by account": {
			{"RBAC reason", b, true},
			{"no reason", with(b, obj{"annotations>authorization.k8s.io/reason": ""}), false},
		},
		"Kubernetes Azure active service accounts by pod namespace": {
			{"a service account", aksRecord("kube-audit", with(b, obj{"annotations>authorization.k8s.io/decision": "forbid"})), true},
			{"an allowed user", aksRecord("kube-audit", with(b, obj{"user": user("bob", "devs")})), true},
			{"a refused user", aksRecord("kube-audit", with(b, obj{"user": user("bob", "devs"), "annotations>authorization.k8s.io/decision": "forbid"})), false},
			{"category kube-audit-admin", aksRecord("kube-audit-admin", b), false},
			{"a native event", b, false},
		},
		"Kubernetes Azure detect RBAC authorization by account": {
			{"RBAC reason", aksRecord("kube-audit", b), true},
			{"no reason", aksRecord("kube-audit", with(b, obj{"annotations>authorization.k8s.io/reason": ""})), false},
		},
		"Kubernetes Azure detect sensitive object access": {
			{"allowed secret read", aksRecord("kube-audit", secretGet), true},
			{"configmaps as a bare term", aksRecord("kube-audit", b), true},
			{"refused secret read", aksRecord("kube-audit", with(secretGet, obj{"annotations>authorization.k8s.io/decision": "forbid"})), false},
			{"allowed pod read", aksRecord("kube-audit", with(b, obj{"requestURI": "/api/v1/namespaces/shop/pods", "objectRef": ref("pods", "shop", "")})), false},
		},
		"Kubernetes Azure detect sensitive role access": {
			{"cluster role read", aksRecord("kube-audit", with(b, obj{"verb": "get", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", "objectRef": ref("clusterroles", "", "admin")})), true},
			{"role read", aksRecord("kube-audit", with(b, obj{"verb": "get", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles/app", "objectRef": ref("roles", "shop", "app")})), false},
		},
		"Kubernetes Azure detect service accounts forbidden failure access": {
			{"service account forbidden", aksRecord("kube-audit", with(b, obj{"responseStatus": forbidden(403, "Forbidden")})), true},
			{"user forbidden", aksRecord("kube-audit", with(b, obj{"user": user("bob", "devs"), "responseStatus": forbidden(403, "Forbidden")})), false},
		},
		"Kubernetes Azure detect suspicious kubectl calls": {
			{"kubectl from the network", aksRecord("kube-audit", secretGet), true},
			{"kubectl from loopback", aksRecord("kube-audit", with(secretGet, obj{"sourceIPs": []string{"127.0.0.1"}})), false},
			{"a controller", aksRecord("kube-audit", b), false},
		},
		"Kubernetes Azure pod scan fingerprint": {
			{"unauthenticated 401", aksRecord("kube-audit", with(b, obj{"user": anon, "responseStatus": forbidden(401, "Unauthorized")})), true},
			{"a native 401", with(b, obj{"user": anon, "responseStatus": forbidden(401, "Unauthorized")}), false},
		},
		"Kubernetes Azure scan fingerprint": {
			{"unauthenticated 401", aksRecord("kube-audit", with(b, obj{"user": anon, "responseStatus": forbidden(401, "Unauthorized")})), true},
			{"403", aksRecord("kube-audit", with(b, obj{"user": anon, "responseStatus": forbidden(403, "Forbidden")})), false},
		},
		"GCP Kubernetes cluster pod scan detection": {
			{"an AKS 401, as its SPL reads", aksRecord("kube-audit", with(b, obj{"user": anon, "responseStatus": forbidden(401, "Unauthorized")})), true},
			{"a GKE 401", gkeRecord(obj{"protoPayload>status": obj{"code": 16, "message": "UNAUTHENTICATED"}}), false},
		},
		"GCP Kubernetes cluster scan detection": {
			{"anonymous refused from the internet", gkeRecord(obj{"protoPayload>authenticationInfo": obj{"principalEmail": "system:anonymous"}, "protoPayload>status": obj{"code": 7, "message": "PERMISSION_DENIED"}, "labels>authorization.k8s.io/decision": "forbid"}), true},
			{"anonymous refused from loopback", gkeRecord(obj{"protoPayload>authenticationInfo": obj{"principalEmail": "system:anonymous"}, "protoPayload>status": obj{"code": 7, "message": "PERMISSION_DENIED"}, "labels>authorization.k8s.io/decision": "forbid", "protoPayload>requestMetadata": obj{"callerIp": "::1"}}), false},
			{"a user refused", gkeRecord(obj{"protoPayload>status": obj{"code": 7, "message": "PERMISSION_DENIED"}, "labels>authorization.k8s.io/decision": "forbid"}), false},
		},
		"Kubernetes GCP detect most active service accounts by pod": {
			{"a token review of a service account", gkeRecord(obj{"protoPayload>methodName": "io.k8s.authentication.v1.tokenreviews.create", "protoPayload>resourceName": "authentication.k8s.io/v1/tokenreviews", "protoPayload>request": obj{"spec": obj{"group": []string{"system:serviceaccounts", "system:authenticated"}}}}), true},
			{"a pod listing", gkeRecord(nil), false},
		},
		"Kubernetes GCP detect RBAC authorizations by account": {
			{"an RBAC reason naming a ClusterRole", gkeRecord(nil), true},
			{"granted by IAM", gkeRecord(obj{"labels>authorization.k8s.io/reason": "access granted by IAM permissions."}), false},
		},
		"Kubernetes GCP detect sensitive object access": {
			{"a secret read", gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.secrets.get", "protoPayload>resourceName": "core/v1/namespaces/shop/secrets/db"}), true},
			{"a pod listing", gkeRecord(nil), false},
			{"a native secret read", secretGet, false},
		},
	}
}

// TestDetections runs every detection's cases and checks every detection
// has at least one matching and one non-matching event.
func TestDetections(t *testing.T) {
	tables := shippedTables(t)
	cases := detectionCases()
	for _, d := range enrich.Detections {
		cs := cases[d.Name]
		pos := slices.ContainsFunc(cs, func(c detectionCase) bool { return c.match })
		neg := slices.ContainsFunc(cs, func(c detectionCase) bool { return !c.match })
		if !pos || !neg {
			t.Errorf("%s: needs an event that matches and one that must not", d.Name)
		}
		listField := "k8s_detections"
		if d.Partial {
			listField = "k8s_detections_partial"
		}
		for _, c := range cs {
			out, prob := enrichWith(t, tables, rawRec(t, c.ev))
			if prob != nil {
				t.Fatalf("%s / %s: %v", d.Name, c.name, prob)
			}
			got := slices.Contains(out.Get(fieldID(listField)), d.Name)
			if got != c.match {
				t.Errorf("%s / %s: in %s = %v, want %v", d.Name, c.name, listField, got, c.match)
			}
			if !d.Partial && got != slices.Contains(out.Get(fieldID("k8s_detection_ids")), d.ID) {
				t.Errorf("%s / %s: k8s_detection_ids does not follow k8s_detections", d.Name, c.name)
			}
		}
	}
	for name := range cases {
		if !slices.ContainsFunc(enrich.Detections, func(d enrich.Detection) bool { return d.Name == name }) {
			t.Errorf("cases for unknown detection %q", name)
		}
	}
}

func fieldID(name string) enrich.FieldID {
	f, ok := enrich.FieldByName(name)
	if !ok {
		panic(name)
	}
	return f.ID
}

// TestRisk verifies the risk model: the top signal's score, message,
// risk and threat objects, every matched signal listed, and the ATT&CK
// ids of all of them.
func TestRisk(t *testing.T) {
	tables := shippedTables(t)
	b := baseEvent()
	check := func(name string, out *enrich.Output, want map[string]string) {
		t.Helper()
		for f, w := range want {
			if got := field(out, f); got != w {
				t.Errorf("%s: %s = %q, want %q", name, f, got, w)
			}
		}
	}
	// The pod scan seed, refused: only security content's hunts match.
	scan := with(b, obj{"user": anon, "requestURI": "/api/v1/pods", "objectRef": ref("pods", "", ""), "userAgent": "AWS Security Scanner", "sourceIPs": []string{"203.0.113.45"},
		"responseStatus": forbidden(403, "Forbidden"), "annotations>authorization.k8s.io/decision": "forbid"})
	out, _ := enrichWith(t, tables, rawRec(t, scan, "us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-1"))
	check("pod scan", out, map[string]string{
		"k8s_detections":    "Amazon EKS Kubernetes Pod scan detection,Kubernetes AWS detect suspicious kubectl calls",
		"k8s_detection_ids": "dbfca1dd-b8e5-4ba4-be0e-e565e5d62002,042a3d32-8318-4763-9679-09db2644a8f2",
		"k8s_findings":      "",
		"k8s_risk_signals":  "escu:dbfca1dd-b8e5-4ba4-be0e-e565e5d62002,escu:042a3d32-8318-4763-9679-09db2644a8f2",
		"k8s_risk_score":    "25",
		"k8s_risk_message":  "Anonymous listing of every pod of cluster prod from 203.0.113.45",
		"k8s_risk_object":   "system:anonymous", "k8s_risk_object_type": "user",
		"k8s_threat_object": "203.0.113.45", "k8s_threat_object_type": "ip_address",
		"mitre_technique_id": "T1526",
	})
	// The same listing allowed: the anonymous_access finding (70) beats
	// the hunts, and Falco's rule adds its technique.
	out, _ = enrichWith(t, tables, rawRec(t, with(scan, obj{"responseStatus": obj{"code": 200}, "annotations>authorization.k8s.io/decision": "allow"}), "us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-1"))
	check("allowed pod scan", out, map[string]string{
		"k8s_findings":       "anonymous_access",
		"k8s_risk_signals":   "escu:dbfca1dd-b8e5-4ba4-be0e-e565e5d62002,escu:042a3d32-8318-4763-9679-09db2644a8f2,kubelens:anonymous_access,falco:Anonymous Request Allowed",
		"k8s_risk_score":     "70",
		"k8s_risk_message":   "Anonymous list /api/v1/pods allowed on cluster prod from 203.0.113.45",
		"mitre_technique_id": "T1526,T1078.001,T1078",
	})
	// A DaemonSet in kube-system by a person: the finding (50) beats the
	// security content anomaly (49).
	out, _ = enrichWith(t, tables, rawRec(t, with(b, obj{"verb": "create", "requestURI": "/apis/apps/v1/namespaces/kube-system/daemonsets", "objectRef": ref("daemonsets", "kube-system", "d"), "sourceIPs": []string{"198.51.100.3"}, "user": user("bob", "devs")})))
	check("daemonset", out, map[string]string{
		"k8s_detections": "Kubernetes DaemonSet Deployed", "k8s_findings": "system_namespace_workload",
		"k8s_risk_score": "50", "k8s_risk_message": "Workload kube-system/d (daemonsets) written in a system namespace by bob from 198.51.100.3",
		"k8s_threat_object": "198.51.100.3", "mitre_technique_id": "T1204,T1036.005,T1610",
	})
	// Nothing scores: a plain read by a person. Falco's Disallowed K8s
	// User matches (a sample allow-list) but ships unscored.
	out, _ = enrichWith(t, tables, rawRec(t, with(b, obj{"verb": "get", "requestURI": "/api/v1/namespaces/shop/pods/p", "objectRef": ref("pods", "shop", "p"), "user": user("bob", "devs"), "annotations": obj{"authorization.k8s.io/decision": "allow"}})))
	check("plain read", out, map[string]string{
		"k8s_falco_rules": "Disallowed K8s User", "k8s_risk_signals": "falco:Disallowed K8s User",
		"k8s_detections": "", "k8s_findings": "", "k8s_risk_score": "", "k8s_risk_message": "", "k8s_risk_object": "", "k8s_threat_object": "", "mitre_technique_id": "",
	})
}

// TestRiskModelRows verifies how rows of the lookup change the judgement:
// a signal without a row is listed but scores nothing; a score of 0
// scores nothing; a tie goes to the finding; the risk object follows the
// top signal's row.
func TestRiskModelRows(t *testing.T) {
	row := func(signal, score, riskField, threatField, msg string) enrich.RiskSignal {
		kind, _, _ := strings.Cut(signal, ":")
		r, err := enrich.NewRiskSignal(signal, kind, "t", score, "T1000", riskField, threatField, msg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ev := with(baseEvent(), obj{"verb": "create", "requestURI": "/apis/apps/v1/namespaces/kube-system/daemonsets", "objectRef": ref("daemonsets", "kube-system", "d"), "user": user("bob", "devs"), "sourceIPs": []string{"198.51.100.3"}})
	daemonset := "escu:bf39c3a3-b191-4d42-8738-9d9797bd0c3a"
	cases := []struct {
		name string
		rows []enrich.RiskSignal
		want map[string]string
	}{
		{"no rows", nil, map[string]string{"k8s_risk_signals": daemonset + ",kubelens:system_namespace_workload,falco:Disallowed K8s User", "k8s_risk_score": "", "mitre_technique_id": ""}},
		{"score 0", []enrich.RiskSignal{row(daemonset, "0", "user", "", "m")}, map[string]string{"k8s_risk_score": "", "mitre_technique_id": "T1000"}},
		{"tie: the finding's message", []enrich.RiskSignal{row(daemonset, "60", "user", "", "escu"), row("kubelens:system_namespace_workload", "60", "user", "", "kubelens")},
			map[string]string{"k8s_risk_score": "60", "k8s_risk_message": "kubelens"}},
		{"higher wins", []enrich.RiskSignal{row(daemonset, "61", "k8s_cluster", "", "escu on $k8s_cluster$"), row("kubelens:system_namespace_workload", "60", "user", "src_ip", "kubelens")},
			map[string]string{"k8s_risk_score": "61", "k8s_risk_message": "escu on prod", "k8s_risk_object": "prod", "k8s_risk_object_type": "system", "k8s_threat_object": ""}},
		{"100", []enrich.RiskSignal{row("kubelens:system_namespace_workload", "100", "src_ip", "src_ip", "$user$ $verb$ $k8s_resource$ $k8s_namespace$/$k8s_object$ $http_user_agent$ $requestURI$")},
			map[string]string{"k8s_risk_score": "100", "k8s_risk_object": "198.51.100.3", "k8s_risk_object_type": "system", "k8s_threat_object": "198.51.100.3",
				"k8s_risk_message": "bob create daemonsets kube-system/d app/v1.2.3 (linux/amd64) kubernetes/abcdef0 /apis/apps/v1/namespaces/kube-system/daemonsets"}},
	}
	// The shipped system names make kube-system a system namespace; the
	// risk signals are each case's own.
	names := shippedTables(t)
	for _, tc := range cases {
		tables := enrich.Tables{SystemNamespaces: names.SystemNamespaces, SystemUsers: names.SystemUsers, SystemAPIGroups: names.SystemAPIGroups, RiskSignals: tc.rows}
		out, _ := enrichWith(t, tables, rawRec(t, ev, "us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-1"))
		for f, w := range tc.want {
			if got := field(out, f); got != w {
				t.Errorf("%s: %s = %q, want %q", tc.name, f, got, w)
			}
		}
	}
}

// TestJudgementAsAnAnalyst holds the cases: real danger scores
// high, harmless requests carry no finding.
func TestJudgementAsAnAnalyst(t *testing.T) {
	tables := shippedTables(t)
	// A pod in a user namespace, created from a public IP, privileged,
	// with the host's network and processes and its root directory.
	hostPod := podWrite("create", "shop", obj{"hostNetwork": true, "hostPID": true,
		"containers": ctrs(obj{"privileged": true}), "volumes": []obj{{"name": "host", "hostPath": obj{"path": "/"}}}})
	out, _ := enrichWith(t, tables, rawRec(t, hostPod))
	score := func(out *enrich.Output) int {
		n := 0
		for _, c := range field(out, "k8s_risk_score") {
			n = n*10 + int(c-'0')
		}
		return n
	}
	hostScore := score(out)
	if hostScore < 80 {
		t.Errorf("host-access pod: k8s_risk_score %d, want at least 80 (signals %s)", hostScore, field(out, "k8s_risk_signals"))
	}
	for _, id := range []string{"privileged_workload", "sensitive_mount_workload", "host_namespace_workload"} {
		if !slices.Contains(out.Get(fieldID("k8s_findings")), id) {
			t.Errorf("host-access pod: %s missing from %s", id, field(out, "k8s_findings"))
		}
	}
	// Every plain read, by every kind of principal, scores below it.
	b := baseEvent()
	for _, u := range []obj{bob, user("system:serviceaccount:shop:app", "system:serviceaccounts"), anon, user("admin", "system:masters"), user("system:node:n1", "system:nodes")} {
		for _, verb := range []string{"get", "list", "watch"} {
			for _, res := range []string{"pods", "secrets", "configmaps", "nodes", "clusterroles"} {
				ev := with(b, obj{"user": u, "verb": verb, "stage": "ResponseComplete", "objectRef": ref(res, "shop", ""), "requestURI": "/api/v1/namespaces/shop/" + res + "/x"})
				if verb == "watch" {
					ev["stage"] = "ResponseStarted"
				}
				out, _ := enrichWith(t, tables, rawRec(t, ev))
				if field(out, "k8s_findings") != "" {
					continue // not a plain read
				}
				if s := score(out); s >= hostScore {
					t.Errorf("%s %s by %v: score %d, not below the host-access pod's %d (signals %s)", verb, res, u["username"], s, hostScore, field(out, "k8s_risk_signals"))
				}
			}
		}
	}
	// exec and attach carry only their own finding.
	for _, subresource := range []string{"exec", "attach"} {
		ev := with(b, obj{"user": bob, "verb": "create", "stage": "ResponseStarted", "objectRef": sub("pods", subresource, "default", "p"), "responseStatus": obj{"code": 101}})
		out, _ := enrichWith(t, tables, rawRec(t, ev))
		if got := field(out, "k8s_findings"); got != "exec_session" {
			t.Errorf("create pods/%s: findings %q, want exec_session alone", subresource, got)
		}
		// ESCU's literal SPL still counts it as a pod created in default.
		if !strings.Contains(field(out, "k8s_detections"), "Kubernetes Pod Created in Default Namespace") {
			t.Errorf("create pods/%s: k8s_detections %q lost security content's literal match", subresource, field(out, "k8s_detections"))
		}
	}
	// Eviction and the probes every cluster answers carry no finding.
	quiet := map[string]obj{
		"eviction": with(b, obj{"user": bob, "verb": "create", "objectRef": sub("pods", "eviction", "default", "p"), "responseStatus": created}),
	}
	for _, uri := range []string{"/readyz", "/livez", "/healthz", "/version", "/readyz?verbose", "/version/"} {
		quiet["anonymous GET "+uri] = with(b, obj{"user": anon, "verb": "get", "requestURI": uri, "objectRef": nil, "userAgent": "ELB-HealthChecker/2.0",
			"annotations>authorization.k8s.io/reason": `RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"`})
	}
	for name, ev := range quiet {
		out, _ := enrichWith(t, tables, rawRec(t, ev))
		if got := field(out, "k8s_findings"); got != "" {
			t.Errorf("%s: findings %q, want none", name, got)
		}
	}
}

// falcoCases holds, for every Falco rule, an event that matches it and one
// that must not.
func falcoCases() map[string][]detectionCase {
	b := with(baseEvent(), obj{"user": user("bob", "devs")})
	pod := func(ns string, spec obj) obj {
		return with(b, obj{"verb": "create", "objectRef": ref("pods", ns, "p"), "requestObject": podObj(spec)})
	}
	ctr := func(sc obj) []obj { return []obj{{"name": "a", "image": "ghcr.io/acme/tool:1", "securityContext": sc}} }
	rbac := func(resource, name string, ro obj) obj {
		return with(b, obj{"verb": "create", "objectRef": obj{"resource": resource, "name": name, "apiGroup": "rbac.authorization.k8s.io"}, "requestObject": ro})
	}
	return map[string][]detectionCase{
		"Disallowed K8s User": {
			{"a human", b, true},
			{"a system user", baseEvent(), false},
			{"an EKS identity", with(b, obj{"user": user("eks:addon-manager")}), false},
			{"not the final stage", with(b, obj{"stage": "RequestReceived"}), false},
		},
		"Create Privileged Pod": {
			{"privileged", pod("shop", obj{"containers": ctr(obj{"privileged": true})}), true},
			{"allowed image", pod("shop", obj{"containers": []obj{{"name": "f", "image": "falcosecurity/falco:0.39", "securityContext": obj{"privileged": true}}}}), false},
			{"unprivileged", pod("shop", obj{"containers": ctr(obj{"privileged": false})}), false},
		},
		"Create Sensitive Mount Pod": {
			{"docker socket", pod("shop", obj{"containers": ctr(nil), "volumes": []obj{{"name": "s", "hostPath": obj{"path": "/var/run/docker.sock"}}}}), true},
			{"harmless host path", pod("shop", obj{"containers": ctr(nil), "volumes": []obj{{"name": "s", "hostPath": obj{"path": "/var/log"}}}}), false},
		},
		"Create HostNetwork Pod": {
			{"hostNetwork", pod("shop", obj{"hostNetwork": true, "containers": ctr(nil)}), true},
			{"no hostNetwork", pod("shop", obj{"containers": ctr(nil)}), false},
		},
		"Create HostPid Pod": {
			{"hostPID", pod("shop", obj{"hostPID": true, "containers": ctr(nil)}), true},
			{"no hostPID", pod("shop", obj{"containers": ctr(nil)}), false},
		},
		"Create HostIPC Pod": {
			{"hostIPC", pod("shop", obj{"hostIPC": true, "containers": ctr(nil)}), true},
			{"update is not create", with(pod("shop", obj{"hostIPC": true, "containers": ctr(nil)}), obj{"verb": "update"}), false},
		},
		"Create NodePort Service": {
			{"NodePort", with(b, obj{"verb": "create", "objectRef": ref("services", "shop", "s"), "requestObject": obj{"spec": obj{"type": "NodePort"}}}), true},
			{"ClusterIP", with(b, obj{"verb": "create", "objectRef": ref("services", "shop", "s"), "requestObject": obj{"spec": obj{"type": "ClusterIP"}}}), false},
		},
		"Create/Modify Configmap With Private Credentials": {
			{"password", with(b, obj{"verb": "patch", "objectRef": ref("configmaps", "shop", "c"), "requestObject": obj{"data": obj{"db": "password=hunter2"}}}), true},
			{"plain settings", with(b, obj{"verb": "patch", "objectRef": ref("configmaps", "shop", "c"), "requestObject": obj{"data": obj{"mode": "fast"}}}), false},
		},
		"Anonymous Request Allowed": {
			{"allowed", with(b, obj{"user": anon, "requestURI": "/api/v1/secrets"}), true},
			{"health check", with(b, obj{"user": anon, "requestURI": "/healthz?verbose"}), false},
			{"forbidden", with(b, obj{"user": anon, "annotations>authorization.k8s.io/decision": "forbid"}), false},
		},
		"Attach/Exec Pod": {
			{"exec started", with(b, obj{"verb": "create", "stage": "ResponseStarted", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "exec"}}), true},
			{"attach started", with(b, obj{"verb": "get", "stage": "ResponseStarted", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "attach"}}), true},
			{"exec complete", with(b, obj{"verb": "create", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "exec"}}), false},
		},
		"port-forward": {
			{"port forward", with(b, obj{"verb": "create", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "portforward"}}), true},
			{"log", with(b, obj{"verb": "get", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "log"}}), false},
		},
		"EphemeralContainers Created": {
			{"debug container", with(b, obj{"verb": "patch", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "ephemeralcontainers"}}), true},
			{"status patch", with(b, obj{"verb": "patch", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "p", "subresource": "status"}}), false},
		},
		"Create Disallowed Namespace": {
			{"new namespace", with(b, obj{"verb": "create", "objectRef": ref("namespaces", "", "crypto")}), true},
			{"default", with(b, obj{"verb": "create", "objectRef": ref("namespaces", "", "default")}), false},
		},
		"Pod Created in Kube Namespace": {
			{"kube-system", pod("kube-system", obj{"containers": ctr(nil)}), true},
			{"allowed image", pod("kube-system", obj{"containers": []obj{{"name": "f", "image": "falcosecurity/falco"}}}), false},
			{"default", pod("default", obj{"containers": ctr(nil)}), false},
		},
		"Service Account Created in Kube Namespace": {
			{"unknown account", with(b, obj{"verb": "create", "objectRef": ref("serviceaccounts", "kube-system", "backdoor"), "responseStatus": obj{"code": 201}}), true},
			{"known controller", with(b, obj{"verb": "create", "objectRef": ref("serviceaccounts", "kube-system", "job-controller"), "responseStatus": obj{"code": 201}}), false},
			{"failed", with(b, obj{"verb": "create", "objectRef": ref("serviceaccounts", "kube-system", "backdoor"), "responseStatus": obj{"code": 409}}), false},
		},
		"System ClusterRole Modified/Deleted": {
			{"system role deleted", with(b, obj{"verb": "delete", "objectRef": ref("clusterroles", "", "system:node")}), true},
			{"coredns exempt", with(b, obj{"verb": "patch", "objectRef": ref("clusterroles", "", "system:coredns")}), false},
			{"non-system role", with(b, obj{"verb": "delete", "objectRef": ref("clusterroles", "", "view")}), false},
		},
		"Attach to cluster-admin Role": {
			{"cluster-admin", rbac("clusterrolebindings", "x", obj{"roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}}), true},
			{"view", rbac("clusterrolebindings", "x", obj{"roleRef": obj{"kind": "ClusterRole", "name": "view"}}), false},
		},
		"ClusterRole With Wildcard Created": {
			{"wildcard verbs", rbac("clusterroles", "x", obj{"rules": []obj{{"resources": []string{"pods"}, "verbs": []string{"*"}}}}), true},
			{"no wildcard", rbac("clusterroles", "x", obj{"rules": []obj{{"resources": []string{"pods"}, "verbs": []string{"get"}}}}), false},
		},
		"ClusterRole With Write Privileges Created": {
			{"delete verb", rbac("roles", "x", obj{"rules": []obj{{"resources": []string{"pods"}, "verbs": []string{"delete"}}}}), true},
			{"read only", rbac("roles", "x", obj{"rules": []obj{{"resources": []string{"pods"}, "verbs": []string{"get", "list"}}}}), false},
		},
		"ClusterRole With Pod Exec Created": {
			{"pods/exec", rbac("clusterroles", "x", obj{"rules": []obj{{"resources": []string{"pods/exec"}, "verbs": []string{"create"}}}}), true},
			{"pods/log", rbac("clusterroles", "x", obj{"rules": []obj{{"resources": []string{"pods/log"}, "verbs": []string{"get"}}}}), false},
		},
		"K8s Secret Get Successfully": {
			{"got it", with(b, obj{"verb": "get", "objectRef": ref("secrets", "shop", "s")}), true},
			{"denied", with(b, obj{"verb": "get", "objectRef": ref("secrets", "shop", "s"), "responseStatus": forbidden(403, "Forbidden")}), false},
		},
		"K8s Secret Get Unsuccessfully Tried": {
			{"denied", with(b, obj{"verb": "get", "objectRef": ref("secrets", "shop", "s"), "responseStatus": forbidden(403, "Forbidden")}), true},
			{"got it", with(b, obj{"verb": "get", "objectRef": ref("secrets", "shop", "s")}), false},
		},
		"Full K8s Administrative Access": {
			{"kubernetes-admin", with(b, obj{"user": user("kubernetes-admin", "system:masters")}), true},
			{"ordinary user", b, false},
		},
		"Ingress Object without TLS Certificate Created": {
			{"no tls", with(b, obj{"verb": "create", "objectRef": obj{"resource": "ingresses", "namespace": "shop", "name": "i", "apiGroup": "networking.k8s.io"}, "responseStatus": obj{"code": 201}, "requestObject": obj{"spec": obj{"rules": []obj{{"host": "shop.example.com"}}}}}), true},
			{"tls", with(b, obj{"verb": "create", "objectRef": obj{"resource": "ingresses", "namespace": "shop", "name": "i"}, "responseStatus": obj{"code": 201}, "requestObject": obj{"spec": obj{"tls": []obj{{"secretName": "c"}}}}}), false},
		},
	}
}

// TestFalcoRules runs every rule's cases and checks every rule has both.
func TestFalcoRules(t *testing.T) {
	tables := shippedTables(t)
	cases := falcoCases()
	for _, name := range enrich.FalcoRuleNames() {
		cs := cases[name]
		if !slices.ContainsFunc(cs, func(c detectionCase) bool { return c.match }) || !slices.ContainsFunc(cs, func(c detectionCase) bool { return !c.match }) {
			t.Errorf("%s: needs an event that matches and one that must not", name)
		}
		for _, c := range cs {
			out, prob := enrichWith(t, tables, rawRec(t, c.ev))
			if prob != nil {
				t.Fatalf("%s / %s: %v", name, c.name, prob)
			}
			if got := slices.Contains(out.Get(fieldID("k8s_falco_rules")), name); got != c.match {
				t.Errorf("%s / %s: matched = %v, want %v (rules: %s)", name, c.name, got, c.match, strings.Join(out.Get(fieldID("k8s_falco_rules")), ", "))
			}
		}
	}
	for name := range cases {
		if !slices.Contains(enrich.FalcoRuleNames(), name) {
			t.Errorf("cases for unknown rule %q", name)
		}
	}
}

func TestContainsTerm(t *testing.T) {
	for s, want := range map[string]bool{
		`{"resource":"configmaps"}`:         true,
		`/api/v1/namespaces/x/ConfigMaps/y`: true,
		`CONFIGMAPS`:                        true,
		`configmapsx`:                       false,
		`xconfigmaps`:                       false,
		`configmap`:                         false,
		`config maps`:                       false,
		`_configmaps_`:                      true,
	} {
		if got := enrich.ContainsTerm(s, "configmaps"); got != want {
			t.Errorf("ContainsTerm(%q) = %v, want %v", s, got, want)
		}
	}
}

// checkTermsIn fails when the one-pass scan and the search term by term
// disagree about s.
func checkTermsIn(t *testing.T, s string) {
	t.Helper()
	got := enrich.TermsIn(s)
	for k, term := range enrich.RawTerms {
		if want := enrich.ContainsTerm(s, term); (got&(1<<k) != 0) != want {
			t.Errorf("TermsIn(%q) has %s: %v, ContainsTerm: %v", s, term, got&(1<<k) != 0, want)
		}
	}
}

func TestTermsIn(t *testing.T) {
	for _, s := range []string{
		"", "secrets", "Secrets,ClusterRole", `{"kind":"ClusterRoleBinding","resource":"clusterrolebindings"}`,
		"/apis/rbac.authorization.k8s.io/v1/clusterroles/x", "clusterrole_", "xsecrets", "secretsx", "SECRETS!",
		"configmaps/configmapsconfigmaps", "config\u006daps", "se\u00e9crets", "ſecrets", "clusterrolé",
		"\"secrets\"", "a" + strings.Repeat("clusterrole", 3),
	} {
		checkTermsIn(t, s)
	}
}

func FuzzTermsIn(f *testing.F) {
	for _, s := range []string{"secrets", `{"resource":"configmaps"}`, "ClusterRoleBindings", "clusterrole1"} {
		f.Add(s)
	}
	f.Fuzz(checkTermsIn)
}

// TestHasTermArgumentsAreRawTerms keeps rawTerms in step with the
// detections: a term missing from it is searched on its own, correctly
// but once more over every event's _raw.
func TestHasTermArgumentsAreRawTerms(t *testing.T) {
	src, err := os.ReadFile("detections.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := regexp.MustCompile(`hasTerm\("([^"]*)"\)`).FindAllStringSubmatch(string(src), -1)
	if len(calls) == 0 {
		t.Fatal("no hasTerm calls found in detections.go")
	}
	for _, c := range calls {
		if !slices.Contains(enrich.RawTerms, c[1]) {
			t.Errorf("hasTerm(%q) is not in rawTerms", c[1])
		}
	}
}
