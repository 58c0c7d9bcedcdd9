package audit

import "unsafe"

// pruneAbove is the size of a record from which the members kubelens never
// reads are cut before parsing: a list of secrets or config maps logged at
// RequestResponse level holds megabytes of response, and parsing a JSON
// array of small values costs hundreds of bytes of memory for each, so
// that an 8 MB response would cost gigabytes.
const pruneAbove = 64 << 10

// unread reports whether a member is never read: the response body of a
// native event (responseObject) or of a GKE entry (protoPayload.response).
func unread(key, parent string) bool {
	return key == "responseObject" || key == "response" && parent == "protoPayload"
}

// prune returns text with the value of every member unread names replaced
// by null, built in buf, or text itself when there is none. text is a JSON
// object; what is not valid JSON is left for the parser to refuse, and a
// text cut short (a truncated record, repaired after) is pruned as far as
// it goes. It runs in one pass over the text.
func prune(text string, buf []byte) (string, []byte) {
	var keys []string // the key of each open object, "" for arrays and the top
	var open []byte   // '{' or '['
	out := buf[:0]
	last := 0 // text[last:] is not copied yet
	pruned := false
	expectKey := false
	pending := "" // the key of the value about to start
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '"':
			end := stringEnd(text, i)
			if expectKey && len(open) > 0 && open[len(open)-1] == '{' {
				key := text[i+1 : max(i+1, end-1)]
				j := skipSpace(text, end)
				if j < len(text) && text[j] == ':' {
					v := skipSpace(text, j+1)
					if unread(key, keys[len(keys)-1]) && v < len(text) {
						out = append(out, text[last:v]...)
						out = append(out, "null"...)
						last = valueEnd(text, v)
						i = last - 1
						pruned = true
						expectKey = false
						continue
					}
					pending = key
					i = j
					expectKey = false
					continue
				}
			}
			i = end - 1
		case '{', '[':
			open = append(open, c)
			keys = append(keys, pending)
			pending = ""
			expectKey = c == '{'
		case '}', ']':
			if len(open) > 0 {
				open, keys = open[:len(open)-1], keys[:len(keys)-1]
			}
		case ',':
			expectKey = len(open) > 0 && open[len(open)-1] == '{'
			pending = ""
		}
	}
	if !pruned {
		return text, buf
	}
	out = append(out, text[last:]...)
	return unsafe.String(unsafe.SliceData(out), len(out)), out
}

// stringEnd returns the index after the closing quote of the string
// starting at i, or len(s) for a string cut short.
func stringEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index after the JSON value starting at i.
func valueEnd(s string, i int) int {
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				j = stringEnd(s, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(s)
	}
	for j := i; j < len(s); j++ {
		switch s[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
	}
	return len(s)
}
