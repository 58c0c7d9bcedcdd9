package benchdata

import (
	"fmt"
	"strings"
)

// The cluster every generated event comes from. The account is the one
// AWS documentation uses; the addresses are a VPC's private ranges and
// the documentation ranges for the internet side.
const (
	account  = "111122223333"
	region   = "us-east-1"
	cluster  = "prod-use1"
	k8sMinor = "1.29"
)

// resource is a Kubernetes API resource.
type resource struct {
	name, group, version string
	namespaced           bool
	kind                 string
}

var resourceList = []resource{
	{"pods", "", "v1", true, "Pod"},
	{"services", "", "v1", true, "Service"},
	{"endpoints", "", "v1", true, "Endpoints"},
	{"configmaps", "", "v1", true, "ConfigMap"},
	{"secrets", "", "v1", true, "Secret"},
	{"serviceaccounts", "", "v1", true, "ServiceAccount"},
	{"events", "", "v1", true, "Event"},
	{"persistentvolumeclaims", "", "v1", true, "PersistentVolumeClaim"},
	{"limitranges", "", "v1", true, "LimitRange"},
	{"resourcequotas", "", "v1", true, "ResourceQuota"},
	{"replicationcontrollers", "", "v1", true, "ReplicationController"},
	{"podtemplates", "", "v1", true, "PodTemplate"},
	{"nodes", "", "v1", false, "Node"},
	{"namespaces", "", "v1", false, "Namespace"},
	{"persistentvolumes", "", "v1", false, "PersistentVolume"},
	{"deployments", "apps", "v1", true, "Deployment"},
	{"replicasets", "apps", "v1", true, "ReplicaSet"},
	{"statefulsets", "apps", "v1", true, "StatefulSet"},
	{"daemonsets", "apps", "v1", true, "DaemonSet"},
	{"controllerrevisions", "apps", "v1", true, "ControllerRevision"},
	{"jobs", "batch", "v1", true, "Job"},
	{"cronjobs", "batch", "v1", true, "CronJob"},
	{"leases", "coordination.k8s.io", "v1", true, "Lease"},
	{"endpointslices", "discovery.k8s.io", "v1", true, "EndpointSlice"},
	{"ingresses", "networking.k8s.io", "v1", true, "Ingress"},
	{"networkpolicies", "networking.k8s.io", "v1", true, "NetworkPolicy"},
	{"ingressclasses", "networking.k8s.io", "v1", false, "IngressClass"},
	{"poddisruptionbudgets", "policy", "v1", true, "PodDisruptionBudget"},
	{"horizontalpodautoscalers", "autoscaling", "v2", true, "HorizontalPodAutoscaler"},
	{"roles", "rbac.authorization.k8s.io", "v1", true, "Role"},
	{"rolebindings", "rbac.authorization.k8s.io", "v1", true, "RoleBinding"},
	{"clusterroles", "rbac.authorization.k8s.io", "v1", false, "ClusterRole"},
	{"clusterrolebindings", "rbac.authorization.k8s.io", "v1", false, "ClusterRoleBinding"},
	{"storageclasses", "storage.k8s.io", "v1", false, "StorageClass"},
	{"csinodes", "storage.k8s.io", "v1", false, "CSINode"},
	{"csidrivers", "storage.k8s.io", "v1", false, "CSIDriver"},
	{"volumeattachments", "storage.k8s.io", "v1", false, "VolumeAttachment"},
	{"customresourcedefinitions", "apiextensions.k8s.io", "v1", false, "CustomResourceDefinition"},
	{"mutatingwebhookconfigurations", "admissionregistration.k8s.io", "v1", false, "MutatingWebhookConfiguration"},
	{"validatingwebhookconfigurations", "admissionregistration.k8s.io", "v1", false, "ValidatingWebhookConfiguration"},
	{"tokenreviews", "authentication.k8s.io", "v1", false, "TokenReview"},
	{"subjectaccessreviews", "authorization.k8s.io", "v1", false, "SubjectAccessReview"},
	{"selfsubjectaccessreviews", "authorization.k8s.io", "v1", false, "SelfSubjectAccessReview"},
	{"certificatesigningrequests", "certificates.k8s.io", "v1", false, "CertificateSigningRequest"},
	{"flowschemas", "flowcontrol.apiserver.k8s.io", "v1", false, "FlowSchema"},
	{"priorityclasses", "scheduling.k8s.io", "v1", false, "PriorityClass"},
	{"applications", "argoproj.io", "v1alpha1", true, "Application"},
	{"certificates", "cert-manager.io", "v1", true, "Certificate"},
	{"servicemonitors", "monitoring.coreos.com", "v1", true, "ServiceMonitor"},
	{"nodeclaims", "karpenter.sh", "v1beta1", false, "NodeClaim"},
	{"nodepools", "karpenter.sh", "v1beta1", false, "NodePool"},
	{"externalsecrets", "external-secrets.io", "v1beta1", true, "ExternalSecret"},
	{"targetgroupbindings", "elbv2.k8s.aws", "v1beta1", true, "TargetGroupBinding"},
	{"eniconfigs", "crd.k8s.amazonaws.com", "v1alpha1", false, "ENIConfig"},
}

