// Package eks holds the naming facts of Amazon EKS control-plane logs in
// CloudWatch Logs, declared once for every kubelens program: the log types
// and the stream-name prefixes EKS writes them under, a cluster's log group,
// the source string <region>:<log group>:<log stream> (built and parsed),
// the AWS Region syntax, and the marker CloudWatch Logs puts at the end of a
// message it cut short.
//
// It imports only the standard library and allocates nothing on its parsing
// paths, so the search command (kubeenrich) links it as cheaply as the
// modular input does.
//
// Sources: the EKS user guide "Send control plane logs to CloudWatch Logs"
// (log group /aws/eks/<cluster>/cluster, the five log types and their stream
// names); cloud-controller-manager-<hex> streams appear on clusters although
// that page does not list them; the Splunk Add-on for AWS's source format,
// which Splunk's security content parses.
package eks

import "strings"

// LogType is one EKS control-plane log type: the name EKS's logging
// configuration uses and the prefix of the CloudWatch Logs streams it writes.
type LogType struct {
	// Name is the EKS name, e.g. "audit" or "controllerManager".
	Name string
	// StreamPrefix is the stream-name prefix, ending in "-".
	StreamPrefix string
	// ExcludePrefix names streams that StreamPrefix also matches but that
	// belong to another type: "kube-apiserver-" matches the audit streams.
	ExcludePrefix string
}

// LogTypes lists every log type, in EKS's order, cloudControllerManager last.
var LogTypes = []LogType{
	{Name: "audit", StreamPrefix: "kube-apiserver-audit-"},
	{Name: "api", StreamPrefix: "kube-apiserver-", ExcludePrefix: "kube-apiserver-audit-"},
	{Name: "authenticator", StreamPrefix: "authenticator-"},
	{Name: "controllerManager", StreamPrefix: "kube-controller-manager-"},
	{Name: "scheduler", StreamPrefix: "kube-scheduler-"},
	{Name: "cloudControllerManager", StreamPrefix: "cloud-controller-manager-"},
}

// LogTypeNames returns the names of LogTypes, in order.
func LogTypeNames() []string {
	out := make([]string, len(LogTypes))
	for i, t := range LogTypes {
		out[i] = t.Name
	}
	return out
}

