package enrich_test

import (
	"reflect"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

// rec is a Record built from a map of Splunk fields.
type rec map[string][]string

func (r rec) Value(f string) string {
	if v := r[f]; len(v) > 0 {
		return v[0]
	}
	return ""
}
func (r rec) Values(f string) []string { return r[f] }

func enrichOne(t *testing.T, r rec) (*enrich.Output, error) {
	t.Helper()
	var out enrich.Output
	err := enrich.New().Enrich(r, &out)
	return &out, err
}

func raw(s string) rec { return rec{"_raw": {s}} }

// TestUserKind covers every k8s_user_kind rule with an event that matches
// it, and the first-match-wins order.
func TestUserKind(t *testing.T) {
	cases := []struct {
		name string
		user string
		want string
	}{
		{"anonymous by name", `{"username":"system:anonymous","groups":["system:unauthenticated"]}`, "anonymous"},
		{"anonymous by group only", `{"username":"someone","groups":["system:unauthenticated"]}`, "anonymous"},
		{"service account", `{"username":"system:serviceaccount:kube-system:coredns","groups":["system:serviceaccounts"]}`, "service_account"},
		{"node by name", `{"username":"system:node:ip-10-0-1-2.ec2.internal","groups":["system:nodes"]}`, "node"},
		{"node by group", `{"username":"kubelet-bootstrap","groups":["system:nodes"]}`, "node"},
		{"eks managed", `{"username":"eks:addon-manager","uid":"aws-iam-authenticator:111122223333:AROAEXAMPLE"}`, "eks_managed"},
		{"control plane listed", `{"username":"kube-apiserver-healthcheck"}`, "control_plane"},
		{"control plane system prefix", `{"username":"system:kube-scheduler"}`, "control_plane"},
		{"iam mapped by arn", `{"username":"alice","extra":{"arn":["arn:aws:sts::111122223333:assumed-role/r/alice"]}}`, "iam_mapped"},
		{"iam mapped by uid", `{"username":"kubernetes-admin","uid":"aws-iam-authenticator:111122223333:AIDAEXAMPLE"}`, "iam_mapped"},
		{"iam mapped by heptio uid", `{"username":"ops","uid":"heptio-authenticator-aws:111122223333:AROAEXAMPLE"}`, "iam_mapped"},
		{"plain user", `{"username":"oidc:erin@example.com","groups":["system:authenticated"]}`, "user"},
		{"no user at all", `{}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := enrichOne(t, raw(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete","verb":"get","user":`+tc.user+`}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := out.First(enrich.FieldK8sUserKind); got != tc.want {
				t.Errorf("k8s_user_kind = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSourceIP covers src_ip and every k8s_src_ip_class.
func TestSourceIP(t *testing.T) {
	cases := []struct {
		ips        string
		ip, class  string
		extraField []string
	}{
		{`["203.0.113.7","10.0.0.1"]`, "203.0.113.7", "public", nil},
		{`["10.0.0.1"]`, "10.0.0.1", "private", nil},
		{`["172.16.5.4"]`, "172.16.5.4", "private", nil},
		{`["192.168.1.1"]`, "192.168.1.1", "private", nil},
		{`["100.64.0.1"]`, "100.64.0.1", "private", nil},
		{`["fd12::1"]`, "fd12::1", "private", nil},
		{`["127.0.0.1"]`, "127.0.0.1", "loopback", nil},
		{`["::1"]`, "::1", "loopback", nil},
		{`["169.254.169.254"]`, "169.254.169.254", "link_local", nil},
		{`["fe80::1"]`, "fe80::1", "link_local", nil},
		{`["::ffff:10.1.1.1"]`, "::ffff:10.1.1.1", "private", nil},
		{`["2001:db8::1"]`, "2001:db8::1", "public", nil},
		{`["0.0.0.0"]`, "0.0.0.0", "other", nil},
		{`["224.0.0.1"]`, "224.0.0.1", "other", nil},
		{`["not-an-ip"]`, "not-an-ip", "other", nil},
		{`[]`, "", "", nil},
	}
	for _, tc := range cases {
		out, err := enrichOne(t, raw(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete","user":{"username":"u"},"sourceIPs":`+tc.ips+`}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.First(enrich.FieldSrcIP); got != tc.ip {
			t.Errorf("%s: src_ip = %q, want %q", tc.ips, got, tc.ip)
		}
		if got := out.First(enrich.FieldK8sSrcIPClass); got != tc.class {
			t.Errorf("%s: k8s_src_ip_class = %q, want %q", tc.ips, got, tc.class)
		}
	}
}

// TestEKSContext parses source as the AWS add-on and eks_logs write it, in
// every partition, and leaves other sources alone.
func TestEKSContext(t *testing.T) {
	cases := []struct {
		source string
		want   []string // region, group, stream, cluster, log type
	}{
		{"us-east-1:/aws/eks/prod-eks/cluster:kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", []string{"us-east-1", "/aws/eks/prod-eks/cluster", "kube-apiserver-audit-71976ca11bea5d3083393f7d32dab75b", "prod-eks", "audit"}},
		{"us-gov-west-1:/aws/eks/gov/cluster:kube-apiserver-0a1b", []string{"us-gov-west-1", "/aws/eks/gov/cluster", "kube-apiserver-0a1b", "gov", "api"}},
		{"cn-north-1:/aws/eks/c.n_1/cluster:authenticator-0a1b", []string{"cn-north-1", "/aws/eks/c.n_1/cluster", "authenticator-0a1b", "c.n_1", "authenticator"}},
		{"eu-central-2:/aws/eks/x/cluster:kube-controller-manager-1", []string{"eu-central-2", "/aws/eks/x/cluster", "kube-controller-manager-1", "x", "controllerManager"}},
		{"ap-southeast-5:/aws/eks/x/cluster:kube-scheduler-1", []string{"ap-southeast-5", "/aws/eks/x/cluster", "kube-scheduler-1", "x", "scheduler"}},
		{"ca-west-1:/aws/eks/x/cluster:cloud-controller-manager-1", []string{"ca-west-1", "/aws/eks/x/cluster", "cloud-controller-manager-1", "x", "cloudControllerManager"}},
		{"us-east-1:/aws/eks/x/cluster:some-other-stream", []string{"us-east-1", "/aws/eks/x/cluster", "some-other-stream", "x", ""}},
		{"kubernetes", nil},
		{"/var/log/kube-audit.log", nil},
		{"us-east-1:/custom/group:stream", nil},
		{"US-EAST-1:/aws/eks/x/cluster:s", nil},
	}
	for _, tc := range cases {
		out, _ := enrichOne(t, rec{"source": {tc.source}})
		got := []string{out.First(enrich.FieldEKSRegion), out.First(enrich.FieldEKSLogGroup), out.First(enrich.FieldEKSLogStream), out.First(enrich.FieldEKSClusterName), out.First(enrich.FieldEKSLogType)}
		want := tc.want
		if want == nil {
			want = []string{"", "", "", "", ""}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", tc.source, got, want)
		}
	}
}

// TestExtractedFieldsWinOverRaw verifies Splunk's extracted fields are read
// first and _raw fills in what they lack.
func TestExtractedFieldsWinOverRaw(t *testing.T) {
	r := raw(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["203.0.113.1"]}`)
	r["sourceIPs{}"] = []string{"10.9.9.9", "203.0.113.1"}
	out, err := enrichOne(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.First(enrich.FieldSrcIP); got != "10.9.9.9" {
		t.Errorf("src_ip %q, want the extracted 10.9.9.9", got)
	}
	if got := out.First(enrich.FieldK8sUserKind); got != "anonymous" {
		t.Errorf("k8s_user_kind %q from _raw, want anonymous", got)
	}
	// Without _raw, the extracted fields alone suffice.
	out, err = enrichOne(t, rec{"user.username": {"system:serviceaccount:a:b"}, "sourceIPs{}": {"10.0.0.2"}})
	if err != nil || out.First(enrich.FieldK8sUserKind) != "service_account" || out.First(enrich.FieldK8sSrcIPClass) != "private" {
		t.Errorf("extracted only: %v %q %q", err, out.First(enrich.FieldK8sUserKind), out.First(enrich.FieldK8sSrcIPClass))
	}
}

// TestUnreadableRecords verifies records that are not audit events give an
// error, keep what can be derived, and never panic.
func TestUnreadableRecords(t *testing.T) {
	for _, r := range []rec{
		raw("{not json"),
		raw(`time="2026-11-20T09:00:00Z" level=info msg="access granted"`),
		raw(`{"hello":"world"}`),
		raw(`{"kind":"EventList","items":[]}`),
	} {
		r["source"] = []string{"us-east-1:/aws/eks/c/cluster:kube-apiserver-audit-1"}
		out, err := enrichOne(t, r)
		if err == nil {
			t.Errorf("%q: no error", r["_raw"])
		}
		if out.First(enrich.FieldEKSClusterName) != "c" {
			t.Errorf("%q: the EKS context was lost", r["_raw"])
		}
	}
	out, err := enrichOne(t, rec{})
	if err != nil || out.First(enrich.FieldK8sUserKind) != "" {
		t.Errorf("empty record: %v, %+v", err, out)
	}
}

// TestEventList verifies one row holding an EventList is enriched from its
// first item.
func TestEventList(t *testing.T) {
	out, err := enrichOne(t, raw(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"1","stage":"ResponseComplete","user":{"username":"system:node:n1"},"sourceIPs":["10.0.0.9"]},{"kind":"Event","auditID":"2"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if out.First(enrich.FieldK8sUserKind) != "node" || out.First(enrich.FieldSrcIP) != "10.0.0.9" {
		t.Errorf("got kind %q ip %q", out.First(enrich.FieldK8sUserKind), out.First(enrich.FieldSrcIP))
	}
}

// TestCatalogue verifies every field is declared with a unique name, a
// group and a description.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for i, f := range enrich.Catalogue {
		if f.ID != enrich.FieldID(i) || f.Name == "" || f.Group == "" || f.Desc == "" || seen[f.Name] {
			t.Errorf("field %d: %+v", i, f)
		}
		seen[f.Name] = true
	}
}
