package benchdata

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AppendBody appends the execute body splunkd sends for evs: CSV with
// "\n" line ends, a header of the layout's fields that have a value in at
// least one of the events (a field no event has is no column), then their
// __mv_ columns in the same order, then a row per event. A multivalue
// field's plain cell holds its values joined with "\n" and its __mv_ cell
// $v1$;$v2$ ("$" doubled inside values); a single value leaves the __mv_
// cell empty. Names and values that are not purely alphanumeric are
// quoted, as splunkd quotes them.
func AppendBody(dst []byte, evs []Event, layout Layout) []byte {
	var cols []Field
	for _, f := range layout.Fields() {
		for i := range evs {
			if len(evs[i].values[f]) > 0 {
				cols = append(cols, f)
				break
			}
		}
	}
	if len(cols) == 0 {
		return dst
	}
	for i, f := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCell(dst, f.Name())
	}
	for _, f := range cols {
		dst = append(dst, ',')
		dst = appendCell(dst, "__mv_"+f.Name())
	}
	dst = append(dst, '\n')
	for i := range evs {
		vals := &evs[i].values
		for k, f := range cols {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = appendCell(dst, strings.Join(vals[f], "\n"))
		}
		for _, f := range cols {
			dst = append(dst, ',')
			if v := vals[f]; len(v) > 1 {
				dst = appendCell(dst, EncodeMV(v))
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// EncodeMV encodes a multivalue the way splunkd writes a __mv_ cell.
func EncodeMV(values []string) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteByte('$')
		b.WriteString(strings.ReplaceAll(v, "$", "$$"))
		b.WriteByte('$')
	}
	return b.String()
}

// appendCell appends a CSV cell in splunkd's style: empty as nothing,
// [A-Za-z0-9]+ bare, anything else quoted with quotes doubled.
func appendCell(dst []byte, v string) []byte {
	if v == "" {
		return dst
	}
	bare := true
	for i := 0; i < len(v) && bare; i++ {
		c := v[i]
		bare = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	if bare {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, v[i])
	}
	return append(dst, '"')
}

// AppendChunk appends a chunk to dst: the transport header, meta and body.
func AppendChunk(dst, meta, body []byte) []byte {
	return append(appendHead(dst, meta, len(body)), body...)
}

// appendHead appends the transport header and the metadata of a chunk
// whose body has bodyLen bytes.
func appendHead(dst, meta []byte, bodyLen int) []byte {
	dst = fmt.Appendf(dst, "chunked 1.0,%d,%d\n", len(meta), bodyLen)
	return append(dst, meta...)
}

// ExecuteMeta is the metadata of an execute request, byte for byte as
// splunkd writes it.
func ExecuteMeta(finished bool) []byte {
	return fmt.Appendf(nil, `{"action":"execute","finished":%t}`, finished)
}

// getinfo is splunkd's getinfo metadata, its keys in splunkd's order.
type getinfo struct {
	Action                      string     `json:"action"`
	Preview                     bool       `json:"preview"`
	StreamingCommandWillRestart bool       `json:"streaming_command_will_restart"`
	SearchInfo                  searchinfo `json:"searchinfo"`
}

type searchinfo struct {
	Args          []string `json:"args"`
	RawArgs       []string `json:"raw_args"`
	DispatchDir   string   `json:"dispatch_dir"`
	SID           string   `json:"sid"`
	App           string   `json:"app"`
	Owner         string   `json:"owner"`
	Username      string   `json:"username"`
	SessionKey    string   `json:"session_key"`
	SplunkdURI    string   `json:"splunkd_uri"`
	SplunkVersion string   `json:"splunk_version"`
	Search        string   `json:"search"`
	Command       string   `json:"command"`
	MaxResultRows int      `json:"maxresultrows"`
	EarliestTime  string   `json:"earliest_time"`
	LatestTime    string   `json:"latest_time"`
}

// GetInfo returns the metadata of the getinfo request splunkd 9.x sends a
// streaming command run on an indexer: the remote search ("litsearch ...
// | command args | fields keepcolorder=t ..."), percent-encoded, args
// without quotes in args and as typed in raw_args, a made-up session key,
// and the time range of the generated events.
func GetInfo(command string, args ...string) []byte {
	if args == nil {
		args = []string{}
	}
	from, to := latest.Add(-15*time.Minute).Unix(), latest.Unix()
	search := fmt.Sprintf(`litsearch (index=%s sourcetype="%s" _time>=%d.000 _time<%d.000) | %s`, Index, SourceType, from, to, command)
	for _, a := range args {
		search += " " + a
	}
	search += ` | fields keepcolorder=t "*" "_bkt" "_cd" "_si" "host" "index" "linecount" "source" "sourcetype" "splunk_server"`
	sid := fmt.Sprintf("remote_sh-use1-01.example.com_%d.4711", to)
	b, err := json.Marshal(getinfo{Action: "getinfo", SearchInfo: searchinfo{
		Args: args, RawArgs: args,
		DispatchDir: "/opt/splunk/var/run/splunk/dispatch/" + sid, SID: sid,
		App: "kubelens", Owner: "admin", Username: "admin",
		// Shaped like a splunkd session key; not one.
		SessionKey: "bench" + strings.Repeat("^K7xQ0pLmN2vB8rT", 9),
		SplunkdURI: "https://127.0.0.1:8089", SplunkVersion: "9.2.1",
		Search: percentEncode(search), Command: command, MaxResultRows: 50000,
		EarliestTime: fmt.Sprint(from), LatestTime: fmt.Sprint(to),
	}})
	if err != nil {
		panic(err) // strings and numbers always encode
	}
	return b
}

// percentEncode encodes every byte but [A-Za-z0-9._~-], as splunkd
// encodes searchinfo.search.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '~' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
