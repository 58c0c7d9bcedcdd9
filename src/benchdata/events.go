package benchdata

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Splunk-side constants of the generated events, as eks_logs on a heavy
// forwarder indexes them and one indexer returns them.
const (
	Index        = "eks"
	SourceType   = "aws:cloudwatchlogs:eks"
	Host         = "hf-use1-01"
	SplunkServer = "idx-use1-03.splunk.example.com"
)

// LogGroup is the CloudWatch Logs group of the generated cluster.
const LogGroup = "/aws/eks/" + cluster + "/cluster"

// Cluster and Region name the generated cluster.
const (
	Cluster = cluster
	Region  = region
)

// latest is the time of the newest generated event; older ones follow, as
// a Splunk search returns events newest first.
var latest = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// Event is one generated audit event with the fields splunkd sends for it.
type Event struct {
	// Serial is the event's position in the search results (_serial).
	Serial int
	// TimeMs is the CloudWatch timestamp in epoch milliseconds (_time).
	TimeMs int64
	// Stream is the CloudWatch log stream, kube-apiserver-audit-<hex>.
	Stream string
	// Raw is the audit event JSON, as CloudWatch holds it (_raw).
	Raw    string
	values [NumFields][]string
}

// Values returns a field's values: nil when the event has none, several
// for a multivalue field such as sourceIPs{} or user.groups{}.
func (e *Event) Values(f Field) []string { return e.values[f] }

// Generator makes a deterministic sequence of realistic EKS audit events:
// the same seed gives the same events, byte for byte, on every platform
// and Go release.
type Generator struct {
	r       *rng
	pop     *population
	serial  int
	stageUs int64 // the current event's stageTimestamp, in µs
	cd      int   // the offset in the index bucket
	buf     []byte
}

// NewGenerator returns a generator; seed picks the cluster (its nodes,
// users, addresses, clients) and the events.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: newRNG(seed), pop: newPopulation(newRNG(seed ^ 0x5eed)), stageUs: latest.UnixMicro()}
}

// Events returns the first n events of the seed's sequence.
func Events(n int, seed uint64) []Event {
	g := NewGenerator(seed)
	evs := make([]Event, n)
	for i := range evs {
		g.Next(&evs[i])
	}
	return evs
}

