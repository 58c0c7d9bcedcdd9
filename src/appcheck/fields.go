package appcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/searchcmd"
	"github.com/kubelens/kubelens/src/spl"
)

// checkDashboardFields: every field a dashboard query over kubeenrich's
// output names is produced, by kubeenrich (its output fields, and the
// event fields it reads), by Splunk, by the app's props.conf, or by an
// earlier command of the query. It stands in for a Splunk to run the
// dashboards on: a panel keyed on a field nothing produces shows nothing.
// Queries without kubeenrich (the input health dashboard's) are not
// checked.
func checkDashboardFields(a *app, _ Options) []Finding {
	known := kubelensFields(a)
	lookup := a.macroLookup()
	var out []Finding
	for _, s := range a.searches() {
		if !strings.HasPrefix(s.path, "default/data/ui/views/") {
			continue
		}
		text, _, err := spl.Expand(s.text, lookup)
		if err != nil {
			continue // reported by the macros check
		}
		p, err := spl.Parse(text)
		if err != nil || !slices.ContainsFunc(p.Commands, func(c spl.Command) bool { return c.Name == "kubeenrich" }) {
			continue // a syntax error is the spl check's
		}
		for _, f := range UnproducedFields(p, known) {
			out = append(out, Finding{Check: CheckDashboardFields, Path: s.path, Msg: fmt.Sprintf("%s: field %q is produced by nothing before it (kubeenrich, Splunk, props.conf or an earlier command)", s.where, f)})
		}
	}
	return out
}

// splunkFields are the fields Splunk gives every event.
var splunkFields = []string{"_time", "_raw", "_indextime", "host", "source", "sourcetype", "index", "eventtype", "tag", "splunk_server", "linecount", "punct"}

// kubelensFields are the fields a search over kubelens data has before
// any command: Splunk's own, the audit event fields kubeenrich reads, and
// what props.conf extracts. kubeenrich's output fields come with the
// command, as its options select them.
func kubelensFields(a *app) map[string]bool {
	known := map[string]bool{}
	for _, f := range splunkFields {
		known[f] = true
	}
	for _, n := range enrich.InputNames {
		known[n] = true
	}
	if props := a.conf("props"); props != nil {
		for _, s := range props.Stanzas {
			for _, kv := range s.Settings {
				key := kv.Key
				switch {
				case strings.HasPrefix(key, "EVAL-"):
					known[strings.TrimPrefix(key, "EVAL-")] = true
				case strings.HasPrefix(key, "EXTRACT-"):
					for _, m := range namedGroupRE.FindAllStringSubmatch(kv.Value, -1) {
						known[m[1]] = true
					}
				case strings.HasPrefix(key, "FIELDALIAS-"):
					for _, m := range aliasRE.FindAllStringSubmatch(kv.Value, -1) {
						known[m[1]] = true
					}
				}
			}
		}
	}
	return known
}

var (
	namedGroupRE = regexp.MustCompile(`\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>`)
	aliasRE      = regexp.MustCompile(`(?i)\bas\s+("[^"]+"|\S+)`)
	// comparisonRE is a search term comparing a field: name=value,
	// name!=value, name<value, ... The name may be quoted.
	comparisonRE = regexp.MustCompile(`^("[^"]+"|'[^']+'|[A-Za-z_][A-Za-z0-9_.{}:/@-]*)(!=|<=|>=|=|<|>)`)
	fieldNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.{}:/@-]*$`)
	aggregateRE  = regexp.MustCompile(`^([a-z_]+)\(([^()]*)\)$`)
)

// UnproducedFields returns, in order, the fields p's commands name that
// nothing produced before them, given the fields known at its start. A
// command it does not model ends the check: what follows cannot be
// judged.
func UnproducedFields(p *spl.Pipeline, known map[string]bool) []string {
	avail := map[string]bool{}
	for k := range known {
		avail[k] = true
	}
	var missing []string
	need := func(f string) {
		f = strings.Trim(f, `"'`)
		if f == "" || strings.ContainsAny(f, "$*") || avail[f] || !fieldNameRE.MatchString(f) {
			return
		}
		avail[f] = true // once is enough
		missing = append(missing, f)
	}
	for _, c := range p.Commands {
		words := splitWords(c.Args)
		switch c.Name {
		case "search":
			for j, w := range words {
				if m := comparisonRE.FindStringSubmatch(w); m != nil {
					need(m[1])
				} else if strings.EqualFold(w, "IN") && j > 0 {
					need(words[j-1])
				}
			}
		case "kubeenrich":
			for f := range EnrichedFields(c.Args) {
				avail[f] = true
			}
		case "eval":
			for _, assign := range splitTopLevel(c.Args, ',') {
				if name, _, ok := strings.Cut(assign, "="); ok {
					avail[strings.Trim(strings.TrimSpace(name), `"'`)] = true
				}
			}
		case "fillnull":
			for _, w := range words {
				if !strings.Contains(w, "=") {
					avail[strings.Trim(w, `"`)] = true
				}
			}
		case "rex":
			for _, m := range namedGroupRE.FindAllStringSubmatch(c.Args, -1) {
				avail[m[1]] = true
			}
		case "iplocation":
			for _, w := range words {
				if !strings.Contains(w, "=") {
					need(w)
				}
			}
			for _, f := range []string{"City", "Country", "Region", "lat", "lon"} {
				avail[f] = true
			}
		case "rename":
			for j := 0; j+2 < len(words); j++ {
				if strings.EqualFold(words[j+1], "as") {
					need(words[j])
					avail[strings.Trim(words[j+2], `"`)] = true
				}
			}
		case "convert":
			for _, w := range words {
				if m := aggregateRE.FindStringSubmatch(w); m != nil {
					need(m[2])
				}
			}
		case "sort", "dedup", "table":
			for _, w := range words {
				w = strings.TrimLeft(w, "+-")
				if w == "" || strings.Contains(w, "=") || strings.Trim(w, "0123456789") == "" {
					continue
				}
				need(w)
			}
			if c.Name == "table" {
				avail = fieldSet(words)
			}
		case "fields":
			if len(words) > 0 && words[0] != "-" {
				avail = fieldSet(words)
			}
		case "head", "tail", "where":
			// head and tail name no field; where's expressions are not
			// modelled.
		case "stats", "eventstats", "chart":
			outputs := aggregate(words, need)
			if c.Name == "eventstats" {
				for f := range outputs {
					avail[f] = true
				}
			} else {
				avail = outputs
			}
		case "top", "rare":
			outputs := map[string]bool{"count": true, "percent": true}
			for _, w := range words {
				if !strings.Contains(w, "=") && !strings.EqualFold(w, "by") {
					need(w)
					outputs[strings.Trim(w, `"`)] = true
				}
			}
			avail = outputs
		default:
			// timechart's columns are the values of its split field;
			// anything else is not modelled.
			return missing
		}
	}
	return missing
}

