package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/chunked"
)

// splunkd plays splunkd's side of the chunked protocol against a running
// command: one request, then its reply, strictly in turn.
type splunkd struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr bytes.Buffer
	done   chan error
}

// startCommand starts a binary with args (command.arg.N, never SPL
// options) the way splunkd does.
func startCommand(t *testing.T, name string, args ...string) *splunkd {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	s := &splunkd{t: t, cmd: exec.CommandContext(ctx, binary(t, name), args...), done: make(chan error, 1)}
	s.cmd.Stderr = &s.stderr
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.stdout = bufio.NewReaderSize(out, 1<<20)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// send writes one request chunk.
func (s *splunkd) send(meta string, body []byte) {
	s.t.Helper()
	hdr := fmt.Sprintf("chunked 1.0,%d,%d\n", len(meta), len(body))
	if _, err := io.WriteString(s.stdin, hdr+meta); err != nil {
		s.t.Fatalf("writing request: %v (stderr: %s)", err, s.stderr.String())
	}
	if _, err := s.stdin.Write(body); err != nil {
		s.t.Fatalf("writing request body: %v (stderr: %s)", err, s.stderr.String())
	}
}

var replyHeader = regexp.MustCompile(`^chunked 1\.0,(\d+),(\d+)\n$`)

type replyChunk struct {
	meta chunked.ReplyMeta
	raw  string
	body []byte
}

// read reads one reply chunk, checking the header is exactly what splunkd
// parses: "chunked 1.0,<M>,<B>\n".
func (s *splunkd) read() replyChunk {
	s.t.Helper()
	line, err := s.stdout.ReadString('\n')
	if err != nil {
		s.t.Fatalf("reading reply header: %v (got %q; stderr: %s)", err, line, s.stderr.String())
	}
	m := replyHeader.FindStringSubmatch(line)
	if m == nil {
		s.t.Fatalf("reply header %q is not chunked 1.0,<M>,<B>", line)
	}
	metaLen, _ := strconv.Atoi(m[1])
	bodyLen, _ := strconv.Atoi(m[2])
	buf := make([]byte, metaLen+bodyLen)
	if _, err := io.ReadFull(s.stdout, buf); err != nil {
		s.t.Fatalf("reading reply of %d+%d bytes: %v", metaLen, bodyLen, err)
	}
	var r replyChunk
	r.raw = string(buf[:metaLen])
	if err := json.Unmarshal(buf[:metaLen], &r.meta); err != nil {
		s.t.Fatalf("reply metadata %q: %v", buf[:metaLen], err)
	}
	r.body = buf[metaLen:]
	return r
}

// close closes stdin, as splunkd does after the last reply, and returns the
// remaining stdout, stderr and the command's exit error.
func (s *splunkd) close() ([]byte, string, error) {
	s.t.Helper()
	s.stdin.Close()
	rest, _ := io.ReadAll(s.stdout)
	err := s.cmd.Wait()
	return rest, s.stderr.String(), err
}

// getinfoMeta is a Splunk 9.x getinfo with the given SPL arguments.
func getinfoMeta(args ...string) string {
	if args == nil {
		args = []string{}
	}
	b, _ := json.Marshal(map[string]any{
		"action": "getinfo", "preview": false, "streaming_command_will_restart": false,
		"searchinfo": map[string]any{
			"args": args, "raw_args": args,
			"dispatch_dir": "/opt/splunk/var/run/splunk/dispatch/1763640000.42", "sid": "1763640000.42",
			"app": "kubelens", "owner": "admin", "username": "admin", "session_key": "e2e-session-key-never-logged",
			"splunkd_uri": "https://127.0.0.1:8089", "splunk_version": "9.1.2",
			"search":  "search%20index%3Dmain%20sourcetype%3D%22aws%3Acloudwatchlogs%3Aeks%22%20%7C%20kubeenrich",
			"command": "kubeenrich", "maxresultrows": 50000, "earliest_time": "1763636400", "latest_time": "1763640000",
		},
	})
	return string(b)
}
