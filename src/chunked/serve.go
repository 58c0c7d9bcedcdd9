package chunked

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
)

// Command is a streaming search command driven by Serve.
type Command interface {
	// GetInfo answers the getinfo request. splunkd may start the command
	// only to ask this, so it must be quick and free of side effects. An
	// error, such as an unknown option, is shown to the user and ends the
	// command.
	GetInfo(req *GetInfoRequest) (Config, error)
	// Execute processes the records of one execute request in place: it may
	// set fields but keeps every row and column. Problems with single
	// records go to msgs as warnings and the record passes through; an
	// error ends the command. The table and the strings read from it are
	// only valid during the call: clone what must outlive it.
	Execute(ctx context.Context, t *Table, msgs *Messages) error
}

// Options tunes Serve.
type Options struct {
	// Name prefixes error messages shown to the user, e.g. "kubeenrich".
	Name string
	// MaxChunkSize limits incoming chunks; 0 means DefaultMaxChunkSize.
	MaxChunkSize int64
	// PipeBuffer is the pipe buffer, in bytes, Serve asks for on in and
	// out when they are pipes (see GrowPipe); 0 means DefaultPipeBuffer,
	// and a negative number leaves the pipes as they are.
	PipeBuffer int
}

// Serve runs the protocol on in and out until splunkd closes in at a chunk
// boundary (nil) or something goes wrong (an error). It answers getinfo,
// then every execute request with exactly one reply carrying the request's
// finished flag and the table the command produced.
//
// Errors are final: bad framing, malformed metadata or CSV, an unexpected
// action or a failing command end the exchange with a reply whose "error"
// and ERROR inspector message splunkd shows in the job, and Serve returns
// the error so the process can exit non-zero.
//
// When in or out is a pipe (an *os.File), Serve first asks for a larger
// pipe buffer (see Options.PipeBuffer).
//
// A panic in the command, or in the protocol code, is an error like any
// other: the reply says so, and Serve returns a *PanicError. When ctx is
// cancelled (the process was told to stop), Serve returns an error
// matching ErrStopped as soon as it notices, even while it waits for
// splunkd, and writes nothing more: no reply is started after that, and
// none is cut short by it.
func Serve(ctx context.Context, in io.Reader, out io.Writer, cmd Command, opts Options) error {
	if size := cmp.Or(opts.PipeBuffer, DefaultPipeBuffer); size > 0 {
		GrowPipe(in, size)
		GrowPipe(out, size)
	}
	s := &session{r: NewReader(in), w: NewWriter(out), cmd: cmd, name: opts.Name}
	s.r.SetMaxChunkSize(opts.MaxChunkSize)
	s.r.ReuseBuffers(true) // tables never outlive their chunk here
	err := protect(func() error { return s.run(ctx) })
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrStopped, ctx.Err())
	}
	if err != nil {
		s.fail(err)
	}
	return err
}

// ErrStopped is returned by Serve when its context was cancelled.
var ErrStopped = errors.New("chunked: stopped")

// PanicError is a panic turned into an error: a bug, reported to the user
// as an error reply rather than a cut stream.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack, for the log
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error (please report it, with the job's search.log): %v", e.Value)
}

// Recovered returns a *PanicError for the value recover returned, nil for
// nil. Call it in a deferred function of every goroutine a command starts,
// and return the error from Execute:
//
//	defer func() { errs[w] = chunked.Recovered(recover()) }()
func Recovered(r any) error {
	if r == nil {
		return nil
	}
	if pe, ok := r.(*PanicError); ok {
		return pe
	}
	return &PanicError{Value: r, Stack: debug.Stack()}
}

// protect runs f, turning a panic into a *PanicError.
func protect(f func() error) (err error) {
	defer func() {
		if p := Recovered(recover()); p != nil {
			err = p
		}
	}()
	return f()
}

type session struct {
	r       *Reader
	w       *Writer
	cmd     Command
	name    string
	table   Table // request table, reused across chunks
	broken  bool  // a write failed: splunkd is gone, write nothing more
	writing bool  // a reply is being written: nothing else may start
}

// readChunk reads the next chunk, or returns ctx's error as soon as ctx is
// done: a read from splunkd's pipe cannot be interrupted, so it runs in a
// goroutine of its own that is abandoned then (the process is ending).
func (s *session) readChunk(ctx context.Context) (Chunk, error) {
	if ctx.Done() == nil {
		return s.r.ReadChunk()
	}
	type result struct {
		c   Chunk
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		r.err = protect(func() (err error) {
			r.c, err = s.r.ReadChunk()
			return err
		})
		ch <- r
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		return Chunk{}, ctx.Err()
	}
}

