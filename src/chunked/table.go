package chunked

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// mvPrefix names the companion column that carries a field's multiple
// values: __mv_<field>, e.g. __mv__raw for _raw.
const mvPrefix = "__mv_"

// Table is the CSV body of one execute chunk: the columns splunkd sent, in
// order, their cells, and the columns the command added.
//
// A field f is one column "f" holding its value (several values joined by
// "\n") and, optionally, a column "__mv_f" holding the values encoded as
// $v1$;$v2$ with "$" doubled. Every input column is kept and written back
// with its cells unchanged unless the command sets that field: splunkd
// treats the reply as the new result set, so a missing column is a dropped
// field.
//
// Cells are offsets into the chunk body, or into a side buffer for values
// that had to be unescaped and for values set later, rather than strings:
// a 50,000-record chunk has millions of cells, and millions of string
// headers would cost the garbage collector seconds to scan on every cycle.
type Table struct {
	columns []column
	byName  map[string]int      // column name -> index in columns
	fields  map[string]FieldRef // field name -> its columns
	width   int                 // number of input columns
	body    string              // the chunk body input cells point into
	side    *arena              // values read unescaped and values set later
	cur     cursor              // where this goroutine's values go
	cells   []span              // input cells, row-major
	rows    int
}

type column struct {
	name string
	vals []span // cells of an added column, one per row; nil for input columns
}

// span locates a cell: body[off:off+n], or side[off:off+n] with sideBit.
// Every cell is kept as it appears in CSV, decoded when read and written
// back verbatim, so that a reply costs one copy per cell and no scanning.
// A cell in quotes starts with '"': an unquoted cell never holds one, so
// the first byte tells a quoted cell without a flag, and a cell may be as
// long as a body.
type span struct{ off, n uint32 }

const (
	sideBit = 1 << 31
	lenMask = sideBit - 1
	// MaxBody is the largest body a Table can hold: cell offsets are 32
	// bits wide and one is a flag.
	MaxBody = sideBit - 1
	// MaxCell is the largest cell a Table can hold: a whole body.
	MaxCell = MaxBody
)

// raw returns a cell's CSV text.
func (t *Table) raw(s span) string {
	n := s.n & lenMask
	switch {
	case n == 0:
		return ""
	case s.n&sideBit != 0:
		return t.side.str(s.off, n)
	}
	return t.body[s.off : s.off+n]
}

// str returns a cell's value, unescaping through c when needed.
func (t *Table) str(s span, c *cursor) string {
	r := t.raw(s)
	if len(r) < 2 || r[0] != '"' {
		return r
	}
	return c.unescape(r[1 : len(r)-1])
}

// init gives a table its arena and default cursor.
func (t *Table) init(a *arena) {
	if a == nil {
		a = newArena()
	}
	t.side, t.cur = a, cursor{a: a, k: -1}
}

// arena holds the bytes a table writes, in blocks that never move once
// written: growing copies nothing, strings handed out stay valid, and only
// the memory used is ever touched. Blocks are kept for the next chunk.
//
// Several goroutines may write to one arena, each through a cursor of its
// own: a block belongs to the cursor that took it, and only taking a block
// is synchronised.
type arena struct {
	mu     sync.Mutex
	blocks *[maxBlocks][]byte
	n      int // blocks taken
	spare  [][]byte
}

const (
	blockBits = 22
	blockSize = 1 << blockBits
	maxBlocks = 1 << (32 - blockBits)
)

func newArena() *arena { return &arena{blocks: new([maxBlocks][]byte)} }

// take hands out a block for at least n bytes.
func (a *arena) take(n int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n >= maxBlocks {
		panic(fmt.Sprintf("chunked: a table cannot hold more than %d blocks of set values", maxBlocks))
	}
	var b []byte
	if n <= blockSize && len(a.spare) > 0 {
		b, a.spare = a.spare[len(a.spare)-1][:0], a.spare[:len(a.spare)-1]
	} else {
		// A value longer than a block gets a block of its own.
		b = make([]byte, 0, max(n, blockSize))
	}
	k := a.n
	a.blocks[k] = b
	a.n++
	return k
}

func (a *arena) str(off, n uint32) string {
	b := a.blocks[off>>blockBits]
	return unsafe.String(&b[off&(blockSize-1)], n)
}

// reset forgets every value, keeping the standard blocks for reuse. Only
// call it when no cursor is in use.
func (a *arena) reset() {
	for k := range a.n {
		if b := a.blocks[k]; cap(b) == blockSize {
			a.spare = append(a.spare, b)
		}
		a.blocks[k] = nil
	}
	a.n = 0
}

