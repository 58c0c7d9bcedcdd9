package modinput

import (
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
)

// DataType is the type splunkd shows and checks for an argument.
type DataType string

// The data types splunkd understands in a scheme.
const (
	String  DataType = "string"
	Number  DataType = "number"
	Boolean DataType = "boolean"
)

// Arg describes one stanza parameter of a scheme.
type Arg struct {
	Name             string
	Title            string
	Description      string
	DataType         DataType
	RequiredOnCreate bool
	RequiredOnEdit   bool
}

// Scheme is the document --scheme prints.
type Scheme struct {
	Title                 string
	Description           string
	UseExternalValidation bool
	UseSingleInstance     bool
	StreamingMode         string // "xml" or "simple"
	Args                  []Arg
}

// nameRE is the pattern splunkd requires for scheme and parameter names.
var nameRE = regexp.MustCompile(`^[0-9a-zA-Z][0-9a-zA-Z_-]*$`)

type xmlScheme struct {
	XMLName               xml.Name `xml:"scheme"`
	Title                 string   `xml:"title"`
	Description           string   `xml:"description,omitempty"`
	UseExternalValidation bool     `xml:"use_external_validation"`
	UseSingleInstance     bool     `xml:"use_single_instance"`
	StreamingMode         string   `xml:"streaming_mode"`
	Args                  []xmlArg `xml:"endpoint>args>arg"`
}

type xmlArg struct {
	Name             string   `xml:"name,attr"`
	Title            string   `xml:"title,omitempty"`
	Description      string   `xml:"description,omitempty"`
	DataType         DataType `xml:"data_type"`
	RequiredOnEdit   bool     `xml:"required_on_edit"`
	RequiredOnCreate bool     `xml:"required_on_create"`
}

// WriteScheme writes s as the XML document splunkd expects from --scheme.
// It refuses names splunkd would reject, so a typo fails a test rather than
// an installation.
func WriteScheme(w io.Writer, s Scheme) error {
	if s.Title == "" {
		return fmt.Errorf("modinput: scheme has no title")
	}
	mode := s.StreamingMode
	if mode == "" {
		mode = "xml"
	}
	if mode != "xml" && mode != "simple" {
		return fmt.Errorf("modinput: streaming mode %q is neither xml nor simple", mode)
	}
	doc := xmlScheme{
		Title:                 s.Title,
		Description:           s.Description,
		UseExternalValidation: s.UseExternalValidation,
		UseSingleInstance:     s.UseSingleInstance,
		StreamingMode:         mode,
	}
	seen := make(map[string]bool)
	for _, a := range s.Args {
		if !nameRE.MatchString(a.Name) {
			return fmt.Errorf("modinput: argument name %q does not match %s", a.Name, nameRE)
		}
		if seen[a.Name] {
			return fmt.Errorf("modinput: argument %q declared twice", a.Name)
		}
		seen[a.Name] = true
		dt := a.DataType
		if dt == "" {
			dt = String
		}
		doc.Args = append(doc.Args, xmlArg{
			Name: a.Name, Title: a.Title, Description: a.Description, DataType: dt,
			RequiredOnEdit: a.RequiredOnEdit, RequiredOnCreate: a.RequiredOnCreate,
		})
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("modinput: write scheme: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("modinput: write scheme: %w", err)
	}
	return nil
}

// WriteValidationError writes the reply that makes splunkd reject a stanza
// and show msg to the user. The caller exits non-zero afterwards.
func WriteValidationError(w io.Writer, msg string) error {
	type message struct {
		XMLName xml.Name `xml:"error"`
		Message string   `xml:"message"`
	}
	if err := xml.NewEncoder(w).Encode(message{Message: msg}); err != nil {
		return fmt.Errorf("modinput: write validation error: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("modinput: write validation error: %w", err)
	}
	return nil
}
