package benchdata

import (
	"fmt"
	"slices"
	"strings"
)

type principalKind uint8

const (
	kindNode principalKind = iota
	kindController
	kindSystem
	kindServiceAccount
	kindHuman
	kindAnonymous
	numKinds
)

// kindShare is each kind's share of the API calls, in per mille: kubelets
// and controllers make most of an EKS audit log, people a small part.
var kindShare = [numKinds]int{
	kindNode:           290,
	kindController:     170,
	kindSystem:         110,
	kindServiceAccount: 290,
	kindHuman:          120,
	kindAnonymous:      20,
}

// pod is where a request comes from: the pod whose bound token it carries
// (empty for other credentials) and its address.
type pod struct{ name, ip string }

// scope says where an action's object lives.
type scope uint8

const (
	inOwn       scope = iota // the caller's namespace
	inAny                    // any namespace
	inAll                    // across all namespaces (list, watch)
	inSelf                   // the caller's own node
	inNodeLease              // kube-node-lease/<the caller's node>
	inSystem                 // kube-system
)

// action is a kind of request a principal makes.
type action struct {
	verb  string
	res   *resource // nil for a non-resource URL
	path  string    // the non-resource URL
	sub   string    // subresource
	where scope
	named bool
	lease string // the lease's name, for leader election
}

// principal is one identity calling the API server.
type principal struct {
	kind     principalKind
	username string
	uid      string
	groups   []string
	// IAM identities: the role, session and rotating access keys that
	// aws-iam-authenticator puts in user.extra.
	role, roleID, session string
	keyIDs                []string
	podToken              bool // a bound service account token: user.extra carries the pod name
	pods                  []pod
	proxy                 string // a corporate proxy some requests pass through
	uas                   []string
	ns                    string // home namespace
	node                  string // a kubelet's own node
	acts                  weighted[action]
	reason                string // the authoriser's reason for allowed requests ("" for the Node authoriser)
	readOnly              bool   // writes are forbidden
	forbidRate            float64
}

// population is the fixed cast of one generated cluster.
type population struct {
	byKind     [numKinds][]*principal
	kinds      weighted[principalKind]
	nodes      []string
	namespaces []string
	apps       map[string][]string // namespace → workloads
	streams    []string            // the API servers' audit log streams
	bucketGUID string
}

func newPopulation(r *rng) *population {
	p := &population{apps: map[string][]string{}}
	for k, w := range kindShare {
		p.kinds.add(w, principalKind(k))
	}
	p.streams = []string{"kube-apiserver-audit-" + r.hex(32), "kube-apiserver-audit-" + r.hex(32)}
	p.bucketGUID = strings.ToUpper(r.uuid())
	p.addNamespaces()
	cp := []string{fmt.Sprintf("10.0.%d.%d", r.between(0, 3), r.between(4, 250)), fmt.Sprintf("10.0.%d.%d", r.between(0, 3), r.between(4, 250))}
	nodeIPs := p.addNodes(r)
	p.addControllers(r, cp)
	p.addSystem(r, cp)
	p.addServiceAccounts(r, nodeIPs)
	p.addHumans(r)
	p.addAnonymous(r)
	return p
}

func (p *population) add(pr *principal) { p.byKind[pr.kind] = append(p.byKind[pr.kind], pr) }

func (p *population) addNamespaces() {
	for _, a := range addonAccounts {
		if !slices.Contains(p.namespaces, a.ns) {
			p.namespaces = append(p.namespaces, a.ns)
		}
		p.apps[a.ns] = append(p.apps[a.ns], a.name)
	}
	for _, a := range appNamespaces {
		p.namespaces = append(p.namespaces, a.ns)
		p.apps[a.ns] = a.apps
	}
	p.namespaces = append(p.namespaces, "default", "kube-node-lease", "kube-public")
	p.apps["default"] = []string{"kubernetes"}
}

// roleID is an IAM role's unique ID.
func roleID(r *rng) string { return "AROA" + r.upper(17) }

