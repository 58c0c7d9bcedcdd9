package enrich_test

import (
	"encoding/json"
	"slices"
	"testing"
)

// subscriptionRecord wraps an event in a CloudWatch Logs subscription
// message of an EKS cluster's audit stream, as Amazon Data Firehose
// delivers it without message extraction.
func subscriptionRecord(ev obj) obj {
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return obj{"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/aws/eks/shop/cluster",
		"logStream": "kube-apiserver-audit-0123456789abcdef0123456789abcdef", "subscriptionFilters": []string{"kubelens"},
		"logEvents": []obj{{"id": "1", "timestamp": 1795165200000, "message": string(b)}}}
}

// TestFindings_WrappedShapes holds every case of every finding to the same
// verdict when its event arrives inside an AKS diagnostic record or a
// CloudWatch Logs subscription message: findings read the fields
// kubeenrich normalises, not the record around them.
func TestFindings_WrappedShapes(t *testing.T) {
	tables := shippedTables(t)
	shapes := []struct {
		name, platform, cluster string
		wrap                    func(obj) obj
	}{
		{"AKS record", "aks", "shop-aks", func(ev obj) obj { return aksRecord("kube-audit", ev) }},
		{"AKS admin record", "aks", "shop-aks", func(ev obj) obj { return aksRecord("kube-audit-admin", ev) }},
		{"subscription message", "eks", "shop", subscriptionRecord},
	}
	for id, cs := range findingCases() {
		for _, c := range cs {
			for _, s := range shapes {
				out, prob := enrichWith(t, tables, rawRec(t, s.wrap(c.ev)))
				if prob != nil {
					t.Fatalf("%s / %s in a %s: %v", id, c.name, s.name, prob)
				}
				if p, cl := field(out, "k8s_platform"), field(out, "k8s_cluster"); p != s.platform || cl != s.cluster {
					t.Fatalf("%s / %s in a %s: platform %q, cluster %q; want %q, %q", id, c.name, s.name, p, cl, s.platform, s.cluster)
				}
				if got := slices.Contains(out.Get(fieldID("k8s_findings")), id); got != c.match {
					t.Errorf("%s / %s in a %s: shown = %v, want %v (findings: %s)", id, c.name, s.name, got, c.match, field(out, "k8s_findings"))
				}
			}
		}
	}
}

// TestFindings_GKE judges findings on GKE Cloud Audit Logs entries, whose
// verb, object, source, outcome and request body kubeenrich maps from
// protoPayload; GKE's own namespaces are system ones by the system names
// lookup.
func TestFindings_GKE(t *testing.T) {
	tables := shippedTables(t)
	podCreate := func(ns string, spec obj) obj {
		return gkeRecord(obj{
			"protoPayload>methodName": "io.k8s.core.v1.pods.create", "protoPayload>resourceName": "core/v1/namespaces/" + ns + "/pods/p",
			"protoPayload>request": podObj(spec),
		})
	}
	cases := []struct {
		name, finding string
		ev            obj
		match         bool
	}{
		{"exec into a pod", "exec_session", gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.pods.exec.create", "protoPayload>resourceName": "core/v1/namespaces/shop/pods/web-0/exec"}), true},
		{"exec refused", "exec_session", gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.pods.exec.create", "protoPayload>resourceName": "core/v1/namespaces/shop/pods/web-0/exec", "protoPayload>status": obj{"code": 7, "message": "PERMISSION_DENIED"}}), false},
		{"pods listed", "exec_session", gkeRecord(nil), false},
		{"privileged pod", "privileged_workload", podCreate("shop", obj{"containers": ctrs(obj{"privileged": true})}), true},
		{"unprivileged pod", "privileged_workload", podCreate("shop", obj{"containers": ctrs(nil)}), false},
		{"pod in a GKE system namespace", "system_namespace_workload", podCreate("gke-managed-system", obj{"containers": ctrs(nil)}), true},
		{"pod in a Managed Prometheus namespace", "system_namespace_workload", podCreate("gmp-system", obj{"containers": ctrs(nil)}), true},
		{"pod in an application namespace", "system_namespace_workload", podCreate("shop", obj{"containers": ctrs(nil)}), false},
		{"secrets listed", "secret_bulk_read", gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.secrets.list", "protoPayload>resourceName": "core/v1/namespaces/shop/secrets"}), true},
		{"one secret read", "secret_bulk_read", gkeRecord(obj{"protoPayload>methodName": "io.k8s.core.v1.secrets.get", "protoPayload>resourceName": "core/v1/namespaces/shop/secrets/db"}), false},
		{"anonymous listing allowed", "anonymous_access", gkeRecord(obj{"protoPayload>authenticationInfo": obj{"principalEmail": "system:anonymous"}}), true},
		{"anonymous listing refused", "anonymous_access", gkeRecord(obj{"protoPayload>authenticationInfo": obj{"principalEmail": "system:anonymous"}, "protoPayload>status": obj{"code": 7, "message": "PERMISSION_DENIED"}}), false},
	}
	for _, c := range cases {
		out, prob := enrichWith(t, tables, rawRec(t, c.ev))
		if prob != nil {
			t.Fatalf("%s: %v", c.name, prob)
		}
		if p, cl := field(out, "k8s_platform"), field(out, "k8s_cluster"); p != "gke" || cl != "shop-1" {
			t.Fatalf("%s: platform %q, cluster %q; want gke, shop-1", c.name, p, cl)
		}
		if got := slices.Contains(out.Get(fieldID("k8s_findings")), c.finding); got != c.match {
			t.Errorf("%s: %s shown = %v, want %v (findings: %s)", c.name, c.finding, got, c.match, field(out, "k8s_findings"))
		}
	}
}

// TestFindings_AKSSystemNamespaces: AKS's own namespaces are system ones
// for the findings, by the system names lookup, as they are for
// k8s_namespace_class.
func TestFindings_AKSSystemNamespaces(t *testing.T) {
	tables := shippedTables(t)
	for _, c := range []struct {
		ns    string
		match bool
	}{{"calico-system", true}, {"tigera-operator", true}, {"kube-system", true}, {"shop", false}} {
		ev := aksRecord("kube-audit", podWrite("create", c.ns, obj{"containers": ctrs(nil)}))
		out, _ := enrichWith(t, tables, rawRec(t, ev))
		if got := slices.Contains(out.Get(fieldID("k8s_findings")), "system_namespace_workload"); got != c.match {
			t.Errorf("a person's pod in %s: system_namespace_workload shown = %v, want %v (findings: %s)", c.ns, got, c.match, field(out, "k8s_findings"))
		}
		if want := map[bool]string{true: "system", false: "user"}[c.match]; field(out, "k8s_namespace_class") != want {
			t.Errorf("%s: k8s_namespace_class %q, want %q", c.ns, field(out, "k8s_namespace_class"), want)
		}
	}
}
