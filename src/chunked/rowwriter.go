package chunked

import (
	"strings"
	"unsafe"
)

// RowWriter reads and writes the rows of a table from one goroutine.
// Several RowWriters may work on disjoint rows at once, as long as the
// table's shape is settled first (every column written to prepared with
// Prepare) and nothing else touches the table meanwhile.
//
// A RowWriter works on one row at a time: reading or writing another row
// finishes the one before, and Done finishes the last. Strings it returns
// are valid until it moves to another row.
type RowWriter struct {
	t       *Table
	cur     cursor
	row     int       // the row loaded, -1 for none
	st      *rowState // the loaded row's state (rows never move)
	seen    rowOut    // the row's output when it was loaded or finished
	limit   int       // rows [0, limit) have arrived, in body
	body    string    // the body as far as this writer may read it
	cells   []string  // the row's cells as CSV text: input, then added
	values  []string  // the cells' values once read (see value); unread ones hold notRead
	buf     []byte    // values set in this row, encoded, and values read unescaped
	lists   []string  // backing store of what Values returns for this row
	changed bool      // an input cell was set: the row is written whole
	dirty   bool      // a cell was set since the row was loaded
}

// RowWriter returns a RowWriter for one goroutine. The table finishes
// every RowWriter's last row when it is encoded.
func (t *Table) RowWriter() *RowWriter {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.side == nil {
		t.side = newArena()
	}
	w := &RowWriter{t: t, cur: cursor{a: t.side, k: -1}, row: -1}
	t.writers = append(t.writers, w)
	return w
}

// load makes row the current row, splitting its cells. It reports false
// for a row out of range.
func (w *RowWriter) load(row int) bool {
	t := w.t
	if row == w.row && row >= 0 && w.st.out == w.seen && len(w.cells) == len(t.columns) {
		return true
	}
	w.Done()
	if row >= w.limit {
		// Not a claimed row: wait for the whole body (see Claim).
		w.limit = t.Len()
		w.body = t.body
	}
	if row < 0 || row >= w.limit {
		w.row = -1
		return false
	}
	st := t.rows.at(row)
	w.row, w.st, w.seen = row, st, st.out
	w.buf, w.lists, w.cells = w.buf[:0], w.lists[:0], w.cells[:0]
	o := w.seen
	line := w.body[st.line.start:st.line.end]
	if o.full {
		line = t.spanString(o.s)
	}
	// Each cell is unescaped at most once (see value), into at most its
	// own length: with room for the whole line the buffer never moves, and
	// a row of huge quoted cells costs its size once more, not the
	// doublings of a growing buffer, each kept alive by the strings handed
	// out of it.
	if cap(w.buf) < len(line) {
		w.buf = make([]byte, 0, len(line))
	}
	w.cells = splitLine(line, w.cells)
	if !o.full {
		if len(w.cells) != t.width {
			panic(errBadRow(row, len(w.cells), t.width))
		}
		if o.cols > 0 {
			w.cells = splitLine(t.spanString(o.s)[1:], w.cells)
		}
	}
	for len(w.cells) < len(t.columns) {
		w.cells = append(w.cells, "")
	}
	w.cells = w.cells[:len(t.columns)]
	w.values = w.values[:0]
	for range w.cells {
		w.values = append(w.values, notRead)
	}
	w.changed, w.dirty = o.full, false
	return true
}

// notRead marks a cell not read yet in RowWriter.values: a string no
// cell's value can share memory with.
var notRead = string([]byte{0})

// value returns the value of the row's cell col, unescaping it on its
// first read only.
func (w *RowWriter) value(col int) string {
	if v := w.values[col]; unsafe.StringData(v) != unsafe.StringData(notRead) {
		return v
	}
	v := w.unquote(w.cells[col])
	w.values[col] = v
	return v
}

// unquote returns the value of a CSV cell, unescaping doubled quotes into
// the row's buffer.
func (w *RowWriter) unquote(raw string) string {
	if len(raw) < 2 || raw[0] != '"' {
		return raw
	}
	q := raw[1 : len(raw)-1]
	j := strings.IndexByte(q, '"')
	if j < 0 {
		return q
	}
	start := len(w.buf)
	for j >= 0 {
		w.buf = append(w.buf, q[:j+1]...)
		q = q[j+2:] // the quote's double
		j = strings.IndexByte(q, '"')
	}
	w.buf = append(w.buf, q...)
	return unsafe.String(unsafe.SliceData(w.buf[start:]), len(w.buf)-start)
}

// Value returns the single-string form of a field in row: its values
// joined with "\n", as splunkd writes the plain column.
func (w *RowWriter) Value(row int, f FieldRef) string {
	if !w.load(row) {
		return ""
	}
	if f.plain >= 0 {
		return w.value(f.plain)
	}
	if f.mv >= 0 {
		if enc := w.value(f.mv); enc != "" {
			return strings.Join(decodeMV(enc), "\n")
		}
	}
	return ""
}

