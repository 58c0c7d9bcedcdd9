package audit

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"
)

// pruneAbove is the size of a record from which the members kubelens never
// reads are cut before parsing: a list of secrets or config maps logged at
// RequestResponse level holds megabytes of response, and parsing a JSON
// array of small values costs hundreds of bytes of memory for each, so
// that an 8 MB response would cost gigabytes.
const pruneAbove = 64 << 10

// MaxValues is the most JSON values (objects, arrays, strings, numbers,
// literals) of one record that are parsed, the response bodies not
// counted: each costs the parser about a hundred bytes, so a record costs
// at most about 25 MB however it is built. A request body past the limit
// is not read (Parsed.RequestCut), and a record still past it is refused
// (ErrTooLarge). The API server takes request bodies of up to 3 MiB
// (k8s.io/apiserver MaxRequestBodyBytes), of far fewer values than this in
// any real object.
const MaxValues = 250_000

// maxReadDepth is the deepest nesting kubelens reads: a cron job's
// container capabilities inside a GKE entry inside a Splunk HEC body are
// about 16 levels down. fastjson refuses JSON nested deeper than
// fastjson.MaxDepth (300), so a record with a deeper value is parsed again
// with every value below maxReadDepth replaced by null: a request body is
// logged as the client sent it, and junk nested deep in it must not hide
// the rest of the event.
const maxReadDepth = 32

// ErrTooLarge means a record holds more than MaxValues JSON values besides
// its request and response bodies.
var ErrTooLarge = fmt.Errorf("audit: the record holds more than %d JSON values besides its request and response bodies, more than any audit event the API server writes; it is not read", MaxValues)

// cutRule says which values prune replaces with null.
type cutRule struct {
	// bodies adds the request bodies (requestObject, a GKE entry's
	// protoPayload.request) to the response bodies, which are always cut.
	bodies bool
	// depth, when above 0, cuts every value nested deeper.
	depth int
	// unread cuts the members of the request bodies that kubelens does
	// not read (see requestSchema): junk beside a pod spec must not
	// push the pod spec past MaxValues.
	unread bool
}

// schema is the part of a JSON object kubelens reads: a member whose
// name is not among kids is never read (all: everything below is).
type schema struct {
	all  bool
	kids map[string]*schema
}

// child returns the schema of member key, nil when it is not read.
func (s *schema) child(key string) *schema {
	if s == nil || s.all {
		return s
	}
	return s.kids[key]
}

// requestSchema and patchSchema are what RequestDecoder and the members
// under requestObject read of a request body: an object, or a JSON patch
// (an array of operations, whose values go anywhere).
var requestSchema, patchSchema = func() (*schema, *schema) {
	all := &schema{all: true}
	node := func(kids map[string]*schema) *schema { return &schema{kids: kids} }
	leaves := func(names ...string) *schema {
		n := node(map[string]*schema{})
		for _, name := range names {
			n.kids[name] = all
		}
		return n
	}
	container := node(map[string]*schema{"name": all, "image": all, "securityContext": node(map[string]*schema{
		"privileged": all, "allowPrivilegeEscalation": all, "runAsUser": all, "runAsNonRoot": all, "capabilities": leaves("add")})})
	podSpec := node(map[string]*schema{"hostNetwork": all, "hostPID": all, "hostIPC": all,
		"volumes":    node(map[string]*schema{"name": all, "hostPath": leaves("path")}),
		"containers": container, "initContainers": container, "ephemeralContainers": container,
		"securityContext": leaves("runAsUser", "runAsNonRoot")})
	spec := node(map[string]*schema{
		"template":    node(map[string]*schema{"spec": podSpec}),
		"jobTemplate": node(map[string]*schema{"spec": node(map[string]*schema{"template": node(map[string]*schema{"spec": podSpec})})}),
		"schedule":    all, "type": all, "ports": leaves("port", "nodePort"), "tls": all, "group": all,
	})
	for k, v := range podSpec.kids {
		spec.kids[k] = v
	}
	body := node(map[string]*schema{"kind": all, "message": all, "spec": spec,
		"metadata":            node(map[string]*schema{"name": all, "namespace": all, "annotations": leaves("kubectl.kubernetes.io/last-applied-configuration")}),
		"roleRef":             leaves("kind", "name"),
		"subjects":            leaves("kind", "name", "namespace"),
		"rules":               leaves("apiGroups", "resources", "verbs"),
		"ephemeralContainers": container,
	})
	return body, leaves("op", "path", "from", "value")
}()

// cuts reports whether the value of member key of an object that is the
// value of member parent is cut: the response body of a native event
// (responseObject) or of a GKE entry (protoPayload.response), and with
// bodies the request's too.
func (r cutRule) cuts(key, parent string) bool {
	switch {
	case key == "responseObject", key == "response" && parent == "protoPayload":
		return true
	case r.bodies && (key == "requestObject" || key == "request" && parent == "protoPayload"):
		return true
	}
	return false
}

