package benchrun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
)

// Command is a program the harness measures.
type Command struct {
	// Name is how the report shows it.
	Name string
	Argv []string
	// Echo says the command writes every body back unchanged: each reply
	// must be exactly as long as its request.
	Echo bool
}

// Run is one measured run of a command over a stream.
type Run struct {
	// Wall is the time from just before the process starts to its exit
	// after stdin closed.
	Wall time.Duration
	// GetInfo is the time from just before the process starts to the
	// getinfo reply read.
	GetInfo time.Duration
	// Execute[i] is the time from starting to write execute request i+1
	// to reading its reply.
	Execute []time.Duration
	// MaxRSS is the process's peak resident set in bytes, from wait4; 0
	// where the platform does not say.
	MaxRSS int64
	// CPU is the process's user plus system time.
	CPU time.Duration
	// FeederCPU is the harness's own user plus system time over the run:
	// what feeding the command and reading its replies took of the
	// machine's cores (0 where the platform does not say).
	FeederCPU time.Duration
	// ReplyBytes counts every reply chunk's bytes.
	ReplyBytes int64
}

// Measure runs cmd with the stream in dir fed to its stdin the way splunkd
// feeds a command: getinfo first, then each execute request only after the
// previous reply was read, stdin closed after the last reply. The file is
// copied through a small buffer, so the harness stays small: Linux counts
// a parent's peak in the peak of a child it starts with vfork, which Go
// does.
//
// Every reply is checked: one per request, no error, "finished" mirroring
// the request, nothing after the last; for an Echo command, each body as
// long as the request's. A failure is an error with the end of the
// command's stderr.
func Measure(ctx context.Context, cmd Command, dir string, s *benchdata.StreamInfo) (Run, error) {
	var run Run
	if len(s.Chunks) == 0 {
		return run, fmt.Errorf("benchrun: stream %s has no chunks", s.Name)
	}
	f, err := os.Open(filepath.Join(dir, s.File))
	if err != nil {
		return run, fmt.Errorf("benchrun: %w", err)
	}
	defer f.Close()
	c := exec.CommandContext(ctx, cmd.Argv[0], cmd.Argv[1:]...)
	stdin, err := c.StdinPipe()
	if err != nil {
		return run, fmt.Errorf("benchrun: %w", err)
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		return run, fmt.Errorf("benchrun: %w", err)
	}
	stderr := &tail{max: 4096}
	c.Stderr = stderr
	fail := func(err error) (Run, error) {
		return run, fmt.Errorf("benchrun: %s on %s: %w\n%s", cmd.Name, s.Name, err, stderr.String())
	}

	// acks[i] is closed once reply i has been read: request i+1 may go.
	acks := make([]chan struct{}, len(s.Chunks))
	for i := range acks {
		acks[i] = make(chan struct{})
	}
	sent := make([]time.Time, len(s.Chunks))
	writeErr := make(chan error, 1)
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	defer halt()

	// The buffers are allocated, and the copy buffer's pages touched,
	// before the clock starts: the harness's page faults are not the
	// command's time.
	buf := make([]byte, 1<<20)
	replies := bufio.NewReaderSize(stdout, len(buf))
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 0
	}
	start, cpu0 := time.Now(), selfCPU()
	if err := c.Start(); err != nil {
		return run, fmt.Errorf("benchrun: start %s: %w", cmd.Name, err)
	}
	go func() {
		for i, n := range s.Chunks {
			if i > 0 {
				select {
				case <-acks[i-1]:
				case <-stop:
					writeErr <- nil
					return
				}
			}
			sent[i] = time.Now()
			if _, err := io.CopyBuffer(stdin, io.LimitReader(f, n.Bytes), buf); err != nil {
				writeErr <- fmt.Errorf("write request %d: %w", i, err)
				return
			}
		}
		writeErr <- nil
	}()

	for i := range s.Chunks {
		n, m, bodyLen, err := readReply(replies)
		if err != nil {
			halt()
			c.Process.Kill()
			c.Wait()
			return fail(fmt.Errorf("reply %d of %d: %w", i, len(s.Chunks), err))
		}
		if i == 0 {
			run.GetInfo = time.Since(start)
		} else {
			run.Execute = append(run.Execute, time.Since(sent[i]))
		}
		run.ReplyBytes += n
		if err := checkReply(s, i, m, bodyLen, cmd.Echo); err != nil {
			halt()
			c.Process.Kill()
			c.Wait()
			return fail(fmt.Errorf("reply %d: %w", i, err))
		}
		close(acks[i])
	}
	if err := <-writeErr; err != nil {
		c.Process.Kill()
		c.Wait()
		return fail(err)
	}
	stdin.Close()
	extra, _ := io.Copy(io.Discard, replies)
	werr := c.Wait()
	run.Wall, run.FeederCPU = time.Since(start), selfCPU()-cpu0
	run.MaxRSS, run.CPU = usage(c.ProcessState)
	switch {
	case werr != nil:
		return fail(werr)
	case extra > 0:
		return fail(fmt.Errorf("%d bytes after the last reply", extra))
	}
	return run, nil
}

// replyMeta is what a reply's metadata is checked for.
type replyMeta struct {
	Action   string `json:"action"`
	Type     string `json:"type"`
	Finished *bool  `json:"finished"`
	Error    string `json:"error"`
}

// readReply reads one chunk, keeping its metadata and discarding its body.
// It returns the chunk's size.
func readReply(r *bufio.Reader) (n int64, m replyMeta, bodyLen int, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, m, 0, errors.New("the command closed stdout")
		}
		return 0, m, 0, err
	}
	rest, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r\n"), []byte("chunked 1.0,"))
	ml, bl, ok2 := bytes.Cut(rest, []byte(","))
	metaLen, err1 := strconv.Atoi(string(ml))
	bodyLen, err2 := strconv.Atoi(string(bl))
	if !ok || !ok2 || err1 != nil || err2 != nil || metaLen < 0 || bodyLen < 0 {
		return 0, m, 0, fmt.Errorf("malformed transport header %q", clip(line))
	}
	meta := make([]byte, metaLen)
	if _, err := io.ReadFull(r, meta); err != nil {
		return 0, m, 0, fmt.Errorf("metadata: %w", err)
	}
	if err := json.Unmarshal(meta, &m); err != nil {
		return 0, m, 0, fmt.Errorf("metadata %q: %w", clip(meta), err)
	}
	if d, err := r.Discard(bodyLen); err != nil {
		return 0, m, 0, fmt.Errorf("body: %d of %d bytes: %w", d, bodyLen, err)
	}
	return int64(len(line) + metaLen + bodyLen), m, bodyLen, nil
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// checkReply verifies reply i against request i of s.
func checkReply(s *benchdata.StreamInfo, i int, m replyMeta, bodyLen int, echo bool) error {
	last := i == len(s.Chunks)-1
	switch {
	case m.Error != "":
		return fmt.Errorf("error reply: %s", m.Error)
	case m.Action != "":
		return fmt.Errorf("the reply has an action (%q): the command echoed the request", m.Action)
	case i == 0 && m.Type == "":
		return errors.New("the getinfo reply declares no type")
	case i == 0:
		return nil
	case m.Finished == nil || *m.Finished != last:
		return fmt.Errorf("finished is %s for a request with finished %v", fmtFinished(m.Finished), last)
	case echo && int64(bodyLen) != s.Chunks[i].Body:
		return fmt.Errorf("echoed %d body bytes of %d", bodyLen, s.Chunks[i].Body)
	}
	return nil
}

func fmtFinished(f *bool) string {
	if f == nil {
		return "absent"
	}
	return strconv.FormatBool(*f)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
