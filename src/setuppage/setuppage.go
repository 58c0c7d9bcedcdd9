// Package setuppage generates the part of the kubelens setup page that
// follows from code: the fields of the eks_logs input form, from the stanza
// parameters as eks_logs --scheme declares them, and the AWS account rules
// (app, realm, name and key ID patterns) that "eks_logs credentials" uses.
// The page's script, app/appserver/static/kubelens_setup.js, carries them
// as a JSON object between the lines "// generated:form" and
// "// end:form"; a test keeps that block in step and "make docs" rewrites
// it. appcheck compares the block of the packaged script with the packaged
// eks_logs --scheme.
package setuppage

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/eksinput"
	"github.com/kubelens/kubelens/src/modinput"
)

// ScriptPath is the page's script, relative to the repository root.
const ScriptPath = "app/appserver/static/kubelens_setup.js"

// Markers delimit the generated block of the script; each is a whole line.
const (
	BeginMarker = "// generated:form"
	EndMarker   = "// end:form"
	// Prefix starts the block's one statement, which ends with ";".
	Prefix = "const FORM = "
)

// inputScheme is where the form's fields come from: the eks_logs scheme,
// the same declarations --scheme prints. It is the one place to change
// when the declarations move.
func inputScheme() modinput.Scheme { return eksinput.Scheme() }

// AccountParam is the parameter naming a stored AWS account: the page
// offers the stored accounts for it.
const AccountParam = "aws_account"

// Field is one control of the input form.
type Field struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// DataType is the scheme's data_type: string or number.
	DataType         string `json:"data_type"`
	RequiredOnCreate bool   `json:"required_on_create"`
	// Choices "accounts" makes the control a list of the stored AWS
	// accounts.
	Choices string `json:"choices,omitempty"`
}

// Form is the generated block: everything the page needs to know about
// eks_logs.
type Form struct {
	// App is the app whose namespace holds the inputs and the accounts.
	App string `json:"app"`
	// Scheme is the modular input: data/inputs/<scheme>.
	Scheme string `json:"scheme"`
	// Realm is the storage/passwords realm of AWS accounts.
	Realm string `json:"realm"`
	// AccountPattern and KeyIDPattern are regular expressions that JavaScript
	// and Go read the same way.
	AccountPattern string `json:"account_pattern"`
	KeyIDPattern   string `json:"key_id_pattern"`
	// Params are the scheme's arguments, in declaration order.
	Params []Field `json:"params"`
	// Settings are splunkd's own input settings that the page offers.
	Settings []Field `json:"settings"`
}

// Build returns the form of the current declarations.
func Build() Form {
	s := inputScheme()
	f := Form{
		App:            eksinput.CredentialApp,
		Scheme:         eksinput.SchemeName,
		Realm:          eksinput.CredentialRealm,
		AccountPattern: eksconf.AccountNamePattern,
		KeyIDPattern:   eksinput.KeyIDPattern,
		Settings: []Field{{
			Name: "index", Title: "Index", DataType: string(modinput.String),
			Description: "Splunk index the events go to. Empty: the index of the app's default/inputs.conf (main).",
		}},
	}
	for _, a := range s.Args {
		dt := a.DataType
		if dt == "" {
			dt = modinput.String
		}
		fl := Field{Name: a.Name, Title: a.Title, Description: a.Description, DataType: string(dt), RequiredOnCreate: a.RequiredOnCreate}
		if fl.Title == "" {
			fl.Title = a.Name
		}
		if a.Name == AccountParam {
			fl.Choices = "accounts"
		}
		f.Params = append(f.Params, fl)
	}
	return f
}

// Block returns the generated lines between the markers, each ending in a
// newline.
func Block(f Form) string {
	b, err := json.MarshalIndent(f, "  ", "  ")
	if err != nil {
		panic(err) // Form has only strings, bools and slices of them
	}
	return "  " + Prefix + string(b) + ";\n"
}

// Splice replaces the generated block of script with block.
func Splice(script, block string) (string, error) {
	i, j, err := locate(script)
	if err != nil {
		return "", err
	}
	return script[:i] + block + script[j:], nil
}

// Extract returns the generated block of script, parsed.
func Extract(script string) (Form, error) {
	i, j, err := locate(script)
	if err != nil {
		return Form{}, err
	}
	text := strings.TrimSpace(script[i:j])
	text, ok := strings.CutPrefix(text, Prefix)
	if !ok {
		return Form{}, fmt.Errorf("setuppage: the generated block does not start with %q", Prefix)
	}
	var f Form
	if err := json.Unmarshal([]byte(strings.TrimSuffix(text, ";")), &f); err != nil {
		return Form{}, fmt.Errorf("setuppage: the generated block is not JSON: %w", err)
	}
	return f, nil
}

// locate returns the offsets of the block: after the begin marker's line,
// up to the end marker's line.
func locate(script string) (int, int, error) {
	bi := strings.Index(script, BeginMarker+"\n")
	ei := strings.Index(script, EndMarker+"\n")
	if bi < 0 || ei < bi {
		return 0, 0, fmt.Errorf("setuppage: no %q ... %q lines in the script", BeginMarker, EndMarker)
	}
	start := bi + len(BeginMarker) + 1
	// The end marker is indented like the block: back up to its line start.
	end := strings.LastIndexByte(script[:ei], '\n') + 1
	if end < start {
		end = start
	}
	return start, end, nil
}
