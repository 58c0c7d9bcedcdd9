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