func (s *session) run(ctx context.Context) error {
	c, err := s.readChunk(ctx)
	if err == io.EOF {
		return nil // nothing was asked
	}
	if err != nil {
		return err
	}
	var req GetInfoRequest
	if err := json.Unmarshal(c.Meta, &req); err != nil {
		return ProtocolError(fmt.Sprintf("getinfo metadata is not valid JSON: %v", err))
	}
	if req.Action != "getinfo" {
		return ProtocolError(fmt.Sprintf("expected the getinfo action first, not %q", req.Action))
	}
	if len(c.Body) > 0 {
		return ProtocolError(fmt.Sprintf("did not expect a body with getinfo (%d bytes)", len(c.Body)))
	}
	cfg, err := s.cmd.GetInfo(&req)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.replyInfo(cfg); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("chunked: %w", err)
		}
		metaBytes, bodyLen, err := s.readHead(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var meta executeMeta
		if err := json.Unmarshal(metaBytes, &meta); err != nil {
			return ProtocolError(fmt.Sprintf("execute metadata is not valid JSON: %v", err))
		}
		if meta.Action != "execute" {
			return ProtocolError(fmt.Sprintf("expected the execute action, not %q", meta.Action))
		}
		var msgs Messages
		if err := s.execute(ctx, bodyLen, &msgs); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err // told to stop: no reply is started now
		}
		if err := s.replyTable(replyMeta{Finished: &meta.Finished, Inspector: msgs.inspector()}, &s.table); err != nil {
			return err
		}
	}
}

// execute runs the command on a body of bodyLen bytes while it is read:
// a goroutine reads the body and publishes its rows as they arrive, and
// the command, started once the header line is there, works on them (see
// Claim). It returns when the command is done and the body read whole:
// with the command's error, or the body's (a protocol error, a read
// error), which wins.
func (s *session) execute(ctx context.Context, bodyLen int, msgs *Messages) error {
	t := &s.table
	if bodyLen > MaxBody {
		return ProtocolError(fmt.Sprintf("a body of %d bytes is larger than the %d a table can hold", bodyLen, MaxBody))
	}
	t.beginFill(bodyLen)
	// The session's table maps its arena (see arena), even for a small
	// chunk: the first write to a huge page takes 2 MiB of memory, but on
	// the bench VM a 100-record first chunk replied 6 ms sooner than from
	// fresh Go heap pages, a fault per 4 KiB.
	t.side.mapBlocks = true
	go func() {
		var err error
		defer func() {
			if p := Recovered(recover()); p != nil {
				err = p
			}
			t.endFill(err)
		}()
		_, err = s.r.readBody(bodyLen, t.fed)
	}()
	stop := context.AfterFunc(ctx, func() { t.stopFill(ctx.Err()) })
	defer stop()
	if err := t.waitHeader(); err != nil {
		return err
	}
	err := s.cmd.Execute(ctx, t, msgs)
	if ferr := t.fillErr(); ferr != nil {
		return ferr
	}
	return err
}

