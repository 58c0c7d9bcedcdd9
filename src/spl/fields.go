package spl

import (
	"regexp"
	"strings"
)

// Fields tells which fields the results of a pipeline carry, for the
// commands that decide it: a transforming command (stats, chart, timechart,
// top, rare, table, fields) sets them, and eval, rename, lookup, iplocation,
// rex, fillnull, eventstats and streamstats add to them. all is true when
// no transforming command ran: the results are events, with every field
// they have. Macros must be expanded first (Expand).
func (p *Pipeline) Fields() (fields map[string]bool, all bool) {
	fields, all = map[string]bool{}, true
	for i := range p.Commands {
		c := &p.Commands[i]
		switch c.Name {
		case "stats", "sistats", "chart", "sichart", "timechart", "sitimechart":
			fields, all = aggregationFields(c.Args), false
			if c.Name == "timechart" || c.Name == "sitimechart" {
				fields["_time"] = true
			}
		case "eventstats", "streamstats":
			for f := range aggregationFields(c.Args) {
				fields[f] = true
			}
		case "top", "rare", "sitop", "sirare":
			fields, all = topFields(c.Args), false
		case "table":
			fields, all = map[string]bool{}, false
			for _, f := range fieldList(c.Args) {
				fields[f] = true
			}
		case "fields":
			args := strings.TrimSpace(c.Args)
			if rest, ok := strings.CutPrefix(args, "-"); ok {
				for _, f := range fieldList(rest) {
					delete(fields, f)
				}
				continue
			}
			fields, all = map[string]bool{}, false
			for _, f := range fieldList(strings.TrimPrefix(args, "+")) {
				fields[f] = true
			}
		case "eval":
			for _, assign := range splitTop(c.Args, ',') {
				if name, _, ok := strings.Cut(assign, "="); ok {
					fields[unquoteField(strings.TrimSpace(name))] = true
				}
			}
		case "rename":
			for _, pair := range splitTop(c.Args, ',') {
				w := words(pair)
				if len(w) == 3 && strings.EqualFold(w[1], "as") {
					delete(fields, unquoteField(w[0]))
					fields[unquoteField(w[2])] = true
				}
			}
		case "lookup":
			for _, f := range lookupOutputs(c.Args) {
				fields[f] = true
			}
		case "iplocation":
			for _, f := range []string{"City", "Country", "Region", "lat", "lon"} {
				fields[f] = true
			}
		case "rex":
			for _, m := range rexGroupRE.FindAllStringSubmatch(c.Args, -1) {
				fields[m[1]] = true
			}
		case "fillnull":
			for _, w := range words(c.Args) {
				if !strings.Contains(w, "=") {
					fields[unquoteField(w)] = true
				}
			}
		}
	}
	return fields, all
}

var rexGroupRE = regexp.MustCompile(`\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>`)

// aggregationFields are the fields of stats-like output: each function's
// name (count, values(x), or its AS name) and the BY fields.
func aggregationFields(args string) map[string]bool {
	out := map[string]bool{}
	w := words(args)
	for i := 0; i < len(w); i++ {
		t := w[i]
		switch {
		case strings.EqualFold(t, "by") || strings.EqualFold(t, "over"):
			for _, f := range w[i+1:] {
				for _, g := range strings.Split(f, ",") {
					if g != "" && !strings.Contains(g, "=") {
						out[unquoteField(g)] = true
					}
				}
			}
			return out
		case strings.Contains(t, "=") && !strings.Contains(t, "("):
			continue // an option: limit=20, span=1h
		case i+2 < len(w) && strings.EqualFold(w[i+1], "as"):
			out[unquoteField(strings.TrimSuffix(w[i+2], ","))] = true
			i += 2
		default:
			out[strings.TrimSuffix(t, ",")] = true
		}
	}
	return out
}

// topFields are the output of top and rare: the fields, count, percent and
// the BY fields.
func topFields(args string) map[string]bool {
	out := map[string]bool{"count": true, "percent": true}
	for _, t := range words(args) {
		if strings.EqualFold(t, "by") || strings.Contains(t, "=") {
			continue
		}
		for _, f := range strings.Split(t, ",") {
			if f != "" {
				out[unquoteField(f)] = true
			}
		}
	}
	return out
}

// lookupOutputs are the fields after OUTPUT or OUTPUTNEW, by their AS names.
func lookupOutputs(args string) []string {
	w := words(args)
	var out []string
	for i := 0; i < len(w); i++ {
		if !strings.EqualFold(w[i], "output") && !strings.EqualFold(w[i], "outputnew") {
			continue
		}
		for j := i + 1; j < len(w); j++ {
			name := strings.TrimSuffix(w[j], ",")
			if j+2 < len(w) && strings.EqualFold(w[j+1], "as") {
				name = strings.TrimSuffix(w[j+2], ",")
				j += 2
			}
			if name != "" {
				out = append(out, unquoteField(name))
			}
		}
		break
	}
	return out
}

// fieldList splits a list of field names separated by spaces or commas.
func fieldList(s string) []string {
	var out []string
	for _, w := range words(s) {
		for _, f := range strings.Split(w, ",") {
			if f != "" {
				out = append(out, unquoteField(f))
			}
		}
	}
	return out
}

func unquoteField(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// splitTop splits s at sep outside quotes and parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			if j, ok := skipQuoted(s, i); ok {
				i = j - 1
			}
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// words splits s at spaces outside quotes and parentheses.
func words(s string) []string {
	var out []string
	for _, part := range splitTop(strings.Join(strings.Fields(s), " "), ' ') {
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}
