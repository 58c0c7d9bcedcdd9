package docgen

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/enrich"
)

// RiskTable indexes the rows of the risk signals lookup by signal.
type RiskTable map[string]*enrich.RiskSignal

// NewRiskTable indexes rows.
func NewRiskTable(rows []enrich.RiskSignal) RiskTable {
	t := RiskTable{}
	for i := range rows {
		t[rows[i].Signal] = &rows[i]
	}
	return t
}

// SavedSearch is one stanza of default/savedsearches.conf.
type SavedSearch struct {
	Name, Description, Search string
	// Signal is the risk signal whose row gives the search's score,
	// message and ATT&CK techniques.
	Signal string
	// Hunting searches run daily over the previous day, the others hourly.
	Hunting bool
	// RiskFields and ThreatFields are the fields the search's results
	// carry that may serve as risk and threat objects.
	RiskFields, ThreatFields []string
}

// The pieces every kubelens search shares.
const (
	anomalyAggregation = "stats count min(_time) as firstTime max(_time) as lastTime values(k8s_resource) as k8s_resource values(k8s_namespace) as k8s_namespace values(k8s_object) as k8s_object values(verb) as verb values(requestURI) as requestURI values(k8s_outcome) as k8s_outcome values(userAgent) as http_user_agent values(k8s_platform) as k8s_platform"
	ctimes             = "`kubelens_ctime(firstTime)` | `kubelens_ctime(lastTime)`"
)

// detectionShape is how a detection's saved search differs from the
// common one: what it does before aggregating, how it aggregates, and what
// it does after.
type detectionShape struct {
	pre, by, post string
	// agg replaces the whole aggregation (top, rare).
	agg string
	// threatFields replaces the threat object fields the results carry.
	threatFields []string
}

var detectionShapes = map[string]detectionShape{
	"Kubernetes Abuse of Secret by Unusual Location":            {pre: "iplocation src_ip | search NOT `kubelens_allowed_locations`", by: "user src_ip k8s_cluster Country City"},
	"Kubernetes Access Scanning":                                {pre: "iplocation src_ip", by: "src_ip k8s_cluster Country City", post: "where count > 5"},
	"Kubernetes Scanning by Unauthenticated IP Address":         {pre: "iplocation src_ip", by: "src_ip k8s_cluster Country City", post: "where count > 5"},
	"Kubernetes AWS detect most active service accounts by pod": {agg: "top limit=20 src_ip user k8s_cluster k8s_platform verb k8s_authz_decision"},
	"Kubernetes AWS detect RBAC authorization by account":       {agg: "rare limit=20 user k8s_cluster k8s_platform annotations.authorization.k8s.io/reason", threatFields: []string{}},
	// The AKS and GKE hunting searches that count in SPL: top and rare over
	// kubeenrich's fields, which every platform fills alike.
	"Kubernetes Azure active service accounts by pod namespace": {agg: "top limit=20 src_ip user k8s_cluster k8s_platform verb k8s_authz_decision"},
	"Kubernetes Azure detect RBAC authorization by account":     {agg: "rare limit=20 user k8s_cluster k8s_platform k8s_authz_reason", threatFields: []string{}},
	"Kubernetes Azure detect suspicious kubectl calls":          {agg: "rare limit=20 src_ip user verb requestURI k8s_cluster k8s_platform"},
	"Kubernetes GCP detect most active service accounts by pod": {agg: "top limit=20 src_ip user k8s_cluster k8s_platform k8s_authz_decision"},
	"Kubernetes GCP detect RBAC authorizations by account":      {agg: "rare limit=20 user k8s_cluster k8s_platform k8s_authz_reason", threatFields: []string{}},
}

// shapeJudged says, in a saved search's description, on which records a
// detection is judged when its SPL reads a wrapped shape.
var shapeJudged = map[audit.Shape]string{
	audit.ShapeAKS: " on AKS diagnostic records",
	audit.ShapeGKE: " on GKE Cloud Audit Logs entries",
}

