package lookups_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoad_Shipped verifies the app's default lookups load and say what
// the README says they do.
func TestLoad_Shipped(t *testing.T) {
	tb, used, err := lookups.Load(filepath.Join("..", "..", "lookups"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lookups.All {
		if filepath.Base(used[l.Name]) != l.DefaultFile() {
			t.Errorf("%s: used %q, want the shipped default", l.Name, used[l.Name])
		}
	}
	if len(tb.UserAgents) < 10 || len(tb.Sensitivity) < 10 || !tb.TrustedUsers.Match("ADMIN") || !tb.TrustedImages.Match("falco-7x2") || tb.CustomUserAgents {
		t.Errorf("shipped tables: %d user agent rules, %d sensitivity rules", len(tb.UserAgents), len(tb.Sensitivity))
	}
}

// TestLoad_UserCopyWins verifies a user's <name>.csv replaces the default,
// and that a custom trusted user agents list is flagged as such.
func TestLoad_UserCopyWins(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "kubelens_trusted_users_default.csv", "user,description\nadmin,x\n")
	write(t, dir, "kubelens_trusted_users.csv", "user,description\nci-*,our CI\n")
	write(t, dir, "kubelens_trusted_user_agents.csv", "user_agent,description\nkubectl/*,\n")
	write(t, dir, "kubelens_trusted_networks.csv", "cidr,description\n10.0.0.0/8,VPC\n192.0.2.1,bastion\n")
	tb, used, err := lookups.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tb.TrustedUsers.Match("admin") || !tb.TrustedUsers.Match("ci-deployer") || filepath.Base(used["kubelens_trusted_users"]) != "kubelens_trusted_users.csv" {
		t.Errorf("user copy did not win: %v", used)
	}
	if !tb.CustomUserAgents || len(tb.TrustedNetworks) != 2 || tb.TrustedNetworks[1].Bits() != 32 {
		t.Errorf("custom user agents %v, networks %v", tb.CustomUserAgents, tb.TrustedNetworks)
	}
	// Absent lookups are no error: empty tables.
	if len(tb.UserAgents) != 0 || used["kubelens_user_agents"] != "" {
		t.Errorf("absent user agents lookup: %d rules from %q", len(tb.UserAgents), used["kubelens_user_agents"])
	}
}

// TestLoad_Malformed verifies a bad lookup is an error naming the file and
// the line.
func TestLoad_Malformed(t *testing.T) {
	cases := []struct{ file, content, want string }{
		{"kubelens_user_agents.csv", "pattern,tool,category\n^kubectl/,kubectl,interactive_cli\n^(broken,x,other\n", "kubelens_user_agents.csv line 3: enrich: pattern \"^(broken\""},
		{"kubelens_user_agents.csv", "pattern,tool,category\n^x,x,sneaky\n", "line 2: enrich: category \"sneaky\""},
		{"kubelens_user_agents.csv", "regex,tool,category\n", "line 1: header is regex,tool,category, want pattern,tool,category"},
		{"kubelens_user_agents.csv", "", "is empty"},
		{"kubelens_sensitive_resources.csv", "resource,subresource,verb_class,namespace,name,sensitivity\nsecrets,*,*,*,*,extreme\n", "line 2: enrich: sensitivity \"extreme\""},
		{"kubelens_sensitive_resources.csv", "resource,subresource,verb_class,namespace,name,sensitivity\nsecrets,*,steal,*,*,high\n", "line 2: enrich: action \"steal\""},
		{"kubelens_sensitive_resources.csv", "resource,subresource,verb_class,namespace,name,sensitivity\nsecrets,*\n", "line 2: 2 fields, want 6"},
		{"kubelens_trusted_networks.csv", "cidr,description\n10.0.0.0/33,bad\n", "line 2: \"10.0.0.0/33\" is not a CIDR network"},
		{"kubelens_trusted_networks.csv", "cidr,description\nvpc,bad\n", "line 2: \"vpc\" is not an IP address"},
		{"kubelens_trusted_users.csv", "user,description\n\"unclosed,x\n", "kubelens_trusted_users.csv"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:nope,kubelens,x,50,,user,src_ip,m\n", "line 2: enrich: signal \"kubelens:nope\": kubeenrich has no such kubelens signal"},
		{"kubelens_risk_signals.csv", riskHeader + "exec_session,kubelens,x,50,,user,src_ip,m\n", "line 2: enrich: signal \"exec_session\" is not <kind>:<name>"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,escu,x,50,,user,src_ip,m\n", "kind is \"escu\", want \"kubelens\""},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,150,,user,src_ip,m\n", "score \"150\" is not a whole number from 0 to 100"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,high,,user,src_ip,m\n", "score \"high\""},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,T16O9,user,src_ip,m\n", "\"T16O9\" is not an ATT&CK technique id"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,,pod,src_ip,m\n", "risk_object_field \"pod\" is not one of k8s_cluster, src_ip, user"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,,user,user,m\n", "threat_object_field \"user\""},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,,user,src_ip,exec by $k8s_user$\n", "$k8s_user$ is not one of the tokens"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,,user,src_ip,costs $5\n", "a $ without its closing $"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,,user,src_ip,\n", "empty message"},
		{"kubelens_risk_signals.csv", riskHeader + "kubelens:exec_session,kubelens,x,50,,user,src_ip,a\nkubelens:exec_session,kubelens,x,60,,user,src_ip,b\n", "line 3: signal \"kubelens:exec_session\" has a row already"},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		write(t, dir, tc.file, tc.content)
		_, _, err := lookups.Load(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
			t.Errorf("%s %q: error %v, want one containing %q and the file name", tc.file, tc.content, err, tc.want)
		}
	}
}

