package eks_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/eks"
)

var regionRE = regexp.MustCompile(`^` + eks.RegionPattern + `$`)

// regionCases are Region names of every partition and near misses.
var regionCases = map[string]bool{
	"us-east-1": true, "eu-central-2": true, "ap-southeast-5": true, "mx-central-1": true,
	"us-gov-west-1": true, "cn-north-1": true, "cn-northwest-1": true, "us-iso-east-1": true,
	"us-isob-east-1": true, "eu-isoe-west-1": true, "us-isof-south-1": true, "il-central-1": true,
	"": false, "us": false, "us-": false, "us-east": false, "us-east-": false, "US-EAST-1": false,
	"moon-base-1": false, "u-east-1": false, "us-east-1a": false, "us--1": false, "us-gov--1": false,
	"us-isoxx-east-1": false, "us-east-1 ": false, " us-east-1": false, "us_east_1": false,
	"us-east-x": false, "us-1-east": false, "us-gov-east": false,
}

// TestIsRegion verifies the hand-written scanner against the table and
// against RegionPattern.
func TestIsRegion(t *testing.T) {
	for s, want := range regionCases {
		if got := eks.IsRegion(s); got != want {
			t.Errorf("IsRegion(%q) = %v, want %v", s, got, want)
		}
		if got := regionRE.MatchString(s); got != want {
			t.Errorf("RegionPattern matches %q = %v, want %v", s, got, want)
		}
	}
}

// FuzzIsRegion holds IsRegion and RegionPattern to the same answers.
func FuzzIsRegion(f *testing.F) {
	for s := range regionCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if eks.IsRegion(s) != regionRE.MatchString(s) {
			t.Fatalf("IsRegion(%q) = %v, RegionPattern says %v", s, eks.IsRegion(s), regionRE.MatchString(s))
		}
	})
}

func TestIsRegion_NoAllocation(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { eks.IsRegion("us-isob-east-1") }); n != 0 {
		t.Errorf("IsRegion allocates %v times", n)
	}
}

func TestLogTypeOfStream(t *testing.T) {
	for stream, want := range map[string]string{
		"kube-apiserver-audit-0123456789abcdef0123456789abcdef": "audit",
		"kube-apiserver-0123456789abcdef0123456789abcdef":       "api",
		"authenticator-0123":            "authenticator",
		"kube-controller-manager-0123":  "controllerManager",
		"kube-scheduler-0123":           "scheduler",
		"cloud-controller-manager-0123": "cloudControllerManager",
		"kubelet-0123":                  "",
	} {
		lt, ok := eks.LogTypeOfStream(stream)
		if lt.Name != want || ok != (want != "") {
			t.Errorf("LogTypeOfStream(%q) = %q, %v; want %q", stream, lt.Name, ok, want)
		}
	}
	if lt, ok := eks.LookupLogType("controllermanager"); !ok || lt.Name != "controllerManager" {
		t.Errorf("LookupLogType is case-sensitive: %+v", lt)
	}
	for _, lt := range eks.LogTypes {
		if !strings.HasSuffix(lt.StreamPrefix, "-") {
			t.Errorf("%s: prefix %q does not end in -", lt.Name, lt.StreamPrefix)
		}
	}
}