// customResources are the resources of add-ons' CRDs.
var customResources = []string{"applications", "certificates", "servicemonitors", "nodeclaims", "nodepools", "externalsecrets", "targetgroupbindings", "eniconfigs"}

var resources = func() map[string]*resource {
	m := make(map[string]*resource, len(resourceList))
	for i := range resourceList {
		m[resourceList[i].name] = &resourceList[i]
	}
	return m
}()

func res(name string) *resource {
	r, ok := resources[name]
	if !ok {
		panic("benchdata: unknown resource " + name)
	}
	return r
}

// appNamespaces are the teams' namespaces and their workloads.
var appNamespaces = []struct {
	ns   string
	apps []string
}{
	{"payments", []string{"payments-api", "payments-worker", "ledger", "fraud-scorer"}},
	{"checkout", []string{"checkout-api", "cart", "pricing"}},
	{"catalog", []string{"catalog-api", "catalog-indexer", "image-resizer"}},
	{"orders", []string{"orders-api", "orders-worker", "fulfilment"}},
	{"search", []string{"search-api", "search-indexer"}},
	{"identity", []string{"auth-api", "session-store", "oidc-proxy"}},
	{"notifications", []string{"notifier", "email-sender", "sms-sender"}},
	{"billing", []string{"billing-api", "invoicer"}},
	{"inventory", []string{"inventory-api", "stock-sync"}},
	{"shipping", []string{"shipping-api", "label-printer"}},
	{"recommendations", []string{"recs-api", "recs-trainer"}},
	{"frontend", []string{"web", "bff", "static-assets"}},
	{"analytics", []string{"events-collector", "sessionizer"}},
	{"data-pipeline", []string{"kafka-connect", "spark-operator", "airflow-scheduler", "airflow-worker"}},
	{"batch-jobs", []string{"nightly-report", "reconciler"}},
}

// serviceAccount describes an add-on's or a workload's service account and
// what it does with the API.
type serviceAccount struct {
	ns, name string
	daemon   bool   // one pod per node, on the node's address (hostNetwork)
	replicas int    // pods of a deployment otherwise
	ua       string // user agent; %s is the version
	versions []string
	watches  []string // resources it lists and watches cluster-wide
	leader   bool     // renews a leader-election lease
	reads    bool     // reads its own namespace's config maps and secrets
	writes   []string // resources it patches or updates
	creates  []string // resources it creates
}