// cursor appends to the arena's block it took last.
type cursor struct {
	a       *arena
	k       int    // current block, -1 before the first
	scratch []byte // multivalues being assembled
}

// room returns a block with n free bytes and where they start. A value
// goes after the last one only while it ends within blockSize: a span's
// offset keeps blockBits for the place in a block. A block taken for a
// value longer than blockSize holds that value alone.
func (c *cursor) room(n int) (block, start int) {
	if c.k >= 0 {
		if b := c.a.blocks[c.k]; cap(b)-len(b) >= n && len(b)+n <= blockSize {
			return c.k, len(b)
		}
	}
	c.k = c.a.take(n)
	return c.k, 0
}

// span describes what was appended to block k since start.
func (c *cursor) span(k, start int) span {
	n := len(c.a.blocks[k]) - start
	if n > MaxCell {
		panic(fmt.Sprintf("chunked: a cell cannot be longer than %d bytes", MaxCell))
	}
	return span{off: uint32(k)<<blockBits | uint32(start), n: uint32(n) | sideBit}
}

// unescape returns the value of a quoted field's inside, q, turning ""
// into ". Without doubled quotes it is q itself.
func (c *cursor) unescape(q string) string {
	if !strings.Contains(q, `""`) {
		return q
	}
	k, start := c.room(len(q))
	b := c.a.blocks[k]
	for {
		j := strings.Index(q, `""`)
		if j < 0 {
			b = append(b, q...)
			break
		}
		b = append(b, q[:j+1]...)
		q = q[j+2:]
	}
	c.a.blocks[k] = b
	return unsafe.String(&b[start], len(b)-start)
}

// put stores a value as CSV: quoted when it holds a separator, a quote or
// a line break.
func (c *cursor) put(v string) span {
	if v == "" {
		return span{}
	}
	if !needsQuotes(v) {
		k, start := c.room(len(v))
		c.a.blocks[k] = append(c.a.blocks[k], v...)
		return c.span(k, start)
	}
	quotes := strings.Count(v, `"`)
	k, start := c.room(len(v) + quotes + 2)
	b := append(c.a.blocks[k], '"')
	if quotes > 0 {
		for {
			j := strings.IndexByte(v, '"')
			if j < 0 {
				break
			}
			b = append(b, v[:j+1]...)
			b = append(b, '"')
			v = v[j+1:]
		}
	}
	b = append(b, v...)
	c.a.blocks[k] = append(b, '"')
	return c.span(k, start)
}

// FieldRef locates a field's columns in a Table; -1 means absent. Resolve
// it once with Table.Field or Table.Prepare and use it for many rows.
type FieldRef struct{ plain, mv int }

// Exists reports whether the table has a column for the field.
func (f FieldRef) Exists() bool { return f.plain >= 0 || f.mv >= 0 }

// NewTable returns an empty table with the given columns.
func NewTable(columns []string) *Table {
	t := &Table{}
	t.init(nil)
	t.setColumns(columns)
	return t
}

func (t *Table) setColumns(names []string) {
	t.columns = make([]column, len(names))
	t.byName = make(map[string]int, len(names))
	t.fields = make(map[string]FieldRef, len(names))
	for i, n := range names {
		t.columns[i] = column{name: n}
		if _, dup := t.byName[n]; !dup {
			t.byName[n] = i
		}
	}
	t.width = len(names)
	for i, n := range names {
		if base, ok := strings.CutPrefix(n, mvPrefix); ok {
			if _, hasPlain := t.byName[base]; hasPlain {
				continue // the companion of base, attached below
			}
		}
		if _, seen := t.fields[n]; seen {
			continue
		}
		ref := FieldRef{plain: i, mv: -1}
		if j, ok := t.byName[mvPrefix+n]; ok {
			ref.mv = j
		}
		t.fields[n] = ref
	}
}

// AppendRow adds a row of input cells, one per input column. It is how a
// table is built by hand (tests, local replay); DecodeTable fills tables
// from CSV.
func (t *Table) AppendRow(cells ...string) {
	if len(cells) != t.width {
		panic("chunked: AppendRow with the wrong number of cells")
	}
	for _, c := range cells {
		t.cells = append(t.cells, t.cur.put(c))
	}
	t.rows++
	for i := t.width; i < len(t.columns); i++ {
		t.columns[i].vals = append(t.columns[i].vals, span{})
	}
}

