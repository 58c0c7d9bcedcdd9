package chunked

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// DecodeTable parses an execute body: RFC 4180 CSV as splunkd writes it,
// header first, "\n" or "\r\n" line ends, quoted fields that may hold ",",
// "\"" (doubled), "\n" and "\r". It keeps every value byte-exact, which Go's
// encoding/csv does not (it turns "\r\n" inside quoted fields into "\n").
//
// An empty body is a table with no columns; a header alone is a table with
// no rows. Every row must have the header's number of fields: DecodeTable
// checks the quoting and the number of fields of every row, and finds
// where each row is; a row's cells are split when it is read. The table
// aliases body: it is valid as long as body is unchanged.
func DecodeTable(body []byte) (*Table, error) {
	return DecodeTableInto(&Table{}, body)
}

// DecodeTableInto is DecodeTable reusing t's storage. Whatever aliased t
// before is invalid afterwards.
func DecodeTableInto(t *Table, body []byte) (*Table, error) {
	if len(body) > MaxBody {
		return nil, ProtocolError(fmt.Sprintf("a body of %d bytes is larger than the %d a table can hold", len(body), MaxBody))
	}
	t.beginFill(len(body))
	err := t.fed(body, len(body))
	t.endFill(err)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// blankLine returns the length of a "\n" or "\r\n" at the start of s, 0
// when s does not start with one.
func blankLine(s string) int {
	switch {
	case strings.HasPrefix(s, "\n"):
		return 1
	case strings.HasPrefix(s, "\r\n"):
		return 2
	}
	return 0
}

// scanLine reads the line of s starting at pos, checking its quoting and
// counting its fields without splitting it: it returns where its text ends
// (before "\n" or "\r\n"), where the next line starts, and its number of
// fields. s is the body as far as it has arrived; unless final, a line
// that runs to the end of s returns errMore. record numbers the line in
// errors (0 for the header).
func scanLine(s string, pos, record int, final bool) (end, next, fields int, err error) {
	fields = 1
	i, nl := pos, -1
	for {
		// Unquoted text up to the next quote or line end; quoted fields
		// are skipped whole. The line end found last stays valid until a
		// quoted field runs past it.
		if nl < i {
			nl = strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				if !final {
					return 0, 0, 0, errMore
				}
				nl = len(s)
			} else {
				nl += i
			}
		}
		q := strings.IndexByte(s[i:nl], '"')
		if q < 0 {
			fields += strings.Count(s[i:nl], ",")
			end, next = nl, nl+1
			if nl == len(s) {
				next = nl
			}
			if end > pos && s[end-1] == '\r' {
				end-- // "\r\n" line end
			}
			return end, next, fields, nil
		}
		q += i
		fields += strings.Count(s[i:q], ",")
		if q > pos && s[q-1] != ',' {
			return 0, 0, 0, ProtocolError(fmt.Sprintf("csv record %d: bare \" in an unquoted field", record))
		}
		// The closing quote: the next '"' not doubled.
		j := q + 1
		for {
			k := strings.IndexByte(s[j:], '"')
			if k < 0 {
				if !final {
					return 0, 0, 0, errMore
				}
				return 0, 0, 0, ProtocolError(fmt.Sprintf("csv record %d: quoted field not closed before the end of the body", record))
			}
			j += k + 1
			if j < len(s) && s[j] == '"' {
				j++
				continue
			}
			break
		}
		switch {
		case j == len(s) && !final:
			return 0, 0, 0, errMore
		case j == len(s):
			return j, j, fields, nil
		case s[j] == ',' || s[j] == '\n':
		case s[j] == '\r' && j+1 == len(s) && !final:
			return 0, 0, 0, errMore
		case s[j] == '\r' && j+1 < len(s) && s[j+1] == '\n':
		default:
			return 0, 0, 0, ProtocolError(fmt.Sprintf("csv record %d: unexpected %q after a closing quote", record, s[j]))
		}
		i = j
	}
}

// splitLine appends the cells of a line, as CSV text (quoted cells with
// their quotes), to dst. The line's quoting was checked by the scanner.
func splitLine(line string, dst []string) []string {
	for {
		if line != "" && line[0] == '"' {
			j := quotedEnd(line)
			dst = append(dst, line[:j])
			line = line[j:]
		} else {
			k := indexByte(line, ',')
			if k < 0 {
				return append(dst, line)
			}
			dst = append(dst, line[:k])
			line = line[k:]
		}
		if line == "" {
			return dst
		}
		line = line[1:] // the comma
	}
}

// quotedEnd returns the length of the quoted cell line starts with, its
// quotes included. The cell ends at a quote followed by a comma or the end
// of the line; inside it quotes are doubled, so that quote closes the cell
// when the run of quotes it ends is odd (the opening quote counted). The
// search is for the two bytes '",' at once: a JSON value has a quote before
// every comma, and a quote at a time would stop at every one of them.
func quotedEnd(line string) int {
	j := 1
	for {
		k := strings.Index(line[j:], `",`)
		if k < 0 {
			return len(line) // the last cell: it ends the line
		}
		end := j + k // the quote
		run := 1
		for end-run >= 0 && line[end-run] == '"' {
			run++
		}
		if end-run < 0 {
			run-- // the run reaches the opening quote, which is not content
		}
		if run%2 == 1 {
			return end + 1
		}
		j = end + 2
	}
}

