package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestKubeenrich_Version verifies the binary reports the VERSION file.
func TestKubeenrich_Version(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(repoRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary(t, "kubeenrich"), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("KUBELENS_BIN_DIR") == "" {
		t.Skip("binary built without the Makefile's version stamp")
	}
	if got := strings.TrimSpace(string(out)); got != "kubeenrich "+strings.TrimSpace(string(want)) {
		t.Errorf("--version printed %q, want kubeenrich %s", got, want)
	}
}

// TestKubeenrich_ReplayDemo runs what "make demo" runs and checks one row
// per sample event under the table header.
func TestKubeenrich_ReplayDemo(t *testing.T) {
	sample := filepath.Join(repoRoot(t), "app", "samples", "eks_audit_events.jsonl")
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	events := strings.Count(string(data), "\n")
	cmd := exec.Command(binary(t, "kubeenrich"), "replay", sample)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != events+2 {
		t.Fatalf("%d lines, want a header, a rule and %d rows:\n%s", len(lines), events, out)
	}
	for _, col := range []string{"_time", "platform", "cluster", "user_kind", "src_ip"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	if !strings.Contains(string(out), "anonymous") || !strings.Contains(string(out), "iam_mapped") {
		t.Errorf("the demo output lacks the sample's principals:\n%s", out)
	}
}

// TestKubeenrich_SplunkdSimulator runs ../shared/tools/splunkd-sim.py, which
// validates every reply the way splunkd would, with the chunk shapes it
// knows: full chunks, irregular ones, a final empty chunk, selected-fields
// mode with _chunked_idx.
func TestKubeenrich_SplunkdSimulator(t *testing.T) {
	sim := sharedDir(t, "tools", "splunkd-sim.py")
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	runs := [][]string{
		{"--records", "3000", "--chunk", "1000"},
		{"--records", "3000", "--chunk-pattern", "1638,861,1,500", "--final-empty"},
		{"--records", "1000", "--chunk", "300", "--fields", "_raw,source,sourceIPs{}", "--chunked-idx"},
		{"--records", "500", "--chunk", "500", "--arg", "prefix=kl_", "--arg", "fields=source,identity"},
	}
	for _, args := range runs {
		expect := []string{"--expect-field", "k8s_user_kind", "--expect-field", "k8s_src_ip_class", "--expect-field", "eks_cluster_name"}
		if strings.Contains(strings.Join(args, " "), "prefix=kl_") {
			expect = []string{"--expect-field", "kl_k8s_user_kind", "--expect-field", "kl_src_ip"}
		}
		full := append([]string{sim, "--quiet", "--cache-dir", t.TempDir()}, args...)
		full = append(full, expect...)
		full = append(full, "--", binary(t, "kubeenrich"))
		cmd := exec.Command(py, full...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("splunkd-sim %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestKubeenrich_ReplayGoldenThroughBinary runs the bundled sample through
// the built binary, several chunks of it, and compares the JSON lines with
// the golden file the replay package's test reviews.
func TestKubeenrich_ReplayGoldenThroughBinary(t *testing.T) {
	root := repoRoot(t)
	out, err := exec.Command(binary(t, "kubeenrich"), "replay", "--json", "--chunk", "7", "--lookups", filepath.Join(root, "lookups"),
		filepath.Join(root, "app", "samples", "eks_audit_events.jsonl")).Output()
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join(root, "src", "replay", "testdata", "demo.jsonl.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(golden) {
		t.Errorf("the binary's output differs from src/replay/testdata/demo.jsonl.golden")
	}
}

// TestKubeenrich_SeedDetectionsFireExactly verifies the two seed
// detections fire on exactly the sample events they describe: the pod
// scan only on the anonymous listing of /api/v1/pods (not on
// /api/v1/pods?limit=500), the suspicious kubectl calls on every
// anonymous event in group system:unauthenticated.
func TestKubeenrich_SeedDetectionsFireExactly(t *testing.T) {
	root := repoRoot(t)
	sample := filepath.Join(root, "app", "samples", "eks_audit_events.jsonl")
	out, err := exec.Command(binary(t, "kubeenrich"), "replay", "--json", "--fields", "k8s_audit_id,k8s_detections", sample).Output()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	events := strings.Split(strings.TrimSpace(string(data)), "\n")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(events) {
		t.Fatalf("%d results for %d events", len(lines), len(events))
	}
	for i, line := range lines {
		var got struct {
			Detections any `json:"k8s_detections"`
		}
		var ev struct {
			RequestURI string `json:"requestURI"`
			Verb       string `json:"verb"`
			User       struct {
				Username string   `json:"username"`
				Groups   []string `json:"groups"`
			} `json:"user"`
			ObjectRef struct {
				Resource string `json:"resource"`
			} `json:"objectRef"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(events[i]), &ev); err != nil {
			t.Fatal(err)
		}
		dets := fmt.Sprint(got.Detections)
		anonymous := ev.User.Username == "system:anonymous" && slices.Contains(ev.User.Groups, "system:unauthenticated")
		podScan := anonymous && ev.Verb == "list" && ev.ObjectRef.Resource == "pods" && ev.RequestURI == "/api/v1/pods"
		if got := strings.Contains(dets, "Amazon EKS Kubernetes Pod scan detection"); got != podScan {
			t.Errorf("event %d (%s %s by %s): pod scan detection %v, want %v", i+1, ev.Verb, ev.RequestURI, ev.User.Username, got, podScan)
		}
		if got := strings.Contains(dets, "Kubernetes AWS detect suspicious kubectl calls"); got != anonymous {
			t.Errorf("event %d (%s): suspicious kubectl calls %v, want %v", i+1, ev.User.Username, got, anonymous)
		}
	}
}
