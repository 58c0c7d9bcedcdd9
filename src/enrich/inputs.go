package enrich

import "github.com/kubelens/kubelens/src/audit"

// Input is a Splunk field enrichment reads. A Record is asked for inputs
// by number, so that a table can resolve the names to columns once per
// chunk rather than once per event.
type Input int

// The inputs that are not in the event's JSON: the text itself and the
// indexed fields Splunk or a collector gives every event. The members of
// audit.Members follow, one input per Splunk name of each (see
// memberInputs).
const (
	InRaw        Input = iota // _raw: the event's text
	InSource                  // source: where the event came from
	InSourcetype              // sourcetype
	InHost                    // host
	InIndex                   // index
	// InOTelCluster is the cluster name the Splunk OpenTelemetry Collector
	// for Kubernetes gives every log as an indexed field (its clusterName
	// setting, the k8s.cluster.name resource attribute).
	InOTelCluster
	// InSCKCluster is Splunk Connect for Kubernetes's indexed field of the
	// same (global.kubernetes.clusterName).
	InSCKCluster
	numMetaInputs
)

var metaInputNames = [numMetaInputs]string{
	InRaw: "_raw", InSource: "source", InSourcetype: "sourcetype", InHost: "host", InIndex: "index",
	InOTelCluster: "k8s.cluster.name", InSCKCluster: "cluster_name",
}

// memberInputs[i] is the first input of audit.Members[i]; the member has
// one input per Splunk name, in the order of its Names.
var memberInputs = func() []Input {
	in := make([]Input, len(audit.Members))
	next := numMetaInputs
	for i, m := range audit.Members {
		in[i] = next
		next += Input(len(m.Names))
	}
	return in
}()

// InputNames are the Splunk field names of the inputs: the indexed fields
// above, then every name Splunk's JSON extraction gives each member of the
// audit event and of the records around it (audit.Members).
var InputNames = inputNames()

func inputNames() []string {
	names := append([]string(nil), metaInputNames[:]...)
	for _, m := range audit.Members {
		names = append(names, m.Names...)
	}
	return names
}

// NumInputs is the number of inputs.
var NumInputs = len(InputNames)

var inputSet = func() map[string]bool {
	m := make(map[string]bool, len(InputNames))
	for _, n := range InputNames {
		m[n] = true
	}
	return m
}()

// IsInput reports whether enrichment reads the Splunk field name.
func IsInput(name string) bool { return inputSet[name] }
