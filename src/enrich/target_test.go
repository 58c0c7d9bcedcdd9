package enrich_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func ref(resource, ns, name string) obj {
	o := obj{"resource": resource, "apiVersion": "v1"}
	if ns != "" {
		o["namespace"] = ns
	}
	if name != "" {
		o["name"] = name
	}
	return o
}

func podObj(spec obj) obj {
	return obj{"kind": "Pod", "apiVersion": "v1", "metadata": obj{"name": "p"}, "spec": spec}
}

// TestTarget covers the target and action fields.
func TestTarget(t *testing.T) {
	b := baseEvent()
	privPod := podObj(obj{"hostNetwork": true, "hostPID": true, "hostIPC": false,
		"volumes":        []obj{{"name": "root", "hostPath": obj{"path": "/"}}, {"name": "logs", "hostPath": obj{"path": "/var/log/"}}, {"name": "tmp", "emptyDir": obj{}}},
		"containers":     []obj{{"name": "a", "image": "ghcr.io/acme/tool:1.0", "securityContext": obj{"privileged": true, "capabilities": obj{"add": []string{"SYS_ADMIN", "NET_RAW"}}}}},
		"initContainers": []obj{{"name": "i", "image": "busybox", "securityContext": obj{"capabilities": obj{"add": []string{"NET_RAW"}}}}},
	})
	safePod := podObj(obj{"securityContext": obj{"runAsNonRoot": true}, "containers": []obj{{"name": "a", "image": "registry.example.com:5000/app@sha256:abc", "securityContext": obj{"allowPrivilegeEscalation": false}}}})
	rootPod := podObj(obj{"containers": []obj{{"name": "a", "image": "nginx", "securityContext": obj{"runAsUser": 0}}}})
	deploy := obj{"kind": "Deployment", "spec": obj{"template": obj{"spec": obj{"hostNetwork": true, "containers": []obj{{"name": "a", "image": "nginx:1.27"}}}}}}
	cron := obj{"kind": "CronJob", "spec": obj{"schedule": "*/5 * * * *", "jobTemplate": obj{"spec": obj{"template": obj{"spec": obj{"containers": []obj{{"name": "m", "image": "203.0.113.9:5000/miner"}}}}}}}}
	svc := obj{"kind": "Service", "spec": obj{"type": "NodePort", "ports": []obj{{"port": 22, "nodePort": 30022}, {"port": 80}}}}
	crb := obj{"kind": "ClusterRoleBinding", "roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": []obj{{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}, {"kind": "User", "name": "bob"}}}
	role := obj{"kind": "ClusterRole", "rules": []obj{{"apiGroups": []string{""}, "resources": []string{"pods", "pods/exec"}, "verbs": []string{"get", "create"}}}}
	wild := obj{"kind": "Role", "rules": []obj{{"resources": []string{"*"}, "verbs": []string{"get"}}}}
	cm := obj{"kind": "ConfigMap", "data": obj{"config": "aws_access_key_id=AKIAIOSFODNN7EXAMPLE"}}
	pull := obj{"kind": "Event", "message": `Pulling image "203.0.113.9:5000/miner:latest"`}
	execURI := "/api/v1/namespaces/shop/pods/web-1/exec?command=sh&command=-c&command=cat+%2Fetc%2Fshadow&container=web&stdin=true&stdout=true&tty=true"
	runFieldCases(t, []fieldCase{
		{"read in a user namespace", b, "", map[string]string{"k8s_resource": "configmaps", "k8s_namespace": "shop", "k8s_object": "", "k8s_action": "read", "k8s_namespace_class": "user", "k8s_resource_sensitivity": "medium", "k8s_pod_privileged": ""}},
		{"secret get", with(b, obj{"verb": "get", "objectRef": ref("secrets", "kube-system", "token")}), "", map[string]string{"k8s_resource_sensitivity": "critical", "k8s_namespace_class": "system", "k8s_object": "token"}},
		{"lease update", with(b, obj{"verb": "update", "objectRef": obj{"resource": "leases", "namespace": "kube-node-lease", "apiGroup": "coordination.k8s.io"}}), "", map[string]string{"k8s_action": "write", "k8s_resource_sensitivity": "low", "k8s_api_group": "coordination.k8s.io", "k8s_namespace_class": "system"}},
		{"default namespace", with(b, obj{"objectRef": ref("configmaps", "default", "")}), "", map[string]string{"k8s_namespace_class": "default"}},
		{"EKS addon namespace", with(b, obj{"objectRef": ref("pods", "amazon-cloudwatch", "")}), "", map[string]string{"k8s_namespace_class": "system"}},
		{"cluster scoped", with(b, obj{"verb": "delete", "objectRef": ref("namespaces", "", "shop")}), "", map[string]string{"k8s_namespace_class": "", "k8s_action": "delete", "k8s_resource_sensitivity": "high"}},
		{"aws-auth write", with(b, obj{"verb": "patch", "objectRef": ref("configmaps", "kube-system", "aws-auth")}), "", map[string]string{"k8s_resource_sensitivity": "critical"}},
		{"exec", with(b, obj{"verb": "create", "stage": "ResponseStarted", "requestURI": execURI, "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "web-1", "subresource": "exec"}}), "",
			map[string]string{"k8s_resource": "pods/exec", "k8s_action": "exec", "k8s_exec_command": "sh -c cat /etc/shadow", "k8s_exec_container": "web", "k8s_exec_tty": "true", "k8s_exec_shell": "true", "k8s_resource_sensitivity": "critical"}},
		{"exec of a non-shell", with(b, obj{"verb": "create", "requestURI": "/api/v1/namespaces/shop/pods/web-1/exec?command=date&container=web&stdout=true", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "web-1", "subresource": "exec"}}), "",
			map[string]string{"k8s_exec_command": "date", "k8s_exec_shell": "false", "k8s_exec_tty": "false"}},
		{"attach", with(b, obj{"verb": "get", "requestURI": "/api/v1/namespaces/shop/pods/web-1/attach?container=web&stdin=true", "objectRef": obj{"resource": "pods", "namespace": "shop", "name": "web-1", "subresource": "attach"}}), "",
			map[string]string{"k8s_action": "exec", "k8s_exec_container": "web", "k8s_exec_tty": "true", "k8s_exec_command": ""}},
		{"token request", with(b, obj{"verb": "create", "objectRef": obj{"resource": "serviceaccounts", "namespace": "shop", "name": "app", "subresource": "token"}}), "", map[string]string{"k8s_action": "token", "k8s_resource": "serviceaccounts/token", "k8s_resource_sensitivity": "critical"}},
		{"can-i", with(b, obj{"verb": "create", "objectRef": obj{"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io"}}), "", map[string]string{"k8s_action": "authz_probe"}},
		{"non-resource", with(b, obj{"verb": "get", "requestURI": "/version", "objectRef": nil}), "", map[string]string{"k8s_action": "read", "k8s_resource": "", "k8s_resource_sensitivity": "low"}},
		{"privileged pod", with(b, obj{"verb": "create", "level": "Request", "objectRef": ref("pods", "default", "p"), "requestObject": privPod}), "",
			map[string]string{"k8s_pod_privileged": "true", "k8s_pod_host_network": "true", "k8s_pod_host_pid": "true", "k8s_pod_host_ipc": "false", "k8s_pod_hostpath": "/,/var/log/",
				"k8s_pod_sensitive_mount": "true", "k8s_pod_caps_added": "SYS_ADMIN,NET_RAW", "k8s_images": "ghcr.io/acme/tool:1.0,busybox", "k8s_image_registry": "ghcr.io,docker.io",
				"k8s_pod_run_as_root": "true", "k8s_resource_sensitivity": "high"}},
		{"hardened pod", with(b, obj{"verb": "create", "objectRef": ref("pods", "shop", "p"), "requestObject": safePod}), "",
			map[string]string{"k8s_pod_privileged": "false", "k8s_pod_host_network": "false", "k8s_pod_hostpath": "", "k8s_pod_sensitive_mount": "false", "k8s_pod_run_as_root": "false", "k8s_image_registry": "registry.example.com:5000"}},
		{"root pod", with(b, obj{"verb": "update", "objectRef": ref("pods", "shop", "p"), "requestObject": rootPod}), "", map[string]string{"k8s_pod_run_as_root": "true", "k8s_pod_privileged": "false"}},
		{"pod read has no spec flags", with(b, obj{"verb": "get", "objectRef": ref("pods", "shop", "p"), "requestObject": privPod}), "", map[string]string{"k8s_pod_privileged": ""}},
		{"kubectl apply annotation only", with(b, obj{"verb": "update", "objectRef": ref("pods", "shop", "p"), "requestObject": obj{"metadata": obj{"annotations": obj{"kubectl.kubernetes.io/last-applied-configuration": `{"spec":{"hostNetwork":true,"containers":[{"securityContext":{"privileged":true}}]}}`}}}}), "",
			map[string]string{"k8s_pod_privileged": "true", "k8s_pod_host_network": "true"}},
		{"deployment template", with(b, obj{"verb": "patch", "objectRef": obj{"resource": "deployments", "namespace": "shop", "name": "web", "apiGroup": "apps"}, "requestObject": deploy}), "",
			map[string]string{"k8s_pod_host_network": "true", "k8s_images": "nginx:1.27", "k8s_resource_sensitivity": "high"}},
		{"cron job", with(b, obj{"verb": "create", "objectRef": obj{"resource": "cronjobs", "namespace": "shop", "name": "m", "apiGroup": "batch"}, "requestObject": cron}), "",
			map[string]string{"k8s_cron_schedule": "*/5 * * * *", "k8s_images": "203.0.113.9:5000/miner", "k8s_image_registry": "203.0.113.9:5000"}},
		{"node port service", with(b, obj{"verb": "create", "objectRef": ref("services", "default", "ssh"), "requestObject": svc}), "",
			map[string]string{"k8s_service_type": "NodePort", "k8s_service_ports": "22:30022,80", "k8s_resource_sensitivity": "high"}},
		{"cluster-admin binding", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterrolebindings", "name": "web-admin", "apiGroup": "rbac.authorization.k8s.io"}, "requestObject": crb}), "",
			map[string]string{"k8s_rbac_role_ref": "cluster-admin", "k8s_rbac_binds_cluster_admin": "true", "k8s_rbac_subjects": "ServiceAccount:shop/web,User:bob", "k8s_resource_sensitivity": "critical"}},
		{"exec role", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterroles", "name": "exec"}, "requestObject": role}), "", map[string]string{"k8s_rbac_allows_exec": "true", "k8s_rbac_wildcard": "false"}},
		{"wildcard role", with(b, obj{"verb": "create", "objectRef": obj{"resource": "roles", "namespace": "shop", "name": "all"}, "requestObject": wild}), "", map[string]string{"k8s_rbac_wildcard": "true", "k8s_rbac_allows_exec": "false"}},
		{"config map with credentials", with(b, obj{"verb": "create", "objectRef": ref("configmaps", "shop", "cfg"), "requestObject": cm}), "", map[string]string{"k8s_resource_sensitivity": "high"}},
		{"image pull event", with(b, obj{"verb": "create", "objectRef": ref("events", "shop", "m.17a"), "requestObject": pull}), "", map[string]string{"k8s_pulled_image": "203.0.113.9:5000/miner:latest"}},
	})
}

// TestOutcome covers the outcome and authorization fields.
func TestOutcome(t *testing.T) {
	b := baseEvent()
	runFieldCases(t, []fieldCase{
		{"allowed", b, "", map[string]string{"k8s_response_code": "200", "k8s_outcome": "success", "k8s_authz_decision": "allow", "k8s_authz_binding": "app/shop", "k8s_authz_role": "app", "k8s_authz_subject": "ServiceAccount:app/shop", "k8s_anonymous_allowed": "false"}},
		{"forbidden", with(b, obj{"responseStatus": obj{"code": 403, "reason": "Forbidden", "status": "Failure"}, "annotations": obj{"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}), "",
			map[string]string{"k8s_outcome": "denied", "k8s_response_reason": "Forbidden", "k8s_authz_binding": "", "k8s_authz_decision": "forbid"}},
		{"unauthenticated", with(b, obj{"responseStatus": obj{"code": 401}, "annotations": nil}), "", map[string]string{"k8s_outcome": "unauthenticated", "k8s_anonymous_allowed": ""}},
		{"websocket upgrade", with(b, obj{"responseStatus": obj{"code": 101}}), "", map[string]string{"k8s_outcome": "success"}},
		{"not found", with(b, obj{"responseStatus": obj{"code": 404}}), "", map[string]string{"k8s_outcome": "not_found"}},
		{"conflict", with(b, obj{"responseStatus": obj{"code": 409}}), "", map[string]string{"k8s_outcome": "conflict"}},
		{"server error", with(b, obj{"responseStatus": obj{"code": 503}}), "", map[string]string{"k8s_outcome": "error"}},
		{"throttled", with(b, obj{"responseStatus": obj{"code": 429}}), "", map[string]string{"k8s_outcome": "other"}},
		{"no response yet", with(b, obj{"stage": "RequestReceived", "responseStatus": nil, "annotations": nil}), "", map[string]string{"k8s_outcome": "", "k8s_response_code": ""}},
		{"anonymous allowed", with(b, obj{"user": user("system:anonymous", "system:unauthenticated"), "requestURI": "/api/v1/secrets", "annotations>authorization.k8s.io/reason": `RBAC: allowed by ClusterRoleBinding "oops" of ClusterRole "view" to User "system:anonymous"`}), "",
			map[string]string{"k8s_anonymous_allowed": "true", "k8s_authz_subject": "User:system:anonymous"}},
		{"anonymous health check", with(b, obj{"user": user("system:anonymous", "system:unauthenticated"), "requestURI": "/livez", "objectRef": nil}), "", map[string]string{"k8s_anonymous_allowed": "false"}},
		{"pod security violation", with(b, obj{"annotations>pod-security.kubernetes.io/audit-violations": `would violate PodSecurity "restricted:latest": privileged`}), "", map[string]string{"k8s_psa_violation": `would violate PodSecurity "restricted:latest": privileged`}},
	})
}

// TestHygiene covers the per-request bookkeeping fields.
func TestHygiene(t *testing.T) {
	b := baseEvent()
	execRef := obj{"resource": "pods", "namespace": "shop", "name": "w", "subresource": "exec"}
	runFieldCases(t, []fieldCase{
		{"complete", b, "", map[string]string{"k8s_audit_id": "11111111-2222-4333-8444-555555555555", "k8s_stage": "ResponseComplete", "k8s_is_final": "true", "k8s_level": "Metadata", "k8s_latency_ms": "2.5", "k8s_request_kind": "resource", "k8s_event_count": "", "k8s_truncated": "false"}},
		{"received", with(b, obj{"stage": "RequestReceived"}), "", map[string]string{"k8s_is_final": "false"}},
		{"exec started", with(b, obj{"stage": "ResponseStarted", "objectRef": execRef}), "", map[string]string{"k8s_is_final": "true"}},
		{"exec complete", with(b, obj{"stage": "ResponseComplete", "objectRef": execRef}), "", map[string]string{"k8s_is_final": "false"}},
		{"watch started", with(b, obj{"stage": "ResponseStarted", "verb": "watch"}), "", map[string]string{"k8s_is_final": "true"}},
		{"panic", with(b, obj{"stage": "Panic"}), "", map[string]string{"k8s_is_final": "true"}},
		{"health", with(b, obj{"requestURI": "/readyz?verbose", "objectRef": nil}), "", map[string]string{"k8s_request_kind": "health"}},
		{"discovery", with(b, obj{"requestURI": "/apis/apps/v1", "objectRef": nil}), "", map[string]string{"k8s_request_kind": "discovery"}},
		{"metrics", with(b, obj{"requestURI": "/metrics", "objectRef": nil}), "", map[string]string{"k8s_request_kind": "metrics"}},
		{"other", with(b, obj{"requestURI": "/logs/kube-apiserver.log", "objectRef": nil}), "", map[string]string{"k8s_request_kind": "other"}},
		{"bad timestamps", with(b, obj{"stageTimestamp": "yesterday"}), "", map[string]string{"k8s_latency_ms": ""}},
	})
}

// TestEKSContext parses source as the AWS add-on and eks_logs write it, in
// every partition, and leaves other sources alone.
func TestEKSContext(t *testing.T) {
	b := baseEvent()
	cases := []struct {
		source string
		want   [6]string // region, group, stream, cluster, log type, k8s_cluster
	}{
		{"us-east-1:/aws/eks/prod-eks/cluster:kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", [6]string{"us-east-1", "/aws/eks/prod-eks/cluster", "kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", "prod-eks", "audit", "prod-eks"}},
		{"us-gov-west-1:/aws/eks/gov/cluster:kube-apiserver-0a1b", [6]string{"us-gov-west-1", "/aws/eks/gov/cluster", "kube-apiserver-0a1b", "gov", "api", "gov"}},
		{"cn-north-1:/aws/eks/c.n_1/cluster:authenticator-0a1b", [6]string{"cn-north-1", "/aws/eks/c.n_1/cluster", "authenticator-0a1b", "c.n_1", "authenticator", "c.n_1"}},
		{"eu-central-2:/aws/eks/x/cluster:kube-controller-manager-1", [6]string{"eu-central-2", "/aws/eks/x/cluster", "kube-controller-manager-1", "x", "controllerManager", "x"}},
		{"ap-southeast-5:/aws/eks/x/cluster:kube-scheduler-1", [6]string{"ap-southeast-5", "/aws/eks/x/cluster", "kube-scheduler-1", "x", "scheduler", "x"}},
		{"ca-west-1:/aws/eks/x/cluster:cloud-controller-manager-1", [6]string{"ca-west-1", "/aws/eks/x/cluster", "cloud-controller-manager-1", "x", "cloudControllerManager", "x"}},
		{"us-east-1:/aws/eks/x/cluster:other-stream", [6]string{"us-east-1", "/aws/eks/x/cluster", "other-stream", "x", "", "x"}},
		{"kubernetes", [6]string{}},
		{"/var/log/kube-audit.log", [6]string{}},
		{"us-east-1:/custom/group:stream", [6]string{}},
		{"US-EAST-1:/aws/eks/x/cluster:s", [6]string{}},
		{"us-east-:/aws/eks/x/cluster:s", [6]string{}},
		{"u-east-1:/aws/eks/x/cluster:s", [6]string{}},
		{"us-east-1a:/aws/eks/x/cluster:s", [6]string{}},
		{"us-1:/aws/eks/x/cluster:s", [6]string{}},
		{"us-gov-east-1-2:/aws/eks/x/cluster:s", [6]string{}},
	}
	tables := shippedTables(t)
	for _, tc := range cases {
		out, _ := enrichWith(t, tables, rawRec(t, b, tc.source))
		got := [6]string{field(out, "eks_region"), field(out, "eks_log_group"), field(out, "eks_log_stream"), field(out, "eks_cluster_name"), field(out, "eks_log_type"), field(out, "k8s_cluster")}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.source, got, tc.want)
		}
	}
}

// TestIsFinal_EveryStageSequence runs every stage sequence the apiserver
// can emit, for short and for each kind of long-running request, with and
// without RequestReceived (EKS's policy omits it), and counts the final
// events: one per request, except a long-running request that panics after
// its response started (two, as the README says).
func TestIsFinal_EveryStageSequence(t *testing.T) {
	type request struct {
		name        string
		verb, sub   string
		longRunning bool
	}
	requests := []request{
		{"get", "get", "", false}, {"list", "list", "", false}, {"create", "create", "", false},
		{"watch", "watch", "", true}, {"proxy verb", "proxy", "", true},
		{"exec", "create", "exec", true}, {"attach", "create", "attach", true},
		{"portforward", "create", "portforward", true}, {"proxy subresource", "get", "proxy", true},
		{"log", "get", "log", true},
	}
	for _, rq := range requests {
		sequences := [][]string{{"ResponseComplete"}, {"Panic"}}
		if rq.longRunning {
			sequences = [][]string{
				{"ResponseStarted", "ResponseComplete"}, // the usual
				{"Panic"},                               // panics before the response started
				{"ResponseStarted", "Panic"},            // panics after
			}
		}
		for _, seq := range sequences {
			for _, received := range []bool{true, false} {
				stages := seq
				if received {
					stages = append([]string{"RequestReceived"}, seq...)
				}
				finals := 0
				for _, st := range stages {
					ref := obj{"resource": "pods", "namespace": "shop", "name": "w"}
					if rq.sub != "" {
						ref["subresource"] = rq.sub
					}
					out, _ := enrichWith(t, shippedTables(t), rawRec(t, with(baseEvent(), obj{"stage": st, "verb": rq.verb, "objectRef": ref})))
					if field(out, "k8s_is_final") == "true" {
						finals++
					}
				}
				want := 1
				if rq.longRunning && len(seq) == 2 && seq[1] == "Panic" {
					want = 2
				}
				if finals != want {
					t.Errorf("%s, stages %v: %d final events, want %d", rq.name, stages, finals, want)
				}
			}
		}
	}
}

// TestExecShell_EveryShellKind checks the shells and tools of Linux and
// Windows containers, by path and by name, and what is not one.
func TestExecShell_EveryShellKind(t *testing.T) {
	tables := shippedTables(t)
	for command, want := range map[string]string{
		"sh": "true", "/bin/bash": "true", "busybox": "true", "zsh": "true",
		"cmd.exe": "true", "CMD.EXE": "true", `C:\Windows\System32\cmd.exe`: "true",
		"powershell.exe": "true", "pwsh": "true", "/usr/bin/python3": "true", "curl": "true",
		"date": "false", "ls": "false", "shasum": "false", "cmdline-tool": "false",
	} {
		uri := "/api/v1/namespaces/shop/pods/web-1/exec?command=" + url.QueryEscape(command) + "&container=web"
		out, _ := enrichWith(t, tables, rawRec(t, with(baseEvent(), obj{"verb": "create", "stage": "ResponseStarted", "requestURI": uri,
			"objectRef": obj{"resource": "pods", "namespace": "shop", "name": "web-1", "subresource": "exec"}})))
		if got := field(out, "k8s_exec_shell"); got != want {
			t.Errorf("%q: k8s_exec_shell %q, want %q", command, got, want)
		}
	}
}

// TestPodSpec_ManyCapabilities checks capabilities and registries are
// listed once each, in the order first seen, however many there are.
func TestPodSpec_ManyCapabilities(t *testing.T) {
	var caps, want []string
	for i := 0; i < 200; i++ {
		caps = append(caps, fmt.Sprintf("CAP_%d", i%150))
		if i < 150 {
			want = append(want, fmt.Sprintf("CAP_%d", i))
		}
	}
	var containers []obj
	for i := 0; i < 40; i++ {
		containers = append(containers, obj{"name": fmt.Sprint("c", i), "image": fmt.Sprintf("reg%d.example.com/app:1", i%25),
			"securityContext": obj{"capabilities": obj{"add": caps}}})
	}
	ev := with(baseEvent(), obj{"verb": "create", "objectRef": ref("pods", "shop", "p"),
		"requestObject": obj{"kind": "Pod", "spec": obj{"containers": containers}}})
	out, _ := enrichWith(t, shippedTables(t), rawRec(t, ev))
	if got := field(out, "k8s_pod_caps_added"); got != strings.Join(want, ",") {
		t.Errorf("caps %q", got)
	}
	if got := strings.Count(field(out, "k8s_image_registry"), ",") + 1; got != 25 {
		t.Errorf("%d registries, want 25", got)
	}
}