// Next generates the next event into e.
func (g *Generator) Next(e *Event) {
	r := g.r
	p := g.pop.pickPrincipal(r)
	a := p.acts.pick(r)
	// About 280 events a second, as a busy production cluster logs.
	g.stageUs -= int64(r.between(800, 6300))
	stage := time.UnixMicro(g.stageUs).UTC()
	ns, name := g.target(p, a)
	out := g.outcome(p, a, ns, name)
	lvl := level(a)
	stageName := "ResponseComplete"
	latency := time.Duration(r.between(1000, 15000)) * time.Microsecond
	switch {
	case a.verb == "watch" || a.sub == "exec" || a.sub == "portforward":
		if out.code < 300 && r.chance(0.5) {
			stageName = "ResponseStarted"
			latency = time.Duration(r.between(500, 4000)) * time.Microsecond
		} else {
			latency = time.Duration(r.between(5, 600)) * time.Second
		}
	case a.verb == "list":
		latency = time.Duration(r.between(3000, 250000)) * time.Microsecond
	case a.verb != "get":
		latency = time.Duration(r.between(4000, 60000)) * time.Microsecond
	}
	src := pod{}
	if len(p.pods) > 0 {
		src = pick(r, p.pods)
	}
	ips := []string{src.ip}
	if p.proxy != "" && r.chance(0.6) {
		ips = append(ips, p.proxy)
	}

	ev := obj{
		{"kind", "Event"}, {"apiVersion", "audit.k8s.io/v1"}, {"level", lvl}, {"auditID", r.uuid()},
		{"stage", stageName}, {"requestURI", g.requestURI(p, a, ns, name)}, {"verb", a.verb},
		{"user", g.user(p, src)},
	}
	ev = ev.set("sourceIPs", ips)
	ev = ev.set("userAgent", pick(r, p.uas))
	if a.res != nil {
		ref := obj{}.set("resource", a.res.name).set("namespace", ns).set("name", name).
			set("apiGroup", a.res.group).set("apiVersion", a.res.version).set("subresource", a.sub)
		ev = append(ev, member{"objectRef", ref})
	}
	status := obj{{"metadata", obj{}}}
	if out.code >= 300 {
		status = append(status, member{"status", "Failure"}, member{"message", out.message}, member{"reason", out.reason})
	}
	ev = append(ev, member{"responseStatus", append(status, member{"code", out.code})})
	// The body is read only after authorisation: forbidden requests log none.
	if lvl != "Metadata" && stageName == "ResponseComplete" && out.code != 403 {
		req, resp := g.bodies(p, a, ns, name, out)
		if req != nil {
			ev = append(ev, member{"requestObject", req})
		}
		if resp != nil && lvl == "RequestResponse" {
			ev = append(ev, member{"responseObject", resp})
		}
	}
	ev = append(ev,
		member{"requestReceivedTimestamp", micro(stage.Add(-latency))},
		member{"stageTimestamp", micro(stage)},
		member{"annotations", obj{{"authorization.k8s.io/decision", out.decision}, {"authorization.k8s.io/reason", out.authz}}},
	)

	g.buf = appendJSON(g.buf[:0], ev)
	*e = Event{Serial: g.serial, TimeMs: g.stageUs / 1000, Stream: pick(r, g.pop.streams), Raw: string(g.buf)}
	g.serial++
	for _, m := range ev {
		if m.k == "requestObject" || m.k == "responseObject" {
			continue
		}
		flatten(m.k, m.v, func(name, value string) {
			if value == "" {
				return // an empty value is no field (no reason from the Node authoriser)
			}
			f, ok := extracted[name]
			if !ok {
				panic("benchdata: field " + name + " of the generated event is not in the field list")
			}
			e.values[f] = append(e.values[f], value)
		})
	}
	g.indexFields(e, stageName)
}

// indexFields sets the fields indexing and search add.
func (g *Generator) indexFields(e *Event, stage string) {
	r := g.r
	one := func(f Field, v string) { e.values[f] = []string{v} }
	one(FieldTime, fmt.Sprintf("%d.%03d", e.TimeMs/1000, e.TimeMs%1000))
	one(FieldIndex, Index)
	one(FieldRaw, e.Raw)
	one(FieldHost, Host)
	one(FieldSource, Region+":"+LogGroup+":"+e.Stream)
	one(FieldSourcetype, SourceType)
	bucket := 412 + e.Serial/40000
	one(FieldCD, fmt.Sprintf("%d:%d", bucket, g.cd))
	g.cd += len(e.Raw) + 38
	one(FieldBkt, fmt.Sprintf("%s~%d~%s", Index, bucket, g.pop.bucketGUID))
	one(FieldLinecount, "1")
	one(FieldSplunkServer, SplunkServer)
	e.values[FieldSI] = []string{SplunkServer, Index}
	one(FieldIndextime, strconv.FormatInt(e.TimeMs/1000+int64(r.between(2, 40)), 10))
	// default/eventtypes.conf: every audit event, and writes once more.
	e.values[FieldEventtype] = []string{"kubelens_k8s_audit"}
	switch e.values[FieldVerb][0] {
	case "create", "update", "patch", "delete", "deletecollection":
		if stage == "ResponseComplete" {
			e.values[FieldEventtype] = append(e.values[FieldEventtype], "kubelens_k8s_audit_change")
		}
	}
	one(FieldSerial, strconv.Itoa(e.Serial))
}

func micro(t time.Time) string { return t.Format("2006-01-02T15:04:05.000000Z") }

