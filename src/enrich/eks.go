package enrich

import (
	"strings"
)

// streamPrefixes maps CloudWatch stream name prefixes of an EKS cluster's
// log group to EKS's log type names. "kube-apiserver-audit-" must come
// before "kube-apiserver-", which it also matches.
var streamPrefixes = []struct{ prefix, logType string }{
	{"kube-apiserver-audit-", "audit"},
	{"kube-apiserver-", "api"},
	{"authenticator-", "authenticator"},
	{"kube-controller-manager-", "controllerManager"},
	{"kube-scheduler-", "scheduler"},
	{"cloud-controller-manager-", "cloudControllerManager"},
}

// EKSSource is what an EKS source names: <region>:<log group>:<log
// stream>, the group being /aws/eks/<cluster>/cluster, as the Splunk
// Add-on for AWS and eks_logs write it.
type EKSSource struct {
	Region, LogGroup, LogStream, Cluster string
}

// ParseEKSSource parses an EKS source; ok is false for any other source.
func ParseEKSSource(source string) (s EKSSource, ok bool) {
	region, rest, ok := strings.Cut(source, ":")
	if !ok || !isRegion(region) {
		return s, false
	}
	group, stream, ok := strings.Cut(rest, ":")
	if !ok {
		return s, false
	}
	cluster, ok := eksCluster(group)
	if !ok {
		return s, false
	}
	return EKSSource{Region: region, LogGroup: group, LogStream: stream, Cluster: cluster}, true
}

// deriveEKS sets the EKS fields from an EKS source.
func deriveEKS(source string, out *Output) {
	s, ok := ParseEKSSource(source)
	if !ok {
		return
	}
	out.Set(FieldEKSRegion, s.Region)
	setEKSLog(s.LogGroup, s.LogStream, out)
}

// setEKSLog sets the fields an EKS cluster's log group and stream give,
// and reports whether the group is one.
func setEKSLog(group, stream string, out *Output) bool {
	cluster, ok := eksCluster(group)
	if !ok {
		return false
	}
	out.Set(FieldEKSLogGroup, group)
	out.Set(FieldEKSLogStream, stream)
	out.Set(FieldEKSClusterName, cluster)
	for _, p := range streamPrefixes {
		if strings.HasPrefix(stream, p.prefix) {
			out.Set(FieldEKSLogType, p.logType)
			break
		}
	}
	return true
}

// eksCluster returns the cluster of an EKS log group:
// /aws/eks/<cluster>/cluster.
func eksCluster(group string) (string, bool) {
	cluster, ok := strings.CutPrefix(group, "/aws/eks/")
	if !ok {
		return "", false
	}
	cluster, ok = strings.CutSuffix(cluster, "/cluster")
	if !ok || cluster == "" || strings.Contains(cluster, "/") {
		return "", false
	}
	return cluster, true
}

// isRegion accepts AWS region names of every partition: us-east-1,
// us-gov-west-1, cn-north-1, eu-central-2, ap-southeast-5, ...
func isRegion(s string) bool {
	// Scanned rather than split: it runs on every event's source.
	parts, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '-' {
			continue
		}
		p := s[start:i]
		last := i == len(s)
		switch {
		case p == "", parts == 0 && len(p) != 2:
			return false
		case !last && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz") != "":
			return false
		case last && strings.Trim(p, "0123456789") != "":
			return false
		}
		parts++
		start = i + 1
	}
	return parts >= 3 && parts <= 4
}
