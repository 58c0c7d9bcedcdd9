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
// order, their rows, and the columns the command added.
//
// A field f is one column "f" holding its value (several values joined by
// "\n") and, optionally, a column "__mv_f" holding the values encoded as
// $v1$;$v2$ with "$" doubled. Every input column is kept and written back
// with its cells unchanged unless the command sets that field: splunkd
// treats the reply as the new result set, so a missing column is a dropped
// field.
//
// The table keeps the body as it came and where each row is in it; a row's
// cells are split only when the row is read. A reply writes each row's
// bytes as they came, followed by the cells the command added, which are
// encoded once per row when the row is finished. Only a row whose input
// cells the command changed is encoded whole. So a reply costs two copies
// per row, and the table holds the body, the added cells and 24 bytes per
// row: nothing is sized from the number of cells.
type Table struct {
	columns []column
	byName  map[string]int      // column name -> index in columns
	fields  map[string]FieldRef // field name -> its columns
	width   int                 // number of input columns
	body    string              // the header line and the rows
	bodyLen int                 // the length body will have once it has all arrived
	own     []byte              // body storage of a table built by hand
	header  string              // the input header line, without its line end
	rows    rowStore            // each row's line in body and what it writes
	side    *arena              // finished rows' added cells
	tw      *RowWriter          // reads and writes through the Table's own methods
	mu      sync.Mutex          // guards writers and fill
	writers []*RowWriter        // every RowWriter, finished when encoded
	fill    fillState           // rows arriving while the body is read
	outCols int                 // added columns the reply writes (see settle)
}

// rowState is one row: where its line is, and what it writes.
type rowState struct {
	line rowSpan
	out  rowOut
}

// rowStore keeps rows in segments that never move, so that goroutines
// can work on rows while more are added.
type rowStore struct {
	segs []*[segSize]rowState
	n    int // rows stored
}

const (
	segBits = 14
	segSize = 1 << segBits
)

func (s *rowStore) at(i int) *rowState { return &s.segs[i>>segBits][i&(segSize-1)] }

// reset forgets the rows, keeping the segments; room is how many rows
// may come, so that the segment list never grows while rows are read.
func (s *rowStore) reset(room int) {
	s.n = 0
	if need := room>>segBits + 1; need > len(s.segs) {
		s.segs = append(s.segs, make([]*[segSize]rowState, need-len(s.segs))...)
	}
}

// add stores a row.
func (s *rowStore) add(line rowSpan) {
	k := s.n >> segBits
	if k == len(s.segs) {
		s.segs = append(s.segs, nil) // a table built by hand: nothing runs meanwhile
	}
	if s.segs[k] == nil {
		s.segs[k] = new([segSize]rowState)
	}
	s.segs[k][s.n&(segSize-1)] = rowState{line: line}
	s.n++
}

type column struct{ name string }

// rowSpan is a row's line: body[start:end].
type rowSpan struct{ start, end uint32 }

// rowOut is what a finished row writes: its added cells (",a,b", the
// first cols added columns), or with full its whole line.
type rowOut struct {
	s    span
	cols uint32
	full bool
}

// span locates bytes a finished row writes: side[off:off+n] (with sideBit
// in n).
type span struct{ off, n uint32 }

const (
	sideBit = 1 << 31
	lenMask = sideBit - 1
	// MaxBody is the largest body a Table can hold: offsets are 32 bits.
	MaxBody = sideBit - 1
	// MaxCell is the largest cell a Table can hold: a whole body.
	MaxCell = MaxBody
)

// spanString returns what a span locates.
func (t *Table) spanString(s span) string {
	n := s.n & lenMask
	if n == 0 {
		return ""
	}
	return t.side.str(s.off, n)
}

// arena holds the bytes a table writes, in blocks that never move once
// written: growing copies nothing, strings handed out stay valid, and only
// the memory used is ever touched. Blocks are kept for the next chunk.
//
// Several goroutines may write to one arena, each through a cursor of its
// own: a block belongs to the cursor that took it, and only taking a block
// is synchronised.
//
// In the tables Serve reuses (mapBlocks), standard blocks are cut from
// address space mapped once per arena with package hugebuf where it can be
// (fresh Go heap memory costs a page fault per 4 KiB); elsewhere, and past
// the mapping, they are taken from the Go heap. Only Serve's tables map:
// a string into a mapping does not keep it alive, and Serve's tables and
// their strings never outlive the session, while a table decoded by hand
// may hand out strings its caller keeps.
type arena struct {
	mu        sync.Mutex
	blocks    *[maxBlocks][]byte
	n         int // blocks taken
	spare     [][]byte
	pool      mapping // standard blocks, cut in order
	cut       int     // standard blocks cut from pool
	mapBlocks bool    // cut standard blocks from a mapping (see arena)
}

// mappedBlocks is how many standard blocks an arena cuts from its mapping
// (512 MiB of address space); blocks past them come from the Go heap.
const mappedBlocks = 128

const (
	blockBits = 22
	blockSize = 1 << blockBits
	maxBlocks = 1 << (32 - blockBits)
)

func newArena() *arena { return &arena{blocks: new([maxBlocks][]byte)} }

// errArenaFull is the panic of a table whose added cells pass 4 GiB.
const errArenaFull = "chunked: a table cannot hold more than 4 GiB of added cells"

// take hands out a block for at least n bytes.
func (a *arena) take(n int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n >= maxBlocks {
		panic(errArenaFull)
	}
	var b []byte
	switch {
	case n <= blockSize && len(a.spare) > 0:
		b, a.spare = a.spare[len(a.spare)-1][:0], a.spare[:len(a.spare)-1]
	case n <= blockSize:
		b = a.newBlock()
	default:
		// A value longer than a block gets a block of its own.
		b = make([]byte, 0, n)
	}
	k := a.n
	a.blocks[k] = b
	a.n++
	return k
}

