package chunked

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/kubelens/kubelens/src/hugebuf"
)

// DefaultMaxChunkSize is the default limit on metadata plus body of one
// incoming chunk. splunkd sends up to maxresultrows (50,000 by default)
// records per chunk, about 128 MB of CSV for EKS audit events and more with
// RequestResponse-level events, so the limit is far above that: it exists to
// turn a corrupt length into a clear error instead of an allocation failure.
const DefaultMaxChunkSize = MaxBody

// maxHeaderLen bounds the transport header line. "chunked 1.0,<20 digits>,
// <20 digits>" plus the whitespace splunklib tolerates fits easily.
const maxHeaderLen = 128

// ErrChunkTooLarge is returned by Reader.ReadChunk when a chunk declares more
// bytes than the reader's maximum chunk size.
var ErrChunkTooLarge = errors.New("chunked: chunk too large")

// ProtocolError reports input that does not follow the chunked protocol.
type ProtocolError string

func (e ProtocolError) Error() string { return "chunked: " + string(e) }

// Chunk is one transport chunk.
type Chunk struct {
	// Meta is the JSON metadata.
	Meta []byte
	// Body is the payload: CSV for execute requests and replies, empty for
	// getinfo.
	Body []byte
}

// Reader reads chunks from a byte stream.
type Reader struct {
	r       *bufio.Reader
	max     int64
	reuse   bool
	metaBuf []byte
	bodyBuf []byte
	mapped  mapping // the body buffer when reusing, where it can be mapped
}

// NewReader returns a Reader reading from r with DefaultMaxChunkSize.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < maxHeaderLen {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	return &Reader{r: br, max: DefaultMaxChunkSize}
}

// SetMaxChunkSize sets the largest metadata plus body size ReadChunk
// accepts. A value of zero or less restores the default.
func (r *Reader) SetMaxChunkSize(n int64) {
	if n <= 0 {
		n = DefaultMaxChunkSize
	}
	r.max = n
}

// ReuseBuffers makes every chunk's Body share one buffer, so that Body, and
// anything aliasing it, is only valid until the next ReadChunk. A busy
// command wants this: a fresh 100 MB buffer per chunk costs more in page
// faults and zeroing than the parsing that follows. The shared buffer is
// MappedBody bytes of address space mapped with package hugebuf where it
// can be (then Body is valid only while the Reader is reachable), else,
// and for larger bodies, Go heap memory that grows with the chunks.
func (r *Reader) ReuseBuffers(on bool) { r.reuse = on }

// MappedBody is the most address space a Reader maps for bodies: 512 MiB,
// four times the largest chunk of EKS audit events splunkd sends by
// default (50,000 records, about 130 MB). A larger body is read into the
// Go heap. Address space is not memory: only the pages written are.
const MappedBody = 512 << 20

// reserve is hugebuf.Reserve; the tests take the Go heap path with a
// reserve that refuses.
var reserve = hugebuf.Reserve

// mapping is address space mapped with reserve on first use; a refusal is
// remembered, and the caller then uses the Go heap.
type mapping struct {
	buf   *hugebuf.Buffer
	tried bool
}

// get returns the mapping, reserving size bytes the first time, or nil.
func (m *mapping) get(size int) *hugebuf.Buffer {
	if !m.tried {
		m.tried = true
		m.buf = reserve(size)
	}
	return m.buf
}

// reusedBody returns the shared buffer's first n bytes when buffers are
// reused and the shared one is mapped and large enough.
func (r *Reader) reusedBody(n int) ([]byte, bool) {
	if !r.reuse || n == 0 {
		return nil, false // an empty body (getinfo's) needs no mapping
	}
	b := r.mapped.get(int(min(r.max, MappedBody)))
	if b == nil || n > b.Cap() {
		return nil, false
	}
	return b.Bytes(n), true
}

// ReadChunk reads the next chunk. It returns io.EOF only when the stream
// ends exactly at a chunk boundary; a stream that ends inside a chunk is a
// ProtocolError. Chunk.Meta is only valid until the next call; Body too
// when ReuseBuffers is on.
func (r *Reader) ReadChunk() (Chunk, error) {
	meta, bodyLen, err := r.readHead()
	if err != nil {
		return Chunk{}, err
	}
	if r.reuse {
		if body, ok := r.reusedBody(bodyLen); ok {
			if _, err := io.ReadFull(r.r, body); err != nil {
				return Chunk{}, truncated("body", int64(bodyLen), err)
			}
			return Chunk{Meta: meta, Body: body}, nil
		}
	}
	body := r.bodyBuf[:0]
	if !r.reuse {
		body = nil
	}
	if body, err = readFull(r.r, body, bodyLen); err != nil {
		return Chunk{}, truncated("body", int64(bodyLen), err)
	}
	if r.reuse {
		r.bodyBuf = body
	}
	return Chunk{Meta: meta, Body: body}, nil
}

