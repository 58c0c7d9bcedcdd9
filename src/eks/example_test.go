package eks_test

import (
	"fmt"

	"github.com/kubelens/kubelens/src/eks"
)

func ExampleParseSource() {
	s, _ := eks.ParseSource("us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-71976ca1")
	cluster, _ := eks.ClusterOfLogGroup(s.LogGroup)
	lt, _ := eks.LogTypeOfStream(s.Stream)
	fmt.Println(s.Region, cluster, lt.Name)
	// Output: us-east-1 prod audit
}
