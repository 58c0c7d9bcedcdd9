package enrich

import "github.com/kubelens/kubelens/src/eks"

// Group names a set of output fields that fields= selects together.
type Group string

// The field groups, in the order the README lists them.
const (
	GroupIdentity  Group = "identity"
	GroupSource    Group = "source"
	GroupUserAgent Group = "useragent"
	GroupTarget    Group = "target"
	GroupOutcome   Group = "outcome"
	GroupCluster   Group = "cluster"
	GroupEKS       Group = "eks"
	GroupDetection Group = "detections"
	GroupHygiene   Group = "hygiene"
)

// Groups lists every group.
var Groups = []Group{GroupIdentity, GroupSource, GroupUserAgent, GroupTarget, GroupOutcome, GroupCluster, GroupEKS, GroupDetection, GroupHygiene}

// FieldID identifies an output field; it indexes Catalogue and Output.
type FieldID int

// The output fields, in output order.
const (
	// identity
	FieldUser FieldID = iota
	FieldK8sUser
	FieldK8sUserKind
	FieldK8sEffectiveUser
	FieldK8sImpersonated
	FieldK8sSANamespace
	FieldK8sSAName
	FieldK8sNodeName
	FieldK8sSAPodName
	FieldK8sSAPodUID
	FieldK8sSANodeName
	FieldK8sSACredentialID
	FieldK8sSALegacyToken
	FieldK8sUserPrivileged
	FieldK8sUserTrusted
	FieldAWSAccountID
	FieldAWSPartition
	FieldAWSPrincipalID
	FieldAWSARN
	FieldAWSCanonicalARN
	FieldAWSPrincipalType
	FieldAWSRoleName
	FieldAWSSessionName
	FieldAWSEC2InstanceID
	FieldAWSAccessKeyID
	FieldAWSAccessKeyType
	// source
	FieldSrcIP
	FieldK8sSrcIPConn
	FieldK8sSrcIPCount
	FieldK8sSrcIPClass
	FieldK8sSrcIsPublic
	FieldK8sSrcTrusted
	// user agent
	FieldK8sUATool
	FieldK8sUACategory
	FieldK8sUAVersion
	FieldK8sClientOS
	FieldK8sClientArch
	FieldK8sUASuspicious
	// target and action
	FieldK8sResource
	FieldK8sNamespace
	FieldK8sObject
	FieldK8sAPIGroup
	FieldK8sAction
	FieldK8sResourceSensitivity
	FieldK8sNamespaceClass
	FieldK8sExecCommand
	FieldK8sExecContainer
	FieldK8sExecTTY
	FieldK8sExecShell
	FieldK8sPodPrivileged
	FieldK8sPodHostNetwork
	FieldK8sPodHostPID
	FieldK8sPodHostIPC
	FieldK8sPodHostPath
	FieldK8sPodSensitiveMount
	FieldK8sPodCapsAdded
	FieldK8sPodRunAsRoot
	FieldK8sImages
	FieldK8sImageRegistry
	FieldK8sCronSchedule
	FieldK8sServiceType
	FieldK8sServicePorts
	FieldK8sRBACRoleRef
	FieldK8sRBACSubjects
	FieldK8sRBACBindsClusterAdmin
	FieldK8sRBACWildcard
	FieldK8sRBACAllowsExec
	FieldK8sPulledImage
	// outcome
	FieldK8sResponseCode
	FieldK8sOutcome
	FieldK8sResponseReason
	FieldK8sAuthzDecision
	FieldK8sAuthzReason
	FieldK8sAuthzBinding
	FieldK8sAuthzRole
	FieldK8sAuthzSubject
	FieldK8sAnonymousAllowed
	FieldK8sPSAViolation
	// cluster
	FieldK8sCluster
	FieldK8sPlatform
	FieldAzureSubscriptionID
	FieldAzureResourceGroup
	FieldGCPProjectID
	FieldGCPLocation
	// EKS
	FieldEKSRegion
	FieldEKSLogGroup
	FieldEKSLogStream
	FieldEKSClusterName
	FieldEKSLogType
	// detections
	FieldK8sDetections
	FieldK8sDetectionIDs
	FieldK8sDetectionsPartial
	FieldK8sFindings
	FieldK8sFalcoRules
	FieldK8sRiskSignals
	FieldMitreTechniqueID
	FieldK8sRiskScore
	FieldK8sRiskMessage
	FieldK8sRiskObject
	FieldK8sRiskObjectType
	FieldK8sThreatObject
	FieldK8sThreatObjectType
	// hygiene
	FieldK8sAuditID
	FieldK8sStage
	FieldK8sIsFinal
	FieldK8sLevel
	FieldK8sLatencyMs
	FieldK8sRequestKind
	FieldK8sEventCount
	FieldK8sTruncated
	numFields
)