// readHead reads a chunk's transport header and metadata, leaving its
// body, of bodyLen bytes, to be read.
func (r *Reader) readHead() (meta []byte, bodyLen int, err error) {
	metaLen, n, err := r.readHeader()
	if err != nil {
		return nil, 0, err
	}
	if metaLen+n > r.max {
		return nil, 0, fmt.Errorf("%w: %d bytes of metadata and %d of body exceed the maximum of %d bytes (see --max-chunk-size)", ErrChunkTooLarge, metaLen, n, r.max)
	}
	if r.metaBuf, err = readFull(r.r, r.metaBuf[:0], int(metaLen)); err != nil {
		return nil, 0, truncated("metadata", metaLen, err)
	}
	return r.metaBuf, int(n), nil
}

// readPiece is the most readBody reads before it reports progress.
const readPiece = 1 << 20

// readBody reads a body of n bytes (after readHead) into the reader's
// reused buffer, calling progress with the buffer and how much of it has
// arrived: first before anything is read (the buffer no longer changes
// after that), then after every read. A body larger than trustedLen gets
// its buffer once its first trustedLen bytes have arrived.
func (r *Reader) readBody(n int, progress func(buf []byte, filled int) error) ([]byte, error) {
	var buf []byte
	filled := 0
	mapped, ok := r.reusedBody(n)
	switch {
	case ok:
		buf = mapped
	case cap(r.bodyBuf) >= n:
		buf = r.bodyBuf[:n]
	case n <= trustedLen:
		buf = make([]byte, n, n+n/8)
	default:
		head := r.bodyBuf[:0]
		if cap(head) < trustedLen {
			head = make([]byte, 0, trustedLen)
		}
		head = head[:trustedLen]
		m, err := io.ReadFull(r.r, head)
		if err != nil {
			return head[:m], truncated("body", int64(n), err)
		}
		buf = make([]byte, n, n+n/8)
		copy(buf, head)
		filled = trustedLen
	}
	if !ok {
		r.bodyBuf = buf
	}
	for {
		if err := progress(buf, filled); err != nil {
			return buf[:filled], err
		}
		if filled == n {
			return buf, nil
		}
		m, err := r.r.Read(buf[filled:min(n, filled+readPiece)])
		filled += m
		if err != nil && filled < n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf[:filled], truncated("body", int64(n), err)
		}
	}
}

func truncated(part string, n int64, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return ProtocolError(fmt.Sprintf("stream ended inside the %s of a chunk (%d bytes declared)", part, n))
	}
	return fmt.Errorf("chunked: read chunk %s: %w", part, err)
}

// trustedLen is how much of a declared length is read before the rest is
// allocated: a corrupt header cannot make us allocate gigabytes for data
// that never comes, and a real large chunk costs one allocation and a copy
// of its first trustedLen bytes, not a buffer doubling its way up.
const trustedLen = 16 << 20

