package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runReplay runs "kubeenrich replay" with args and returns its stdout,
// stderr and exit code.
func runReplay(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary(t, "kubeenrich"), append([]string{"replay"}, args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// TestReplay_FlagsAfterFile verifies flags are read wherever they are:
// before FILE, after it, and among the SPL options.
func TestReplay_FlagsAfterFile(t *testing.T) {
	sample := filepath.Join(repoRoot(t), "app", "samples", "eks_audit_events.jsonl")
	for _, args := range [][]string{
		{"--json", sample, "fields=identity"},
		{sample, "--json", "fields=identity"},
		{sample, "fields=identity", "--json"},
		{sample, "fields=identity", "--json", "--cluster", "prod"},
		{sample, "fields=identity", "--json", "--cluster=prod"},
	} {
		out, stderr, code := runReplay(t, args...)
		if code != 0 {
			t.Errorf("%q: exit %d: %s", args, code, stderr)
			continue
		}
		first, _, _ := strings.Cut(out, "\n")
		var rec map[string]any
		if err := json.Unmarshal([]byte(first), &rec); err != nil {
			t.Errorf("%q: the output is not JSON lines: %v", args, err)
			continue
		}
		if _, ok := rec["k8s_user_kind"]; !ok {
			t.Errorf("%q: no identity fields in %v", args, rec)
		}
		if _, ok := rec["k8s_outcome"]; ok {
			t.Errorf("%q: fields=identity was not applied", args)
		}
	}
	// After "--", a word that looks like a flag is an argument.
	_, stderr, code := runReplay(t, "--", sample, "--json")
	if code == 0 || !strings.Contains(stderr, `"--json"`) {
		t.Errorf("after --: exit %d, stderr %q; want --json taken as an SPL option and refused", code, stderr)
	}
}

// TestReplay_BadFlagsRefused verifies flags the enricher could not honour
// are refused before anything runs, each error said once.
func TestReplay_BadFlagsRefused(t *testing.T) {
	sample := filepath.Join(repoRoot(t), "app", "samples", "eks_audit_events.jsonl")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lookups", filepath.Join(t.TempDir(), "nope"), sample}, "--lookups"},
		{[]string{"--lookups", sample, sample}, "--lookups"}, // a file, not a folder
		{[]string{"--region", "useast1", sample}, "--region"},
		{[]string{"--region", "US-EAST-1", sample}, "--region"},
		{[]string{"--region", "", sample}, "--region"},
		{[]string{"--cluster", "a/b", sample}, "--cluster"},
		{[]string{"--cluster", "a:b", sample}, "--cluster"},
		{[]string{"--cluster", "", sample}, "--cluster"},
		{[]string{"--chunk", "0", sample}, "--chunk"},
		{[]string{sample, "bogus=1"}, "bogus"},
		{[]string{sample, "fields=nothing"}, "nothing"},
	} {
		out, stderr, code := runReplay(t, tc.args...)
		if code == 0 || out != "" {
			t.Errorf("%q: exit %d with output %q, want a refusal", tc.args, code, out)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: stderr %q does not name %s", tc.args, stderr, tc.want)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		seen := map[string]bool{}
		for _, l := range lines {
			key := l[strings.Index(l, tc.want):]
			if seen[key] {
				t.Errorf("%q: the error is said twice:\n%s", tc.args, stderr)
			}
			seen[key] = true
		}
	}
}

// TestReplay_LegacyTimestamp verifies v1alpha1 and v1beta1 events, which
// carry one top-level timestamp instead of stage timestamps, get their
// _time from it.
func TestReplay_LegacyTimestamp(t *testing.T) {
	file := filepath.Join(t.TempDir(), "old.jsonl")
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","metadata":{"creationTimestamp":"2017-09-01T10:00:00Z"},"level":"Metadata","timestamp":"2017-09-01T10:00:00.250000Z","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"admin"},"sourceIPs":["10.0.0.1"],"objectRef":{"resource":"pods"}}`
	if err := os.WriteFile(file, []byte(ev+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runReplay(t, "--json", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &rec); err != nil {
		t.Fatal(err)
	}
	if got := rec["_time"]; got != "1504260000.250000" {
		t.Errorf("_time = %v, want 1504260000.250000 (2017-09-01T10:00:00.25Z)", got)
	}
}

// TestReplay_ClosedPipeIsQuiet verifies "replay ... | head" ends quietly
// when head stops reading.
func TestReplay_ClosedPipeIsQuiet(t *testing.T) {
	// Enough events that the output exceeds any pipe buffer.
	file := filepath.Join(t.TempDir(), "many.jsonl")
	sample, err := os.ReadFile(filepath.Join(repoRoot(t), "app", "samples", "eks_audit_events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Repeat(string(sample), 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t, "kubeenrich"), "replay", "--json", file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "{") {
		t.Fatalf("first line %q: %v", line, err)
	}
	stdout.Close() // what head does after its lines
	err = cmd.Wait()
	if err != nil {
		t.Errorf("exit: %v", err)
	}
	if strings.Contains(stderr.String(), "broken pipe") || strings.Contains(stderr.String(), "kubeenrich replay:") {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// TestReplay_BrokenValueEndsAfterTheRecordsBeforeIt verifies that a value
// that cannot be read, after good records that fill several chunks, ends
// the replay with exit 1 and an error naming the file and the value: JSON
// lines of every record before it are printed, a table is not.
func TestReplay_BrokenValueEndsAfterTheRecordsBeforeIt(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join(repoRoot(t), "app", "samples", "eks_audit_events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	good := strings.Count(string(sample), "\n") * 3
	file := filepath.Join(t.TempDir(), "broken.jsonl")
	if err := os.WriteFile(file, []byte(strings.Repeat(string(sample), 3)+"{broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runReplay(t, "--json", "--chunk", "7", file)
	want := fmt.Sprintf("kubeenrich replay: %s: JSON value %d: ", file, good+1)
	if code != 1 || !strings.Contains(stderr, want) || strings.Count(out, "\n") != good {
		t.Errorf("--json: exit %d, %d lines, stderr %q; want 1, %d lines and %q", code, strings.Count(out, "\n"), stderr, good, want)
	}
	out, stderr, code = runReplay(t, "--chunk", "7", file)
	if code != 1 || !strings.Contains(stderr, want) || out != "" {
		t.Errorf("table: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}
