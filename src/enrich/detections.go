package enrich

import (
	"slices"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
)

// Detection is a Splunk security content detection that kubeenrich judges
// on single events, following its SPL: field=value comparisons are
// case-insensitive and a multivalue field matches when any value does, as
// in Splunk's search command. A detection is judged only on records of
// the shape its SPL was written for.
type Detection struct {
	Name string
	ID   string
	// Shape is the data its SPL reads: native audit events (the EKS and
	// Kubernetes detections, whatever the source), AKS diagnostic records
	// (category=kube-audit | spath input=properties.log), GKE Cloud Audit
	// Logs entries (data.protoPayload.*).
	Shape audit.Shape
	// Type is security content's: anomaly or hunting (its one TTP among
	// them, GCP Kubernetes cluster scan detection, deprecated, runs as a
	// hunting search). Hunting searches run daily, anomalies hourly.
	Type string
	// Summary says what the detection finds, in a sentence.
	Summary string
	// Terms are search terms every event it matches holds in _raw: the
	// saved search selects with them before running kubeenrich.
	Terms string
	// Partial detections need counting or enrichment across events in SPL;
	// an event that qualifies is listed in k8s_detections_partial.
	Partial bool
	// Deprecated detections were removed from security content; they are
	// still judged because existing searches use them.
	Deprecated bool
	// SPL is the detection's search as security content ships it
	// (shortened), for reference.
	SPL   string
	match func(f *facts) bool
}

// facts is what the detection predicates read.
type facts struct {
	e      *Enricher
	ev     *event
	out    *Output
	groups []string
	terms  uint8 // bit k: the event holds rawTerms[k] (see hasTerm)
	termed bool  // terms is filled
}

func (f *facts) username() string { return f.ev.User.Username }
func (f *facts) verb() string     { return f.ev.Verb }
func (f *facts) resource() string { return f.ev.resource() }

func (f *facts) inGroup(g string) bool {
	return slices.ContainsFunc(f.groups, func(x string) bool { return strings.EqualFold(x, g) })
}

func (f *facts) code() int { return f.ev.ResponseStatus.Code }

func (f *facts) status(field string) string {
	rs := &f.ev.ResponseStatus
	if field == "reason" {
		return rs.Reason
	}
	return rs.Status
}

// hasTerm is Splunk's bare search term: the word anywhere in the event,
// bounded by non-alphanumeric characters, in any case. Without _raw, the
// fields that would hold it are searched. The terms of rawTerms are found
// in one pass over the event, the first time one is asked for.
func (f *facts) hasTerm(term string) bool {
	k := slices.Index(rawTerms[:], term)
	if k < 0 {
		return f.searchTerm(term)
	}
	if !f.termed {
		f.termed = true
		if !f.ev.fromRaw {
			f.terms = termsIn(f.resource()) | termsIn(f.ev.RequestURI)
		} else {
			f.terms = termsIn(f.ev.raw)
		}
	}
	return f.terms&(1<<k) != 0
}

// searchTerm is hasTerm for a term outside rawTerms.
func (f *facts) searchTerm(term string) bool {
	if !f.ev.fromRaw {
		return containsTerm(f.resource(), term) || containsTerm(f.ev.RequestURI, term)
	}
	return containsTerm(f.ev.raw, term)
}

// rawTerms are the bare terms of the security content searches that
// kubelens judges (see Detections), lower case: a search for each over
// every event's _raw stopped at every 'c' and 's' of it, while one pass
// over its words finds them all.
var rawTerms = [...]string{"clusterrole", "clusterrolebindings", "configmaps", "secrets"}