// readFull reads exactly n bytes from r into buf, reusing its capacity. A
// buffer that must grow gets an eighth more than n, so that the next chunk,
// a little larger, still fits.
func readFull(r io.Reader, buf []byte, n int) ([]byte, error) {
	if cap(buf) >= n {
		buf = buf[:n]
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	if n > trustedLen {
		// The first trustedLen bytes into what we have (or a new buffer of
		// that size), then the whole.
		if cap(buf) < trustedLen {
			buf = make([]byte, 0, trustedLen)
		}
		head, err := readFull(r, buf[:0], trustedLen)
		if err != nil {
			return head, err
		}
		whole := make([]byte, n, n+n/8)
		copy(whole, head)
		m, err := io.ReadFull(r, whole[trustedLen:])
		return whole[:trustedLen+m], err
	}
	buf = make([]byte, n, n+n/8)
	m, err := io.ReadFull(r, buf)
	return buf[:m], err
}

// readHeader parses "chunked 1.0,<M>,<B>\n". Like splunklib's regular
// expression chunked\s+1.0\s*,\s*(\d+)\s*,\s*(\d+)\s*\n it accepts extra
// whitespace and a "\r\n" line end.
func (r *Reader) readHeader() (metaLen, bodyLen int64, err error) {
	line, err := r.r.ReadSlice('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return 0, 0, io.EOF
	case err == io.EOF:
		return 0, 0, ProtocolError(fmt.Sprintf("stream ended inside a transport header (%q)", clip(line)))
	case err == bufio.ErrBufferFull || (err == nil && len(line) > maxHeaderLen):
		return 0, 0, ProtocolError(fmt.Sprintf("malformed transport header %q: no line end within %d bytes", clip(line), maxHeaderLen))
	case err != nil:
		return 0, 0, fmt.Errorf("chunked: read transport header: %w", err)
	}
	p := headerParser{s: line}
	ok := p.literal("chunked") && p.space(1) && p.literal("1.0") && p.space(0) && p.literal(",") && p.space(0)
	if ok {
		metaLen, ok = p.number()
	}
	ok = ok && p.space(0) && p.literal(",") && p.space(0)
	if ok {
		bodyLen, ok = p.number()
	}
	ok = ok && p.space(0) && p.pos == len(line)
	if !ok {
		return 0, 0, ProtocolError(fmt.Sprintf("malformed transport header %q, want \"chunked 1.0,<metadata bytes>,<body bytes>\"", clip(line)))
	}
	return metaLen, bodyLen, nil
}

type headerParser struct {
	s   []byte
	pos int
}

func (p *headerParser) literal(lit string) bool {
	if len(p.s)-p.pos < len(lit) || string(p.s[p.pos:p.pos+len(lit)]) != lit {
		return false
	}
	p.pos += len(lit)
	return true
}

// space skips whitespace (including the final "\r\n") and reports whether
// at least min bytes were skipped.
func (p *headerParser) space(min int) bool {
	start := p.pos
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\r', '\n', '\v', '\f':
			p.pos++
			continue
		}
		break
	}
	return p.pos-start >= min
}

func (p *headerParser) number() (int64, bool) {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == start || p.pos-start > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(p.s[start:p.pos]), 10, 64)
	return n, err == nil
}

func clip(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}

// Writer writes chunks to a byte stream.
type Writer struct {
	w   io.Writer
	hdr []byte
	bw  *bufio.Writer // for bodies written by WriteChunkFunc
	cw  countingWriter
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewWriter returns a Writer writing to w. Each chunk is handed to w in full
// before WriteChunk returns: the protocol is lock-step, so nothing may sit in
// a buffer while splunkd waits for the reply.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// WriteChunk writes one chunk: the transport header, meta and body. It emits
// the header with "\n" and no separator after the body.
func (w *Writer) WriteChunk(meta, body []byte) error {
	if err := w.writeHeader(meta, len(body)); err != nil {
		return err
	}
	if len(body) > 0 {
		if _, err := w.w.Write(body); err != nil {
			return fmt.Errorf("chunked: write chunk body: %w", err)
		}
	}
	return w.flush()
}

// WriteChunkFunc writes a chunk whose body of exactly size bytes body
// writes through a buffer: a reply of a hundred megabytes is streamed to
// splunkd rather than assembled in memory first. Writing more or fewer
// bytes than declared is an error, as it would desynchronise the stream.
func (w *Writer) WriteChunkFunc(meta []byte, size int, body func(*bufio.Writer) error) error {
	if err := w.writeHeader(meta, size); err != nil {
		return err
	}
	if size > 0 {
		w.cw = countingWriter{w: w.w}
		if w.bw == nil {
			w.bw = bufio.NewWriterSize(&w.cw, 256<<10)
		} else {
			w.bw.Reset(&w.cw)
		}
		if err := body(w.bw); err != nil {
			return fmt.Errorf("chunked: write chunk body: %w", err)
		}
		if err := w.bw.Flush(); err != nil {
			return fmt.Errorf("chunked: write chunk body: %w", err)
		}
		if w.cw.n != int64(size) {
			return fmt.Errorf("chunked: wrote a body of %d bytes after declaring %d", w.cw.n, size)
		}
	}
	return w.flush()
}

func (w *Writer) writeHeader(meta []byte, bodyLen int) error {
	w.hdr = append(w.hdr[:0], "chunked 1.0,"...)
	w.hdr = strconv.AppendInt(w.hdr, int64(len(meta)), 10)
	w.hdr = append(w.hdr, ',')
	w.hdr = strconv.AppendInt(w.hdr, int64(bodyLen), 10)
	w.hdr = append(w.hdr, '\n')
	w.hdr = append(w.hdr, meta...)
	if _, err := w.w.Write(w.hdr); err != nil {
		return fmt.Errorf("chunked: write chunk: %w", err)
	}
	return nil
}

func (w *Writer) flush() error {
	if f, ok := w.w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("chunked: flush chunk: %w", err)
		}
	}
	return nil
}
