package chunked

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// DecodeTable parses an execute body: RFC 4180 CSV as splunkd writes it,
// header first, "\n" or "\r\n" line ends, quoted fields that may hold ",",
// "\"" (doubled), "\n" and "\r". It keeps every value byte-exact, which Go's
// encoding/csv does not (it turns "\r\n" inside quoted fields into "\n").
//
// An empty body is a table with no columns; a header alone is a table with
// no rows. Every row must have the header's number of fields. The cells
// alias body: the table is valid as long as body is unchanged.
func DecodeTable(body []byte) (*Table, error) {
	return DecodeTableInto(&Table{}, body)
}

// DecodeTableInto is DecodeTable reusing t's storage. Whatever aliased t
// before is invalid afterwards.
func DecodeTableInto(t *Table, body []byte) (*Table, error) {
	cells, side := t.cells[:0], t.side
	if side != nil {
		side.reset()
	}
	*t = Table{}
	t.init(side)
	if len(body) > MaxBody {
		return nil, ProtocolError(fmt.Sprintf("a body of %d bytes is larger than the %d a table can hold", len(body), MaxBody))
	}
	if len(body) == 0 {
		t.setColumns(nil)
		return t, nil
	}
	t.body = unsafe.String(unsafe.SliceData(body), len(body))
	p := csvParser{t: t, s: t.body}
	var header []span
	header, err := p.row(nil)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.Clone(t.str(h, &t.cur)) // names outlive the chunk in maps
	}
	t.setColumns(names)
	width := len(header)
	if want := cellsBound(width, body); cap(cells) < want {
		cells = make([]span, 0, want)
	}
	t.cells = cells
	for p.pos < len(p.s) {
		if p.blankLine() {
			// A blank line is an empty value in a one-column table and
			// carries nothing in a wider one.
			if width == 1 {
				t.cells = append(t.cells, span{})
				t.rows++
			}
			continue
		}
		start := len(t.cells)
		if t.cells, err = p.row(t.cells); err != nil {
			return nil, err
		}
		if got := len(t.cells) - start; got != width {
			return nil, ProtocolError(fmt.Sprintf("csv record %d has %d fields, the header has %d", p.line-1, got, width))
		}
		t.rows++
	}
	return t, nil
}

// cellsBound is how many cells the rows of body can hold, to size the cell
// list once. It is bounded by the body's length, never by counts alone: a
// row of width cells takes at least width bytes (width - 1 separators and
// a line end), and a blank line holds no cell unless width is 1, so a body
// of a million blank lines under a wide header reserves nothing.
func cellsBound(width int, body []byte) int {
	lines := bytes.Count(body, []byte{'\n'}) + 1
	if width == 1 {
		return lines
	}
	return min(width*lines, len(body)+1)
}

type csvParser struct {
	t    *Table
	s    string
	pos  int
	line int // records read so far, the header included
}

// blankLine skips a "\n" or "\r\n" line and reports whether it did.
func (p *csvParser) blankLine() bool {
	switch {
	case strings.HasPrefix(p.s[p.pos:], "\n"):
		p.pos++
	case strings.HasPrefix(p.s[p.pos:], "\r\n"):
		p.pos += 2
	default:
		return false
	}
	p.line++
	return true
}

func bodySpan(start, end int) span { return span{off: uint32(start), n: uint32(end - start)} }

// row appends the fields of one record to dst.
func (p *csvParser) row(dst []span) ([]span, error) {
	p.line++
	s := p.s
	for {
		if p.pos < len(s) && s[p.pos] == '"' {
			v, err := p.quoted()
			if err != nil {
				return nil, err
			}
			dst = append(dst, v)
		} else {
			start := p.pos
			end := start
			for end < len(s) && s[end] != ',' && s[end] != '\n' {
				if s[end] == '"' {
					return nil, ProtocolError(fmt.Sprintf("csv record %d: bare \" in an unquoted field", p.line-1))
				}
				end++
			}
			p.pos = end
			if end < len(s) && s[end] == '\n' && end > start && s[end-1] == '\r' {
				end-- // "\r\n" line end
			}
			switch {
			case end-start > MaxCell:
				return nil, ProtocolError(fmt.Sprintf("csv record %d: a field of %d bytes is longer than the %d a table can hold", p.line-1, end-start, MaxCell))
			case end > start && s[end-1] == '\r':
				// Written back as it came, this "\r" would read as part of
				// a "\r\n" line end: keep it in quotes instead.
				dst = append(dst, p.t.cur.put(s[start:end]))
			default:
				dst = append(dst, bodySpan(start, end))
			}
		}
		if p.pos >= len(s) {
			return dst, nil
		}
		switch s[p.pos] {
		case ',':
			p.pos++
			if p.pos == len(s) {
				return append(dst, span{}), nil
			}
		case '\n':
			p.pos++
			return dst, nil
		}
	}
}