func (p *population) addNodes(r *rng) []pod {
	roles := []string{"eks-ng-general-NodeInstanceRole-" + r.upper(12), "eks-ng-memory-NodeInstanceRole-" + r.upper(12), "karpenter-node-" + cluster}
	ids := []string{roleID(r), roleID(r), roleID(r)}
	seen := map[string]bool{}
	var ips []pod
	for len(p.nodes) < 64 {
		ip := fmt.Sprintf("10.0.%d.%d", r.between(32, 95), r.between(4, 250))
		if seen[ip] {
			continue
		}
		seen[ip] = true
		name := "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal"
		p.nodes = append(p.nodes, name)
		ips = append(ips, pod{ip: ip})
		version, arch := eksBuild, "amd64"
		if r.chance(0.2) {
			version = "v1.28.8-eks-ae9a62a" // a node group not yet upgraded
		}
		if r.chance(0.3) {
			arch = "arm64"
		}
		k := r.intn(len(roles))
		pr := &principal{
			kind: kindNode, username: "system:node:" + name, uid: "aws-iam-authenticator:" + account + ":" + ids[k],
			groups: []string{"system:nodes", "system:authenticated"},
			role:   roles[k], roleID: ids[k], session: "i-0" + r.hex(16),
			keyIDs: []string{"ASIA" + r.upper(16), "ASIA" + r.upper(16)},
			pods:   []pod{{ip: ip}}, uas: []string{kubeletUA(version, arch)}, node: name,
		}
		acts := &pr.acts
		acts.add(30, action{verb: "update", res: res("leases"), where: inNodeLease, named: true})
		acts.add(6, action{verb: "get", res: res("nodes"), where: inSelf, named: true})
		acts.add(4, action{verb: "patch", res: res("nodes"), sub: "status", where: inSelf, named: true})
		acts.add(6, action{verb: "get", res: res("pods"), where: inAny, named: true})
		acts.add(4, action{verb: "patch", res: res("pods"), sub: "status", where: inAny, named: true})
		acts.add(2, action{verb: "list", res: res("pods"), where: inAll})
		acts.add(3, action{verb: "watch", res: res("pods"), where: inAll})
		acts.add(8, action{verb: "get", res: res("configmaps"), where: inAny, named: true})
		acts.add(5, action{verb: "get", res: res("secrets"), where: inAny, named: true})
		acts.add(6, action{verb: "create", res: res("serviceaccounts"), sub: "token", where: inAny, named: true})
		acts.add(2, action{verb: "create", res: res("events"), where: inAny})
		acts.add(2, action{verb: "get", res: res("csinodes"), where: inSelf, named: true})
		acts.add(2, action{verb: "watch", res: res("services"), where: inAll})
		acts.add(1, action{verb: "get", res: res("persistentvolumeclaims"), where: inAny, named: true})
		p.add(pr)
	}
	return ips
}

// statusResources have a status subresource their controllers update.
var statusResources = map[string]bool{
	"replicasets": true, "deployments": true, "statefulsets": true, "daemonsets": true, "jobs": true, "cronjobs": true,
	"horizontalpodautoscalers": true, "poddisruptionbudgets": true, "persistentvolumeclaims": true, "persistentvolumes": true,
	"namespaces": true, "nodes": true, "resourcequotas": true, "certificatesigningrequests": true, "certificates": true,
	"applications": true, "ingresses": true, "services": true, "nodeclaims": true, "externalsecrets": true, "targetgroupbindings": true,
}

