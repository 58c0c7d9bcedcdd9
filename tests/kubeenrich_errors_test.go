package tests

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
)

// runStream feeds a whole byte stream to the built kubeenrich, closes its
// stdin and returns its replies, exit code and stderr.
func runStream(t *testing.T, stream []byte, args ...string) ([]chunked.ReplyMeta, [][]byte, int, string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), binary(t, "kubeenrich"), args...)
	cmd.Stdin = bytes.NewReader(stream)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	r := chunked.NewReader(&stdout)
	var metas []chunked.ReplyMeta
	var bodies [][]byte
	for {
		c, err := r.ReadChunk()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the command wrote an invalid stream: %v", err)
		}
		var m chunked.ReplyMeta
		if err := json.Unmarshal(c.Meta, &m); err != nil {
			t.Fatalf("reply metadata %q: %v", c.Meta, err)
		}
		metas = append(metas, m)
		bodies = append(bodies, c.Body)
	}
	return metas, bodies, code, stderr.String()
}

func chunk(meta string, body string) string {
	return fmt.Sprintf("chunked 1.0,%d,%d\n%s%s", len(meta), len(body), meta, body)
}

// TestKubeenrich_BadInput verifies that every malformed stream ends with
// one error reply splunkd shows, a non-zero exit, one ERROR line on stderr,
// and never a hang, a panic or the session key in the output.
func TestKubeenrich_BadInput(t *testing.T) {
	gi := chunk(getinfoMeta(), "")
	exec1 := `{"action":"execute","finished":true}`
	cases := []struct {
		name   string
		stream string
		args   []string
		want   string
	}{
		{"truncated header", gi + "chunked 1.0,3", nil, "stream ended inside a transport header"},
		{"length beyond maximum", gi + "chunked 1.0,36,2097152\n" + exec1, []string{"--max-chunk-size=1MiB"}, "exceed the maximum of 1048576 bytes"},
		{"non-JSON metadata", gi + chunk("{action:execute}", "a\n1\n"), nil, "execute metadata is not valid JSON"},
		{"wrong column count", gi + chunk(exec1, "\"_raw\",source\nx,y,z\n"), nil, "csv record 1 has 3 fields, the header has 2"},
		{"truncated body", gi + "chunked 1.0,36,500\n" + exec1 + "\"_raw\"\n", nil, "stream ended inside the body"},
		{"unknown option", chunk(getinfoMeta("bogus=1"), ""), nil, `unknown option "bogus"`},
		{"bad fields group", chunk(getinfoMeta("fields=identity,nope"), ""), nil, `unknown field group "nope"`},
		{"v1 protocol", "infoPath:/tmp/info.csv\nsplunkVersion:9.1.2\n\n_raw\nx\n", nil, "malformed transport header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			metas, _, code, stderr := runStream(t, []byte(tc.stream), tc.args...)
			if code == 0 {
				t.Errorf("exit code 0, want non-zero")
			}
			if len(metas) == 0 {
				t.Fatal("no reply at all, want an error reply")
			}
			last := metas[len(metas)-1]
			if !last.Finished || !strings.Contains(last.Error, tc.want) || !strings.HasPrefix(last.Error, "kubeenrich: ") {
				t.Errorf("last reply %+v, want finished and an error containing %q", last, tc.want)
			}
			if len(last.Inspector.Messages) != 1 || last.Inspector.Messages[0].Level != "ERROR" || last.Inspector.Messages[0].Text != last.Error {
				t.Errorf("inspector messages %+v, want the error as one ERROR message", last.Inspector.Messages)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "ERROR ") || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr %q, want one ERROR line naming the problem", stderr)
			}
			if strings.Contains(stderr, "e2e-session-key") || strings.Contains(last.Error, "e2e-session-key") {
				t.Error("the session key leaked")
			}
		})
	}
}

