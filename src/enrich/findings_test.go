package enrich_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

var bob = user("bob", "devs", "system:authenticated")

// sub is an objectRef with a subresource.
func sub(resource, subresource, ns, name string) obj {
	o := ref(resource, ns, name)
	o["subresource"] = subresource
	return o
}

// created is a successful create response.
var created = obj{"metadata": obj{}, "code": 201}

// podWrite is bob writing a pod with spec into namespace ns.
func podWrite(verb, ns string, spec obj) obj {
	return with(baseEvent(), obj{"user": bob, "verb": verb, "level": "RequestResponse", "objectRef": ref("pods", ns, "p"), "requestObject": podObj(spec), "responseStatus": created, "sourceIPs": []string{"198.51.100.7"}})
}

func ctrs(sc obj) []obj {
	return []obj{{"name": "a", "image": "ghcr.io/acme/tool:1", "securityContext": sc}}
}

// findingCases holds, for every finding, events that must show it and
// near misses that must not.
func findingCases() map[string][]detectionCase {
	b := with(baseEvent(), obj{"user": bob})
	sa := baseEvent() // system:serviceaccount:shop:app
	kubeSystemSA := with(baseEvent(), obj{"user": user("system:serviceaccount:kube-system:replicaset-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system")})
	controllerManager := user("system:kube-controller-manager")
	node := user("system:node:ip-10-0-1-2.ec2.internal", "system:nodes")
	eksAddon := user("eks:addon-manager", "system:authenticated")
	denied := forbidden(403, "Forbidden")
	plain := obj{"containers": ctrs(nil)}
	return map[string][]detectionCase{
		"privileged_workload": {
			{"privileged container", podWrite("create", "shop", obj{"containers": ctrs(obj{"privileged": true})}), true},
			{"SYS_ADMIN added", podWrite("create", "shop", obj{"containers": ctrs(obj{"capabilities": obj{"add": []string{"SYS_ADMIN"}}})}), true},
			{"cap_sys_ptrace in lower case", podWrite("create", "shop", obj{"containers": ctrs(obj{"capabilities": obj{"add": []string{"cap_sys_ptrace"}}})}), true},
			{"privileged init container", podWrite("create", "shop", obj{"containers": ctrs(nil), "initContainers": ctrs(obj{"privileged": true})}), true},
			{"NET_RAW only", podWrite("create", "shop", obj{"containers": ctrs(obj{"capabilities": obj{"add": []string{"NET_RAW"}}})}), false},
			{"unprivileged", podWrite("create", "shop", obj{"containers": ctrs(obj{"privileged": false})}), false},
			{"refused by admission", with(podWrite("create", "shop", obj{"containers": ctrs(obj{"privileged": true})}), obj{"responseStatus": denied}), false},
			{"created by the ReplicaSet controller", with(podWrite("create", "shop", obj{"containers": ctrs(obj{"privileged": true})}), obj{"user": kubeSystemSA["user"]}), false},
			{"mirror pod of a node", with(podWrite("create", "kube-system", obj{"containers": ctrs(obj{"privileged": true})}), obj{"user": node}), false},
			{"EKS add-on manager", with(podWrite("create", "kube-system", obj{"containers": ctrs(obj{"privileged": true})}), obj{"user": eksAddon}), false},
			{"trusted image", podWrite("create", "shop", obj{"containers": []obj{{"name": "f", "image": "falcosecurity/falco:0.39", "securityContext": obj{"privileged": true}}}}), false},
			{"not the final stage", with(podWrite("create", "shop", obj{"containers": ctrs(obj{"privileged": true})}), obj{"stage": "RequestReceived"}), false},
			{"a read", with(podWrite("get", "shop", obj{"containers": ctrs(obj{"privileged": true})}), obj{"responseStatus": obj{"code": 200}}), false},
		},
		"sensitive_mount_workload": {
			{"host root", podWrite("create", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "r", "hostPath": obj{"path": "/"}}}}), true},
			{"containerd socket", podWrite("update", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "s", "hostPath": obj{"path": "/run/containerd/containerd.sock"}}}}), true},
			{"kubelet directory with a trailing slash", podWrite("create", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "k", "hostPath": obj{"path": "/var/lib/kubelet/"}}}}), true},
			{"logs", podWrite("create", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "l", "hostPath": obj{"path": "/var/log"}}}}), false},
			{"emptyDir", podWrite("create", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "t", "emptyDir": obj{}}}}), false},
		},
		"host_namespace_workload": {
			{"hostPID", podWrite("create", "shop", obj{"hostPID": true, "containers": ctrs(nil)}), true},
			{"hostIPC", podWrite("create", "shop", obj{"hostIPC": true, "containers": ctrs(nil)}), true},
			{"hostNetwork", podWrite("patch", "shop", obj{"hostNetwork": true, "containers": ctrs(nil)}), true},
			{"none", podWrite("create", "shop", plain), false},
			{"hostNetwork false", podWrite("create", "shop", obj{"hostNetwork": false, "containers": ctrs(nil)}), false},
		},
		"hostpath_workload": {
			{"logs", podWrite("create", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "l", "hostPath": obj{"path": "/var/log"}}}}), true},
			{"sensitive only", podWrite("create", "shop", obj{"containers": ctrs(nil), "volumes": []obj{{"name": "r", "hostPath": obj{"path": "/etc"}}}}), false},
			{"no hostPath", podWrite("create", "shop", plain), false},
		},
		"root_workload": {
			{"runAsUser 0 on a container", podWrite("create", "shop", obj{"containers": ctrs(obj{"runAsUser": 0})}), true},
			{"runAsUser 0 on the pod", podWrite("create", "shop", obj{"securityContext": obj{"runAsUser": 0}, "containers": ctrs(nil)}), true},
			{"pod root, container overrides", podWrite("create", "shop", obj{"securityContext": obj{"runAsUser": 0}, "containers": ctrs(obj{"runAsUser": 1000})}), false},
			{"nothing said: the image decides", podWrite("create", "shop", plain), false},
			{"runAsUser 1000", podWrite("create", "shop", obj{"containers": ctrs(obj{"runAsUser": 1000})}), false},
		},
		"system_namespace_workload": {
			{"pod in kube-system by a person", podWrite("create", "kube-system", plain), true},
			{"DaemonSet in kube-system by a person", with(b, obj{"verb": "create", "objectRef": obj{"resource": "daemonsets", "namespace": "kube-system", "name": "kube-proxy-x", "apiGroup": "apps"}, "responseStatus": created}), true},
			{"DaemonSet patched in kube-system by an app's service account", with(sa, obj{"verb": "patch", "objectRef": obj{"resource": "daemonsets", "namespace": "kube-system", "name": "aws-node", "apiGroup": "apps"}}), true},
			{"Deployment in an EKS add-on namespace", with(b, obj{"verb": "create", "objectRef": obj{"resource": "deployments", "namespace": "amazon-cloudwatch", "name": "x", "apiGroup": "apps"}, "responseStatus": created}), true},
			{"pod in kube-system by the ReplicaSet controller", with(podWrite("create", "kube-system", plain), obj{"user": kubeSystemSA["user"]}), false},
			{"pod in kube-system by the control plane", with(podWrite("create", "kube-system", plain), obj{"user": controllerManager}), false},
			{"pod status in kube-system", with(b, obj{"verb": "patch", "objectRef": sub("pods", "status", "kube-system", "p")}), false},
			{"pod in a user namespace", podWrite("create", "shop", plain), false},
			{"eviction of a kube-system pod", with(b, obj{"verb": "create", "objectRef": sub("pods", "eviction", "kube-system", "p"), "responseStatus": created}), false},
		},
		"exec_session": {
			{"exec started", with(b, obj{"verb": "create", "stage": "ResponseStarted", "objectRef": sub("pods", "exec", "shop", "p"), "responseStatus": obj{"code": 101}}), true},
			{"attach over a websocket", with(b, obj{"verb": "get", "stage": "ResponseStarted", "objectRef": sub("pods", "attach", "shop", "p"), "responseStatus": obj{"code": 101}}), true},
			{"exec completed: counted at its start", with(b, obj{"verb": "create", "stage": "ResponseComplete", "objectRef": sub("pods", "exec", "shop", "p"), "responseStatus": obj{"code": 101}}), false},
			{"exec refused", with(b, obj{"verb": "create", "stage": "ResponseStarted", "objectRef": sub("pods", "exec", "shop", "p"), "responseStatus": denied}), false},
			{"eviction", with(b, obj{"verb": "create", "objectRef": sub("pods", "eviction", "shop", "p"), "responseStatus": created}), false},
			{"logs", with(b, obj{"verb": "get", "stage": "ResponseStarted", "objectRef": sub("pods", "log", "shop", "p")}), false},
		},
		"port_forward": {
			{"port forward", with(b, obj{"verb": "create", "stage": "ResponseStarted", "objectRef": sub("pods", "portforward", "shop", "p"), "responseStatus": obj{"code": 101}}), true},
			{"exec", with(b, obj{"verb": "create", "stage": "ResponseStarted", "objectRef": sub("pods", "exec", "shop", "p"), "responseStatus": obj{"code": 101}}), false},
			{"by a node", with(b, obj{"user": node, "verb": "create", "stage": "ResponseStarted", "objectRef": sub("pods", "portforward", "shop", "p"), "responseStatus": obj{"code": 101}}), false},
		},
		"ephemeral_container": {
			{"kubectl debug", with(b, obj{"verb": "patch", "objectRef": sub("pods", "ephemeralcontainers", "shop", "p"), "requestObject": obj{"spec": obj{"ephemeralContainers": []obj{{"name": "debugger", "image": "busybox"}}}}}), true},
			{"status patch", with(b, obj{"verb": "patch", "objectRef": sub("pods", "status", "shop", "p")}), false},
			{"read of the subresource", with(b, obj{"verb": "get", "objectRef": sub("pods", "ephemeralcontainers", "shop", "p")}), false},
		},
		"node_proxy": {
			{"kubelet run through the proxy", with(b, obj{"verb": "create", "stage": "ResponseStarted", "requestURI": "/api/v1/nodes/ip-10-0-1-2/proxy/run/shop/web-1/web?cmd=id", "objectRef": sub("nodes", "proxy", "", "ip-10-0-1-2")}), true},
			{"kubelet pods list through the proxy", with(b, obj{"verb": "get", "stage": "ResponseStarted", "requestURI": "/api/v1/nodes/ip-10-0-1-2:10250/proxy/pods", "objectRef": sub("nodes", "proxy", "", "ip-10-0-1-2:10250")}), true},
			{"Prometheus scraping cadvisor", with(sa, obj{"verb": "get", "requestURI": "/api/v1/nodes/ip-10-0-1-2/proxy/metrics/cadvisor", "objectRef": sub("nodes", "proxy", "", "ip-10-0-1-2")}), false},
			{"stats summary", with(sa, obj{"verb": "get", "requestURI": "/api/v1/nodes/ip-10-0-1-2/proxy/stats/summary", "objectRef": sub("nodes", "proxy", "", "ip-10-0-1-2")}), false},
			{"node status", with(b, obj{"verb": "get", "requestURI": "/api/v1/nodes/ip-10-0-1-2/status", "objectRef": sub("nodes", "status", "", "ip-10-0-1-2")}), false},
		},
		"secret_bulk_read": {
			{"secrets listed in a namespace", with(b, obj{"requestURI": "/api/v1/namespaces/shop/secrets", "objectRef": ref("secrets", "shop", "")}), true},
			{"secrets listed cluster-wide", with(b, obj{"requestURI": "/api/v1/secrets?limit=500", "objectRef": ref("secrets", "", "")}), true},
			{"secrets watched", with(sa, obj{"verb": "watch", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/secrets?watch=true", "objectRef": ref("secrets", "shop", "")}), true},
			{"config maps listed across namespaces", with(b, obj{"requestURI": "/api/v1/configmaps", "objectRef": ref("configmaps", "", "")}), true},
			{"config maps of one namespace", b, false},
			{"one secret watched by name", with(sa, obj{"verb": "watch", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/secrets?fieldSelector=metadata.name%3Ddb&watch=true", "objectRef": ref("secrets", "shop", "")}), false},
			{"Helm listing its releases", with(b, obj{"requestURI": "/api/v1/namespaces/shop/secrets?labelSelector=owner%3Dhelm", "objectRef": ref("secrets", "shop", "")}), false},
			{"one secret read", with(b, obj{"verb": "get", "requestURI": "/api/v1/namespaces/shop/secrets/db", "objectRef": ref("secrets", "shop", "db")}), false},
			{"refused", with(b, obj{"requestURI": "/api/v1/namespaces/shop/secrets", "objectRef": ref("secrets", "shop", ""), "responseStatus": denied}), false},
			{"by the control plane", with(b, obj{"user": controllerManager, "requestURI": "/api/v1/secrets", "objectRef": ref("secrets", "", "")}), false},
			{"by a kube-system controller", with(kubeSystemSA, obj{"requestURI": "/api/v1/secrets", "objectRef": ref("secrets", "", "")}), false},
		},
		"cross_namespace_secret_read": {
			{"secret of another namespace", with(sa, obj{"verb": "get", "requestURI": "/api/v1/namespaces/payments/secrets/stripe", "objectRef": ref("secrets", "payments", "stripe")}), true},
			{"config maps of every namespace", with(sa, obj{"requestURI": "/api/v1/configmaps", "objectRef": ref("configmaps", "", "")}), true},
			{"own namespace", with(sa, obj{"verb": "get", "objectRef": ref("secrets", "shop", "db")}), false},
			{"config maps of another namespace listed", with(sa, obj{"requestURI": "/api/v1/namespaces/payments/configmaps", "objectRef": ref("configmaps", "payments", "")}), true},
			{"one config map of another namespace, by name", with(sa, obj{"verb": "get", "objectRef": ref("configmaps", "payments", "trusted-ca-bundle")}), false},
			{"a person, not a service account", with(b, obj{"verb": "get", "objectRef": ref("secrets", "payments", "stripe")}), false},
			{"a kube-system controller", with(kubeSystemSA, obj{"verb": "get", "objectRef": ref("secrets", "payments", "stripe")}), false},
			{"refused", with(sa, obj{"verb": "get", "objectRef": ref("secrets", "payments", "stripe"), "responseStatus": denied}), false},
		},
		"anonymous_access": {
			{"anonymous secret listing", with(b, obj{"user": anon, "requestURI": "/api/v1/namespaces/kube-system/secrets", "objectRef": ref("secrets", "kube-system", "")}), true},
			{"anonymous discovery", with(b, obj{"user": anon, "verb": "get", "requestURI": "/apis", "objectRef": nil}), true},
			{"unauthenticated group only", with(b, obj{"user": user("probe", "system:unauthenticated"), "verb": "get", "requestURI": "/api/v1/pods", "objectRef": ref("pods", "", "")}), true},
			{"readyz", with(b, obj{"user": anon, "verb": "get", "requestURI": "/readyz", "objectRef": nil}), false},
			{"livez", with(b, obj{"user": anon, "verb": "get", "requestURI": "/livez?verbose", "objectRef": nil}), false},
			{"healthz", with(b, obj{"user": anon, "verb": "get", "requestURI": "/healthz", "objectRef": nil}), false},
			{"version", with(b, obj{"user": anon, "verb": "get", "requestURI": "/version", "objectRef": nil}), false},
			{"refused", with(b, obj{"user": anon, "requestURI": "/api/v1/pods", "objectRef": ref("pods", "", ""), "responseStatus": denied, "annotations>authorization.k8s.io/decision": "forbid"}), false},
			{"authenticated", with(b, obj{"requestURI": "/api/v1/pods", "objectRef": ref("pods", "", "")}), false},
		},
		"cluster_admin_binding": {
			{"new binding", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterrolebindings", "name": "pwn", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": created, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": []obj{{"kind": "User", "name": "bob"}}}}), true},
			{"subject added to the cluster-admin binding", with(b, obj{"verb": "patch", "objectRef": obj{"resource": "clusterrolebindings", "name": "cluster-admin", "apiGroup": "rbac.authorization.k8s.io"}, "requestObject": obj{"subjects": []obj{{"kind": "User", "name": "bob"}}}}), true},
			{"binding to view", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterrolebindings", "name": "v"}, "responseStatus": created, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "view"}}}), false},
			{"namespaced binding", with(b, obj{"verb": "create", "objectRef": obj{"resource": "rolebindings", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}}}), false},
			{"API server bootstrap", with(b, obj{"user": user("system:apiserver", "system:masters"), "verb": "update", "objectRef": obj{"resource": "clusterrolebindings", "name": "cluster-admin"}, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}}}), false},
			{"refused (escalation check)", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterrolebindings", "name": "pwn"}, "responseStatus": denied, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}}}), false},
		},
		"namespace_admin_binding": {
			{"cluster-admin in one namespace", with(b, obj{"verb": "create", "objectRef": obj{"resource": "rolebindings", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "cluster-admin"}}}), true},
			{"edit in one namespace", with(b, obj{"verb": "create", "objectRef": obj{"resource": "rolebindings", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"roleRef": obj{"kind": "ClusterRole", "name": "edit"}}}), false},
			{"a Role named cluster-admin", with(b, obj{"verb": "create", "objectRef": obj{"resource": "rolebindings", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"roleRef": obj{"kind": "Role", "name": "cluster-admin"}}}), false},
		},
		"wildcard_cluster_role": {
			{"every verb", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterroles", "name": "x"}, "responseStatus": created, "requestObject": obj{"rules": []obj{{"resources": []string{"secrets"}, "verbs": []string{"*"}}}}}), true},
			{"every resource, updated", with(b, obj{"verb": "update", "objectRef": obj{"resource": "clusterroles", "name": "x"}, "requestObject": obj{"rules": []obj{{"resources": []string{"*"}, "verbs": []string{"get"}}}}}), true},
			{"explicit", with(b, obj{"verb": "create", "objectRef": obj{"resource": "clusterroles", "name": "x"}, "responseStatus": created, "requestObject": obj{"rules": []obj{{"resources": []string{"pods"}, "verbs": []string{"get"}}}}}), false},
			{"a Role", with(b, obj{"verb": "create", "objectRef": obj{"resource": "roles", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"rules": []obj{{"resources": []string{"*"}, "verbs": []string{"*"}}}}}), false},
			{"API server reconciling cluster-admin", with(b, obj{"user": user("system:apiserver", "system:masters"), "verb": "update", "objectRef": obj{"resource": "clusterroles", "name": "cluster-admin"}, "requestObject": obj{"rules": []obj{{"resources": []string{"*"}, "verbs": []string{"*"}}}}}), false},
		},
		"wildcard_role": {
			{"every verb in a namespace", with(b, obj{"verb": "create", "objectRef": obj{"resource": "roles", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"rules": []obj{{"resources": []string{"*"}, "verbs": []string{"*"}}}}}), true},
			{"explicit", with(b, obj{"verb": "create", "objectRef": obj{"resource": "roles", "namespace": "shop", "name": "x"}, "responseStatus": created, "requestObject": obj{"rules": []obj{{"resources": []string{"pods"}, "verbs": []string{"get"}}}}}), false},
		},
		"impersonation": {
			{"as another user", with(b, obj{"impersonatedUser": user("alice")}), true},
			{"no impersonation", b, false},
			{"refused", with(b, obj{"impersonatedUser": user("alice"), "responseStatus": denied}), false},
		},
		"privileged_impersonation": {
			{"as system:masters", with(b, obj{"impersonatedUser": user("alice", "system:masters")}), true},
			{"as kubernetes-admin", with(b, obj{"impersonatedUser": user("kubernetes-admin")}), true},
			{"as OpenShift's system:admin", with(b, obj{"impersonatedUser": user("system:admin")}), true},
			{"as OpenShift's kube:admin (the system names lookup)", with(b, obj{"impersonatedUser": user("kube:admin")}), true},
			{"as an ordinary user", with(b, obj{"impersonatedUser": user("alice", "devs")}), false},
		},
		"token_request": {
			{"a person mints a token", with(b, obj{"verb": "create", "objectRef": sub("serviceaccounts", "token", "shop", "app"), "responseStatus": created}), true},
			{"a service account mints another's", with(sa, obj{"verb": "create", "objectRef": sub("serviceaccounts", "token", "kube-system", "admin"), "responseStatus": created}), true},
			{"its own token", with(sa, obj{"verb": "create", "objectRef": sub("serviceaccounts", "token", "shop", "app"), "responseStatus": created}), false},
			{"the kubelet's projected token", with(b, obj{"user": node, "verb": "create", "objectRef": sub("serviceaccounts", "token", "shop", "app"), "responseStatus": created}), false},
			{"service account read", with(b, obj{"verb": "get", "objectRef": ref("serviceaccounts", "shop", "app")}), false},
		},
		"csr_approval": {
			{"approved by a person", with(b, obj{"verb": "update", "objectRef": obj{"resource": "certificatesigningrequests", "name": "csr-x", "subresource": "approval", "apiGroup": "certificates.k8s.io"}}), true},
			{"approved by the controller manager", with(b, obj{"user": controllerManager, "verb": "update", "objectRef": obj{"resource": "certificatesigningrequests", "name": "csr-x", "subresource": "approval"}}), false},
			{"approved by EKS", with(b, obj{"user": user("eks:certificate-controller"), "verb": "update", "objectRef": obj{"resource": "certificatesigningrequests", "name": "csr-x", "subresource": "approval"}}), false},
			{"created", with(b, obj{"verb": "create", "objectRef": obj{"resource": "certificatesigningrequests", "name": "csr-x"}, "responseStatus": created}), false},
		},
		"admission_webhook_changed": {
			{"mutating webhook created", with(b, obj{"verb": "create", "objectRef": obj{"resource": "mutatingwebhookconfigurations", "name": "x", "apiGroup": "admissionregistration.k8s.io"}, "responseStatus": created}), true},
			{"validating webhook deleted by a service account", with(sa, obj{"verb": "delete", "objectRef": obj{"resource": "validatingwebhookconfigurations", "name": "gatekeeper"}}), true},
			{"patched by a person", with(b, obj{"verb": "patch", "objectRef": obj{"resource": "validatingwebhookconfigurations", "name": "gatekeeper"}}), true},
			{"CA bundle patched by a service account", with(sa, obj{"verb": "patch", "objectRef": obj{"resource": "mutatingwebhookconfigurations", "name": "cert-manager-webhook"}}), false},
			{"read", with(b, obj{"verb": "list", "objectRef": obj{"resource": "mutatingwebhookconfigurations"}}), false},
		},
		"permission_enumeration": {
			{"kubectl auth can-i --list", with(sa, obj{"verb": "create", "objectRef": obj{"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io"}, "responseStatus": created}), true},
			{"kubectl auth can-i get pods", with(sa, obj{"verb": "create", "objectRef": obj{"resource": "selfsubjectaccessreviews", "apiGroup": "authorization.k8s.io"}, "responseStatus": created}), false},
		},
		"events_deleted": {
			{"events deleted", with(b, obj{"verb": "deletecollection", "objectRef": ref("events", "shop", "")}), true},
			{"one event deleted", with(b, obj{"verb": "delete", "objectRef": ref("events", "shop", "x.17a")}), true},
			{"events listed", with(b, obj{"objectRef": ref("events", "shop", "")}), false},
			{"by the control plane", with(b, obj{"user": controllerManager, "verb": "delete", "objectRef": ref("events", "shop", "x.17a")}), false},
		},
		"system_namespace_service_account": {
			{"in kube-system", with(b, obj{"verb": "create", "objectRef": ref("serviceaccounts", "kube-system", "backup"), "responseStatus": created}), true},
			{"in an application namespace", with(b, obj{"verb": "create", "objectRef": ref("serviceaccounts", "shop", "app"), "responseStatus": created}), false},
			{"by the EKS add-on manager", with(b, obj{"user": eksAddon, "verb": "create", "objectRef": ref("serviceaccounts", "kube-system", "aws-node"), "responseStatus": created}), false},
		},
		"scanner_user_agent": {
			{"kube-hunter, refused", with(b, obj{"user": anon, "userAgent": "kube-hunter/0.6.8", "responseStatus": denied}), true},
			{"trufflehog", with(b, obj{"userAgent": "trufflehog/3.63"}), true},
			{"AWS's own scanner", with(b, obj{"user": anon, "userAgent": "AWS Security Scanner"}), false},
			{"kubectl", with(b, obj{"userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"}), false},
		},
	}
}

// TestFindings runs every finding's cases and checks every finding has an
// event that shows it and one that must not.
func TestFindings(t *testing.T) {
	tables := shippedTables(t)
	cases := findingCases()
	for _, fd := range enrich.Findings {
		cs := cases[fd.ID]
		if !slices.ContainsFunc(cs, func(c detectionCase) bool { return c.match }) || !slices.ContainsFunc(cs, func(c detectionCase) bool { return !c.match }) {
			t.Errorf("%s: needs an event that shows it and one that must not", fd.ID)
		}
		for _, c := range cs {
			out, prob := enrichWith(t, tables, rawRec(t, c.ev))
			if prob != nil {
				t.Fatalf("%s / %s: %v", fd.ID, c.name, prob)
			}
			got := slices.Contains(out.Get(fieldID("k8s_findings")), fd.ID)
			if got != c.match {
				t.Errorf("%s / %s: shown = %v, want %v (findings: %s)", fd.ID, c.name, got, c.match, field(out, "k8s_findings"))
			}
			if got != slices.Contains(out.Get(fieldID("k8s_risk_signals")), fd.Signal()) {
				t.Errorf("%s / %s: k8s_risk_signals does not follow k8s_findings", fd.ID, c.name)
			}
		}
	}
	for id := range cases {
		if _, ok := enrich.FindingByID(id); !ok {
			t.Errorf("cases for unknown finding %q", id)
		}
	}
}

// TestFindingsDocumented checks what the README says of every finding.
func TestFindingsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, fd := range enrich.Findings {
		if seen[fd.ID] {
			t.Errorf("%s: id used twice", fd.ID)
		}
		seen[fd.ID] = true
		if fd.ID != strings.ToLower(fd.ID) || strings.ContainsAny(fd.ID, " -") {
			t.Errorf("%s: not a snake_case id", fd.ID)
		}
		if fd.Title == "" || fd.Means == "" || fd.Excludes == "" {
			t.Errorf("%s: title, meaning and exclusions are all documented", fd.ID)
		}
		for _, name := range fd.Falco {
			if !slices.Contains(enrich.FalcoRuleNames(), name) {
				t.Errorf("%s: Falco rule %q is not one kubeenrich judges", fd.ID, name)
			}
		}
		for _, name := range fd.ESCU {
			if !slices.ContainsFunc(enrich.Detections, func(d enrich.Detection) bool { return d.Name == name }) {
				t.Errorf("%s: detection %q is not one kubeenrich judges", fd.ID, name)
			}
		}
	}
}

// TestWorkloadFindingsEveryCreationPath verifies the workload findings
// read the pod spec of pods and of every pod template owner, whatever the
// client sent: a full object, a strategic merge patch, a JSON patch.
func TestWorkloadFindingsEveryCreationPath(t *testing.T) {
	tables := shippedTables(t)
	spec := obj{"hostPID": true, "containers": ctrs(obj{"privileged": true}), "volumes": []obj{{"name": "r", "hostPath": obj{"path": "/"}}}}
	want := []string{"privileged_workload", "sensitive_mount_workload", "host_namespace_workload"}
	owners := map[string]struct {
		group string
		body  obj
	}{
		"pods":                   {"", obj{"spec": spec}},
		"deployments":            {"apps", obj{"spec": obj{"template": obj{"spec": spec}}}},
		"daemonsets":             {"apps", obj{"spec": obj{"template": obj{"spec": spec}}}},
		"statefulsets":           {"apps", obj{"spec": obj{"template": obj{"spec": spec}}}},
		"replicasets":            {"apps", obj{"spec": obj{"template": obj{"spec": spec}}}},
		"replicationcontrollers": {"", obj{"spec": obj{"template": obj{"spec": spec}}}},
		"jobs":                   {"batch", obj{"spec": obj{"template": obj{"spec": spec}}}},
		"cronjobs":               {"batch", obj{"spec": obj{"schedule": "* * * * *", "jobTemplate": obj{"spec": obj{"template": obj{"spec": spec}}}}}},
	}
	for resource, o := range owners {
		for _, verb := range []string{"create", "update", "patch"} {
			ev := with(baseEvent(), obj{"user": bob, "verb": verb, "objectRef": obj{"resource": resource, "namespace": "shop", "name": "w", "apiGroup": o.group}, "requestObject": o.body})
			out, _ := enrichWith(t, tables, rawRec(t, ev))
			for _, id := range want {
				if !slices.Contains(out.Get(fieldID("k8s_findings")), id) {
					t.Errorf("%s %s: %s missing (findings: %s)", verb, resource, id, field(out, "k8s_findings"))
				}
			}
		}
	}
	// JSON patches (kubectl patch --type=json), each operation alone.
	root := map[string]string{"pods": "/spec", "deployments": "/spec/template/spec", "cronjobs": "/spec/jobTemplate/spec/template/spec"}
	ops := []struct {
		path  string
		value any
		want  string
	}{
		{"/containers/0/securityContext/privileged", true, "privileged_workload"},
		{"/containers/0/securityContext", obj{"privileged": true}, "privileged_workload"},
		{"/containers/-", obj{"name": "x", "image": "alpine", "securityContext": obj{"capabilities": obj{"add": []string{"SYS_ADMIN"}}}}, "privileged_workload"},
		{"/containers/1/securityContext/capabilities/add/-", "SYS_MODULE", "privileged_workload"},
		{"/initContainers", []obj{{"name": "i", "image": "alpine", "securityContext": obj{"privileged": true}}}, "privileged_workload"},
		{"/hostPID", true, "host_namespace_workload"},
		{"/hostNetwork", true, "host_namespace_workload"},
		{"/volumes/-", obj{"name": "r", "hostPath": obj{"path": "/"}}, "sensitive_mount_workload"},
		{"/volumes/3/hostPath/path", "/var/run/docker.sock", "sensitive_mount_workload"},
		{"/containers/0/securityContext/runAsUser", 0, "root_workload"},
		{"", spec, "privileged_workload"},
	}
	for resource, prefix := range root {
		for _, op := range ops {
			patch := []obj{{"op": "add", "path": prefix + op.path, "value": op.value}}
			ev := with(baseEvent(), obj{"user": bob, "verb": "patch", "objectRef": obj{"resource": resource, "namespace": "shop", "name": "w"}, "requestObject": nil})
			raw := rawWithBody(t, ev, patch)
			out, _ := enrichWith(t, tables, raw)
			if !slices.Contains(out.Get(fieldID("k8s_findings")), op.want) {
				t.Errorf("JSON patch of %s at %s: %s missing (findings: %q)", resource, prefix+op.path, op.want, field(out, "k8s_findings"))
			}
			if field(out, "k8s_pod_run_as_root") != "" {
				t.Errorf("JSON patch of %s at %s: k8s_pod_run_as_root = %q: a patch does not say", resource, op.path, field(out, "k8s_pod_run_as_root"))
			}
		}
	}
	// Operations that add nothing dangerous, or remove.
	for _, patch := range [][]obj{
		{{"op": "remove", "path": "/spec/template/spec/containers/0/securityContext/privileged"}},
		{{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": false}},
		{{"op": "replace", "path": "/spec/replicas", "value": 3}},
		{{"op": "add", "path": "/metadata/labels/privileged", "value": "true"}},
	} {
		ev := with(baseEvent(), obj{"user": bob, "verb": "patch", "objectRef": obj{"resource": "deployments", "namespace": "shop", "name": "w"}})
		out, _ := enrichWith(t, tables, rawWithBody(t, ev, patch))
		if got := field(out, "k8s_findings"); got != "" {
			t.Errorf("JSON patch %v: findings %q, want none", patch, got)
		}
	}
}

// rawWithBody is rawRec with requestObject set to body, which with() cannot
// hold when it is an array.
func rawWithBody(t *testing.T, ev obj, body any) rec {
	t.Helper()
	ev = with(ev, obj{})
	ev["requestObject"] = body
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return rec{"_raw": {string(b)}}
}