// Kind tells how to read a field's values.
type Kind string

// Field kinds.
const (
	KindText  Kind = "text"
	KindBool  Kind = "bool" // true or false
	KindNum   Kind = "number"
	KindEnum  Kind = "enum"  // one of Values
	KindMulti Kind = "multi" // several values
)

// Field describes one output field.
type Field struct {
	ID    FieldID
	Name  string
	Group Group
	Kind  Kind
	// CIM fields are filled only where the input has no value, so an
	// existing extraction is never overwritten.
	CIM bool
	// Values is the closed vocabulary of an enum field.
	Values []string
	Desc   string
}

// Multi reports whether the field may hold several values.
func (f Field) Multi() bool { return f.Kind == KindMulti }

// Closed vocabularies of the classifying fields.
var (
	UserKinds      = []string{"anonymous", "service_account", "node", "eks_managed", "control_plane", "iam_mapped", "user"}
	IPClasses      = []string{"loopback", "link_local", "private", "public", "other"}
	LogTypes       = eks.LogTypeNames()
	PrincipalTypes = []string{"iam_user", "sso_role", "service_linked_role", "root", "node_role", "iam_role", "federated_user", "other"}
	AccessKeyTypes = []string{"long_term", "temporary", "other"}
	// UATools are the tools of the shipped user agents lookup; rows you add
	// to your copy of the lookup add theirs.
	UATools          = []string{"scanner", "aws-security-scanner", "kubectl", "oc", "helm", "eksctl", "k9s", "lens", "kubeadm", "kubelet", "kube-controller-manager", "kube-scheduler", "kube-apiserver", "kube-probe", "kube-proxy", "argocd", "aws-sdk", "go-http-client", "python", "java-client", "curl", "wget", "browser", "client-go", "none", "other"}
	UACategories     = []string{"interactive_cli", "control_plane", "node", "controller", "sdk_generic", "scripting", "browser", "scanner", "none", "other"}
	Actions          = []string{"read", "write", "delete", "exec", "token", "authz_probe", "other"}
	Sensitivities    = []string{"critical", "high", "medium", "low"}
	NamespaceClasses = []string{"system", "default", "user"}
	// Platforms are the platforms kubelens tells apart; rows you add to
	// the clusters or system names lookups add theirs.
	Platforms         = []string{"eks", "aks", "gke", "openshift", "kubernetes"}
	Outcomes          = []string{"success", "denied", "unauthenticated", "not_found", "conflict", "error", "other"}
	RequestKinds      = []string{"resource", "health", "discovery", "metrics", "other"}
	RiskObjectTypes   = []string{"user", "system"}
	ThreatObjectTypes = []string{"ip_address"}
)

func text(name string, g Group, desc string) Field {
	return Field{Name: name, Group: g, Kind: KindText, Desc: desc}
}
func flag(name string, g Group, desc string) Field {
	return Field{Name: name, Group: g, Kind: KindBool, Desc: desc}
}
func num(name string, g Group, desc string) Field {
	return Field{Name: name, Group: g, Kind: KindNum, Desc: desc}
}
func multi(name string, g Group, desc string) Field {
	return Field{Name: name, Group: g, Kind: KindMulti, Desc: desc}
}
func enum(name string, g Group, vals []string, desc string) Field {
	return Field{Name: name, Group: g, Kind: KindEnum, Values: vals, Desc: desc}
}