var addonAccounts = []serviceAccount{
	{ns: "kube-system", name: "aws-node", daemon: true, ua: "aws-node/%s (linux/amd64) kubernetes/$Format", versions: []string{"v1.18.1", "v1.18.2"}, watches: []string{"pods", "nodes", "eniconfigs"}, writes: []string{"pods", "nodes"}},
	{ns: "kube-system", name: "kube-proxy", daemon: true, ua: "kube-proxy/%s (linux/amd64) kubernetes/adc7111", versions: []string{"v1.29.3-eks-adc7111", "v1.28.8-eks-ae9a62a"}, watches: []string{"services", "endpointslices", "nodes"}, creates: []string{"events"}},
	{ns: "kube-system", name: "ebs-csi-node-sa", daemon: true, ua: "aws-ebs-csi-driver/%s (linux/amd64) kubernetes/$Format", versions: []string{"v1.29.1"}, watches: []string{"csinodes", "volumeattachments"}},
	{ns: "kube-system", name: "eks-pod-identity-agent", daemon: true, ua: "eks-pod-identity-agent/%s (linux/amd64)", versions: []string{"v0.1.6"}, watches: []string{"serviceaccounts"}},
	{ns: "logging", name: "fluent-bit", daemon: true, ua: "fluent-bit/%s", versions: []string{"3.0.2", "2.2.2"}, watches: []string{"namespaces"}},
	{ns: "monitoring", name: "node-exporter", daemon: true, ua: "node_exporter/%s", versions: []string{"1.7.0"}, watches: []string{"nodes"}},
	{ns: "datadog", name: "datadog-agent", daemon: true, ua: "datadog-agent/%s (linux/amd64) kubernetes/$Format", versions: []string{"7.52.0", "7.51.1"}, watches: []string{"pods", "nodes", "services"}, creates: []string{"events"}},
	{ns: "kube-system", name: "coredns", replicas: 2, ua: "coredns/%s (linux/amd64) kubernetes/$Format", versions: []string{"v1.11.1"}, watches: []string{"endpointslices", "services", "namespaces"}},
	{ns: "kube-system", name: "ebs-csi-controller-sa", replicas: 2, ua: "csi-provisioner/%s (linux/amd64) kubernetes/$Format", versions: []string{"v4.0.0", "v3.6.3"}, watches: []string{"persistentvolumeclaims", "persistentvolumes", "storageclasses", "volumeattachments"}, leader: true, writes: []string{"persistentvolumes", "volumeattachments"}},
	{ns: "kube-system", name: "aws-load-balancer-controller", replicas: 2, ua: "aws-load-balancer-controller/%s (linux/amd64) kubernetes/$Format", versions: []string{"v2.7.2"}, watches: []string{"ingresses", "services", "endpointslices", "targetgroupbindings", "nodes"}, leader: true, writes: []string{"ingresses", "targetgroupbindings", "services"}},
	{ns: "kube-system", name: "cluster-autoscaler", replicas: 1, ua: "cluster-autoscaler/%s (linux/amd64) kubernetes/$Format", versions: []string{"v1.29.0"}, watches: []string{"pods", "nodes", "poddisruptionbudgets", "statefulsets", "replicasets"}, leader: true, writes: []string{"configmaps", "nodes"}, creates: []string{"events"}},
	{ns: "kube-system", name: "metrics-server", replicas: 2, ua: "metrics-server/%s (linux/amd64) kubernetes/$Format", versions: []string{"v0.7.0"}, watches: []string{"nodes", "pods"}},
	{ns: "kube-system", name: "external-dns", replicas: 1, ua: "external-dns/%s", versions: []string{"v0.14.1"}, watches: []string{"services", "ingresses", "nodes"}},
	{ns: "karpenter", name: "karpenter", replicas: 2, ua: "karpenter.sh-%s", versions: []string{"v0.35.1"}, watches: []string{"pods", "nodes", "nodeclaims", "nodepools", "poddisruptionbudgets"}, leader: true, writes: []string{"nodeclaims", "nodes"}, creates: []string{"nodeclaims", "events"}},
	{ns: "argocd", name: "argocd-application-controller", replicas: 1, ua: "argocd-application-controller/%s (linux/amd64) kubernetes/$Format", versions: []string{"v2.10.4"}, watches: []string{"applications", "deployments", "services", "configmaps", "statefulsets", "ingresses", "rolebindings"}, writes: []string{"deployments", "services", "configmaps", "applications", "rolebindings", "statefulsets"}, creates: []string{"deployments", "rolebindings", "events"}},
	{ns: "argocd", name: "argocd-server", replicas: 2, ua: "argocd-server/%s (linux/amd64) kubernetes/$Format", versions: []string{"v2.10.4"}, watches: []string{"applications"}, reads: true},
	{ns: "argocd", name: "argocd-repo-server", replicas: 2, ua: "argocd-repo-server/%s (linux/amd64) kubernetes/$Format", versions: []string{"v2.10.4"}, reads: true},
	{ns: "argocd", name: "argocd-applicationset-controller", replicas: 1, ua: "argocd-applicationset-controller/%s (linux/amd64) kubernetes/$Format", versions: []string{"v2.10.4"}, watches: []string{"applications"}, leader: true, writes: []string{"applications"}},
	{ns: "monitoring", name: "prometheus-k8s", replicas: 2, ua: "Prometheus/%s", versions: []string{"2.51.1", "2.50.1"}, watches: []string{"endpoints", "pods", "services", "servicemonitors", "nodes"}},
	{ns: "monitoring", name: "prometheus-operator", replicas: 1, ua: "PrometheusOperator/%s", versions: []string{"0.72.0"}, watches: []string{"servicemonitors", "statefulsets", "secrets", "configmaps"}, writes: []string{"statefulsets", "secrets"}},
	{ns: "monitoring", name: "kube-state-metrics", replicas: 1, ua: "kube-state-metrics/%s (linux/amd64) kubernetes/$Format", versions: []string{"v2.10.1"}, watches: []string{"pods", "deployments", "replicasets", "nodes", "namespaces", "jobs", "cronjobs", "services", "persistentvolumeclaims", "horizontalpodautoscalers"}},
	{ns: "monitoring", name: "grafana", replicas: 1, ua: "grafana-sc-dashboard/%s", versions: []string{"1.26.1"}, watches: []string{"configmaps"}},
	{ns: "cert-manager", name: "cert-manager", replicas: 1, ua: "cert-manager-controller/%s (linux/amd64) cert-manager/$Format", versions: []string{"v1.14.4"}, watches: []string{"certificates", "secrets", "ingresses"}, leader: true, writes: []string{"certificates", "secrets"}, creates: []string{"events"}},
	{ns: "cert-manager", name: "cert-manager-cainjector", replicas: 1, ua: "cert-manager-cainjector/%s (linux/amd64) cert-manager/$Format", versions: []string{"v1.14.4"}, watches: []string{"mutatingwebhookconfigurations", "validatingwebhookconfigurations", "customresourcedefinitions"}, leader: true, writes: []string{"validatingwebhookconfigurations"}},
	{ns: "cert-manager", name: "cert-manager-webhook", replicas: 1, ua: "cert-manager-webhook/%s (linux/amd64) cert-manager/$Format", versions: []string{"v1.14.4"}, reads: true, creates: []string{"subjectaccessreviews"}},
	{ns: "ingress-nginx", name: "ingress-nginx", replicas: 3, ua: "nginx-ingress-controller/%s (linux/amd64) ingress-nginx/$Format", versions: []string{"v1.10.0"}, watches: []string{"ingresses", "services", "endpointslices", "secrets", "configmaps", "ingressclasses"}, leader: true, writes: []string{"ingresses"}},
	{ns: "istio-system", name: "istiod", replicas: 2, ua: "pilot-discovery/%s", versions: []string{"1.21.0"}, watches: []string{"services", "endpointslices", "pods", "namespaces", "secrets", "mutatingwebhookconfigurations"}, leader: true, writes: []string{"mutatingwebhookconfigurations", "configmaps"}},
	{ns: "datadog", name: "datadog-cluster-agent", replicas: 1, ua: "datadog-cluster-agent/%s (linux/amd64) kubernetes/$Format", versions: []string{"7.52.0"}, watches: []string{"pods", "nodes", "services", "deployments", "events"}, leader: true},
	{ns: "external-secrets", name: "external-secrets", replicas: 1, ua: "external-secrets/%s", versions: []string{"v0.9.14"}, watches: []string{"externalsecrets", "secrets"}, leader: true, writes: []string{"secrets", "externalsecrets"}, creates: []string{"secrets"}},
	{ns: "gatekeeper-system", name: "gatekeeper-admin", replicas: 2, ua: "gatekeeper/%s (linux/amd64)", versions: []string{"v3.15.1"}, watches: []string{"namespaces", "pods", "customresourcedefinitions"}, reads: true},
	{ns: "velero", name: "velero", replicas: 1, ua: "velero-server/%s (linux/amd64) kubernetes/$Format", versions: []string{"v1.13.1"}, watches: []string{"namespaces", "persistentvolumes"}, reads: true},
}

