//go:build unix

package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/chunked"
)

const getinfoRequest = `{"action":"getinfo","searchinfo":{"args":[]}}`

// TestKubeenrich_StopsOnSignal sends SIGTERM and SIGINT while the command
// waits for splunkd (before getinfo, between chunks, in the middle of a
// transport header or of a body) and while it enriches a large chunk: it
// must exit within a second with 128 + the signal's number, and what it
// wrote must be whole replies only.
func TestKubeenrich_StopsOnSignal(t *testing.T) {
	big := bigExecuteChunk(t, 20_000)
	states := []struct {
		name    string
		send    func(w io.Writer, r *bufio.Reader) // drives the command into the state
		replies []int                              // acceptable numbers of whole replies
	}{
		{"before getinfo", func(w io.Writer, r *bufio.Reader) {}, []int{0}},
		{"between chunks", func(w io.Writer, r *bufio.Reader) {
			io.WriteString(w, chunk(getinfoRequest, ""))
			readOneReply(t, r)
		}, []int{0}},
		{"inside a transport header", func(w io.Writer, r *bufio.Reader) {
			io.WriteString(w, chunk(getinfoRequest, ""))
			readOneReply(t, r)
			io.WriteString(w, "chunked 1.0,38,")
		}, []int{0}},
		{"inside a body", func(w io.Writer, r *bufio.Reader) {
			io.WriteString(w, chunk(getinfoRequest, ""))
			readOneReply(t, r)
			full := chunk(`{"action":"execute","finished":true}`, "_raw\n\"{}\"\n")
			io.WriteString(w, full[:len(full)-4])
		}, []int{0}},
		{"while enriching", func(w io.Writer, r *bufio.Reader) {
			io.WriteString(w, chunk(getinfoRequest, ""))
			readOneReply(t, r)
			w.Write(big)
		}, []int{0, 1}},
	}
	for _, st := range states {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			t.Run(fmt.Sprintf("%s %v", st.name, sig), func(t *testing.T) {
				cmd := exec.Command(binary(t, "kubeenrich"))
				stdin, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				defer stdin.Close()
				r := bufio.NewReaderSize(stdout, 1<<20)
				st.send(stdin, r)
				rest := make(chan []byte, 1)
				go func() { b, _ := io.ReadAll(r); rest <- b }()
				sent := time.Now()
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				err = cmd.Wait()
				took := time.Since(sent)
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatalf("exit: %v, want exit code %d", err, 128+int(sig))
				}
				// A signal that comes before the runtime installed the
				// handler (microseconds after exec) ends the process by
				// the default action: a shell reports the same 128 + n.
				ws := ee.Sys().(syscall.WaitStatus)
				if got := ee.ExitCode(); got != 128+int(sig) && !(ws.Signaled() && ws.Signal() == sig) {
					t.Errorf("exit status %v, want exit code %d (stderr %q)", ws, 128+int(sig), stderr.String())
				}
				if took > time.Second {
					t.Errorf("exited %v after the signal, want within 1s", took)
				}
				out := <-rest
				n, err := countReplies(out)
				if err != nil {
					t.Errorf("after the signal the command wrote a partial reply: %v", err)
				}
				ok := false
				for _, want := range st.replies {
					ok = ok || n == want
				}
				if !ok {
					t.Errorf("%d whole replies after the signal, want one of %v", n, st.replies)
				}
			})
		}
	}
}

func readOneReply(t *testing.T, r *bufio.Reader) {
	t.Helper()
	if _, err := chunked.NewReader(r).ReadChunk(); err != nil {
		t.Fatalf("reading the getinfo reply: %v", err)
	}
}