const riskHeader = "signal,kind,title,score,mitre_technique_id,risk_object_field,threat_object_field,message\n"

// TestLoad_RiskSignalsShipped verifies the shipped risk model has exactly
// one row per signal kubeenrich produces, each titled with its detection's,
// finding's or rule's name.
func TestLoad_RiskSignalsShipped(t *testing.T) {
	tb, _, err := lookups.Load(filepath.Join("..", "..", "lookups"))
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, d := range enrich.Detections {
		titles[d.Signal()] = d.Name
	}
	for _, f := range enrich.Findings {
		titles[f.Signal()] = f.Title
	}
	for _, r := range enrich.FalcoRules() {
		titles[enrich.FalcoSignal(r.Name)] = r.Name
	}
	rows := map[string]bool{}
	for _, r := range tb.RiskSignals {
		rows[r.Signal] = true
		if want := titles[r.Signal]; r.Title != want {
			t.Errorf("%s: title %q, want %q", r.Signal, r.Title, want)
		}
		if r.RiskObjectField != "user" || r.ThreatObjectField != "src_ip" {
			t.Errorf("%s: risk object %q, threat object %q: every shipped signal scores the user, with the source IP as threat", r.Signal, r.RiskObjectField, r.ThreatObjectField)
		}
		if r.Score == 0 && r.Kind != enrich.SignalFalco {
			t.Errorf("%s: score 0: only Falco rules that judge by a sample allow-list ship unscored", r.Signal)
		}
	}
	for _, name := range enrich.SignalNames() {
		if !rows[name] {
			t.Errorf("%s has no row in the shipped risk signals lookup", name)
		}
	}
	if len(rows) != len(enrich.SignalNames()) {
		t.Errorf("%d rows for %d signals", len(rows), len(enrich.SignalNames()))
	}
}

// TestDir finds the lookups folder from where Splunk runs the binary.
func TestDir(t *testing.T) {
	app := t.TempDir()
	for _, d := range []string{"lookups", "linux_x86_64/bin", "bin"} {
		if err := os.MkdirAll(filepath.Join(app, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(app, "lookups"))
	for _, exe := range []string{"linux_x86_64/bin/kubeenrich", "bin/kubeenrich"} {
		got, _ := filepath.EvalSymlinks(lookups.Dir(filepath.Join(app, exe)))
		if got != want {
			t.Errorf("Dir(%s) = %q, want %q", exe, got, want)
		}
	}
	if got := lookups.Dir(filepath.Join(t.TempDir(), "kubeenrich")); got != "" {
		t.Errorf("Dir outside an app = %q, want empty", got)
	}
}

// FuzzLoad verifies no lookup content makes Load panic.
func FuzzLoad(f *testing.F) {
	f.Add("pattern,tool,category\n^kubectl/,kubectl,interactive_cli\n")
	f.Add("pattern,tool,category\n\"unclosed\n")
	f.Add("resource,subresource,verb_class,namespace,name,sensitivity\nsecrets,*,*,*,*,critical\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		for _, l := range lookups.All {
			if err := os.WriteFile(filepath.Join(dir, l.DefaultFile()), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		lookups.Load(dir)
	})
}

// TestShippedToolsAreDocumented verifies every tool of the shipped user
// agents lookup is in k8s_ua_tool's documented vocabulary.
func TestShippedToolsAreDocumented(t *testing.T) {
	f, err := os.ReadFile(filepath.Join("..", "..", "lookups", lookups.UserAgents.DefaultFile()))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(f)), "\n")[1:] {
		parts := strings.Split(line, ",")
		tool := parts[len(parts)-2]
		if !slices.Contains(enrich.UATools, tool) {
			t.Errorf("line %d: tool %q is not in enrich.UATools", i+2, tool)
		}
	}
}