// TestKubeenrich_BadRecordPassesThrough verifies that records that are not
// audit events pass through unchanged with a WARN message, and the chunk
// still succeeds.
func TestKubeenrich_BadRecordPassesThrough(t *testing.T) {
	body := "\"_raw\",source,\"user.username\"\n" +
		"\"{\"\"kind\"\":\"\"Event\"\",\"\"apiVersion\"\":\"\"audit.k8s.io/v1\"\",\"\"auditID\"\":\"\"a1\"\",\"\"stage\"\":\"\"ResponseComplete\"\",\"\"verb\"\":\"\"get\"\",\"\"user\"\":{\"\"username\"\":\"\"system:anonymous\"\"},\"\"sourceIPs\"\":[\"\"203.0.113.1\"\"]}\",\"us-west-2:/aws/eks/c1/cluster:kube-apiserver-audit-aa\",\n" +
		"\"{not json\",\"us-west-2:/aws/eks/c1/cluster:kube-apiserver-audit-aa\",\n" +
		"\"time=\"\"2026-11-20T09:00:00Z\"\" level=info msg=\"\"access granted\"\"\",\"us-west-2:/aws/eks/c1/cluster:authenticator-aa\",\n" +
		",,\n"
	metas, bodies, code, stderr := runStream(t, []byte(chunk(getinfoMeta(), "")+chunk(`{"action":"execute","finished":true}`, body)))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want success and silence", code, stderr)
	}
	if len(metas) != 2 {
		t.Fatalf("%d replies, want 2", len(metas))
	}
	out, err := chunked.DecodeTable(bodies[1])
	if err != nil {
		t.Fatal(err)
	}
	in, _ := chunked.DecodeTable([]byte(body))
	if out.Len() != in.Len() {
		t.Fatalf("%d records back, want %d", out.Len(), in.Len())
	}
	for i := 0; i < in.Len(); i++ {
		for _, c := range in.Columns() {
			if out.Cell(i, c) != in.Cell(i, c) {
				t.Errorf("record %d column %s changed: %q -> %q", i, c, in.Cell(i, c), out.Cell(i, c))
			}
		}
	}
	if got := out.Record(0).Value("k8s_user_kind"); got != "anonymous" {
		t.Errorf("good record: k8s_user_kind %q", got)
	}
	if got := out.Record(2).Value("eks_log_type"); got != "authenticator" {
		t.Errorf("authenticator line: eks_log_type %q, want authenticator", got)
	}
	var levels []string
	for _, m := range metas[1].Inspector.Messages {
		levels = append(levels, m.Level+": "+m.Text)
	}
	joined := strings.Join(levels, "\n")
	if !strings.Contains(joined, "WARN: kubeenrich: record 2 passed through unenriched") || !strings.Contains(joined, "INFO: kubeenrich: records from EKS authenticator logs") {
		t.Errorf("inspector messages:\n%s\nwant a WARN for record 2 and an INFO for the authenticator line", joined)
	}
}