// countReplies counts the whole chunks of out and fails on a partial one.
func countReplies(out []byte) (int, error) {
	r := chunked.NewReader(bytes.NewReader(out))
	n := 0
	for {
		_, err := r.ReadChunk()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// bigExecuteChunk is one execute chunk of n audit events.
func bigExecuteChunk(t *testing.T, n int) []byte {
	t.Helper()
	sample, err := os.ReadFile(filepath.Join(repoRoot(t), "app", "samples", "eks_audit_events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sample)), "\n")
	var b strings.Builder
	b.WriteString("_raw\n")
	for i := 0; i < n; i++ {
		b.WriteString(`"` + strings.ReplaceAll(lines[i%len(lines)], `"`, `""`) + "\"\n")
	}
	return []byte(chunk(`{"action":"execute","finished":true}`, b.String()))
}

// TestKubeenrich_ReplayHugeEvent replays a 4.3 MB "list secrets" event
// logged at RequestResponse level and an exec whose requestURI is over
// 4 MiB, through the binary: both are enriched, the command they ran is cut
// to the added-field cap with a warning, and nothing else is lost.
func TestKubeenrich_ReplayHugeEvent(t *testing.T) {
	secret := strings.Repeat("QUJD", 1<<18) // 1 MiB of base64
	items := make([]string, 4)
	for i := range items {
		items[i] = fmt.Sprintf(`{"metadata":{"name":"s%d","namespace":"shop"},"data":{"tls.key":"%s"}}`, i, secret)
	}
	list := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"l-1","stage":"ResponseComplete","requestURI":"/api/v1/secrets","verb":"list","user":{"username":"alice","groups":["ops"]},"sourceIPs":["10.0.0.8"],"objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"code":200},"responseObject":{"kind":"SecretList","items":[` + strings.Join(items, ",") + `]},"requestReceivedTimestamp":"2026-11-20T09:00:00.000000Z","stageTimestamp":"2026-11-20T09:00:00.100000Z"}`
	command := strings.Repeat("y", 4_194_229-60)
	exec1 := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e-1","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/shop/pods/p/exec?command=` + command + `&container=c","verb":"create","user":{"username":"bob"},"sourceIPs":["10.0.0.9"],"objectRef":{"resource":"pods","namespace":"shop","name":"p","subresource":"exec"},"responseStatus":{"code":101},"requestReceivedTimestamp":"2026-11-20T09:00:01.000000Z","stageTimestamp":"2026-11-20T09:00:01.000000Z"}`
	file := filepath.Join(t.TempDir(), "huge.jsonl")
	if err := os.WriteFile(file, []byte(list+"\n"+exec1+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runReplay(t, "--json", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("output line: %v", err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if recs[0]["k8s_user"] != "alice" || recs[0]["k8s_resource"] != "secrets" || recs[0]["k8s_resource_sensitivity"] == nil {
		t.Errorf("the list of secrets was not enriched: %v", recs[0]["k8s_user"])
	}
	cmd, _ := recs[1]["k8s_exec_command"].(string)
	if recs[1]["k8s_user"] != "bob" || len(cmd) != 1<<20 {
		t.Errorf("the exec: user %v, command of %d bytes, want bob and the 1 MiB cap", recs[1]["k8s_user"], len(cmd))
	}
	if !strings.Contains(stderr, "k8s_exec_command is") || !strings.Contains(stderr, "1048576") {
		t.Errorf("no warning about the cut command: %q", stderr)
	}
}

// TestKubeenrich_HostileTableMemory sends a 1.2 MB body with a
// 100,000-column header and a million blank lines through the binary: it
// must answer, with memory that follows the bytes received.
func TestKubeenrich_HostileTableMemory(t *testing.T) {
	var header strings.Builder
	for i := 0; i < 100_000; i++ {
		if i > 0 {
			header.WriteByte(',')
		}
		fmt.Fprintf(&header, "c%d", i)
	}
	body := header.String() + "\n" + strings.Repeat("\n", 1_000_000)
	stream := chunk(getinfoRequest, "") + chunk(`{"action":"execute","finished":true}`, body)
	cmd := exec.Command(binary(t, "kubeenrich"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go io.WriteString(stdin, stream)
	r := chunked.NewReader(stdout)
	for i := 0; i < 2; i++ {
		if _, err := r.ReadChunk(); err != nil {
			t.Fatalf("reply %d: %v", i+1, err)
		}
	}
	// The process's own high-water mark, read while it is alive: the
	// rusage of a child also counts the test process it was forked from.
	hwm := highWaterMark(t, cmd.Process.Pid)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if hwm > 128<<20 {
		t.Errorf("peak RSS %d MB for a body of %d bytes", hwm>>20, len(body))
	}
}

// highWaterMark is VmHWM of a live process, in bytes (Linux).
func highWaterMark(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	t.Skip("no VmHWM in /proc status")
	return 0
}