// newBlock returns a fresh standard block, empty, with blockSize bytes of
// room.
func (a *arena) newBlock() []byte {
	if !a.mapBlocks {
		return make([]byte, 0, blockSize)
	}
	pool := a.pool.get(mappedBlocks * blockSize)
	if pool == nil || (a.cut+1)*blockSize > pool.Cap() {
		return make([]byte, 0, blockSize)
	}
	lo := a.cut * blockSize
	a.cut++
	return pool.Bytes(lo + blockSize)[lo:lo]
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
	a *arena
	k int // current block, -1 before the first
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

// FieldRef locates a field's columns in a Table; -1 means absent. Resolve
// it once with Table.Field or Table.Prepare and use it for many rows.
type FieldRef struct{ plain, mv int }

// Exists reports whether the table has a column for the field.
func (f FieldRef) Exists() bool { return f.plain >= 0 || f.mv >= 0 }

// NewTable returns an empty table with the given columns.
func NewTable(columns []string) *Table {
	t := &Table{side: newArena()}
	var header []byte
	for i, c := range columns {
		if i > 0 {
			header = append(header, ',')
		}
		header = appendField(header, c, len(columns) == 1)
	}
	t.own = append(header, '\n')
	t.body = unsafe.String(unsafe.SliceData(t.own), len(t.own))
	t.header = t.body[:len(header)]
	t.bodyLen = len(t.own)
	t.fill.header = true
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
	if t.own == nil {
		t.own = []byte(t.body)
	}
	start := len(t.own)
	for i, c := range cells {
		if i > 0 {
			t.own = append(t.own, ',')
		}
		t.own = appendField(t.own, c, t.width == 1)
	}
	end := len(t.own)
	t.own = append(t.own, '\n')
	if len(t.own) > MaxBody {
		panic("chunked: a table built by hand cannot pass MaxBody")
	}
	// The header and earlier rows are offsets, so a moved buffer is fine;
	// strings handed out before point into the old one, which stays.
	t.body = unsafe.String(unsafe.SliceData(t.own), len(t.own))
	t.header = t.body[:len(t.header)]
	t.rows.add(rowSpan{uint32(start), uint32(end)})
	t.fill.n, t.bodyLen = t.rows.n, len(t.own)
	if t.tw != nil {
		t.tw.row = -1 // the body moved
	}
}

// Len returns the number of rows. While the body is still arriving (see
// Claim), it waits for the whole body.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.fill.active {
		t.fill.cond.Wait()
	}
	return t.fill.n
}

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

// writer is the RowWriter behind the Table's own read and write methods.
func (t *Table) writer() *RowWriter {
	if t.tw == nil {
		t.tw = t.RowWriter()
	}
	return t.tw
}

// finishAll finishes the last row of every RowWriter.
func (t *Table) finishAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, w := range t.writers {
		w.Done()
	}
}

// settle finishes every row and decides how many added columns the reply
// writes: those up to the last that some row has a value in. An added
// column empty in every row is not written (a field no record has is
// absent to Splunk either way), so that records kubeenrich adds nothing
// to (blank lines, makeresults rows) come back as they went, not each
// followed by a hundred commas. A row written whole keeps every column.
func (t *Table) settle() {
	t.finishAll()
	t.outCols = 0
	for i := range t.Len() {
		o := t.rows.at(i).out
		if o.full {
			t.outCols = t.added()
			return
		}
		t.outCols = max(t.outCols, int(o.cols))
	}
}

// Cell returns the cell of a column by name, "" when the column is absent.
func (t *Table) Cell(row int, column string) string {
	if i, ok := t.byName[column]; ok {
		w := t.writer()
		if !w.load(row) {
			return ""
		}
		return w.value(i)
	}
	return ""
}

// Value returns the single-string form of a field: its values joined with
// "\n", as splunkd writes the plain column.
func (t *Table) Value(row int, f FieldRef) string { return t.writer().Value(row, f) }

// Values returns a field's values: decoded from its __mv_ column when that
// is set, else the plain cell as one value, else nil. A plain value that
// contains "\n" is one value unless the __mv_ column says otherwise.
func (t *Table) Values(row int, f FieldRef) []string { return t.writer().Values(row, f) }

// Set gives a field its values in a row, adding the field's columns when
// the table lacks them. No values clears the field.
func (t *Table) Set(row int, field string, values ...string) {
	ref := t.Prepare(field, len(values) > 1)
	w := t.writer()
	w.SetValues(row, ref, values)
	w.Done()
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
	w := t.writer()
	w.SetValues(row, *f, values)
	w.Done()
}

func (t *Table) addColumn(name string) int {
	t.columns = append(t.columns, column{name: name})
	i := len(t.columns) - 1
	if _, dup := t.byName[name]; !dup {
		t.byName[name] = i
	}
	if t.tw != nil {
		t.tw.row = -1 // its cells lack the new column
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
	if vals, ok := parseMV(enc, nil); ok {
		return vals
	}
	return []string{enc}
}

// parseMV decodes "$v1$;$v2$" with "$$" standing for "$", appending to
// dst. It reports false for anything else.
func parseMV(enc string, dst []string) ([]string, bool) {
	vals := dst
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

// errBadRow is panicked by a RowWriter reading a row that does not split
// into the header's number of cells; DecodeTable checked every row, so it
// is a bug, reported as such.
func errBadRow(row, got, want int) string {
	return fmt.Sprintf("chunked: row %d split into %d cells, the header has %d", row+1, got, want)
}
