package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/searchcmd"
)

// DefaultColumns is the table view when no --fields are given. Columns the
// command did not produce are left out.
var DefaultColumns = []string{
	"_time", "k8s_platform", "k8s_cluster", "k8s_user_kind", "k8s_user", "src_ip", "k8s_src_ip_class",
	"verb", "k8s_resource", "k8s_object", "k8s_outcome", "k8s_resource_sensitivity", "k8s_risk_score", "k8s_findings", "k8s_detections", "k8s_falco_rules",
}

// maxCellWidth bounds a table cell; longer values are cut with "…".
const maxCellWidth = 48

// Printer writes the replies of a replay as they come (Chunk), as JSON
// lines, or as one table once every reply is in (Flush): a table's
// columns are those some record has and its widths the widest cell's.
// For a table it keeps each record's cells of the columns it may show,
// cut to maxCellWidth, not the records.
type Printer struct {
	w      *bufio.Writer
	cfg    Config
	prefix string
	// known holds every field of a record sent or received, for --fields.
	known map[string]bool
	// present holds the fields of the replies; added, for JSON lines, the
	// fields the command added, in the order they first came.
	present map[string]bool
	added   []string
	// kept are the columns whose cells a table keeps, grid those cells.
	kept []string
	grid [][]string
	// held are JSON lines not printed yet: --fields names a field no
	// record has shown so far, and a later one may.
	held bytes.Buffer
}

// NewPrinter returns a Printer writing to w.
func NewPrinter(w io.Writer, cfg Config) *Printer {
	opts, _ := searchcmd.ParseOptions(cfg.Args) // args the command refused fail the run before
	p := &Printer{w: bufio.NewWriter(w), cfg: cfg, prefix: opts.Prefix, known: map[string]bool{}, present: map[string]bool{}}
	p.kept = cfg.Fields
	if len(p.kept) == 0 && !cfg.JSON {
		for _, c := range DefaultColumns {
			p.kept = append(p.kept, opts.Prefix+c)
			if opts.Prefix != "" {
				p.kept = append(p.kept, c)
			}
		}
	}
	return p
}

// Chunk takes one reply (out) with the table it answers (in).
func (p *Printer) Chunk(in, out *chunked.Table) error {
	for _, t := range []*chunked.Table{in, out} {
		for _, f := range t.Fields() {
			p.known[f] = true
		}
	}
	inCols := in.Columns()
	for _, f := range out.Fields() {
		if !p.present[f] && !slices.Contains(inCols, f) {
			p.added = append(p.added, f)
		}
		p.present[f] = true
	}
	if p.cfg.JSON {
		return p.jsonLines(out)
	}
	for i := 0; i < out.Len(); i++ {
		r := out.Record(i)
		line := make([]string, len(p.kept))
		for j, c := range p.kept {
			// A copy: the reply's memory goes with it.
			line[j] = strings.Clone(displayValue(c, r.Values(c)))
		}
		p.grid = append(p.grid, line)
	}
	return nil
}

