package enrich_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

// fieldCase is an event and the fields it must produce; a field wanted
// as "" must be empty.
type fieldCase struct {
	name   string
	ev     obj
	source string
	want   map[string]string
}

func runFieldCases(t *testing.T, cases []fieldCase) {
	t.Helper()
	tables := shippedTables(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rawRec(t, tc.ev)
			if tc.source != "" {
				r["source"] = []string{tc.source}
			}
			out, prob := enrichWith(t, tables, r)
			if prob != nil {
				t.Fatalf("problem: %v", prob)
			}
			for name, want := range tc.want {
				if got := field(out, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func user(name string, groups ...string) obj { return obj{"username": name, "groups": groups} }

// TestIdentity covers every identity rule with an event that triggers it
// and one that must not.
func TestIdentity(t *testing.T) {
	b := baseEvent()
	ssoARN := "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com"
	runFieldCases(t, []fieldCase{
		{"anonymous by name", with(b, obj{"user": user("system:anonymous", "system:unauthenticated")}), "",
			map[string]string{"k8s_user_kind": "anonymous", "user": "system:anonymous", "k8s_user": "system:anonymous", "k8s_user_privileged": "false", "k8s_sa_name": ""}},
		{"anonymous by group only", with(b, obj{"user": user("kube-probe", "system:unauthenticated")}), "", map[string]string{"k8s_user_kind": "anonymous"}},
		{"service account with bound token", b, "",
			map[string]string{"k8s_user_kind": "service_account", "k8s_sa_namespace": "shop", "k8s_sa_name": "app", "k8s_sa_pod_name": "app-1", "k8s_sa_legacy_token": "false"}},
		{"service account with unbound token", with(b, obj{"user>extra": nil}), "", map[string]string{"k8s_sa_legacy_token": "true", "k8s_sa_pod_name": ""}},
		{"service account flagged legacy", with(b, obj{"annotations>authentication.k8s.io/legacy-token": "app/shop"}), "", map[string]string{"k8s_sa_legacy_token": "true"}},
		{"node", with(b, obj{"user": user("system:node:ip-10-0-1-2.ec2.internal", "system:nodes")}), "",
			map[string]string{"k8s_user_kind": "node", "k8s_node_name": "ip-10-0-1-2.ec2.internal", "k8s_sa_legacy_token": ""}},
		{"eks managed", with(b, obj{"user": user("eks:addon-manager", "system:authenticated")}), "", map[string]string{"k8s_user_kind": "eks_managed"}},
		{"control plane", with(b, obj{"user": user("system:kube-controller-manager")}), "", map[string]string{"k8s_user_kind": "control_plane"}},
		{"healthcheck user", with(b, obj{"user": user("kube-apiserver-healthcheck")}), "", map[string]string{"k8s_user_kind": "control_plane"}},
		{"plain user", with(b, obj{"user": user("oidc:erin", "devs")}), "", map[string]string{"k8s_user_kind": "user", "aws_account_id": "", "k8s_user_trusted": "false"}},
		{"trusted user", with(b, obj{"user": user("admin", "devs")}), "", map[string]string{"k8s_user_trusted": "true", "k8s_user_privileged": "true"}},
		{"trusted group", with(b, obj{"user": user("dave", "admin")}), "", map[string]string{"k8s_user_trusted": "true", "k8s_user_privileged": "false"}},
		{"system:masters", with(b, obj{"user": user("ops", "system:masters")}), "", map[string]string{"k8s_user_privileged": "true"}},
		{"cluster-admin binding", with(b, obj{"user": user("ops", "platform"), "annotations>authorization.k8s.io/reason": `RBAC: allowed by ClusterRoleBinding "p" of ClusterRole "cluster-admin" to Group "platform"`}), "", map[string]string{"k8s_user_privileged": "true"}},
		{"impersonation", with(b, obj{"user": user("alice", "ops"), "impersonatedUser": user("system:admin", "system:masters")}), "",
			map[string]string{"user": "system:admin", "k8s_user": "alice", "k8s_effective_user": "system:admin", "k8s_impersonated": "true"}},
		{"no impersonation", with(b, obj{"user": user("alice", "ops")}), "", map[string]string{"k8s_impersonated": "false", "k8s_effective_user": "alice"}},
		{"IAM role via SSO", with(b, obj{"user": obj{"username": ssoARN, "uid": "aws-iam-authenticator:111122223333:AROAEXAMPLE01", "groups": []string{"system:authenticated"},
			"extra": obj{"accessKeyId": []string{"ASIAEXAMPLE0000001"}, "arn": []string{ssoARN}, "canonicalArn": []string{"arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef"}, "sessionName": []string{"alice@example.com"}}}}), "",
			map[string]string{"k8s_user_kind": "iam_mapped", "aws_account_id": "111122223333", "aws_principal_id": "AROAEXAMPLE01", "aws_arn": ssoARN, "aws_partition": "aws",
				"aws_canonical_arn": "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef", "aws_principal_type": "sso_role", "aws_role_name": "AWSReservedSSO_Admin_0123456789abcdef",
				"aws_session_name": "alice@example.com", "aws_access_key_id": "ASIAEXAMPLE0000001", "aws_access_key_type": "temporary", "aws_ec2_instance_id": ""}},
		{"IAM user with a long-term key", with(b, obj{"user": obj{"username": "ci", "uid": "aws-iam-authenticator:111122223333:AIDAEXAMPLE01", "extra": obj{"accessKeyId": []string{"AKIAIOSFODNN7EXAMPLE"}, "arn": []string{"arn:aws:iam::111122223333:user/ci"}}}}), "",
			map[string]string{"k8s_user_kind": "iam_mapped", "aws_principal_type": "iam_user", "aws_canonical_arn": "arn:aws:iam::111122223333:user/ci", "aws_access_key_type": "long_term", "aws_role_name": ""}},
		{"node role session is an instance", with(b, obj{"user": obj{"username": "system:node:ip-10-0-3-4.ec2.internal", "uid": "heptio-authenticator-aws:111122223333:AROAEXAMPLENODE", "groups": []string{"system:nodes"},
			"extra": obj{"arn": []string{"arn:aws:sts::111122223333:assumed-role/eks-nodes-NodeInstanceRole-ABC/i-0abc1234def567890"}, "sessionName": []string{"i-0abc1234def567890"}}}}), "",
			map[string]string{"k8s_user_kind": "node", "aws_principal_type": "node_role", "aws_role_name": "eks-nodes-NodeInstanceRole-ABC", "aws_ec2_instance_id": "i-0abc1234def567890",
				"aws_canonical_arn": "arn:aws:iam::111122223333:role/eks-nodes-NodeInstanceRole-ABC"}},
		{"GovCloud role", with(b, obj{"user": obj{"username": "gov", "extra": obj{"arn": []string{"arn:aws-us-gov:sts::111122223333:assumed-role/deployer/s1"}}}}), "",
			map[string]string{"aws_partition": "aws-us-gov", "aws_account_id": "111122223333", "aws_principal_type": "iam_role", "aws_role_name": "deployer", "aws_session_name": "s1",
				"aws_canonical_arn": "arn:aws-us-gov:iam::111122223333:role/deployer"}},
		{"China access entry named by ARN", with(b, obj{"user": obj{"username": "arn:aws-cn:iam::111122223333:role/ops/cn-admin"}}), "",
			map[string]string{"k8s_user_kind": "iam_mapped", "aws_partition": "aws-cn", "aws_principal_type": "iam_role", "aws_role_name": "cn-admin"}},
		{"service-linked role", with(b, obj{"user": obj{"username": "eks-svc", "extra": obj{"canonicalArn": []string{"arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS"}}}}), "",
			map[string]string{"aws_principal_type": "service_linked_role", "aws_role_name": "AWSServiceRoleForAmazonEKS"}},
		{"root", with(b, obj{"user": obj{"username": "root-user", "extra": obj{"arn": []string{"arn:aws:iam::111122223333:root"}}}}), "", map[string]string{"aws_principal_type": "root"}},
	})
}

// TestSource covers the source fields and the trusted networks.
func TestSource(t *testing.T) {
	tables := shippedTables(t)
	tables.TrustedNetworks = nil
	b := baseEvent()
	cases := []struct {
		ips                              []string
		ip, conn, count, class, pub, trs string
	}{
		{[]string{"54.240.196.10", "10.0.0.1"}, "54.240.196.10", "10.0.0.1", "2", "public", "true", "false"},
		{[]string{"203.0.113.7", "10.0.0.1"}, "203.0.113.7", "10.0.0.1", "2", "other", "false", "false"},
		{[]string{"10.1.2.3"}, "10.1.2.3", "10.1.2.3", "1", "private", "false", "true"},
		{[]string{"100.64.3.3"}, "100.64.3.3", "100.64.3.3", "1", "private", "false", "false"},
		{[]string{"fd00::5"}, "fd00::5", "fd00::5", "1", "private", "false", "false"},
		{[]string{"::1"}, "::1", "::1", "1", "loopback", "false", "false"},
		{[]string{"127.0.0.1"}, "127.0.0.1", "127.0.0.1", "1", "loopback", "false", "false"},
		{[]string{"169.254.169.254"}, "169.254.169.254", "169.254.169.254", "1", "link_local", "false", "false"},
		{[]string{"fe80::1"}, "fe80::1", "fe80::1", "1", "link_local", "false", "false"},
		{[]string{"::ffff:10.1.2.3"}, "::ffff:10.1.2.3", "::ffff:10.1.2.3", "1", "private", "false", "true"},
		{[]string{"2600:1f18::1"}, "2600:1f18::1", "2600:1f18::1", "1", "public", "true", "false"},
		{[]string{"2001:db8::1"}, "2001:db8::1", "2001:db8::1", "1", "other", "false", "false"},
		{[]string{"0.0.0.0"}, "0.0.0.0", "0.0.0.0", "1", "other", "false", "false"},
		{[]string{"224.0.0.1"}, "224.0.0.1", "224.0.0.1", "1", "other", "false", "false"},
		{[]string{"bogus"}, "bogus", "bogus", "1", "other", "false", ""},
		{[]string{}, "", "", "", "", "", ""},
	}
	withNet := tables
	p, _, _ := enrichTrusted(t, "10.1.0.0/16")
	withNet.TrustedNetworks = p
	for _, tc := range cases {
		out, _ := enrichWith(t, withNet, rawRec(t, with(b, obj{"sourceIPs": tc.ips})))
		got := []string{field(out, "src_ip"), field(out, "k8s_src_ip_conn"), field(out, "k8s_src_ip_count"), field(out, "k8s_src_ip_class"), field(out, "k8s_src_is_public"), field(out, "k8s_src_trusted")}
		want := []string{tc.ip, tc.conn, tc.count, tc.class, tc.pub, tc.trs}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%v: got %q, want %q", tc.ips, got, want)
				break
			}
		}
	}
}

func enrichTrusted(t *testing.T, cidr string) ([]netipPrefix, bool, error) {
	t.Helper()
	p, err := parsePrefix(cidr)
	return []netipPrefix{p}, true, err
}

// TestUserAgent covers the shipped user agent lookup and the suspicious
// rules.
func TestUserAgent(t *testing.T) {
	b := baseEvent()
	cases := []struct {
		ua, tool, cat, version, os, arch, suspicious string
		user                                         obj
	}{
		{"kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46", "kubectl", "interactive_cli", "v1.31.2", "darwin", "arm64", "false", user("alice", "ops")},
		{"kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "kubectl", "interactive_cli", "v1.31.2", "linux", "amd64", "true", nil},
		{"kubelet/v1.31.2-eks-7f9249a (linux/amd64) kubernetes/7f9249a", "kubelet", "node", "v1.31.2-eks-7f9249a", "linux", "amd64", "false", nil},
		{"Helm/3.13.2", "helm", "interactive_cli", "3.13.2", "", "", "false", nil},
		{"kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election", "kube-controller-manager", "control_plane", "v1.31.2", "linux", "amd64", "false", nil},
		{"coredns/v1.11.3 (linux/amd64) kubernetes/$Format", "client-go", "controller", "v1.11.3", "linux", "amd64", "false", nil},
		{"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22", "aws-sdk", "sdk_generic", "1.30.0", "", "", "false", nil},
		{"Go-http-client/2.0", "go-http-client", "sdk_generic", "2.0", "", "", "false", nil},
		{"python-requests/2.31.0", "python", "sdk_generic", "2.31.0", "", "", "false", nil},
		{"curl/8.5.0", "curl", "scripting", "8.5.0", "", "", "true", nil},
		{"Mozilla/5.0 (X11; Linux x86_64)", "browser", "browser", "5.0", "", "", "true", nil},
		{"kube-hunter/0.6.8", "scanner", "scanner", "0.6.8", "", "", "true", nil},
		{"Python-urllib/3.11 trufflehog", "scanner", "scanner", "3.11", "", "", "true", nil},
		{"AWS Security Scanner", "aws-security-scanner", "scanner", "", "", "", "true", nil},
		{"", "none", "none", "", "", "", "true", nil},
		{"something-else", "other", "other", "", "", "", "false", nil},
	}
	tables := shippedTables(t)
	for _, tc := range cases {
		ev := with(b, obj{"userAgent": tc.ua})
		if tc.user != nil {
			ev = with(ev, obj{"user": tc.user})
		}
		out, _ := enrichWith(t, tables, rawRec(t, ev))
		got := []string{field(out, "k8s_ua_tool"), field(out, "k8s_ua_category"), field(out, "k8s_ua_version"), field(out, "k8s_client_os"), field(out, "k8s_client_arch"), field(out, "k8s_ua_suspicious")}
		want := []string{tc.tool, tc.cat, tc.version, tc.os, tc.arch, tc.suspicious}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: got %q, want %q", tc.ua, got, want)
				break
			}
		}
	}
	// With the user's own trusted user agents, anything else is suspicious.
	custom := tables
	custom.TrustedUserAgents, custom.CustomUserAgents = enrich.NewPatterns("kubectl/*"), true
	for ua, want := range map[string]string{"kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46": "false", "Go-http-client/2.0": "true"} {
		out, _ := enrichWith(t, custom, rawRec(t, with(b, obj{"userAgent": ua, "user": user("alice")})))
		if got := field(out, "k8s_ua_suspicious"); got != want {
			t.Errorf("custom list, %q: suspicious %q, want %q", ua, got, want)
		}
	}
}

// TestUserAgent_PlatformSuffixesAndBareNames takes every tool the shipped
// lookup names by a plain product name and checks it is recognised however
// it was started: as Windows names it (kubectl.exe/v1.28.2 (windows/amd64)
// ..., any case), and bare, without a version (kubectl, kubectl.exe).
func TestUserAgent_PlatformSuffixesAndBareNames(t *testing.T) {
	tables := shippedTables(t)
	rows := readLookup(t, "kubelens_user_agents_default.csv")
	plain := regexp.MustCompile(`^(?:\(\?i\))?\^([A-Za-z][A-Za-z0-9_-]*)/?$`)
	tried := 0
	for _, row := range rows {
		m := plain.FindStringSubmatch(row[0])
		if m == nil {
			continue
		}
		name, tool := m[1], row[1]
		uas := []string{
			name + ".exe/v1.28.2 (windows/amd64) kubernetes/89182bd",
			name + ".EXE/v1.28.2 (windows/arm64) kubernetes/89182bd",
			name,
			name + ".exe",
		}
		if strings.ToLower(name) == name {
			uas = append(uas, strings.ToUpper(name)+".EXE/v1.28.2 (windows/amd64) kubernetes/89182bd")
		}
		for _, ua := range uas {
			tried++
			out, _ := enrichWith(t, tables, rawRec(t, with(baseEvent(), obj{"userAgent": ua, "user": user("alice", "ops")})))
			if got := field(out, "k8s_ua_tool"); got != tool {
				t.Errorf("%q: tool %q, want %q", ua, got, tool)
			}
			if strings.Contains(ua, "windows") && field(out, "k8s_client_os") != "windows" {
				t.Errorf("%q: client os %q", ua, field(out, "k8s_client_os"))
			}
		}
	}
	if tried < 20 {
		t.Fatalf("only %d user agents tried: the shipped lookup's patterns changed shape", tried)
	}
}

func readLookup(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "lookups", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// TestSourceIPClass_SpecialPurposeRegistries checks addresses at the edges
// of every entry of IANA's IPv4 and IPv6 special-purpose address
// registries: the "Globally Reachable" column decides public, and a
// non-reachable entry is loopback, link_local or private where it is one,
// else other.
func TestSourceIPClass_SpecialPurposeRegistries(t *testing.T) {
	cases := map[string]string{
		// IPv4, first and last address of each entry, and neighbours.
		"0.0.0.0": "other", "0.255.255.255": "other", "1.0.0.0": "public",
		"9.255.255.255": "public", "10.0.0.0": "private", "10.255.255.255": "private", "11.0.0.0": "public",
		"100.63.255.255": "public", "100.64.0.0": "private", "100.127.255.255": "private", "100.128.0.0": "public",
		"127.0.0.0": "loopback", "127.255.255.255": "loopback",
		"169.254.0.0": "link_local", "169.254.255.255": "link_local", "169.255.0.0": "public",
		"172.15.255.255": "public", "172.16.0.0": "private", "172.31.255.255": "private", "172.32.0.0": "public",
		"192.0.0.0": "other", "192.0.0.8": "other", "192.0.0.9": "public", "192.0.0.10": "public", "192.0.0.11": "other", "192.0.0.170": "other", "192.0.0.255": "other",
		"192.0.2.0": "other", "192.0.2.255": "other", "192.0.3.0": "public",
		"192.31.196.1": "public", "192.52.193.1": "public", "192.88.99.1": "other",
		"192.167.255.255": "public", "192.168.0.0": "private", "192.168.255.255": "private", "192.169.0.0": "public",
		"192.175.48.1":   "public",
		"198.17.255.255": "public", "198.18.0.0": "other", "198.19.255.255": "other", "198.20.0.0": "public",
		"198.51.100.0": "other", "198.51.100.255": "other", "203.0.113.0": "other", "203.0.113.255": "other", "203.0.114.0": "public",
		"224.0.0.1": "other", "239.255.255.255": "other",
		"240.0.0.0": "other", "255.255.255.254": "other", "255.255.255.255": "other",
		// IPv6
		"::": "other", "::1": "loopback", "::2": "public", "::ffff:192.0.2.1": "other", "::ffff:8.8.8.8": "public",
		"64:ff9b::1": "public", "64:ff9b:1::1": "other", "100::1": "other", "100:0:0:1::1": "other",
		"2001::1": "other", "2001:1::1": "public", "2001:1::2": "public", "2001:1::3": "public", "2001:1::4": "other",
		"2001:2::1": "other", "2001:3::1": "public", "2001:4:112::1": "public", "2001:10::1": "other",
		"2001:20::1": "public", "2001:30::1": "public", "2001:db8::": "other", "2001:db8:ffff::1": "other", "2001:db9::1": "public",
		"2002::1": "other", "2620:4f:8000::1": "public", "3fff::1": "other", "3fff:fff::1": "other", "3fff:1000::1": "public",
		"5f00::1": "other", "fc00::1": "private", "fdff::1": "private", "fe80::1": "link_local", "fe80::1%eth0": "link_local",
		"febf::1": "link_local", "fec0::1": "public", "ff02::1": "other", "2600:1f18::1": "public",
	}
	tables := shippedTables(t)
	for ip, want := range cases {
		out, _ := enrichWith(t, tables, rawRec(t, with(baseEvent(), obj{"sourceIPs": []string{ip}})))
		if got := field(out, "k8s_src_ip_class"); got != want {
			t.Errorf("%s: class %q, want %q", ip, got, want)
		}
		if got, pub := field(out, "k8s_src_is_public"), fmt.Sprint(want == "public"); got != pub {
			t.Errorf("%s: public %q, want %q", ip, got, pub)
		}
	}
}
