package enrich

import "github.com/kubelens/kubelens/src/audit"

// Input is a Splunk field enrichment reads. A Record is asked for inputs
// by number, so that a table can resolve the names to columns once per
// chunk rather than once per event.
type Input int

// The inputs that are not members of the audit event; each member of
// audit.Members follows as input numMetaInputs + its index.
const (
	InRaw    Input = iota // _raw: the event's text
	InSource              // source: where the event came from
	numMetaInputs
)

// memberInput is the input of audit.Members[i].
func memberInput(i int) Input { return numMetaInputs + Input(i) }

// InputNames are the Splunk field names of the inputs: _raw, source, and
// the name Splunk's JSON extraction gives each member of the audit event
// kubelens reads (audit.Members).
var InputNames = inputNames()

func inputNames() []string {
	names := []string{InRaw: "_raw", InSource: "source"}
	for _, m := range audit.Members {
		names = append(names, m.Name)
	}
	return names
}

// NumInputs is the number of inputs.
var NumInputs = len(InputNames)