// controllers are kube-controller-manager's controllers, each with its
// own service account and its main resources.
var controllers = []struct {
	name string
	res  []string
	pods bool // creates and deletes pods
}{
	{"replicaset-controller", []string{"replicasets"}, true},
	{"deployment-controller", []string{"deployments", "replicasets"}, false},
	{"statefulset-controller", []string{"statefulsets", "controllerrevisions"}, true},
	{"daemon-set-controller", []string{"daemonsets", "controllerrevisions"}, true},
	{"job-controller", []string{"jobs"}, true},
	{"cronjob-controller", []string{"cronjobs", "jobs"}, false},
	{"endpoint-controller", []string{"endpoints"}, false},
	{"endpointslice-controller", []string{"endpointslices"}, false},
	{"endpointslicemirroring-controller", []string{"endpointslices"}, false},
	{"namespace-controller", []string{"namespaces"}, false},
	{"node-controller", []string{"nodes"}, false},
	{"generic-garbage-collector", []string{"replicasets", "pods", "controllerrevisions"}, false},
	{"horizontal-pod-autoscaler", []string{"horizontalpodautoscalers", "deployments"}, false},
	{"disruption-controller", []string{"poddisruptionbudgets"}, false},
	{"pvc-protection-controller", []string{"persistentvolumeclaims"}, false},
	{"pv-protection-controller", []string{"persistentvolumes"}, false},
	{"persistent-volume-binder", []string{"persistentvolumeclaims", "persistentvolumes"}, false},
	{"attachdetach-controller", []string{"volumeattachments", "nodes"}, false},
	{"service-account-controller", []string{"serviceaccounts"}, false},
	{"resourcequota-controller", []string{"resourcequotas"}, false},
	{"ttl-controller", []string{"nodes"}, false},
	{"clusterrole-aggregation-controller", []string{"clusterroles"}, false},
	{"certificate-controller", []string{"certificatesigningrequests"}, false},
	{"root-ca-cert-publisher", []string{"configmaps"}, false},
	{"ephemeral-volume-controller", []string{"persistentvolumeclaims"}, false},
	{"pod-garbage-collector", []string{"pods"}, false},
}

