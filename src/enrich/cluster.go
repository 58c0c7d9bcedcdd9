package enrich

import (
	"strings"

	"github.com/kubelens/kubelens/src/audit"
)

// deriveCluster names a record's cluster and platform, first from what its
// shape carries (an EKS source or log group, an AKS resourceId, a GKE
// entry's resource labels), then from the cluster name a collector indexed
// with it, then from the clusters lookup, and last, for the platform, from
// what names in the event prove. isEvent is false for a record that holds
// no audit event (an EKS authenticator line, an AKS record of another
// category): it gets what its source, its record and its indexed fields
// say.
func (w *Worker) deriveCluster(r Record, ev *event, isEvent bool, out *Output) {
	cluster, platform := out.First(FieldEKSClusterName), ""
	if cluster != "" {
		platform = "eks"
	}
	switch ev.Origin.Shape {
	case audit.ShapeSubscription:
		if cluster == "" && setEKSLog(ev.Origin.LogGroup, ev.Origin.LogStream, out) {
			cluster, platform = out.First(FieldEKSClusterName), "eks"
		}
	case audit.ShapeAKS:
		// Only a managed cluster's records, or the kube-* categories,
		// are AKS's: the same Event Hub carries every Azure resource.
		sub, group, name, ok := parseAKSResourceID(ev.Origin.ResourceID)
		if ok || strings.HasPrefix(ev.Origin.Category, "kube-") {
			platform = "aks"
		}
		if ok {
			out.Set(FieldAzureSubscriptionID, sub)
			out.Set(FieldAzureResourceGroup, group)
			cluster = name
		}
	case audit.ShapeGKE:
		platform, cluster = "gke", ev.GKE.ClusterName
		out.Set(FieldGCPProjectID, ev.GKE.ProjectID)
		out.Set(FieldGCPLocation, ev.GKE.Location)
		if isEvent {
			// GKE logs each request once, when it completes.
			out.SetBool(FieldK8sIsFinal, true)
		}
	}
	if cluster == "" {
		cluster = r.Value(InOTelCluster)
	}
	if cluster == "" {
		cluster = r.Value(InSCKCluster)
	}
	needRegion := platform == "eks" && out.First(FieldEKSRegion) == ""
	if cluster == "" || platform == "" || needRegion {
		if rule := w.clusterRule(r); rule != nil {
			if cluster == "" {
				cluster = rule.Cluster
			}
			if platform == "" {
				platform = rule.Platform
			}
			if platform == "eks" {
				if out.First(FieldEKSRegion) == "" {
					out.Set(FieldEKSRegion, rule.Region)
				}
				if out.First(FieldEKSClusterName) == "" {
					out.Set(FieldEKSClusterName, cluster)
				}
			}
		}
	}
	if platform == "" && isEvent {
		platform = w.e.provenPlatform(ev, out)
	}
	if platform == "" && isEvent {
		platform = "kubernetes"
	}
	out.Set(FieldK8sCluster, cluster)
	out.Set(FieldK8sPlatform, platform)
}

// provenPlatform is the platform that a namespace, service account
// namespace, user or API group of the event proves by the system names
// lookup: "" when none does.
func (e *Enricher) provenPlatform(ev *event, out *Output) string {
	t := &e.tables
	for _, n := range []*SystemName{
		systemName(t.SystemNamespaces, ev.namespace()),
		systemName(t.SystemNamespaces, saNamespace(ev.User.Username)),
		systemName(t.SystemAPIGroups, ev.ObjectRef.APIGroup),
		systemName(t.SystemUsers, ev.User.Username),
	} {
		if n != nil && n.Platform != "" {
			return n.Platform
		}
	}
	return ""
}

// saNamespace is the namespace of a service account user name,
// system:serviceaccount:<namespace>:<name>.
func saNamespace(user string) string {
	rest, ok := strings.CutPrefix(user, "system:serviceaccount:")
	if !ok {
		return ""
	}
	ns, _, _ := strings.Cut(rest, ":")
	return ns
}

// parseAKSResourceID reads an AKS cluster's Azure resource ID,
// /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>,
// in any case (diagnostic records write it in upper case); the parts come
// back lower-cased, as Azure compares them.
func parseAKSResourceID(id string) (subscription, group, cluster string, ok bool) {
	var buf [12]string
	parts := splitPath(buf[:0], strings.Trim(id, "/"))
	// Each name is followed by its value: scan for the names rather than
	// walk in pairs, since providers/<namespace> breaks the pairing.
	for i := 0; i+1 < len(parts); i++ {
		switch v := parts[i+1]; {
		case subscription == "" && strings.EqualFold(parts[i], "subscriptions"):
			subscription = strings.ToLower(v)
		case group == "" && strings.EqualFold(parts[i], "resourceGroups"):
			group = strings.ToLower(v)
		case cluster == "" && strings.EqualFold(parts[i], "managedClusters"):
			cluster = strings.ToLower(v)
		}
	}
	return subscription, group, cluster, cluster != ""
}

// splitPath appends the /-separated parts of s to dst.
func splitPath(dst []string, s string) []string {
	for s != "" {
		part, rest, _ := strings.Cut(s, "/")
		dst = append(dst, part)
		s = rest
	}
	return dst
}

// clusterKey is what the clusters lookup matches on.
type clusterKey struct{ sourcetype, source, host, index string }

// maxClusterCache bounds the worker's cache of lookup matches.
const maxClusterCache = 1024

// clusterRule returns the first rule of the clusters lookup matching the
// record's sourcetype, source, host and index, nil when none does. Matches
// are cached per worker: a search sees few distinct combinations.
func (w *Worker) clusterRule(r Record) *ClusterRule {
	rules := w.e.tables.Clusters
	if len(rules) == 0 {
		return nil
	}
	k := clusterKey{r.Value(InSourcetype), r.Value(InSource), r.Value(InHost), r.Value(InIndex)}
	i, ok := w.clusterCache[k]
	if !ok {
		i = -1
		for j := range rules {
			if rules[j].matches(k.sourcetype, k.source, k.host, k.index) {
				i = j
				break
			}
		}
		if len(w.clusterCache) >= maxClusterCache {
			clear(w.clusterCache)
		}
		// The values may alias a chunk buffer that the next chunk
		// overwrites.
		k = clusterKey{strings.Clone(k.sourcetype), strings.Clone(k.source), strings.Clone(k.host), strings.Clone(k.index)}
		w.clusterCache[k] = i
	}
	if i < 0 {
		return nil
	}
	return &rules[i]
}