func TestSourceRoundTrip(t *testing.T) {
	src := eks.SourceOf("us-gov-west-1", eks.LogGroup("prod-1"), "kube-apiserver-audit-ab")
	if src != "us-gov-west-1:/aws/eks/prod-1/cluster:kube-apiserver-audit-ab" {
		t.Fatalf("SourceOf = %q", src)
	}
	s, ok := eks.ParseSource(src)
	if !ok || s.String() != src {
		t.Fatalf("ParseSource(%q) = %+v, %v", src, s, ok)
	}
	if c, ok := eks.ClusterOfLogGroup(s.LogGroup); !ok || c != "prod-1" {
		t.Errorf("ClusterOfLogGroup = %q, %v", c, ok)
	}
	for _, bad := range []string{"", "us-east-1", "us-east-1:/g", "us-east-1::s", "us-east-1:/g:", "nowhere:/g:s"} {
		if _, ok := eks.ParseSource(bad); ok {
			t.Errorf("ParseSource(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"/aws/eks//cluster", "/aws/eks/a/b/cluster", "/aws/eks/a", "/custom/group"} {
		if _, ok := eks.ClusterOfLogGroup(bad); ok {
			t.Errorf("ClusterOfLogGroup(%q) accepted", bad)
		}
	}
}

func TestValidClusterName(t *testing.T) {
	for s, want := range map[string]bool{"prod": true, "0prod_1-x": true, "-bad": false, "_bad": false,
		"has space": false, "": false, strings.Repeat("a", 100): true, strings.Repeat("a", 101): false} {
		if eks.ValidClusterName(s) != want {
			t.Errorf("ValidClusterName(%q) != %v", s, want)
		}
	}
}

// propsSourceRE returns the EXTRACT of default/props.conf that parses
// source, compiled with Go's engine (the pattern is written in the common
// subset of RE2 and PCRE).
func propsSourceRE(t testing.TB) *regexp.Regexp {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "default", "props.conf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "EXTRACT-kubelens_eks_source = ")
		if !ok {
			continue
		}
		pat, ok := strings.CutSuffix(v, " in source")
		if !ok {
			t.Fatalf("EXTRACT-kubelens_eks_source does not apply to source: %q", v)
		}
		return regexp.MustCompile(pat)
	}
	t.Fatal("props.conf has no EXTRACT-kubelens_eks_source")
	return nil
}

// propsAgrees checks the props.conf extraction against the package on one
// source: it must match exactly when ParseSource and ClusterOfLogGroup
// accept it, and extract the same parts.
func propsAgrees(t *testing.T, re *regexp.Regexp, src string) {
	t.Helper()
	s, ok := eks.ParseSource(src)
	cluster, okCluster := eks.ClusterOfLogGroup(s.LogGroup)
	want := ok && okCluster
	m := re.FindStringSubmatch(src)
	if (m != nil) != want {
		t.Fatalf("props.conf matches %q = %v, package says %v", src, m != nil, want)
	}
	if m == nil {
		return
	}
	got := map[string]string{}
	for i, name := range re.SubexpNames() {
		if name != "" {
			got[name] = m[i]
		}
	}
	if got["eks_region"] != s.Region || got["eks_log_group"] != s.LogGroup || got["eks_cluster_name"] != cluster || got["eks_log_stream"] != s.Stream {
		t.Fatalf("props.conf extracts %v from %q, package %+v cluster %q", got, src, s, cluster)
	}
}

var sourceCases = []string{
	"us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b",
	"us-gov-west-1:/aws/eks/p_1-x/cluster:authenticator-ab",
	"us-isob-east-1:/aws/eks/c/cluster:cloud-controller-manager-1",
	"moon-base-1:/aws/eks/prod/cluster:s", "us-east-1:/aws/eks//cluster:s", "us-east-1:/aws/eks/a/b/cluster:s",
	"us-east-1:/custom/group:s", "us-east-1:/aws/eks/prod/cluster:", "us-east-1:/aws/eks/a:b/cluster:s",
	"US-EAST-1:/aws/eks/prod/cluster:s", "us-east-1/aws/eks/prod/cluster:s",
}

// TestPropsSourceExtraction verifies default/props.conf's source regex
// against the package.
func TestPropsSourceExtraction(t *testing.T) {
	re := propsSourceRE(t)
	for _, src := range sourceCases {
		propsAgrees(t, re, src)
	}
	for r := range regionCases {
		propsAgrees(t, re, r+":/aws/eks/prod/cluster:kube-apiserver-audit-1")
	}
}

func FuzzPropsSourceExtraction(f *testing.F) {
	re := propsSourceRE(f)
	for _, s := range sourceCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.ContainsAny(src, "\n\r") {
			return // splunkd never has a newline in source; $ differs there between engines
		}
		propsAgrees(t, re, src)
	})
}

func TestPartitionOf(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "mx-central-1": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
	} {
		if got := eks.PartitionOf(region); got != want {
			t.Errorf("PartitionOf(%q) = %q, want %q", region, got, want)
		}
	}
}
