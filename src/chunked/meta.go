package chunked

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// GetInfoRequest is the metadata of the first chunk splunkd sends. Unknown
// keys are ignored and every key is optional: Splunk 6.3 sent fewer than
// 8.x and 9.x do. Only action and args must have their type: a key of
// another type than expected (a realtime "rt-5m" earliest time, a preview
// of 0) is left at its zero value rather than failing the search.
type GetInfoRequest struct {
	Action                      string     `json:"action"`
	Preview                     bool       `json:"preview"`
	StreamingCommandWillRestart bool       `json:"streaming_command_will_restart"`
	SearchInfo                  SearchInfo `json:"searchinfo"`
}

// SearchInfo describes the search the command runs in.
type SearchInfo struct {
	// Args are the SPL words after the command name with quotes removed:
	// pattern="\w+" arrives as pattern=\w+.
	Args []string `json:"args"`
	// RawArgs are the same words with their original quoting.
	RawArgs       []string `json:"raw_args"`
	DispatchDir   string   `json:"dispatch_dir"`
	SID           string   `json:"sid"`
	App           string   `json:"app"`
	Owner         string   `json:"owner"`
	Username      string   `json:"username"`
	SessionKey    Secret   `json:"session_key"`
	SplunkdURI    string   `json:"splunkd_uri"`
	SplunkVersion string   `json:"splunk_version"`
	// Search is the search string as splunkd sends it: percent-encoded by
	// current versions (see DecodedSearch).
	Search        string    `json:"search"`
	Command       string    `json:"command"`
	MaxResultRows FlexInt   `json:"maxresultrows"`
	EarliestTime  EpochTime `json:"earliest_time"`
	LatestTime    EpochTime `json:"latest_time"`
}

// UnmarshalJSON decodes each key on its own, leniently (see GetInfoRequest).
func (r *GetInfoRequest) UnmarshalJSON(b []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*r = GetInfoRequest{}
	if err := strictKey(keys, "action", &r.Action); err != nil {
		return err
	}
	lenientKey(keys, "preview", &r.Preview)
	lenientKey(keys, "streaming_command_will_restart", &r.StreamingCommandWillRestart)
	if raw, ok := keys["searchinfo"]; ok {
		return json.Unmarshal(raw, &r.SearchInfo)
	}
	return nil
}

// UnmarshalJSON decodes each key on its own, leniently but for args.
func (s *SearchInfo) UnmarshalJSON(b []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return fmt.Errorf("searchinfo: %w", err)
	}
	*s = SearchInfo{}
	if err := strictKey(keys, "args", &s.Args); err != nil {
		return err
	}
	lenientKey(keys, "raw_args", &s.RawArgs)
	lenientKey(keys, "dispatch_dir", &s.DispatchDir)
	lenientKey(keys, "sid", &s.SID)
	lenientKey(keys, "app", &s.App)
	lenientKey(keys, "owner", &s.Owner)
	lenientKey(keys, "username", &s.Username)
	lenientKey(keys, "session_key", &s.SessionKey)
	lenientKey(keys, "splunkd_uri", &s.SplunkdURI)
	lenientKey(keys, "splunk_version", &s.SplunkVersion)
	lenientKey(keys, "search", &s.Search)
	lenientKey(keys, "command", &s.Command)
	lenientKey(keys, "maxresultrows", &s.MaxResultRows)
	lenientKey(keys, "earliest_time", &s.EarliestTime)
	lenientKey(keys, "latest_time", &s.LatestTime)
	return nil
}

func strictKey(keys map[string]json.RawMessage, name string, dst any) error {
	if raw, ok := keys[name]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func lenientKey(keys map[string]json.RawMessage, name string, dst any) {
	if raw, ok := keys[name]; ok {
		_ = json.Unmarshal(raw, dst) // a value of another type is left out
	}
}

// DecodedSearch returns Search with its percent-encoding undone. Splunk 8.x
// and 9.x encode it; some recordings hold it already decoded, and a string
// that does not decode is returned as it is.
func (s SearchInfo) DecodedSearch() string {
	d, err := url.PathUnescape(s.Search)
	if err != nil {
		return s.Search
	}
	return d
}

// Secret is a string that never prints: fmt verbs and JSON encoding show
// "REDACTED". Reveal returns the value for the one place that needs it.
type Secret string

// String implements fmt.Stringer.
func (Secret) String() string { return "REDACTED" }

// GoString implements fmt.GoStringer, so %#v redacts too.
func (Secret) GoString() string { return `"REDACTED"` }

// MarshalJSON redacts the secret.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"REDACTED"`), nil }

// UnmarshalJSON reads a plain JSON string.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Secret(v)
	return nil
}

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// EpochTime is a time in epoch seconds that splunkd sends as a string
// ("1627333200", "0" for unbounded) and SDK re-encodings as a number
// (1599084000.0).
type EpochTime float64

// UnmarshalJSON accepts a JSON number, a numeric string, an empty string or
// null.
func (t *EpochTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*t = 0
			return nil
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("chunked: epoch time %q is not a number", b)
	}
	*t = EpochTime(f)
	return nil
}

// FlexInt is an integer that may arrive as a JSON number or a string.
type FlexInt int64

// UnmarshalJSON accepts 50000, "50000", "" and null.
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	var t EpochTime
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*n = FlexInt(t)
	return nil
}

// Config is the command's answer to getinfo.
type Config struct {
	// Type is "streaming" (distributable to indexers), "stateful" (search
	// head only), "events" or "reporting". Empty means "streaming".
	Type string
	// RequiredFields, when set, puts splunkd in selected-fields mode: it
	// sends only these fields plus _chunked_idx. Empty means every field.
	RequiredFields []string
	// Messages are shown to the user with the getinfo reply.
	Messages []Message
}

// Message is an inspector message: a level (DEBUG, INFO, WARN, ERROR or
// FATAL) and a text. It encodes as the two-element JSON array splunkd
// expects.
type Message struct {
	Level string
	Text  string
}

// MarshalJSON encodes the message as [level, text].
func (m Message) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{m.Level, m.Text})
}

// UnmarshalJSON decodes [level, text].
func (m *Message) UnmarshalJSON(b []byte) error {
	var v [2]string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	m.Level, m.Text = v[0], v[1]
	return nil
}

// Inspector is the "inspector" object of a reply.
type Inspector struct {
	Messages []Message `json:"messages,omitempty"`
}

// replyMeta is the metadata of every chunk the command sends.
type replyMeta struct {
	Type           string     `json:"type,omitempty"`
	RequiredFields []string   `json:"required_fields,omitempty"`
	Finished       *bool      `json:"finished,omitempty"`
	Error          string     `json:"error,omitempty"`
	Inspector      *Inspector `json:"inspector,omitempty"`
}

// ReplyMeta is the metadata of a reply chunk as splunkd reads it. Serve's
// callers and tests use it to decode replies.
type ReplyMeta struct {
	Type           string    `json:"type"`
	RequiredFields []string  `json:"required_fields"`
	Finished       bool      `json:"finished"`
	Error          string    `json:"error"`
	Inspector      Inspector `json:"inspector"`
}

// executeMeta is the metadata of an execute request.
type executeMeta struct {
	Action   string `json:"action"`
	Finished bool   `json:"finished"`
}