// Catalogue declares every output field, in output order. The README's
// field table and searchbnf.conf are generated from it.
var Catalogue = [numFields]Field{
	FieldUser:              {Name: "user", Group: GroupIdentity, Kind: KindText, CIM: true, Desc: "CIM user: the effective user name (the impersonated user when there is one, else user.username). Filled only where the event has no user yet."},
	FieldK8sUser:           text("k8s_user", GroupIdentity, "The authenticated user name, user.username."),
	FieldK8sUserKind:       enum("k8s_user_kind", GroupIdentity, UserKinds, "Kind of principal, first match wins: anonymous (system:anonymous or group system:unauthenticated), service_account, node (system:node:* or group system:nodes), eks_managed (eks:*), control_plane (other system:* identities), iam_mapped (an IAM principal behind EKS: user.extra.arn or an aws-iam-authenticator uid), user."),
	FieldK8sEffectiveUser:  text("k8s_effective_user", GroupIdentity, "The user the request acted as: impersonatedUser.username when set, else user.username."),
	FieldK8sImpersonated:   flag("k8s_impersonated", GroupIdentity, "Whether the request impersonated another user."),
	FieldK8sSANamespace:    text("k8s_sa_namespace", GroupIdentity, "Namespace of a service account user (system:serviceaccount:<namespace>:<name>)."),
	FieldK8sSAName:         text("k8s_sa_name", GroupIdentity, "Name of a service account user."),
	FieldK8sNodeName:       text("k8s_node_name", GroupIdentity, "Node name of a node user (system:node:<name>)."),
	FieldK8sSAPodName:      text("k8s_sa_pod_name", GroupIdentity, "Pod a bound service account token belongs to (user.extra authentication.kubernetes.io/pod-name)."),
	FieldK8sSAPodUID:       text("k8s_sa_pod_uid", GroupIdentity, "UID of that pod."),
	FieldK8sSANodeName:     text("k8s_sa_node_name", GroupIdentity, "Node of that pod (authentication.kubernetes.io/node-name)."),
	FieldK8sSACredentialID: text("k8s_sa_credential_id", GroupIdentity, "Credential id of the token (authentication.kubernetes.io/credential-id)."),
	FieldK8sSALegacyToken:  flag("k8s_sa_legacy_token", GroupIdentity, "For service accounts: true when the token is not bound to a pod (no pod-name extra) or the API server flagged it authentication.k8s.io/legacy-token."),
	FieldK8sUserPrivileged: flag("k8s_user_privileged", GroupIdentity, "The user is in group system:masters, is a well-known full admin (admin, kubernetes-admin, ...), or was authorized through ClusterRole cluster-admin."),
	FieldK8sUserTrusted:    flag("k8s_user_trusted", GroupIdentity, "The user or one of its groups is in the trusted users or trusted groups lookup."),
	FieldAWSAccountID:      text("aws_account_id", GroupIdentity, "AWS account of the IAM principal behind EKS, from user.uid (aws-iam-authenticator:<account>:<id>) or the ARN."),
	FieldAWSPartition:      text("aws_partition", GroupIdentity, "AWS partition of the principal's ARN: aws, aws-us-gov or aws-cn."),
	FieldAWSPrincipalID:    text("aws_principal_id", GroupIdentity, "IAM unique id (AIDA... user, AROA... role), from user.uid or user.extra.principalId."),
	FieldAWSARN:            text("aws_arn", GroupIdentity, "The principal's ARN (user.extra.arn, or the user name when EKS access entries map it)."),
	FieldAWSCanonicalARN:   text("aws_canonical_arn", GroupIdentity, "The IAM user or role ARN (user.extra.canonicalArn, or derived from an assumed-role ARN)."),
	FieldAWSPrincipalType:  enum("aws_principal_type", GroupIdentity, PrincipalTypes, "iam_user, sso_role (AWSReservedSSO_*), service_linked_role, root, node_role (node instance role), iam_role, federated_user, other."),
	FieldAWSRoleName:       text("aws_role_name", GroupIdentity, "Role name for roles."),
	FieldAWSSessionName:    text("aws_session_name", GroupIdentity, "Role session name (user.extra.sessionName); EKSGetTokenAuth is the generic aws eks get-token session."),
	FieldAWSEC2InstanceID:  text("aws_ec2_instance_id", GroupIdentity, "EC2 instance id when the session name is one (node roles)."),
	FieldAWSAccessKeyID:    text("aws_access_key_id", GroupIdentity, "Access key id used to sign the EKS token (user.extra.accessKeyId)."),
	FieldAWSAccessKeyType:  enum("aws_access_key_type", GroupIdentity, AccessKeyTypes, "long_term (AKIA..., an IAM user key), temporary (ASIA..., STS), other."),

	FieldSrcIP:          {Name: "src_ip", Group: GroupSource, Kind: KindText, CIM: true, Desc: "CIM src_ip: the first of sourceIPs (X-Forwarded-For entries, client-supplied, come first). Filled only where the event has no src_ip yet."},
	FieldK8sSrcIPConn:   text("k8s_src_ip_conn", GroupSource, "The last of sourceIPs: the address of the actual connection."),
	FieldK8sSrcIPCount:  num("k8s_src_ip_count", GroupSource, "Number of sourceIPs."),
	FieldK8sSrcIPClass:  enum("k8s_src_ip_class", GroupSource, IPClasses, "Class of the first source IP, by IANA's IPv4 and IPv6 special-purpose address registries: public where the registry says globally reachable (and for ordinary unicast addresses, which are in no entry); loopback, link_local or private (RFC 1918, the 100.64/10 shared space, fc00::/7) for those entries; other for every other entry (documentation ranges such as 192.0.2/24, 198.51.100/24, 203.0.113/24 and 2001:db8::/32, benchmarking 198.18/15, reserved 240/4, broadcast, unspecified, 6to4, Teredo, ...), for multicast, and for a value that is not an IP."),
	FieldK8sSrcIsPublic: flag("k8s_src_is_public", GroupSource, "k8s_src_ip_class is public."),
	FieldK8sSrcTrusted:  flag("k8s_src_trusted", GroupSource, "The first source IP is in a trusted network of the trusted networks lookup."),

	FieldK8sUATool:       enum("k8s_ua_tool", GroupUserAgent, UATools, "Client tool from userAgent by the user agents lookup (first matching pattern); client-go is any other Kubernetes client program (<name>/<version> (<os>/<arch>) kubernetes/<commit>), none an empty userAgent."),
	FieldK8sUACategory:   enum("k8s_ua_category", GroupUserAgent, UACategories, "Category of the tool."),
	FieldK8sUAVersion:    text("k8s_ua_version", GroupUserAgent, "Version after the first / of userAgent."),
	FieldK8sClientOS:     text("k8s_client_os", GroupUserAgent, "Client OS from a (os/arch) userAgent part: darwin and windows kubectl mean a workstation."),
	FieldK8sClientArch:   text("k8s_client_arch", GroupUserAgent, "Client architecture from the same part."),
	FieldK8sUASuspicious: flag("k8s_ua_suspicious", GroupUserAgent, "Category scripting, browser, scanner or none; or kubectl used by a service account (a token taken out of a pod); or, when you keep your own trusted user agents lookup, a user agent not in it."),

	FieldK8sResource:              text("k8s_resource", GroupTarget, "objectRef.resource, with /subresource when there is one: pods/exec, serviceaccounts/token, nodes/proxy."),
	FieldK8sNamespace:             text("k8s_namespace", GroupTarget, "objectRef.namespace."),
	FieldK8sObject:                text("k8s_object", GroupTarget, "objectRef.name."),
	FieldK8sAPIGroup:              text("k8s_api_group", GroupTarget, "objectRef.apiGroup (empty for the core group)."),
	FieldK8sAction:                enum("k8s_action", GroupTarget, Actions, "read (get, list, watch), write (create, update, patch), delete, exec (exec, attach, portforward, proxy subresources), token (service account tokens, token reviews, CSRs), authz_probe (self subject access/rules reviews: kubectl auth can-i), other."),
	FieldK8sResourceSensitivity:   enum("k8s_resource_sensitivity", GroupTarget, Sensitivities, "critical, high, medium or low, by the sensitive resources lookup (first matching row), raised for NodePort/LoadBalancer services, config maps holding credentials and hostPath volumes."),
	FieldK8sNamespaceClass:        enum("k8s_namespace_class", GroupTarget, NamespaceClasses, "system (the namespaces the platforms reserve, by the system names lookup: kube-system, kube-public, kube-node-lease, EKS's amazon-* and aws-*, OpenShift's openshift and openshift-*, GKE's gke-* and gmp-*, AKS's calico-system and tigera-operator, ...), default, user. Empty for cluster-scoped objects."),
	FieldK8sExecCommand:           text("k8s_exec_command", GroupTarget, "For pods/exec: the command= parameters of requestURI, URL-decoded, joined by spaces."),
	FieldK8sExecContainer:         text("k8s_exec_container", GroupTarget, "For pods/exec and pods/attach: the container= parameter."),
	FieldK8sExecTTY:               flag("k8s_exec_tty", GroupTarget, "For pods/exec and pods/attach: an interactive session (tty=true or stdin=true)."),
	FieldK8sExecShell:             flag("k8s_exec_shell", GroupTarget, "For pods/exec: the command is a shell (sh, bash, ash, dash, zsh, busybox) or runs curl, wget, python, perl or kubectl."),
	FieldK8sPodPrivileged:         flag("k8s_pod_privileged", GroupTarget, "A pod spec in requestObject (pods, workload templates, cron jobs) has a privileged container; or kubectl's last-applied-configuration says \"privileged\":true."),
	FieldK8sPodHostNetwork:        flag("k8s_pod_host_network", GroupTarget, "That pod spec sets hostNetwork."),
	FieldK8sPodHostPID:            flag("k8s_pod_host_pid", GroupTarget, "That pod spec sets hostPID."),
	FieldK8sPodHostIPC:            flag("k8s_pod_host_ipc", GroupTarget, "That pod spec sets hostIPC."),
	FieldK8sPodHostPath:           multi("k8s_pod_hostpath", GroupTarget, "hostPath volume paths of that pod spec."),
	FieldK8sPodSensitiveMount:     flag("k8s_pod_sensitive_mount", GroupTarget, "A hostPath is one of Falco's sensitive mounts (/, /proc, /etc, /root, container runtime sockets, kubelet and Kubernetes directories)."),
	FieldK8sPodCapsAdded:          multi("k8s_pod_caps_added", GroupTarget, "Linux capabilities the containers add."),
	FieldK8sPodRunAsRoot:          flag("k8s_pod_run_as_root", GroupTarget, "A container runs as user 0, or sets neither runAsUser nor runAsNonRoot while allowing privilege escalation."),
	FieldK8sImages:                multi("k8s_images", GroupTarget, "Container images of that pod spec (containers, init and ephemeral containers)."),
	FieldK8sImageRegistry:         multi("k8s_image_registry", GroupTarget, "Registry host of each image (docker.io when none is named)."),
	FieldK8sCronSchedule:          text("k8s_cron_schedule", GroupTarget, "A cron job's schedule."),
	FieldK8sServiceType:           text("k8s_service_type", GroupTarget, "A service's spec.type."),
	FieldK8sServicePorts:          multi("k8s_service_ports", GroupTarget, "A service's ports as port, or port:nodePort."),
	FieldK8sRBACRoleRef:           text("k8s_rbac_role_ref", GroupTarget, "A (cluster) role binding's roleRef.name."),
	FieldK8sRBACSubjects:          multi("k8s_rbac_subjects", GroupTarget, "A binding's subjects as kind:name or kind:namespace/name."),
	FieldK8sRBACBindsClusterAdmin: flag("k8s_rbac_binds_cluster_admin", GroupTarget, "The binding grants ClusterRole cluster-admin."),
	FieldK8sRBACWildcard:          flag("k8s_rbac_wildcard", GroupTarget, "A (cluster) role has a rule with * in resources or verbs."),
	FieldK8sRBACAllowsExec:        flag("k8s_rbac_allows_exec", GroupTarget, "A (cluster) role's rules name pods/exec."),
	FieldK8sPulledImage:           text("k8s_pulled_image", GroupTarget, "Image of a kubelet \"Pulling image\" event."),

	FieldK8sResponseCode:     num("k8s_response_code", GroupOutcome, "responseStatus.code."),
	FieldK8sOutcome:          enum("k8s_outcome", GroupOutcome, Outcomes, "success (2xx, 101 for exec/attach upgrades), denied (403 or decision forbid), unauthenticated (401), not_found (404), conflict (409), error (5xx), other."),
	FieldK8sResponseReason:   text("k8s_response_reason", GroupOutcome, "responseStatus.reason: Forbidden, NotFound, AlreadyExists, ..."),
	FieldK8sAuthzDecision:    text("k8s_authz_decision", GroupOutcome, "annotations authorization.k8s.io/decision: allow or forbid."),
	FieldK8sAuthzReason:      text("k8s_authz_reason", GroupOutcome, "annotations authorization.k8s.io/reason."),
	FieldK8sAuthzBinding:     text("k8s_authz_binding", GroupOutcome, "The (Cluster)RoleBinding an RBAC reason names."),
	FieldK8sAuthzRole:        text("k8s_authz_role", GroupOutcome, "The (Cluster)Role it names."),
	FieldK8sAuthzSubject:     text("k8s_authz_subject", GroupOutcome, "The subject it names, as kind:name."),
	FieldK8sAnonymousAllowed: flag("k8s_anonymous_allowed", GroupOutcome, "An anonymous request was allowed, health checks aside (Falco's Anonymous Request Allowed)."),
	FieldK8sPSAViolation:     text("k8s_psa_violation", GroupOutcome, "Pod Security admission audit violations (annotation pod-security.kubernetes.io/audit-violations)."),

	FieldK8sCluster:          text("k8s_cluster", GroupCluster, "The cluster: for EKS the cluster of the log group in source or in a CloudWatch Logs subscription message, for AKS the managed cluster in resourceId, for GKE resource.labels.cluster_name; else the cluster name the collector indexed with the event (k8s.cluster.name from the Splunk OpenTelemetry Collector for Kubernetes, cluster_name from Splunk Connect for Kubernetes); else the cluster column of the first matching row of the clusters lookup."),
	FieldK8sPlatform:         enum("k8s_platform", GroupCluster, Platforms, "eks, aks or gke when the record's shape says so (an EKS source or log group, an AKS diagnostic record, a GKE Cloud Audit Logs entry); else the platform column of the first matching row of the clusters lookup; else the platform a name in the event proves by the system names lookup (an openshift-* namespace, an *.openshift.io API group: openshift); else kubernetes."),
	FieldAzureSubscriptionID: text("azure_subscription_id", GroupCluster, "AKS: the subscription in resourceId, lower-cased (Azure writes resourceId in upper case)."),
	FieldAzureResourceGroup:  text("azure_resource_group", GroupCluster, "AKS: the resource group in resourceId, lower-cased."),
	FieldGCPProjectID:        text("gcp_project_id", GroupCluster, "GKE: the project, resource.labels.project_id."),
	FieldGCPLocation:         text("gcp_location", GroupCluster, "GKE: the cluster's region or zone, resource.labels.location."),

	FieldEKSRegion:      text("eks_region", GroupEKS, "AWS region, from source <region>:/aws/eks/<cluster>/cluster:<stream> (as the Splunk Add-on for AWS and eks_logs write it), else the region column of the clusters lookup for EKS records that do not carry it (Firehose)."),
	FieldEKSLogGroup:    text("eks_log_group", GroupEKS, "CloudWatch Logs log group, from source or a subscription message."),
	FieldEKSLogStream:   text("eks_log_stream", GroupEKS, "CloudWatch Logs log stream, from source or a subscription message."),
	FieldEKSClusterName: text("eks_cluster_name", GroupEKS, "EKS cluster name, from the log group in source or a subscription message, else the clusters lookup for an EKS record."),
	FieldEKSLogType:     enum("eks_log_type", GroupEKS, LogTypes, "EKS control-plane log type, from the stream name: audit, api, authenticator, controllerManager, scheduler, cloudControllerManager."),

	FieldK8sDetections:        multi("k8s_detections", GroupDetection, "Names of the Splunk security content detections the event matches, judged on the event alone, following each detection's SPL literally (parity with ESCU, false positives included)."),
	FieldK8sDetectionIDs:      multi("k8s_detection_ids", GroupDetection, "Their security content ids."),
	FieldK8sDetectionsPartial: multi("k8s_detections_partial", GroupDetection, "Detections the event qualifies for whose verdict needs counting or enrichment across events in SPL (Kubernetes Access Scanning: count>5 per source IP; Unusual Location: iplocation; the top/rare hunts)."),
	FieldK8sFindings:          multi("k8s_findings", GroupDetection, "Ids of kubelens's own findings the event shows (privileged_workload, exec_session, ...): precise judgements, each with its exclusions; see Findings."),
	FieldK8sFalcoRules:        multi("k8s_falco_rules", GroupDetection, "Falco k8s_audit rules the event matches (WARNING, NOTICE and ERROR rules that can be judged on one event)."),
	FieldK8sRiskSignals:       multi("k8s_risk_signals", GroupDetection, "Every signal the event matched: escu:<security content id> for each k8s_detections entry, kubelens:<finding id> for each finding, falco:<rule name> for each Falco rule. Partial detections are not signals."),
	FieldMitreTechniqueID:     multi("mitre_technique_id", GroupDetection, "ATT&CK techniques of the matched signals, from their rows of the risk signals lookup."),
	FieldK8sRiskScore:         num("k8s_risk_score", GroupDetection, "The highest score (0 to 100) of the matched signals in the risk signals lookup; empty when no signal scores."),
	FieldK8sRiskMessage:       text("k8s_risk_message", GroupDetection, "The message of the top signal (highest score; on a tie a finding before a detection before a Falco rule), rendered with the event."),
	FieldK8sRiskObject:        text("k8s_risk_object", GroupDetection, "The top signal's risk object: the value of its risk_object_field (the user, user.username, for every shipped signal)."),
	FieldK8sRiskObjectType:    enum("k8s_risk_object_type", GroupDetection, RiskObjectTypes, "Type of the risk object: user, or system for a cluster or an address."),
	FieldK8sThreatObject:      text("k8s_threat_object", GroupDetection, "The top signal's threat object: the value of its threat_object_field (the source IP for every shipped signal)."),
	FieldK8sThreatObjectType:  enum("k8s_threat_object_type", GroupDetection, ThreatObjectTypes, "Type of the threat object."),

	FieldK8sAuditID:     text("k8s_audit_id", GroupHygiene, "auditID: the same for every stage of one request."),
	FieldK8sStage:       text("k8s_stage", GroupHygiene, "stage: RequestReceived, ResponseStarted, ResponseComplete or Panic."),
	FieldK8sIsFinal:     flag("k8s_is_final", GroupHygiene, "One stage per request is final: ResponseStarted for long-running requests (the apiserver's own list: verbs watch and proxy; subresources exec, attach, portforward, proxy and log), ResponseComplete for the others, and Panic always (a request that panics before its response started has no other final stage). Search k8s_is_final=true to count each request once. The one exception: a long-running request that panics after it started has two final events, its ResponseStarted and its Panic. GKE logs one entry per request, always final."),
	FieldK8sLevel:       text("k8s_level", GroupHygiene, "Audit level: Metadata, Request or RequestResponse (whether request and response bodies can be present)."),
	FieldK8sLatencyMs:   num("k8s_latency_ms", GroupHygiene, "stageTimestamp minus requestReceivedTimestamp, in milliseconds."),
	FieldK8sRequestKind: enum("k8s_request_kind", GroupHygiene, RequestKinds, "resource (has objectRef), or for non-resource URLs health (/healthz, /livez, /readyz), discovery (/version, /api, /apis, /openapi), metrics, other."),
	FieldK8sEventCount:  num("k8s_event_count", GroupHygiene, "For a record holding a list of events (an EventList, an Azure records batch, a CloudWatch Logs subscription message): its number of events (the fields describe the first)."),
	FieldK8sTruncated:   flag("k8s_truncated", GroupHygiene, "CloudWatch Logs cut the record (it ends in [Truncated...]); the fields come from the part that arrived."),
}

func init() {
	for i := range Catalogue {
		Catalogue[i].ID = FieldID(i)
	}
}

// FieldByName returns the catalogue field of that name.
func FieldByName(name string) (Field, bool) {
	for _, f := range Catalogue {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
