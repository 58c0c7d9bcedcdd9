package benchdata

import (
	"strconv"
	"unicode/utf8"
)

// obj is a JSON object whose keys keep their order, as the Kubernetes API
// server writes them (struct field order; map keys sorted).
type obj []member

type member struct {
	k string
	v any // string, int, bool, nil, obj, []string, []any
}

// set appends a member unless its value is empty: the API server omits
// empty optional fields.
func (o obj) set(k string, v any) obj {
	switch x := v.(type) {
	case string:
		if x == "" {
			return o
		}
	case obj:
		if x == nil {
			return o
		}
	case []string:
		if len(x) == 0 {
			return o
		}
	case []any:
		if len(x) == 0 {
			return o
		}
	}
	return append(o, member{k, v})
}

// appendJSON encodes v compactly the way encoding/json does, including its
// HTML-safe escaping of <, > and & (Kubernetes audit logs carry "\u0026"
// in request URIs).
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case bool:
		return strconv.AppendBool(b, x)
	case obj:
		b = append(b, '{')
		for i, m := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.k)
			b = append(b, ':')
			b = appendJSON(b, m.v)
		}
		return append(b, '}')
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	}
	panic("benchdata: cannot encode " + strconv.Quote(typeName(v)))
}

func typeName(v any) string {
	switch v.(type) {
	case float64, float32:
		return "float"
	}
	return "unknown"
}

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// flatten calls emit for every scalar of v under the name Splunk's JSON
// extraction (KV_MODE=json, spath) gives it: object keys joined with ".",
// array elements under "<name>{}", one call per value, so that a repeated
// name is a multivalue field. Empty objects yield nothing.
func flatten(path string, v any, emit func(name, value string)) {
	switch x := v.(type) {
	case obj:
		for _, m := range x {
			p := m.k
			if path != "" {
				p = path + "." + m.k
			}
			flatten(p, m.v, emit)
		}
	case []string:
		for _, s := range x {
			emit(path+"{}", s)
		}
	case []any:
		for _, e := range x {
			flatten(path+"{}", e, emit)
		}
	case string:
		emit(path, x)
	case int:
		emit(path, strconv.Itoa(x))
	case bool:
		emit(path, strconv.FormatBool(x))
	case nil:
		emit(path, "null")
	default:
		panic("benchdata: cannot flatten " + typeName(v))
	}
}