func (p *population) addControllers(r *rng, cp []string) {
	for _, c := range controllers {
		pr := &principal{
			kind: kindController, username: "system:serviceaccount:kube-system:" + c.name, uid: r.uuid(),
			groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
			pods:   []pod{{ip: cp[0]}, {ip: cp[1]}},
			uas:    []string{"kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/adc7111/system:serviceaccount:kube-system:" + c.name},
			ns:     "kube-system",
			reason: rbacReason("ClusterRoleBinding", "system:controller:"+c.name, "ClusterRole", "system:controller:"+c.name, "ServiceAccount", c.name+"/kube-system"),
		}
		for _, name := range c.res {
			rs := res(name)
			pr.acts.add(10, action{verb: "get", res: rs, where: inAny, named: true})
			pr.acts.add(1, action{verb: "list", res: rs, where: inAll})
			pr.acts.add(3, action{verb: "watch", res: rs, where: inAll})
			if statusResources[name] {
				pr.acts.add(3, action{verb: "update", res: rs, sub: "status", where: inAny, named: true})
			} else {
				pr.acts.add(4, action{verb: "update", res: rs, where: inAny, named: true})
			}
		}
		pr.acts.add(3, action{verb: "create", res: res("events"), where: inAny})
		if c.name == "namespace-controller" {
			// Emptying a deleted namespace, one resource at a time.
			for _, name := range []string{"pods", "configmaps", "secrets", "services", "deployments", "events"} {
				pr.acts.add(2, action{verb: "deletecollection", res: res(name), where: inAny})
			}
		}
		if c.pods {
			pr.acts.add(1, action{verb: "create", res: res("pods"), where: inAny})
			pr.acts.add(1, action{verb: "delete", res: res("pods"), where: inAny, named: true})
		}
		p.add(pr)
	}
}

func (p *population) addSystem(r *rng, cp []string) {
	for _, s := range systemUsers {
		pr := &principal{
			kind: kindSystem, username: s.name, groups: s.groups, pods: []pod{{ip: cp[0]}, {ip: cp[1]}, {ip: "127.0.0.1"}},
			uas: []string{s.ua}, ns: "kube-system",
			reason: rbacReason("ClusterRoleBinding", s.name, "ClusterRole", s.name, "User", s.name),
		}
		if slices.Contains(s.groups, "system:masters") {
			pr.reason = rbacReason("ClusterRoleBinding", "cluster-admin", "ClusterRole", "cluster-admin", "Group", "system:masters")
		}
		if strings.HasPrefix(s.name, "eks:") {
			pr.uid = "aws-iam-authenticator:" + account + ":" + roleID(r)
		}
		if s.lease != "" {
			pr.acts.add(30, action{verb: "update", res: res("leases"), where: inSystem, named: true, lease: s.lease})
			pr.acts.add(10, action{verb: "get", res: res("leases"), where: inSystem, named: true, lease: s.lease})
		}
		for _, name := range s.res {
			rs := res(name)
			switch name {
			case "tokenreviews", "subjectaccessreviews":
				pr.acts.add(10, action{verb: "create", res: rs})
				continue
			}
			pr.acts.add(8, action{verb: "get", res: rs, where: inAny, named: true})
			pr.acts.add(2, action{verb: "list", res: rs, where: inAll})
			pr.acts.add(3, action{verb: "watch", res: rs, where: inAll})
			pr.acts.add(2, action{verb: "patch", res: rs, where: inAny, named: true})
		}
		if s.name == "system:kube-scheduler" {
			pr.acts.add(25, action{verb: "create", res: res("pods"), sub: "binding", where: inAny, named: true})
			pr.acts.add(3, action{verb: "create", res: res("events"), where: inAny})
		}
		p.add(pr)
	}
}

