// Package searchcmd is the kubeenrich search command: it parses the SPL
// options, answers getinfo and enriches every record of every execute chunk
// with package enrich. The protocol itself is package chunked's.
package searchcmd

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
)

// Options are the SPL options of kubeenrich, given as name=value words
// after the command.
type Options struct {
	// Groups selects the field groups to add; empty means all.
	Groups []enrich.Group
	// Prefix is prepended to the name of every field the command adds.
	Prefix string
}

// OptionDocs documents every option; the README and searchbnf.conf are
// written from it.
var OptionDocs = []struct{ Name, Syntax, Desc string }{
	{"fields", "fields=<group>[,<group>...]", "Field groups to add, comma separated: " + groupList() + ". Default: all."},
	{"prefix", "prefix=<string>", "Prepended to the name of every field kubeenrich adds (the CIM fields src_ip and user included), e.g. prefix=kl_: a letter, then letters, digits, _, . or -. Default: none."},
}

func groupList() string {
	names := make([]string, len(enrich.Groups))
	for i, g := range enrich.Groups {
		names[i] = string(g)
	}
	return strings.Join(names, ", ")
}

// validPrefix reports whether s may be a prefix= value: a letter, then up
// to 63 letters, digits, _, . or -, so that Splunk shows the field names as
// they are. (Checked by hand: a regular expression with {0,63} costs a
// millisecond of every search's start to compile.)
func validPrefix(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case i > 0 && ('0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// ParseOptions parses the words splunkd passes in searchinfo.args.
func ParseOptions(args []string) (Options, error) {
	var o Options
	seen := map[string]bool{}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok {
			return o, fmt.Errorf("searchcmd: unexpected argument %q: options are name=value (fields=, prefix=)", a)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if seen[name] {
			return o, fmt.Errorf("searchcmd: option %s= given twice", name)
		}
		seen[name] = true
		switch name {
		case "fields":
			groups, err := parseGroups(value)
			if err != nil {
				return o, err
			}
			o.Groups = groups
		case "prefix":
			o.Prefix = strings.TrimSpace(value)
			if !validPrefix(o.Prefix) {
				return o, fmt.Errorf("searchcmd: prefix=%q: a field name prefix starts with a letter and holds letters, digits, _, . and - only (a leading _ or __mv_ would make Splunk read the fields as internal or as multivalues)", value)
			}
		default:
			return o, fmt.Errorf("searchcmd: unknown option %q: kubeenrich accepts fields= and prefix=", name)
		}
	}
	return o, nil
}

func parseGroups(value string) ([]enrich.Group, error) {
	var groups []enrich.Group
	for _, w := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' }) {
		g := enrich.Group(strings.ToLower(w))
		if !slices.Contains(enrich.Groups, g) {
			return nil, fmt.Errorf("searchcmd: fields=%s: unknown field group %q (groups: %s)", value, w, groupList())
		}
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("searchcmd: fields= is empty (groups: %s)", groupList())
	}
	return groups, nil
}

// Command implements chunked.Command.
type Command struct {
	opts        Options
	parallelism int // goroutines per chunk
	lookupsDir  string
	loaded      bool
	enricher    *enrich.Enricher
	workers     []*enrich.Worker
	out         []outField
	notes       []chunked.Message // said once, with the first reply
}

var _ chunked.Command = (*Command)(nil)

// outField is a catalogue field the command writes, under its final name.
type outField struct {
	id   enrich.FieldID
	name string
	cim  bool // fill only where the input has no value
}

// New returns the command. lookupsDir is the app's lookups folder ("" when
// there is none: classification by lookups is then off). Options arrive
// with getinfo; the lookups are read on the first execute, so that a
// getinfo-only start stays instant.
func New(lookupsDir string) *Command {
	return &Command{lookupsDir: lookupsDir, parallelism: runtime.GOMAXPROCS(0)}
}

// SetParallelism sets how many goroutines enrich one chunk (default: one
// per CPU).
func (c *Command) SetParallelism(n int) { c.parallelism = max(1, n) }

// GetInfo parses the options and declares a streaming command without
// required fields, so that every field flows through it.
func (c *Command) GetInfo(req *chunked.GetInfoRequest) (chunked.Config, error) {
	opts, err := ParseOptions(req.SearchInfo.Args)
	if err != nil {
		return chunked.Config{}, err
	}
	c.configure(opts)
	return chunked.Config{Type: "streaming"}, nil
}

func (c *Command) configure(opts Options) {
	c.opts = opts
	c.out = c.out[:0]
	for _, f := range enrich.Catalogue {
		if len(opts.Groups) > 0 && !slices.Contains(opts.Groups, f.Group) {
			continue
		}
		c.out = append(c.out, outField{id: f.ID, name: opts.Prefix + f.Name, cim: f.CIM && opts.Prefix == ""})
	}
}

// load reads the lookups once per process.
func (c *Command) load() error {
	if c.loaded {
		return nil
	}
	c.loaded = true
	var tables enrich.Tables
	if c.lookupsDir == "" {
		c.notes = append(c.notes, chunked.Message{Level: "INFO", Text: "kubeenrich: no lookups folder found next to the executable: user agent classification, resource sensitivity, allow-lists and risk scores are off"})
	} else {
		t, _, err := lookups.Load(c.lookupsDir)
		if err != nil {
			return err
		}
		tables = t
	}
	c.enricher = enrich.New(tables)
	return nil
}

// minBytesPerWorker keeps small chunks on one goroutine: splitting them
// costs more than it saves (about 2,000 EKS audit events). A variable for
// the tests.
var minBytesPerWorker = 4 << 20

// claimRows is how many rows a goroutine takes at a time.
const claimRows = 256

// Execute enriches every record of t in place. A chunk is split into
// contiguous row ranges enriched in parallel, one goroutine per CPU.
func (c *Command) Execute(ctx context.Context, t *chunked.Table, msgs *chunked.Messages) error {
	if err := c.load(); err != nil {
		return err
	}
	for _, n := range c.notes {
		msgs.Info("note", n.Text)
	}
	c.notes = nil
	// Settle the table's shape first: every output column, and every input
	// column the enricher and the CIM rule read, resolved once.
	inputs := make([]chunked.FieldRef, enrich.NumInputs)
	for k, name := range enrich.InputNames {
		inputs[k] = t.Field(name)
	}
	cimInputs := make([]chunked.FieldRef, len(c.out))
	refs := make([]chunked.FieldRef, len(c.out))
	for k, f := range c.out {
		cimInputs[k] = t.Field(f.name)
		refs[k] = t.Prepare(f.name, enrich.Catalogue[f.id].Multi())
	}
	workers := max(1, min(c.parallelism, t.BodyLen()/minBytesPerWorker))
	for len(c.workers) < workers {
		c.workers = append(c.workers, c.enricher.NewWorker())
	}
	parts := make([]chunked.Messages, workers)
	failed := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { failed[w] = chunked.Recovered(recover()) }()
			rw := t.RowWriter()
			in := &row{w: rw, refs: inputs}
			var out enrich.Output
			for {
				// Rows are claimed as they arrive: enrichment runs while
				// splunkd is still sending the chunk.
				lo, hi := rw.Claim(claimRows)
				if lo == hi {
					break
				}
				for i := lo; i < hi; i++ {
					if testHookRow != nil {
						testHookRow(i)
					}
					in.i = i
					if prob := c.workers[w].Enrich(in, &out); prob != nil {
						report(&parts[w], i, &out, prob)
					}
					for k, f := range c.out {
						if f.cim && cimInputs[k].Exists() && rw.Value(i, cimInputs[k]) != "" {
							continue // never overwrite an existing CIM extraction
						}
						rw.SetValues(i, refs[k], capValues(&parts[w], i, f.name, out.Get(f.id)))
					}
				}
			}
			rw.Done()
		}()
	}
	wg.Wait()
	if err := errors.Join(failed...); err != nil {
		return err
	}
	for w := range parts {
		msgs.Merge(&parts[w])
	}
	return ctx.Err()
}