// Len returns the number of rows.
func (t *Table) Len() int { return t.rows }

// Columns returns the names of all columns, input and added, in output
// order, including __mv_ columns.
func (t *Table) Columns() []string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return names
}

// Fields returns the field names, without __mv_ companion columns, in
// column order.
func (t *Table) Fields() []string {
	names := make([]string, 0, len(t.fields))
	for i, c := range t.columns {
		if ref, ok := t.fields[c.name]; ok && (ref.plain == i || (ref.plain < 0 && ref.mv == i)) {
			names = append(names, c.name)
		}
	}
	return names
}

// Field resolves a field name to its columns.
func (t *Table) Field(name string) FieldRef {
	if ref, ok := t.fields[name]; ok {
		return ref
	}
	return FieldRef{plain: -1, mv: -1}
}

func (t *Table) cellSpan(row, col int) span {
	if col < t.width {
		return t.cells[row*t.width+col]
	}
	return t.columns[col].vals[row]
}

func (t *Table) cell(row, col int) string { return t.str(t.cellSpan(row, col), &t.cur) }

func (t *Table) setSpan(row, col int, s span) {
	if col < t.width {
		t.cells[row*t.width+col] = s
		return
	}
	t.columns[col].vals[row] = s
}

// Cell returns the cell of a column by name, "" when the column is absent.
func (t *Table) Cell(row int, column string) string {
	if i, ok := t.byName[column]; ok {
		return t.cell(row, i)
	}
	return ""
}

// Value returns the single-string form of a field: its values joined with
// "\n", as splunkd writes the plain column.
func (t *Table) Value(row int, f FieldRef) string { return t.value(row, f, &t.cur) }

func (t *Table) value(row int, f FieldRef, c *cursor) string {
	if f.plain >= 0 {
		return t.str(t.cellSpan(row, f.plain), c)
	}
	if f.mv >= 0 {
		return strings.Join(decodeMV(t.str(t.cellSpan(row, f.mv), c)), "\n")
	}
	return ""
}

// Values returns a field's values: decoded from its __mv_ column when that
// is set, else the plain cell as one value, else nil. A plain value that
// contains "\n" is one value unless the __mv_ column says otherwise.
func (t *Table) Values(row int, f FieldRef) []string { return t.values(row, f, &t.cur) }

func (t *Table) values(row int, f FieldRef, c *cursor) []string {
	if f.mv >= 0 {
		if enc := t.str(t.cellSpan(row, f.mv), c); enc != "" {
			if vals, ok := parseMV(enc); ok {
				return vals
			}
		}
	}
	if f.plain >= 0 {
		if v := t.str(t.cellSpan(row, f.plain), c); v != "" {
			return []string{v}
		}
	}
	return nil
}

// Set gives a field its values in a row, adding the field's columns when
// the table lacks them. No values clears the field.
func (t *Table) Set(row int, field string, values ...string) {
	ref := t.Prepare(field, false)
	t.SetValues(row, &ref, values)
	t.fields[field] = ref
}

// Prepare returns the columns of a field about to be written, adding its
// plain column, and its __mv_ column when multi is set, if the table lacks
// them. With every column prepared, rows can be written from several
// goroutines at once (see RowWriter).
func (t *Table) Prepare(field string, multi bool) FieldRef {
	ref, ok := t.fields[field]
	if !ok {
		ref = FieldRef{plain: -1, mv: -1}
		if j, found := t.byName[mvPrefix+field]; found {
			ref.mv = j
		}
	}
	if ref.plain < 0 {
		ref.plain = t.addColumn(field)
	}
	if multi && ref.mv < 0 {
		ref.mv = t.addColumn(mvPrefix + field)
	}
	t.fields[field] = ref
	return ref
}

// SetValues gives the field f (from Prepare) its values in row. A
// multivalue for a field without a __mv_ column adds the column and
// updates f.
func (t *Table) SetValues(row int, f *FieldRef, values []string) {
	if len(values) > 1 && f.mv < 0 {
		name := t.columns[f.plain].name
		f.mv = t.addColumn(mvPrefix + name)
		t.fields[name] = *f
	}
	t.setValues(row, *f, values, &t.cur)
}