// parseBounded parses text with fp, within the limits above: records
// larger than pruneAbove lose their response bodies first, then, when still
// above MaxValues, what kubelens does not read of their request bodies,
// then those bodies whole (cut reports it); a record
// too deep for the parser is parsed again with its deep values cut. buf
// holds the pruned texts, which the result references (two: a pass reads
// the text the pass before wrote). Errors wrap ErrNotJSON or are
// ErrTooLarge; none quotes the record.
func parseBounded(fp *fastjson.Parser, text string, bufs *[2][]byte) (v *fastjson.Value, cut bool, err error) {
	pass := 0
	pruneWith := func(rule cutRule) int {
		var n int
		text, bufs[pass%2], n = prune(text, bufs[pass%2], rule)
		pass++
		return n
	}
	if len(text) > pruneAbove && pruneWith(cutRule{}) > MaxValues && pruneWith(cutRule{unread: true}) > MaxValues {
		if pruneWith(cutRule{bodies: true}) > MaxValues {
			return nil, false, ErrTooLarge
		}
		cut = true
	}
	v, err = fp.Parse(text)
	if err != nil && strings.Contains(err.Error(), "too big depth") {
		pruneWith(cutRule{bodies: cut, depth: maxReadDepth})
		v, err = fp.Parse(text)
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrNotJSON, syntaxError(err))
	}
	return v, cut, nil
}

// syntaxError is fastjson's error without the parts that quote the text
// (the unparsed tail, the unexpected value): records hold secrets, and
// the error reaches the search's messages.
func syntaxError(err error) error {
	msg, _, _ := strings.Cut(err.Error(), "; unparsed tail")
	msg, _, _ = strings.Cut(msg, ": \"")
	msg, _, _ = strings.Cut(msg, ` "`)
	msg = strings.TrimSuffix(msg, ":")
	// fastjson names every enclosing value ("cannot parse object: cannot
	// parse array value: ..."), once per level: the innermost cause says
	// what is wrong.
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return errors.New(msg)
}

// prune returns text with the values rule cuts replaced by null, built in
// buf, or text itself when there is none, and about the number of JSON
// values left (each comma, object and array counts one). text is a JSON object; what is not valid JSON is left for the
// parser to refuse, and a text cut short (a truncated record, repaired
// after) is pruned as far as it goes. It runs in one pass over the text.
func prune(text string, buf []byte, rule cutRule) (string, []byte, int) {
	var keys []string // the key of each open object, "" for arrays and the top
	var open []byte   // '{' or '['
	out := buf[:0]
	last := 0 // text[last:] is not copied yet
	pruned := false
	expectKey := false
	pending := "" // the key of the value about to start
	values := 1
	body, bodyArray := -1, false // where in open a request body is, and whether it is a JSON patch
	// read reports whether member key of the innermost open object is
	// read, inside a request body.
	read := func(key string) bool {
		s := requestSchema
		if bodyArray {
			s = patchSchema
		}
		for _, k := range keys[body+1:] {
			if k != "" { // an array's items are read as the array
				s = s.child(k)
			}
		}
		return s.child(key) != nil
	}
	// cut replaces the value starting at v with null.
	cut := func(v int) int {
		out = append(out, text[last:v]...)
		out = append(out, "null"...)
		last = valueEnd(text, v)
		pruned = true
		expectKey = false
		return last - 1
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '"':
			end := stringEnd(text, i)
			if expectKey && len(open) > 0 && open[len(open)-1] == '{' {
				key := text[i+1 : max(i+1, end-1)]
				j := skipSpace(text, end)
				if j < len(text) && text[j] == ':' {
					v := skipSpace(text, j+1)
					if v < len(text) && (rule.cuts(key, keys[len(keys)-1]) || rule.unread && body >= 0 && !read(key)) {
						i = cut(v)
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
			if rule.depth > 0 && len(open) >= rule.depth {
				i = cut(i)
				continue
			}
			if len(open) >= maxTracked {
				// No rule cuts this deep by key: skip the value whole,
				// counting its values, so that the stacks stay small
				// however deep the text nests.
				end, n := skipCounting(text, i)
				values += n
				i = end - 1
				continue
			}
			values++
			if body < 0 && (pending == "requestObject" || pending == "request" && len(keys) > 0 && keys[len(keys)-1] == "protoPayload") {
				body, bodyArray = len(open), c == '['
			}
			open = append(open, c)
			keys = append(keys, pending)
			pending = ""
			expectKey = c == '{'
		case '}', ']':
			if len(open) > 0 {
				open, keys = open[:len(open)-1], keys[:len(keys)-1]
				if len(open) == body {
					body = -1
				}
			}
		case ',':
			values++
			expectKey = len(open) > 0 && open[len(open)-1] == '{'
			pending = ""
		}
	}
	if !pruned {
		return text, buf, values
	}
	out = append(out, text[last:]...)
	return unsafe.String(unsafe.SliceData(out), len(out)), out, values
}

// maxTracked is the nesting prune keeps the keys of: the members it cuts
// by name are a few levels down (an EventList item's responseObject, a
// Pub/Sub message's protoPayload.response), and the depth rule cuts at
// maxReadDepth.
const maxTracked = maxReadDepth

// skipCounting returns the index after the object or array starting at i,
// and about the number of values in it, as prune counts them.
func skipCounting(s string, i int) (end, values int) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			j = stringEnd(s, j) - 1
		case ',':
			values++
		case '{', '[':
			values++
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, values
			}
		}
	}
	return len(s), values
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
		end, _ := skipCounting(s, i)
		return end
	}
	for j := i; j < len(s); j++ {
		switch s[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
	}
	return len(s)
}