func (p *population) addServiceAccounts(r *rng, nodeIPs []pod) {
	accounts := slices.Clone(addonAccounts)
	appUAs := []string{"Go-http-client/2.0", "%s/%s (linux/amd64) kubernetes/$Format", "python-kubernetes/29.0.0/python", "kubernetes-client/java/19.0.0", "okhttp/4.12.0"}
	for _, ns := range appNamespaces {
		for _, app := range ns.apps {
			sa := serviceAccount{ns: ns.ns, name: app, replicas: r.between(2, 6), reads: true}
			// Each app's pods run a few releases of it at once during
			// rollouts: its user agents differ by version.
			tpl := pick(r, appUAs)
			for v := r.between(1, 4); v > 0; v-- {
				sa.versions = append(sa.versions, fmt.Sprintf("v%d.%d.%d", r.between(1, 4), r.intn(30), r.intn(10)))
			}
			sa.ua = strings.Replace(tpl, "%s/%s", app+"/%s", 1)
			if r.chance(0.5) {
				sa.watches = []string{"pods"}
			}
			if strings.HasSuffix(app, "worker") || strings.HasSuffix(app, "scheduler") || strings.HasSuffix(app, "operator") {
				sa.leader = true
			}
			accounts = append(accounts, sa)
		}
	}
	for _, sa := range accounts {
		pr := &principal{
			kind: kindServiceAccount, username: "system:serviceaccount:" + sa.ns + ":" + sa.name, uid: r.uuid(),
			groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + sa.ns, "system:authenticated"},
			podToken: true, ns: sa.ns,
		}
		if isAppNamespace(sa.ns) {
			pr.reason = rbacReason("RoleBinding", sa.name+"/"+sa.ns, "Role", sa.name, "ServiceAccount", sa.name+"/"+sa.ns)
		} else {
			pr.reason = rbacReason("ClusterRoleBinding", sa.name, "ClusterRole", sa.name, "ServiceAccount", sa.name+"/"+sa.ns)
		}
		if sa.daemon {
			for _, n := range nodeIPs {
				pr.pods = append(pr.pods, pod{name: sa.name + "-" + r.lower(5), ip: n.ip})
			}
		} else {
			hash := r.lower(10)
			for i := 0; i < sa.replicas; i++ {
				pr.pods = append(pr.pods, pod{name: sa.name + "-" + hash + "-" + r.lower(5), ip: fmt.Sprintf("10.0.%d.%d", r.between(96, 127), r.between(4, 250))})
			}
		}
		for _, v := range sa.versions {
			ua := sa.ua
			if strings.Contains(ua, "%s") {
				ua = fmt.Sprintf(ua, v)
			}
			if !slices.Contains(pr.uas, ua) {
				pr.uas = append(pr.uas, ua)
			}
		}
		for _, name := range sa.watches {
			rs := res(name)
			pr.acts.add(2, action{verb: "list", res: rs, where: inAll})
			pr.acts.add(5, action{verb: "watch", res: rs, where: inAll})
			pr.acts.add(6, action{verb: "get", res: rs, where: inAny, named: true})
		}
		if sa.leader {
			pr.acts.add(20, action{verb: "update", res: res("leases"), where: inOwn, named: true, lease: sa.name})
			pr.acts.add(8, action{verb: "get", res: res("leases"), where: inOwn, named: true, lease: sa.name})
		}
		if sa.reads {
			pr.acts.add(8, action{verb: "get", res: res("configmaps"), where: inOwn, named: true})
			pr.acts.add(5, action{verb: "get", res: res("secrets"), where: inOwn, named: true})
			pr.acts.add(2, action{verb: "list", res: res("pods"), where: inOwn})
		}
		for _, name := range sa.writes {
			rs := res(name)
			if statusResources[name] && r.chance(0.5) {
				pr.acts.add(4, action{verb: "update", res: rs, sub: "status", where: inAny, named: true})
			}
			pr.acts.add(4, action{verb: "patch", res: rs, where: inAny, named: true})
		}
		for _, name := range sa.creates {
			pr.acts.add(2, action{verb: "create", res: res(name), where: inAny})
		}
		if len(pr.acts.items) == 0 {
			pr.acts.add(1, action{verb: "get", res: res("configmaps"), where: inOwn, named: true})
		}
		p.add(pr)
	}
}

