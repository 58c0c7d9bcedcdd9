package enrich

import (
	"strings"
)

// Falco's lists (falcosecurity/plugins k8s_audit_rules.yaml) that its
// rules below read.
var (
	falcoAllowedUsers = map[string]bool{
		"minikube": true, "minikube-user": true, "kubelet": true, "kops": true, "admin": true, "kube": true,
		"kube-proxy": true, "kube-apiserver-healthcheck": true, "kubernetes-admin": true, "vpa-recommender": true,
		"vpa-updater": true, "cluster-autoscaler": true, "system:addon-manager": true, "cloud-controller-manager": true,
		"system:kube-controller-manager": true,
	}
	falcoEKSUsers = map[string]bool{
		"eks:node-manager": true, "eks:certificate-controller": true, "eks:fargate-scheduler": true, "eks:k8s-metrics": true,
		"eks:authenticator": true, "eks:cluster-event-watcher": true, "eks:nodewatcher": true,
		"eks:pod-identity-mutating-webhook": true, "eks:cloud-controller-manager": true, "eks:vpc-resource-controller": true,
		"eks:addon-manager": true,
	}
	falcoAllowedNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "default": true}
	// falcoFullAdminUsers is full_admin_k8s_users, the user names
	// installers give the cluster-admin identity. (k8s_user_privileged reads
	// the system names lookup, which ships with the same names.)
	falcoFullAdminUsers = map[string]bool{
		"admin": true, "kubernetes-admin": true, "kubernetes-admin@kubernetes": true,
		"kubernetes-admin@cluster.local": true, "minikube-user": true,
	}
	falcoKnownSAs = map[string]bool{
		"coredns": true, "coredns-autoscaler": true, "cronjob-controller": true, "daemon-set-controller": true,
		"deployment-controller": true, "disruption-controller": true, "endpoint-controller": true,
		"endpointslice-controller": true, "endpointslicemirroring-controller": true, "generic-garbage-collector": true,
		"horizontal-pod-autoscaler": true, "job-controller": true, "namespace-controller": true, "node-controller": true,
		"persistent-volume-binder": true, "pod-garbage-collector": true, "pv-protection-controller": true,
		"pvc-protection-controller": true, "replicaset-controller": true, "replication-controller": true,
		"resourcequota-controller": true, "root-ca-cert-publisher": true, "service-account-controller": true,
		"statefulset-controller": true,
	}
	writableVerbs = []string{"create", "update", "patch", "delete", "deletecollection"}
)

// falcoRule is one Falco k8s_audit rule that can be judged on one event.
type falcoRule struct {
	name string
	// priority is the rule's Falco priority (WARNING, NOTICE, ...).
	priority string
	match    func(f *facts, p *podFacts) bool
}

// FalcoRule describes a Falco rule kubeenrich judges.
type FalcoRule struct {
	Name string
	// Priority is its priority in Falco's rules file; FalcoPriorityScores
	// gives the default score of each.
	Priority string
}

// FalcoRules lists the Falco rules kubeenrich judges, in order.
func FalcoRules() []FalcoRule {
	rules := make([]FalcoRule, len(falcoRuleList))
	for i, r := range falcoRuleList {
		rules[i] = FalcoRule{Name: r.name, Priority: r.priority}
	}
	return rules
}

// FalcoRuleNames lists the names of the Falco rules kubeenrich judges, in
// order.
func FalcoRuleNames() []string {
	names := make([]string, len(falcoRuleList))
	for i, r := range falcoRuleList {
		names[i] = r.name
	}
	return names
}

// Falco's macros: kevt (a final-stage event), kcreate, kmodify, ...
func (f *facts) kevt() bool             { return f.ev.Stage == "ResponseComplete" }
func (f *facts) target(res string) bool { return f.resource() == res }
func (f *facts) pod() bool              { return f.resource() == "pods" && f.ev.subresource() == "" }
func (f *facts) podSub() bool           { return f.resource() == "pods" && f.ev.subresource() != "" }
func (f *facts) kcreate() bool          { return f.verb() == "create" }
func (f *facts) kmodify() bool {
	v := f.verb()
	return v == "create" || v == "update" || v == "patch"
}
func (f *facts) successful() bool { c := f.code(); return c >= 200 && c < 300 }
func (f *facts) nonSystemUser() bool {
	return f.username() != "" && !strings.HasPrefix(f.username(), "system:")
}

// imagesAllowed is Falco's "not ka.req.pod.containers.image.repository in
// (<allow-list>)": every image is in the trusted images lookup.
func (f *facts) imagesAllowed(images []string) bool {
	if len(images) == 0 {
		return false
	}
	for _, img := range images {
		if !f.e.tables.TrustedImages.Match(imageRepository(img)) {
			return false
		}
	}
	return true
}

func (f *facts) isHealthURI() bool {
	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		if f.ev.RequestURI == p || strings.HasPrefix(f.ev.RequestURI, p+"?") {
			return true
		}
	}
	return false
}

