package modinput

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxConfigSize bounds how much of stdin the parsers read: a configuration is
// a few kilobytes, so anything near this is not from splunkd.
const MaxConfigSize = 4 << 20

// Stanza is one input stanza: its name ("eks_logs://prod" at run time, the
// bare "prod" in --validate-arguments), its app and its parameters.
// Multi-valued parameters (<param_list>) are kept apart from single ones.
type Stanza struct {
	Name       string
	App        string
	Params     map[string]string
	ParamLists map[string][]string
}

// Param returns the value of a single-valued parameter and whether it was set.
func (s Stanza) Param(name string) (string, bool) {
	v, ok := s.Params[name]
	return v, ok
}

// Server holds the fields splunkd puts in both documents.
type Server struct {
	ServerHost    string
	ServerURI     string
	SessionKey    string // a secret: never log it
	CheckpointDir string
}

// decodeField reads el into the matching field; it reports false for
// elements that are not server fields.
func (s *Server) decodeField(d *xml.Decoder, el xml.StartElement) (bool, error) {
	var dst *string
	switch el.Name.Local {
	case "server_host":
		dst = &s.ServerHost
	case "server_uri":
		dst = &s.ServerURI
	case "session_key":
		dst = &s.SessionKey
	case "checkpoint_dir":
		dst = &s.CheckpointDir
	default:
		return false, nil
	}
	return true, d.DecodeElement(dst, &el)
}

// Input is the run-time configuration splunkd writes to stdin.
type Input struct {
	Server
	Stanzas []Stanza
}

// Items is the document --validate-arguments reads: the same server fields
// and exactly one stanza, the one being created or edited.
type Items struct {
	Server
	Item Stanza
}

// ErrNotUTF8 is returned for documents that declare an encoding other than
// UTF-8, which splunkd never sends but hand-made test fixtures sometimes do.
var ErrNotUTF8 = errors.New("modinput: only UTF-8 configuration documents are supported")

// ParseInput reads the <input> document of run mode.
func ParseInput(r io.Reader) (*Input, error) {
	var in Input
	err := parse(r, "input", func(d *xml.Decoder, el xml.StartElement) error {
		if ok, err := in.decodeField(d, el); ok {
			return err
		}
		switch el.Name.Local {
		case "configuration":
			return children(d, func(el xml.StartElement) error {
				if el.Name.Local != "stanza" {
					return fmt.Errorf("unexpected <%s> in <configuration>", el.Name.Local)
				}
				s, err := decodeStanza(d, el)
				if err != nil {
					return err
				}
				in.Stanzas = append(in.Stanzas, s)
				return nil
			})
		}
		return d.Skip() // unknown top-level elements are harmless
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// ParseItems reads the <items> document of --validate-arguments.
func ParseItems(r io.Reader) (*Items, error) {
	var it Items
	n := 0
	err := parse(r, "items", func(d *xml.Decoder, el xml.StartElement) error {
		if ok, err := it.decodeField(d, el); ok {
			return err
		}
		switch el.Name.Local {
		case "item":
			s, err := decodeStanza(d, el)
			if err != nil {
				return err
			}
			it.Item = s
			n++
			return nil
		}
		return d.Skip()
	})
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, fmt.Errorf("modinput: <items> holds %d <item> elements, want exactly 1", n)
	}
	return &it, nil
}

// parse checks the root element and hands each child element to fn.
func parse(r io.Reader, root string, fn func(*xml.Decoder, xml.StartElement) error) error {
	d := xml.NewDecoder(io.LimitReader(r, MaxConfigSize))
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return input, nil
		}
		return nil, fmt.Errorf("%w (document declares %q)", ErrNotUTF8, charset)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return fmt.Errorf("modinput: no <%s> element in the configuration", root)
		}
		if err != nil {
			return fmt.Errorf("modinput: read <%s>: %w", root, err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if el.Name.Local != root {
			return fmt.Errorf("modinput: root element is <%s>, want <%s>", el.Name.Local, root)
		}
		if err := children(d, func(el xml.StartElement) error { return fn(d, el) }); err != nil {
			return fmt.Errorf("modinput: read <%s>: %w", root, err)
		}
		// Stop at the closing root tag: splunkd may keep stdin open.
		return nil
	}
}

// children calls fn for each child element until the enclosing element ends.
// fn must consume the element it is given.
func children(d *xml.Decoder, fn func(xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// decodeStanza reads a <stanza> or <item>. Anything but <param> and
// <param_list> inside it is an error, as in Splunk's own SDKs.
func decodeStanza(d *xml.Decoder, el xml.StartElement) (Stanza, error) {
	s := Stanza{Params: map[string]string{}, ParamLists: map[string][]string{}}
	for _, a := range el.Attr {
		switch a.Name.Local {
		case "name":
			s.Name = a.Value
		case "app":
			s.App = a.Value
		}
	}
	if s.Name == "" {
		return s, fmt.Errorf("<%s> without a name attribute", el.Name.Local)
	}
	err := children(d, func(el xml.StartElement) error {
		name := attr(el, "name")
		switch el.Name.Local {
		case "param":
			if name == "" {
				return fmt.Errorf("stanza %q: <param> without a name", s.Name)
			}
			var v string
			if err := d.DecodeElement(&v, &el); err != nil {
				return fmt.Errorf("stanza %q: param %q: %w", s.Name, name, err)
			}
			s.Params[name] = v
			return nil
		case "param_list":
			if name == "" {
				return fmt.Errorf("stanza %q: <param_list> without a name", s.Name)
			}
			var pl struct {
				Values []string `xml:"value"`
			}
			if err := d.DecodeElement(&pl, &el); err != nil {
				return fmt.Errorf("stanza %q: param_list %q: %w", s.Name, name, err)
			}
			s.ParamLists[name] = pl.Values
			return nil
		}
		return fmt.Errorf("stanza %q: unexpected <%s>", s.Name, el.Name.Local)
	})
	return s, err
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
