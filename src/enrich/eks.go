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

// deriveEKS sets the EKS fields from an EKS source.
func deriveEKS(source string, out *Output) {
	s, ok := ParseEKSSource(source)
	if !ok {
		return
	}
	out.Set(FieldEKSRegion, s.Region)
	out.Set(FieldEKSLogGroup, s.LogGroup)
	out.Set(FieldEKSLogStream, s.LogStream)
	out.Set(FieldEKSClusterName, s.Cluster)
	out.Set(FieldK8sCluster, s.Cluster)
	if lt, ok := eks.LogTypeOfStream(s.LogStream); ok {
		out.Set(FieldEKSLogType, lt.Name)
	}
}