// indexByte is strings.IndexByte for the short distances between a
// row's separators: most cells are a few bytes, where a plain loop beats
// the vectorised search's set-up. It hands long distances to the latter.
func indexByte(s string, c byte) int {
	n := min(len(s), 16)
	for i := 0; i < n; i++ {
		if s[i] == c {
			return i
		}
	}
	if n == len(s) {
		return -1
	}
	if k := strings.IndexByte(s[n:], c); k >= 0 {
		return n + k
	}
	return -1
}

// unquoteCell returns a cell's value, allocating when it unescapes.
func unquoteCell(raw string) string {
	if len(raw) < 2 || raw[0] != '"' {
		return raw
	}
	return strings.ReplaceAll(raw[1:len(raw)-1], `""`, `"`)
}

// added is the number of columns the command added.
func (t *Table) added() int { return len(t.columns) - t.width }

// outWidth is the number of columns the reply writes (see settle).
func (t *Table) outWidth() int { return t.width + t.outCols }

// headerSize and writeHeader give the reply's header line: the input
// header as it came, then the names of the added columns written.
func (t *Table) headerSize() int {
	single := t.outWidth() == 1
	n := lineSize(t.header, t.outCols == 0, single)
	for _, c := range t.columns[t.width:t.outWidth()] {
		n += 1 + fieldSize(c.name, single)
	}
	return n + 1
}

func (t *Table) writeHeader(w stringWriter) {
	single := t.outWidth() == 1
	writeLine(w, t.header, t.outCols == 0, single)
	for _, c := range t.columns[t.width:t.outWidth()] {
		w.WriteByte(',')
		writeField(w, c.name, single)
	}
	w.WriteByte('\n')
}

// lineSize is the size of an input line written as it came, except that
// a line that ends in "\r" and ends the output line has its last cell
// quoted, and an empty line that is a one-column table's whole row is "".
func lineSize(line string, last, single bool) int {
	switch {
	case single && line == "":
		return 2
	case last && endsInCR(line):
		return len(line) + 2
	}
	return len(line)
}

func writeLine(w stringWriter, line string, last, single bool) {
	switch {
	case single && line == "":
		w.WriteString(`""`)
	case last && endsInCR(line):
		// The last cell, unquoted, has no comma.
		k := strings.LastIndexByte(line, ',') + 1
		w.WriteString(line[:k])
		w.WriteByte('"')
		w.WriteString(line[k:])
		w.WriteByte('"')
	default:
		w.WriteString(line)
	}
}

// rowSize is the size of row i in the reply.
func (t *Table) rowSize(i int) int {
	st := t.rows.at(i)
	o, r := st.out, st.line
	pad := t.outCols - int(o.cols)
	if o.full {
		return int(o.s.n&lenMask) + pad + 1
	}
	line := t.body[r.start:r.end]
	return lineSize(line, t.outCols == 0, t.outWidth() == 1) + int(o.s.n&lenMask) + pad + 1
}

func (t *Table) writeRow(w stringWriter, i int) {
	st := t.rows.at(i)
	o, r := st.out, st.line
	if o.full {
		w.WriteString(t.spanString(o.s))
	} else {
		writeLine(w, t.body[r.start:r.end], t.outCols == 0, t.outWidth() == 1)
		w.WriteString(t.spanString(o.s))
	}
	for range t.outCols - int(o.cols) {
		w.WriteByte(',')
	}
	w.WriteByte('\n')
}

// CSVSize returns the exact number of bytes WriteCSV writes, so that a
// reply's length can be declared before its body is streamed. It finishes
// the rows changed through the Table's own methods.
func (t *Table) CSVSize() int {
	t.settle()
	if t.outWidth() == 0 {
		return 0
	}
	n := t.headerSize()
	for i := range t.Len() {
		n += t.rowSize(i)
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

// WriteCSV writes the table as CSV: the header, then one line per row,
// "\n" line ends. Each row's input cells go out as they came in, followed
// by the cells the command added; a row whose input cells the command
// changed is written whole, quoted only where it must be. WriteCSV only
// copies bytes whose total CSVSize gave: nothing in it can fail but the
// writer.
func (t *Table) WriteCSV(w stringWriter) error {
	t.settle()
	if t.outWidth() == 0 {
		return nil
	}
	t.writeHeader(w)
	for i := range t.Len() {
		t.writeRow(w, i)
	}
	_, err := w.Write(nil)
	return err
}

// AppendCSV appends what WriteCSV writes to dst.
func (t *Table) AppendCSV(dst []byte) []byte {
	b := bytes.NewBuffer(dst)
	b.Grow(t.CSVSize())
	t.WriteCSV(b)
	return b.Bytes()
}

// appendField appends one CSV field, quoted when it holds a separator, a
// quote or a line break. In a one-column table an empty field is quoted so
// that its row is not a blank line.
func appendField(dst []byte, v string, single bool) []byte {
	if !needsQuotes(v) && (v != "" || !single) {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for {
		j := strings.IndexByte(v, '"')
		if j < 0 {
			break
		}
		dst = append(dst, v[:j+1]...)
		dst = append(dst, '"')
		v = v[j+1:]
	}
	dst = append(dst, v...)
	return append(dst, '"')
}

func writeField(w stringWriter, v string, single bool) {
	var buf [64]byte
	w.Write(appendField(buf[:0], v, single))
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
