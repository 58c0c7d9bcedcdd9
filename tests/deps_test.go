package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestKubeenrich_LinksNoAWSSDK verifies the search command, which starts
// once per search on every indexer, does not link the AWS SDK or anything
// else beyond what it needs.
func TestKubeenrich_LinksNoAWSSDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./src/cmd/kubeenrich")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/aws/", "github.com/splunk/splunk-cloud-sdk-go", "github.com/vmihailenco/msgpack"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("kubeenrich depends on %s", dep)
			}
		}
	}
}

// TestEksLogs_LinksSCSSDK verifies the service's SCS sink is where the
// Splunk Cloud Services SDK is linked: in eks_logs, and only through
// package sink/scs.
func TestEksLogs_LinksSCSSDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./src/cmd/eks_logs")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "github.com/splunk/splunk-cloud-sdk-go/services/ingest") {
		t.Error("eks_logs does not link the SDK's ingest service")
	}
	cmd = exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./src/...")
	cmd.Dir = repoRoot(t)
	out, err = cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if strings.Contains(imports, "github.com/splunk/splunk-cloud-sdk-go") && !strings.HasSuffix(pkg, "/src/sink/scs") {
			t.Errorf("%s imports the SCS SDK; only src/sink/scs may", pkg)
		}
	}
}