// user is the audit event's user object.
func (g *Generator) user(p *principal, src pod) obj {
	u := obj{{"username", p.username}}.set("uid", p.uid).set("groups", p.groups)
	switch {
	case p.role != "":
		principalID := p.roleID
		arn := "arn:aws:sts::" + account + ":assumed-role/" + p.role + "/" + p.session
		if p.kind == kindHuman {
			principalID += ":" + p.session
		}
		u = append(u, member{"extra", obj{
			{"accessKeyId", []string{pick(g.r, p.keyIDs)}},
			{"arn", []string{arn}},
			{"canonicalArn", []string{"arn:aws:iam::" + account + ":role/" + p.role}},
			{"principalId", []string{principalID}},
			{"sessionName", []string{p.session}},
		}})
	case p.podToken && src.name != "":
		u = append(u, member{"extra", obj{{"authentication.kubernetes.io/pod-name", []string{src.name}}}})
	}
	return u
}

// target picks the namespace and name of an action's object.
func (g *Generator) target(p *principal, a action) (ns, name string) {
	if a.res == nil {
		return "", ""
	}
	if a.res.namespaced {
		switch a.where {
		case inOwn:
			ns = p.ns
			if ns == "" {
				ns = g.anyNamespace()
			}
		case inAny:
			ns = g.anyNamespace()
		case inSystem:
			ns = "kube-system"
		case inNodeLease:
			ns = "kube-node-lease"
		}
	}
	if !a.named {
		return ns, ""
	}
	switch {
	case a.where == inSelf || a.where == inNodeLease:
		return ns, p.node
	case a.lease != "":
		return ns, a.lease
	}
	return ns, g.objectName(a.res, ns)
}

// anyNamespace is mostly an application's namespace, often kube-system.
func (g *Generator) anyNamespace() string {
	if g.r.chance(0.3) {
		return "kube-system"
	}
	return pick(g.r, appNamespaces).ns
}

func (g *Generator) app(ns string) string {
	if apps := g.pop.apps[ns]; len(apps) > 0 {
		return pick(g.r, apps)
	}
	return "app"
}

var clusterNames = map[string][]string{
	"clusterroles":                    {"cluster-admin", "admin", "edit", "view", "system:controller:replicaset-controller", "system:aggregate-to-edit", "aws-node", "eks:addon-manager", "karpenter", "argocd-application-controller", "prometheus-k8s"},
	"clusterrolebindings":             {"cluster-admin", "aws-node", "eks:addon-manager", "karpenter", "argocd-application-controller", "system:kube-dns", "platform-admins"},
	"storageclasses":                  {"gp2", "gp3", "efs-sc", "io2"},
	"ingressclasses":                  {"nginx", "alb"},
	"mutatingwebhookconfigurations":   {"istio-sidecar-injector", "pod-identity-webhook", "aws-load-balancer-webhook", "vpc-resource-mutating-webhook"},
	"validatingwebhookconfigurations": {"cert-manager-webhook", "gatekeeper-validating-webhook-configuration", "istio-validator-istio-system", "vpc-resource-validating-webhook"},
	"flowschemas":                     {"system-leader-election", "workload-leader-election", "kube-controller-manager", "service-accounts", "global-default", "catch-all"},
	"priorityclasses":                 {"system-cluster-critical", "system-node-critical", "high-priority"},
	"csidrivers":                      {"ebs.csi.aws.com", "efs.csi.aws.com"},
	"eniconfigs":                      {"us-east-1a", "us-east-1b", "us-east-1c"},
	"nodepools":                       {"default", "memory-optimised", "spot"},
}