func (p *population) addHumans(r *rng) {
	roles := slices.Clone(humanRoles)
	for _, a := range appNamespaces {
		roles = append(roles, struct {
			role     string
			sessions int
			groups   []string
			policy   string
			ci       bool
		}{"Developer-" + a.ns, 10, []string{"dev-" + a.ns}, "", false})
	}
	office := []string{"203.0.113.200", "203.0.113.201"}
	vpn := make([]string, 12)
	for i := range vpn {
		vpn[i] = fmt.Sprintf("198.51.100.%d", r.between(10, 60))
	}
	people := map[string]bool{}
	for _, role := range roles {
		id := roleID(r)
		for s := 0; s < role.sessions; s++ {
			session := ""
			if role.ci {
				session = fmt.Sprintf("%s-%d", strings.SplitN(role.role, "-", 2)[0], r.between(1000, 9999))
			} else {
				for session == "" || people[session] {
					session = pick(r, firstNames) + "." + pick(r, lastNames) + "@example.com"
				}
				people[session] = true
			}
			arn := "arn:aws:sts::" + account + ":assumed-role/" + role.role + "/" + session
			pr := &principal{
				kind: kindHuman, username: arn, uid: "aws-iam-authenticator:" + account + ":" + id,
				groups: append(slices.Clone(role.groups), "system:authenticated"),
				role:   role.role, roleID: id, session: session,
				keyIDs:     []string{"ASIA" + r.upper(16), "ASIA" + r.upper(16), "ASIA" + r.upper(16)},
				readOnly:   role.role == "ReadOnly" || role.role == "SecurityAudit",
				forbidRate: 0.02,
			}
			if role.policy != "" {
				policy := "arn:aws:eks::aws:cluster-access-policy/" + role.policy
				pr.reason = `EKS Access Policy: allowed by ClusterRoleBinding "arn:aws:iam::` + account + `:role/` + role.role + "+" + policy +
					`" of ClusterRole "` + policy + `" to User "` + arn + `"`
			} else {
				pr.reason = rbacReason("ClusterRoleBinding", role.groups[0], "ClusterRole", "edit", "Group", role.groups[0])
			}
			if strings.HasPrefix(role.role, "Developer-") {
				pr.ns = strings.TrimPrefix(role.role, "Developer-")
			}
			platform := pick(r, clientPlatforms)
			if role.ci {
				platform = "linux/amd64"
				pr.pods = []pod{{ip: publicIP(r)}, {ip: publicIP(r)}}
			} else {
				// People reach the endpoint from the VPN or from home, mostly
				// through the corporate proxy, which adds X-Forwarded-For:
				// sourceIPs is then the client and the proxy.
				pr.pods = []pod{{ip: pick(r, vpn)}, {ip: publicIP(r)}}
				pr.proxy = pick(r, office)
			}
			kv := pick(r, kubectlVersions)
			pr.uas = []string{fmt.Sprintf("kubectl/v%s.%d (%s) kubernetes/%s", kv.minor, r.intn(kv.patches), platform, kv.commit)}
			for t := r.intn(3); t > 0; t-- {
				pr.uas = append(pr.uas, fmt.Sprintf(pick(r, otherHumanTools), r.intn(8), platform))
			}
			addHumanActions(pr, role.ci)
			p.add(pr)
		}
	}
}

func addHumanActions(pr *principal, ci bool) {
	a := &pr.acts
	for _, path := range []string{"/api", "/apis"} {
		a.add(40, action{verb: "get", path: path})
	}
	a.add(10, action{verb: "get", path: "/version"})
	a.add(8, action{verb: "get", path: "/openapi/v2"})
	if ci {
		a.add(25, action{verb: "patch", res: res("deployments"), where: inAny, named: true})
		a.add(60, action{verb: "get", res: res("deployments"), where: inAny, named: true})
		a.add(30, action{verb: "list", res: res("pods"), where: inAny})
		a.add(20, action{verb: "get", res: res("configmaps"), where: inAny, named: true})
		a.add(10, action{verb: "patch", res: res("configmaps"), where: inAny, named: true})
		a.add(10, action{verb: "patch", res: res("services"), where: inAny, named: true})
		a.add(10, action{verb: "get", res: res("secrets"), where: inAny, named: true})
		a.add(5, action{verb: "create", res: res("jobs"), where: inAny})
		a.add(5, action{verb: "patch", res: res("rolebindings"), where: inAny, named: true})
		a.add(5, action{verb: "patch", res: res("clusterroles"), named: true})
		a.add(5, action{verb: "patch", res: res("namespaces"), named: true})
		return
	}
	a.add(100, action{verb: "get", res: res("pods"), where: inOwn, named: true})
	a.add(100, action{verb: "list", res: res("pods"), where: inOwn})
	a.add(50, action{verb: "get", res: res("pods"), sub: "log", where: inOwn, named: true})
	a.add(15, action{verb: "create", res: res("pods"), sub: "exec", where: inOwn, named: true})
	a.add(5, action{verb: "create", res: res("pods"), sub: "portforward", where: inOwn, named: true})
	a.add(40, action{verb: "get", res: res("deployments"), where: inOwn, named: true})
	a.add(20, action{verb: "list", res: res("deployments"), where: inOwn})
	a.add(10, action{verb: "patch", res: res("deployments"), where: inOwn, named: true})
	a.add(8, action{verb: "patch", res: res("deployments"), sub: "scale", where: inOwn, named: true})
	a.add(30, action{verb: "list", res: res("events"), where: inOwn})
	a.add(20, action{verb: "get", res: res("services"), where: inOwn, named: true})
	a.add(20, action{verb: "list", res: res("services"), where: inOwn})
	a.add(20, action{verb: "get", res: res("configmaps"), where: inOwn, named: true})
	a.add(8, action{verb: "patch", res: res("configmaps"), where: inOwn, named: true})
	a.add(10, action{verb: "get", res: res("secrets"), where: inOwn, named: true})
	a.add(6, action{verb: "list", res: res("secrets"), where: inOwn})
	a.add(10, action{verb: "delete", res: res("pods"), where: inOwn, named: true})
	a.add(20, action{verb: "get", res: res("nodes"), named: true})
	a.add(20, action{verb: "list", res: res("nodes")})
	a.add(20, action{verb: "get", res: res("namespaces"), named: true})
	a.add(10, action{verb: "list", res: res("namespaces")})
	a.add(10, action{verb: "create", res: res("selfsubjectaccessreviews")})
	a.add(3, action{verb: "create", res: res("rolebindings"), where: inOwn})
	a.add(8, action{verb: "list", res: res("applications"), where: inAll})
	a.add(5, action{verb: "get", res: res("customresourcedefinitions"), named: true})
	a.add(4, action{verb: "list", res: res("ingresses"), where: inOwn})
	a.add(4, action{verb: "get", res: res("horizontalpodautoscalers"), where: inOwn, named: true})
}

