package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/benchrun"
)

// TestBenchHarness runs make bench's harness end to end on a small
// stream, one round, against the built binaries: what make bench prints,
// what SAVE=1 writes, and that the pass-through's echo and kubeenrich's
// replies pass the harness's protocol checks. The timings themselves are
// not tested; make bench is not part of make test.
func TestBenchHarness(t *testing.T) {
	kubebench := binary(t, "kubebench")
	// kubeenrich finds the app's lookups from its real path.
	bin := t.TempDir()
	for _, name := range []string{"kubeenrich", "passthrough", "eks_logs"} {
		if err := os.Symlink(binary(t, name), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if out, err := exec.Command(kubebench, "gen", "-dir", dir, "-events", "3000", "-small", "500", "-large", "1500", "-startup", "20").CombinedOutput(); err != nil {
		t.Fatalf("kubebench gen: %v\n%s", err, out)
	}
	m, err := benchdata.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Streams) != 3 || m.Streams[0].Name != "full-500" || m.Streams[1].Name != "full-1500" || m.Streams[2].Name != "raw-500" {
		t.Fatalf("streams %+v", m.Streams)
	}
	gobench := filepath.Join(dir, "gobench.txt")
	os.WriteFile(gobench, []byte("BenchmarkDecodeTable-2   44   34201789 ns/op\n"), 0o644)
	results := filepath.Join(t.TempDir(), "bench", "RESULTS.md")
	cmd := exec.Command(kubebench, "run", "-dir", dir, "-bin", bin, "-rounds", "1", "-startup-runs", "2",
		"-eks-events", "2000", "-eks-limited-events", "1600", "-eks-steady-rate", "200", "-eks-steady-warmup", "3s", "-eks-steady-measure", "2s",
		"-python", filepath.Join(dir, "absent.py"),
		"-repo", repoRoot(t), "-save", results, "-gobench", gobench)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubebench run: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	report := stdout.String()
	for _, pattern := range []string{
		`(?m)^\| full-500 \| pass-through \| [0-9.]+ s \| .* \| 1\.00 \|`,
		`(?m)^\| full-500 \| kubeenrich \| [0-9.]+ s \|`,
		`(?m)^\| full-1500 \| kubeenrich \| [0-9.]+ s \|`,
		`(?m)^\| raw-500 \| kubeenrich \| [0-9.]+ s \|`,
		`(?m)^\| process start → getinfo reply \| [0-9.]+ ms \| [0-9.]+ ms \|$`,
		`(?m)^\| 1000 \| 2,000 \| [0-9,]+ B \|`,
		`(?m)^\| 5 \| 1,600 \| [0-9,]+ B \|`,
		`(?m)^\| full enrichment: wall against the pass-through, full-1500 \| ≤ 1\.5× \| [0-9.]+× \| (pass|miss) \|$`,
		`(?m)^\| kubeenrich peak RSS against the largest chunk, full-1500 \| ≤ 2\.5× \|`,
		`(?m)^\| eks_logs at 5 calls/s: CPU \| < 10% of one core \| [0-9.]+% \| (pass|miss) \|$`,
		`(?m)^\| [0-9,]+ \| [0-9,]+ \| yes \| [0-9.]+ \| [0-9.]+ \| [0-9,]+ \| [0-9.]+% \|$`,
		`(?m)^\| eks_logs at 5 calls/s, steady state .* \| ≥ 95% of [0-9,]+ events/s \| [0-9]+% \([0-9,]+ events/s: each event read [0-9.]+ times\) \| (pass|miss) \|$`,
		`The stdlib Python baseline did not run`,
		`Machine: .*, \d+ cores, go`,
	} {
		if !regexp.MustCompile(pattern).MatchString(report) {
			t.Errorf("the report does not match %s:\n%s", pattern, report)
		}
	}
	saved, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(saved), "# kubelens benchmarks\n") || !strings.Contains(string(saved), "BenchmarkDecodeTable-2") ||
		!strings.Contains(string(saved), report[strings.Index(report, "## kubeenrich against the pass-through"):strings.Index(report, "## Start-up")]) {
		t.Errorf("RESULTS.md:\n%s", saved)
	}
}

// TestBenchHarness_KubeenrichRepliesPassTheChecks measures kubeenrich and
// the pass-through once on every stream, through the harness's checks of
// each reply (the pass-through's with its echo check).
func TestBenchHarness_KubeenrichRepliesPassTheChecks(t *testing.T) {
	dir := t.TempDir()
	m, err := benchdata.Write(dir, benchdata.Options{Events: 400, Seed: 3, Streams: benchdata.StandardStreams(100, 200)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Streams {
		s := &m.Streams[i]
		for _, c := range []benchrun.Command{
			{Name: "kubeenrich", Argv: []string{binary(t, "kubeenrich")}},
			{Name: "pass-through", Argv: []string{binary(t, "passthrough")}, Echo: true},
		} {
			run, err := benchrun.Measure(t.Context(), c, dir, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Execute) != len(s.Chunks)-1 || (c.Echo && run.ReplyBytes >= s.Bytes) || (!c.Echo && run.ReplyBytes <= s.Bytes) {
				t.Errorf("%s on %s: %d replies, %d bytes for %d", c.Name, s.Name, len(run.Execute), run.ReplyBytes, s.Bytes)
			}
		}
	}
}