var falcoRuleList = []falcoRule{
	{"Disallowed K8s User", "WARNING", func(f *facts, _ *podFacts) bool {
		u := f.username()
		return f.kevt() && f.nonSystemUser() && !falcoAllowedUsers[u] && !falcoEKSUsers[u] && !f.e.tables.TrustedUsers.Match(u)
	}},
	{"Create Privileged Pod", "WARNING", func(f *facts, p *podFacts) bool {
		return f.kevt() && f.pod() && f.kcreate() && p.privileged && !f.imagesAllowed(p.images)
	}},
	{"Create Sensitive Mount Pod", "WARNING", func(f *facts, p *podFacts) bool {
		return f.kevt() && f.pod() && f.kcreate() && p.sensitiveMount && !f.imagesAllowed(p.images)
	}},
	{"Create HostNetwork Pod", "WARNING", func(f *facts, p *podFacts) bool {
		return f.kevt() && f.pod() && f.kcreate() && p.hostNetwork && !f.imagesAllowed(p.images)
	}},
	{"Create HostPid Pod", "WARNING", func(f *facts, p *podFacts) bool {
		return f.kevt() && f.pod() && f.kcreate() && p.hostPID && !f.imagesAllowed(p.images)
	}},
	{"Create HostIPC Pod", "WARNING", func(f *facts, p *podFacts) bool {
		return f.kevt() && f.pod() && f.kcreate() && p.hostIPC && !f.imagesAllowed(p.images)
	}},
	{"Create NodePort Service", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.target("services") && f.kcreate() && f.serviceType() == "NodePort"
	}},
	{"Create/Modify Configmap With Private Credentials", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.target("configmaps") && f.kmodify() && containsAny(string(f.ev.RequestObject), credentialWords)
	}},
	{"Anonymous Request Allowed", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.username() == "system:anonymous" && f.ev.Annotations.Decision == "allow" && !f.isHealthURI()
	}},
	{"Attach/Exec Pod", "NOTICE", func(f *facts, _ *podFacts) bool {
		sub := f.ev.subresource()
		return f.ev.Stage == "ResponseStarted" && f.podSub() && (f.kcreate() || f.verb() == "get") && (sub == "exec" || sub == "attach")
	}},
	{"port-forward", "NOTICE", func(f *facts, _ *podFacts) bool { return f.ev.subresource() == "portforward" }},
	{"EphemeralContainers Created", "NOTICE", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.podSub() && f.kmodify() && f.ev.subresource() == "ephemeralcontainers"
	}},
	{"Create Disallowed Namespace", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.target("namespaces") && f.kcreate() && !falcoAllowedNamespaces[f.ev.objectName()]
	}},
	{"Pod Created in Kube Namespace", "WARNING", func(f *facts, p *podFacts) bool {
		ns := f.ev.namespace()
		return f.kevt() && f.pod() && f.kcreate() && (ns == "kube-system" || ns == "kube-public") && !f.imagesAllowed(p.images)
	}},
	{"Service Account Created in Kube Namespace", "WARNING", func(f *facts, _ *podFacts) bool {
		ns := f.ev.namespace()
		return f.kevt() && f.target("serviceaccounts") && f.ev.subresource() == "" && f.kcreate() && (ns == "kube-system" || ns == "kube-public") && f.successful() && !falcoKnownSAs[f.ev.objectName()]
	}},
	{"System ClusterRole Modified/Deleted", "WARNING", func(f *facts, _ *podFacts) bool {
		name := f.ev.objectName()
		return f.kevt() && (f.target("roles") || f.target("clusterroles")) && (f.kmodify() || f.verb() == "delete") &&
			strings.HasPrefix(name, "system:") && name != "system:coredns" && name != "system:managed-certificate-controller"
	}},
	{"Attach to cluster-admin Role", "WARNING", func(f *facts, _ *podFacts) bool {
		ro := f.ev.request()
		return f.kevt() && f.target("clusterrolebindings") && f.kcreate() && ro != nil && ro.RoleRef != nil && ro.RoleRef.Name == "cluster-admin"
	}},
	{"ClusterRole With Wildcard Created", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && (f.target("roles") || f.target("clusterroles")) && f.kcreate() && f.out.First(FieldK8sRBACWildcard) == "true"
	}},
	{"ClusterRole With Write Privileges Created", "NOTICE", func(f *facts, _ *podFacts) bool {
		if !(f.kevt() && (f.target("roles") || f.target("clusterroles")) && f.kcreate()) {
			return false
		}
		if ro := f.ev.request(); ro != nil {
			for _, r := range ro.Rules {
				for _, v := range r.Verbs {
					for _, w := range writableVerbs {
						if v == w {
							return true
						}
					}
				}
			}
		}
		return false
	}},
	{"ClusterRole With Pod Exec Created", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && (f.target("roles") || f.target("clusterroles")) && f.kcreate() && f.out.First(FieldK8sRBACAllowsExec) == "true"
	}},
	{"K8s Secret Get Successfully", "ERROR", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.target("secrets") && f.verb() == "get" && f.successful()
	}},
	{"K8s Secret Get Unsuccessfully Tried", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.target("secrets") && f.verb() == "get" && !f.successful()
	}},
	{"Full K8s Administrative Access", "WARNING", func(f *facts, _ *podFacts) bool {
		return f.kevt() && f.nonSystemUser() && falcoFullAdminUsers[f.username()]
	}},
	{"Ingress Object without TLS Certificate Created", "WARNING", func(f *facts, _ *podFacts) bool {
		if !(f.kevt() && f.target("ingresses") && f.kcreate() && f.successful()) {
			return false
		}
		ro := f.ev.request()
		if ro == nil {
			return false
		}
		tls, ok := ro.HasTLS()
		return ok && !tls
	}},
}
