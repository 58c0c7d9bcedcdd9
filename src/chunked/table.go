package chunked

import (
	"strings"
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
type Table struct {
	columns []column
	byName  map[string]int      // column name -> index in columns
	fields  map[string]FieldRef // field name -> its columns
	width   int                 // number of input columns
	cells   []string            // input cells, row-major
	rows    int
}

type column struct {
	name string
	vals []string // cells of an added column, one per row; nil for input columns
}

// FieldRef locates a field's columns in a Table; -1 means absent. Resolve
// it once with Table.Field and read many records with it.
type FieldRef struct{ plain, mv int }

// Exists reports whether the table has a column for the field.
func (f FieldRef) Exists() bool { return f.plain >= 0 || f.mv >= 0 }

// NewTable returns an empty table with the given columns and room for rows.
func NewTable(columns []string) *Table {
	t := &Table{}
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
	t.cells = append(t.cells, cells...)
	t.rows++
	for i := t.width; i < len(t.columns); i++ {
		t.columns[i].vals = append(t.columns[i].vals, "")
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

func (t *Table) cell(row, col int) string {
	if col < t.width {
		return t.cells[row*t.width+col]
	}
	return t.columns[col].vals[row]
}

func (t *Table) setCell(row, col int, v string) {
	if col < t.width {
		t.cells[row*t.width+col] = v
		return
	}
	t.columns[col].vals[row] = v
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
func (t *Table) Value(row int, f FieldRef) string {
	if f.plain >= 0 {
		return t.cell(row, f.plain)
	}
	if f.mv >= 0 {
		return strings.Join(decodeMV(t.cell(row, f.mv)), "\n")
	}
	return ""
}

// Values returns a field's values: decoded from its __mv_ column when that
// is set, else the plain cell as one value, else nil. A plain value that
// contains "\n" is one value unless the __mv_ column says otherwise.
func (t *Table) Values(row int, f FieldRef) []string {
	if f.mv >= 0 {
		if enc := t.cell(row, f.mv); enc != "" {
			if vals, ok := parseMV(enc); ok {
				return vals
			}
		}
	}
	if f.plain >= 0 {
		if v := t.cell(row, f.plain); v != "" {
			return []string{v}
		}
	}
	return nil
}

// Set gives a field its values in a row, adding the field's columns when
// the table lacks them. No values clears the field.
func (t *Table) Set(row int, field string, values ...string) {
	ref := t.ensureField(field)
	switch len(values) {
	case 0:
		t.setCell(row, ref.plain, "")
		if ref.mv >= 0 {
			t.setCell(row, ref.mv, "")
		}
	case 1:
		t.setCell(row, ref.plain, values[0])
		if ref.mv >= 0 {
			t.setCell(row, ref.mv, "")
		}
	default:
		t.setCell(row, ref.plain, strings.Join(values, "\n"))
		if ref.mv < 0 {
			ref.mv = t.addColumn(mvPrefix + field)
			t.fields[field] = ref
		}
		t.setCell(row, ref.mv, EncodeMV(values))
	}
}

// ensureField returns the field's columns, adding a plain column when the
// field has none.
func (t *Table) ensureField(field string) FieldRef {
	ref, ok := t.fields[field]
	if ok && ref.plain >= 0 {
		return ref
	}
	if !ok {
		ref = FieldRef{plain: -1, mv: -1}
		if j, ok := t.byName[mvPrefix+field]; ok {
			ref.mv = j
		}
	}
	ref.plain = t.addColumn(field)
	t.fields[field] = ref
	return ref
}

func (t *Table) addColumn(name string) int {
	t.columns = append(t.columns, column{name: name, vals: make([]string, t.rows)})
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
func EncodeMV(values []string) string {
	n := 0
	for _, v := range values {
		n += len(v) + 3
	}
	var b strings.Builder
	b.Grow(n)
	for i, v := range values {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteByte('$')
		for {
			j := strings.IndexByte(v, '$')
			if j < 0 {
				b.WriteString(v)
				break
			}
			b.WriteString(v[:j+1])
			b.WriteByte('$')
			v = v[j+1:]
		}
		b.WriteByte('$')
	}
	return b.String()
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