// LookupLogType returns the log type of a name, compared without regard to
// case ("controllermanager" is controllerManager).
func LookupLogType(name string) (LogType, bool) {
	for _, t := range LogTypes {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return LogType{}, false
}

// LogTypeOfStream returns the log type a stream name belongs to: the type
// whose prefix matches and whose ExcludePrefix does not.
func LogTypeOfStream(stream string) (LogType, bool) {
	for _, t := range LogTypes {
		if strings.HasPrefix(stream, t.StreamPrefix) && (t.ExcludePrefix == "" || !strings.HasPrefix(stream, t.ExcludePrefix)) {
			return t, true
		}
	}
	return LogType{}, false
}

const (
	groupPrefix = "/aws/eks/"
	groupSuffix = "/cluster"
)

// LogGroup returns the log group EKS writes a cluster's control-plane logs
// to: /aws/eks/<cluster>/cluster.
func LogGroup(cluster string) string { return groupPrefix + cluster + groupSuffix }

// ClusterOfLogGroup returns the cluster of a log group of the form
// /aws/eks/<cluster>/cluster, and false for any other group.
func ClusterOfLogGroup(group string) (string, bool) {
	rest, ok := strings.CutPrefix(group, groupPrefix)
	if !ok {
		return "", false
	}
	cluster, ok := strings.CutSuffix(rest, groupSuffix)
	if !ok || cluster == "" || strings.ContainsAny(cluster, "/:") {
		return "", false
	}
	return cluster, true
}

// ValidClusterName reports whether s is a name EKS accepts for a cluster:
// 1 to 100 letters, digits, '-' and '_', starting with a letter or digit.
func ValidClusterName(s string) bool {
	if len(s) == 0 || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Source is the parsed form of an event's source.
type Source struct {
	Region   string
	LogGroup string
	Stream   string
}

// String returns the source as eks_logs and the Splunk Add-on for AWS write
// it: <region>:<log group>:<log stream>.
func (s Source) String() string { return s.Region + ":" + s.LogGroup + ":" + s.Stream }

// SourceOf builds the source of an event read from a stream of a group.
func SourceOf(region, group, stream string) string { return region + ":" + group + ":" + stream }

// ParseSource splits <region>:<log group>:<log stream>. It reports false
// unless the region is a Region name and the group and stream are not empty.
// Log group and stream names cannot hold ':', so the first two colons are
// the separators. The strings returned share s's memory.
func ParseSource(s string) (Source, bool) {
	region, rest, ok := strings.Cut(s, ":")
	if !ok || !IsRegion(region) {
		return Source{}, false
	}
	group, stream, ok := strings.Cut(rest, ":")
	if !ok || group == "" || stream == "" {
		return Source{}, false
	}
	return Source{Region: region, LogGroup: group, Stream: stream}, true
}

// RegionPattern is the Region syntax as a regular expression (RE2, also
// valid PCRE for props.conf): two letters, an optional partition infix
// (-gov, -iso, -isob, -isoe, -isof, ...), a direction word and a number:
// us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eu-isoe-west-1.
// IsRegion accepts exactly what it matches (a test holds them together).
const RegionPattern = `[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+`

// IsRegion reports whether s is an AWS Region name in any partition; see
// RegionPattern. It allocates nothing: the search command calls it on every
// event's source.
func IsRegion(s string) bool {
	// Two lower-case letters and a dash.
	if len(s) < 3 || !lower(s[0]) || !lower(s[1]) || s[2] != '-' {
		return false
	}
	rest := s[3:]
	// The remainder is either <word>-<digits> or <infix>-<word>-<digits>.
	if regionTail(rest) {
		return true
	}
	infix, tail, ok := strings.Cut(rest, "-")
	if !ok {
		return false
	}
	switch {
	case infix == "gov":
	case len(infix) == 3 && infix == "iso":
	case len(infix) == 4 && infix[:3] == "iso" && lower(infix[3]):
	default:
		return false
	}
	return regionTail(tail)
}

// regionTail matches [a-z]+-[0-9]+.
func regionTail(s string) bool {
	i := 0
	for i < len(s) && lower(s[i]) {
		i++
	}
	if i == 0 || i == len(s) || s[i] != '-' {
		return false
	}
	digits := s[i+1:]
	if digits == "" {
		return false
	}
	for j := 0; j < len(digits); j++ {
		if digits[j] < '0' || digits[j] > '9' {
			return false
		}
	}
	return true
}

func lower(c byte) bool { return c >= 'a' && c <= 'z' }

// TruncatedMarker ends a CloudWatch Logs message that was cut at the
// service's event size limit; what precedes it is the start of the message.
const TruncatedMarker = "[Truncated...]"

// IsTruncated reports whether a message ends in TruncatedMarker.
func IsTruncated(message string) bool { return strings.HasSuffix(message, TruncatedMarker) }

// PartitionOf returns the AWS partition of a Region name (see IsRegion):
// aws-cn for cn-*, aws-us-gov for *-gov-*, aws-iso for *-iso-*, aws-iso-b
// for *-isob-* (and so on for the other iso letters), else aws. A role or
// any other ARN is used in the Region's partition only.
func PartitionOf(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "aws-cn"
	}
	if len(region) < 3 {
		return "aws"
	}
	infix, _, _ := strings.Cut(region[3:], "-")
	switch {
	case infix == "gov":
		return "aws-us-gov"
	case infix == "iso":
		return "aws-iso"
	case len(infix) == 4 && infix[:3] == "iso":
		return "aws-iso-" + infix[3:]
	}
	return "aws"
}
