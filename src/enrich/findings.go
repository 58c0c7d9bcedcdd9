package enrich

import (
	"slices"
	"strings"
)

// Finding is one of kubelens's own rules: a precise judgement of what a
// single audit event shows, beside the security content detections that
// k8s_detections follows literally. Its score, ATT&CK techniques and
// message are its row of the risk signals lookup.
//
// Every finding reports only final events (k8s_is_final is not false), so
// that a request counts once, and, unless Means says otherwise, only
// requests the API server allowed: refused attempts are what security
// content's Kubernetes Unauthorized Access and Falco's rules report.
type Finding struct {
	// ID is the finding's stable snake_case id, its value in
	// k8s_findings.
	ID string
	// Title names it for people, and names its saved search.
	Title string
	// Means says what it reports; Excludes what it leaves out, and why.
	Means, Excludes string
	// Falco, Sigma and ESCU name the Falco k8s_audit rules, SigmaHQ
	// Kubernetes audit rules and Splunk security content detections it
	// corresponds to.
	Falco, Sigma, ESCU []string
	// Terms are search terms every event it fires on holds in _raw: the
	// saved search selects with them before running kubeenrich.
	Terms string
	match func(f *facts) bool
}

// podTemplateResources are the resources whose writes carry a pod spec:
// pods and every pod template owner.
var podTemplateResources = map[string]bool{
	"pods": true, "deployments": true, "daemonsets": true, "statefulsets": true, "replicasets": true,
	"jobs": true, "cronjobs": true, "replicationcontrollers": true,
}

// dangerousCapabilities are the Linux capabilities that let a container
// reach the host or other containers (Elastic's "excessive Linux
// capabilities" list, and ALL).
var dangerousCapabilities = map[string]bool{
	"ALL": true, "SYS_ADMIN": true, "SYS_MODULE": true, "SYS_PTRACE": true, "SYS_RAWIO": true, "SYS_BOOT": true,
	"DAC_READ_SEARCH": true, "NET_ADMIN": true, "BPF": true, "SYSLOG": true,
}

// isDangerousCapability accepts a capability as Kubernetes takes it, with
// or without CAP_, in any case.
func isDangerousCapability(c string) bool {
	c = strings.ToUpper(strings.TrimSpace(c))
	return dangerousCapabilities[strings.TrimPrefix(c, "CAP_")]
}

// nodeProxyMonitoring are the kubelet paths that monitoring reads through
// nodes/proxy (Prometheus scrapes /metrics/cadvisor so): read-only
// metrics, statistics and health, nothing that runs or reads containers.
var nodeProxyMonitoring = []string{"metrics", "stats", "healthz"}

// fullAdminGroups are groups that hold every permission.
var fullAdminGroups = []string{"system:masters"}