// readHead reads the next chunk's header and metadata, or returns ctx's
// error as soon as ctx is done (see readChunk).
func (s *session) readHead(ctx context.Context) ([]byte, int, error) {
	if ctx.Done() == nil {
		return s.r.readHead()
	}
	type result struct {
		meta []byte
		n    int
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		r.err = protect(func() (err error) {
			r.meta, r.n, err = s.r.readHead()
			return err
		})
		ch <- r
	}()
	select {
	case r := <-ch:
		return r.meta, r.n, r.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

func (s *session) replyInfo(cfg Config) error {
	typ := cfg.Type
	if typ == "" {
		typ = "streaming"
	}
	m := replyMeta{Type: typ, RequiredFields: cfg.RequiredFields}
	if len(cfg.Messages) > 0 {
		m.Inspector = &Inspector{Messages: cfg.Messages}
	}
	return s.reply(m, 0, nil)
}

// replyTable streams the table as the reply body; a table without rows
// is a 0-byte body.
func (s *session) replyTable(m replyMeta, t *Table) error {
	if t.Len() == 0 {
		return s.reply(m, 0, nil)
	}
	return s.reply(m, t.CSVSize(), func(w *bufio.Writer) error { return t.WriteCSV(w) })
}

// reply writes one chunk: m, and a body of size bytes that body writes.
func (s *session) reply(m replyMeta, size int, body func(*bufio.Writer) error) error {
	meta, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("chunked: encode reply metadata: %w", err)
	}
	// Should writing panic, writing stays set: a reply was started, and
	// any further byte would be read as part of it.
	s.writing = true
	if err := s.w.WriteChunkFunc(meta, size, body); err != nil {
		s.broken = true
		return err
	}
	s.writing = false
	return nil
}

// fail sends the error reply that ends the exchange, unless the pipe to
// splunkd is already broken.
func (s *session) fail(err error) {
	if s.broken || s.writing {
		return
	}
	text := err.Error()
	if s.name != "" {
		text = s.name + ": " + text
	}
	finished := true
	_ = s.reply(replyMeta{
		Finished:  &finished,
		Error:     text,
		Inspector: &Inspector{Messages: []Message{{Level: "ERROR", Text: text}}},
	}, 0, nil)
}

// IsProtocolError reports whether err is a violation of the protocol by the
// peer (as opposed to a failing command or I/O error).
func IsProtocolError(err error) bool {
	var pe ProtocolError
	return errors.As(err, &pe) || errors.Is(err, ErrChunkTooLarge)
}

// maxDistinctMessages bounds the inspector messages of one reply: a chunk of
// 50,000 bad records must produce a readable summary, not 50,000 lines.
const maxDistinctMessages = 10

// Messages collects the inspector messages of one reply. Messages of the
// same kind are counted rather than repeated: the text of the kind's first
// record is kept and the count is added to it.
type Messages struct {
	list    []Message
	counts  []int
	rows    []int // the record each kept text is about, -1 for none
	kinds   map[string]int
	names   []string // kind of each entry
	dropped int
}

// Warn records a warning of the given kind, e.g. "raw-not-json".
func (m *Messages) Warn(kind, text string) { m.add("WARN", kind, text, -1) }

// Info records an informational message of the given kind.
func (m *Messages) Info(kind, text string) { m.add("INFO", kind, text, -1) }

// WarnAt records a warning about record row (from 0): of several of one
// kind, the text about the first record is kept, in whatever order
// goroutines sharing a chunk report them.
func (m *Messages) WarnAt(row int, kind, text string) { m.add("WARN", kind, text, row) }

// InfoAt is WarnAt for an informational message.
func (m *Messages) InfoAt(row int, kind, text string) { m.add("INFO", kind, text, row) }

func (m *Messages) add(level, kind, text string, row int) {
	m.addN(level, kind, text, row, 1)
}

func (m *Messages) addN(level, kind, text string, row, n int) {
	if i, ok := m.kinds[kind]; ok {
		m.counts[i] += n
		if row >= 0 && (m.rows[i] < 0 || row < m.rows[i]) {
			m.list[i], m.rows[i] = Message{Level: level, Text: text}, row
		}
		return
	}
	if len(m.list) >= maxDistinctMessages {
		m.dropped += n
		return
	}
	if m.kinds == nil {
		m.kinds = make(map[string]int)
	}
	m.kinds[kind] = len(m.list)
	m.list = append(m.list, Message{Level: level, Text: text})
	m.counts = append(m.counts, n)
	m.rows = append(m.rows, row)
	m.names = append(m.names, kind)
}

// Merge adds o's messages to m: a command that splits a chunk among
// goroutines merges theirs.
func (m *Messages) Merge(o *Messages) {
	for i, msg := range o.list {
		m.addN(msg.Level, o.names[i], msg.Text, o.rows[i], o.counts[i])
	}
	m.dropped += o.dropped
}

// Len returns the number of distinct messages recorded.
func (m *Messages) Len() int { return len(m.list) }

// List returns the messages with their repeat counts folded in, those
// about records in record order, after those about none.
func (m *Messages) List() []Message {
	order := make([]int, len(m.list))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return m.rows[order[a]] < m.rows[order[b]] })
	out := make([]Message, len(m.list), len(m.list)+1)
	for k, i := range order {
		msg := m.list[i]
		if n := m.counts[i]; n > 1 {
			msg.Text = fmt.Sprintf("%s (and %d more like it in this chunk)", msg.Text, n-1)
		}
		out[k] = msg
	}
	if m.dropped > 0 {
		out = append(out, Message{Level: "WARN", Text: fmt.Sprintf("%d more messages of other kinds in this chunk were not shown", m.dropped)})
	}
	return out
}

func (m *Messages) inspector() *Inspector {
	if len(m.list) == 0 {
		return nil
	}
	return &Inspector{Messages: m.List()}
}
