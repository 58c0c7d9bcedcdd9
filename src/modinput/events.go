package modinput

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/kubelens/kubelens/src/sink"
)

// Event is one event of the XML stream. Empty optional fields are omitted so
// splunkd applies the stanza's defaults.
type Event struct {
	Stanza     string
	TimeMillis int64 // epoch milliseconds; written as seconds with 3 decimals
	Source     string
	SourceType string
	Index      string
	Host       string
	Data       string
}

// EventWriter writes the XML event stream. It writes <stream> before the
// first event and </stream> on Close. Write flushes after its event; Send,
// which makes it a sink.Sink, writes a whole page and flushes once, so
// that when either returns the events have left the process (the
// checkpoint may then cover them). It is not safe for concurrent use.
type EventWriter struct {
	w       *bufio.Writer
	stanza  string
	started bool
	closed  bool
	err     error
}

var _ sink.Sink = (*EventWriter)(nil)

// NewEventWriter returns an EventWriter writing to w.
func NewEventWriter(w io.Writer) *EventWriter {
	return &EventWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// NewStanzaWriter returns an EventWriter whose Send writes events of the
// given stanza (eks_logs://<name>).
func NewStanzaWriter(w io.Writer, stanza string) *EventWriter {
	ew := NewEventWriter(w)
	ew.stanza = stanza
	return ew
}

// Name implements sink.Sink.
func (ew *EventWriter) Name() string { return "splunkd" }

// Send implements sink.Sink: it writes every event of the stanza given to
// NewStanzaWriter and flushes once. Errors are fatal: splunkd is gone.
func (ew *EventWriter) Send(_ context.Context, events []sink.Event) (sink.Report, error) {
	for _, e := range events {
		if err := ew.WriteBuffered(Event{Stanza: ew.stanza, TimeMillis: e.TimeMillis, Source: e.Source, SourceType: e.SourceType,
			Index: e.Index, Host: e.Host, Data: e.Data}); err != nil {
			return sink.Report{}, sink.Fatal(ew.Name(), err)
		}
	}
	if err := ew.Flush(); err != nil {
		return sink.Report{}, sink.Fatal(ew.Name(), err)
	}
	return sink.Report{}, nil
}

// Write writes one complete event (unbroken="1" plus <done/>) and flushes.
// After the first error every call returns that error.
func (ew *EventWriter) Write(e Event) error {
	if err := ew.WriteBuffered(e); err != nil {
		return err
	}
	return ew.Flush()
}

// WriteBuffered writes one event without flushing; call Flush before relying
// on it having been delivered.
func (ew *EventWriter) WriteBuffered(e Event) error {
	if ew.err != nil {
		return ew.err
	}
	if ew.closed {
		return fmt.Errorf("modinput: write after close")
	}
	if !ew.started {
		ew.started = true
		ew.str("<stream>\n")
	}
	ew.str(`<event stanza="`)
	ew.escAttr(e.Stanza)
	ew.str(`" unbroken="1">`)
	if e.TimeMillis >= 0 {
		ew.str("<time>")
		ew.str(FormatTime(e.TimeMillis))
		ew.str("</time>")
	}
	ew.elem("source", e.Source)
	ew.elem("sourcetype", e.SourceType)
	ew.elem("index", e.Index)
	ew.elem("host", e.Host)
	ew.str("<data>")
	ew.esc(e.Data)
	ew.str("</data><done/></event>\n")
	return ew.err
}

// Flush pushes buffered events to the underlying writer.
func (ew *EventWriter) Flush() error {
	if ew.err != nil {
		return ew.err
	}
	if err := ew.w.Flush(); err != nil {
		ew.err = fmt.Errorf("modinput: write event stream: %w", err)
	}
	return ew.err
}

// Close ends the stream with </stream> (writing <stream> first if no event
// was written, so the output is always a complete document) and flushes.
func (ew *EventWriter) Close() error {
	if ew.closed {
		return ew.err
	}
	if ew.err == nil {
		if !ew.started {
			ew.started = true
			ew.str("<stream>\n")
		}
		ew.str("</stream>\n")
	}
	ew.closed = true
	return ew.Flush()
}

// FormatTime renders epoch milliseconds as seconds with exactly three
// decimals, the form splunkd reads from <time> (sink.FormatTime).
func FormatTime(ms int64) string { return sink.FormatTime(ms) }

func (ew *EventWriter) elem(name, v string) {
	if v == "" {
		return
	}
	ew.str("<" + name + ">")
	ew.esc(v)
	ew.str("</" + name + ">")
}

func (ew *EventWriter) str(s string) {
	if ew.err != nil {
		return
	}
	if _, err := ew.w.WriteString(s); err != nil {
		ew.err = fmt.Errorf("modinput: write event stream: %w", err)
	}
}

// esc writes s as XML character data. It escapes what character data
// cannot hold as it is (&, <, >; and \r, which XML parsers would turn into
// \n) and replaces what XML cannot carry at all (\x01, invalid UTF-8, ...)
// with U+FFFD, as xml.EscapeText does, so that the stream stays
// well-formed whatever a log line holds. Unlike xml.EscapeText it leaves
// quotes, which a JSON message is full of, as they are, and allocates
// nothing: it runs on every event.
func (ew *EventWriter) esc(s string) { ew.escape(s, false) }

// escAttr writes s as an attribute value in double quotes: quotes, and
// tabs and line breaks (which attribute values normalise to spaces), are
// escaped too.
func (ew *EventWriter) escAttr(s string) { ew.escape(s, true) }

func (ew *EventWriter) escape(s string, attr bool) {
	if ew.err != nil {
		return
	}
	plain := &plainText
	if attr {
		plain = &plainAttr
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		var repl string
		width := 1
		switch c {
		case '&':
			repl = "&amp;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		case '\r':
			repl = "&#xD;"
		case '"':
			repl = "&#34;"
		case '\n':
			repl = "&#xA;"
		case '\t':
			repl = "&#x9;"
		default:
			if c < 0x20 {
				repl = "\uFFFD"
				break
			}
			r, w := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && xmlChar(r) || r == utf8.RuneError && w > 1 {
				i += w
				continue
			}
			repl, width = "\uFFFD", w
		}
		ew.write(s[start:i])
		ew.write(repl)
		i += width
		start = i
	}
	ew.write(s[start:])
}

// plainText and plainAttr say which bytes escape writes as they are, in
// character data and in an attribute value: a table, as escape looks at
// every byte of every event.
var plainText, plainAttr = func() (text, attr [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		text[c] = c != '&' && c != '<' && c != '>'
		attr[c] = text[c] && c != '"'
	}
	text['\n'], text['\t'] = true, true
	return text, attr
}()

// write writes s, keeping the first error.
func (ew *EventWriter) write(s string) {
	if ew.err != nil || s == "" {
		return
	}
	if _, err := io.WriteString(ew.w, s); err != nil {
		ew.err = fmt.Errorf("modinput: write event stream: %w", err)
	}
}

// xmlChar reports whether r is a character XML 1.0 allows, above the
// ASCII controls (the Char production of the XML specification).
func xmlChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