// Findings lists every finding kubeenrich judges, in the order
// k8s_findings lists them.
var Findings = []Finding{
	{
		ID: "privileged_workload", Title: "Privileged workload",
		Means:    "A pod, or the pod template of a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ReplicationController, was created or changed with a privileged container or a container adding a capability that reaches the host (ALL, SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, DAC_READ_SEARCH, NET_ADMIN, BPF, SYSLOG). Read from the request object, whatever the client: a full object, a strategic merge patch or a JSON patch.",
		Excludes: workloadExcludes,
		Falco:    []string{"Create Privileged Pod"}, Sigma: []string{"Privileged Container Deployed"}, ESCU: []string{"Kubernetes Create or Update Privileged Pod"},
		Terms: `("privileged" OR "capabilities")`,
		match: func(f *facts) bool { return f.workload() && (f.ev.pod.privileged || f.ev.pod.dangerousCaps) },
	},
	{
		ID: "sensitive_mount_workload", Title: "Workload mounting a sensitive host path",
		Means:    "A pod or pod template was created or changed with a hostPath volume of a sensitive host path (Falco's list: /, /proc, /etc, /root, /home/admin, the Docker, containerd and CRI-O sockets, /var/lib/kubelet, /etc/kubernetes and their key directories): root on the node.",
		Excludes: workloadExcludes,
		Falco:    []string{"Create Sensitive Mount Pod"}, Sigma: []string{"Container With A hostPath Mount Created"},
		Terms: `"hostPath"`,
		match: func(f *facts) bool { return f.workload() && f.ev.pod.sensitiveMount },
	},
	{
		ID: "host_namespace_workload", Title: "Workload sharing the host's namespaces",
		Means:    "A pod or pod template was created or changed with hostPID, hostIPC or hostNetwork: its containers see the node's processes, shared memory or network.",
		Excludes: workloadExcludes,
		Falco:    []string{"Create HostNetwork Pod", "Create HostPid Pod", "Create HostIPC Pod"}, Sigma: []string{"Privileged Container Deployed"}, ESCU: []string{"Kubernetes Pod With Host Network Attachment"},
		Terms: `("hostNetwork" OR "hostPID" OR "hostIPC")`,
		match: func(f *facts) bool {
			p := &f.ev.pod
			return f.workload() && (p.hostNetwork || p.hostPID || p.hostIPC)
		},
	},
	{
		ID: "hostpath_workload", Title: "Workload mounting a host path",
		Means:    "A pod or pod template was created or changed with a hostPath volume outside the sensitive list (a writable host directory is a known way out of a container).",
		Excludes: workloadExcludes + " Sensitive host paths are sensitive_mount_workload.",
		Sigma:    []string{"Container With A hostPath Mount Created"},
		Terms:    `"hostPath"`,
		match:    func(f *facts) bool { return f.workload() && f.ev.pod.otherHostPath },
	},
	{
		ID: "root_workload", Title: "Workload set to run as root",
		Means:    "A pod or pod template was created or changed with runAsUser: 0 set explicitly, on the pod or a container.",
		Excludes: workloadExcludes + " Containers that run as root only because their image says so are not visible in the audit log.",
		Terms:    `"runAsUser"`,
		match:    func(f *facts) bool { return f.workload() && f.ev.pod.explicitRoot },
	},
	{
		ID: "system_namespace_workload", Title: "Workload in a system namespace by a non-system principal",
		Means:    "A pod, Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ReplicationController was created or changed in a system namespace (k8s_namespace_class system) by a person, an IAM principal or a service account outside the system namespaces: a backdoor among the cluster's own components.",
		Excludes: "Status and other subresource updates; the control plane, nodes, EKS-managed identities and system-namespace service accounts, which create and update these pods all the time. Expect it when someone installs an add-on into kube-system.",
		Falco:    []string{"Pod Created in Kube Namespace"}, Sigma: []string{"Creation Of Pod In System Namespace"}, ESCU: []string{"Kubernetes Pod Created in Default Namespace", "Kubernetes DaemonSet Deployed"},
		match: func(f *facts) bool {
			return podTemplateResources[f.resource()] && f.ev.subresource() == "" && f.write() && f.systemNamespace(f.ev.namespace()) && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "exec_session", Title: "Exec or attach into a container",
		Means:    "A command run in a container (pods/exec) or a session attached to one (pods/attach), through kubectl exec, kubectl attach or any client.",
		Excludes: "The control plane, nodes and EKS-managed identities. pods/eviction and other subresources are not exec.",
		Falco:    []string{"Attach/Exec Pod"}, Sigma: []string{"Potential Remote Command Execution In Pod Container", "Suspicious Kubernetes Enumeration or Attack"},
		Terms: `("exec" OR "attach")`,
		match: func(f *facts) bool {
			sub := f.ev.subresource()
			return f.resource() == "pods" && (sub == "exec" || sub == "attach") && (f.verb() == "create" || f.verb() == "get") && f.judged() && !f.platform()
		},
	},
	{
		ID: "port_forward", Title: "Port forward to a pod",
		Means:    "A tunnel opened to a pod's ports (pods/portforward, kubectl port-forward): traffic that bypasses services and network policies.",
		Excludes: "The control plane, nodes and EKS-managed identities.",
		Falco:    []string{"port-forward"},
		Terms:    `"portforward"`,
		match: func(f *facts) bool {
			return f.resource() == "pods" && f.ev.subresource() == "portforward" && f.judged() && !f.platform()
		},
	},
	{
		ID: "ephemeral_container", Title: "Ephemeral container added to a pod",
		Means:    "An ephemeral container added to a running pod (pods/ephemeralcontainers, kubectl debug): a new process, from any image, inside the pod's namespaces.",
		Excludes: "The control plane, nodes and EKS-managed identities.",
		Falco:    []string{"EphemeralContainers Created"},
		Terms:    `"ephemeralcontainers"`,
		match: func(f *facts) bool {
			return f.resource() == "pods" && f.ev.subresource() == "ephemeralcontainers" && (f.verb() == "update" || f.verb() == "patch") && f.judged() && !f.platform()
		},
	},
	{
		ID: "node_proxy", Title: "Kubelet API through the node proxy",
		Means:    "A request passed to a node's kubelet through the API server (nodes/proxy): the kubelet API runs commands in any pod of the node and reads their logs, and what it does there is not in the audit log.",
		Excludes: "The monitoring paths Prometheus and metrics-server read (metrics, stats, healthz); the control plane, nodes and EKS-managed identities.",
		Terms:    `"proxy"`,
		match: func(f *facts) bool {
			return f.resource() == "nodes" && f.ev.subresource() == "proxy" && !f.nodeProxyMonitoring() && f.judged() && !f.platform()
		},
	},
	{
		ID: "secret_bulk_read", Title: "Secrets read in bulk",
		Means:    "Secrets listed or watched (every secret of a namespace, or of the cluster, in one request), or config maps listed or watched across all namespaces.",
		Excludes: "Requests narrowed to one object by name (fieldSelector=metadata.name=..., how the kubelet and many controllers watch a single secret); Helm listing its releases (labelSelector owner=helm); the control plane, nodes, EKS-managed identities and system-namespace service accounts. Operators that watch every secret (cert-manager, ingress controllers, Argo CD) fire it: name them in its filter macro.",
		Sigma:    []string{"Secrets Enumeration"},
		Terms:    `("secrets" OR "configmaps")`,
		match: func(f *facts) bool {
			v := f.verb()
			if v != "list" && v != "watch" {
				return false
			}
			res := f.resource()
			if !(res == "secrets" || res == "configmaps" && f.ev.namespace() == "") || f.ev.subresource() != "" {
				return false
			}
			return !f.singleObjectRead() && !f.helmReleaseList() && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "cross_namespace_secret_read", Title: "Service account reading another namespace's secrets",
		Means:    "A service account read secrets of a namespace other than its own, or of every namespace, or listed or watched the config maps of one: a workload reaching beyond its namespace.",
		Excludes: "Service accounts of system namespaces (the controllers of kube-controller-manager and the cluster's add-ons read everywhere by design); single config maps read by name in another namespace, which is how operators find their settings and CA bundles (in the public corpus, every cross-namespace config map get was an operator's).",
		Terms:    `("secrets" OR "configmaps")`,
		match: func(f *facts) bool {
			res := f.resource()
			if res != "secrets" && res != "configmaps" || f.ev.subresource() != "" || !f.read() || f.userKind() != "service_account" {
				return false
			}
			if res == "configmaps" && f.verb() == "get" {
				return false
			}
			ns := f.ev.namespace()
			return (ns == "" || ns != f.out.First(FieldK8sSANamespace)) && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "anonymous_access", Title: "Anonymous request allowed",
		Means:    "A request by system:anonymous or the system:unauthenticated group that the API server allowed: the cluster answers strangers.",
		Excludes: "Health, readiness and liveness probes (/healthz, /readyz, /livez) and /version, which every cluster serves to anyone.",
		Falco:    []string{"Anonymous Request Allowed"}, ESCU: []string{"Amazon EKS Kubernetes cluster scan detection", "Kubernetes AWS detect suspicious kubectl calls"},
		Terms: `("system:anonymous" OR "system:unauthenticated")`,
		match: func(f *facts) bool {
			return f.userKind() == "anonymous" && f.out.First(FieldK8sRequestKind) != "health" && !f.versionProbe() && f.judged()
		},
	},
	{
		ID: "cluster_admin_binding", Title: "Cluster-wide grant of cluster-admin",
		Means:    "A ClusterRoleBinding to ClusterRole cluster-admin created or changed (or the binding named cluster-admin changed): full control of every namespace.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts, which reconcile the cluster's own bindings.",
		Falco:    []string{"Attach to cluster-admin Role"}, Sigma: []string{"Kubernetes Rolebinding Modification"},
		Terms: `"clusterrolebindings"`,
		match: func(f *facts) bool {
			return f.resource() == "clusterrolebindings" && f.write() && f.grantsClusterAdmin() && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "namespace_admin_binding", Title: "Namespaced grant of cluster-admin",
		Means:    "A RoleBinding to ClusterRole cluster-admin created or changed: full control of one namespace, secrets included.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts.",
		Sigma:    []string{"Kubernetes Rolebinding Modification"},
		Terms:    `"rolebindings"`,
		match: func(f *facts) bool {
			return f.resource() == "rolebindings" && f.write() && f.grantsClusterAdmin() && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "wildcard_cluster_role", Title: "Cluster role with wildcard permissions",
		Means:    "A ClusterRole created or changed with * among a rule's resources or verbs: every current and future permission, in every namespace.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts (the API server reconciles cluster-admin, which has wildcards).",
		Falco:    []string{"ClusterRole With Wildcard Created"},
		Terms:    `"clusterroles"`,
		match: func(f *facts) bool {
			return f.resource() == "clusterroles" && f.write() && f.out.First(FieldK8sRBACWildcard) == "true" && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "wildcard_role", Title: "Namespaced role with wildcard permissions",
		Means:    "A Role created or changed with * among a rule's resources or verbs: every permission in its namespace.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts.",
		Falco:    []string{"ClusterRole With Wildcard Created"},
		Terms:    `"roles"`,
		match: func(f *facts) bool {
			return f.resource() == "roles" && f.write() && f.out.First(FieldK8sRBACWildcard) == "true" && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "impersonation", Title: "Request impersonating another user",
		Means:    "A request made as another user (Impersonate-User, kubectl --as): the permissions used are the impersonated user's, and user is that user.",
		Excludes: "The control plane, nodes and EKS-managed identities.",
		Terms:    `"impersonatedUser"`,
		match: func(f *facts) bool {
			return f.ev.ImpersonatedUser.Username != "" && f.judged() && !f.platform()
		},
	},
	{
		ID: "privileged_impersonation", Title: "Request impersonating a cluster administrator",
		Means:    "A request impersonating the group system:masters or a user the system names lookup lists as privileged (admin, kubernetes-admin, minikube-user, OpenShift's system:admin and kube:admin, ...): cluster-admin, whatever the caller's own permissions.",
		Excludes: "The control plane, nodes and EKS-managed identities.",
		Terms:    `"impersonatedUser"`,
		match: func(f *facts) bool {
			u := &f.ev.ImpersonatedUser
			if u.Username == "" && len(u.Groups) == 0 {
				return false
			}
			admin := f.e.listedAdmin(u.Username) || slices.ContainsFunc(u.Groups, func(g string) bool { return slices.Contains(fullAdminGroups, g) })
			return admin && f.judged() && !f.platform()
		},
	},
	{
		ID: "token_request", Title: "Token requested for another service account",
		Means:    "A token created for a service account (serviceaccounts/token, kubectl create token) by anyone but that service account itself: credentials minted for an identity the caller is not.",
		Excludes: "Nodes (the kubelet requests every pod's projected token), the control plane and EKS-managed identities.",
		Terms:    `"token"`,
		match: func(f *facts) bool {
			if f.resource() != "serviceaccounts" || f.ev.subresource() != "token" || f.verb() != "create" || !f.judged() || f.platform() {
				return false
			}
			self := f.userKind() == "service_account" && f.out.First(FieldK8sSANamespace) == f.ev.namespace() && f.out.First(FieldK8sSAName) == f.ev.objectName()
			return !self
		},
	},
	{
		ID: "csr_approval", Title: "Certificate signing request approved",
		Means:    "A certificate signing request approved (certificatesigningrequests/approval) by a person or a workload: a client certificate, for any user or group the request names, system:masters included.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts, which approve nodes' certificates.",
		Terms:    `"approval"`,
		match: func(f *facts) bool {
			return f.resource() == "certificatesigningrequests" && f.ev.subresource() == "approval" && (f.verb() == "update" || f.verb() == "patch") && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "admission_webhook_changed", Title: "Admission webhook created or changed",
		Means:    "A mutating or validating webhook configuration created, changed or deleted: a webhook sees, and a mutating one rewrites, every object it selects, secrets included; deleting one removes a guard.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts; updates and patches by service accounts, which is how cert-manager's CA injector and operators rotate a webhook's CA bundle.",
		Sigma:    []string{"Kubernetes Admission Controller Modification"},
		Terms:    `("mutatingwebhookconfigurations" OR "validatingwebhookconfigurations")`,
		match: func(f *facts) bool {
			res := f.resource()
			if res != "mutatingwebhookconfigurations" && res != "validatingwebhookconfigurations" {
				return false
			}
			switch f.verb() {
			case "create", "delete", "deletecollection":
			case "update", "patch":
				if f.userKind() == "service_account" {
					return false
				}
			default:
				return false
			}
			return f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "permission_enumeration", Title: "Permissions enumerated",
		Means:    "A principal listed everything it may do (selfsubjectrulesreviews, kubectl auth can-i --list): an early step after taking a credential.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts. Single questions (kubectl auth can-i verb resource, selfsubjectaccessreviews), which tools and dashboards ask all the time.",
		Sigma:    []string{"RBAC Permission Enumeration Attempt"},
		Terms:    `"selfsubjectrulesreviews"`,
		match: func(f *facts) bool {
			return f.resource() == "selfsubjectrulesreviews" && f.verb() == "create" && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "events_deleted", Title: "Kubernetes events deleted",
		Means:    "Events deleted (delete or deletecollection on events): traces removed. Kubernetes expires events itself, without an API request.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts.",
		Sigma:    []string{"Kubernetes Events Deleted"},
		Terms:    `"events"`,
		match: func(f *facts) bool {
			return f.resource() == "events" && (f.verb() == "delete" || f.verb() == "deletecollection") && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "system_namespace_service_account", Title: "Service account created in a system namespace",
		Means:    "A service account created in a system namespace by a person, an IAM principal or a service account outside the system namespaces: an identity hidden among the cluster's own.",
		Excludes: "The control plane, nodes, EKS-managed identities and system-namespace service accounts. Service accounts created elsewhere, which every application install does.",
		Falco:    []string{"Service Account Created in Kube Namespace"}, Sigma: []string{"New Kubernetes Service Account Created"},
		Terms: `"serviceaccounts"`,
		match: func(f *facts) bool {
			return f.resource() == "serviceaccounts" && f.ev.subresource() == "" && f.verb() == "create" && f.systemNamespace(f.ev.namespace()) && f.judged() && !f.systemPrincipal()
		},
	},
	{
		ID: "scanner_user_agent", Title: "Request from an attack or scanning tool",
		Means:    "A request whose user agent is an attack or scanning tool (category scanner of the user agents lookup: kube-hunter, kubescape, peirates, trufflehog, nmap, ...), allowed or not.",
		Excludes: "AWS's own scanner (tool aws-security-scanner). Your own scheduled scans fire it too: name their identity in its filter macro.",
		Sigma:    []string{"Suspicious Kubernetes Enumeration or Attack"},
		match: func(f *facts) bool {
			return f.out.First(FieldK8sUACategory) == "scanner" && f.out.First(FieldK8sUATool) != "aws-security-scanner" && f.final()
		},
	},
}

// workloadExcludes is what every workload finding leaves out.
const workloadExcludes = "Requests the API server refused; pods the control plane, nodes, EKS-managed identities and system-namespace service accounts create (the DaemonSet, ReplicaSet and Job controllers create pods from templates, and the finding fires where the template was written); workloads whose every image is in the trusted images lookup (as Falco's image allow-lists)."

// FindingByID returns the finding with that id.
func FindingByID(id string) (*Finding, bool) {
	for i := range Findings {
		if Findings[i].ID == id {
			return &Findings[i], true
		}
	}
	return nil, false
}

// The facts findings read.

func (f *facts) userKind() string { return f.out.First(FieldK8sUserKind) }

// final: the event is its request's final stage, or the stage is unknown.
func (f *facts) final() bool { return f.out.First(FieldK8sIsFinal) != "false" }

// allowed: the API server allowed the request: a 2xx, or 101 for an exec
// or attach upgrade; without a response code, not refused by the
// authorizer.
func (f *facts) allowed() bool {
	c := f.code()
	if c == 0 {
		return f.ev.Annotations.Decision != "forbid"
	}
	return c == 101 || c >= 200 && c < 300
}

// judged: final and allowed, what most findings need.
func (f *facts) judged() bool { return f.final() && f.allowed() }

func (f *facts) write() bool {
	v := f.verb()
	return v == "create" || v == "update" || v == "patch"
}

func (f *facts) read() bool {
	v := f.verb()
	return v == "get" || v == "list" || v == "watch"
}

// platform: the cluster's own machinery: the control plane, nodes and
// EKS-managed identities.
func (f *facts) platform() bool {
	switch f.userKind() {
	case "control_plane", "node", "eks_managed":
		return true
	}
	return false
}

// systemPrincipal: the platform, or a service account of a system
// namespace (controllers and add-ons).
func (f *facts) systemPrincipal() bool {
	return f.platform() || f.userKind() == "service_account" && f.systemNamespace(f.out.First(FieldK8sSANamespace))
}

// systemNamespace: a namespace the platforms reserve, by the system names
// lookup, as k8s_namespace_class says.
func (f *facts) systemNamespace(ns string) bool { return f.e.namespaceClass(ns) == "system" }

// workload: the event wrote a pod spec that a workload finding judges.
func (f *facts) workload() bool {
	p := &f.ev.pod
	return p.spec && f.judged() && !f.systemPrincipal() && !f.imagesAllowed(p.images)
}

// singleObjectRead: a list or watch narrowed to one object by name.
func (f *facts) singleObjectRead() bool {
	uri := f.ev.RequestURI
	return strings.Contains(uri, "fieldSelector=metadata.name%3D") || strings.Contains(uri, "fieldSelector=metadata.name=")
}

// helmReleaseList: Helm listing the secrets that store its releases.
func (f *facts) helmReleaseList() bool {
	uri := f.ev.RequestURI
	return strings.Contains(uri, "labelSelector=owner%3Dhelm") || strings.Contains(uri, "labelSelector=owner=helm")
}

// versionProbe: GET /version, which every cluster serves to anyone.
func (f *facts) versionProbe() bool {
	path, _, _ := strings.Cut(f.ev.RequestURI, "?")
	return path == "/version" || path == "/version/"
}

// nodeProxyMonitoring: a nodes/proxy request for a monitoring path:
// /api/v1/nodes/<node>/proxy/<path>.
func (f *facts) nodeProxyMonitoring() bool {
	path, _, _ := strings.Cut(f.ev.RequestURI, "?")
	_, rest, ok := strings.Cut(path, "/proxy")
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, "/")
	first, _, _ := strings.Cut(rest, "/")
	return slices.Contains(nodeProxyMonitoring, first)
}

// grantsClusterAdmin: a (cluster) role binding write whose roleRef is
// ClusterRole cluster-admin, or a change to the binding named cluster-admin
// (a patch that adds a subject carries no roleRef).
func (f *facts) grantsClusterAdmin() bool {
	if ro := f.ev.request(); ro != nil && ro.RoleRef != nil {
		return ro.RoleRef.Name == "cluster-admin" && (ro.RoleRef.Kind == "" || ro.RoleRef.Kind == "ClusterRole")
	}
	return f.verb() != "create" && f.resource() == "clusterrolebindings" && f.ev.objectName() == "cluster-admin"
}