// FilterMacro is the name of a detection's or finding's exclusions macro.
func FilterMacro(signal string) string {
	kind, name, _ := strings.Cut(signal, ":")
	if kind == enrich.SignalKubelens {
		return "kubelens_finding_" + name + "_filter"
	}
	for _, d := range enrich.Detections {
		if d.ID == name {
			return "kubelens_" + snake(d.Name) + "_filter"
		}
	}
	return ""
}

// snake turns a detection name into a macro name part.
func snake(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	return strings.Trim(b.String(), "_")
}

// SavedSearches lists the app's saved searches: one per detection, one per
// finding, and two detections in security content's own SPL.
func SavedSearches() []SavedSearch {
	var out []SavedSearch
	for _, d := range enrich.Detections {
		out = append(out, detectionSearch(d))
	}
	for _, f := range enrich.Findings {
		out = append(out, findingSearch(f))
	}
	return append(out, securityContentSearches()...)
}

func detectionSearch(d enrich.Detection) SavedSearch {
	shape := detectionShapes[d.Name]
	kind := "anomaly"
	if d.Type == "hunting" {
		kind = "hunting search"
	}
	status := ""
	if d.Deprecated {
		status = ", deprecated in security content"
	}
	s := SavedSearch{
		Name:        "kubelens - " + d.Name,
		Description: fmt.Sprintf("%s security_content detection %q (%s%s), judged per event by kubeenrich%s.", d.Summary, d.Name, kind, status, shapeJudged[d.Shape]),
		Signal:      d.Signal(), Hunting: d.Type == "hunting",
		RiskFields: []string{"user", "k8s_cluster"}, ThreatFields: []string{"src_ip"},
	}
	parts := []string{
		"`kubelens_k8s_audit` " + d.Terms,
		"kubeenrich",
		fmt.Sprintf("search k8s_is_final=true (k8s_detections=%q OR k8s_detections_partial=%q)", d.Name, d.Name),
		"`kubelens_risk_keys`",
	}
	if shape.pre != "" {
		parts = append(parts, shape.pre)
	}
	switch {
	case shape.agg != "":
		parts = append(parts, shape.agg)
	default:
		by := shape.by
		agg := anomalyAggregation
		if by == "" {
			by = "user src_ip k8s_cluster"
		}
		if !strings.HasPrefix(by, "user ") {
			agg += " values(user) as user"
		}
		parts = append(parts, agg+" by "+by)
		if shape.post != "" {
			parts = append(parts, shape.post)
		}
		parts = append(parts, ctimes)
	}
	if shape.threatFields != nil {
		s.ThreatFields = shape.threatFields
	}
	parts = append(parts, "`kubelens_risk("+d.Signal()+")`", "`"+FilterMacro(d.Signal())+"`")
	s.Search = strings.Join(parts, " | ")
	return s
}

func findingSearch(f enrich.Finding) SavedSearch {
	terms := ""
	if f.Terms != "" {
		terms = " " + f.Terms
	}
	return SavedSearch{
		Name:        "kubelens finding - " + f.Title,
		Description: fmt.Sprintf("%s kubelens finding %s, judged per event by kubeenrich. Excludes: %s", f.Means, f.ID, f.Excludes),
		Signal:      f.Signal(),
		RiskFields:  []string{"user", "k8s_cluster"}, ThreatFields: []string{"src_ip"},
		Search: strings.Join([]string{
			"`kubelens_k8s_audit`" + terms,
			"kubeenrich",
			fmt.Sprintf("search k8s_findings=%q", f.ID),
			"`kubelens_risk_keys`",
			anomalyAggregation + " values(k8s_findings) as k8s_findings by user src_ip k8s_cluster",
			ctimes,
			"`kubelens_risk(" + f.Signal() + ")`",
			"`" + FilterMacro(f.Signal()) + "`",
		}, " | "),
	}
}

