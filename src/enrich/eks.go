package enrich

import (
	"github.com/kubelens/kubelens/src/eks"
)

// deriveEKS parses source as the Splunk Add-on for AWS and eks_logs write
// it: <region>:<log group>:<log stream>, the group being
// /aws/eks/<cluster>/cluster (package eks holds the naming facts).
func deriveEKS(source string, out *Output) {
	s, ok := eks.ParseSource(source)
	if !ok {
		return
	}
	cluster, ok := eks.ClusterOfLogGroup(s.LogGroup)
	if !ok {
		return
	}
	out.Set(FieldEKSRegion, s.Region)
	out.Set(FieldEKSLogGroup, s.LogGroup)
	out.Set(FieldEKSLogStream, s.Stream)
	out.Set(FieldEKSClusterName, cluster)
	out.Set(FieldK8sCluster, cluster)
	if lt, ok := eks.LogTypeOfStream(s.Stream); ok {
		out.Set(FieldEKSLogType, lt.Name)
	}
}
