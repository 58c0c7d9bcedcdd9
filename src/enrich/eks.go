package enrich

import (
	"github.com/kubelens/kubelens/src/eks"
)

// EKSSource is what an EKS source names: <region>:<log group>:<log
// stream>, the group being /aws/eks/<cluster>/cluster, as the Splunk
// Add-on for AWS and eks_logs write it.
type EKSSource struct {
	Region, LogGroup, LogStream, Cluster string
}

// ParseEKSSource parses an EKS source; ok is false for any other source.
// The naming facts are package eks's.
func ParseEKSSource(source string) (EKSSource, bool) {
	s, ok := eks.ParseSource(source)
	if !ok {
		return EKSSource{}, false
	}
	cluster, ok := eks.ClusterOfLogGroup(s.LogGroup)
	if !ok {
		return EKSSource{}, false
	}
	return EKSSource{Region: s.Region, LogGroup: s.LogGroup, LogStream: s.Stream, Cluster: cluster}, true
}

// deriveEKS sets the EKS fields from an EKS source. k8s_cluster is
// deriveCluster's, which also reads the other shapes.
func deriveEKS(source string, out *Output) {
	s, ok := ParseEKSSource(source)
	if !ok {
		return
	}
	out.Set(FieldEKSRegion, s.Region)
	setEKSLog(s.LogGroup, s.LogStream, out)
}

// setEKSLog sets the fields an EKS cluster's log group and stream give (a
// source's, or a subscription envelope's logGroup and logStream), and
// reports whether the group is one.
func setEKSLog(group, stream string, out *Output) bool {
	cluster, ok := eks.ClusterOfLogGroup(group)
	if !ok {
		return false
	}
	out.Set(FieldEKSLogGroup, group)
	out.Set(FieldEKSLogStream, stream)
	out.Set(FieldEKSClusterName, cluster)
	if lt, ok := eks.LogTypeOfStream(stream); ok {
		out.Set(FieldEKSLogType, lt.Name)
	}
	return true
}