// securityContentSearches are two detections exactly as security content
// writes them, through its own macros, then scored like the others.
func securityContentSearches() []SavedSearch {
	return []SavedSearch{
		{
			Name:        "kubelens - Amazon EKS Kubernetes Pod scan detection - security_content SPL",
			Description: "Hunting search: system:anonymous listing all pods of an EKS cluster (GET /api/v1/pods). security_content's SPL as written (detection dbfca1dd-b8e5-4ba4-be0e-e565e5d62002, ATT&CK T1526), then the cluster taken out of its cluster_name and the risk fields added.",
			Signal:      "escu:dbfca1dd-b8e5-4ba4-be0e-e565e5d62002", Hunting: true,
			RiskFields: []string{"user", "k8s_cluster"}, ThreatFields: []string{"src_ip"},
			Search: "`aws_cloudwatchlogs_eks` \"user.username\"=\"system:anonymous\" verb=list objectRef.resource=pods requestURI=\"/api/v1/pods\" | rename source as cluster_name sourceIPs{} as src_ip | stats count min(_time) as firstTime max(_time) as lastTime values(responseStatus.reason) values(responseStatus.code) values(userAgent) values(verb) values(requestURI) by src_ip cluster_name user.username user.groups{} | `security_content_ctime(lastTime)` | `security_content_ctime(firstTime)` | `amazon_eks_kubernetes_pod_scan_detection_filter`" +
				" | rename user.username as user | rex field=cluster_name \"^[^:]+:/aws/eks/(?<k8s_cluster>[^/]+)/cluster:\" | `kubelens_risk(escu:dbfca1dd-b8e5-4ba4-be0e-e565e5d62002)`",
		},
		{
			Name:        "kubelens - Kubernetes AWS detect suspicious kubectl calls - security_content SPL",
			Description: "Anomaly: requests made as system:anonymous in the system:unauthenticated group. security_content's SPL as written (detection 042a3d32-8318-4763-9679-09db2644a8f2), then the risk fields added. Its results carry no cluster.",
			Signal:      "escu:042a3d32-8318-4763-9679-09db2644a8f2",
			RiskFields:  []string{"user"}, ThreatFields: []string{"src_ip"},
			Search: "`kube_audit` user.username=\"system:anonymous\" user.groups{} IN (\"system:unauthenticated\") | fillnull | stats count by objectRef.name objectRef.namespace objectRef.resource requestReceivedTimestamp requestURI responseStatus.code sourceIPs{} stage user.groups{} user.uid user.username userAgent verb | rename sourceIPs{} as src_ip, user.username as user |`kubernetes_aws_detect_suspicious_kubectl_calls_filter`" +
				" | `kubelens_risk(escu:042a3d32-8318-4763-9679-09db2644a8f2)`",
		},
	}
}

// riskJSON is action.risk.param._risk: the signal's risk object field and
// the cluster as risk objects, each at the signal's score, and its threat
// object; each only where the search's results carry the field.
func riskJSON(s SavedSearch, row *enrich.RiskSignal) string {
	var objs []string
	carries := func(fields []string, f string) bool {
		for _, x := range fields {
			if x == f {
				return true
			}
		}
		return false
	}
	add := func(field string) {
		if carries(s.RiskFields, field) {
			objs = append(objs, fmt.Sprintf(`{"risk_object_field": %q, "risk_object_type": %q, "risk_score": %d}`, field, enrich.RiskObjectFields[field], row.Score))
		}
	}
	add(row.RiskObjectField)
	if row.RiskObjectField != "k8s_cluster" {
		add("k8s_cluster")
	}
	if t := row.ThreatObjectField; t != "" && carries(s.ThreatFields, t) {
		objs = append(objs, fmt.Sprintf(`{"threat_object_field": %q, "threat_object_type": %q}`, t, enrich.ThreatObjectFields[t]))
	}
	return "[" + strings.Join(objs, ", ") + "]"
}

func annotationsJSON(row *enrich.RiskSignal) string {
	techniques := row.Techniques
	if techniques == nil {
		techniques = []string{}
	}
	b, _ := json.Marshal(map[string][]string{"mitre_attack": techniques})
	return strings.ReplaceAll(strings.ReplaceAll(string(b), ":", ": "), ",", ", ")
}

