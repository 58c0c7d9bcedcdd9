package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/chunked"
)

// Benchmarks of the built kubeenrich against a baseline in the same run:
// the same binary adding only the EKS fields (the protocol's own cost),
// and, where the team's reference tools are at hand, the Python command
// the protocol notes measured (../shared/tools/baseline-srcipclass.py).
// Each reports records/s, MB/s of input and the process's peak RSS.

const (
	benchRecords = 100_000
	benchChunk   = 50_000 // splunkd's default maxresultrows
)

var (
	benchOnce   sync.Once
	benchData   []byte
	benchErr    error
	benchFields int
)

// benchStream is a splunkd stream of realistic EKS audit events: the
// bundled samples varied in id, source address, user and time, indexed as
// eks_logs would, with the fields KV_MODE=json extracts, written in
// splunkd's CSV style.
func benchStream(b *testing.B) []byte {
	b.Helper()
	benchOnce.Do(func() {
		benchData, benchErr = buildBenchStream(filepath.Join(repoRoot(b), "app", "samples", "eks_audit_events.jsonl"))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData
}

func buildBenchStream(sample string) ([]byte, error) {
	recs, err := benchdata.Records(sample, benchRecords)
	if err != nil {
		return nil, err
	}
	stream, cols := benchdata.Stream(recs, benchChunk, []byte(getinfoMeta()))
	benchFields = cols
	return stream, nil
}

// runCommand feeds the stream to a command and measures it. Peak memory
// is the command's VmHWM, read after its last reply and before its stdin
// closes: the rusage of a child forked from this large test process would
// report this process's peak instead.
func runCommand(b *testing.B, stream []byte, argv ...string) {
	b.Helper()
	requests := 0
	for r := chunked.NewReader(bytes.NewReader(stream)); ; requests++ {
		if _, err := r.ReadChunk(); err != nil {
			break
		}
	}
	b.SetBytes(int64(len(stream)))
	var peakKB int64
	start := time.Now()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		in, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		go func() { in.Write(stream) }()
		replies := chunked.NewReader(bufio.NewReaderSize(out, 1<<20))
		for n := 0; n < requests; n++ {
			if _, err := replies.ReadChunk(); err != nil {
				b.Fatalf("%v: reply %d: %v\n%s", argv, n, err, stderr.String())
			}
		}
		peakKB = max(peakKB, vmHWM(cmd.Process.Pid))
		in.Close()
		if err := cmd.Wait(); err != nil {
			b.Fatalf("%v: %v\n%s", argv, err, stderr.String())
		}
	}
	elapsed := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(float64(benchRecords)/elapsed, "records/s")
	if peakKB > 0 {
		b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
	}
	b.ReportMetric(float64(benchFields), "input-columns")
}

// vmHWM is a process's peak resident set size in KiB (Linux), 0 elsewhere.
func vmHWM(pid int) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb
		}
	}
	return 0
}

func BenchmarkKubeenrich(b *testing.B) {
	stream := benchStream(b)
	bin := binary(b, "kubeenrich")
	b.Run("all-fields", func(b *testing.B) { runCommand(b, stream, bin) })
	b.Run("baseline-eks-fields-only", func(b *testing.B) {
		runCommand(b, withArgs(b, stream, "fields=eks"), bin)
	})
	b.Run("baseline-python-stdlib", func(b *testing.B) {
		script := sharedDir(b, "tools", "baseline-srcipclass.py")
		py, err := exec.LookPath("python3")
		if err != nil {
			b.Skip("python3 is not installed")
		}
		runCommand(b, stream, py, script)
	})
}

// withArgs replaces the SPL arguments of the stream's getinfo.
func withArgs(b *testing.B, stream []byte, args ...string) []byte {
	b.Helper()
	r := chunked.NewReader(bytes.NewReader(stream))
	first, err := r.ReadChunk()
	if err != nil {
		b.Fatal(err)
	}
	rest := stream[len(fmt.Sprintf("chunked 1.0,%d,0\n", len(first.Meta)))+len(first.Meta):]
	gi := getinfoMeta(args...)
	return append([]byte(fmt.Sprintf("chunked 1.0,%d,0\n%s", len(gi), gi)), rest...)
}