// readRecording returns a gzipped splunkd recording from ../shared with its
// getinfo's SPL arguments removed (they were the recorded command's, not
// kubeenrich's); every execute chunk is kept byte for byte.
func readRecording(t *testing.T, parts ...string) []byte {
	t.Helper()
	f, err := os.Open(sharedDir(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	r := chunked.NewReader(bytes.NewReader(data))
	first, err := r.ReadChunk()
	if err != nil {
		t.Fatal(err)
	}
	var gi map[string]any
	if err := json.Unmarshal(first.Meta, &gi); err != nil {
		t.Fatal(err)
	}
	if si, ok := gi["searchinfo"].(map[string]any); ok {
		si["args"], si["raw_args"] = []string{}, []string{}
	}
	if gi["action"] == nil {
		gi["action"] = "getinfo" // Splunk 6.3's generatehello recording lacks it
	}
	meta, _ := json.Marshal(gi)
	hdrEnd := bytes.IndexByte(data, '\n') + 1
	rest := data[hdrEnd+len(first.Meta):]
	return append([]byte(fmt.Sprintf("chunked 1.0,%d,0\n%s", len(meta), meta)), rest...)
}

// TestKubeenrich_Recordings runs real splunkd streams from ../shared: the
// streaming ones must run clean with every record passed through; the one
// that ends inside a chunk must end with a clean error.
func TestKubeenrich_Recordings(t *testing.T) {
	clean := []struct {
		path    []string
		records int
	}{
		{[]string{"recordings", "scpv2", "Splunk-6.3", "countmatches.input.gz"}, 500},
		{[]string{"recordings", "custom_search_data", "multibyte_input.gz"}, 6638 + 5861 + 1 + 6574 + 5926 + 6412 + 6088 + 1741 + 1441},
		{[]string{"recordings", "scpv2", "Splunk-6.3", "sum.map.input.gz"}, 50000},
	}
	for _, rc := range clean {
		t.Run(filepath.Base(filepath.Join(rc.path...)), func(t *testing.T) {
			stream := readRecording(t, rc.path...)
			metas, bodies, code, stderr := runStream(t, stream)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			inR := chunked.NewReader(bytes.NewReader(stream))
			inR.ReadChunk()
			records := 0
			for i := 1; ; i++ {
				c, err := inR.ReadChunk()
				if err == io.EOF {
					if i != len(metas) {
						t.Fatalf("%d requests, %d replies", i, len(metas))
					}
					break
				}
				in, err := chunked.DecodeTable(c.Body)
				if err != nil {
					t.Fatal(err)
				}
				out, err := chunked.DecodeTable(bodies[i])
				if err != nil {
					t.Fatal(err)
				}
				if in.Len() != out.Len() {
					t.Fatalf("chunk %d: %d records in, %d out", i, in.Len(), out.Len())
				}
				for r := 0; r < in.Len(); r++ {
					for _, col := range in.Columns() {
						if in.Cell(r, col) != out.Cell(r, col) {
							t.Fatalf("chunk %d record %d column %s changed", i, r, col)
						}
					}
				}
				records += in.Len()
			}
			if records != rc.records {
				t.Errorf("%d records, want %d", records, rc.records)
			}
		})
	}
	t.Run("generatehello ends inside a chunk", func(t *testing.T) {
		metas, _, code, _ := runStream(t, readRecording(t, "recordings", "scpv2", "Splunk-6.3", "generatehello.input.gz"))
		if code == 0 || len(metas) != 2 || !strings.Contains(metas[1].Error, "stream ended inside the body") {
			t.Errorf("exit %d, replies %+v; want the getinfo reply, then an error reply, and a non-zero exit", code, metas)
		}
	})
}

// TestKubeenrich_CommandLineSettings covers the settings of command.arg in
// commands.conf: the documented ones are accepted as written, and a wrong
// one is said in the answer to getinfo, where the search shows it, not
// only in search.log.
func TestKubeenrich_CommandLineSettings(t *testing.T) {
	gi := chunk(`{"action":"getinfo","searchinfo":{"args":[]}}`, "")
	exec1 := chunk(`{"action":"execute","finished":true}`, "_raw\n{}\n")
	for _, args := range [][]string{{"--max-chunk-size=2GiB"}, {"--max-chunk-size=2048MiB"}, {"--max-chunk-size=512MiB"}, {"--max-chunk-size", "2147483648"}} {
		metas, _, code, stderr := runStream(t, []byte(gi+exec1), args...)
		if code != 0 || len(metas) != 2 || metas[1].Error != "" {
			t.Errorf("%q: exit %d, replies %+v, stderr %q", args, code, metas, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-chunk-size=3GiB"}, "above the 2GiB"},
		{[]string{"--max-chunk-size=lots"}, "not a positive number"},
		{[]string{"--bogus"}, "bogus"},
		{[]string{"stray"}, `unexpected argument "stray"`},
		{[]string{"--lookups=" + filepath.Join(t.TempDir(), "missing")}, "--lookups"},
	} {
		metas, _, code, _ := runStream(t, []byte(gi+exec1), tc.args...)
		if code != 2 || len(metas) != 1 || !strings.Contains(metas[0].Error, tc.want) {
			t.Errorf("%q: exit %d, replies %+v; want exit 2 and a getinfo error reply naming %q", tc.args, code, metas, tc.want)
		}
	}
}
