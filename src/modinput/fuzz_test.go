package modinput_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

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