// objectName returns a realistic name for an object of rs in ns.
func (g *Generator) objectName(rs *resource, ns string) string {
	r := g.r
	if names, ok := clusterNames[rs.name]; ok {
		return pick(r, names)
	}
	app := g.app(ns)
	switch rs.name {
	case "pods":
		return app + "-" + r.lower(10) + "-" + r.lower(5)
	case "replicasets", "controllerrevisions":
		return app + "-" + r.lower(10)
	case "endpointslices":
		return app + "-" + r.lower(5)
	case "jobs":
		return app + "-" + strconv.Itoa(r.between(28700000, 28800000))
	case "events":
		return app + "-" + r.lower(10) + "-" + r.lower(5) + "." + r.hex(16)
	case "configmaps":
		return pick(r, []string{app + "-config", app + "-env", "kube-root-ca.crt", app + "-feature-flags", "aws-auth", "cluster-autoscaler-status"})
	case "secrets":
		return pick(r, []string{app + "-tls", app + "-db-credentials", "sh.helm.release.v1." + app + ".v" + strconv.Itoa(r.between(1, 40)), app + "-token-" + r.lower(5), app + "-api-keys"})
	case "leases":
		return app
	case "nodes", "csinodes":
		return pick(r, g.pop.nodes)
	case "namespaces":
		return pick(r, g.pop.namespaces)
	case "persistentvolumes":
		return "pvc-" + r.uuid()
	case "persistentvolumeclaims":
		return "data-" + app + "-" + strconv.Itoa(r.intn(3))
	case "volumeattachments":
		return "csi-" + r.hex(64)
	case "certificatesigningrequests":
		return "csr-" + r.lower(5)
	case "customresourcedefinitions":
		rs := res(pick(r, customResources))
		return rs.name + "." + rs.group
	case "nodeclaims":
		return "default-" + r.lower(5)
	case "serviceaccounts":
		return pick(r, []string{app, "default"})
	}
	return app
}

// requestURI is the request's path and query, as the client sent it.
func (g *Generator) requestURI(p *principal, a action, ns, name string) string {
	r := g.r
	if a.res == nil {
		return a.path
	}
	var b strings.Builder
	if a.res.group == "" {
		b.WriteString("/api/" + a.res.version)
	} else {
		b.WriteString("/apis/" + a.res.group + "/" + a.res.version)
	}
	if ns != "" {
		b.WriteString("/namespaces/" + ns)
	}
	b.WriteString("/" + a.res.name)
	if name != "" {
		b.WriteString("/" + name)
	}
	if a.sub != "" {
		b.WriteString("/" + a.sub)
	}
	switch {
	case a.verb == "list" && p.kind == kindHuman:
		b.WriteString("?limit=500")
	case a.verb == "list" && r.chance(0.3):
		b.WriteString("?labelSelector=app.kubernetes.io%2Fname%3D" + g.app(ns) + "&limit=500")
	case a.verb == "list":
		b.WriteString("?limit=500&resourceVersion=0")
	case a.verb == "watch":
		b.WriteString("?allowWatchBookmarks=true")
		if p.kind == kindNode && a.res.name == "pods" {
			b.WriteString("&fieldSelector=spec.nodeName%3D" + p.node)
		}
		timeout := r.between(300, 600)
		fmt.Fprintf(&b, "&resourceVersion=%d&timeout=%dm%ds&timeoutSeconds=%d&watch=true", r.between(10_000_000, 99_999_999), timeout/60, timeout%60, timeout)
	case a.sub == "log":
		fmt.Fprintf(&b, "?container=%s&follow=true&tailLines=%d", pick(r, []string{"app", "istio-proxy", "migrations"}), pick(r, []int{10, 100, 500}))
	case a.sub == "exec":
		b.WriteString("?command=" + pick(r, []string{"%2Fbin%2Fsh", "bash", "env", "cat&command=%2Fetc%2Fresolv.conf"}) + "&container=app&stdin=true&stdout=true&tty=true")
	case a.sub == "portforward":
		b.WriteString("?ports=" + strconv.Itoa(pick(r, []int{8080, 5432, 6379, 9090})))
	case a.verb == "patch" && p.kind == kindHuman:
		b.WriteString("?fieldManager=kubectl-client-side-apply&fieldValidation=Strict")
	case a.verb == "patch" && p.kind == kindServiceAccount && p.ns == "argocd":
		b.WriteString("?fieldManager=argocd-controller&force=true")
	case a.verb == "delete" && r.chance(0.5):
		b.WriteString("?gracePeriodSeconds=30")
	}
	return b.String()
}

// outcome is how the API server answered.
type outcome struct {
	code            int
	reason, message string
	decision, authz string
}

func isWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "delete", "deletecollection":
		return true
	}
	return false
}

func (g *Generator) outcome(p *principal, a action, ns, name string) outcome {
	r := g.r
	out := outcome{code: 200, decision: "allow", authz: p.reason}
	if p.kind == kindHuman && p.ns != "" && a.res != nil && a.res.namespaced && ns == p.ns {
		out.authz = rbacReason("RoleBinding", "dev-"+p.ns+"/"+ns, "ClusterRole", "edit", "Group", "dev-"+p.ns)
	}
	forbidden := false
	switch {
	case p.kind == kindAnonymous:
		forbidden = !publicInfo[a.path]
	case p.readOnly && isWrite(a.verb):
		forbidden = true
	case p.forbidRate > 0 && r.chance(p.forbidRate):
		forbidden = true
	}
	if forbidden {
		out.code, out.reason, out.decision, out.authz = 403, "Forbidden", "forbid", ""
		if a.res == nil {
			out.message = fmt.Sprintf("forbidden: User %q cannot get path %q", p.username, a.path)
			return out
		}
		what := a.res.name
		if a.sub != "" {
			what += "/" + a.sub
		}
		where := "at the cluster scope"
		if ns != "" {
			where = fmt.Sprintf("in the namespace %q", ns)
		}
		out.message = fmt.Sprintf("%s is forbidden: User %q cannot %s resource %q in API group %q %s", qualified(a.res, name), p.username, a.verb, what, a.res.group, where)
		return out
	}
	if a.res == nil {
		if a.path == "/.env" || a.path == "/" && p.kind == kindAnonymous {
			out.code, out.reason, out.message = 404, "NotFound", "the server could not find the requested resource"
		}
		return out
	}
	switch {
	case a.verb == "create" && (a.sub == "exec" || a.sub == "portforward"):
		out.code = 101
	case a.verb == "create":
		out.code = 201
	}
	switch x := r.float(); {
	case x < 0.0005:
		out.code, out.reason, out.message = 500, "InternalError", "Internal error occurred: resource quota evaluation timed out"
	case a.verb == "get" && name != "" && x < 0.03:
		out.code, out.reason, out.message = 404, "NotFound", fmt.Sprintf("%s %q not found", qualified(a.res, ""), name)
	case (a.verb == "update" || a.verb == "patch") && x < 0.025:
		out.code, out.reason, out.message = 409, "Conflict", fmt.Sprintf("Operation cannot be fulfilled on %s %q: the object has been modified; please apply your changes to the latest version and try again", qualified(a.res, ""), name)
	case a.verb == "create" && a.sub == "" && x < 0.015:
		out.code, out.reason, out.message = 409, "AlreadyExists", fmt.Sprintf("%s %q already exists", qualified(a.res, ""), g.objectName(a.res, ns))
	case a.verb == "create" && a.sub == "" && x < 0.019:
		out.code, out.reason, out.message = 422, "Invalid", fmt.Sprintf("%s %q is invalid: spec.template.spec.containers[0].image: Required value", a.res.kind, g.objectName(a.res, ns))
	}
	return out
}

// qualified is "leases.coordination.k8s.io" for a resource of a group.
func qualified(rs *resource, name string) string {
	q := rs.name
	if rs.group != "" {
		q += "." + rs.group
	}
	if name != "" {
		q += " " + strconv.Quote(name)
	}
	return q
}

// level applies an EKS-like audit policy: reads, connections and sensitive
// or chatty resources at Metadata, status updates and events at Request,
// other writes at RequestResponse.
func level(a action) string {
	if a.res == nil || !isWrite(a.verb) {
		return "Metadata"
	}
	switch a.sub {
	case "exec", "attach", "portforward", "log", "proxy", "token":
		return "Metadata"
	case "status", "binding":
		return "Request"
	}
	switch a.res.name {
	case "secrets", "configmaps", "tokenreviews", "leases", "serviceaccounts":
		return "Metadata"
	case "events":
		return "Request"
	}
	return "RequestResponse"
}
