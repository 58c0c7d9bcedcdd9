package modinput_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kubelens/kubelens/src/modinput"
)

func addXMLSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseInput verifies that no document makes the parser panic, and that
// whatever it accepts can be streamed as events that stay well-formed XML.
func FuzzParseInput(f *testing.F) {
	addXMLSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		in, err := modinput.ParseInput(bytes.NewReader(doc))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		ew := modinput.NewEventWriter(&buf)
		for _, s := range in.Stanzas {
			for k, v := range s.Params {
				if err := ew.Write(modinput.Event{Stanza: s.Name, Source: k, Data: v, Host: s.App}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := ew.Close(); err != nil {
			t.Fatal(err)
		}
		var v struct{}
		if err := xml.Unmarshal(buf.Bytes(), &v); err != nil {
			t.Fatalf("event stream from accepted config is not well-formed: %v", err)
		}
	})
}

// FuzzParseItems verifies that the validation parser never panics and that
// an accepted document always names its single item.
func FuzzParseItems(f *testing.F) {
	addXMLSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		it, err := modinput.ParseItems(bytes.NewReader(doc))
		if err != nil {
			return
		}
		if it.Item.Name == "" {
			t.Fatal("accepted an item without a name")
		}
	})
}

// FuzzEventWriter writes any text as an event's stanza and data, and
// requires an XML parser to read back the same text, with what XML cannot
// carry (controls, invalid UTF-8) replaced by U+FFFD.
func FuzzEventWriter(f *testing.F) {
	for _, s := range []string{`{"a":"<b>&</b>"}`, "line1\r\nline2\ttab", "\x01\xff\xfe ok", `"q" 'a' ]]>`, "\uFFFE\U0001F600"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, stanza, data string) {
		var buf bytes.Buffer
		ew := modinput.NewEventWriter(&buf)
		if err := ew.Write(modinput.Event{Stanza: stanza, TimeMillis: 5, Data: data}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Event struct {
				Stanza string `xml:"stanza,attr"`
				Data   string `xml:"data"`
			} `xml:"event"`
		}
		text := buf.String() + "</stream>"
		if err := xml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, text)
		}
		if want := xmlText(data); doc.Event.Data != want {
			t.Fatalf("data %q read back as %q, want %q", data, doc.Event.Data, want)
		}
		if want := xmlText(stanza); doc.Event.Stanza != want {
			t.Fatalf("stanza %q read back as %q, want %q", stanza, doc.Event.Stanza, want)
		}
	})
}

// xmlText is s with what XML 1.0 cannot carry replaced by U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1, r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
		i += w
	}
	return b.String()
}