func (t *Table) setValues(row int, f FieldRef, values []string, c *cursor) {
	switch len(values) {
	case 0:
		t.setSpan(row, f.plain, span{})
		if f.mv >= 0 {
			t.setSpan(row, f.mv, span{})
		}
		return
	case 1:
		t.setSpan(row, f.plain, c.put(values[0]))
		if f.mv >= 0 {
			t.setSpan(row, f.mv, span{})
		}
		return
	}
	// The joined and encoded forms are built in the cursor's scratch
	// buffer: put copies them into the arena, so nothing is allocated.
	c.scratch = c.scratch[:0]
	for i, v := range values {
		if i > 0 {
			c.scratch = append(c.scratch, '\n')
		}
		c.scratch = append(c.scratch, v...)
	}
	t.setSpan(row, f.plain, c.put(unsafe.String(unsafe.SliceData(c.scratch), len(c.scratch))))
	if f.mv >= 0 {
		c.scratch = appendMV(c.scratch[:0], values)
		t.setSpan(row, f.mv, c.put(unsafe.String(unsafe.SliceData(c.scratch), len(c.scratch))))
	}
}

// RowWriter reads and writes rows of a table from one goroutine: several
// RowWriters may work on disjoint rows at once, as long as the table's shape
// is settled first (every column written to prepared with Prepare) and
// nothing else touches the table meanwhile.
type RowWriter struct {
	t   *Table
	cur cursor
}

// RowWriter returns a RowWriter for one goroutine.
func (t *Table) RowWriter() *RowWriter { return &RowWriter{t: t, cur: cursor{a: t.side, k: -1}} }

// Value is Table.Value for this goroutine.
func (w *RowWriter) Value(row int, f FieldRef) string { return w.t.value(row, f, &w.cur) }

// Values is Table.Values for this goroutine.
func (w *RowWriter) Values(row int, f FieldRef) []string { return w.t.values(row, f, &w.cur) }

// SetValues is Table.SetValues for this goroutine, except that it never
// adds a column: several values for a field prepared without its __mv_
// column are written joined, as its plain value only.
func (w *RowWriter) SetValues(row int, f FieldRef, values []string) {
	w.t.setValues(row, f, values, &w.cur)
}

func (t *Table) addColumn(name string) int {
	t.columns = append(t.columns, column{name: name, vals: make([]span, t.rows)})
	i := len(t.columns) - 1
	if _, dup := t.byName[name]; !dup {
		t.byName[name] = i
	}
	return i
}

// Record is one row of a Table, read by field name.
type Record struct {
	t   *Table
	row int
}

// Record returns a view of row i.
func (t *Table) Record(i int) Record { return Record{t: t, row: i} }

// Value returns the field's single-string form ("" when absent).
func (r Record) Value(field string) string { return r.t.Value(r.row, r.t.Field(field)) }

// Values returns the field's values, nil when absent or empty.
func (r Record) Values(field string) []string { return r.t.Values(r.row, r.t.Field(field)) }

// Set gives the field its values in this row.
func (r Record) Set(field string, values ...string) { r.t.Set(r.row, field, values...) }

// EncodeMV encodes values the way splunkd writes a __mv_ cell:
// "$v1$;$v2$", every "$" inside a value doubled.
func EncodeMV(values []string) string { return string(appendMV(nil, values)) }

func appendMV(dst []byte, values []string) []byte {
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, '$')
		for {
			j := strings.IndexByte(v, '$')
			if j < 0 {
				dst = append(dst, v...)
				break
			}
			dst = append(dst, v[:j+1]...)
			dst = append(dst, '$')
			v = v[j+1:]
		}
		dst = append(dst, '$')
	}
	return dst
}

// decodeMV decodes a __mv_ cell, returning the cell as one value when it is
// not well formed.
func decodeMV(enc string) []string {
	if vals, ok := parseMV(enc); ok {
		return vals
	}
	return []string{enc}
}

// parseMV decodes "$v1$;$v2$" with "$$" standing for "$". It reports false
// for anything else.
func parseMV(enc string) ([]string, bool) {
	vals := make([]string, 0, strings.Count(enc, "$;$")+1)
	i := 0
	for {
		if i >= len(enc) || enc[i] != '$' {
			return nil, false
		}
		i++
		start := i
		escaped := false
		for {
			j := strings.IndexByte(enc[i:], '$')
			if j < 0 {
				return nil, false
			}
			i += j
			if i+1 < len(enc) && enc[i+1] == '$' {
				escaped = true
				i += 2
				continue
			}
			break
		}
		v := enc[start:i]
		if escaped {
			v = strings.ReplaceAll(v, "$$", "$")
		}
		vals = append(vals, v)
		i++ // closing '$'
		if i == len(enc) {
			return vals, true
		}
		if enc[i] != ';' {
			return nil, false
		}
		i++
	}
}
