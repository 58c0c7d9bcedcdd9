package splunkconf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Setting is one "key = value" line (or several joined by backslash
// continuations).
type Setting struct {
	Key   string
	Value string
	// Line is the 1-based line where the setting starts.
	Line int
}

// Stanza is a "[name]" section with its settings in file order.
type Stanza struct {
	// Name is the text between the brackets; "" for settings before the
	// first header.
	Name string
	// Line is the 1-based line of the header (0 for the implicit stanza).
	Line     int
	Settings []Setting
}

// Get returns the value of the last setting named key (splunkd's "last
// definition wins") and whether there was one.
func (s *Stanza) Get(key string) (string, bool) {
	for i := len(s.Settings) - 1; i >= 0; i-- {
		if s.Settings[i].Key == key {
			return s.Settings[i].Value, true
		}
	}
	return "", false
}

// Value returns the value of key, or "" when the stanza does not set it.
func (s *Stanza) Value(key string) string {
	v, _ := s.Get(key)
	return v
}

// Setting returns the last setting named key, or nil.
func (s *Stanza) Setting(key string) *Setting {
	for i := len(s.Settings) - 1; i >= 0; i-- {
		if s.Settings[i].Key == key {
			return &s.Settings[i]
		}
	}
	return nil
}

// File is a parsed .conf or .spec file.
type File struct {
	// Name is what messages call the file, e.g. "default/macros.conf".
	Name    string
	Stanzas []*Stanza
}

// Stanza returns the first stanza called name, or nil.
func (f *File) Stanza(name string) *Stanza {
	for _, s := range f.Stanzas {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Mode selects the dialect Parse accepts.
type Mode int

const (
	// Conf is a .conf or .meta file: every non-blank, non-comment line is
	// a stanza header or a setting.
	Conf Mode = iota
	// Spec is a .spec file as apps ship in README/: lines starting with
	// "*", and indented lines continuing them, describe the setting above
	// them and are skipped.
	Spec
)

// Error is a syntax error with its location.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("splunkconf: %s:%d: %s", e.File, e.Line, e.Msg)
}

// maxLine bounds one physical line; conf files with longer lines are
// rejected rather than read into memory unbounded.
const maxLine = 4 << 20

// Parse reads a conf file. name is used in errors and kept in File.Name.
func Parse(r io.Reader, name string, mode Mode) (*File, error) {
	f := &File{Name: name}
	var cur *Stanza
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	lineNo := 0
	// pending holds a setting whose value ends in a backslash.
	var pending *Setting
	for sc.Scan() {
		lineNo++
		raw := strings.TrimSuffix(sc.Text(), "\r")
		if lineNo == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		if pending != nil {
			// A continuation line is taken verbatim (comments and
			// brackets included): it is part of the value.
			v, more := cutContinuation(raw)
			pending.Value += "\n" + v
			if !more {
				pending.Value = strings.TrimSpace(pending.Value)
				pending = nil
			}
			continue
		}
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			continue
		case mode == Spec && strings.HasPrefix(line, "*"):
			continue
		case mode == Spec && (raw[0] == ' ' || raw[0] == '\t'):
			// An indented line continues the description above it, as
			// Splunk's own spec files wrap long "* ..." lines.
			continue
		case strings.HasPrefix(line, "["):
			end := strings.LastIndexByte(line, ']')
			if end < 0 {
				return nil, &Error{name, lineNo, fmt.Sprintf("stanza header %q has no closing ]", line)}
			}
			if rest := strings.TrimSpace(line[end+1:]); rest != "" {
				return nil, &Error{name, lineNo, fmt.Sprintf("text %q after stanza header", rest)}
			}
			cur = &Stanza{Name: line[1:end], Line: lineNo}
			f.Stanzas = append(f.Stanzas, cur)
		default:
			key, value, ok := strings.Cut(line, "=")
			key = strings.TrimSpace(key)
			if !ok || key == "" {
				return nil, &Error{name, lineNo, fmt.Sprintf("line %q is neither a [stanza] nor key = value", truncate(line))}
			}
			if cur == nil {
				cur = &Stanza{Name: ""}
				f.Stanzas = append(f.Stanzas, cur)
			}
			v, more := cutContinuation(strings.TrimLeft(value, " \t"))
			cur.Settings = append(cur.Settings, Setting{Key: key, Value: v, Line: lineNo})
			if more {
				pending = &cur.Settings[len(cur.Settings)-1]
			} else {
				s := &cur.Settings[len(cur.Settings)-1]
				s.Value = strings.TrimSpace(s.Value)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("splunkconf: %s: line %d: %w", name, lineNo+1, err)
	}
	if pending != nil {
		// splunkd accepts a final backslash; the value simply ends.
		pending.Value = strings.TrimSpace(pending.Value)
	}
	return f, nil
}

// cutContinuation strips a trailing line-continuation backslash. An odd
// number of trailing backslashes continues the line; an even number is a
// value that ends in escaped backslashes (a Windows path, say).
func cutContinuation(s string) (string, bool) {
	t := strings.TrimRight(s, " \t")
	n := len(t) - len(strings.TrimRight(t, `\`))
	if n%2 == 1 {
		return t[:len(t)-1], true
	}
	return s, false
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// ErrTrailingBackslash reports a value with a line that ends in an odd
// number of backslashes: no .conf text reads back as that value, because
// the last backslash would continue the line.
var ErrTrailingBackslash = errors.New("value line ends in an unpaired backslash")

// ParseBytes parses b; see Parse.
func ParseBytes(b []byte, name string, mode Mode) (*File, error) {
	return Parse(bytes.NewReader(b), name, mode)
}

// Format writes f in canonical form: one blank line between stanzas,
// "key = value", multi-line values continued with a trailing backslash.
func (f *File) Format(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, s := range f.Stanzas {
		if i > 0 {
			bw.WriteString("\n")
		}
		if s.Name != "" || s.Line != 0 {
			fmt.Fprintf(bw, "[%s]\n", s.Name)
		}
		for _, kv := range s.Settings {
			for _, l := range strings.Split(kv.Value, "\n") {
				if n := len(l) - len(strings.TrimRight(l, `\`)); n%2 == 1 {
					return fmt.Errorf("splunkconf: write %s: [%s] %s: %w", f.Name, s.Name, kv.Key, ErrTrailingBackslash)
				}
			}
			v := strings.ReplaceAll(kv.Value, "\n", "\\\n")
			if v == "" {
				fmt.Fprintf(bw, "%s =\n", kv.Key)
				continue
			}
			fmt.Fprintf(bw, "%s = %s\n", kv.Key, v)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("splunkconf: write %s: %w", f.Name, err)
	}
	return nil
}
