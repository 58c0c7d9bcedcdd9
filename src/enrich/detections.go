package enrich

import (
	"slices"
	"strings"
)

// Detection is a Splunk security content detection that kubeenrich judges
// on single events, following its SPL: field=value comparisons are
// case-insensitive and a multivalue field matches when any value does, as
// in Splunk's search command.
type Detection struct {
	Name string
	ID   string
	// Type is security content's: anomaly or hunting. Hunting searches run
	// daily, anomalies hourly.
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
// bounded by non-alphanumeric characters. Without _raw, the fields that
// would hold it are searched.
func (f *facts) hasTerm(term string) bool {
	if !f.ev.fromRaw {
		return containsTerm(f.resource(), term) || containsTerm(f.ev.RequestURI, term)
	}
	return containsTerm(f.ev.raw, term)
}

// containsTerm reports whether s holds the lower-case ASCII word term, in
// any case, bounded by non-alphanumeric characters. It allocates nothing:
// it runs on every event's _raw.
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
		if !d.match(f) {
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
