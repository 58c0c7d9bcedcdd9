package modinput_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/modinput"
)

var update = flag.Bool("update", false, "rewrite golden files")

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestParseInput_OneStanza verifies that every server field, params,
// param_lists and entity-escaped values are read.
func TestParseInput_OneStanza(t *testing.T) {
	in, err := modinput.ParseInput(open(t, "input_one_stanza.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if in.ServerHost != "sh1" || in.ServerURI != "https://127.0.0.1:8089" || in.SessionKey != "SESSIONKEY123" ||
		in.CheckpointDir != "/opt/splunk/var/lib/splunk/modinputs/eks_logs" {
		t.Errorf("server fields = %+v", in)
	}
	if len(in.Stanzas) != 1 {
		t.Fatalf("stanzas = %d, want 1", len(in.Stanzas))
	}
	s := in.Stanzas[0]
	if s.Name != "eks_logs://prod" || s.App != "kubelens" {
		t.Errorf("stanza name/app = %q/%q", s.Name, s.App)
	}
	if v, _ := s.Param("index"); v != "k8s & eks" {
		t.Errorf("index = %q", v)
	}
	if v, ok := s.Param("aws_region"); !ok || v != "us-east-1" {
		t.Errorf("aws_region = %q, %v", v, ok)
	}
	if got := strings.Join(s.ParamLists["extra"], ","); got != "a,b" {
		t.Errorf("param_list extra = %q", got)
	}
}

func TestParseInput_EmptyConfiguration(t *testing.T) {
	in, err := modinput.ParseInput(open(t, "input_empty.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Stanzas) != 0 || in.CheckpointDir != "/tmp/x" {
		t.Errorf("got %+v", in)
	}
}

// TestParseInput_Rejects verifies that malformed documents fail with an
// error instead of yielding a half-read configuration.
func TestParseInput_Rejects(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"bad child", "", "unexpected <bogus>"},
		{"utf16", "", "only UTF-8"},
		{"wrong root", "<items/>", "root element is <items>"},
		{"truncated", "<input><configuration><stanza name='x'>", "unexpected EOF"},
		{"nameless stanza", "<input><configuration><stanza><param name='a'>1</param></stanza></configuration></input>", "without a name"},
		{"empty", "", "no <input> element"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *strings.Reader
			switch tc.name {
			case "bad child":
				b, _ := os.ReadFile("testdata/input_bad_child.xml")
				r = strings.NewReader(string(b))
			case "utf16":
				b, _ := os.ReadFile("testdata/input_utf16_decl.xml")
				r = strings.NewReader(string(b))
			default:
				r = strings.NewReader(tc.doc)
			}
			_, err := modinput.ParseInput(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if tc.name == "utf16" && !errors.Is(err, modinput.ErrNotUTF8) {
				t.Errorf("err = %v, want ErrNotUTF8", err)
			}
		})
	}
}

// TestParseInput_StopsAtClosingTag verifies that run mode does not wait for
// EOF on stdin once </input> was read.
func TestParseInput_StopsAtClosingTag(t *testing.T) {
	r := strings.NewReader(`<input><configuration/></input>` + "\x00garbage that must never be read")
	if _, err := modinput.ParseInput(r); err != nil {
		t.Fatal(err)
	}
}

func TestParseItems(t *testing.T) {
	it, err := modinput.ParseItems(open(t, "items.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if it.Item.Name != "prod" || it.SessionKey != "123102983109283019283" {
		t.Errorf("got %+v", it)
	}
	if got := strings.Join(it.Item.ParamLists["log_types"], ","); got != "audit,api" {
		t.Errorf("log_types = %q", got)
	}
	if _, err := modinput.ParseItems(open(t, "items_two.xml")); err == nil || !strings.Contains(err.Error(), "exactly 1") {
		t.Errorf("two items: err = %v", err)
	}
}

// TestWriteScheme_Golden verifies the exact scheme document.
func TestWriteScheme_Golden(t *testing.T) {
	var buf bytes.Buffer
	err := modinput.WriteScheme(&buf, modinput.Scheme{
		Title: "T & co", Description: "D <x>", UseExternalValidation: true, StreamingMode: "xml",
		Args: []modinput.Arg{
			{Name: "a_1", Title: "A", Description: "first", RequiredOnCreate: true},
			{Name: "b", DataType: modinput.Number},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "scheme.golden.xml")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("scheme =\n%s\nwant\n%s", buf.Bytes(), want)
	}
}

func TestWriteScheme_RejectsBadNames(t *testing.T) {
	for _, args := range [][]modinput.Arg{{{Name: "_x"}}, {{Name: "a b"}}, {{Name: "a"}, {Name: "a"}}} {
		if err := modinput.WriteScheme(&bytes.Buffer{}, modinput.Scheme{Title: "t", Args: args}); err == nil {
			t.Errorf("args %v accepted", args)
		}
	}
}

func TestWriteValidationError(t *testing.T) {
	var buf bytes.Buffer
	if err := modinput.WriteValidationError(&buf, `aws_region: "x<y" is not a region`); err != nil {
		t.Fatal(err)
	}
	want := "<error><message>aws_region: &#34;x&lt;y&#34; is not a region</message></error>\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// TestEventWriter_EscapesEveryElement verifies that markup in any field,
// not only <data>, cannot break the stream, and that the data survives a
// round trip through an XML parser verbatim.
func TestEventWriter_EscapesEveryElement(t *testing.T) {
	var buf bytes.Buffer
	ew := modinput.NewEventWriter(&buf)
	data := "{\"a\":\"<b>&</b>\"}\n\tline2 ]]> \"q\""
	e := modinput.Event{Stanza: `eks_logs://p"<`, TimeMillis: 1700000000007, Source: "us-east-1:/aws/eks/x/cluster:s<1>",
		SourceType: "st&", Index: "i<", Host: "h>", Data: data}
	if err := ew.Write(e); err != nil {
		t.Fatal(err)
	}
	if err := ew.Write(modinput.Event{Stanza: "s", TimeMillis: 5, Data: "second"}); err != nil {
		t.Fatal(err)
	}
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Events []struct {
			Stanza     string    `xml:"stanza,attr"`
			Unbroken   string    `xml:"unbroken,attr"`
			Time       string    `xml:"time"`
			Source     string    `xml:"source"`
			SourceType string    `xml:"sourcetype"`
			Index      string    `xml:"index"`
			Host       string    `xml:"host"`
			Data       string    `xml:"data"`
			Done       *struct{} `xml:"done"`
		} `xml:"event"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("stream is not well-formed: %v\n%s", err, buf.String())
	}
	if len(doc.Events) != 2 {
		t.Fatalf("events = %d", len(doc.Events))
	}
	g := doc.Events[0]
	if g.Stanza != e.Stanza || g.Unbroken != "1" || g.Time != "1700000000.007" || g.Source != e.Source ||
		g.SourceType != e.SourceType || g.Index != e.Index || g.Host != e.Host || g.Data != data || g.Done == nil {
		t.Errorf("round trip = %+v", g)
	}
	if doc.Events[1].Time != "0.005" || strings.Contains(buf.String(), "<host></host>") {
		t.Errorf("second event/omitted fields wrong:\n%s", buf.String())
	}
	if !strings.HasPrefix(buf.String(), "<stream>\n") || !strings.HasSuffix(buf.String(), "</stream>\n") {
		t.Errorf("stream framing wrong:\n%s", buf.String())
	}
}

// TestEventWriter_FlushesEachEvent verifies that Write leaves nothing in a
// buffer: the checkpoint is written right after and must not cover an event
// still inside the process.
func TestEventWriter_FlushesEachEvent(t *testing.T) {
	var buf bytes.Buffer
	ew := modinput.NewEventWriter(&buf)
	if err := ew.Write(modinput.Event{Stanza: "s", TimeMillis: 1, Data: "x"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "<done/></event>\n") {
		t.Errorf("after Write the sink holds %q", buf.String())
	}
}

func TestEventWriter_EmptyStreamAndWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	ew := modinput.NewEventWriter(&buf)
	if err := ew.Close(); err != nil || buf.String() != "<stream>\n</stream>\n" {
		t.Errorf("empty stream = %q, %v", buf.String(), err)
	}
	ew = modinput.NewEventWriter(failingWriter{})
	if err := ew.Write(modinput.Event{Data: "x"}); err == nil {
		t.Error("Write to a broken pipe succeeded")
	}
	if err := ew.Write(modinput.Event{Data: "y"}); err == nil {
		t.Error("second Write after an error succeeded")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestFormatTime(t *testing.T) {
	for ms, want := range map[int64]string{0: "0.000", 1: "0.001", 1700000000123: "1700000000.123", -1500: "-1.500"} {
		if got := modinput.FormatTime(ms); got != want {
			t.Errorf("FormatTime(%d) = %q, want %q", ms, got, want)
		}
	}
}