// Values returns a field's values in row: decoded from its __mv_ column
// when that is set, else the plain cell as one value, else nil.
func (w *RowWriter) Values(row int, f FieldRef) []string {
	if !w.load(row) {
		return nil
	}
	start := len(w.lists)
	if f.mv >= 0 {
		if enc := w.value(f.mv); enc != "" {
			if vals, ok := parseMV(enc, w.lists); ok {
				w.lists = vals
				return w.lists[start:len(w.lists):len(w.lists)]
			}
		}
	}
	if f.plain >= 0 {
		if v := w.value(f.plain); v != "" {
			w.lists = append(w.lists, v)
			return w.lists[start:len(w.lists):len(w.lists)]
		}
	}
	return nil
}

// SetValues gives the field f its values in row. Several values for a
// field prepared without its __mv_ column are written joined, as its plain
// value only.
func (w *RowWriter) SetValues(row int, f FieldRef, values []string) {
	if !w.load(row) {
		return
	}
	switch len(values) {
	case 0:
		w.setCell(f.plain, "")
		w.setCell(f.mv, "")
	case 1:
		w.setCell(f.plain, w.encode(values[0]))
		w.setCell(f.mv, "")
	default:
		start := len(w.buf)
		for i, v := range values {
			if i > 0 {
				w.buf = append(w.buf, '\n')
			}
			w.buf = append(w.buf, v...)
		}
		w.setCell(f.plain, w.encode(unsafe.String(unsafe.SliceData(w.buf[start:]), len(w.buf)-start)))
		if f.mv >= 0 {
			start = len(w.buf)
			w.buf = appendMV(w.buf, values)
			w.setCell(f.mv, w.encode(unsafe.String(unsafe.SliceData(w.buf[start:]), len(w.buf)-start)))
		}
	}
}

// encode appends v to the row's buffer as a CSV field and returns it.
func (w *RowWriter) encode(v string) string {
	if !needsQuotes(v) {
		return v // a value that needs no quotes is its own CSV text
	}
	start := len(w.buf)
	w.buf = appendField(w.buf, v, false)
	return unsafe.String(unsafe.SliceData(w.buf[start:]), len(w.buf)-start)
}

func (w *RowWriter) setCell(col int, raw string) {
	if col < 0 || w.cells[col] == raw {
		return
	}
	w.cells[col] = raw
	w.values[col] = notRead
	w.dirty = true
	if col < w.t.width {
		w.changed = true
	}
}

// Done finishes the current row: the cells set in it are encoded into
// what the reply writes for it. The table calls it when it is encoded; a
// goroutine calls it to finish its last row on its own CPU.
func (w *RowWriter) Done() {
	if w.row < 0 || !w.dirty {
		return
	}
	t := w.t
	o := rowOut{cols: uint32(len(t.columns) - t.width)}
	if w.changed {
		o.full = true
		o.s = w.storeLine()
	} else {
		// Trailing empty added cells are left to the writer's padding.
		last := len(w.cells)
		for last > t.width && w.cells[last-1] == "" {
			last--
		}
		o.cols = uint32(last - t.width)
		n := last - t.width
		for _, c := range w.cells[t.width:last] {
			n += len(c)
		}
		o.s = w.storeSuffix(n, last)
	}
	w.st.out = o
	w.seen, w.dirty = o, false
}

// storeSuffix stores ",c1,c2..." for the added cells up to last.
func (w *RowWriter) storeSuffix(n, last int) span {
	if n == 0 {
		return span{}
	}
	k, start := w.cur.room(n)
	b := w.cur.a.blocks[k]
	for _, c := range w.cells[w.t.width:last] {
		b = append(b, ',')
		b = append(b, c...)
	}
	w.cur.a.blocks[k] = b
	return span{off: uint32(k)<<blockBits | uint32(start), n: uint32(n) | sideBit}
}

// storeLine stores the whole row, every cell.
func (w *RowWriter) storeLine() span {
	last := len(w.cells) - 1
	n := last
	for _, c := range w.cells {
		n += len(c)
	}
	lastCell := w.cells[last]
	quoteLast := len(w.cells) == 1 && lastCell == "" || endsInCR(lastCell)
	if quoteLast {
		n += 2
	}
	k, start := w.cur.room(n)
	b := w.cur.a.blocks[k]
	for i, c := range w.cells[:last] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c...)
	}
	if last > 0 {
		b = append(b, ',')
	}
	if quoteLast {
		b = append(b, '"')
		b = append(b, lastCell...)
		b = append(b, '"')
	} else {
		b = append(b, lastCell...)
	}
	w.cur.a.blocks[k] = b
	return span{off: uint32(k)<<blockBits | uint32(start), n: uint32(n) | sideBit}
}

// endsInCR reports whether an unquoted cell ends in "\r": written last on
// a line, that "\r" would read as part of a "\r\n" line end, so it goes in
// quotes there.
func endsInCR(cell string) bool {
	return cell != "" && cell[len(cell)-1] == '\r' && cell[0] != '"'
}
