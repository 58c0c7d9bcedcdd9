package tests

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// eksLogsBinary is the built eks_logs (see binary).
func eksLogsBinary(t testing.TB) string { return binary(t, "eks_logs") }

// eksAwsTestEnv is the environment every eks_logs run gets: no access to the
// machine's AWS configuration, and never the instance-metadata endpoint.
func eksAwsTestEnv(t testing.TB, extra ...string) []string {
	dir := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
	}
	return append(env, extra...)
}

// eksStreamEvent is one <event> of the output.
type eksStreamEvent struct {
	Stanza     string    `xml:"stanza,attr"`
	Unbroken   string    `xml:"unbroken,attr"`
	Time       string    `xml:"time"`
	Source     string    `xml:"source"`
	SourceType string    `xml:"sourcetype"`
	Index      string    `xml:"index"`
	Host       string    `xml:"host"`
	Data       string    `xml:"data"`
	Done       *struct{} `xml:"done"`
}

// eksProc is a running eks_logs with its stdout decoded as it arrives.
type eksProc struct {
	t      testing.TB
	cmd    *exec.Cmd
	mu     sync.Mutex
	events []eksStreamEvent
	closed bool // </stream> seen
	stderr bytes.Buffer
	notify chan struct{}
	exited chan struct{}
	err    error
}

// startEksLogs starts the binary with args and stdin, decoding stdout.
func startEksLogs(t testing.TB, stdin string, env []string, args ...string) *eksProc {
	t.Helper()
	p := &eksProc{t: t, notify: make(chan struct{}, 1), exited: make(chan struct{})}
	p.cmd = exec.Command(eksLogsBinary(t), args...)
	p.cmd.Env = env
	p.cmd.Stdin = strings.NewReader(stdin)
	p.cmd.Stderr = &eksLockedWriter{mu: &p.mu, w: &p.stderr}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		p.decode(out)
	}()
	go func() {
		<-readDone
		err := p.cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.exited)
		p.signal()
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

type eksLockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *eksLockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *eksProc) signal() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// decode reads complete events; an event cut short by a kill is dropped,
// as it never reached splunkd whole.
func (p *eksProc) decode(r io.Reader) {
	d := xml.NewDecoder(r)
	for {
		tok, err := d.Token()
		if err != nil {
			io.Copy(io.Discard, r)
			return
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local != "event" {
				continue
			}
			var e eksStreamEvent
			if err := d.DecodeElement(&e, &el); err != nil {
				io.Copy(io.Discard, r)
				return
			}
			p.mu.Lock()
			p.events = append(p.events, e)
			p.mu.Unlock()
			p.signal()
		case xml.EndElement:
			if el.Name.Local == "stream" {
				p.mu.Lock()
				p.closed = true
				p.mu.Unlock()
			}
		}
	}
}

// Events returns the complete events received so far.
func (p *eksProc) Events() []eksStreamEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]eksStreamEvent(nil), p.events...)
}

// Stderr returns the log lines so far.
func (p *eksProc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitFor blocks until cond holds (checked whenever output arrives or the
// process exits) or the timeout passes.
func (p *eksProc) waitFor(timeout time.Duration, what string, cond func() bool) {
	p.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	// stderr is written without a notification: check it on a ticker too.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-p.notify:
		case <-tick.C:
		case <-deadline.C:
			p.t.Fatalf("timed out after %v waiting for %s; %d events; stderr:\n%s", timeout, what, len(p.Events()), eksTail(p.Stderr(), 3000))
		}
	}
}

// stop sends SIGTERM and waits for the exit; it returns the exit code.
func (p *eksProc) stop(timeout time.Duration) int {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait(timeout)
}

func (p *eksProc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.exited
		p.t.Fatalf("eks_logs did not exit within %v; stderr:\n%s", timeout, eksTail(p.Stderr(), 3000))
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *eksProc) streamClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func eksTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// runEksLogs runs the binary to completion with a timeout.
func runEksLogs(t testing.TB, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, eksLogsBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run eks_logs %v: %v", args, err)
		}
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// eksInputXML builds the run-mode configuration splunkd would write.
func eksInputXML(serverURI, sessionKey, checkpointDir, stanza string, params map[string]string) string {
	var b strings.Builder
	b.WriteString("<input>\n")
	el := func(name, v string) {
		b.WriteString("  <" + name + ">")
		xml.EscapeText(&b, []byte(v))
		b.WriteString("</" + name + ">\n")
	}
	el("server_host", "testhost")
	el("server_uri", serverURI)
	el("session_key", sessionKey)
	el("checkpoint_dir", checkpointDir)
	b.WriteString("  <configuration>\n    <stanza name=\"")
	xml.EscapeText(&b, []byte(stanza))
	b.WriteString("\" app=\"kubelens\">\n")
	for _, k := range eksSortedKeys(params) {
		b.WriteString("      <param name=\"" + k + "\">")
		xml.EscapeText(&b, []byte(params[k]))
		b.WriteString("</param>\n")
	}
	b.WriteString("    </stanza>\n  </configuration>\n</input>\n")
	return b.String()
}

// eksItemsXML builds the --validate-arguments document.
func eksItemsXML(serverURI, sessionKey, name string, params map[string]string) string {
	var b strings.Builder
	b.WriteString("<items><server_host>h</server_host><server_uri>")
	xml.EscapeText(&b, []byte(serverURI))
	b.WriteString("</server_uri><session_key>")
	xml.EscapeText(&b, []byte(sessionKey))
	b.WriteString("</session_key><checkpoint_dir>/tmp/none</checkpoint_dir><item name=\"" + name + "\">")
	for _, k := range eksSortedKeys(params) {
		b.WriteString("<param name=\"" + k + "\">")
		xml.EscapeText(&b, []byte(params[k]))
		b.WriteString("</param>")
	}
	b.WriteString("</item></items>")
	return b.String()
}

func eksSortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