const savedSearchesHeader = `# Generated from the code by "make docs" (src/docgen): edit the declarations
# (src/enrich detections and findings, lookups/kubelens_risk_signals_default.csv),
# not this file. Your changes go in local/savedsearches.conf.
#
# kubelens saved searches: every Kubernetes detection of Splunk's security
# content that kubeenrich judges, on EKS, AKS, GKE and any other cluster's
# audit data ("kubelens - <detection>"), every kubelens finding on every
# platform ("kubelens finding - <title>"), and two detections exactly as
# security content writes them ("... - security_content SPL"). Each result
# names its cluster (k8s_cluster) and platform (k8s_platform). All ship
# disabled: enable the ones you want under Settings > Searches, reports, and
# alerts (app kubelens), or with disabled = 0 in local/savedsearches.conf.
#
# Each result carries its own signal's risk_score, risk_message and
# mitre_technique_id, from the risk signals lookup (kubelens_risk), never
# kubeenrich's k8s_risk_score, the event's top signal. With Splunk Enterprise
# Security each search is a correlation search whose risk action writes one
# risk event per result on the user and the cluster, with the source IP as the
# threat object.
#
# Anomalies and findings run hourly over the hour that ended ten minutes ago
# (EKS logs reach CloudWatch Logs and then Splunk with a delay); hunting
# searches run daily over the previous day.
`

// SavedSearchesConf returns default/savedsearches.conf. Every search's
// signal must have a row in risk.
func SavedSearchesConf(risk RiskTable) (string, error) {
	var b strings.Builder
	b.WriteString(savedSearchesHeader)
	for _, s := range SavedSearches() {
		row := risk[s.Signal]
		if row == nil {
			return "", fmt.Errorf("docgen: saved search %q: signal %s has no row in the risk signals lookup", s.Name, s.Signal)
		}
		cron, earliest, latest := "7 * * * *", "-70m@m", "-10m@m"
		if s.Hunting {
			cron, earliest, latest = "17 3 * * *", "-1d@d", "@d"
		}
		fmt.Fprintf(&b, "\n[%s]\n", s.Name)
		for _, kv := range [][2]string{
			{"description", s.Description},
			{"search", s.Search},
			{"cron_schedule", cron},
			{"dispatch.earliest_time", earliest},
			{"dispatch.latest_time", latest},
			{"action.risk", "1"},
			{"action.risk.param._risk", riskJSON(s, row)},
			{"action.risk.param._risk_message", row.Message},
			{"action.risk.param._risk_score", "0"},
			{"action.risk.param.verbose", "0"},
			{"action.correlationsearch.enabled", "1"},
			{"action.correlationsearch.label", s.Name},
			{"action.correlationsearch.annotations", annotationsJSON(row)},
			{"alert.digest_mode", "1"},
			{"alert.suppress", "0"},
			{"alert.track", "1"},
			{"counttype", "number of events"},
			{"relation", "greater than"},
			{"quantity", "0"},
			{"enableSched", "1"},
			{"schedule_window", "auto"},
			{"allow_skew", "10%"},
			{"realtime_schedule", "0"},
			{"disabled", "1"},
			{"request.ui_dispatch_app", "kubelens"},
			{"request.ui_dispatch_view", "search"},
		} {
			fmt.Fprintf(&b, "%s = %s\n", kv[0], kv[1])
		}
	}
	return b.String(), nil
}

// FilterMacros returns the generated section of default/macros.conf: one
// empty exclusions macro per detection and finding.
func FilterMacros() string {
	var b strings.Builder
	for _, d := range enrich.Detections {
		fmt.Fprintf(&b, "\n[%s]\ndefinition = search *\ndescription = Exclusions for the kubelens detection %q: replace search * with your filter.\n", FilterMacro(d.Signal()), d.Name)
	}
	for _, f := range enrich.Findings {
		fmt.Fprintf(&b, "\n[%s]\ndefinition = search *\ndescription = Exclusions for the kubelens finding %s (%s): replace search * with your filter.\n", FilterMacro(f.Signal()), f.ID, f.Title)
	}
	return b.String()
}