func (p *population) addAnonymous(r *rng) {
	pr := &principal{kind: kindAnonymous, username: "system:anonymous", groups: []string{"system:unauthenticated"}, uas: scannerUAs}
	for i := 0; i < 80; i++ {
		pr.pods = append(pr.pods, pod{ip: publicIP(r)})
	}
	pr.proxy = publicIP(r) // scanners spoof X-Forwarded-For now and then
	pr.reason = rbacReason("ClusterRoleBinding", "system:public-info-viewer", "ClusterRole", "system:public-info-viewer", "Group", "system:unauthenticated")
	a := &pr.acts
	a.add(20, action{verb: "get", path: "/version"})
	a.add(8, action{verb: "get", path: "/"})
	a.add(6, action{verb: "get", path: "/healthz"})
	a.add(6, action{verb: "get", path: "/api"})
	a.add(4, action{verb: "get", path: "/apis"})
	a.add(3, action{verb: "get", path: "/.env"})
	a.add(3, action{verb: "get", path: "/metrics"})
	a.add(4, action{verb: "list", res: res("pods"), where: inAll})
	a.add(3, action{verb: "list", res: res("secrets"), where: inAll})
	a.add(1, action{verb: "get", res: res("secrets"), where: inSystem, named: true})
	a.add(2, action{verb: "list", res: res("nodes")})
	a.add(1, action{verb: "create", res: res("pods"), sub: "exec", where: inSystem, named: true})
	p.add(pr)
}

// publicInfo are the non-resource URLs anonymous callers may read.
var publicInfo = map[string]bool{"/version": true, "/healthz": true, "/readyz": true, "/livez": true}

func isAppNamespace(ns string) bool {
	for _, a := range appNamespaces {
		if a.ns == ns {
			return true
		}
	}
	return false
}

func rbacReason(bindingKind, binding, roleKind, role, subjectKind, subject string) string {
	return fmt.Sprintf("RBAC: allowed by %s %q of %s %q to %s %q", bindingKind, binding, roleKind, role, subjectKind, subject)
}

// pickPrincipal picks a caller: a kind by its share, then within the kind a
// skewed choice, so that some nodes and controllers are much busier.
func (p *population) pickPrincipal(r *rng) *principal {
	list := p.byKind[p.kinds.pick(r)]
	return list[r.skewed(len(list))]
}
