package benchdata

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// bodies returns the requestObject and responseObject of a request logged
// at Request or RequestResponse level: from a few hundred bytes (a status
// patch, a binding) to tens of kilobytes (a deployment applied with
// kubectl, its last-applied configuration inside).
func (g *Generator) bodies(p *principal, a action, ns, name string, out outcome) (req, resp any) {
	r := g.r
	if name == "" {
		name = g.objectName(a.res, ns)
	}
	app := g.appOf(ns, name)
	gv := a.res.version
	if a.res.group != "" {
		gv = a.res.group + "/" + a.res.version
	}
	defer func() {
		if out.code >= 300 && out.code != 101 {
			resp = obj{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", obj{}}, {"status", "Failure"},
				{"message", out.message}, {"reason", out.reason}, {"code", out.code}}
		}
	}()
	switch {
	case a.verb == "delete":
		del := obj{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}}
		if r.chance(0.6) {
			del = append(del, member{"gracePeriodSeconds", pick(r, []int{30, 0})})
		}
		req = append(del, member{"propagationPolicy", "Background"})
		resp = obj{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", obj{}}, {"status", "Success"},
			{"details", obj{{"name", name}, {"kind", a.res.name}, {"uid", r.uuid()}}}}
	case a.res.name == "pods" && a.sub == "binding":
		req = obj{{"kind", "Binding"}, {"apiVersion", "v1"}, {"metadata", obj{{"name", name}, {"namespace", ns}, {"uid", r.uuid()}, {"creationTimestamp", nil}}},
			{"target", obj{{"kind", "Node"}, {"name", pick(r, g.pop.nodes)}}}}
	case a.res.name == "pods" && a.sub == "status":
		req = g.podStatusPatch(app)
	case a.res.name == "nodes" && a.sub == "status":
		req = g.nodeStatusPatch()
	case a.res.name == "pods" && a.verb == "create" && a.sub == "":
		pod := obj{{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", g.meta(name, ns, app, false)}, {"spec", g.podSpec(ns, app)}, {"status", obj{}}}
		req = pod
		resp = g.served(pod, obj{{"phase", "Pending"}, {"qosClass", "Burstable"}})
	case a.res.name == "events":
		req = g.event(ns, app, p)
	case a.sub == "scale":
		n := r.between(0, 12)
		req = obj{{"spec", obj{{"replicas", n}}}}
		resp = obj{{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}, {"metadata", g.meta(name, ns, app, true)},
			{"spec", obj{{"replicas", n}}}, {"status", obj{{"replicas", r.between(0, 12)}, {"selector", "app.kubernetes.io/name=" + app}}}}
	case a.sub == "status":
		req = g.withStatus(a.res, gv, ns, name, app)
	case a.res.name == "deployments" || a.res.name == "statefulsets" || a.res.name == "daemonsets":
		manifest := g.workload(a.res, gv, ns, app)
		if p.kind == kindHuman && a.verb == "patch" {
			// kubectl apply sends the manifest with its last-applied
			// configuration, the manifest again as a JSON string.
			lastApplied := string(appendJSON(nil, manifest)) + "\n"
			md := manifest[2].v.(obj)
			manifest[2].v = append(md, member{"annotations", obj{{"kubectl.kubernetes.io/last-applied-configuration", lastApplied}}})
		}
		req = manifest
		resp = g.served(manifest, g.workloadStatus())
	case a.res.name == "roles" || a.res.name == "clusterroles":
		rules := []any{}
		for n := r.between(1, 6); n > 0; n-- {
			rules = append(rules, obj{{"apiGroups", []string{pick(r, []string{"", "apps", "batch", "networking.k8s.io"})}},
				{"resources", []string{pick(r, []string{"pods", "deployments", "services", "configmaps", "secrets", "jobs", "ingresses"})}},
				{"verbs", pick(r, [][]string{{"get", "list", "watch"}, {"get", "list", "watch", "create", "update", "patch", "delete"}, {"*"}})}})
		}
		role := obj{{"kind", a.res.kind}, {"apiVersion", gv}, {"metadata", g.meta(name, ns, app, false)}, {"rules", rules}}
		req, resp = role, g.served(role, nil)
	case a.res.name == "rolebindings" || a.res.name == "clusterrolebindings":
		subjects := []any{}
		for n := r.between(1, 4); n > 0; n-- {
			subjects = append(subjects, pick(r, []obj{
				{{"kind", "Group"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", "dev-" + pick(r, appNamespaces).ns}},
				{{"kind", "ServiceAccount"}, {"name", app}, {"namespace", ns}},
				{{"kind", "User"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", pick(r, firstNames) + "@example.com"}},
			}))
		}
		binding := obj{{"kind", a.res.kind}, {"apiVersion", gv}, {"metadata", g.meta(name, ns, app, false)}, {"subjects", subjects},
			{"roleRef", obj{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", pick(r, []string{"edit", "view", "admin", "cluster-admin"})}}}}
		req, resp = binding, g.served(binding, nil)
	case a.res.name == "selfsubjectaccessreviews" || a.res.name == "subjectaccessreviews":
		spec := obj{{"resourceAttributes", obj{{"namespace", g.anyNamespace()}, {"verb", pick(r, []string{"get", "list", "create", "delete"})},
			{"resource", pick(r, []string{"pods", "deployments", "secrets", "services"})}}}}
		if a.res.name == "subjectaccessreviews" {
			spec = append(spec, member{"user", "system:serviceaccount:" + g.anyNamespace() + ":" + app},
				member{"groups", []string{"system:serviceaccounts", "system:authenticated"}}, member{"uid", r.uuid()})
		}
		review := obj{{"kind", a.res.kind}, {"apiVersion", gv}, {"metadata", obj{{"creationTimestamp", nil}}}, {"spec", spec}}
		req = append(review, member{"status", obj{{"allowed", false}}})
		allowed := r.chance(0.8)
		st := obj{{"allowed", allowed}}
		if allowed {
			st = append(st, member{"reason", pick(r, []string{`RBAC: allowed by ClusterRoleBinding "edit" of ClusterRole "edit" to Group "readers"`, "allowed by Node authorizer"})})
		}
		resp = append(review, member{"status", st})
	default:
		key := pick(r, []string{"kubectl.kubernetes.io/restartedAt", "argocd.argoproj.io/tracking-id", "meta.helm.sh/release-name", "kubelens.example.com/touched"})
		req = obj{{"metadata", obj{{"annotations", obj{{key, micro(time.UnixMicro(g.stageUs).UTC())}}}}}}
		resp = g.served(obj{{"kind", a.res.kind}, {"apiVersion", gv}, {"metadata", g.meta(name, ns, app, false)}}, nil)
	}
	return req, resp
}

// appOf is the workload an object of ns belongs to, from its name.
func (g *Generator) appOf(ns, name string) string {
	for _, app := range g.pop.apps[ns] {
		if strings.HasPrefix(name, app) {
			return app
		}
	}
	return g.app(ns)
}

// meta is an object's metadata as a client sends it.
func (g *Generator) meta(name, ns, app string, server bool) obj {
	m := obj{}.set("name", name).set("namespace", ns)
	if server {
		m = g.serverMeta(m)
	}
	return m.set("labels", obj{{"app.kubernetes.io/name", app}, {"app.kubernetes.io/part-of", ns}, {"app.kubernetes.io/version", fmt.Sprintf("v1.%d.%d", g.r.intn(30), g.r.intn(10))}})
}

func (g *Generator) serverMeta(m obj) obj {
	r := g.r
	created := time.UnixMicro(g.stageUs - int64(r.between(0, 90*86400))*1e6).UTC().Format(time.RFC3339)
	return append(m, member{"uid", r.uuid()}, member{"resourceVersion", strconv.Itoa(r.between(10_000_000, 99_999_999))},
		member{"generation", r.between(1, 40)}, member{"creationTimestamp", created})
}

// served is what the API server returns for an object it stored: the
// object with server-set metadata, its managed fields and a status.
func (g *Generator) served(o obj, status obj) obj {
	out := make(obj, 0, len(o)+1)
	for _, m := range o {
		if m.k == "metadata" {
			md := g.serverMeta(append(obj(nil), m.v.(obj)...))
			md = append(md, member{"managedFields", []any{obj{
				{"manager", pick(g.r, []string{"kubectl-client-side-apply", "argocd-controller", "kube-controller-manager", "helm"})},
				{"operation", "Update"}, {"apiVersion", "v1"}, {"time", micro(time.UnixMicro(g.stageUs).UTC())[:19] + "Z"},
				{"fieldsType", "FieldsV1"}, {"fieldsV1", obj{{"f:metadata", obj{{"f:labels", obj{{".", obj{}}, {"f:app.kubernetes.io/name", obj{}}}}}}}},
			}}})
			m.v = md
		}
		if m.k == "status" {
			continue
		}
		out = append(out, m)
	}
	if status != nil {
		out = append(out, member{"status", status})
	}
	return out
}

// podSpec is a workload's pod spec: one to three containers with a varied
// number of environment variables, the service account volume, and now
// and then privileges a detection looks for.
func (g *Generator) podSpec(ns, app string) obj {
	r := g.r
	version := fmt.Sprintf("v1.%d.%d", r.intn(30), r.intn(10))
	env := []any{}
	for i, n := 0, r.skewed(30); i < n; i++ {
		if r.chance(0.3) {
			env = append(env, obj{{"name", fmt.Sprintf("%s_SECRET_%d", envName(app), i)}, {"valueFrom", obj{{"secretKeyRef", obj{{"name", app + "-db-credentials"}, {"key", "password"}}}}}})
			continue
		}
		env = append(env, obj{{"name", fmt.Sprintf("%s_SETTING_%d", envName(app), i)}, {"value", r.hex(r.between(2, 40))}})
	}
	privileged := r.chance(0.03)
	sc := obj{{"allowPrivilegeEscalation", false}, {"readOnlyRootFilesystem", true}, {"runAsNonRoot", true}}
	if privileged {
		sc = obj{{"privileged", true}, {"runAsUser", 0}}
	}
	mounts := []any{obj{{"name", "kube-api-access-" + r.lower(5)}, {"readOnly", true}, {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}}}
	containers := []any{obj{
		{"name", "app"}, {"image", account + ".dkr.ecr." + region + ".amazonaws.com/" + app + ":" + version},
		{"ports", []any{obj{{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}}}},
		{"env", env},
		{"resources", obj{{"limits", obj{{"cpu", "1"}, {"memory", "512Mi"}}}, {"requests", obj{{"cpu", "250m"}, {"memory", "256Mi"}}}}},
		{"volumeMounts", mounts},
		{"livenessProbe", obj{{"httpGet", obj{{"path", "/healthz"}, {"port", 8080}, {"scheme", "HTTP"}}}, {"periodSeconds", 10}}},
		{"terminationMessagePath", "/dev/termination-log"}, {"terminationMessagePolicy", "File"}, {"imagePullPolicy", "IfNotPresent"},
		{"securityContext", sc},
	}}
	if r.chance(0.35) {
		containers = append(containers, obj{{"name", "istio-proxy"}, {"image", "docker.io/istio/proxyv2:1.21.0"},
			{"args", []string{"proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning", "--log_output_level=default:warn"}},
			{"resources", obj{{"limits", obj{{"cpu", "2"}, {"memory", "1Gi"}}}, {"requests", obj{{"cpu", "100m"}, {"memory", "128Mi"}}}}},
			{"volumeMounts", mounts}})
	}
	volumes := []any{obj{{"name", "kube-api-access-" + r.lower(5)}, {"projected", obj{{"sources", []any{
		obj{{"serviceAccountToken", obj{{"expirationSeconds", 3607}, {"path", "token"}}}},
		obj{{"configMap", obj{{"name", "kube-root-ca.crt"}, {"items", []any{obj{{"key", "ca.crt"}, {"path", "ca.crt"}}}}}}},
		obj{{"downwardAPI", obj{{"items", []any{obj{{"path", "namespace"}, {"fieldRef", obj{{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}}}}}},
	}}, {"defaultMode", 420}}}}}
	spec := obj{}
	if privileged {
		volumes = append(volumes, obj{{"name", "host-root"}, {"hostPath", obj{{"path", "/"}, {"type", ""}}}})
		spec = append(spec, member{"hostNetwork", true}, member{"hostPID", true})
	}
	return append(spec,
		member{"volumes", volumes}, member{"containers", containers},
		member{"restartPolicy", "Always"}, member{"terminationGracePeriodSeconds", 30}, member{"dnsPolicy", "ClusterFirst"},
		member{"serviceAccountName", app}, member{"serviceAccount", app}, member{"securityContext", obj{}},
		member{"schedulerName", "default-scheduler"},
		member{"tolerations", []any{
			obj{{"key", "node.kubernetes.io/not-ready"}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 300}},
			obj{{"key", "node.kubernetes.io/unreachable"}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 300}},
		}},
		member{"priority", 0}, member{"enableServiceLinks", true}, member{"preemptionPolicy", "PreemptLowerPriority"},
	)
}

func envName(app string) string {
	b := []byte(app)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c == '-':
			b[i] = '_'
		}
	}
	return string(b)
}

// workload is a Deployment, StatefulSet or DaemonSet manifest.
func (g *Generator) workload(rs *resource, gv, ns, app string) obj {
	r := g.r
	labels := obj{{"app.kubernetes.io/name", app}}
	spec := obj{}
	if rs.name != "daemonsets" {
		spec = append(spec, member{"replicas", r.between(1, 12)})
	}
	spec = append(spec, member{"selector", obj{{"matchLabels", labels}}},
		member{"template", obj{{"metadata", obj{{"labels", labels}}}, {"spec", g.podSpec(ns, app)}}})
	if rs.name == "deployments" {
		spec = append(spec, member{"strategy", obj{{"type", "RollingUpdate"}, {"rollingUpdate", obj{{"maxUnavailable", "25%"}, {"maxSurge", "25%"}}}}})
	}
	return obj{{"kind", rs.kind}, {"apiVersion", gv}, {"metadata", obj{{"name", app}, {"namespace", ns}, {"labels", labels}}}, {"spec", spec}}
}

func (g *Generator) workloadStatus() obj {
	r := g.r
	n := r.between(1, 12)
	return obj{{"observedGeneration", r.between(1, 40)}, {"replicas", n}, {"updatedReplicas", n}, {"readyReplicas", n}, {"availableReplicas", n},
		{"conditions", []any{
			obj{{"type", "Available"}, {"status", "True"}, {"lastUpdateTime", "2026-11-19T08:12:44Z"}, {"lastTransitionTime", "2026-11-19T08:12:44Z"}, {"reason", "MinimumReplicasAvailable"}, {"message", "Deployment has minimum availability."}},
			obj{{"type", "Progressing"}, {"status", "True"}, {"lastUpdateTime", "2026-11-20T09:41:02Z"}, {"lastTransitionTime", "2026-11-18T16:03:51Z"}, {"reason", "NewReplicaSetAvailable"}, {"message", "ReplicaSet has successfully progressed."}},
		}}}
}

// withStatus is the object a controller writes to a status subresource.
func (g *Generator) withStatus(rs *resource, gv, ns, name, app string) obj {
	o := obj{{"kind", rs.kind}, {"apiVersion", gv}, {"metadata", g.meta(name, ns, app, true)}}
	switch rs.name {
	case "deployments", "replicasets", "statefulsets", "daemonsets":
		w := g.workload(rs, gv, ns, app)
		o = append(o, w[3])
		return append(o, member{"status", g.workloadStatus()})
	}
	return append(o, member{"status", obj{{"observedGeneration", g.r.between(1, 40)}, {"conditions", []any{
		obj{{"type", "Ready"}, {"status", pick(g.r, []string{"True", "False"})}, {"lastTransitionTime", "2026-11-20T09:12:44Z"}, {"reason", "Reconciled"}},
	}}}})
}

// podStatusPatch is the strategic merge patch a kubelet sends when a
// pod's containers change state.
func (g *Generator) podStatusPatch(app string) obj {
	r := g.r
	now := micro(time.UnixMicro(g.stageUs).UTC())[:19] + "Z"
	conds := []any{}
	for _, t := range []string{"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"} {
		conds = append(conds, obj{{"type", t}})
	}
	statuses := []any{}
	for n := r.between(1, 3); n > 0; n-- {
		statuses = append(statuses, obj{{"containerID", "containerd://" + r.hex(64)}, {"image", account + ".dkr.ecr." + region + ".amazonaws.com/" + app + ":v1." + itoa(r.intn(30)) + "." + itoa(r.intn(10))},
			{"imageID", account + ".dkr.ecr." + region + ".amazonaws.com/" + app + "@sha256:" + r.hex(64)}, {"lastState", obj{}}, {"name", app},
			{"ready", true}, {"restartCount", r.skewed(20)}, {"started", true}, {"state", obj{{"running", obj{{"startedAt", now}}}}}})
	}
	return obj{{"metadata", obj{{"uid", r.uuid()}}}, {"status", obj{
		{"$setElementOrder/conditions", conds},
		{"conditions", []any{obj{{"lastTransitionTime", now}, {"status", "True"}, {"type", "Ready"}}, obj{{"lastTransitionTime", now}, {"status", "True"}, {"type", "ContainersReady"}}}},
		{"containerStatuses", statuses},
		{"podIP", fmt.Sprintf("10.0.%d.%d", r.between(96, 127), r.between(4, 250))},
	}}}
}

// nodeStatusPatch is a kubelet's periodic node status patch.
func (g *Generator) nodeStatusPatch() obj {
	now := micro(time.UnixMicro(g.stageUs).UTC())[:19] + "Z"
	types := []string{"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}
	order, conds := []any{}, []any{}
	for _, t := range types {
		order = append(order, obj{{"type", t}})
		conds = append(conds, obj{{"lastHeartbeatTime", now}, {"type", t}})
	}
	st := obj{{"$setElementOrder/conditions", order}, {"conditions", conds}}
	if g.r.chance(0.2) {
		images := []any{}
		for n := g.r.between(3, 12); n > 0; n-- {
			app := pick(g.r, appNamespaces[g.r.intn(len(appNamespaces))].apps)
			images = append(images, obj{{"names", []string{account + ".dkr.ecr." + region + ".amazonaws.com/" + app + "@sha256:" + g.r.hex(64), account + ".dkr.ecr." + region + ".amazonaws.com/" + app + ":v1." + itoa(g.r.intn(30))}}, {"sizeBytes", g.r.between(20_000_000, 900_000_000)}})
		}
		st = append(st, member{"images", images})
	}
	return obj{{"status", st}}
}

// event is a core/v1 Event a controller or kubelet records.
func (g *Generator) event(ns, app string, p *principal) obj {
	r := g.r
	now := micro(time.UnixMicro(g.stageUs).UTC())[:19] + "Z"
	podName := app + "-" + r.lower(10) + "-" + r.lower(5)
	reason := pick(r, []string{"Pulled", "Created", "Started", "Killing", "BackOff", "Unhealthy", "SuccessfulCreate", "ScalingReplicaSet"})
	source := obj{{"component", "kubelet"}, {"host", pick(r, g.pop.nodes)}}
	if p.kind != kindNode {
		source = obj{{"component", "replicaset-controller"}}
	}
	return obj{{"kind", "Event"}, {"apiVersion", "v1"},
		{"metadata", obj{{"name", podName + "." + r.hex(16)}, {"namespace", ns}, {"creationTimestamp", nil}}},
		{"involvedObject", obj{{"kind", "Pod"}, {"namespace", ns}, {"name", podName}, {"uid", r.uuid()}, {"apiVersion", "v1"}, {"resourceVersion", itoa(r.between(10_000_000, 99_999_999))}, {"fieldPath", "spec.containers{app}"}}},
		{"reason", reason}, {"message", eventMessage(reason, app, podName)}, {"source", source},
		{"firstTimestamp", now}, {"lastTimestamp", now}, {"count", 1}, {"type", pick(r, []string{"Normal", "Normal", "Normal", "Warning"})},
		{"eventTime", nil}, {"reportingComponent", source[0].v}, {"reportingInstance", ""}}
}

func eventMessage(reason, app, pod string) string {
	switch reason {
	case "Pulled":
		return `Container image "` + account + ".dkr.ecr." + region + ".amazonaws.com/" + app + `:v1.4.2" already present on machine`
	case "Created":
		return "Created container app"
	case "Started":
		return "Started container app"
	case "Killing":
		return "Stopping container app"
	case "BackOff":
		return "Back-off restarting failed container app in pod " + pod
	case "Unhealthy":
		return "Readiness probe failed: HTTP probe failed with statuscode: 503"
	case "SuccessfulCreate":
		return "Created pod: " + pod
	}
	return "Scaled up replica set " + app + " to 3"
}