// quoted reads a quoted field starting at the opening quote. The span
// covers the quotes: the field is decoded only when read.
func (p *csvParser) quoted() (span, error) {
	s := p.s
	i := p.pos + 1
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return span{}, ProtocolError(fmt.Sprintf("csv record %d: quoted field not closed before the end of the body", p.line-1))
		}
		i += j
		if i+1 < len(s) && s[i+1] == '"' {
			i += 2
			continue
		}
		break
	}
	i++ // closing quote
	if i-p.pos > MaxCell {
		return span{}, ProtocolError(fmt.Sprintf("csv record %d: a field of %d bytes is longer than the %d a table can hold", p.line-1, i-p.pos, MaxCell))
	}
	v := span{off: uint32(p.pos), n: uint32(i - p.pos)}
	switch {
	case i == len(s), s[i] == ',', s[i] == '\n':
	case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		i++
	default:
		return span{}, ProtocolError(fmt.Sprintf("csv record %d: unexpected %q after a closing quote", p.line-1, s[i]))
	}
	p.pos = i
	return v, nil
}

// outputColumns are the columns a reply carries: all of them but added
// __mv_ columns that are empty in every row.
func (t *Table) outputColumns() []int {
	out := make([]int, 0, len(t.columns))
	for i, c := range t.columns {
		if i >= t.width && strings.HasPrefix(c.name, mvPrefix) && allEmpty(c.vals) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func allEmpty(vals []span) bool {
	for _, v := range vals {
		if v.n&lenMask != 0 {
			return false
		}
	}
	return true
}

// CSVSize returns the exact number of bytes WriteCSV writes, so that a
// reply's length can be declared before its body is streamed.
func (t *Table) CSVSize() int {
	if len(t.columns) == 0 {
		return 0
	}
	out := t.outputColumns()
	single := len(out) == 1
	n := len(out) // separators and the line end
	for _, i := range out {
		n += fieldSize(t.columns[i].name, single)
	}
	n += t.rows * len(out)
	for _, i := range out {
		for r := 0; r < t.rows; r++ {
			c := t.cellSpan(r, i).n & lenMask
			if c == 0 && single {
				c = 2 // ""
			}
			n += int(c)
		}
	}
	return n
}

// stringWriter is what WriteCSV writes to: a *bufio.Writer or a
// *bytes.Buffer.
type stringWriter interface {
	io.Writer
	WriteString(string) (int, error)
	WriteByte(byte) error
}

// WriteCSV writes the table as CSV: header, then one line per row, "\n"
// line ends. Cells go out as they came in (splunkd's quoting) or as they
// were set (quoted only when they must be). Added __mv_ columns that are
// empty in every row are left out.
func (t *Table) WriteCSV(w stringWriter) error {
	if len(t.columns) == 0 {
		return nil
	}
	out := t.outputColumns()
	single := len(out) == 1
	for k, i := range out {
		if k > 0 {
			w.WriteByte(',')
		}
		writeField(w, t.columns[i].name, single)
	}
	if err := w.WriteByte('\n'); err != nil {
		return err
	}
	for r := 0; r < t.rows; r++ {
		for k, i := range out {
			if k > 0 {
				w.WriteByte(',')
			}
			s := t.cellSpan(r, i)
			if s.n&lenMask == 0 && single {
				w.WriteString(`""`) // not a blank line
				continue
			}
			w.WriteString(t.raw(s))
		}
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// AppendCSV appends what WriteCSV writes to dst.
func (t *Table) AppendCSV(dst []byte) []byte {
	b := bytes.NewBuffer(dst)
	b.Grow(t.CSVSize())
	t.WriteCSV(b)
	return b.Bytes()
}

// writeField writes one CSV field, quoted when it holds a separator, a
// quote or a line break. In a one-column table an empty field is quoted so
// that its row is not a blank line.
func writeField(w stringWriter, v string, single bool) {
	if !needsQuotes(v) && (v != "" || !single) {
		w.WriteString(v)
		return
	}
	w.WriteByte('"')
	for {
		j := strings.IndexByte(v, '"')
		if j < 0 {
			break
		}
		w.WriteString(v[:j+1])
		w.WriteByte('"')
		v = v[j+1:]
	}
	w.WriteString(v)
	w.WriteByte('"')
}

func fieldSize(v string, single bool) int {
	if !needsQuotes(v) && (v != "" || !single) {
		return len(v)
	}
	return len(v) + 2 + strings.Count(v, `"`)
}

func needsQuotes(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}