// EnrichedFields are the fields a kubeenrich command with these arguments
// adds: the catalogue fields of the groups its fields= option selects
// (all by default), under its prefix=. Arguments kubeenrich refuses add
// nothing.
func EnrichedFields(args string) map[string]bool {
	o, err := searchcmd.ParseOptions(strings.Fields(args))
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, f := range enrich.Catalogue {
		if len(o.Groups) == 0 || slices.Contains(o.Groups, f.Group) {
			out[o.Prefix+f.Name] = true
		}
	}
	return out
}

// notEnriched returns, of the named kubeenrich output fields, those that
// a kubeenrich command of p leaves out by its fields= or prefix= options,
// each with its group: "k8s_cluster (group cluster)".
func notEnriched(p *spl.Pipeline, named []string) []string {
	var out []string
	for _, c := range p.Commands {
		if c.Name != "kubeenrich" {
			continue
		}
		added := EnrichedFields(c.Args)
		for _, n := range named {
			f, ok := enrich.FieldByName(n)
			if ok && !added[n] {
				if s := fmt.Sprintf("%s (group %s)", n, f.Group); !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// aggregate reads "fn(field) [as name] ... [by f ...]": it needs the
// fields and returns the output fields.
func aggregate(words []string, need func(string)) map[string]bool {
	out := map[string]bool{}
	for j := 0; j < len(words); j++ {
		w := words[j]
		if strings.EqualFold(w, "by") {
			for _, f := range words[j+1:] {
				need(f)
				out[strings.Trim(f, `"`)] = true
			}
			break
		}
		name := w
		if m := aggregateRE.FindStringSubmatch(w); m != nil {
			if !strings.Contains(m[2], "(") && m[2] != "" {
				need(m[2])
			}
		} else if w != "count" && !strings.Contains(w, "=") {
			continue
		}
		if j+2 < len(words) && strings.EqualFold(words[j+1], "as") {
			name = words[j+2]
			j += 2
		}
		out[strings.Trim(name, `"`)] = true
	}
	return out
}

func fieldSet(words []string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words {
		out[strings.Trim(w, `"`)] = true
	}
	return out
}

// splitWords splits command arguments at white space and commas outside
// quotes, keeping parentheses as their own words.
func splitWords(s string) []string {
	var out []string
	var b strings.Builder
	inQuote := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			inQuote = !inQuote
			b.WriteByte(c)
		case inQuote:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case c == ' ' || c == '\t' || c == '\n' || c == ',':
			flush()
		case (c == '(' || c == ')') && !aggregateStart(b.String()):
			flush()
			out = append(out, string(c))
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return out
}

// aggregateStart tells "values(" (part of one word) from a grouping "(".
func aggregateStart(word string) bool {
	return word != "" && strings.IndexFunc(word, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r == '_' || r == '(' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '{' || r == '}')
	}) < 0
}

// splitTopLevel splits s at sep outside quotes and parentheses.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
