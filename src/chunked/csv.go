package chunked

import (
	"bytes"
	"fmt"
	"slices"
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
	cells := t.cells[:0]
	*t = Table{}
	if len(body) == 0 {
		t.setColumns(nil)
		return t, nil
	}
	s := unsafe.String(unsafe.SliceData(body), len(body))
	p := csvParser{s: s}
	header, err := p.row(nil)
	if err != nil {
		return nil, err
	}
	t.setColumns(header)
	width := len(header)
	if want := width * (bytes.Count(body, []byte{'\n'}) + 1); cap(cells) < want {
		cells = make([]string, 0, want)
	}
	t.cells = cells
	for p.pos < len(s) {
		if p.blankLine() {
			// A blank line is an empty value in a one-column table and
			// carries nothing in a wider one.
			if width == 1 {
				t.cells = append(t.cells, "")
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

type csvParser struct {
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

// row appends the fields of one record to dst.
func (p *csvParser) row(dst []string) ([]string, error) {
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
			end := p.pos
			for end < len(s) && s[end] != ',' && s[end] != '\n' {
				if s[end] == '"' {
					return nil, ProtocolError(fmt.Sprintf("csv record %d: bare \" in an unquoted field", p.line-1))
				}
				end++
			}
			v := s[p.pos:end]
			if end < len(s) && s[end] == '\n' && strings.HasSuffix(v, "\r") {
				v = v[:len(v)-1] // "\r\n" line end
			}
			dst = append(dst, v)
			p.pos = end
		}
		if p.pos >= len(s) {
			return dst, nil
		}
		switch s[p.pos] {
		case ',':
			p.pos++
			if p.pos == len(s) {
				return append(dst, ""), nil
			}
		case '\n':
			p.pos++
			return dst, nil
		}
	}
}

// quoted reads a quoted field starting at the opening quote.
func (p *csvParser) quoted() (string, error) {
	s := p.s
	i := p.pos + 1
	escaped := false
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return "", ProtocolError(fmt.Sprintf("csv record %d: quoted field not closed before the end of the body", p.line-1))
		}
		i += j
		if i+1 < len(s) && s[i+1] == '"' {
			escaped = true
			i += 2
			continue
		}
		break
	}
	v := s[p.pos+1 : i]
	if escaped {
		v = strings.ReplaceAll(v, `""`, `"`)
	}
	i++ // closing quote
	switch {
	case i == len(s), s[i] == ',', s[i] == '\n':
	case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		i++
	default:
		return "", ProtocolError(fmt.Sprintf("csv record %d: unexpected %q after a closing quote", p.line-1, s[i]))
	}
	p.pos = i
	return v, nil
}

// AppendCSV appends the table as CSV to dst: header, then one line per row,
// "\n" line ends, fields quoted only when they must be. Added __mv_ columns
// that are empty in every row are left out.
func (t *Table) AppendCSV(dst []byte) []byte {
	if len(t.columns) == 0 {
		return dst
	}
	out := make([]int, 0, len(t.columns))
	for i, c := range t.columns {
		if i >= t.width && strings.HasPrefix(c.name, mvPrefix) && allEmpty(c.vals) {
			continue
		}
		out = append(out, i)
	}
	dst = slices.Grow(dst, t.sizeHint(out))
	single := len(out) == 1
	for k, i := range out {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendField(dst, t.columns[i].name, single)
	}
	dst = append(dst, '\n')
	for r := 0; r < t.rows; r++ {
		row := t.cells[r*t.width : (r+1)*t.width]
		for k, i := range out {
			if k > 0 {
				dst = append(dst, ',')
			}
			var v string
			if i < t.width {
				v = row[i]
			} else {
				v = t.columns[i].vals[r]
			}
			dst = appendField(dst, v, single)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// sizeHint estimates the encoded size of the columns out, slightly high:
// growing a buffer of 100 MB by appending would copy it many times over.
func (t *Table) sizeHint(out []int) int {
	n := 0
	for _, v := range t.cells {
		n += len(v)
	}
	for _, i := range out {
		if i >= t.width {
			for _, v := range t.columns[i].vals {
				n += len(v)
			}
		}
	}
	cells := (t.rows + 1) * len(out)
	return n + n/8 + 3*cells + 64
}

func allEmpty(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}

// appendField writes one CSV field, quoted when it holds a separator, a
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

func needsQuotes(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}