// jsonLines writes out's records as JSON lines, or holds them while
// --fields names a field not known yet.
func (p *Printer) jsonLines(out *chunked.Table) error {
	cols := p.cfg.Fields
	if len(cols) == 0 {
		cols = append([]string{"_time", "source"}, p.added...)
	}
	dst := io.Writer(p.w)
	if p.unknownField() != "" {
		dst = &p.held
	} else if p.held.Len() > 0 {
		if _, err := p.held.WriteTo(p.w); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	for i := 0; i < out.Len(); i++ {
		if err := writeJSONLine(dst, cols, out.Record(i)); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	return nil
}

// unknownField returns the first of --fields that no record has had and
// kubeenrich does not add (under the prefix= of the args), or "".
func (p *Printer) unknownField() string {
	for _, c := range p.cfg.Fields {
		if p.known[c] {
			continue
		}
		if after, ok := strings.CutPrefix(c, p.prefix); ok {
			if _, ok := enrich.FieldByName(after); ok {
				continue
			}
		}
		return c
	}
	return ""
}

// Flush checks --fields, writes the table (or what JSON lines it held)
// and flushes.
func (p *Printer) Flush() error {
	if c := p.unknownField(); c != "" {
		hint := "name a field of the records or one kubeenrich adds (see the README's field list)"
		if _, ok := enrich.FieldByName("k8s_" + c); ok {
			// The table's headers drop k8s_: the name of the column shown.
			hint = fmt.Sprintf("did you mean %s%s? The table's headers leave out k8s_", p.prefix, "k8s_"+c)
		}
		return fmt.Errorf("replay: --fields: no field %q: %s", c, hint)
	}
	if p.cfg.JSON {
		if _, err := p.held.WriteTo(p.w); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	} else if err := p.table(); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// Stop ends a run that failed: the JSON lines printed so far are flushed
// to w (those held for --fields are not); a table is not printed.
func (p *Printer) Stop() error {
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// table writes the kept cells of the shown columns: --fields, or the
// DefaultColumns some reply has (under the prefix= the command ran with,
// else as they are).
func (p *Printer) table() error {
	var cols []string
	var at []int // each shown column's place in kept
	if len(p.cfg.Fields) > 0 {
		cols = p.cfg.Fields
		for i := range cols {
			at = append(at, i)
		}
	} else {
		for _, c := range DefaultColumns {
			for _, name := range []string{p.prefix + c, c} {
				if p.present[name] {
					cols = append(cols, name)
					at = append(at, slices.Index(p.kept, name))
					break
				}
			}
		}
	}
	// Headers drop the k8s_ of kubeenrich's fields to save room, unless
	// that would name two columns alike (user and k8s_user).
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = strings.TrimPrefix(c, "k8s_")
	}
	for i, h := range header {
		for j, other := range header {
			if i != j && h == other {
				header[i], header[j] = cols[i], cols[j]
			}
		}
	}
	width := make([]int, len(cols))
	for i, h := range header {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, line := range p.grid {
		for i, k := range at {
			width[i] = max(width[i], utf8.RuneCountInString(line[k]))
		}
	}
	var b strings.Builder
	writeLine := func(cell func(i int) string) error {
		b.Reset()
		for i := range cols {
			v := cell(i)
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(v)
			if i < len(cols)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(v)))
			}
		}
		b.WriteByte('\n')
		_, err := io.WriteString(p.w, b.String())
		return err
	}
	if err := writeLine(func(i int) string { return header[i] }); err != nil {
		return err
	}
	b.Reset()
	for i := range cols {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(strings.Repeat("-", width[i]))
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(p.w, b.String()); err != nil {
		return err
	}
	for _, line := range p.grid {
		if err := writeLine(func(i int) string { return line[at[i]] }); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONLine writes the record's fields of cols that have values as
// one JSON object.
func writeJSONLine(w io.Writer, cols []string, r chunked.Record) error {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for _, c := range cols {
		vals := r.Values(c)
		if len(vals) == 0 {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		key, _ := json.Marshal(c)
		b.Write(key)
		b.WriteByte(':')
		var v []byte
		if len(vals) == 1 {
			v, _ = json.Marshal(vals[0])
		} else {
			v, _ = json.Marshal(vals)
		}
		b.Write(v)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// displayValue renders a cell: _time as UTC RFC 3339, multivalues joined
// with ",", anything long cut.
func displayValue(col string, vals []string) string {
	if len(vals) == 0 {
		return "-"
	}
	v := strings.Join(vals, ",")
	if col == "_time" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			v = time.UnixMilli(int64(math.Round(secs * 1000))).UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	v = printable(v)
	if utf8.RuneCountInString(v) > maxCellWidth {
		r := []rune(v)
		v = string(r[:maxCellWidth-1]) + "…"
	}
	return v
}

// printable makes a value safe to print in a terminal: line breaks and
// tabs become spaces, and other control characters (escape sequences an
// audit event's user or object name may carry, which a terminal would
// obey) are shown as \x1b-style escapes.
func printable(v string) string {
	clean := true
	for _, r := range v {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return v
	}
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
