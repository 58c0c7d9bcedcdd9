package spl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// MacroCall is one `name` or `name(args)` in a search.
type MacroCall struct {
	Name string
	Args []string
	// Offset is where the opening backtick is.
	Offset int
}

// Stanza is the macros.conf stanza name the call resolves to: "name" or
// "name(n)" for n arguments.
func (m MacroCall) Stanza() string {
	if len(m.Args) == 0 {
		return m.Name
	}
	return m.Name + "(" + strconv.Itoa(len(m.Args)) + ")"
}

// MacroCalls lists the macro calls in search, skipping quoted strings and
// comments (splunkd does not expand macros inside quotes).
func MacroCalls(search string) ([]MacroCall, error) {
	var calls []MacroCall
	err := scanMacros(search, func(start, end int) error {
		c, err := parseCall(search[start+1:end-1], start)
		if err != nil {
			return err
		}
		calls = append(calls, c)
		return nil
	})
	return calls, err
}

// scanMacros calls fn with the [start, end) span of every macro call,
// backticks included.
func scanMacros(s string, fn func(start, end int) error) error {
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "```"):
			end := strings.Index(s[i+3:], "```")
			if end < 0 {
				return &SyntaxError{i, "comment ``` is not closed"}
			}
			i += 3 + end + 3
		case s[i] == '"':
			j, ok := skipQuoted(s, i)
			if !ok {
				return &SyntaxError{i, "quoted string is not closed"}
			}
			i = j
		case s[i] == '`':
			end := strings.IndexByte(s[i+1:], '`')
			if end < 0 {
				return &SyntaxError{i, "macro call ` is not closed"}
			}
			if err := fn(i, i+1+end+1); err != nil {
				return err
			}
			i += 1 + end + 1
		default:
			i++
		}
	}
	return nil
}

// parseCall parses the text between the backticks.
func parseCall(body string, offset int) (MacroCall, error) {
	body = strings.TrimSpace(body)
	open := strings.IndexByte(body, '(')
	if open < 0 {
		if !nameRE.MatchString(body) {
			return MacroCall{}, &SyntaxError{offset, fmt.Sprintf("macro name %q is not a word", truncate(body))}
		}
		return MacroCall{Name: body, Offset: offset}, nil
	}
	name := strings.TrimSpace(body[:open])
	if !nameRE.MatchString(name) || !strings.HasSuffix(body, ")") {
		return MacroCall{}, &SyntaxError{offset, fmt.Sprintf("macro call %q is not name(args)", truncate(body))}
	}
	args, err := splitArgs(body[open+1:len(body)-1], offset)
	if err != nil {
		return MacroCall{}, err
	}
	return MacroCall{Name: name, Args: args, Offset: offset}, nil
}

// splitArgs splits macro arguments at commas outside quotes and
// parentheses. Quotes are kept: splunkd substitutes the argument text as
// written.
func splitArgs(s string, offset int) ([]string, error) {
	var args []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			j, ok := skipQuoted(s, i)
			if !ok {
				return nil, &SyntaxError{offset, "quoted macro argument is not closed"}
			}
			i = j - 1
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(args, strings.TrimSpace(s[start:])), nil
}

// Definition is a macro as macros.conf defines it.
type Definition struct {
	// Body is the 'definition' setting.
	Body string
	// Params are the 'args' names, in order.
	Params []string
}

// Lookup finds the definition of a macros.conf stanza ("name" or
// "name(n)").
type Lookup func(stanza string) (Definition, bool)

// maxExpansions bounds macro expansion, so that a macro that calls itself
// is reported instead of looping.
const maxExpansions = 1000

// Expand replaces every macro call in search with its definition,
// recursively. Calls it cannot resolve stay in the text and are returned
// in missing (by stanza name, sorted, once each).
func Expand(search string, lookup Lookup) (expanded string, missing []string, err error) {
	seen := map[string]bool{}
	budget := maxExpansions
	out, err := expand(search, lookup, seen, &budget, nil)
	for k := range seen {
		missing = append(missing, k)
	}
	sort.Strings(missing)
	return out, missing, err
}

func expand(s string, lookup Lookup, missing map[string]bool, budget *int, stack []string) (string, error) {
	var b strings.Builder
	last := 0
	err := scanMacros(s, func(start, end int) error {
		call, err := parseCall(s[start+1:end-1], start)
		if err != nil {
			return err
		}
		b.WriteString(s[last:start])
		last = end
		st := call.Stanza()
		def, ok := lookup(st)
		if !ok {
			missing[st] = true
			b.WriteString(s[start:end])
			return nil
		}
		for _, up := range stack {
			if up == st {
				return fmt.Errorf("spl: macro %s calls itself (%s)", st, strings.Join(append(stack, st), " -> "))
			}
		}
		if *budget--; *budget < 0 {
			return fmt.Errorf("spl: more than %d macro expansions", maxExpansions)
		}
		if len(def.Params) != len(call.Args) {
			return fmt.Errorf("spl: macro %s has args %q: %d names for %d arguments", st, def.Params, len(def.Params), len(call.Args))
		}
		body := def.Body
		for i, p := range def.Params {
			body = strings.ReplaceAll(body, "$"+p+"$", call.Args[i])
		}
		inner, err := expand(body, lookup, missing, budget, append(stack, st))
		if err != nil {
			return err
		}
		b.WriteString(inner)
		return nil
	})
	if err != nil {
		return "", err
	}
	b.WriteString(s[last:])
	return b.String(), nil
}