// systemUsers are the control plane's own identities.
var systemUsers = []struct {
	name, ua string
	groups   []string
	res      []string
	lease    string // the kube-system lease it renews, if any
}{
	{"system:kube-controller-manager", "kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/adc7111/leader-election", []string{"system:authenticated"}, []string{"leases", "tokenreviews", "subjectaccessreviews"}, "kube-controller-manager"},
	{"system:kube-scheduler", "kube-scheduler/v1.29.3 (linux/amd64) kubernetes/adc7111/scheduler", []string{"system:authenticated"}, []string{"pods", "nodes", "persistentvolumeclaims", "csinodes", "poddisruptionbudgets"}, "kube-scheduler"},
	{"system:apiserver", "kube-apiserver/v1.29.3 (linux/amd64) kubernetes/adc7111", []string{"system:masters", "system:authenticated"}, []string{"namespaces", "endpointslices", "leases", "flowschemas", "priorityclasses"}, ""},
	{"eks:node-manager", "eks-node-manager/v0.1.0 (linux/amd64) kubernetes/$Format", []string{"system:authenticated"}, []string{"nodes", "pods"}, ""},
	{"eks:certificate-controller", "eks-certificate-controller/v1.0.0 (linux/amd64) kubernetes/$Format", []string{"system:authenticated"}, []string{"certificatesigningrequests"}, "eks-certificate-controller"},
	{"eks:cloud-controller-manager", "aws-cloud-controller-manager/v1.29.1 (linux/amd64) kubernetes/$Format/leader-election", []string{"system:authenticated"}, []string{"nodes", "services"}, "cloud-controller-manager"},
	{"eks:addon-manager", "eks-addon-manager/v1.0 (linux/amd64)", []string{"system:authenticated"}, []string{"daemonsets", "deployments", "configmaps", "serviceaccounts", "clusterroles"}, ""},
	{"eks:pod-identity-mutating-webhook", "amazon-eks-pod-identity-webhook/v0.5.3 (linux/amd64) kubernetes/$Format", []string{"system:authenticated"}, []string{"serviceaccounts"}, ""},
	{"eks:vpc-resource-controller", "vpc-resource-controller/v1.4.6 (linux/amd64) kubernetes/$Format", []string{"system:authenticated"}, []string{"nodes", "pods", "eniconfigs"}, "cp-vpc-resource-controller"},
	{"eks:k8s-metrics", "eks-k8s-metrics/v1.0 (linux/amd64)", []string{"system:authenticated"}, []string{"nodes", "pods", "namespaces"}, ""},
	{"eks:authenticator", "aws-iam-authenticator/v0.6.14 (linux/amd64)", []string{"system:authenticated"}, []string{"configmaps"}, ""},
	{"eks:cluster-event-watcher", "eks-cluster-event-watcher/v1.0 (linux/amd64)", []string{"system:authenticated"}, []string{"events"}, ""},
	{"eks:fargate-manager", "eks-fargate-manager/v1.0 (linux/amd64)", []string{"system:authenticated"}, []string{"pods", "nodes"}, ""},
	{"eks:network-policy-controller", "amazon-network-policy-controller-k8s/v1.0.2 (linux/amd64)", []string{"system:authenticated"}, []string{"networkpolicies", "pods", "namespaces"}, "amazon-network-policy-controller-k8s"},
	{"eks:service-operations", "eks-service-operations/v1.0 (linux/amd64)", []string{"system:authenticated"}, []string{"configmaps", "namespaces"}, ""},
}

var firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki", "zoe", "amir", "bea", "chen", "dara", "emeka", "fatima", "goran", "hana", "ines", "jonas", "kofi", "lena", "marta", "noor", "oskar", "priya", "quinn", "rosa", "sven"}

var lastNames = []string{"smith", "jones", "garcia", "miller", "davis", "lopez", "wilson", "anderson", "thomas", "taylor", "moore", "martin", "lee", "perez", "white", "harris", "clark", "lewis", "young", "king", "wright", "hill", "scott", "green", "adams", "baker", "nelson", "carter", "mitchell", "roberts", "turner", "phillips", "campbell", "parker", "evans", "edwards", "collins", "stewart", "morris", "murphy"}

// humanRoles are the IAM roles people and pipelines assume, how many
// sessions each sees, their Kubernetes groups and how they are authorised.
var humanRoles = []struct {
	role     string
	sessions int
	groups   []string
	policy   string // EKS access policy, or "" for an RBAC binding
	ci       bool
}{
	{"EKSClusterAdmin", 8, []string{"system:masters"}, "AmazonEKSClusterAdminPolicy", false},
	{"PlatformEngineer", 24, []string{"platform-admins"}, "AmazonEKSAdminPolicy", false},
	{"ReadOnly", 36, []string{"readers"}, "AmazonEKSViewPolicy", false},
	{"SecurityAudit", 6, []string{"security-auditors"}, "AmazonEKSViewPolicy", false},
	{"OnCall", 14, []string{"oncall", "readers"}, "AmazonEKSEditPolicy", false},
	{"github-actions-deployer", 24, []string{"deployers"}, "", true},
	{"terraform-runner", 10, []string{"platform-admins"}, "AmazonEKSClusterAdminPolicy", true},
}

// kubectl versions people run: minor, patches, build commit.
var kubectlVersions = []struct {
	minor   string
	patches int
	commit  string
}{
	{"1.26", 15, "17ec1a2"}, {"1.27", 12, "c7e7ea2"}, {"1.28", 9, "c6b7c4e"}, {"1.29", 4, "4b8e819"}, {"1.30", 2, "7c48c2b"},
}

var clientPlatforms = []string{"darwin/arm64", "darwin/arm64", "darwin/amd64", "linux/amd64", "linux/amd64", "windows/amd64"}

var otherHumanTools = []string{
	"k9s/v0.32.%d (%s) kubernetes/$Format",
	"Lens/6.5.%d (%s)",
	"helm/v3.14.%d (%s)",
	"argocd/v2.10.%d (%s) kubernetes/$Format",
	"HashiCorp Terraform/1.7.%d (+https://www.terraform.io) terraform-provider-kubernetes/2.27.0 (%s)",
	"kubectl-neat/v2.0.%d (%s)",
}

var scannerUAs = []string{
	"curl/7.88.1", "curl/8.4.0", "python-requests/2.31.0", "python-requests/2.28.2", "Go-http-client/1.1",
	"kube-hunter/0.6.8", "Mozilla/5.0 zgrab/0.x", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
	"Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", "l9explore/1.2.2",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
}

// publicIP returns a documentation-range or otherwise public-looking
// address; one in eight is IPv6.
func publicIP(r *rng) string {
	if r.intn(8) == 0 {
		return fmt.Sprintf("2001:db8:%x:%x::%x", r.intn(0x10000), r.intn(0x10000), r.between(1, 0xffff))
	}
	switch r.intn(4) {
	case 0:
		return fmt.Sprintf("203.0.113.%d", r.between(1, 254))
	case 1:
		return fmt.Sprintf("198.51.100.%d", r.between(1, 254))
	case 2:
		return fmt.Sprintf("192.0.2.%d", r.between(1, 254))
	}
	return fmt.Sprintf("%d.%d.%d.%d", pick(r, []int{3, 18, 34, 44, 52, 54, 73, 98, 174}), r.intn(256), r.intn(256), r.between(1, 254))
}

// eksVersion is the platform build of the cluster's components.
const eksBuild = "v1.29.3-eks-adc7111"

func kubeletUA(version, arch string) string {
	return "kubelet/" + version + " (linux/" + arch + ") kubernetes/" + version[strings.LastIndexByte(version, '-')+1:]
}