// testHookRow, when set by a test, runs before each row is enriched: it
// is how the tests make a worker panic.
var testHookRow func(row int)

// MaxAddedCell is the most bytes kubeenrich writes into one field it adds
// to a record (its values joined): 1 MiB, far above any enrichment value
// of a real event (user names, commands, paths) and far below what would
// let derived copies of a huge requestURI or user name multiply the size
// of a chunk. Input fields are never cut.
const MaxAddedCell = 1 << 20

// capValues returns values cut to MaxAddedCell bytes in all (values and
// the "\n" joining them), warning once per chunk with the field, the cap
// and the record.
func capValues(msgs *chunked.Messages, row int, field string, values []string) []string {
	total := 0
	for i, v := range values {
		if i > 0 {
			total++
		}
		total += len(v)
	}
	if total <= MaxAddedCell {
		return values
	}
	msgs.WarnAt(row, "capped-"+field, fmt.Sprintf("kubeenrich: record %d: %s is %d bytes, cut to the %d bytes kubeenrich writes into a field it adds (the input fields are whole)", row+1, field, total, MaxAddedCell))
	var out []string
	room := MaxAddedCell
	for i, v := range values {
		if i > 0 {
			room--
		}
		if room <= 0 {
			break
		}
		if len(v) > room {
			v = truncateUTF8(v, room)
		}
		out = append(out, v)
		room -= len(v)
	}
	return out
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// report tells the user about a record enrichment could not read fully.
// EKS control-plane lines that are not audit events (authenticator,
// scheduler, ...) are expected in aws_cloudwatchlogs_eks searches: they are
// noted, not warned about.
func report(msgs *chunked.Messages, row int, out *enrich.Output, prob *enrich.Problem) {
	switch lt := out.First(enrich.FieldEKSLogType); {
	case prob.Kind == enrich.ProblemTruncated:
		msgs.WarnAt(row, "truncated", fmt.Sprintf("kubeenrich: record %d: %v", row+1, prob))
	case prob.Kind == enrich.ProblemSeveralEvents:
		msgs.WarnAt(row, "several-events", fmt.Sprintf("kubeenrich: record %d: %v", row+1, prob))
	case prob.Kind == enrich.ProblemRequestCut:
		msgs.WarnAt(row, "request-cut", fmt.Sprintf("kubeenrich: record %d: %v", row+1, prob))
	case errors.Is(prob, audit.ErrControlMessage):
		msgs.InfoAt(row, "control-message", "kubeenrich: CloudWatch Logs subscription control messages (the destination's health checks) are not audit events; they passed through")
	case lt != "" && lt != "audit":
		msgs.InfoAt(row, "not-audit-"+lt, fmt.Sprintf("kubeenrich: records from EKS %s logs are not audit events; they got the EKS fields only", lt))
	default:
		msgs.WarnAt(row, "unreadable", fmt.Sprintf("kubeenrich: record %d passed through unenriched: %v", row+1, prob))
	}
}

// row is a table row as the enricher reads it, its input fields resolved
// to columns once per chunk.
type row struct {
	w    *chunked.RowWriter
	refs []chunked.FieldRef
	i    int
}

func (r *row) Value(in enrich.Input) string {
	if ref := r.refs[in]; ref.Exists() {
		return r.w.Value(r.i, ref)
	}
	return ""
}

func (r *row) Values(in enrich.Input) []string {
	if ref := r.refs[in]; ref.Exists() {
		return r.w.Values(r.i, ref)
	}
	return nil
}