// termsIn returns the set of rawTerms that s holds as words (bit k for
// rawTerms[k]), as containsTerm finds them. It allocates nothing.
func termsIn(s string) (found uint8) {
	for i := 0; i < len(s); {
		if !alnum[s[i]] {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && alnum[s[j]] {
			j++
		}
		if w := s[i:j]; len(w) >= minTermLen && len(w) <= maxTermLen {
			for k, t := range rawTerms {
				if asciiEqualFold(w, t) {
					found |= 1 << k
				}
			}
		}
		i = j
	}
	return found
}

// minTermLen and maxTermLen bound the length of rawTerms.
var minTermLen, maxTermLen = func() (lo, hi int) {
	lo = len(rawTerms[0])
	for _, t := range rawTerms {
		lo, hi = min(lo, len(t)), max(hi, len(t))
	}
	return lo, hi
}()

// alnum is isAlnum as a table, for termsIn's loop over every byte.
var alnum = func() (t [256]bool) {
	for c := range t {
		t[c] = isAlnum(byte(c))
	}
	return t
}()

// asciiEqualFold reports whether the ASCII word w equals the lower-case
// word t in any case.
func asciiEqualFold(w, t string) bool {
	if len(w) != len(t) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}

// containsTerm reports whether s holds the lower-case ASCII word term, in
// any case, bounded by non-alphanumeric characters. It allocates nothing.
func containsTerm(s, term string) bool {
	return termAt(s, term, term[0]) || termAt(s, term, term[0]-('a'-'A'))
}

// termAt looks for term where s has first, jumping between candidates
// with IndexByte, which is vectorised.
func termAt(s, term string, first byte) bool {
	for i := 0; ; i++ {
		j := strings.IndexByte(s[i:], first)
		if j < 0 {
			return false
		}
		i += j
		end := i + len(term)
		if end > len(s) {
			return false
		}
		if strings.EqualFold(s[i:end], term) && (i == 0 || !isAlnum(s[i-1])) && (end == len(s) || !isAlnum(s[end])) {
			return true
		}
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}

// notLoopbackOnly is "sourceIPs{}!=::1 sourceIPs{}!=127.0.0.1": each test
// needs some value that differs.
func (f *facts) notLoopbackOnly() bool {
	ips := f.ev.SourceIPs
	return slices.ContainsFunc(ips, func(ip string) bool { return ip != "::1" }) &&
		slices.ContainsFunc(ips, func(ip string) bool { return ip != "127.0.0.1" })
}

func (f *facts) secretGet() bool { return eq(f.resource(), "secrets") && eq(f.verb(), "get") }

// kubeAudit is the Azure detections' category=kube-audit: the
// kube-audit-admin category does not match.
func (f *facts) kubeAudit() bool { return eq(f.ev.Origin.Category, "kube-audit") }

// serviceAccountGroup is user.groups{}=system:serviceaccounts*.
func (f *facts) serviceAccountGroup() bool {
	return slices.ContainsFunc(f.groups, func(g string) bool { return wildcardFold("system:serviceaccounts*", g) })
}

// notLoopback is "field!=127.0.0.1 field!=::1" on a one-valued field: it
// must exist and differ from both.
func notLoopback(v string) bool { return v != "" && v != "127.0.0.1" && v != "::1" }

func (f *facts) lastApplied() string    { return f.ev.Request.LastApplied }
func (f *facts) serviceType() string    { return f.ev.Request.SpecType }
func (f *facts) requestMessage() string { return f.ev.Request.Message }

func eq(a, b string) bool { return strings.EqualFold(a, b) }

// wildcardFold is Splunk's field=*text* match.
func wildcardFold(pattern, s string) bool { return glob(strings.ToLower(pattern), strings.ToLower(s)) }

// Detections lists every detection kubeenrich judges.
var Detections = []Detection{
	{
		Name: "Amazon EKS Kubernetes Pod scan detection", ID: "dbfca1dd-b8e5-4ba4-be0e-e565e5d62002",
		Type: "hunting", Terms: `"system:anonymous"`,
		Summary: "system:anonymous listing all pods of an EKS cluster (GET /api/v1/pods).",
		SPL:     "`aws_cloudwatchlogs_eks` \"user.username\"=\"system:anonymous\" verb=list objectRef.resource=pods requestURI=\"/api/v1/pods\" | rename source as cluster_name sourceIPs{} as src_ip | stats count ... by src_ip cluster_name user.username user.groups{}",
		match: func(f *facts) bool {
			return eq(f.username(), "system:anonymous") && eq(f.verb(), "list") && eq(f.resource(), "pods") && eq(f.ev.RequestURI, "/api/v1/pods")
		},
	},
	{
		Name: "Amazon EKS Kubernetes cluster scan detection", ID: "294c4686-63dd-4fe6-93a2-ca807626704a",
		Type: "hunting", Terms: `"system:anonymous"`,
		Summary: "Requests to an EKS cluster as system:anonymous, other than from the AWS Security Scanner.",
		SPL:     "`aws_cloudwatchlogs_eks` \"user.username\"=\"system:anonymous\" userAgent!=\"AWS Security Scanner\" | rename sourceIPs{} as src_ip | stats count ... by src_ip user.username user.groups{}",
		match: func(f *facts) bool {
			// userAgent!=X needs the field to exist, as in Splunk.
			return eq(f.username(), "system:anonymous") && f.ev.UserAgent != "" && !eq(f.ev.UserAgent, "AWS Security Scanner")
		},
	},
	{
		Name: "Kubernetes AWS detect suspicious kubectl calls", ID: "042a3d32-8318-4763-9679-09db2644a8f2",
		Type: "anomaly", Terms: `"system:anonymous"`,
		Summary: "Requests made as system:anonymous in the system:unauthenticated group.",
		SPL:     "`kube_audit` user.username=\"system:anonymous\" user.groups{} IN (\"system:unauthenticated\") | fillnull | stats count by objectRef.name ... verb | rename sourceIPs{} as src_ip, user.username as user",
		match: func(f *facts) bool {
			return eq(f.username(), "system:anonymous") && f.inGroup("system:unauthenticated")
		},
	},
	{
		Name: "Kubernetes Access Scanning", ID: "2f4abe6d-5991-464d-8216-f90f42999764",
		Type: "anomaly", Terms: `"system:unauthenticated"`,
		Summary: "More than five requests refused (403) to unauthenticated clients from one source IP: someone probing the API server.",
		Partial: true,
		SPL:     "`kube_audit` \"user.groups{}\"=\"system:unauthenticated\" \"responseStatus.code\"=403 | iplocation sourceIPs{} | stats count ... by sourceIPs{} Country City | where count > 5",
		match:   func(f *facts) bool { return f.inGroup("system:unauthenticated") && f.code() == 403 },
	},
	{
		Name: "Kubernetes Scanning by Unauthenticated IP Address", ID: "f9cadf4e-df22-4f4e-a08f-9d3344c2165d",
		Type: "anomaly", Terms: `"system:unauthenticated"`,
		Summary: "More than five requests refused (403) to unauthenticated clients from one source IP.",
		Partial: true,
		SPL:     "`kube_audit` \"user.groups{}\"=\"system:unauthenticated\" \"responseStatus.code\"=403 | iplocation sourceIPs{} | stats count ... by sourceIPs{} Country City | where count > 5",
		match:   func(f *facts) bool { return f.inGroup("system:unauthenticated") && f.code() == 403 },
	},
	{
		Name: "Kubernetes Unauthorized Access", ID: "9b5f1832-e8b9-453f-93df-07a3d6a72a45",
		Type: "anomaly", Terms: `"Forbidden"`,
		Summary: "A create request refused as Forbidden.",
		SPL:     "`kube_audit` verb=create responseStatus.reason=Forbidden | fillnull | stats count by ... | rename sourceIPs{} as src_ip, user.username as user",
		match:   func(f *facts) bool { return eq(f.verb(), "create") && eq(f.status("reason"), "Forbidden") },
	},
	{
		Name: "Kubernetes Abuse of Secret by Unusual Location", ID: "40a064c1-4ec1-4381-9e35-61192ba8ef82",
		Type: "anomaly", Terms: `"secrets"`,
		Summary: "Secrets read (get) from a source IP located outside the countries in kubelens_allowed_locations.",
		Partial: true,
		SPL:     "`kube_audit` objectRef.resource=secrets verb=get | iplocation sourceIPs{} | fillnull | search NOT `kube_allowed_locations` | stats count by ...",
		match:   func(f *facts) bool { return f.secretGet() },
	},
	{
		Name: "Kubernetes Abuse of Secret by Unusual User Agent", ID: "096ab390-05ca-462c-884e-343acd5b9240",
		Type: "anomaly", Terms: `"secrets"`,
		Summary: "Secrets read (get) with a user agent not in the trusted user agents lookup.",
		SPL:     "`kube_audit` objectRef.resource=secrets verb=get | search NOT `kube_allowed_user_agents` | fillnull | stats count by ...",
		match: func(f *facts) bool {
			return f.secretGet() && !f.e.tables.TrustedUserAgents.Match(f.ev.UserAgent)
		},
	},
	{
		Name: "Kubernetes Abuse of Secret by Unusual User Group", ID: "b6f45bbc-4ea9-4068-b3bc-0477f6997ae2",
		Type: "anomaly", Terms: `"secrets"`,
		Summary: "Secrets read (get) by a user none of whose groups is in the trusted groups lookup.",
		SPL:     "`kube_audit` objectRef.resource=secrets verb=get | search NOT `kube_allowed_user_groups` | fillnull | stats count by ...",
		match: func(f *facts) bool {
			return f.secretGet() && !f.e.tables.TrustedGroups.MatchAny(f.groups)
		},
	},
	{
		Name: "Kubernetes Abuse of Secret by Unusual User Name", ID: "df6e9cae-5257-4a34-8f3a-df49fa0f5c46",
		Type: "anomaly", Terms: `"secrets"`,
		Summary: "Secrets read (get) by a user not in the trusted users lookup.",
		SPL:     "`kube_audit` objectRef.resource=secrets verb=get | search NOT `kube_allowed_user_names` | fillnull | stats count by ...",
		match: func(f *facts) bool {
			return f.secretGet() && !f.e.tables.TrustedUsers.Match(f.username())
		},
	},
	{
		Name: "Kubernetes Create or Update Privileged Pod", ID: "3c6bd734-334d-4818-ae7c-5234313fc5da",
		Type: "anomaly", Terms: `"pods" "privileged"`,
		Summary: "A pod created or updated with a privileged container.",
		SPL:     "`kube_audit` objectRef.resource=pods verb=create OR verb=update requestObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration=*\\\"privileged\\\":true* | fillnull | stats count ...",
		match: func(f *facts) bool {
			return eq(f.resource(), "pods") && (eq(f.verb(), "create") || eq(f.verb(), "update")) && wildcardFold(`*"privileged":true*`, f.lastApplied())
		},
	},
	{
		Name: "Kubernetes Pod With Host Network Attachment", ID: "cce357cf-43a4-494a-814b-67cea90fe990",
		Type: "anomaly", Terms: `"pods" "hostNetwork"`,
		Summary: "A pod created or updated with hostNetwork: true.",
		SPL:     "`kube_audit` objectRef.resource=pods verb=create OR verb=update requestObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration=*\\\"hostNetwork\\\":true* | fillnull | stats count ...",
		match: func(f *facts) bool {
			return eq(f.resource(), "pods") && (eq(f.verb(), "create") || eq(f.verb(), "update")) && wildcardFold(`*"hostNetwork":true*`, f.lastApplied())
		},
	},
	{
		Name: "Kubernetes Pod Created in Default Namespace", ID: "3d6b1a81-367b-42d5-a925-6ef90b6b9f1e",
		Type: "anomaly", Terms: `"pods"`,
		Summary: "A pod created in the default, kube-system or kube-public namespace.",
		SPL:     "`kube_audit` objectRef.resource=pods verb=create objectRef.namespace IN (\"default\", \"kube-system\", \"kube-public\") | fillnull | stats count by ...",
		match: func(f *facts) bool {
			ns := f.ev.namespace()
			return eq(f.resource(), "pods") && eq(f.verb(), "create") && (eq(ns, "default") || eq(ns, "kube-system") || eq(ns, "kube-public"))
		},
	},
	{
		Name: "Kubernetes Node Port Creation", ID: "d7fc865e-b8a1-4029-a960-cf4403b821b6",
		Type: "anomaly", Terms: `"NodePort"`,
		Summary: "A Service of type NodePort created, exposing a port on every node.",
		SPL:     "`kube_audit` \"objectRef.resource\"=services verb=create requestObject.spec.type=NodePort | fillnull | stats count ...",
		match: func(f *facts) bool {
			return eq(f.resource(), "services") && eq(f.verb(), "create") && eq(f.serviceType(), "NodePort")
		},
	},
	{
		Name: "Kubernetes Cron Job Creation", ID: "5984dbe8-572f-47d7-9251-3dff6c3f0c0d",
		Type: "anomaly", Terms: `"cronjobs"`,
		Summary: "A CronJob created.",
		SPL:     "`kube_audit` verb=create \"objectRef.resource\"=cronjobs | fillnull | stats count ...",
		match:   func(f *facts) bool { return eq(f.verb(), "create") && eq(f.resource(), "cronjobs") },
	},
	{
		Name: "Kubernetes DaemonSet Deployed", ID: "bf39c3a3-b191-4d42-8738-9d9797bd0c3a",
		Type: "anomaly", Terms: `"daemonsets"`,
		Summary: "A DaemonSet created: it runs a pod on every node.",
		SPL:     "`kube_audit` \"objectRef.resource\"=daemonsets verb=create | fillnull | stats count ...",
		match:   func(f *facts) bool { return eq(f.resource(), "daemonsets") && eq(f.verb(), "create") },
	},
	{
		Name: "Kubernetes Suspicious Image Pulling", ID: "4d3a17b3-0a6d-4ae0-9421-46623a69c122",
		Type: "anomaly", Terms: `"Pulling"`,
		Summary: "The kubelet reports pulling an image not in the trusted images lookup.",
		SPL:     "`kube_audit` requestObject.message=\"Pulling image*\" | search NOT `kube_allowed_images` | fillnull | stats count by ...",
		match: func(f *facts) bool {
			return wildcardFold("Pulling image*", f.requestMessage()) && !f.e.tables.TrustedImages.Match(f.ev.objectName())
		},
	},
	{
		// OR binds tighter than the implicit AND, and "configmaps" is a bare
		// term: (objectRef.resource=secrets OR configmaps) AND ...
		Name: "AWS EKS Kubernetes cluster sensitive object access", ID: "7f227943-2196-4d4d-8d6a-ac8cb308e61c",
		Type: "hunting", Terms: `("secrets" OR "configmaps")`,
		Summary:    "Secrets and config maps accessed from other than the loopback address (deprecated in security_content 5.2.0; replaced by the Abuse of Secret detections).",
		Deprecated: true,
		SPL:        "`aws_cloudwatchlogs_eks` objectRef.resource=secrets OR configmaps sourceIPs{}!=::1 sourceIPs{}!=127.0.0.1 |table ... |dedup user.username user.groups{}",
		match: func(f *facts) bool {
			return (eq(f.resource(), "secrets") || f.hasTerm("configmaps")) && f.notLoopbackOnly()
		},
	},
	{
		Name: "Kubernetes AWS detect sensitive role access", ID: "b6013a7b-85e0-4a45-b051-10b252d69569",
		Type: "hunting", Terms: `("clusterroles" OR "clusterrolebindings")`,
		Summary:    "Cluster roles and bindings accessed from other than the loopback address (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`aws_cloudwatchlogs_eks` objectRef.resource=clusterroles OR clusterrolebindings sourceIPs{}!=::1 sourceIPs{}!=127.0.0.1 | table ... | dedup user.username user.groups{}",
		match: func(f *facts) bool {
			return (eq(f.resource(), "clusterroles") || f.hasTerm("clusterrolebindings")) && f.notLoopbackOnly()
		},
	},
	{
		Name: "Kubernetes AWS detect service accounts forbidden failure access", ID: "a6959c57-fa8f-4277-bb86-7c32fba579d5",
		Type: "hunting", Terms: `"system:serviceaccounts" "Failure"`,
		Summary:    "Service accounts whose requests failed (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`aws_cloudwatchlogs_eks` user.groups{}=system:serviceaccounts responseStatus.status = Failure | table ...",
		match: func(f *facts) bool {
			return f.inGroup("system:serviceaccounts") && eq(f.status("status"), "Failure")
		},
	},
	{
		Name: "Kubernetes AWS detect most active service accounts by pod", ID: "5b30b25d-7d32-42d8-95ca-64dfcd9076e6",
		Type: "hunting", Terms: `"system:serviceaccounts" "pods"`,
		Summary:    "The most active service accounts on pods (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL:   "`aws_cloudwatchlogs_eks` user.groups{}=system:serviceaccounts objectRef.resource=pods | table ... | top sourceIPs{} user.username verb annotations.authorization.k8s.io/decision",
		match: func(f *facts) bool { return f.inGroup("system:serviceaccounts") && eq(f.resource(), "pods") },
	},
	{
		Name: "Kubernetes AWS detect RBAC authorization by account", ID: "de7264ed-3ed9-4fef-bb01-6eefc87cefe8",
		Type: "hunting", Terms: `"authorization.k8s.io/reason"`,
		Summary:    "The rarest user and RBAC authorization reason pairs (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL:   "`aws_cloudwatchlogs_eks` annotations.authorization.k8s.io/reason=* | table ... | stats count by user.username annotations.authorization.k8s.io/reason | rare user.username annotations.authorization.k8s.io/reason",
		match: func(f *facts) bool { return f.ev.Annotations.Reason != "" },
	},

	// AKS diagnostic records: `kubernetes_azure` category=kube-audit |
	// spath input=properties.log | search ... (all removed from security
	// content in 5.2.0).
	{
		Name: "Kubernetes Azure active service accounts by pod namespace", ID: "55a2264a-b7f0-45e5-addd-1e5ab3415c72", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit"`,
		Summary:    "The most active service accounts, anonymous and allowed requests of AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL: "`kubernetes_azure` category=kube-audit | spath input=properties.log | search user.groups{}=system:serviceaccounts* OR user.username=system.anonymous OR annotations.authorization.k8s.io/decision=allow | table ... | top sourceIPs{} user.username verb responseStatus.status properties.pod objectRef.namespace",
		match: func(f *facts) bool {
			return f.kubeAudit() && (f.serviceAccountGroup() || eq(f.username(), "system.anonymous") || eq(f.ev.Annotations.Decision, "allow"))
		},
	},
	{
		Name: "Kubernetes Azure detect RBAC authorization by account", ID: "47af7d20-0607-4079-97d7-7a29af58b54e", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" "authorization.k8s.io/reason"`,
		Summary:    "The rarest user and RBAC authorization reason pairs of AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL:   "`kubernetes_azure` category=kube-audit | spath input=properties.log | search annotations.authorization.k8s.io/reason=* | table ... | stats count by user.username annotations.authorization.k8s.io/reason | rare user.username annotations.authorization.k8s.io/reason",
		match: func(f *facts) bool { return f.kubeAudit() && f.ev.Annotations.Reason != "" },
	},
	{
		// (secrets OR configmaps) AND (system.anonymous OR allow), as OR
		// binds tighter than the implicit AND.
		Name: "Kubernetes Azure detect sensitive object access", ID: "1bba382b-07fd-4ffa-b390-8002739b76e8", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" ("secrets" OR "configmaps")`,
		Summary:    "Secrets and config maps accessed anonymously or with an allowed authorization in AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`kubernetes_azure` category=kube-audit | spath input=properties.log | search objectRef.resource=secrets OR configmaps user.username=system.anonymous OR annotations.authorization.k8s.io/decision=allow | table ... | dedup user.username user.groups{}",
		match: func(f *facts) bool {
			return f.kubeAudit() && (eq(f.resource(), "secrets") || f.hasTerm("configmaps")) && (eq(f.username(), "system.anonymous") || eq(f.ev.Annotations.Decision, "allow"))
		},
	},
	{
		Name: "Kubernetes Azure detect sensitive role access", ID: "f27349e5-1641-4f6a-9e68-30402be0ad4c", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" ("clusterroles" OR "clusterrolebindings")`,
		Summary:    "Cluster roles and bindings accessed in AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`kubernetes_azure` category=kube-audit | spath input=properties.log | search objectRef.resource=clusterroles OR clusterrolebindings | table ... | dedup user.username user.groups{}",
		match: func(f *facts) bool {
			return f.kubeAudit() && (eq(f.resource(), "clusterroles") || f.hasTerm("clusterrolebindings"))
		},
	},
	{
		Name: "Kubernetes Azure detect service accounts forbidden failure access", ID: "019690d7-420f-4da0-b320-f27b09961514", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" "Forbidden"`,
		Summary:    "Service accounts refused (Forbidden) in AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`kubernetes_azure` category=kube-audit | spath input=properties.log | search user.groups{}=system:serviceaccounts* responseStatus.reason=Forbidden | table ...",
		match: func(f *facts) bool {
			return f.kubeAudit() && f.serviceAccountGroup() && eq(f.status("reason"), "Forbidden")
		},
	},
	{
		Name: "Kubernetes Azure detect suspicious kubectl calls", ID: "4b6d1ba8-0000-4cec-87e6-6cbbd71651b5", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" "kubectl"`,
		Summary:    "The rarest kubectl requests from other than loopback to AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL: "`kubernetes_azure` category=kube-audit | spath input=properties.log | spath input=responseObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration | search userAgent=kubectl* sourceIPs{}!=127.0.0.1 sourceIPs{}!=::1 | table ... | rare sourceIPs{} verb userAgent user.groups{} objectRef.resource objectRef.namespace requestURI",
		match: func(f *facts) bool {
			return f.kubeAudit() && wildcardFold("kubectl*", f.ev.UserAgent) && f.notLoopbackOnly()
		},
	},
	{
		Name: "Kubernetes Azure pod scan fingerprint", ID: "86aad3e0-732f-4f66-bbbc-70df448e461d", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" "401"`,
		Summary:    "Requests refused as unauthenticated (401) by AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`kubernetes_azure` category=kube-audit | spath input=properties.log | search responseStatus.code=401 | table sourceIPs{} userAgent verb requestURI responseStatus.reason properties.pod",
		match:      func(f *facts) bool { return f.kubeAudit() && f.code() == 401 },
	},
	{
		Name: "Kubernetes Azure scan fingerprint", ID: "c5e5bd5c-1013-4841-8b23-e7b3253c840a", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" "401"`,
		Summary:    "Requests refused as unauthenticated (401) by AKS clusters (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`kubernetes_azure` category=kube-audit | spath input=properties.log | search responseStatus.code=401 | table sourceIPs{} userAgent verb requestURI responseStatus.reason",
		match:      func(f *facts) bool { return f.kubeAudit() && f.code() == 401 },
	},
	{
		// Named for GCP and reached through the Pub/Sub macro, but its
		// SPL reads an Azure diagnostic record: it is judged on those.
		Name: "GCP Kubernetes cluster pod scan detection", ID: "19b53215-4a16-405b-8087-9e6acf619842", Shape: audit.ShapeAKS,
		Type: "hunting", Terms: `"kube-audit" "401"`,
		Summary: "Requests refused as unauthenticated (401); its SPL reads AKS diagnostic records, on which it is judged.",
		SPL:     "`google_gcp_pubsub_message` category=kube-audit | spath input=properties.log | search responseStatus.code=401 | table sourceIPs{} userAgent verb requestURI responseStatus.reason properties.pod",
		match:   func(f *facts) bool { return f.kubeAudit() && f.code() == 401 },
	},

	// GKE Cloud Audit Logs entries as the Splunk Add-on for Google Cloud
	// Platform writes Pub/Sub messages: `google_gcp_pubsub_message`
	// data.protoPayload.* (removed from security content in 5.2.0).
	{
		Name: "GCP Kubernetes cluster scan detection", ID: "db5957ec-0144-4c56-b512-9dccbe7a2d26", Shape: audit.ShapeGKE,
		Type: "hunting", Terms: `"system:anonymous" "PERMISSION_DENIED"`,
		Summary:    "Anonymous requests refused (PERMISSION_DENIED) by GKE clusters from other than loopback (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`google_gcp_pubsub_message` data.protoPayload.requestMetadata.callerIp!=127.0.0.1 data.protoPayload.requestMetadata.callerIp!=::1 \"data.labels.authorization.k8s.io/decision\"=forbid \"data.protoPayload.status.message\"=PERMISSION_DENIED data.protoPayload.authenticationInfo.principalEmail=\"system:anonymous\" | rename data.protoPayload.requestMetadata.callerIp as src_ip | stats count ... by src_ip data.resource.labels.cluster_name",
		match: func(f *facts) bool {
			return notLoopback(f.ev.GKE.CallerIP) && eq(f.ev.Annotations.Decision, "forbid") && eq(f.ev.ResponseStatus.Message, "PERMISSION_DENIED") && eq(f.username(), "system:anonymous")
		},
	},
	{
		Name: "Kubernetes GCP detect most active service accounts by pod", ID: "7f5c2779-88a0-4824-9caa-0f606c8f260f", Shape: audit.ShapeGKE,
		Type: "hunting", Terms: `"system:serviceaccounts"`,
		Summary:    "The most active service account reviews of GKE clusters (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL: "`google_gcp_pubsub_message` data.protoPayload.request.spec.group{}=system:serviceaccounts | table ... | top src_ip src_user http_user_agent data.labels.authorization.k8s.io/decision data.protoPayload.response.spec.resourceAttributes.resource",
		match: func(f *facts) bool {
			return slices.ContainsFunc(f.ev.GKE.RequestGroups, func(g string) bool { return eq(g, "system:serviceaccounts") })
		},
	},
	{
		// The reason is never exactly "ClusterRoleBinding"; the bare term
		// Clusterrole, a word of RBAC reasons, decides.
		Name: "Kubernetes GCP detect RBAC authorizations by account", ID: "99487de3-7192-4b41-939d-fbe9acfb1340", Shape: audit.ShapeGKE,
		Type: "hunting", Terms: `"clusterrole"`,
		Summary:    "The rarest user and RBAC authorization reason pairs of GKE clusters (deprecated in security_content 5.2.0).",
		Deprecated: true, Partial: true,
		SPL: "`google_gcp_pubsub_message` data.labels.authorization.k8s.io/reason=ClusterRoleBinding OR Clusterrole | table ... | rare src_user data.labels.authorization.k8s.io/reason",
		match: func(f *facts) bool {
			return eq(f.ev.Annotations.Reason, "ClusterRoleBinding") || f.hasTerm("clusterrole")
		},
	},
	{
		// authorizationInfo{}.resource holds a path (core/v1/namespaces/x/
		// configmaps/y), never exactly "configmaps": the bare term secrets
		// decides.
		Name: "Kubernetes GCP detect sensitive object access", ID: "bdb6d596-86a0-4aba-8369-418ae8b9963a", Shape: audit.ShapeGKE,
		Type: "hunting", Terms: `"secrets"`,
		Summary:    "Secrets accessed in GKE clusters (deprecated in security_content 5.2.0).",
		Deprecated: true,
		SPL:        "`google_gcp_pubsub_message` data.protoPayload.authorizationInfo{}.resource=configmaps OR secrets | table ... | dedup data.protoPayload.requestMetadata.callerIp src_user data.resource.labels.cluster_name",
		match:      func(f *facts) bool { return f.hasTerm("secrets") },
	},
}

// NotJudged are the security content detections on Kubernetes audit data
// that kubeenrich cannot judge on one event, with the reason; the README
// lists them.
var NotJudged = []struct{ Name, ID, Why string }{
	{"Kubernetes GCP detect sensitive role access", "a46923f6-36b9-4806-a681-31f314907c30", "it filters on dest and src_ip, fields of the Splunk Add-on for Google Cloud Platform's own mappings"},
	{"Kubernetes GCP detect service accounts forbidden failure access", "7094808d-432a-48e7-bb3c-77e96c894f3b", "its data.protoPayload.response.status.allowed!=* matches no event: != needs the field, * any value"},
	{"Kubernetes GCP detect suspicious kubectl calls", "a5bed417-070a-41f2-a1e4-82b6aa281557", "it filters on src_user, a field of the Splunk Add-on for Google Cloud Platform's own mappings"},
}

// judgement is a Worker's scratch space for the detections group: the
// lists it writes are reused from one event to the next (an Output's
// values are valid until the Worker's next Enrich).
type judgement struct {
	f                                    facts
	names, ids, partial, findings, rules []string
	signals, techniques                  []string
	msg                                  []byte
}

// candidate is a matched signal that scores, ranked for the top: the
// highest score, and on a tie kubelens's own finding before a detection
// before a Falco rule, the more precise judgement first.
type candidate struct {
	sig  *RiskSignal
	rank int
}

func (c candidate) beats(o candidate) bool {
	if o.sig == nil {
		return true
	}
	if c.sig.Score != o.sig.Score {
		return c.sig.Score > o.sig.Score
	}
	return c.rank < o.rank
}

var kindRank = map[string]int{SignalKubelens: 0, SignalESCU: 1, SignalFalco: 2}

// deriveJudgement judges the detections, findings and Falco rules and
// scores the event by the risk model.
func (w *Worker) deriveJudgement(ev *event, out *Output) {
	e, j := w.e, &w.judge
	j.f = facts{e: e, ev: ev, out: out, groups: ev.User.Groups}
	f := &j.f
	j.names, j.ids, j.partial, j.findings, j.rules = j.names[:0], j.ids[:0], j.partial[:0], j.findings[:0], j.rules[:0]
	j.signals, j.techniques = j.signals[:0], j.techniques[:0]
	var top candidate
	consider := func(signal string, sig *RiskSignal) {
		j.signals = append(j.signals, signal)
		if sig == nil {
			return
		}
		j.techniques = appendNew(j.techniques, sig.Techniques...)
		if c := (candidate{sig, kindRank[sig.Kind]}); sig.Score > 0 && c.beats(top) {
			top = c
		}
	}
	for i := range Detections {
		d := &Detections[i]
		if d.Shape != ev.Origin.Shape || !d.match(f) {
			continue
		}
		if d.Partial {
			j.partial = append(j.partial, d.Name)
			continue
		}
		j.names = append(j.names, d.Name)
		j.ids = append(j.ids, d.ID)
		consider(detectionSignals[i], e.risk.detections[i])
	}
	for i := range Findings {
		if Findings[i].match(f) {
			j.findings = append(j.findings, Findings[i].ID)
			consider(findingSignals[i], e.risk.findings[i])
		}
	}
	for i := range falcoRuleList {
		if falcoRuleList[i].match(f, &ev.pod) {
			j.rules = append(j.rules, falcoRuleList[i].name)
			consider(falcoSignals[i], e.risk.falco[i])
		}
	}
	out.SetMulti(FieldK8sDetections, j.names)
	out.SetMulti(FieldK8sDetectionIDs, j.ids)
	out.SetMulti(FieldK8sDetectionsPartial, j.partial)
	out.SetMulti(FieldK8sFindings, j.findings)
	out.SetMulti(FieldK8sFalcoRules, j.rules)
	out.SetMulti(FieldK8sRiskSignals, j.signals)
	out.SetMulti(FieldMitreTechniqueID, j.techniques)
	sig := top.sig
	if sig == nil {
		return
	}
	out.Set(FieldK8sRiskScore, sig.scoreText)
	out.Set(FieldK8sRiskMessage, sig.render(&j.msg, ev, out))
	if v := objectValue(sig.RiskObjectField, ev, out); v != "" {
		out.Set(FieldK8sRiskObject, v)
		out.Set(FieldK8sRiskObjectType, RiskObjectFields[sig.RiskObjectField])
	}
	if v := objectValue(sig.ThreatObjectField, ev, out); v != "" {
		out.Set(FieldK8sThreatObject, v)
		out.Set(FieldK8sThreatObjectType, ThreatObjectFields[sig.ThreatObjectField])
	}
}

// The signal names of the detections, findings and Falco rules, by index,
// made once.
var (
	detectionSignals = func() []string {
		s := make([]string, len(Detections))
		for i := range Detections {
			s[i] = Detections[i].Signal()
		}
		return s
	}()
	findingSignals = func() []string {
		s := make([]string, len(Findings))
		for i := range Findings {
			s[i] = Findings[i].Signal()
		}
		return s
	}()
	falcoSignals = func() []string {
		s := make([]string, len(falcoRuleList))
		for i, r := range falcoRuleList {
			s[i] = FalcoSignal(r.name)
		}
		return s
	}()
)

func appendNew(list []string, vals ...string) []string {
	for _, v := range vals {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
