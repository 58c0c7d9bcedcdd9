package replay

import (
	"bufio"
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
	"_time", "k8s_platform", "k8s_cluster", "k8s_user_kind", "user", "src_ip", "k8s_src_ip_class",
	"verb", "k8s_resource", "k8s_object", "k8s_outcome", "k8s_resource_sensitivity", "k8s_risk_score", "k8s_findings", "k8s_detections", "k8s_falco_rules",
}

// maxCellWidth bounds a table cell; longer values are cut with "…".
const maxCellWidth = 48

// Print writes the result as a table, or as JSON lines when cfg.JSON.
func Print(w io.Writer, cfg Config, res *Result) error {
	bw := bufio.NewWriter(w)
	cols := cfg.Fields
	if len(cols) == 0 {
		opts, _ := searchcmd.ParseOptions(cfg.Args) // args the command refused fail the run before
		cols = defaultColumns(cfg.JSON, opts.Prefix, res)
	}
	for _, c := range cfg.Fields {
		if !knownField(c, cfg.Args, res) {
			return fmt.Errorf("replay: --fields: no field %q: name a field of the records or one kubeenrich adds (see the README's field list)", c)
		}
	}
	var err error
	if cfg.JSON {
		err = printJSON(bw, cols, res)
	} else {
		err = printTable(bw, cols, res)
	}
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// defaultColumns is DefaultColumns for the table (under the prefix= the
// command ran with), and for JSON lines _time, source and every field the
// command added, in the order it added them.
func defaultColumns(asJSON bool, prefix string, res *Result) []string {
	present := map[string]bool{}
	var added []string
	for i, out := range res.Output {
		inCols := res.Input[i].Columns()
		for _, f := range out.Fields() {
			if !present[f] && !slices.Contains(inCols, f) {
				added = append(added, f)
			}
			present[f] = true
		}
	}
	if asJSON {
		return append([]string{"_time", "source"}, added...)
	}
	var cols []string
	for _, c := range DefaultColumns {
		if present[prefix+c] {
			cols = append(cols, prefix+c)
		} else if present[c] {
			cols = append(cols, c)
		}
	}
	return cols
}

// rows calls fn for every output record.
func (res *Result) rows(fn func(chunked.Record)) {
	for _, t := range res.Output {
		for i := 0; i < t.Len(); i++ {
			fn(t.Record(i))
		}
	}
}

func printJSON(w io.Writer, cols []string, res *Result) error {
	var err error
	res.rows(func(r chunked.Record) {
		if err != nil {
			return
		}
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
		_, err = io.WriteString(w, b.String())
	})
	return err
}

// knownField reports whether name is a field of some record sent or
// received, or one kubeenrich adds (under the prefix= of args, if any),
// even if no record has it.
func knownField(name string, args []string, res *Result) bool {
	for _, tables := range [][]*chunked.Table{res.Input, res.Output} {
		for _, t := range tables {
			if slices.Contains(t.Fields(), name) {
				return true
			}
		}
	}
	opts, _ := searchcmd.ParseOptions(args) // args the command refused fail the run before
	after, ok := strings.CutPrefix(name, opts.Prefix)
	if !ok {
		return false
	}
	_, ok = enrich.FieldByName(after)
	return ok
}

func printTable(w io.Writer, cols []string, res *Result) error {
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
	grid := [][]string{header}
	res.rows(func(r chunked.Record) {
		line := make([]string, len(cols))
		for i, c := range cols {
			line[i] = displayValue(c, r.Values(c))
		}
		grid = append(grid, line)
	})
	width := make([]int, len(cols))
	for _, line := range grid {
		for i, v := range line {
			width[i] = max(width[i], utf8.RuneCountInString(v))
		}
	}
	var b strings.Builder
	for n, line := range grid {
		b.Reset()
		for i, v := range line {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(v)
			if i < len(line)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(v)))
			}
		}
		b.WriteByte('\n')
		if n == 0 {
			for i := range line {
				if i > 0 {
					b.WriteString("  ")
				}
				b.WriteString(strings.Repeat("-", width[i]))
			}
			b.WriteByte('\n')
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
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
