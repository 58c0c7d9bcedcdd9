package spl

import (
	"fmt"
	"regexp"
	"strings"
)

// Command is one command of a pipeline.
type Command struct {
	// Name is the command name in lower case. A leading search without a
	// pipe is the implicit "search" command. A command position holding
	// an unexpanded macro call keeps the call, backticks included.
	Name string
	// Args is the rest of the command's text, trimmed, subsearches
	// included verbatim.
	Args string
	// Offset is where the command's text starts in the parsed string.
	Offset int
	// Subsearches are the "[...]" pipelines inside Args, in order.
	Subsearches []*Pipeline
}

// Pipeline is a search: commands separated by pipes.
type Pipeline struct {
	// Generating is true when the search starts with "|", so that its first
	// command is named (| tstats, | inputlookup) rather than an implicit
	// search.
	Generating bool
	Commands   []Command
}

// String renders the pipeline as SPL; parsing it again gives the same
// commands.
func (p *Pipeline) String() string {
	var b strings.Builder
	for i, c := range p.Commands {
		switch {
		case i > 0:
			b.WriteString(" | ")
		case p.Generating:
			b.WriteString("| ")
		}
		if i == 0 && !p.Generating {
			b.WriteString(c.Args) // the implicit search has no name in the text
			continue
		}
		b.WriteString(c.Name)
		if c.Args != "" {
			b.WriteString(" ")
			b.WriteString(c.Args)
		}
	}
	return b.String()
}

// Walk calls fn for every command of p and of its subsearches, depth first.
func (p *Pipeline) Walk(fn func(c *Command)) {
	for i := range p.Commands {
		fn(&p.Commands[i])
		for _, s := range p.Commands[i].Subsearches {
			s.Walk(fn)
		}
	}
}

// SyntaxError is a search that does not split into commands.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("spl: at offset %d: %s", e.Offset, e.Msg)
}

// maxNesting bounds subsearch nesting (splunkd's own limit is lower).
const maxNesting = 32

// Parse splits search into its pipeline.
func Parse(search string) (*Pipeline, error) {
	return parse(search, 0, 0)
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func parse(s string, base, depth int) (*Pipeline, error) {
	if depth > maxNesting {
		return nil, &SyntaxError{base, "subsearches nested too deep"}
	}
	type segment struct {
		start, end int
		subs       [][2]int // subsearch bodies, without brackets
	}
	var segs []segment
	cur := segment{start: 0}
	bracket, subStart := 0, 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case strings.HasPrefix(s[i:], "```"):
			end := strings.Index(s[i+3:], "```")
			if end < 0 {
				return nil, &SyntaxError{base + i, "comment ``` is not closed"}
			}
			i += 3 + end + 3
			continue
		case c == '"':
			j, ok := skipQuoted(s, i)
			if !ok {
				return nil, &SyntaxError{base + i, "quoted string is not closed"}
			}
			i = j
			continue
		case c == '`':
			end := strings.IndexByte(s[i+1:], '`')
			if end < 0 {
				return nil, &SyntaxError{base + i, "macro call ` is not closed"}
			}
			i += 1 + end + 1
			continue
		case c == '[':
			if bracket == 0 {
				subStart = i + 1
			}
			bracket++
		case c == ']':
			if bracket == 0 {
				return nil, &SyntaxError{base + i, "] without ["}
			}
			bracket--
			if bracket == 0 {
				cur.subs = append(cur.subs, [2]int{subStart, i})
			}
		case c == '|' && bracket == 0:
			cur.end = i
			segs = append(segs, cur)
			cur = segment{start: i + 1}
		}
		i++
	}
	if bracket > 0 {
		return nil, &SyntaxError{base + subStart - 1, "[ is not closed"}
	}
	cur.end = len(s)
	segs = append(segs, cur)

	p := &Pipeline{}
	if len(segs) > 1 && strings.TrimSpace(s[segs[0].start:segs[0].end]) == "" {
		p.Generating = true
		segs = segs[1:]
	}
	for i, sg := range segs {
		raw := s[sg.start:sg.end]
		text := strings.TrimSpace(raw)
		off := base + sg.start + strings.Index(raw, text)
		if text == "" {
			if i == 0 && len(segs) == 1 && !p.Generating {
				return p, nil // the empty search
			}
			return nil, &SyntaxError{base + sg.start, "empty command between pipes"}
		}
		cmd := Command{Offset: off}
		if i == 0 && !p.Generating {
			cmd.Name = "search"
			cmd.Args = text
		} else {
			name, args := cutWord(text)
			switch {
			case strings.HasPrefix(name, "`"):
				// A macro at a command position: the caller expands
				// it (Expand) to learn the command's name.
				name, args = cutMacro(text)
				if _, err := parseCall(name[1:len(name)-1], off); err != nil {
					return nil, err
				}
			case !nameRE.MatchString(name):
				return nil, &SyntaxError{off, fmt.Sprintf("%q is not a command name", truncate(name))}
			default:
				name = strings.ToLower(name)
			}
			cmd.Name, cmd.Args = name, args
		}
		for _, sub := range sg.subs {
			sp, err := parse(s[sub[0]:sub[1]], base+sub[0], depth+1)
			if err != nil {
				return nil, err
			}
			if len(sp.Commands) == 0 {
				return nil, &SyntaxError{base + sub[0], "empty subsearch"}
			}
			cmd.Subsearches = append(cmd.Subsearches, sp)
		}
		p.Commands = append(p.Commands, cmd)
	}
	return p, nil
}

// skipQuoted returns the index after the double-quoted string that starts
// at s[i].
func skipQuoted(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

func cutWord(s string) (string, string) {
	i := strings.IndexAny(s, " \t\r\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// cutMacro splits "`m(a b)` rest" after the closing backtick.
func cutMacro(s string) (string, string) {
	end := strings.IndexByte(s[1:], '`')
	return s[:end+2], strings.TrimSpace(s[end+2:])
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
